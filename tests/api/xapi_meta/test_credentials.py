"""LRS credentials (API.md; xAPI Communication 4.0 "Authentication"): an LRS client's Basic credentials with
its scopes, a cmi5 session token sent as Basic, a learner's bearer token; anything else in the header is 401
with a Basic challenge, never a 5xx."""

import base64
from datetime import timedelta

import pytest

from lms.dates import utcnow
from lms.extensions import db
from lms.xapi import clients
from lms.xapi.principal import authenticate
from tests.api.xapi_meta.conftest import VERSION, basic, lrs
from tests.conftest import bearer

ACTIVITY = "/api/v1/xapi/activities?activityId=https://example.jp/a/1"


def _principal(app, headers: dict):
    with app.test_request_context("/api/v1/xapi/activities", headers=headers):
        return authenticate()


def test_basic_credentials_of_a_client_carry_its_scopes_and_authority(app, make_client):
    made = make_client(["statements/read", "state"], name="Reporting tool")
    principal = _principal(app, basic(made["key"], made["secret"]))
    assert principal.kind == "client" and principal.client_id == made["id"]
    assert principal.scopes == {"statements/read", "state"} and principal.agent is None
    assert principal.may("state") and not principal.may("statements/write")
    assert principal.authority["name"] == "Reporting tool"
    assert principal.authority["account"]["name"] == made["key"]
    assert _principal(app, basic(made["key"], made["secret"]) | {}).may("statements/read")


def test_scope_all_includes_every_scope(app, all_client):
    principal = _principal(app, basic(all_client["key"], all_client["secret"]))
    assert all(principal.may(scope) for scope in ("statements/write", "statements/read", "state", "define"))


def _session_token(app, *, learner_id: str, expires_in=timedelta(hours=1), session_id="0d5b1c1e-2f4a-4c61-9b5e-"
                   "7d0f1a2b3c4d") -> str:
    with app.app_context():
        token = clients.issue_session_token(session_id=session_id, learner_id=learner_id,
                                            registration="6f1e0c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
                                            activity_id="https://lms.example.jp/au/GF01", expires_at=utcnow() + expires_in)
        db.session.commit()
        return token


def test_a_cmi5_session_token_sent_as_basic_is_a_session_principal(app, client, make_learner):
    learner_id, _ = make_learner()
    token = _session_token(app, learner_id=learner_id)
    principal = _principal(app, {"Authorization": f"Basic {token}"})
    assert principal.kind == "session" and principal.learner_id == learner_id
    assert principal.scopes == {"statements/write", "statements/read/mine", "state", "profile"}
    assert principal.agent == {"objectType": "Agent",
                               "account": {"homePage": app.config["PUBLIC_BASE_URL"], "name": learner_id}}
    assert principal.registration == "6f1e0c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"
    assert principal.activity_id == "https://lms.example.jp/au/GF01"
    assert principal.session_id == "0d5b1c1e-2f4a-4c61-9b5e-7d0f1a2b3c4d"
    assert client.get(ACTIVITY, headers={"Authorization": f"Basic {token}", **VERSION}).status_code == 200


def test_a_session_token_is_stored_as_a_digest_and_revoked_with_its_session(app, client, make_learner):
    learner_id, _ = make_learner()
    token = _session_token(app, learner_id=learner_id)
    with app.app_context():
        stored = db.session.scalars(db.select(clients.LrsSessionToken.token_hash)).all()
        assert len(stored) == 1 and token not in stored[0] and base64.b64decode(token).decode().split(":")[1] \
            not in stored[0]
        assert clients.revoke_session_tokens("0d5b1c1e-2f4a-4c61-9b5e-7d0f1a2b3c4d") == 1
        db.session.commit()
    response = client.get(ACTIVITY, headers={"Authorization": f"Basic {token}", **VERSION})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == 'Basic realm="LRS"'


def test_an_expired_session_token_is_refused(app, client, make_learner):
    learner_id, _ = make_learner()
    token = _session_token(app, learner_id=learner_id, expires_in=timedelta(seconds=-1))
    assert client.get(ACTIVITY, headers={"Authorization": f"Basic {token}", **VERSION}).status_code == 401


def test_an_erased_learners_session_tokens_are_gone(app, client, admin_token, make_learner):
    learner_id, _ = make_learner()
    token = _session_token(app, learner_id=learner_id)
    other_id, _ = make_learner()
    other = _session_token(app, learner_id=other_id, session_id="1d5b1c1e-2f4a-4c61-9b5e-7d0f1a2b3c4d")
    assert client.post(f"/api/v1/learners/{learner_id}/erase", headers=bearer(admin_token)).status_code in (200, 204)
    assert client.get(ACTIVITY, headers={"Authorization": f"Basic {token}", **VERSION}).status_code == 401
    assert client.get(ACTIVITY, headers={"Authorization": f"Basic {other}", **VERSION}).status_code == 200
    with app.app_context():
        assert db.session.scalars(db.select(clients.LrsSessionToken.learner_id)).all() == [other_id]


def test_a_learners_bearer_token_is_a_learner_principal_and_a_staff_token_is_not(app, client, make_learner,
                                                                                   admin_token):
    learner_id, token = make_learner()
    principal = _principal(app, bearer(token))
    assert principal.kind == "learner" and principal.learner_id == learner_id
    assert principal.agent["account"]["name"] == learner_id
    refused = client.get(ACTIVITY, headers={**bearer(admin_token), **VERSION})
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == 'Basic realm="LRS"'


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


@pytest.mark.parametrize("header", [
    "Basic", "Basic ", "Basic !!!not-base64!!!", "Basic " + _b64(b"no-colon-here"), "Basic " + _b64(b":secret"),
    "Basic " + _b64(b"key:"), "Basic " + _b64("schlüssel:geheim".encode()), "Basic " + _b64(b"\xff\xfe:\x00"),
    "Basic " + "A" * 100_000, "Basic " + _b64(b"k" * 5000 + b":s"), "Basic " + _b64(b"cmi5-session:forged"),
    "Basic " + _b64(b"cmi5-session:"), "Basic abc", "Basic " + _b64(b"key:secret") + "====", "Bearer",
    "Bearer not-a-token", "Digest username=x", "basic " + _b64(b"a:b"), "Basic\t" + _b64(b"a:b"), "",
])
def test_whatever_a_client_sends_as_credentials_is_401_with_a_basic_challenge(client, all_client, header):
    """Communication 4.0: the LRS refuses bad credentials with 401; never a 5xx for anything a client sends."""
    response = client.get(ACTIVITY, headers={"Authorization": header, **VERSION})
    assert response.status_code == 401, response.get_data(as_text=True)[:200]
    assert response.headers["WWW-Authenticate"] == 'Basic realm="LRS"'
    assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_a_client_key_with_another_clients_secret_is_refused(client, make_client):
    first, second = make_client(name="one"), make_client(name="two")
    assert client.get(ACTIVITY, headers=lrs(first["key"], second["secret"])).status_code == 401
    assert client.get(ACTIVITY, headers=lrs(first["key"], first["secret"])).status_code == 200
