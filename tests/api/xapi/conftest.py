"""Fixtures for the LRS tests: a learner with an active enrolment, statements about them, requests."""

import base64
import uuid

import pytest

from tests.conftest import LMS_HOME, bearer

ADL = "http://adlnet.gov/expapi/verbs/"
ACTIVITY = "https://lms.example.jp/xapi/activities/GF-2026/"
VERSION = {"X-Experience-API-Version": "1.0.3"}
PATH = "/api/v1/xapi/statements"


def learner_actor(learner_id: str) -> dict:
    return {"objectType": "Agent", "account": {"homePage": LMS_HOME, "name": learner_id}}


def make_statement(learner_id, enrollment_id=None, verb="completed", module="GF01", **extra) -> dict:
    body = {"id": str(uuid.uuid4()), "actor": learner_actor(learner_id),
            "verb": {"id": ADL + verb, "display": {"en-US": verb}},
            "object": {"objectType": "Activity", "id": ACTIVITY + module}}
    if enrollment_id is not None:
        body["context"] = {"registration": enrollment_id}
    body.update(extra)
    return body


def lrs(token: str) -> dict:
    return {**bearer(token), **VERSION}


@pytest.fixture
def learner_enrollment(make_learner, make_enrollment):
    """Factory: learner_enrollment(program_code="GF-2026", status="active") -> (learner_id, enrollment_id,
    token)."""

    def _make(program_code: str = "GF-2026", status: str = "active", **learner):
        learner_id, token = make_learner(**learner)
        return learner_id, make_enrollment(learner_id, program_code, status), token

    return _make


def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode(), **VERSION}


@pytest.fixture
def make_client(client, admin_token):
    """Factory: make_client(scopes=["all"]) -> the headers of an xAPI request with that new client's credentials."""

    def _make(scopes=("all",)) -> dict[str, str]:
        response = client.post("/api/v1/xapi/clients", json={"name": "Storyline course", "scopes": list(scopes)},
                               headers=bearer(admin_token))
        assert response.status_code == 201, response.get_json()
        made = response.get_json()
        return basic(made["key"], made["secret"])

    return _make
