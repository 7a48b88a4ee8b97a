"""Placements: capacity per fiscal year, one per enrolment and year, scope by role, concurrency."""


import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.ojt.models import Placement
from tests.conftest import bearer
from tests.race import Sent, statuses


def test_admin_places_an_active_enrollment(place, make_site, make_active_enrollment, client, admin_token):
    site_id = make_site()
    enrollment_id, _ = make_active_enrollment()
    response = place(enrollment_id, site_id, "2026-04-01", "2026-09-30")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["fiscal_year"] == 2026 and body["status"] == "active" and body["site_id"] == site_id
    assert client.get(f"/api/v1/placements/{body['id']}", headers=bearer(admin_token)).status_code == 200


def test_full_site_is_409_and_cancelling_frees_a_seat(place, make_site, make_active_enrollment, client,
                                                      admin_token):
    site_id = make_site(annual_capacity=2)
    enrollments = [make_active_enrollment(login=False)[0] for _ in range(3)]
    first = place(enrollments[0], site_id).get_json()
    assert place(enrollments[1], site_id).status_code == 201
    full = place(enrollments[2], site_id)
    assert full.status_code == 409 and "full" in full.get_json()["detail"]
    # another fiscal year has its own capacity
    assert place(enrollments[2], site_id, "2027-04-01", "2027-05-31").status_code == 201
    cancelled = client.post(f"/api/v1/placements/{first['id']}/cancel", json={"reason": "辞退"},
                            headers=bearer(admin_token))
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert client.post(f"/api/v1/placements/{first['id']}/cancel", json={},
                       headers=bearer(admin_token)).status_code == 409
    assert place(enrollments[2], site_id).status_code == 201


def test_one_active_placement_per_enrollment_and_fiscal_year(place, make_site, make_active_enrollment):
    sites = [make_site(), make_site()]
    enrollment_id, _ = make_active_enrollment()
    assert place(enrollment_id, sites[0], "2026-04-01", "2026-06-30").status_code == 201
    assert place(enrollment_id, sites[1], "2026-10-01", "2027-03-31").status_code == 409
    assert place(enrollment_id, sites[1], "2027-04-01", "2027-06-30").status_code == 201


def test_period_must_lie_in_one_fiscal_year(place, make_site, make_active_enrollment):
    site_id = make_site()
    enrollment_id, _ = make_active_enrollment()
    response = place(enrollment_id, site_id, "2026-10-01", "2027-04-30")
    assert response.status_code == 422 and "end_date" in response.get_json()["errors"]["json"]
    assert place(enrollment_id, site_id, "2026-10-01", "2026-09-30").status_code == 422


@pytest.mark.parametrize("status", ["applied", "suspended", "withdrawn", "completed"])
def test_only_active_enrollments_are_placed(place, make_site, make_active_enrollment, status):
    enrollment_id, _ = make_active_enrollment(status=status)
    assert place(enrollment_id, make_site()).status_code == 409


def test_unknown_site_or_enrollment_is_404(place, make_site, make_active_enrollment):
    enrollment_id, _ = make_active_enrollment()
    nobody = "00000000-0000-4000-8000-000000000000"
    assert place(enrollment_id, nobody).status_code == 404
    assert place(nobody, make_site()).status_code == 404


def test_org_staff_place_their_organisations_enrollments_only(place, make_site, make_active_enrollment,
                                                              make_user, client):
    site_id = make_site()
    ours, _ = make_active_enrollment(organization="JPCA")
    theirs, _ = make_active_enrollment(organization="JHA")
    staff = make_user("org_staff", organization_code="JPCA")[1]
    created = place(ours, site_id, token=staff)
    assert created.status_code == 201
    assert place(theirs, site_id, token=staff).status_code == 404
    other_staff = make_user("org_staff", organization_code="JHA")[1]
    placement_id = created.get_json()["id"]
    assert client.get(f"/api/v1/placements/{placement_id}", headers=bearer(other_staff)).status_code == 404
    assert client.post(f"/api/v1/placements/{placement_id}/cancel", json={},
                       headers=bearer(other_staff)).status_code == 404


def test_who_sees_which_placements(place, make_site, make_active_enrollment, make_user, supervisor_token, client,
                                   admin_token):
    site_a, site_b = make_site(), make_site()
    mine, learner = make_active_enrollment(organization="JPCA")
    other, _ = make_active_enrollment(organization="JHA")
    place(mine, site_a)
    place(other, site_b)

    def visible(token):
        return {p["enrollment_id"] for p in client.get("/api/v1/placements", headers=bearer(token)).get_json()}

    assert visible(admin_token) == {mine, other}
    assert visible(make_user("org_staff", organization_code="JHA")[1]) == {other}
    assert visible(supervisor_token(site_a)) == {mine}
    assert visible(learner) == {mine}
    official = make_user("prefecture_official", prefecture_code="13")[1]
    assert client.get("/api/v1/placements", headers=bearer(official)).status_code == 403
    assert client.post("/api/v1/placements", json={}, headers=bearer(learner)).status_code == 403


def test_supervisor_sees_enrollments_placed_at_their_site(place, make_site, make_active_enrollment,
                                                         supervisor_token, client):
    site_id = make_site()
    placed, _ = make_active_enrollment()
    elsewhere, _ = make_active_enrollment()
    place(placed, site_id)
    token = supervisor_token(site_id)
    assert client.get(f"/api/v1/enrollments/{placed}", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/enrollments/{elsewhere}", headers=bearer(token)).status_code == 404


def test_placements_are_in_the_learners_export(place, make_site, make_active_enrollment, client):
    enrollment_id, token = make_active_enrollment()
    place(enrollment_id, make_site())
    records = client.get("/api/v1/learners/me/export", headers=bearer(token)).get_json()["records"]
    assert [p["enrollment_id"] for p in records["placements"]] == [enrollment_id]


def _race(live_server, admin_token, bodies: list[dict]) -> list[int]:
    return statuses(live_server.race([Sent("POST", "/api/v1/placements", json=body, headers=bearer(admin_token))
                                      for body in bodies]))


def test_thirty_concurrent_requests_fill_a_site_of_two_exactly(app, live_server, make_site,
                                                               make_active_enrollment, admin_token):
    site_id = make_site(annual_capacity=2)
    enrollments = [make_active_enrollment(login=False)[0] for _ in range(30)]
    answers = _race(live_server, admin_token, [{"enrollment_id": e, "site_id": site_id,
                                                 "start_date": "2026-04-01", "end_date": "2026-09-30"}
                                                for e in enrollments])
    assert answers == [201] * 2 + [409] * 28
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Placement).where(
            Placement.site_id == site_id, Placement.status == "active")) == 2


def test_concurrent_placements_of_one_enrollment_give_one(live_server, make_site, make_active_enrollment,
                                                          admin_token):
    sites = [make_site(annual_capacity=3) for _ in range(6)]
    enrollment_id, _ = make_active_enrollment(login=False)
    answers = _race(live_server, admin_token, [{"enrollment_id": enrollment_id, "site_id": s,
                                                 "start_date": "2026-04-01", "end_date": "2026-09-30"}
                                                for s in sites])
    assert answers == [201] + [409] * 5
