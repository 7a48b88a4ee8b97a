"""cmi5 fixtures: a recording stand-in for the LRS calls cmi5 makes (lms.cmi5.lrs), launching GF14,
and an intake that runs the statement hooks as the LRS does (checks before storing, the event inside the
storing transaction)."""

import json
import secrets
import uuid
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest

from lms import events
from lms.cmi5 import lrs as cmi5_lrs
from lms.cmi5.service import deliver_pending
from lms.extensions import db
from lms.hooks import domain_hooks
from lms.xapi.principal import Principal
from tests.conftest import bearer

MODULE = "GF14"
AU_ID = "https://recurrent.example.jp/cmi5/GF-2026/aus/GF14"


@dataclass
class FakeLrs:
    """What cmi5 asked of the LRS, in order."""

    tokens: dict[str, dict] = field(default_factory=dict)
    revoked: list[str] = field(default_factory=list)
    states: list[dict] = field(default_factory=list)
    profiles: list[dict] = field(default_factory=list)
    statements: list[dict] = field(default_factory=list)

    def issue_session_token(self, **claims) -> str:
        token = secrets.token_urlsafe(16)
        self.tokens[token] = claims
        return token

    def revoke_session_tokens(self, session_id: str) -> None:
        self.revoked.append(session_id)

    def put_state(self, **document) -> None:
        self.states.append(document)

    def put_agent_profile(self, **document) -> None:
        self.profiles.append(document)

    def store_statement(self, statement: dict) -> None:
        """As the LRS's intake does: store, then commit."""
        self.statements.append(statement)
        db.session.commit()

    def verbs(self) -> list[str]:
        return [s["verb"]["id"].rsplit("/", 1)[-1] for s in self.statements]


@pytest.fixture
def fake_lrs(monkeypatch) -> FakeLrs:
    fake = FakeLrs()
    for name in ("issue_session_token", "revoke_session_tokens", "put_state", "put_agent_profile",
                 "store_statement"):
        monkeypatch.setattr(cmi5_lrs, name, getattr(fake, name))
    return fake


@dataclass
class Launched:
    enrollment_id: str
    learner_id: str
    token: str
    session_id: str
    url: str
    params: dict[str, str]

    @property
    def fetch_key(self) -> str:
        return self.params["fetch"].rsplit("/", 1)[-1]

    def principal(self) -> Principal:
        return Principal("session", frozenset({"statements/write"}), agent=json.loads(self.params["actor"]),
                         learner_id=self.learner_id, session_id=self.session_id,
                         registration=self.enrollment_id, activity_id=self.params["activityId"])


def launch_params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@pytest.fixture
def launch(client, fake_lrs):
    def _launch(enrollment_id: str, learner_id: str, token: str, module: str = MODULE) -> Launched:
        response = client.post(f"/api/v1/enrollments/{enrollment_id}/modules/{module}/launch",
                               headers=bearer(token))
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        return Launched(enrollment_id, learner_id, token, body["session_id"], body["url"],
                        launch_params(body["url"]))

    return _launch


@pytest.fixture
def learner_enrolled(make_learner, make_enrollment):
    learner_id, token = make_learner()
    return learner_id, token, make_enrollment(learner_id)


def au_statement(launched: Launched, fake: FakeLrs, verb: str, *, result: dict | None = None,
                 moveon: bool = False, extensions: dict | None = None) -> dict:
    """A statement as an AU built on the launch data sends it (@xapi/cmi5 does the same)."""
    launch_data = json.loads(next(s for s in reversed(fake.states)
                                  if s["activity_id"] == launched.params["activityId"])["content"])
    context = json.loads(json.dumps(launch_data["contextTemplate"]))
    context["registration"] = launched.params["registration"]
    category = [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]
    if moveon:
        category.append({"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"})
    context["contextActivities"]["category"] = category
    context["extensions"].update(extensions or {})
    statement = {"id": str(uuid.uuid4()), "actor": json.loads(launched.params["actor"]),
                 "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
                 "object": {"objectType": "Activity", "id": launched.params["activityId"]}, "context": context}
    if result is not None:
        statement["result"] = result
    return statement


def intake(app, principal: Principal, statements: list[dict]) -> None:
    """What the LRS does with statements: the statement checks (raising refuses all), then store and publish
    `statements_stored` in the storing transaction."""
    with app.app_context():
        try:
            for check in domain_hooks().statement_checks:
                check(principal, statements)
            stored = [dict(s, stored="2026-12-05T00:00:00.000Z") for s in statements]
            events.publish(events.statements_stored, "lrs", principal=principal, statements=stored)
            db.session.commit()
            deliver_pending()  # the scheduler's queue job: the LMS's statements reach the LRS
        finally:
            db.session.remove()
