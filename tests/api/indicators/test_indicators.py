"""Indicators: who may manage them, validation, live values from the statistics' counting, exports, audit."""

import csv
import io

import pytest
from openpyxl import load_workbook

from lms.dates import fiscal_year, today_jst
from tests.conftest import bearer

FY = fiscal_year(today_jst())
URL = "/api/v1/prefectures/34/indicators"


def body(**overrides) -> dict:
    return {"category_ja": "○", "name_ja": "リカレント教育の受講者数", "measure": "participants",
            "rationale_ja": "毎年8人ずつ増やします。", "baseline_fiscal_year": FY - 1, "target_fiscal_year": FY + 2,
            "target_value": 46, "source_ja": "リカレント教育LMS", "public": True, **overrides}


def test_official_creates_an_indicator_with_values_counted_like_the_statistics(client, official, many, admin_token):
    many("34", 4, fiscal_year=FY - 1)
    many("34", 2, "completed", fiscal_year=FY - 1)
    many("34", 7, fiscal_year=FY)
    many("34", 1, "rejected", fiscal_year=FY)
    many("13", 5, fiscal_year=FY)
    token = official("34")
    response = client.post(URL, json=body(), headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    indicator = response.get_json()
    stats = client.get(f"/api/v1/stats/prefectures?fiscal_year={FY}", headers=bearer(admin_token)).get_json()
    hiroshima = next(r for r in stats["rows"] if r["prefecture_code"] == "34")
    assert indicator["current_value"] == hiroshima["participants"] == 7
    assert indicator["current_fiscal_year"] == FY
    assert indicator["baseline_value"] == 6
    assert indicator["progress"] == pytest.approx(1 / 40)
    # the straight line from 6 (FY-1) to 46 (FY+2) is at 6 + 40/3 in FY: 7 is behind it
    assert indicator["on_track"] is False
    assert indicator["prefecture_code"] == "34"


def test_an_indicator_at_or_above_the_line_is_on_track(client, official, many):
    many("34", 2, fiscal_year=FY - 1)
    many("34", 20, fiscal_year=FY)
    indicator = client.post(URL, json=body(target_value=20, target_fiscal_year=FY + 1),
                            headers=bearer(official("34"))).get_json()
    assert indicator["on_track"] is True and indicator["progress"] == 1.0


def test_each_measure_counts_its_own_definition(client, official, enrol, site, place, log_hours):
    shortage, city = site("34", "備北", shortage_area=True), site("34", "広島")
    placements = [place(enrol("34", fiscal_year=FY), shortage, fiscal_year=FY) for _ in range(2)]
    place(enrol("34", fiscal_year=FY), city, fiscal_year=FY)
    log_hours(placements[0], "7.5")
    enrol("34", "completed", fiscal_year=FY)
    token = official("34")
    values = {}
    for measure in ("participants", "completed", "placements", "ojt_sites_hosting", "ojt_hours_approved",
                    "shortage_area_placements"):
        answer = client.post(URL, json=body(measure=measure), headers=bearer(token)).get_json()
        values[measure] = answer["current_value"]
    assert values == {"participants": 4, "completed": 1, "placements": 3, "ojt_sites_hosting": 2,
                      "ojt_hours_approved": 7.5, "shortage_area_placements": 2}


def test_another_prefectures_official_gets_404_and_other_roles_403(client, official, make_user, admin_token):
    created = client.post(URL, json=body(), headers=bearer(admin_token)).get_json()
    tokyo = official("13")
    assert client.get(URL, headers=bearer(tokyo)).status_code == 404
    assert client.post(URL, json=body(), headers=bearer(tokyo)).status_code == 404
    assert client.patch(f"{URL}/{created['id']}", json={"target_value": 1}, headers=bearer(tokyo)).status_code == 404
    assert client.delete(f"{URL}/{created['id']}", headers=bearer(tokyo)).status_code == 404
    staff = make_user("org_staff", organization_code="JPCA")[1]
    assert client.get(URL, headers=bearer(staff)).status_code == 403
    # the role is judged before the body: a wrong-role caller learns nothing of the validation rules
    assert client.post(URL, json={"measure": "x"}, headers=bearer(staff)).status_code == 403
    assert client.get(URL).status_code == 401
    assert client.get(URL.replace("34", "340006"), headers=bearer(official("34"))).status_code == 200


@pytest.mark.parametrize("change", [
    {"measure": "doctors"}, {"name_ja": ""}, {"name_ja": "x" * 201}, {"category_ja": "x" * 51},
    {"rationale_ja": "x" * 1001}, {"target_value": -1}, {"target_value": 2.5}, {"target_value": "46"},
    {"baseline_fiscal_year": 2018}, {"target_fiscal_year": 2101}, {"public": "maybe"}, {"colour": "red"},
    {"baseline_fiscal_year": FY + 1, "target_fiscal_year": FY},
])
def test_invalid_fields_are_422(client, admin_token, change):
    response = client.post(URL, json=body(**change), headers=bearer(admin_token))
    assert response.status_code == 422, response.get_json()
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_patch_keeps_the_baseline_before_the_target_and_changes_what_it_names(client, admin_token):
    created = client.post(URL, json=body(), headers=bearer(admin_token)).get_json()
    url = f"{URL}/{created['id']}"
    assert client.patch(url, json={"baseline_fiscal_year": FY + 5}, headers=bearer(admin_token)).status_code == 422
    assert client.patch(url, json={}, headers=bearer(admin_token)).status_code == 422
    changed = client.patch(url, json={"target_value": 60, "public": False}, headers=bearer(admin_token))
    assert changed.status_code == 200
    assert changed.get_json()["target_value"] == 60 and changed.get_json()["public"] is False
    assert client.get(url, headers=bearer(admin_token)).get_json()["target_value"] == 60
    assert client.delete(url, headers=bearer(admin_token)).status_code == 204
    assert client.get(url, headers=bearer(admin_token)).status_code == 404


def test_changes_are_audited(client, admin_token, official):
    token = official("34")
    created = client.post(URL, json=body(), headers=bearer(token)).get_json()
    client.patch(f"{URL}/{created['id']}", json={"target_value": 50}, headers=bearer(token))
    client.delete(f"{URL}/{created['id']}", headers=bearer(token))
    events = client.get(f"/api/v1/audit-events?object_id={created['id']}", headers=bearer(admin_token)).get_json()
    assert sorted(e["action"] for e in events) == ["indicator.create", "indicator.delete", "indicator.update"]


def test_list_is_paged_with_headers(client, admin_token):
    for n in range(3):
        client.post(URL, json=body(name_ja=f"指標{n}"), headers=bearer(admin_token))
    client.post("/api/v1/prefectures/13/indicators", json=body(), headers=bearer(admin_token))
    response = client.get(f"{URL}?per_page=2", headers=bearer(admin_token))
    assert response.status_code == 200
    assert response.headers["X-Total-Count"] == "3"
    assert 'rel="next"' in response.headers["Link"]
    assert [i["name_ja"] for i in response.get_json()] == ["指標0", "指標1"]


def test_idempotency_key_replays_the_creation(client, admin_token):
    headers = {**bearer(admin_token), "Idempotency-Key": "indicator-1"}
    first = client.post(URL, json=body(), headers=headers)
    second = client.post(URL, json=body(), headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert client.get(URL, headers=bearer(admin_token)).headers["X-Total-Count"] == "1"
    assert client.post(URL, json=body(target_value=1), headers=headers).status_code == 422


def test_csv_and_xlsx_use_the_plan_columns_and_era_labels(client, admin_token, many):
    many("34", 22, fiscal_year=FY)
    client.post(URL, json=body(name_ja="=HYPERLINK(\"x\")", target_fiscal_year=FY + 1), headers=bearer(admin_token))
    response = client.get(f"{URL}?format=csv", headers=bearer(admin_token))
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["区分", "指標等", "目標の考え方", "現状値", "目標値", "指標の出典"]
    r = FY - 2018
    assert rows[1] == ["○", "'=HYPERLINK(\"x\")", "毎年8人ずつ増やします。", f"[R{r}] 22人", f"[R{r + 1}] 46人",
                       "リカレント教育LMS"]
    xlsx = client.get(f"{URL}?format=xlsx", headers=bearer(admin_token))
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[1]] == rows[0]
    assert sheet["D2"].value == f"[R{r}] 22人" and sheet["B2"].data_type == "s"
