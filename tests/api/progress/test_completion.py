"""Completion: the enrolment completes once, when the last rule is met, at the time of that event."""

import threading
import uuid
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.dates import today_jst, utcnow
from lms.enrollments.models import Enrollment
from lms.events import enrollment_completed
from lms.extensions import db
from lms.progress import service
from lms.progress.models import OjtLog
from tests.api.progress.conftest import NOW, T_MODULES
from tests.conftest import LMS_HOME, bearer


@pytest.fixture
def completions():
    """The enrolment ids announced by `enrollment_completed` (the certificate's receiver runs too)."""
    calls: list[str] = []

    def listen(enrollment_id):
        calls.append(enrollment_id)

    enrollment_completed.connect(listen)
    yield calls
    enrollment_completed.disconnect(listen)


def enrollment_row(app, enrollment_id) -> Enrollment:
    with app.app_context():
        return db.session.get(Enrollment, enrollment_id)


def completion_audits(app, enrollment_id) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.object_id == enrollment_id, AuditEvent.action.in_(["progress.completed",
                                                                          "enrollment.transition"]))))


def test_the_last_module_completes_at_its_occurred_at(app, client, nearly_done, completions):
    _, enrollment_id, token, _, _ = nearly_done()
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    assert progress["missing"] == ["必修モジュール『在宅医療の基本』が未修了です"]
    assert progress["completion_ready"] is False and progress["percent"] == 96  # (12/13 + 80/80) / 2
    last = NOW - timedelta(days=10)
    client.put(f"/api/v1/enrollments/{enrollment_id}/modules/GF05", headers=bearer(token),
               json={"status": "completed", "occurred_at": last.isoformat()})
    enrollment = enrollment_row(app, enrollment_id)
    assert enrollment.status == "completed" and enrollment.completed_at == last
    assert completions == [enrollment_id]
    assert sorted(e.action for e in completion_audits(app, enrollment_id)) == ["enrollment.transition",
                                                                               "progress.completed"]
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    assert progress["status"] == "completed" and progress["completion_ready"] and progress["missing"] == []
    assert progress["percent"] == 100
    # further progress is refused; the completion stands
    response = client.put(f"/api/v1/enrollments/{enrollment_id}/modules/GF13", headers=bearer(token),
                          json={"status": "completed", "occurred_at": last.isoformat()})
    assert response.status_code == 409 and completions == [enrollment_id]


def test_the_approval_of_the_last_hours_completes_at_review_time(app, client, nearly_done, completions,
                                                                  supervisor):
    _, enrollment_id, token, placement_id, site_id = nearly_done(leave_out=(), hours=76)
    assert enrollment_row(app, enrollment_id).status == "active"
    entry = client.post(f"/api/v1/placements/{placement_id}/ojt-logs", headers=bearer(token),
                        json={"date": today_jst().isoformat(), "hours": 4, "activity": "home_visits"}).get_json()
    before = utcnow()
    reviewed = client.post(f"/api/v1/ojt-logs/{entry['id']}/review", headers=bearer(supervisor(site_id)),
                           json={"decision": "approved"}).get_json()
    enrollment = enrollment_row(app, enrollment_id)
    assert enrollment.status == "completed" and completions == [enrollment_id]
    assert before <= enrollment.completed_at == datetime.fromisoformat(reviewed["reviewed_at"])


def test_an_xapi_statement_can_be_the_last_event(app, client, nearly_done, completions):
    learner_id, enrollment_id, token, _, _ = nearly_done()
    statement = {"id": str(uuid.uuid4()), "actor": {"account": {"homePage": LMS_HOME, "name": learner_id}},
                 "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                 "object": {"id": "https://x.jp/activities/GF05"}, "context": {"registration": enrollment_id},
                 "timestamp": (NOW - timedelta(days=5)).isoformat()}
    response = client.post("/api/v1/xapi/statements", json=[statement],
                           headers={**bearer(token), "X-Experience-API-Version": "1.0.3"})
    assert response.status_code == 200
    enrollment = enrollment_row(app, enrollment_id)
    assert enrollment.status == "completed" and enrollment.completed_at == NOW - timedelta(days=5)


def test_the_waiting_period_completes_through_the_daily_sweep(app, client, nearly_done, completions,
                                                               activated_days_ago):
    _, enrollment_id, token, _, _ = nearly_done(leave_out=())
    activated_days_ago(enrollment_id, 100)
    activated_at = enrollment_row(app, enrollment_id).activated_at
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    assert len(progress["missing"]) == 1 and progress["missing"][0].startswith("受講開始から180日以上の経過が必要です（あと80日")
    with app.app_context():
        assert service.complete_due() == 0
        assert service.complete_due(now=utcnow() + timedelta(days=81)) == 1
        assert service.complete_due(now=utcnow() + timedelta(days=82)) == 0
    enrollment = enrollment_row(app, enrollment_id)
    assert enrollment.status == "completed" and enrollment.completed_at == activated_at + timedelta(days=180)
    assert completions == [enrollment_id]


def test_a_failing_reaction_does_not_undo_the_completion(app, client, nearly_done):
    def broken(enrollment_id):
        db.session.add(OjtLog(placement_id="no-such-placement", date=today_jst(), hours=Decimal(1),
                              activity="ward"))
        raise RuntimeError("certificate service down")

    enrollment_completed.connect(broken)
    try:
        _, enrollment_id, token, _, _ = nearly_done()
        response = client.put(f"/api/v1/enrollments/{enrollment_id}/modules/GF05", headers=bearer(token),
                              json={"status": "completed", "occurred_at": T_MODULES.isoformat()})
    finally:
        enrollment_completed.disconnect(broken)
    assert response.status_code == 200 and enrollment_row(app, enrollment_id).status == "completed"
    with app.app_context():  # what the failing receiver added was undone with its savepoint
        assert db.session.scalar(select(OjtLog.id).where(OjtLog.placement_id == "no-such-placement")) is None


@pytest.mark.parametrize("same_module", [False, True])
def test_concurrent_last_events_complete_once(app, nearly_done, completions, same_module):
    _, enrollment_id, token, _, _ = nearly_done(leave_out=("GF05", "GF06"))
    codes = ["GF05", "GF05"] if same_module else ["GF05", "GF06"]
    # with same_module, one GF06 event first, so either GF05 event can be the last one
    if same_module:
        codes = ["GF05"] * 4
        app.test_client().put(f"/api/v1/enrollments/{enrollment_id}/modules/GF06", headers=bearer(token),
                              json={"status": "completed", "occurred_at": T_MODULES.isoformat()})
    barrier = threading.Barrier(len(codes))
    statuses: list[int] = []

    def send(code: str) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.put(f"/api/v1/enrollments/{enrollment_id}/modules/{code}", headers=bearer(token),
                              json={"status": "completed", "occurred_at": T_MODULES.isoformat()})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(code,)) for code in codes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 409}
    assert enrollment_row(app, enrollment_id).status == "completed"
    assert completions == [enrollment_id]
    actions = [e.action for e in completion_audits(app, enrollment_id)]
    assert actions.count("progress.completed") == 1 and actions.count("enrollment.transition") == 1


def test_concurrent_review_and_module_complete_once(app, nearly_done, completions, supervisor, make_user):
    _, enrollment_id, token, placement_id, site_id = nearly_done(hours=72)
    with app.app_context():
        log = OjtLog(placement_id=placement_id, date=today_jst(), hours=Decimal(8), activity="ward")
        db.session.add(log)
        db.session.commit()
        log_id = log.id
    boss = supervisor(site_id)
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def run(method, url, body, caller):
        client = app.test_client()
        barrier.wait()
        statuses.append(getattr(client, method)(url, json=body, headers=bearer(caller)).status_code)

    threads = [
        threading.Thread(target=run, args=("put", f"/api/v1/enrollments/{enrollment_id}/modules/GF05",
                                           {"status": "completed", "occurred_at": T_MODULES.isoformat()}, token)),
        threading.Thread(target=run, args=("post", f"/api/v1/ojt-logs/{log_id}/review",
                                           {"decision": "approved"}, boss)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    assert enrollment_row(app, enrollment_id).status == "completed"
    assert completions == [enrollment_id]


def test_the_sweep_command(app, client, nearly_done, completions):
    # every rule is met, but the approved hours were written straight to the database: no event completed it
    _, enrollment_id, _, _, _ = nearly_done(leave_out=())
    result = app.test_cli_runner().invoke(args=["lms", "progress", "complete-due"])
    assert result.exit_code == 0 and result.output.strip() == "1 enrolment(s) completed"
    assert enrollment_row(app, enrollment_id).status == "completed" and completions == [enrollment_id]
