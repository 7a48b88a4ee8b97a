"""Progress reads the LRS: statements about a learner in one of their enrolments move module progress (verbs
onto statuses), idempotently by statement id, undone by voiding; a learner's own token writes about them only."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.progress.models import XapiStatement
from tests.api.xapi.conftest import ACTIVITY, ADL, VERSION, make_statement
from tests.conftest import LMS_HOME, bearer


def statement(learner_id, enrollment_id, verb="completed", module="GF01", **extra):
    return make_statement(learner_id, enrollment_id, verb, module, **{"timestamp": "2025-06-01T10:00:00+09:00",
                                                                      **extra})


def void(learner_id, target_id):
    return {"id": str(uuid.uuid4()), "actor": {"account": {"homePage": LMS_HOME, "name": learner_id}},
            "verb": {"id": ADL + "voided"}, "object": {"objectType": "StatementRef", "id": target_id}}


def post(client, token, body, headers=VERSION):
    return client.post("/api/v1/xapi/statements", json=body, headers={**bearer(token), **headers})


def module(client, token, enrollment_id, code):
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    return next(m for m in progress["modules"] if m["code"] == code)


def test_statements_move_module_progress_and_return_their_ids(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    batch = [statement(learner_id, enrollment_id, "progressed", result={"duration": "PT20M"}),
             statement(learner_id, enrollment_id, "completed", result={"duration": "PT15M30S"}),
             statement(learner_id, enrollment_id, "passed", module="GF07", result={"score": {"scaled": 0.82}}),
             statement(learner_id, enrollment_id, "failed", module="GF07",
                       result={"score": {"raw": 6, "min": 0, "max": 10}})]
    response = post(client, token, batch)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == [s["id"] for s in batch]
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    gf01 = module(client, token, enrollment_id, "GF01")
    assert gf01["status"] == "completed" and gf01["minutes_spent"] == 36 and gf01["done"]
    assert gf01["first_completed_at"].startswith("2025-06-01T01:00:00")
    gf07 = module(client, token, enrollment_id, "GF07")
    assert gf07["status"] == "passed" and gf07["best_score"] == 82 and gf07["done"]


def test_a_single_statement_without_an_id_gets_one(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    body = statement(learner_id, enrollment_id)
    del body["id"]
    ids = post(client, token, body).get_json()
    assert len(ids) == 1 and uuid.UUID(ids[0])


def test_same_id_same_content_is_a_no_op(client, learner_enrollment, app):
    learner_id, enrollment_id, token = learner_enrollment()
    body = statement(learner_id, enrollment_id, result={"duration": "PT10M"})
    assert post(client, token, [body]).status_code == 200
    again = post(client, token, [body, statement(learner_id, enrollment_id, "progressed", result={"duration": "PT5M"})])
    assert again.status_code == 200
    assert module(client, token, enrollment_id, "GF01")["minutes_spent"] == 15
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(XapiStatement)) == 2


def test_same_id_other_content_is_409_and_stores_nothing(client, learner_enrollment, app):
    learner_id, enrollment_id, token = learner_enrollment()
    body = statement(learner_id, enrollment_id)
    post(client, token, body)
    changed = {**body, "verb": {"id": ADL + "passed"}}
    fresh = statement(learner_id, enrollment_id, module="GF02")
    response = post(client, token, [fresh, changed])
    assert response.status_code == 409
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    with app.app_context():
        assert db.session.get(XapiStatement, fresh["id"]) is None


def test_duplicate_ids_in_one_batch_are_400(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    body = statement(learner_id, enrollment_id)
    assert post(client, token, [body, {**body, "verb": {"id": ADL + "passed"}}]).status_code == 400


@pytest.mark.parametrize("headers", [{}, {"X-Experience-API-Version": "0.95"}, {"X-Experience-API-Version": "2.0.0"}])
def test_missing_or_unsupported_version_header_is_400(client, learner_enrollment, headers):
    learner_id, enrollment_id, token = learner_enrollment()
    response = post(client, token, statement(learner_id, enrollment_id), headers=headers)
    assert response.status_code == 400
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_statements_about_someone_else_are_rejected_without_leaking(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    other_id, other_enrollment, _ = learner_enrollment()
    # the actor is someone else
    assert post(client, token, statement(other_id, other_enrollment)).status_code == 403
    # the caller as actor, someone else's enrolment: the same answer as an enrolment that does not exist
    theirs = post(client, token, statement(learner_id, other_enrollment))
    missing = post(client, token, statement(learner_id, str(uuid.uuid4())))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.get_json()["detail"] == missing.get_json()["detail"]


def test_statements_on_a_non_active_enrollment_are_409(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment(status="suspended")
    assert post(client, token, statement(learner_id, enrollment_id)).status_code == 409


@pytest.mark.parametrize("change,field", [
    ({"object": {"id": ACTIVITY + "NOPE"}}, "object.id"),
    ({"result": {"score": {"raw": 150}}}, "result"),
    ({"result": {"duration": "P2000D"}}, "result"),
    ({"timestamp": "2099-01-01T00:00:00Z"}, "timestamp"),
])
def test_a_learners_own_statements_that_progress_cannot_read_are_422(client, learner_enrollment, change, field):
    """Valid xAPI, but with a learner's own token about their enrolment the programme's rules hold: a module
    of the programme, a score it can place, a plausible duration, a time not in the future."""
    learner_id, enrollment_id, token = learner_enrollment()
    response = post(client, token, [statement(learner_id, enrollment_id, **change)])
    assert response.status_code == 422, response.get_json()
    assert field in str(response.get_json()["errors"])


def test_a_learner_token_writes_about_its_own_agent_only(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    response = post(client, token, [statement(learner_id, enrollment_id, actor={"mbox": "mailto:a@example.jp"})])
    assert response.status_code == 403


def test_other_verbs_are_stored_without_moving_progress(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    body = statement(learner_id, enrollment_id, "experienced", module="GF01/page-3")
    body["verb"]["id"] = "http://adlnet.gov/expapi/verbs/experienced"
    assert post(client, token, body).status_code == 200
    assert module(client, token, enrollment_id, "GF01")["status"] is None


def test_voiding_recomputes_the_module_from_the_remaining_statements(client, learner_enrollment, app):
    learner_id, enrollment_id, token = learner_enrollment()
    early = statement(learner_id, enrollment_id, "passed", module="GF07", result={"score": {"scaled": 0.9}},
                      timestamp="2025-06-01T10:00:00+09:00")
    later = statement(learner_id, enrollment_id, "passed", module="GF07", result={"score": {"scaled": 0.75}},
                      timestamp="2025-06-03T10:00:00+09:00")
    post(client, token, [early, later])
    assert module(client, token, enrollment_id, "GF07")["best_score"] == 90
    voiding = void(learner_id, early["id"])
    assert post(client, token, voiding).get_json() == [voiding["id"]]
    gf07 = module(client, token, enrollment_id, "GF07")
    assert gf07["best_score"] == 75 and gf07["first_completed_at"].startswith("2025-06-03T01:00:00")
    with app.app_context():
        assert db.session.get(XapiStatement, early["id"]).voided_by == voiding["id"]
    # voiding the last statement of a module leaves it untouched again
    post(client, token, void(learner_id, later["id"]))
    assert module(client, token, enrollment_id, "GF07")["status"] is None
    # sending the voiding statement again is a no-op
    assert post(client, token, voiding).status_code == 200


def test_voiding_within_the_same_batch(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    body = statement(learner_id, enrollment_id, "completed", module="GF02")
    assert post(client, token, [body, void(learner_id, body["id"])]).status_code == 200
    assert module(client, token, enrollment_id, "GF02")["status"] is None


def test_voiding_keeps_rest_progress(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    client.put(f"/api/v1/enrollments/{enrollment_id}/modules/GF03", headers=bearer(token),
               json={"status": "in_progress", "minutes_spent": 12, "occurred_at": datetime(2025, 5, 1, tzinfo=UTC).isoformat()})
    body = statement(learner_id, enrollment_id, "completed", module="GF03")
    post(client, token, body)
    post(client, token, void(learner_id, body["id"]))
    gf03 = module(client, token, enrollment_id, "GF03")
    assert gf03["status"] == "in_progress" and gf03["minutes_spent"] == 12


def test_voiding_someone_elses_or_an_unknown_statement_is_404(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    other_id, other_enrollment, other_token = learner_enrollment()
    theirs = statement(other_id, other_enrollment)
    post(client, other_token, theirs)
    assert post(client, token, void(learner_id, theirs["id"])).status_code == 404
    assert post(client, token, void(learner_id, str(uuid.uuid4()))).status_code == 404


def test_a_voiding_statement_cannot_be_voided(client, learner_enrollment):
    learner_id, enrollment_id, token = learner_enrollment()
    body = statement(learner_id, enrollment_id)
    voiding = void(learner_id, body["id"])
    post(client, token, [body, voiding])
    # xAPI 1.0.3 Data 2.3.2: a voiding statement cannot be voided; a bad statement is 400 (Communication 2.1)
    assert post(client, token, void(learner_id, voiding["id"])).status_code == 400


def test_malformed_json_is_400_and_other_roles_403(client, learner_enrollment, admin_token):
    learner_id, enrollment_id, token = learner_enrollment()
    response = client.post("/api/v1/xapi/statements", data="{nope", content_type="application/json",
                           headers={**bearer(token), **VERSION})
    assert response.status_code == 400
    assert post(client, admin_token, statement(learner_id, enrollment_id)).status_code in (401, 403)
    assert post(client, token, []).status_code == 400


def test_statements_without_a_registration_or_about_other_activities_are_stored_only(client, learner_enrollment, app):
    learner_id, enrollment_id, token = learner_enrollment()
    loose = make_statement(learner_id, None, "completed", "GF01")
    assert post(client, token, loose).status_code == 200
    assert module(client, token, enrollment_id, "GF01")["status"] is None
    got = client.get(f"/api/v1/xapi/statements?statementId={loose['id']}", headers={**bearer(token), **VERSION})
    assert got.status_code == 200 and got.get_json()["verb"] == loose["verb"]
    with app.app_context():
        assert db.session.get(XapiStatement, loose["id"]) is None
