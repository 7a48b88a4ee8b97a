"""The OJT site registry: public reads, admin edits (CSV imports: test_import.py)."""


import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import bearer

SITE = {"name": "北見赤十字病院", "kind": "hospital", "prefecture_code": "01", "secondary_medical_area": "北網",
        "shortage_area": True, "annual_capacity": 3, "activities": ["ward", "emergency"], "external_code": "0110001"}

CSV_JA = ("施設コード,施設名,種別,都道府県コード,二次医療圏,医師少数区域,年間受入上限,OJT内容\r\n"
          "0110001,北見赤十字病院,病院,01,北網,○,3,病棟・救急\r\n"
          "1310002,東京ファミリークリニック,診療所,13,区西南部,×,2,外来、訪問診療\r\n"
          "2710003,なにわ老健,介護老人保健施設,27,大阪市,0,1,地域包括ケア\r\n")


def create(client, token, **overrides):
    return client.post("/api/v1/ojt-sites", json={**SITE, **overrides}, headers=bearer(token))


def test_admin_creates_and_the_public_reads(client, admin_token, app):
    response = create(client, admin_token)
    assert response.status_code == 201, response.get_json()
    site = response.get_json()
    assert site["kind_ja"] == "病院" and site["activities_ja"] == ["病棟", "救急"] and site["shortage_area"] is True
    assert client.get(f"/api/v1/ojt-sites/{site['id']}").get_json()["name"] == "北見赤十字病院"
    with app.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "ojt_site.create"))


@pytest.mark.parametrize("role", ["org_staff", "prefecture_official", "supervisor", "learner"])
def test_only_admin_creates_or_changes_sites(client, make_user, make_site, role):
    site_id = make_site()
    scope = {"org_staff": {"organization_code": "JPCA"}, "prefecture_official": {"prefecture_code": "13"},
             "supervisor": {"site_ids": [site_id]}}.get(role, {})
    token = make_user(role, **scope)[1]
    assert create(client, token).status_code == 403
    assert client.patch(f"/api/v1/ojt-sites/{site_id}", json={"annual_capacity": 9},
                        headers=bearer(token)).status_code == 403
    assert client.post("/api/v1/ojt-sites/import", data=CSV_JA.encode(), content_type="text/csv",
                       headers=bearer(token)).status_code == 403
    assert client.post("/api/v1/ojt-sites", json=SITE).status_code == 401


@pytest.mark.parametrize("field,value", [("kind", "pharmacy"), ("prefecture_code", "48"),
                                         ("prefecture_code", "1"), ("annual_capacity", -1),
                                         ("annual_capacity", 10**9), ("activities", ["surgery"]),
                                         ("name", ""), ("name", "病院\u0000")])
def test_invalid_site_fields_are_422(client, admin_token, field, value):
    response = create(client, admin_token, **{field: value})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]


def test_duplicate_external_code_is_409(client, admin_token):
    assert create(client, admin_token).status_code == 201
    assert create(client, admin_token, name="別の病院").status_code == 409


def test_patch_changes_only_given_fields(client, admin_token, make_site):
    site_id = make_site(annual_capacity=2)
    response = client.patch(f"/api/v1/ojt-sites/{site_id}", json={"annual_capacity": 4, "shortage_area": True},
                            headers=bearer(admin_token))
    assert response.status_code == 200
    body = response.get_json()
    assert (body["annual_capacity"], body["shortage_area"], body["kind"]) == (4, True, "hospital")
    assert client.patch("/api/v1/ojt-sites/00000000-0000-4000-8000-000000000000", json={"annual_capacity": 1},
                        headers=bearer(admin_token)).status_code == 404


def test_list_filters_and_pages(client, make_site):
    make_site("01", shortage_area=True, activities=["home_visits", "community_care"], kind="clinic")
    make_site("01", activities=["ward"])
    make_site("13", activities=["outpatient", "ward"])
    assert len(client.get("/api/v1/ojt-sites").get_json()) == 3
    assert len(client.get("/api/v1/ojt-sites?prefecture_code=01").get_json()) == 2
    assert len(client.get("/api/v1/ojt-sites?activity=ward").get_json()) == 2
    assert len(client.get("/api/v1/ojt-sites?activity=home_visits&shortage_area=true").get_json()) == 1
    assert len(client.get("/api/v1/ojt-sites?kind=clinic").get_json()) == 1
    page = client.get("/api/v1/ojt-sites?per_page=2&page=2")
    assert page.headers["X-Total-Count"] == "3" and len(page.get_json()) == 1
    assert client.get("/api/v1/ojt-sites?activity=surgery").status_code == 422


def test_supervisors_of_a_site_for_admin(client, admin_token, make_site, supervisor_token, make_user):
    site_id = make_site()
    supervisor_token(site_id)
    body = client.get(f"/api/v1/ojt-sites/{site_id}/supervisors", headers=bearer(admin_token)).get_json()
    assert len(body) == 1 and body[0]["email"].startswith("supervisor-")
    other = make_user("org_staff", organization_code="JPCA")[1]
    assert client.get(f"/api/v1/ojt-sites/{site_id}/supervisors", headers=bearer(other)).status_code == 403
