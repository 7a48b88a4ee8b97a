"""The standard Python xAPI client `tincan` (unmodified RemoteLRS) against the document resources of a live
server: states, agent profiles and activity profiles saved, read, listed and deleted."""

import json

import pytest
from tincan import (
    Activity,
    ActivityProfileDocument,
    Agent,
    AgentAccount,
    AgentProfileDocument,
    RemoteLRS,
    StateDocument,
)

from tests.api.xapi_documents.conftest import ACTIVITY


@pytest.fixture
def lrs(live_server, learner) -> RemoteLRS:
    return RemoteLRS(endpoint=f"{live_server.url}/api/v1/xapi/", version="1.0.3", auth=f"Bearer {learner.token}")


@pytest.fixture
def agent(learner) -> Agent:
    account = learner.agent["account"]
    return Agent(name="山田 太郎", account=AgentAccount(home_page=account["homePage"], name=account["name"]))


def test_tincan_saves_retrieves_lists_and_deletes_state(lrs, agent):
    """save_state, retrieve_state, retrieve_state_ids, delete_state, clear_state (Communication 2.3)."""
    activity = Activity(id=ACTIVITY)
    bookmark = StateDocument(id="bookmark", activity=activity, agent=agent, content=bytearray(b"page=12"),
                             content_type="text/plain")
    assert lrs.save_state(bookmark).success  # tincan sends this PUT twice: the state resource takes both
    suspend = StateDocument(id="suspend_data", activity=activity, agent=agent,
                            content=bytearray(json.dumps({"slide": 4, "答え": ["b"]}).encode()),
                            content_type="application/json")
    assert lrs.save_state(suspend).success

    retrieved = lrs.retrieve_state(activity, agent, "bookmark")
    assert retrieved.success and retrieved.response.status == 200
    assert bytes(retrieved.content.content) == b"page=12"
    assert json.loads(bytes(lrs.retrieve_state(activity, agent, "suspend_data").content.content)) == \
        {"slide": 4, "答え": ["b"]}

    ids = lrs.retrieve_state_ids(activity, agent)
    assert ids.success and sorted(ids.content) == ["bookmark", "suspend_data"]

    assert lrs.delete_state(bookmark).success
    missing = lrs.retrieve_state(activity, agent, "bookmark")
    assert missing.success and missing.response.status == 404  # tincan treats a missing document as success
    assert lrs.retrieve_state_ids(activity, agent).content == ["suspend_data"]
    assert lrs.clear_state(activity, agent).success
    assert lrs.retrieve_state_ids(activity, agent).content == []


def test_tincan_saves_and_retrieves_an_agent_profile(lrs, agent):
    """save_agent_profile, retrieve_agent_profile, retrieve_agent_profile_ids, delete_agent_profile (2.6)."""
    profile = AgentProfileDocument(id="cmi5LearnerPreferences", agent=agent, content_type="application/json",
                                   content=bytearray(b'{"languagePreference": "ja-JP"}'))
    assert lrs.save_agent_profile(profile).success
    retrieved = lrs.retrieve_agent_profile(agent, "cmi5LearnerPreferences")
    assert retrieved.success and json.loads(bytes(retrieved.content.content)) == {"languagePreference": "ja-JP"}
    assert lrs.retrieve_agent_profile_ids(agent).content == ["cmi5LearnerPreferences"]
    # a second save without the ETag is refused (3.1.s4.b13); with it (as read back) it replaces
    again = AgentProfileDocument(id="cmi5LearnerPreferences", agent=agent, content_type="application/json",
                                 content=bytearray(b'{"languagePreference": "en-US"}'))
    assert lrs.save_agent_profile(again).response.status == 409
    again.etag = dict(retrieved.response.getheaders())["ETag"]
    assert lrs.save_agent_profile(again).success
    assert json.loads(bytes(lrs.retrieve_agent_profile(agent, "cmi5LearnerPreferences").content.content)) == \
        {"languagePreference": "en-US"}
    assert lrs.delete_agent_profile(again).response.status == 412  # that ETag was of the replaced content
    again.etag = None
    assert lrs.delete_agent_profile(again).success
    assert lrs.retrieve_agent_profile_ids(agent).content == []


def test_tincan_saves_and_retrieves_an_activity_profile(lrs):
    """save_activity_profile, retrieve_activity_profile, retrieve_activity_profile_ids,
    delete_activity_profile (2.7)."""
    activity = Activity(id=ACTIVITY)
    profile = ActivityProfileDocument(id="glossary", activity=activity, content_type="text/csv",
                                      content=bytearray(b"term,meaning\n"))  # tincan sends text as Latin-1
    assert lrs.save_activity_profile(profile).success
    retrieved = lrs.retrieve_activity_profile(activity, "glossary")
    assert retrieved.success and bytes(retrieved.content.content) == b"term,meaning\n"
    assert lrs.retrieve_activity_profile_ids(activity).content == ["glossary"]
    assert lrs.delete_activity_profile(profile).success
    assert lrs.retrieve_activity_profile(activity, "glossary").response.status == 404
