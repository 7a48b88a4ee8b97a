"""The documents service as other domains call it (cmi5's launch writes `LMS.LaunchData` and
`cmi5LearnerPreferences` in its own transaction), and erasure."""

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.xapi import documents
from lms.xapi.document_models import XapiDocument
from tests.api.xapi_documents.conftest import ACTIVITY, agent_profile_url, state_url
from tests.conftest import bearer

REGISTRATION = "6f1a2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(XapiDocument))


def test_put_state_joins_the_callers_transaction(app, learner, client):
    """put_state neither commits nor rolls back: the caller's rollback leaves nothing, its commit stores the
    document, which the state resource then serves."""
    launch_data = b'{"contextTemplate": {}, "launchMode": "Normal", "moveOn": "Passed"}'
    with app.app_context():
        documents.put_state(activity_id=ACTIVITY, agent=learner.agent, state_id="LMS.LaunchData",
                            registration=REGISTRATION, content=launch_data, content_type="application/json")
        assert _count() == 1
        db.session.rollback()
        assert _count() == 0
        documents.put_state(activity_id=ACTIVITY, agent=learner.agent, state_id="LMS.LaunchData",
                            registration=REGISTRATION, content=launch_data, content_type="application/json")
        db.session.commit()
        assert documents.get_state(activity_id=ACTIVITY, agent=learner.agent, state_id="LMS.LaunchData",
                                   registration=REGISTRATION) == (launch_data, "application/json")
        assert documents.get_state(activity_id=ACTIVITY, agent=learner.agent, state_id="LMS.LaunchData") is None
    response = client.get(state_url(learner, stateId="LMS.LaunchData", registration=REGISTRATION),
                          headers=learner.headers)
    assert response.status_code == 200 and response.data == launch_data


def test_put_state_replaces_and_put_agent_profile_stores(app, learner, client):
    """A second put_state replaces the document (no precondition); put_agent_profile stores a profile the
    agent profile resource serves."""
    preferences = b'{"languagePreference": "ja-JP", "audioPreference": "on"}'
    with app.app_context():
        for content in (b'{"v": 1}', b'{"v": 2}'):
            documents.put_state(activity_id=ACTIVITY, agent=learner.agent, state_id="s", registration=None,
                                content=content, content_type="application/json")
        documents.put_agent_profile(agent=learner.agent, profile_id="cmi5LearnerPreferences", content=preferences,
                                    content_type="application/json")
        db.session.commit()
        assert documents.get_state(activity_id=ACTIVITY, agent=learner.agent, state_id="s") == \
            (b'{"v": 2}', "application/json")
    response = client.get(agent_profile_url(learner, profileId="cmi5LearnerPreferences"), headers=learner.headers)
    assert response.get_json() == {"languagePreference": "ja-JP", "audioPreference": "on"}


def test_the_service_refuses_an_agent_without_one_identifier(app):
    with app.app_context(), pytest.raises(ValueError):
        documents.put_state(activity_id=ACTIVITY, agent={"name": "no identifier"}, state_id="s", registration=None,
                            content=b"", content_type="text/plain")


def test_erasure_deletes_the_learners_documents_and_no_others(app, client, learner, make_learner, admin_token):
    """Erasure: every document whose agent is the learner (their account, or their mailbox) is gone; another
    learner's documents and activity profiles stay."""
    from lms.learners.models import Learner

    other_id, other_token = make_learner()
    with app.app_context():
        email = db.session.get(Learner, learner.learner_id).email
        mbox_agent = {"mbox": f"mailto:{email}"}
        documents.put_state(activity_id=ACTIVITY, agent=learner.agent, state_id="bookmark", registration=None,
                            content=b"p.12", content_type="text/plain")
        documents.put_state(activity_id=ACTIVITY, agent=mbox_agent, state_id="suspend", registration=REGISTRATION,
                            content=b"{}", content_type="application/json")
        documents.put_agent_profile(agent=learner.agent, profile_id="prefs", content=b"{}",
                                    content_type="application/json")
        other_agent = {"account": {"homePage": app.config["PUBLIC_BASE_URL"], "name": other_id}}
        documents.put_state(activity_id=ACTIVITY, agent=other_agent, state_id="bookmark", registration=None,
                            content=b"p.3", content_type="text/plain")
        db.session.commit()
    client.put(f"/api/v1/xapi/activities/profile?activityId={ACTIVITY}&profileId=shared", data=b"{}",
               content_type="application/json", headers=learner.headers)
    response = client.post(f"/api/v1/learners/{learner.learner_id}/erase", headers=bearer(admin_token))
    assert response.status_code == 200
    with app.app_context():
        left = db.session.execute(select(XapiDocument.kind, XapiDocument.document_id)).all()
        assert sorted(left) == [("activity_profile", "shared"), ("state", "bookmark")]
        assert documents.get_state(activity_id=ACTIVITY, agent=other_agent, state_id="bookmark") == \
            (b"p.3", "text/plain")
    # erasing again finds nothing more to delete
    assert client.post(f"/api/v1/learners/{learner.learner_id}/erase", headers=bearer(admin_token)).status_code \
        == 200


def test_the_learners_export_lists_their_documents(app, client, learner):
    """A learner's export (APPI disclosure) holds the documents whose agent is them: text as stored, other
    content in base64; not another agent's."""
    state = state_url(learner, stateId="bookmark", registration=REGISTRATION)
    assert client.put(state, data="ページ 12".encode(), content_type="text/plain; charset=utf-8",
                      headers=learner.headers).status_code == 204
    assert client.put(agent_profile_url(learner, profileId="avatar"), data=b"\x89PNG\xff", content_type="image/png",
                      headers=learner.headers).status_code == 204
    with app.app_context():
        documents.put_state(activity_id=ACTIVITY, agent={"mbox": "mailto:someone@example.com"}, state_id="x",
                            registration=None, content=b"{}", content_type="application/json")
        db.session.commit()
    export = client.get("/api/v1/learners/me/export", headers=bearer(learner.token)).get_json()
    exported = export["records"]["xapi_documents"]
    assert [(d["resource"], d["id"]) for d in exported] == [("agent_profile", "avatar"), ("state", "bookmark")]
    profile, bookmark = exported
    assert profile["content_base64"] == "iVBOR/8=" and "content" not in profile
    assert bookmark == {"resource": "state", "activity_id": ACTIVITY, "registration": REGISTRATION, "id": "bookmark",
                        "content_type": "text/plain; charset=utf-8", "updated_at": bookmark["updated_at"],
                        "content": "ページ 12"}
