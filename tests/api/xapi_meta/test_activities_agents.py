"""The Activities and Agents resources (xAPI Communication 2.5, 2.6) and the activity definitions the LRS keeps
from the statements it stores (`lms.xapi.activities.remember`, Data 2.4.4.1)."""

import json
from urllib.parse import quote

import pytest

from lms.extensions import db
from lms.xapi import activities
from lms.xapi.principal import Principal
from tests.api.xapi_meta.conftest import lrs

ACTIVITY_ID = "http://www.example.com/verify/complete/34534"
DEFINITION = {"name": {"en-US": "Example Activity"}, "description": {"en-US": "An example"},
              "type": "http://adlnet.gov/expapi/activities/course",
              "extensions": {"http://example.com/ext/a": 1}}
CLIENT = Principal("client", frozenset({"statements/write"}), client_id="c")
DEFINER = Principal("client", frozenset({"all"}), client_id="d")


def _statement(activity: dict, **context) -> dict:
    statement = {"actor": {"mbox": "mailto:taro@example.jp"}, "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
                 "object": activity}
    if context:
        statement["context"] = {"contextActivities": context}
    return statement


def _remember(app, statements, principal):
    with app.app_context():
        activities.remember(statements, principal=principal)
        db.session.commit()


def _get(client, credentials, activity_id: str):
    return client.get(f"/api/v1/xapi/activities?activityId={quote(activity_id, safe='')}", headers=credentials)


def test_2_5_the_complete_activity_object_is_returned_as_stored(app, client, all_client):
    activity = {"objectType": "Activity", "id": ACTIVITY_ID, "definition": DEFINITION}
    _remember(app, [_statement(activity)], CLIENT)
    response = _get(client, lrs(all_client["key"], all_client["secret"]), ACTIVITY_ID)
    assert response.status_code == 200 and response.get_json() == activity


def test_2_5_an_unknown_activity_is_still_an_activity_object(client, all_client):
    response = _get(client, lrs(all_client["key"], all_client["secret"]), "https://example.jp/never-seen")
    assert response.status_code == 200
    assert response.get_json() == {"objectType": "Activity", "id": "https://example.jp/never-seen"}


@pytest.mark.parametrize("query", ["", "?activityId=", "?activityId=not%20an%20iri", "?activityId=" + "a:" * 2000])
def test_2_5_a_missing_or_invalid_activity_id_is_400(client, all_client, query):
    response = client.get("/api/v1/xapi/activities" + query, headers=lrs(all_client["key"], all_client["secret"]))
    assert response.status_code == 400


def test_definitions_come_from_objects_context_activities_and_sub_statements(app, client, all_client):
    parent = {"id": "https://example.jp/parent", "definition": {"name": {"ja": "親"}}}
    grouping = {"id": "https://example.jp/grouping", "definition": {"name": {"ja": "グループ"}}}
    inner = {"objectType": "Activity", "id": "https://example.jp/inner", "definition": {"name": {"en": "Inner"}}}
    sub = {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.jp"},
           "verb": {"id": "http://adlnet.gov/expapi/verbs/attempted"}, "object": inner}
    agent_object = {"objectType": "Agent", "mbox": "mailto:b@example.jp"}
    _remember(app, [_statement({"id": ACTIVITY_ID}, parent=[parent], grouping=grouping),  # a single object, 1.0.0
                    _statement(sub), _statement(agent_object)], CLIENT)
    credentials = lrs(all_client["key"], all_client["secret"])
    assert _get(client, credentials, parent["id"]).get_json()["definition"] == parent["definition"]
    assert _get(client, credentials, grouping["id"]).get_json()["definition"] == grouping["definition"]
    assert _get(client, credentials, inner["id"]).get_json()["definition"] == inner["definition"]
    assert "definition" not in _get(client, credentials, ACTIVITY_ID).get_json()


def test_data_2_4_4_1_a_definition_changes_only_with_the_authority_to_define(app, client, all_client):
    """The first definition stays against a provider without `define`; with it, the sent definition is merged:
    language maps and extensions key by key, other properties replaced."""
    _remember(app, [_statement({"id": ACTIVITY_ID, "definition": DEFINITION})], CLIENT)
    _remember(app, [_statement({"id": ACTIVITY_ID, "definition": {"name": {"en-US": "Renamed"}}})], CLIENT)
    credentials = lrs(all_client["key"], all_client["secret"])
    assert _get(client, credentials, ACTIVITY_ID).get_json()["definition"] == DEFINITION
    _remember(app, [_statement({"id": ACTIVITY_ID, "definition": {
        "name": {"ja-JP": "例"}, "type": "http://adlnet.gov/expapi/activities/module",
        "extensions": {"http://example.com/ext/b": 2}}})], DEFINER)
    assert _get(client, credentials, ACTIVITY_ID).get_json()["definition"] == {
        "name": {"en-US": "Example Activity", "ja-JP": "例"}, "description": {"en-US": "An example"},
        "type": "http://adlnet.gov/expapi/activities/module",
        "extensions": {"http://example.com/ext/a": 1, "http://example.com/ext/b": 2}}


def test_one_batch_naming_an_activity_twice_stores_it_once(app, client, all_client):
    _remember(app, [_statement({"id": ACTIVITY_ID, "definition": {"name": {"en": "A"}}}),
                    _statement({"id": ACTIVITY_ID, "definition": {"description": {"en": "B"}}})], DEFINER)
    credentials = lrs(all_client["key"], all_client["secret"])
    assert _get(client, credentials, ACTIVITY_ID).get_json()["definition"] == {
        "name": {"en": "A"}, "description": {"en": "B"}}
    with app.app_context():
        assert db.session.query(activities.ActivityDefinition).count() == 1


def test_merge_definition_is_pure_and_leaves_its_inputs():
    stored = {"name": {"en": "A"}, "interactionType": "choice"}
    merged = activities.merge_definition(stored, {"name": {"ja": "あ"}, "interactionType": "true-false"})
    assert merged == {"name": {"en": "A", "ja": "あ"}, "interactionType": "true-false"}
    assert stored == {"name": {"en": "A"}, "interactionType": "choice"}


AGENTS = [
    ({"objectType": "Agent", "name": "Taro", "mbox": "mailto:taro@example.jp"},
     {"objectType": "Person", "name": ["Taro"], "mbox": ["mailto:taro@example.jp"]}),
    ({"mbox_sha1sum": "ebd31e95054c018b10727ccffd2ef2ec3a016ee9"},
     {"objectType": "Person", "mbox_sha1sum": ["ebd31e95054c018b10727ccffd2ef2ec3a016ee9"]}),
    ({"openid": "http://openid.example.org/12345"}, {"objectType": "Person", "openid": ["http://openid.example.org/12345"]}),
    ({"account": {"homePage": "http://www.example.com", "name": "1625378"}},
     {"objectType": "Person", "account": [{"homePage": "http://www.example.com", "name": "1625378"}]}),
]


@pytest.mark.parametrize("agent,person", AGENTS)
def test_2_6_the_person_object_has_arrays_of_what_the_agent_says(client, all_client, agent, person):
    response = client.get(f"/api/v1/xapi/agents?agent={quote(json.dumps(agent))}",
                          headers=lrs(all_client["key"], all_client["secret"]))
    assert response.status_code == 200 and response.get_json() == person


@pytest.mark.parametrize("agent", [
    None, "", "not json", "[]", "1", json.dumps({"name": "no identifier"}),
    json.dumps({"mbox": "mailto:a@example.jp", "openid": "http://openid.example.org/1"}),
    json.dumps({"objectType": "Group", "mbox": "mailto:g@example.jp"}),
    json.dumps({"mbox": "a@example.jp"}), json.dumps({"mbox_sha1sum": "xyz"}),
    json.dumps({"account": {"homePage": "http://www.example.com"}}),
    json.dumps({"account": {"homePage": "not an iri", "name": "x"}}),
    json.dumps({"mbox": "mailto:a@example.jp", "unknown": 1}), json.dumps({"mbox": "mailto:a@example.jp", "name": 3}),
    "[" * 5000, json.dumps({"mbox": "mailto:" + "a" * 5000 + "@example.jp"}),
])
def test_2_6_a_missing_or_invalid_agent_parameter_is_400(client, all_client, agent):
    url = "/api/v1/xapi/agents" if agent is None else f"/api/v1/xapi/agents?agent={quote(agent)}"
    response = client.get(url, headers=lrs(all_client["key"], all_client["secret"]))
    assert response.status_code == 400, response.get_data(as_text=True)[:200]


def test_activities_and_agents_need_lrs_credentials(client, make_client):
    assert client.get(f"/api/v1/xapi/activities?activityId={quote(ACTIVITY_ID)}",
                      headers={"X-Experience-API-Version": "1.0.3"}).status_code == 401
    state_only = make_client(["state"])
    response = client.get("/api/v1/xapi/agents?agent=" + quote(json.dumps({"mbox": "mailto:a@example.jp"})),
                          headers=lrs(state_only["key"], state_only["secret"]))
    assert response.status_code == 200


def test_1_1_head_answers_like_get_without_a_body(client, all_client):
    """Communication 1.1: the LRS answers HEAD on every resource taking GET, with the headers and no body."""
    about = client.head("/api/v1/xapi/about")
    assert about.status_code == 200 and about.data == b"" and about.headers["X-Experience-API-Version"] == "1.0.3"
    activity = client.head(f"/api/v1/xapi/activities?activityId={quote(ACTIVITY_ID)}",
                           headers=lrs(all_client["key"], all_client["secret"]))
    assert activity.status_code == 200 and activity.data == b""
    assert client.head(f"/api/v1/xapi/activities?activityId={quote(ACTIVITY_ID)}").status_code == 401
