"""Invariants of writing endpoints under concurrency, on SQLite and PostgreSQL alike."""

from sqlalchemy import select

from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.ojt.models import Placement
from tests.api.concurrency.conftest import RACERS, count
from tests.conftest import bearer
from tests.race import Sent, statuses


def test_parallel_applications_without_a_key_give_one_open_enrolment(app, live_server, programs, make_learner):
    _, token = make_learner()
    answers = live_server.race([Sent("POST", "/api/v1/enrollments", json={"program_code": "GF-2026"},
                                     headers=bearer(token)) for _ in range(RACERS)])
    assert statuses(answers) == [201] + [409] * (RACERS - 1)
    assert count(app, Enrollment) == 1


def test_publishing_a_round_twice_at_once_makes_its_placements_once(app, client, live_server, admin_token,
                                                                    make_site, make_learner, make_enrollment):
    admin = bearer(admin_token)
    round_id = client.post("/api/v1/matching-rounds", headers=admin, json={
        "name": "2026年度", "fiscal_year": 2026, "mechanism": "deferred_acceptance", "regions": []}).get_json()["id"]
    sites = [make_site(annual_capacity=2) for _ in range(2)]
    for i in range(4):
        learner_id, token = make_learner()
        enrollment_id = make_enrollment(learner_id)
        assert client.put(f"/api/v1/matching-rounds/{round_id}/preferences", headers=bearer(token), json={
            "enrollment_id": enrollment_id, "site_ids": sites[i % 2:] + sites[:i % 2]}).status_code == 200
    run = client.post(f"/api/v1/matching-rounds/{round_id}/run", headers=admin)
    assert run.status_code == 200 and run.get_json()["matched"] == 4
    answers = live_server.race([Sent("POST", f"/api/v1/matching-rounds/{round_id}/publish", headers=admin)
                                for _ in range(6)])
    assert all(a.status in (200, 409) for a in answers), statuses(answers)
    created = [a.json()["placements_created"] for a in answers if a.status == 200]
    assert sum(created) == 4, created
    with app.app_context():
        placements = list(db.session.scalars(select(Placement).where(Placement.matching_round_id == round_id)))
    assert len(placements) == 4 and len({p.enrollment_id for p in placements}) == 4
