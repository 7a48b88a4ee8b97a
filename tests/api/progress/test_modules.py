"""Module progress by PUT: idempotent, best score and first completion kept, 404/409/422 paths."""

from datetime import datetime, timedelta

import pytest

from lms.dates import utcnow
from tests.conftest import bearer

T0 = utcnow().replace(microsecond=0) - timedelta(days=30)


def at(value: str) -> datetime:
    return datetime.fromisoformat(value)


def put(client, token, enrollment_id, module, **body):
    body.setdefault("occurred_at", T0.isoformat())
    return client.put(f"/api/v1/enrollments/{enrollment_id}/modules/{module}", json=body, headers=bearer(token))


def test_repeating_a_put_changes_nothing(client, learner_enrollment):
    _, enrollment_id, token = learner_enrollment()
    first = put(client, token, enrollment_id, "GF01", status="completed", minutes_spent=30)
    second = put(client, token, enrollment_id, "GF01", status="completed", minutes_spent=30)
    assert first.status_code == second.status_code == 200
    assert first.get_json() == second.get_json()
    body = second.get_json()
    assert body["status"] == "completed" and body["done"] is True and body["minutes_spent"] == 30
    assert at(body["first_completed_at"]) == T0


def test_best_score_and_first_completion_are_kept(client, learner_enrollment):
    _, enrollment_id, token = learner_enrollment()
    later = (T0 + timedelta(days=3)).isoformat()
    put(client, token, enrollment_id, "GF07", status="failed", score=55)
    put(client, token, enrollment_id, "GF07", status="passed", score=85, occurred_at=(T0 + timedelta(days=1)).isoformat())
    body = put(client, token, enrollment_id, "GF07", status="passed", score=72, occurred_at=later).get_json()
    assert body["status"] == "passed" and body["best_score"] == 85
    assert at(body["first_completed_at"]) == T0 + timedelta(days=1)
    assert body["done"] is True and at(body["done_at"]) == T0 + timedelta(days=1)
    # a later "in progress" (reviewing the module) does not undo the pass
    body = put(client, token, enrollment_id, "GF07", status="in_progress", occurred_at=later).get_json()
    assert body["status"] == "passed" and body["best_score"] == 85


def test_an_earlier_completion_reported_late_becomes_the_first(client, learner_enrollment):
    _, enrollment_id, token = learner_enrollment()
    put(client, token, enrollment_id, "GF01", status="completed", occurred_at=(T0 + timedelta(days=5)).isoformat())
    body = put(client, token, enrollment_id, "GF01", status="completed").get_json()
    assert at(body["first_completed_at"]) == T0


def test_score_below_the_minimum_is_not_done(client, learner_enrollment):
    _, enrollment_id, token = learner_enrollment()
    body = put(client, token, enrollment_id, "GF07", status="completed", score=69.5).get_json()
    assert body["status"] == "completed" and body["done"] is False and body["min_score"] == 70
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    assert "必修モジュール『確認テスト1：高齢者診療と在宅医療』が合格基準（70点）に達していません（最高得点 69.5点）" in progress["missing"]


def test_admin_may_record_progress(client, learner_enrollment, admin_token):
    _, enrollment_id, _ = learner_enrollment()
    assert put(client, admin_token, enrollment_id, "GF01", status="completed").status_code == 200


def test_unknown_module_is_422(client, learner_enrollment):
    _, enrollment_id, token = learner_enrollment()
    response = put(client, token, enrollment_id, "OJ01", status="completed")
    assert response.status_code == 422
    assert "module_code" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("status", ["applied", "suspended", "withdrawn", "completed"])
def test_progress_on_a_non_active_enrollment_is_409(client, learner_enrollment, status):
    _, enrollment_id, token = learner_enrollment(status=status)
    assert put(client, token, enrollment_id, "GF01", status="completed").status_code == 409


def test_someone_elses_enrollment_is_404(client, learner_enrollment):
    _, enrollment_id, _ = learner_enrollment()
    _, _, other_token = learner_enrollment()
    assert put(client, other_token, enrollment_id, "GF01", status="completed").status_code == 404


@pytest.mark.parametrize("role", ["org_staff", "supervisor", "prefecture_official"])
def test_staff_other_than_admin_cannot_record_progress(client, learner_enrollment, make_user, make_site, role):
    _, enrollment_id, _ = learner_enrollment()
    scope = {"org_staff": {"organization_code": "JPCA"}, "supervisor": {"site_ids": [make_site()]},
             "prefecture_official": {"prefecture_code": "13"}}[role]
    token = make_user(role, **scope)[1]
    assert put(client, token, enrollment_id, "GF01", status="completed").status_code == 403


@pytest.mark.parametrize("body,field", [
    ({"status": "done"}, "status"),
    ({"status": "passed", "score": 101}, "score"),
    ({"status": "passed", "score": -1}, "score"),
    ({"status": "passed", "minutes_spent": -5}, "minutes_spent"),
    ({"status": "passed", "occurred_at": "2026-06-01T10:00:00"}, "occurred_at"),  # no offset
    ({"status": "passed", "occurred_at": (utcnow() + timedelta(hours=1)).isoformat()}, "occurred_at"),
])
def test_invalid_bodies_are_422(client, learner_enrollment, body, field):
    _, enrollment_id, token = learner_enrollment()
    response = put(client, token, enrollment_id, "GF07", **body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]["json"]
