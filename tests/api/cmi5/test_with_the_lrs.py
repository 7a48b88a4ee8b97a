"""The launch against the LRS itself (lms.xapi): the AU reads LMS.LaunchData (10.0) and cmi5LearnerPreferences
(11.0) with the session token the fetch URL gave (8.2), exactly as @xapi/cmi5 does; only the statements the LMS
records are captured here."""

import json
from urllib.parse import urlsplit

import pytest

from lms.cmi5 import lrs as cmi5_lrs
from lms.cmi5 import rules
from lms.extensions import db
from tests.api.cmi5.conftest import launch_params
from tests.conftest import bearer

VERSION = {"X-Experience-API-Version": "1.0.3"}


@pytest.fixture
def recorded(monkeypatch) -> list[dict]:
    statements: list[dict] = []

    def store(statement: dict) -> None:
        statements.append(statement)
        db.session.commit()

    monkeypatch.setattr(cmi5_lrs, "store_statement", store)
    return statements


def _launch(client, learner_enrolled) -> dict:
    learner_id, token, enrollment_id = learner_enrolled
    response = client.post(f"/api/v1/enrollments/{enrollment_id}/modules/GF14/launch", headers=bearer(token))
    assert response.status_code == 201
    return {**launch_params(response.get_json()["url"]), "session_id": response.get_json()["session_id"]}


def test_the_au_reads_its_launch_data_and_preferences_with_the_fetched_token(client, recorded, learner_enrolled):
    params = _launch(client, learner_enrolled)
    token = client.post(urlsplit(params["fetch"]).path).get_json()["auth-token"]
    auth = {"Authorization": f"Basic {token}", **VERSION}
    state = client.get("/api/v1/xapi/activities/state", headers=auth, query_string={
        "activityId": params["activityId"], "agent": params["actor"], "stateId": "LMS.LaunchData",
        "registration": params["registration"]})
    assert state.status_code == 200, state.get_json()
    data = state.get_json()
    assert data["contextTemplate"]["extensions"][rules.SESSION_ID] == params["session_id"]
    assert data["launchMode"] == "Normal" and data["moveOn"] == "CompletedAndPassed"
    profile = client.get("/api/v1/xapi/agents/profile", headers=auth, query_string={
        "agent": params["actor"], "profileId": "cmi5LearnerPreferences"})
    assert profile.status_code == 200 and profile.get_json()["languagePreference"] == "ja-JP,en-US"
    assert [s["verb"]["id"] for s in recorded] == [rules.LAUNCHED]


def test_a_new_launch_revokes_the_abandoned_sessions_token_8_2(client, recorded, learner_enrolled):
    params = _launch(client, learner_enrolled)
    token = client.post(urlsplit(params["fetch"]).path).get_json()["auth-token"]
    query = {"activityId": params["activityId"], "agent": params["actor"], "stateId": "LMS.LaunchData",
             "registration": params["registration"]}
    auth = {"Authorization": f"Basic {token}", **VERSION}
    assert client.get("/api/v1/xapi/activities/state", headers=auth, query_string=query).status_code == 200
    _launch(client, learner_enrolled)
    assert client.get("/api/v1/xapi/activities/state", headers=auth, query_string=query).status_code == 401
    assert json.loads(json.dumps(recorded[-2]))["verb"]["id"] == rules.ABANDONED
