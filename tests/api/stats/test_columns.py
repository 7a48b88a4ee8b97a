"""Every column's definition, on hand-built data, as an admin sees it (exactly)."""

from datetime import UTC, datetime

import pytest

from lms.extensions import db
from tests.api.stats.conftest import FY, rows_by_code
from tests.conftest import bearer

URL = f"/api/v1/stats/prefectures?fiscal_year={FY}"
COUNTS = ("applied", "active", "suspended", "completed", "withdrawn", "rejected", "participants", "ojt_sites",
          "ojt_sites_hosting", "placements", "ojt_hours_approved")


def get(client, token, url=URL):
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def test_table_has_47_rows_and_totals_beside_them(client, admin_token):
    body = get(client, admin_token)
    assert [row["prefecture_code"] for row in body["rows"]] == [f"{n:02}" for n in range(1, 48)]
    assert len(body["blocks"]) == 8 and body["fiscal_year"] == FY and body["exact_prefecture_codes"] is None
    tokyo = rows_by_code(body)["13"]
    assert (tokyo["name_ja"], tokyo["block_ja"]) == ("東京都", "関東信越")
    assert all(row[c] == 0 for row in body["rows"] for c in COUNTS) and body["national"]["suppressed"] == []


def test_status_columns_count_current_status_and_participants_ever_active(client, admin_token, enrol):
    enrol("13", "applied")
    enrol("13", "active")
    enrol("13", "suspended")
    enrol("13", "completed")
    enrol("13", "withdrawn", ever_active=True)  # withdrawn after becoming active
    enrol("13", "withdrawn", ever_active=False)  # withdrew while applying
    enrol("13", "rejected")
    tokyo = rows_by_code(get(client, admin_token))["13"]
    assert {c: tokyo[c] for c in COUNTS[:7]} == {
        "applied": 1, "active": 1, "suspended": 1, "completed": 1, "withdrawn": 2, "rejected": 1, "participants": 4}


def test_learner_who_moves_is_counted_where_they_applied(client, admin_token, enrol):
    from lms.enrollments.models import Enrollment
    from lms.learners.models import Learner

    enrollment_id = enrol("13", "active")
    with client.application.app_context():
        learner = db.session.get(Learner, db.session.get(Enrollment, enrollment_id).learner_id)
        learner.workplace_prefecture_code = "47"
        db.session.commit()
    rows = rows_by_code(get(client, admin_token))
    assert (rows["13"]["active"], rows["47"]["active"]) == (1, 0)


def test_only_the_fiscal_year_asked_is_counted(client, admin_token, enrol):
    enrol("13", "active", fiscal_year=FY - 1)
    enrol("13", "active")
    enrol("13", "active")
    assert rows_by_code(get(client, admin_token))["13"]["active"] == 2
    earlier = get(client, admin_token, f"/api/v1/stats/prefectures?fiscal_year={FY - 1}")
    assert rows_by_code(earlier)["13"]["active"] == 1


def test_rejected_application_is_not_a_participant(client, admin_token, enrol):
    enrol("01", "rejected")
    hokkaido = rows_by_code(get(client, admin_token))["01"]
    assert (hokkaido["rejected"], hokkaido["participants"]) == (1, 0)


def test_ojt_columns_follow_the_site_prefecture(client, admin_token, enrol, site, place, log_hours):
    hosting, idle = site("13"), site("13")
    site("14")
    other_year, cancelled_site = site("13"), site("13")
    from_kanagawa = enrol("14", "active")  # a learner of 14 trained at a site in 13
    a, b = place(enrol("13", "active"), hosting), place(from_kanagawa, hosting)
    place(enrol("13", "active"), other_year, fiscal_year=FY - 1)
    place(enrol("13", "active"), cancelled_site, status="cancelled")
    log_hours(a, "3.5")
    log_hours(a, "4")
    log_hours(b, "2.5")
    log_hours(b, "8", status="pending")
    log_hours(b, "6", status="rejected")
    rows = rows_by_code(get(client, admin_token))
    assert {c: rows["13"][c] for c in COUNTS[7:]} == {
        "ojt_sites": 4, "ojt_sites_hosting": 1, "placements": 2, "ojt_hours_approved": 10.0}
    assert {c: rows["14"][c] for c in COUNTS[7:]} == {
        "ojt_sites": 1, "ojt_sites_hosting": 0, "placements": 0, "ojt_hours_approved": 0}
    assert rows["14"]["active"] == 1 and idle


def test_blocks_and_nation_are_sums_of_their_rows(client, admin_token, many):
    many("13", 4)
    many("14", 3, "completed")
    many("01", 2, "rejected")
    many("47", 5, "applied")
    body = get(client, admin_token)
    rows = rows_by_code(body)
    for block in body["blocks"]:
        for column in COUNTS:
            assert block[column] == sum(rows[code][column] for code in block["prefecture_codes"])
    kanto = next(b for b in body["blocks"] if b["block_ja"] == "関東信越")
    assert (kanto["active"], kanto["completed"], kanto["participants"]) == (4, 3, 7)
    for column in COUNTS:
        assert body["national"][column] == sum(block[column] for block in body["blocks"])
    assert (body["national"]["rejected"], body["national"]["applied"]) == (2, 5)


def test_blocks_endpoint_has_the_same_cells(client, admin_token, many):
    many("02", 3)
    table = get(client, admin_token)
    blocks = get(client, admin_token, f"/api/v1/stats/blocks?fiscal_year={FY}")
    assert "rows" not in blocks
    assert blocks["blocks"] == table["blocks"] and blocks["national"] == table["national"]
    assert [b["block_ja"] for b in blocks["blocks"]] == ["北海道", "東北", "関東信越", "東海北陸", "近畿", "中国",
                                                         "四国", "九州"]


def test_series_gives_one_table_per_year(client, admin_token, enrol):
    enrol("13", "active", fiscal_year=2020)
    enrol("13", "completed", fiscal_year=2026)
    body = get(client, admin_token, "/api/v1/stats/prefectures?from_fiscal_year=2020&to_fiscal_year=2026")
    assert (body["from_fiscal_year"], body["to_fiscal_year"]) == (2020, 2026)
    assert [table["fiscal_year"] for table in body["years"]] == list(range(2020, 2027))
    assert all(len(table["rows"]) == 47 for table in body["years"])
    by_year = {table["fiscal_year"]: rows_by_code(table)["13"] for table in body["years"]}
    assert (by_year[2020]["active"], by_year[2026]["completed"], by_year[2023]["participants"]) == (1, 1, 0)
    blocks = get(client, admin_token, "/api/v1/stats/blocks?from_fiscal_year=2025&to_fiscal_year=2026")
    assert [table["fiscal_year"] for table in blocks["years"]] == [2025, 2026]


@pytest.mark.parametrize("query", [
    "from_fiscal_year=2015&to_fiscal_year=2026",  # 12 years
    "from_fiscal_year=2026&to_fiscal_year=2025",
    "from_fiscal_year=2025",
    "to_fiscal_year=2025",
    "fiscal_year=2025&from_fiscal_year=2024&to_fiscal_year=2025",
    "fiscal_year=1999",
    "fiscal_year=abc",
    "format=pdf",
])
def test_bad_queries_are_422(client, admin_token, query):
    response = client.get(f"/api/v1/stats/prefectures?{query}", headers=bearer(admin_token))
    assert response.status_code == 422 and response.mimetype == "application/problem+json"


def test_default_is_the_current_fiscal_year(client, admin_token, enrol):
    from lms.dates import fiscal_year, today_jst

    body = get(client, admin_token, "/api/v1/stats/prefectures")
    assert body["fiscal_year"] == fiscal_year(today_jst())
    assert datetime.fromisoformat(body["as_of"]).tzinfo is not None
    assert datetime.fromisoformat(body["as_of"]) <= datetime.now(UTC)
