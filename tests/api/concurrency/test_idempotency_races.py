"""Idempotency-Key under concurrency: of 20 simultaneous requests with one key and body exactly one runs; the
others replay its answer, or get 409 with Retry-After while it is still in flight."""

import pytest

from lms.enrollments.models import Enrollment
from lms.idempotency import IdempotencyRecord
from lms.ojt.models import MatchingRound
from lms.progress.models import OjtLog
from lms.reports.models import ReportRun
from tests.api.concurrency.conftest import RACERS, count
from tests.conftest import bearer
from tests.race import Received, Sent


def assert_one_ran(answers: list[Received], created: int) -> None:
    """Exactly one answer did the work; every other one replays it or is a 409 with Retry-After; no 5xx."""
    fresh = [a for a in answers if a.status == created and "idempotent-replayed" not in a.headers]
    replays = [a for a in answers if a.status == created and a.headers.get("idempotent-replayed") == "true"]
    waits = [a for a in answers if a.status == 409]
    assert len(fresh) == 1, sorted(a.status for a in answers)
    assert len(fresh) + len(replays) + len(waits) == len(answers), sorted(a.status for a in answers)
    assert all(int(a.headers["retry-after"]) >= 1 for a in waits), [a.headers for a in waits]
    assert all(a.json() == fresh[0].json() for a in replays)


def race_one_key(live_server, path: str, body, headers: dict, key: str = "race-key") -> list[Received]:
    request = Sent("POST", path, json=body, headers={**headers, "Idempotency-Key": key})
    return live_server.race([request] * RACERS)


def test_racing_ojt_logs_with_one_key_create_one_log(app, live_server, placed):
    from lms.dates import today_jst

    placement_id, token, _ = placed
    body = {"date": today_jst().isoformat(), "hours": 2, "activity": "outpatient"}
    answers = race_one_key(live_server, f"/api/v1/placements/{placement_id}/ojt-logs", body, bearer(token))
    assert_one_ran(answers, 201)
    assert count(app, OjtLog) == 1
    # the key replays afterwards too
    again = live_server.send(Sent("POST", f"/api/v1/placements/{placement_id}/ojt-logs", json=body,
                                  headers={**bearer(token), "Idempotency-Key": "race-key"}))
    assert again.status == 201 and again.headers["idempotent-replayed"] == "true"


def test_racing_report_runs_with_one_key_queue_one_run(app, live_server, make_user):
    from lms.reports import service

    admin = bearer(make_user("consortium_admin")[1])
    with app.app_context():
        schedule_id = service.create_schedule(None, report_type="prefecture_enrollment", cron="0 9 * * *",
                                              name="競合", formats=["csv"]).id
    answers = race_one_key(live_server, f"/api/v1/report-schedules/{schedule_id}/run", None, admin)
    assert_one_ran(answers, 202)
    assert count(app, ReportRun) == 1


def test_racing_matching_rounds_with_one_key_open_one_round(app, live_server, admin_token):
    body = {"name": "2026年度 OJTマッチング", "fiscal_year": 2026, "mechanism": "deferred_acceptance", "regions": []}
    answers = race_one_key(live_server, "/api/v1/matching-rounds", body, bearer(admin_token))
    assert_one_ran(answers, 201)
    assert count(app, MatchingRound) == 1


def test_racing_applications_with_one_key_replay_instead_of_409(app, live_server, programs, make_learner):
    _, token = make_learner()
    answers = race_one_key(live_server, "/api/v1/enrollments", {"program_code": "GF-2026"}, bearer(token))
    assert_one_ran(answers, 201)
    assert count(app, Enrollment) == 1


def test_a_failed_request_releases_its_key_for_a_retry(app, live_server, placed):
    placement_id, token, _ = placed
    path = f"/api/v1/placements/{placement_id}/ojt-logs"
    headers = {**bearer(token), "Idempotency-Key": "retry-me"}
    future = {"date": "2999-01-01", "hours": 2, "activity": "outpatient"}
    assert live_server.send(Sent("POST", path, json=future, headers=headers)).status == 422
    assert count(app, IdempotencyRecord) == 0
    # the same key and body runs again (and fails again), rather than replaying or waiting
    assert live_server.send(Sent("POST", path, json=future, headers=headers)).status == 422


@pytest.mark.parametrize("lapsed", [False, True])
def test_a_claim_in_flight_is_409_until_its_lease_lapses(app, live_server, placed, lapsed):
    """A worker that crashed after claiming a key never stores its response: its claim expires."""
    from datetime import timedelta

    from lms.dates import today_jst, utcnow
    from lms.extensions import db
    from lms.idempotency import _request_hash

    placement_id, token, _ = placed
    path = f"/api/v1/placements/{placement_id}/ojt-logs"
    body = {"date": today_jst().isoformat(), "hours": 2, "activity": "outpatient"}
    sent = Sent("POST", path, json=body, headers={**bearer(token), "Idempotency-Key": "crashed"})
    with app.test_request_context(path, method="POST", data=live_server._prepared(sent)[2]):
        request_hash = _request_hash()
    with app.app_context():
        from lms.auth.models import AccessToken
        from lms.auth.permissions import token_digest

        user_id = db.session.scalar(db.select(AccessToken.user_id).where(AccessToken.token_hash == token_digest(token)))
        now = utcnow()
        db.session.add(IdempotencyRecord(scope=user_id, key="crashed", request_hash=request_hash, created_at=now,
                                         claim="a-crashed-worker",
                                         claimed_until=now + timedelta(seconds=-1 if lapsed else 60)))
        db.session.commit()
    answer = live_server.send(sent)
    if lapsed:
        assert answer.status == 201 and count(app, OjtLog) == 1
    else:
        assert answer.status == 409 and answer.headers["retry-after"] == "1" and count(app, OjtLog) == 0
