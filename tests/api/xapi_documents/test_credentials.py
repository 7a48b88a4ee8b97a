"""Who may use the document resources: LRS clients by scope (any agent), cmi5 sessions and learners for
their own agent only; authentication and scope before anything of the request is judged."""

from datetime import timedelta

import pytest

from lms.dates import utcnow
from lms.extensions import db
from lms.xapi import clients
from tests.api.xapi_documents.conftest import (
    ACTIVITY,
    VERSION,
    activity_profile_url,
    agent_profile_url,
    state_url,
)
from tests.api.xapi_meta.conftest import lrs, make_client  # noqa: F401 (a fixture)

STRANGER = {"mbox": "mailto:someone@example.com"}
REGISTRATION = "11111111-2222-4333-8444-555555555555"


@pytest.fixture
def session_headers(app, learner) -> dict[str, str]:
    """A cmi5 session token of the learner, as the fetch URL hands it out (sent as Basic)."""
    with app.app_context():
        token = clients.issue_session_token(session_id="s-1", learner_id=learner.learner_id,
                                            registration=REGISTRATION, activity_id=ACTIVITY,
                                            expires_at=utcnow() + timedelta(hours=1))
        db.session.commit()
    return {"Authorization": f"Basic {token}", **VERSION}


def test_a_client_with_state_scope_uses_any_agents_state(client, make_client):  # noqa: F811
    """A client with `state` (or `all`) reads and writes the state of any agent, known or not
    (Communication 2.2.s4.b2: no prior knowledge of the agent is needed)."""
    for scopes in (["state"], ["all"]):
        created = make_client(scopes)
        headers = lrs(created["key"], created["secret"])
        url = state_url(None, agent=STRANGER, stateId="s")
        assert client.put(url, data=b"{}", content_type="application/json", headers=headers).status_code == 204
        assert client.get(url, headers=headers).status_code == 200
        assert client.delete(url, headers=headers).status_code == 204


def test_scopes_separate_state_and_profiles(client, make_client):  # noqa: F811
    """`state` is for the state resource, `profile` for the two profile resources; statements scopes reach
    neither (403, before the parameters are judged)."""
    state_only = lrs(**{k: v for k, v in make_client(["state"]).items() if k in ("key", "secret")})
    profile_only = lrs(**{k: v for k, v in make_client(["profile"]).items() if k in ("key", "secret")})
    statements = lrs(**{k: v for k, v in make_client(["statements/write", "statements/read"]).items()
                        if k in ("key", "secret")})
    profile_urls = [activity_profile_url(profileId="p"), agent_profile_url(None, agent=STRANGER, profileId="p")]
    for url in profile_urls:
        assert client.put(url, data=b"{}", content_type="application/json", headers=state_only).status_code == 403
        assert client.put(url, data=b"{}", content_type="application/json", headers=profile_only).status_code \
            == 204
    state = state_url(None, agent=STRANGER, stateId="s")
    assert client.get(state, headers=profile_only).status_code == 403
    for url in [state, *profile_urls]:
        assert client.get(url, headers=statements).status_code == 403
    assert client.get("/api/v1/xapi/activities/state?agent=not-json", headers=statements).status_code == 403


def test_a_revoked_client_is_401(client, make_client, admin_token):  # noqa: F811
    from tests.conftest import bearer

    created = make_client(["all"])
    url = state_url(None, agent=STRANGER, stateId="s")
    assert client.get(url, headers=lrs(created["key"], created["secret"])).status_code == 404
    client.delete(f"/api/v1/xapi/clients/{created['id']}", headers=bearer(admin_token))
    response = client.get(url, headers=lrs(created["key"], created["secret"]))
    assert response.status_code == 401 and "WWW-Authenticate" in response.headers


def test_a_cmi5_session_uses_its_learners_state_and_agent_profile(client, learner, session_headers):
    """A cmi5 session (an AU) reads and writes its own learner's state and agent profile, e.g. LMS.LaunchData
    and cmi5LearnerPreferences, and no one else's (403)."""
    own_state = state_url(learner, stateId="suspend", registration=REGISTRATION)
    assert client.put(own_state, data=b'{"slide": 2}', content_type="application/json",
                      headers=session_headers).status_code == 204
    assert client.get(own_state, headers=learner.headers).get_json() == {"slide": 2}
    own_profile = agent_profile_url(learner, profileId="cmi5LearnerPreferences")
    assert client.get(own_profile, headers=session_headers).status_code == 404
    assert client.get(state_url(None, agent=STRANGER, stateId="s"), headers=session_headers).status_code == 403
    assert client.get(agent_profile_url(None, agent=STRANGER, profileId="p"), headers=session_headers).status_code \
        == 403


def test_the_version_header_is_required_after_authentication_3_3(client, learner):
    """Communication 3.3: a request without X-Experience-API-Version is 400 (once the caller is known), and
    every answer carries the header."""
    url = state_url(learner, stateId="s")
    without = {k: v for k, v in learner.headers.items() if k != "X-Experience-API-Version"}
    response = client.get(url, headers=without)
    assert response.status_code == 400
    assert client.get(url, headers={}).status_code == 401
    assert client.get(url, headers=learner.headers).headers["X-Experience-API-Version"] == "1.0.3"
