"""One prefecture in detail: breakdowns and OJT sites, exact for admins."""

from tests.api.stats.conftest import FY
from tests.conftest import bearer


def detail(client, token, code="13"):
    response = client.get(f"/api/v1/stats/prefectures/{code}?fiscal_year={FY}", headers=bearer(token))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def by_code(rows):
    return {row["code"]: row for row in rows}


def test_breakdowns_by_programme_specialty_and_organisation(client, admin_token, enrol):
    enrol("13", "active", specialty="surgery", organization="JHA")
    enrol("13", "completed", specialty="surgery", organization=None, program="OJT-2026")
    enrol("13", "rejected", specialty="pediatrics")
    enrol("14", "active", specialty="surgery")
    body = detail(client, admin_token)
    assert body["exact"] is True and body["prefecture"]["participants"] == 2
    programs = by_code(body["breakdowns"]["programs"])
    assert (programs["GF-2026"]["active"], programs["GF-2026"]["rejected"]) == (1, 1)
    assert programs["OJT-2026"]["completed"] == 1 and programs["OJT-2026"]["name_ja"]
    specialties = by_code(body["breakdowns"]["specialties"])
    assert len(specialties) == 20
    assert (specialties["surgery"]["participants"], specialties["pediatrics"]["rejected"]) == (2, 1)
    organizations = by_code(body["breakdowns"]["organizations"])
    assert (organizations["JHA"]["active"], organizations["none"]["completed"]) == (1, 1)
    assert organizations["none"]["name_ja"] == "所属団体なし"
    for rows in (programs, specialties, organizations):
        assert sum(row["participants"] for row in rows.values()) == body["prefecture"]["participants"]


def test_sites_and_secondary_medical_areas(client, admin_token, enrol, site, place, log_hours):
    a = site("13", "区西部", shortage_area=False, name="A病院")
    b = site("13", "島しょ", shortage_area=True, name="B診療所")
    site("13", "島しょ", shortage_area=True, name="C診療所")
    log_hours(place(enrol("13"), a), "6")
    place(enrol("13"), a)
    log_hours(place(enrol("14"), b), "2.5")
    body = detail(client, admin_token)
    sites = {row["name"]: row for row in body["ojt_sites"]}
    assert (sites["A病院"]["placements"], sites["A病院"]["ojt_hours_approved"]) == (2, 6)
    assert (sites["B診療所"]["placements"], sites["B診療所"]["hosting"]) == (1, True)
    assert (sites["C診療所"]["placements"], sites["C診療所"]["hosting"]) == (0, False)
    areas = {row["name"]: row for row in body["breakdowns"]["secondary_medical_areas"]}
    assert areas["島しょ"] == {"name": "島しょ", "shortage_area": True, "ojt_sites": 2, "ojt_sites_hosting": 1,
                              "placements": 1, "ojt_hours_approved": 2.5, "suppressed": []}
    assert body["prefecture"]["placements"] == 3 and body["prefecture"]["ojt_hours_approved"] == 8.5
