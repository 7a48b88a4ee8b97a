"""What an official and organisation staff may see: own prefecture exact, small cells of others never shown."""

import random

import pytest

from lms.stats.publish import SUPPRESSIBLE
from tests.api.stats.conftest import FY, rows_by_code
from tests.conftest import bearer

URL = f"/api/v1/stats/prefectures?fiscal_year={FY}"
K = 3


def get(client, token, url=URL):
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def assert_no_small_cells(row: dict) -> None:
    for column in SUPPRESSIBLE:
        value = row[column]
        if value is None:
            assert column in row["suppressed"]
        else:
            assert column not in row["suppressed"]
            if column != "ojt_hours_approved":
                assert not 1 <= value < K, (column, row)


def assert_margins_hide_none_or_two(body: dict, known: set[str]) -> None:
    rows = rows_by_code(body)
    for column in SUPPRESSIBLE:
        for block in body["blocks"]:
            if block[column] is not None:
                hidden = [c for c in block["prefecture_codes"] if rows[c][column] is None and c not in known]
                assert len(hidden) != 1, (column, block["block_ja"])
        if body["national"][column] is not None:
            hidden = [b for b in body["blocks"] if b[column] is None]
            assert len(hidden) != 1, column


def test_official_sees_own_prefecture_exact_and_others_suppressed(client, admin_token, official, many):
    many("13", 1, "suspended")
    many("13", 6)
    many("14", 1, "suspended")
    many("14", 7)
    many("11", 2, "rejected")
    many("11", 9)
    many("12", 8)
    many("12", 4, "rejected")
    exact = rows_by_code(get(client, admin_token))
    body = get(client, official("13"))
    rows = rows_by_code(body)
    assert body["exact_prefecture_codes"] == ["13"]
    assert {k: v for k, v in rows["13"].items()} == exact["13"]
    assert rows["13"]["suspended"] == 1 and rows["13"]["suppressed"] == []
    assert rows["14"]["suspended"] is None and "suspended" in rows["14"]["suppressed"]
    assert rows["11"]["rejected"] is None
    for row in [*body["rows"], *body["blocks"], body["national"]]:
        if row.get("prefecture_code") != "13":
            assert_no_small_cells(row)
    assert_margins_hide_none_or_two(body, known={"13"})
    # published cells are the true values
    for code, row in rows.items():
        for column in SUPPRESSIBLE:
            assert row[column] in (None, exact[code][column])


def test_participants_cannot_be_used_to_recover_a_hidden_status(client, official, many):
    # participants = active + suspended + completed when nobody withdrew after becoming active
    many("14", 5)
    many("14", 1, "suspended")
    many("14", 4, "completed")
    many("11", 6)
    many("11", 5, "suspended")
    many("11", 7, "completed")
    row = rows_by_code(get(client, official("13")))["14"]
    assert row["suspended"] is None
    linked = ("active", "suspended", "completed", "participants")
    assert sum(row[c] is None for c in linked) >= 2


def test_placements_at_one_site_each_cannot_be_read_off(client, official, enrol, site, place):
    # Hosting sites are public, so 3 placements at 3 hosting sites would say each site has exactly one.
    for _ in range(3):
        place(enrol("14"), site("14"))
    for _ in range(4):
        place(enrol("11"), site("11"))
    s = site("12")
    for _ in range(9):
        place(enrol("12"), s)
    rows = rows_by_code(get(client, official("13")))
    assert rows["14"]["ojt_sites_hosting"] == 3 and rows["14"]["placements"] is None
    assert rows["14"]["ojt_hours_approved"] is None
    assert rows["11"]["placements"] is None  # its partner under the block total


def test_hidden_placements_hide_the_hours_too(client, official, enrol, site, place, log_hours):
    p = place(enrol("14"), site("14"))
    log_hours(p, "7.5")
    row = rows_by_code(get(client, official("13")))["14"]
    assert row["placements"] is None and row["ojt_hours_approved"] is None
    assert {"placements", "ojt_hours_approved"} <= set(row["suppressed"])


def test_randomised_tables_never_show_small_cells_to_an_official(client, official, enrol, site, place):
    rng = random.Random(7)
    statuses = ["applied", "active", "suspended", "completed", "withdrawn", "rejected"]
    sites = {code: [site(code) for _ in range(2)] for code in ("01", "02", "03", "13", "14", "27", "40")}
    for _ in range(120):
        code = rng.choice(list(sites))
        status = rng.choice(statuses)
        enrollment = enrol(code, status, ever_active=status != "rejected" and rng.random() < 0.7
                           if status == "withdrawn" else None)
        if status == "active" and rng.random() < 0.5:
            place(enrollment, rng.choice(sites[rng.choice(list(sites))]))
    body = get(client, official("13"))
    for row in [*body["rows"], *body["blocks"], body["national"]]:
        if row.get("prefecture_code") != "13":
            assert_no_small_cells(row)
    assert_margins_hide_none_or_two(body, known={"13"})


def test_suppression_is_the_same_in_csv(client, official, many):
    many("14", 1, "suspended")
    many("14", 5)
    many("11", 2, "suspended")
    token = official("13")
    body = get(client, token)
    csv_text = client.get(URL + "&format=csv", headers=bearer(token)).data.decode("utf-8-sig")
    lines = {line.split(",")[2]: line.split(",") for line in csv_text.splitlines()[1:]}
    header = csv_text.splitlines()[0].split(",")
    suspended = header.index("休止中")
    for code, row in rows_by_code(body).items():
        assert lines[code][suspended] == ("" if row["suspended"] is None else str(row["suspended"]))


def test_detail_of_another_prefecture_is_suppressed(client, official, many, enrol, site, place):
    many("14", 1, "suspended", specialty="surgery")
    many("14", 6, specialty="pediatrics")
    many("14", 1, "active", organization="JHA")
    many("11", 4, "suspended")
    s = site("14", "横浜", name="横浜テスト病院")
    site("14", "川崎")
    place(enrol("14"), s)
    body = get(client, official("13"), f"/api/v1/stats/prefectures/14?fiscal_year={FY}")
    assert body["exact"] is False
    for rows in body["breakdowns"].values():
        for row in rows:
            for column in SUPPRESSIBLE:
                value = row.get(column)
                assert value is None or not 1 <= value < K or column == "ojt_hours_approved", (column, row)
    sites = {row["name"]: row for row in body["ojt_sites"]}
    assert sites["横浜テスト病院"]["hosting"] is True and sites["横浜テスト病院"]["placements"] is None
    assert all(row["placements"] in (None, 0) for row in body["ojt_sites"])


def test_detail_of_own_prefecture_is_exact(client, official, many, enrol, site, place):
    many("13", 1, "suspended", specialty="surgery")
    place(enrol("13"), site("13", name="都立テスト病院"))
    body = get(client, official("13"), f"/api/v1/stats/prefectures/13?fiscal_year={FY}")
    assert body["exact"] is True and body["prefecture"]["suppressed"] == []
    surgery = next(r for r in body["breakdowns"]["specialties"] if r["code"] == "surgery")
    assert surgery["suspended"] == 1 and surgery["participants"] == 1
    assert body["ojt_sites"][0]["placements"] == 1


def test_org_staff_count_their_organisation_only_and_see_no_small_cells(client, make_user, many):
    many("13", 4, organization="JPCA")
    many("13", 9, organization="JHA")
    many("14", 5, organization="JPCA")
    many("27", 1, "suspended", organization="JPCA")
    many("28", 3, "suspended", organization="JPCA")
    token = make_user("org_staff", organization_code="JPCA")[1]
    body = get(client, token)
    assert body["organization_code"] == "JPCA" and body["exact_prefecture_codes"] == []
    rows = rows_by_code(body)
    assert (rows["13"]["active"], rows["14"]["active"]) == (4, 5)
    assert rows["27"]["suspended"] is None and rows["28"]["suspended"] is None
    for row in [*body["rows"], *body["blocks"], body["national"]]:
        assert_no_small_cells(row)
    assert_margins_hide_none_or_two(body, known=set())


@pytest.mark.parametrize("role", ["learner", "supervisor"])
@pytest.mark.parametrize("path", ["/stats/prefectures", "/stats/blocks", "/stats/prefectures/13"])
def test_learners_and_supervisors_get_403(client, make_user, site, role, path):
    token = make_user(role, **({"site_ids": [site("13")]} if role == "supervisor" else {}))[1]
    assert client.get("/api/v1" + path, headers=bearer(token)).status_code == 403


@pytest.mark.parametrize("path", ["/stats/prefectures", "/stats/blocks", "/stats/prefectures/13"])
def test_anonymous_gets_401(client, path):
    response = client.get("/api/v1" + path)
    assert response.status_code == 401 and "Bearer" in response.headers["WWW-Authenticate"]


def test_officials_cannot_reach_learner_endpoints(client, official, enrol, app):
    from lms.enrollments.models import Enrollment
    from lms.extensions import db

    enrollment_id = enrol("13")
    with app.app_context():
        learner_id = db.session.get(Enrollment, enrollment_id).learner_id
    token = official("13")
    for path in ("/learners", f"/learners/{learner_id}", "/enrollments", f"/enrollments/{enrollment_id}"):
        assert client.get("/api/v1" + path, headers=bearer(token)).status_code == 403, path


@pytest.mark.parametrize("code,status", [("130001", 200), ("130002", 422), ("48", 404), ("1", 422)])
def test_detail_accepts_two_or_six_digit_codes(client, admin_token, code, status):
    response = client.get(f"/api/v1/stats/prefectures/{code}?fiscal_year={FY}", headers=bearer(admin_token))
    assert response.status_code == status
    if status == 200:
        assert response.get_json()["prefecture"]["prefecture_code"] == "13"
