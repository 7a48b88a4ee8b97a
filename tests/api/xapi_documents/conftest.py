"""Fixtures for the document resources: a learner speaking for their own agent, and request helpers."""

import json
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from tests.conftest import bearer

BASE = "/api/v1/xapi"
VERSION = {"X-Experience-API-Version": "1.0.3"}
ACTIVITY = "https://content.example.jp/courses/gf-2026/m01"


@dataclass(frozen=True)
class Caller:
    learner_id: str
    token: str
    agent: dict

    @property
    def headers(self) -> dict[str, str]:
        return {**bearer(self.token), **VERSION}


@pytest.fixture
def learner(app, make_learner) -> Caller:
    learner_id, token = make_learner()
    return Caller(learner_id, token, {"objectType": "Agent",
                                      "account": {"homePage": app.config["PUBLIC_BASE_URL"], "name": learner_id}})


def query(**params) -> str:
    """A query string; dict values (agents) are sent as JSON."""
    return urlencode({k: json.dumps(v) if isinstance(v, dict) else v for k, v in params.items() if v is not None})


def state_url(caller: Caller | None = None, **params) -> str:
    params.setdefault("activityId", ACTIVITY)
    if caller is not None:
        params.setdefault("agent", caller.agent)
    return f"{BASE}/activities/state?{query(**params)}"


def activity_profile_url(**params) -> str:
    params.setdefault("activityId", ACTIVITY)
    return f"{BASE}/activities/profile?{query(**params)}"


def agent_profile_url(caller: Caller | None = None, **params) -> str:
    if caller is not None:
        params.setdefault("agent", caller.agent)
    return f"{BASE}/agents/profile?{query(**params)}"
