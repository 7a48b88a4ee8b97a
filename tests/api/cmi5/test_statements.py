"""A session's statements through the LRS hooks: cmi5's rules (6.3, 9.3), satisfied (9.3.9) and the module's
progress, abandoned sessions (9.3.6), and Review mode after satisfaction (10.0)."""

from datetime import timedelta

import pytest

from lms.cmi5 import rules
from lms.cmi5.models import Cmi5AuState, Cmi5PendingStatement, Cmi5Satisfied, Cmi5Session
from lms.cmi5.service import abandon_stale, deliver_pending
from lms.dates import utcnow
from lms.errors import Forbidden, Invalid
from lms.extensions import db
from tests.api.cmi5.conftest import au_statement, intake
from tests.conftest import bearer

MASTERY = {rules.MASTERY_SCORE: 0.8}


def _session(app, session_id) -> Cmi5Session:
    with app.app_context():
        session = db.session.get(Cmi5Session, session_id)
        db.session.expunge(session)
        return session


def _module(client, token, enrollment_id, code="GF14") -> dict:
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    return next(m for m in progress["modules"] if m["code"] == code)


def whole_session(launched, fake):
    return [au_statement(launched, fake, "initialized"),
            au_statement(launched, fake, "completed", result={"completion": True, "duration": "PT4M"}, moveon=True),
            au_statement(launched, fake, "passed", moveon=True, extensions=MASTERY,
                         result={"success": True, "duration": "PT5M", "score": {"scaled": 0.9}}),
            au_statement(launched, fake, "terminated", result={"duration": "PT6M"})]


def test_a_whole_session_satisfies_the_au_its_block_and_the_course_and_the_module_is_done(
        app, client, launch, fake_lrs, learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    launched = launch(enrollment_id, learner_id, token)
    statements = whole_session(launched, fake_lrs)
    intake(app, launched.principal(), statements[:1])
    assert _session(app, launched.session_id).status == "initialized"
    intake(app, launched.principal(), statements[1:2])
    assert not _module(client, token, enrollment_id)["done"]  # moveOn CompletedAndPassed: not yet
    intake(app, launched.principal(), statements[2:])
    session = _session(app, launched.session_id)
    assert session.status == "terminated" and session.terminated_at is not None
    assert fake_lrs.revoked == [launched.session_id]  # 8.2: the token lasts as long as the session
    module = _module(client, token, enrollment_id)
    assert module["done"] and module["status"] == "passed" and float(module["best_score"]) == 90.0
    # 9.3.9: one satisfied statement for the block and one for the course, with LMS-generated ids
    satisfied = [s for s in fake_lrs.statements if s["verb"]["id"] == rules.SATISFIED]
    types = sorted(s["object"]["definition"]["type"] for s in satisfied)
    assert types == [rules.BLOCK_TYPE, rules.COURSE_TYPE]
    for statement in satisfied:
        assert statement["context"]["extensions"][rules.SESSION_ID] == launched.session_id
        assert statement["context"]["registration"] == enrollment_id
        assert {"objectType": "Activity", "id": rules.CATEGORY} in statement["context"]["contextActivities"]["category"]
        assert "recurrent.example.jp" not in statement["object"]["id"]  # never the publisher's id
    with app.app_context():
        assert db.session.query(Cmi5Satisfied).count() == 2


def test_9_3_9_satisfied_is_not_repeated_in_a_registration(app, launch, fake_lrs, learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    launched = launch(enrollment_id, learner_id, token)
    intake(app, launched.principal(), whole_session(launched, fake_lrs))
    again = launch(enrollment_id, learner_id, token)
    intake(app, again.principal(), [au_statement(again, fake_lrs, "initialized"),
                                    au_statement(again, fake_lrs, "terminated", result={"duration": "PT1M"})])
    assert sum(s["verb"]["id"] == rules.SATISFIED for s in fake_lrs.statements) == 2


def test_10_0_a_satisfied_au_is_launched_again_in_review_mode_where_completion_is_refused(
        app, launch, fake_lrs, learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    launched = launch(enrollment_id, learner_id, token)
    intake(app, launched.principal(), whole_session(launched, fake_lrs))
    review = launch(enrollment_id, learner_id, token)
    assert '"launchMode": "Review"' in fake_lrs.states[-1]["content"].decode()
    intake(app, review.principal(), [au_statement(review, fake_lrs, "initialized")])
    with pytest.raises(Invalid, match="10.0"):
        intake(app, review.principal(), [au_statement(review, fake_lrs, "completed", moveon=True,
                                                      result={"completion": True, "duration": "PT1M"})])


def test_9_3_3_completed_twice_in_a_registration_is_refused_across_sessions(app, launch, fake_lrs,
                                                                           learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    first = launch(enrollment_id, learner_id, token)
    intake(app, first.principal(), [au_statement(first, fake_lrs, "initialized"),
                                    au_statement(first, fake_lrs, "completed", moveon=True,
                                                 result={"completion": True, "duration": "PT1M"})])
    second = launch(enrollment_id, learner_id, token)  # not satisfied yet (no pass): Normal mode
    intake(app, second.principal(), [au_statement(second, fake_lrs, "initialized")])
    with pytest.raises(Invalid, match="9.3.3"):
        intake(app, second.principal(), [au_statement(second, fake_lrs, "completed", moveon=True,
                                                      result={"completion": True, "duration": "PT1M"})])


def test_9_3_6_statements_of_an_abandoned_session_are_refused(app, launch, fake_lrs, learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    first = launch(enrollment_id, learner_id, token)
    intake(app, first.principal(), [au_statement(first, fake_lrs, "initialized")])
    launch(enrollment_id, learner_id, token)
    with pytest.raises(Invalid, match="9.3.6"):
        intake(app, first.principal(), [au_statement(first, fake_lrs, "terminated", result={"duration": "PT1M"})])


def test_9_3_8_statements_after_terminated_are_refused(app, launch, fake_lrs, learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    launched = launch(enrollment_id, learner_id, token)
    intake(app, launched.principal(), [au_statement(launched, fake_lrs, "initialized"),
                                       au_statement(launched, fake_lrs, "terminated", result={"duration": "PT1M"})])
    with pytest.raises(Invalid, match="9.3.8"):
        intake(app, launched.principal(), [au_statement(launched, fake_lrs, "completed", moveon=True,
                                                        result={"completion": True, "duration": "PT1M"})])


def test_6_3_an_au_session_can_never_void(app, launch, fake_lrs, learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    launched = launch(enrollment_id, learner_id, token)
    voiding = au_statement(launched, fake_lrs, "voided")
    voiding["object"] = {"objectType": "StatementRef", "id": fake_lrs.statements[0]["id"]}
    with pytest.raises(Forbidden, match="6.3"):
        intake(app, launched.principal(), [voiding])


def test_a_refused_batch_changes_nothing(app, launch, fake_lrs, learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    launched = launch(enrollment_id, learner_id, token)
    statements = whole_session(launched, fake_lrs)
    statements[2]["result"]["score"]["scaled"] = 0.5  # 9.3.4: passed below the masteryScore
    with pytest.raises(Invalid, match="9.3.4"):
        intake(app, launched.principal(), statements)
    assert _session(app, launched.session_id).status == "launched"
    with app.app_context():
        assert db.session.query(Cmi5AuState).count() == 0


def test_other_principals_are_not_judged_by_cmi5(app, launch, fake_lrs, learner_enrolled):
    from dataclasses import replace

    learner_id, token, enrollment_id = learner_enrolled
    launched = launch(enrollment_id, learner_id, token)
    learner = replace(launched.principal(), kind="learner", session_id=None)
    intake(app, learner, [{"actor": {}, "verb": {"id": rules.VOIDED}}])  # the LRS's own rules judge these


def test_the_daily_job_abandons_sessions_idle_too_long(app, launch, fake_lrs, learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    stale = launch(enrollment_id, learner_id, token)
    with app.app_context():
        session = db.session.get(Cmi5Session, stale.session_id)
        session.last_activity_at = utcnow() - timedelta(hours=13)
        session.launched_at = session.last_activity_at - timedelta(minutes=20)
        db.session.commit()
        assert abandon_stale() == 1
        assert abandon_stale() == 0
        assert deliver_pending() == 1  # the scheduler's queue hands it to the LRS
    [abandoned] = [s for s in fake_lrs.statements if s["verb"]["id"] == rules.ABANDONED]
    assert abandoned["result"]["duration"] == "PT1200.00S"  # 9.5.4.2: launched to the last statement
    assert _session(app, stale.session_id).status == "abandoned"


def test_the_lms_statements_are_kept_until_the_lrs_stores_them_and_stored_once(app, launch, fake_lrs,
                                                                              learner_enrolled, monkeypatch):
    from lms.cmi5 import lrs as cmi5_lrs

    def unavailable(statement):
        raise RuntimeError("LRS down")

    monkeypatch.setattr(cmi5_lrs, "store_statement", unavailable)
    learner_id, token, enrollment_id = learner_enrolled
    launched = launch(enrollment_id, learner_id, token)  # the launch still answers
    with app.app_context():
        [pending] = db.session.query(Cmi5PendingStatement).all()
        assert pending.statement_id and '"launched"' in pending.statement
    monkeypatch.setattr(cmi5_lrs, "store_statement", fake_lrs.store_statement)
    with app.app_context():
        assert deliver_pending() == 1
        assert deliver_pending() == 0
        assert db.session.query(Cmi5PendingStatement).count() == 0
    [statement] = fake_lrs.statements
    assert statement["context"]["extensions"][rules.SESSION_ID] == launched.session_id


def test_9_3_7_an_admin_waives_an_au_once_with_a_reason_and_the_module_is_done(
        app, client, admin_token, fake_lrs, learner_enrolled):
    learner_id, token, enrollment_id = learner_enrolled
    path = f"/api/v1/enrollments/{enrollment_id}/modules/GF14/waive"
    assert client.post(path, json={"reason": "Administrative"}, headers=bearer(token)).status_code == 403
    assert client.post(path, json={"reason": "because"}, headers=bearer(admin_token)).status_code == 422
    response = client.post(path, json={"reason": "Tested Out"}, headers=bearer(admin_token))
    assert response.status_code == 201, response.get_json()
    [waived] = [s for s in fake_lrs.statements if s["verb"]["id"] == rules.WAIVED]
    assert waived["result"] == {"success": True, "completion": True,  # 9.5.2, 9.5.3, 9.5.5.2
                                "extensions": {rules.REASON: "Tested Out"}}
    # 9.3.7: a session id of its own, used by no other statement but satisfied
    session_id = waived["context"]["extensions"][rules.SESSION_ID]
    assert session_id == response.get_json()["session_id"]
    others = [s for s in fake_lrs.statements if s is not waived
              and s["context"]["extensions"][rules.SESSION_ID] == session_id]
    assert {s["verb"]["id"] for s in others} == {rules.SATISFIED}
    assert _module(client, token, enrollment_id)["done"]
    again = client.post(path, json={"reason": "Tested Out"}, headers=bearer(admin_token))
    assert again.status_code == 409  # 9.3.7: not more than one waived per registration and AU
    assert sum(s["verb"]["id"] == rules.WAIVED for s in fake_lrs.statements) == 1


def test_a_session_token_no_cmi5_launch_issued_is_left_to_the_lrs(app, launch, fake_lrs, learner_enrolled):
    from dataclasses import replace

    learner_id, token, enrollment_id = learner_enrolled
    launched = launch(enrollment_id, learner_id, token)
    stranger = replace(launched.principal(), session_id="not-a-launch")
    intake(app, stranger, [{"actor": {}, "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"}}])
    assert _session(app, launched.session_id).status == "launched"


def test_idle_queue_runs_leave_no_transaction_open(ctx):
    """On SQLite every open transaction holds the write lock: the scheduler's passes end theirs."""
    assert deliver_pending() == 0 and not db.session().in_transaction()
    assert abandon_stale() == 0 and not db.session().in_transaction()
