"""The activity profile and agent profile resources (xAPI 1.0.3, Communication 2.2, 2.6, 2.7 and 3.1)."""

import hashlib
import json

import pytest

from tests.api.xapi_documents.conftest import ACTIVITY, VERSION, activity_profile_url, agent_profile_url
from tests.conftest import bearer


def _url(kind: str, caller, **params) -> str:
    return activity_profile_url(**params) if kind == "activity" else agent_profile_url(caller, **params)


def send(client, method, kind, caller, body=None, content_type="application/json", headers=None, **params):
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    return client.open(_url(kind, caller, **params), method=method, data=data,
                       content_type=content_type if data is not None else None,
                       headers={**caller.headers, **(headers or {})})


KINDS = ["activity", "agent"]


@pytest.mark.parametrize("kind", KINDS)
def test_put_post_get_delete_2_6_s3_2_7_s3(client, learner, kind):
    """2.6.s3 / 2.7.s3: PUT and POST store (204), GET returns the document as stored with a quoted SHA-1 ETag
    (3.1.s4.b1, b2, b4), DELETE removes it (204)."""
    body = "<xml>設定</xml>".encode()
    assert send(client, "PUT", kind, learner, body, "application/xml", profileId="p").status_code == 204
    response = send(client, "GET", kind, learner, profileId="p")
    assert response.status_code == 200 and response.data == body
    assert response.content_type == "application/xml"
    assert response.headers["ETag"] == f'"{hashlib.sha1(body).hexdigest()}"'
    assert "Last-Modified" in response.headers
    assert send(client, "DELETE", kind, learner, profileId="p").status_code == 204
    assert send(client, "GET", kind, learner, profileId="p").status_code == 404


@pytest.mark.parametrize("kind", KINDS)
def test_post_merges_json_objects_2_2_s7(client, learner, kind):
    """2.2.s7: POST to a new profile stores it; POST onto a JSON object merges top-level properties; 2.2.s8.b1:
    a non-JSON POST onto it is 400 and changes nothing."""
    assert send(client, "POST", kind, learner, {"car": "Honda"}, profileId="p").status_code == 204
    assert send(client, "POST", kind, learner, {"type": "Civic"}, profileId="p").status_code == 204
    assert send(client, "GET", kind, learner, profileId="p").get_json() == {"car": "Honda", "type": "Civic"}
    assert send(client, "POST", kind, learner, b"abc", "text/plain", profileId="p").status_code == 400
    assert send(client, "GET", kind, learner, profileId="p").get_json() == {"car": "Honda", "type": "Civic"}


@pytest.mark.parametrize("kind", KINDS)
def test_put_over_an_existing_profile_without_headers_is_409_3_1_s4_b13_b14_b15(client, learner, kind):
    """3.1.s4.b13–b15: a PUT without If-Match or If-None-Match to a profile that exists is 409, explains how to
    resolve it, and changes nothing; a new profile may be PUT without them."""
    assert send(client, "PUT", kind, learner, {"v": 1}, profileId="p").status_code == 204
    response = send(client, "PUT", kind, learner, {"v": 2}, profileId="p")
    assert response.status_code == 409
    assert "If-Match" in response.get_json()["detail"]
    assert send(client, "GET", kind, learner, profileId="p").get_json() == {"v": 1}


@pytest.mark.parametrize("kind", KINDS)
def test_if_match_and_if_none_match_on_put_3_1_s4_b5_b6_b9_b10(client, learner, kind):
    """3.1.s4.b5, b6, b9, b10: If-Match with the current ETag replaces; a stale one is 412; If-None-Match: *
    creates a new profile and is 412 over an existing one; a 412 changes nothing."""
    assert send(client, "PUT", kind, learner, {"v": 1}, headers={"If-None-Match": "*"}, profileId="p").status_code \
        == 204
    etag = send(client, "GET", kind, learner, profileId="p").headers["ETag"]
    assert send(client, "PUT", kind, learner, {"v": 2}, headers={"If-None-Match": "*"}, profileId="p").status_code \
        == 412
    stale = '"' + "1" * 40 + '"'
    assert send(client, "PUT", kind, learner, {"v": 2}, headers={"If-Match": stale}, profileId="p").status_code \
        == 412
    assert send(client, "GET", kind, learner, profileId="p").get_json() == {"v": 1}
    assert send(client, "PUT", kind, learner, {"v": 3}, headers={"If-Match": f'"other", {etag}'},
                profileId="p").status_code == 204
    assert send(client, "GET", kind, learner, profileId="p").get_json() == {"v": 3}
    assert send(client, "PUT", kind, learner, {"v": 4}, headers={"If-Match": etag}, profileId="p").status_code \
        == 412  # the ETag read before the last change


@pytest.mark.parametrize("kind", KINDS)
def test_post_and_delete_honour_if_match_3_1_s4_b7_b8(client, learner, kind):
    """3.1.s4.b7, b8, b11, b12: POST and DELETE with a failing precondition are 412 and change nothing."""
    send(client, "PUT", kind, learner, {"v": 1}, profileId="p")
    assert send(client, "POST", kind, learner, {"w": 1}, headers={"If-Match": '"0"'}, profileId="p").status_code \
        == 412
    assert send(client, "POST", kind, learner, {"w": 1}, headers={"If-None-Match": "*"}, profileId="p").status_code \
        == 412
    assert send(client, "DELETE", kind, learner, headers={"If-Match": '"0"'}, profileId="p").status_code == 412
    assert send(client, "GET", kind, learner, profileId="p").get_json() == {"v": 1}
    etag = send(client, "GET", kind, learner, profileId="p").headers["ETag"]
    assert send(client, "DELETE", kind, learner, headers={"If-Match": etag}, profileId="p").status_code == 204


@pytest.mark.parametrize("kind", KINDS)
def test_get_without_profile_id_lists_ids_and_since_2_6_s4_2_7_s4(client, learner, kind, app):
    """2.6.s4 / 2.7.s4: GET without profileId returns the ids; `since` keeps those changed after it."""
    from datetime import UTC, datetime

    from sqlalchemy import update

    from lms.extensions import db
    from lms.xapi.document_models import XapiDocument

    send(client, "PUT", kind, learner, {}, profileId="old")
    send(client, "PUT", kind, learner, {}, profileId="new")
    with app.app_context():
        db.session.execute(update(XapiDocument).where(XapiDocument.document_id == "old")
                           .values(updated_at=datetime(2026, 1, 1, tzinfo=UTC)))
        db.session.commit()
    response = send(client, "GET", kind, learner)
    assert response.status_code == 200 and sorted(response.get_json()) == ["new", "old"]
    assert "Last-Modified" in response.headers
    assert send(client, "GET", kind, learner, since="2026-01-01T00:00:00Z").get_json() == ["new"]
    assert send(client, "GET", kind, learner, since="yesterday").status_code == 400


def test_profiles_are_scoped_to_their_activity_or_agent(client, learner, make_learner):
    """An activity's profiles are its own; an agent's profiles are that agent's."""
    send(client, "PUT", "activity", learner, {"a": 1}, profileId="p")
    assert send(client, "GET", "activity", learner, profileId="p", activityId=ACTIVITY + "/2").status_code == 404
    other_id, other_token = make_learner()
    other_agent = {"account": {"homePage": learner.agent["account"]["homePage"], "name": other_id}}
    other_headers = {**bearer(other_token), **VERSION}
    assert client.put(agent_profile_url(agent=other_agent, profileId="p"), data=b"{}",
                      content_type="application/json", headers=other_headers).status_code == 204
    send(client, "PUT", "agent", learner, {"mine": 1}, profileId="p")
    assert send(client, "GET", "agent", learner, profileId="p").get_json() == {"mine": 1}


def test_another_agents_profile_is_403_for_a_learner(client, learner, make_learner):
    """A learner's credentials use only their own agent's profile documents."""
    _other_id, other_token = make_learner()
    send(client, "PUT", "agent", learner, {"mine": 1}, profileId="p")
    url = agent_profile_url(learner, profileId="p")
    headers = {**bearer(other_token), **VERSION}
    assert client.get(url, headers=headers).status_code == 403
    assert client.delete(url, headers=headers).status_code == 403
    assert client.get(agent_profile_url(learner), headers=headers).status_code == 403


@pytest.mark.parametrize(("kind", "params", "bad"), [
    ("activity", {"activityId": None}, "activityId"),
    ("activity", {"activityId": "1"}, "activityId"),
    ("activity", {"activityId": '{"key": "value"}'}, "activityId"),
    ("activity", {"agent": '{"mbox": "mailto:a@example.jp"}'}, "agent"),  # not a parameter of this resource
    ("agent", {"agent": None}, "agent"),
    ("agent", {"agent": "not Agent"}, "agent"),
    ("agent", {"agent": {"key": "value"}}, "agent"),
    ("agent", {"agent": {"objectType": "Group", "member": []}}, "agent"),
    ("agent", {"agent": {"mbox_sha1sum": "xyz"}}, "agent"),
    ("agent", {"agent": {"openid": "not a uri"}}, "agent"),
    ("agent", {"agent": {"account": {"homePage": "https://a.example.jp", "name": 3}}}, "agent"),
    ("agent", {"activityId": ACTIVITY}, "activityId"),  # not a parameter of this resource
])
def test_missing_or_invalid_parameters_are_400_2_6_s3_2_7_s3(client, learner, kind, params, bad):
    """2.6.s3.table1 / 2.7.s3.table1 (multiplicity, format) and 3.2.s3.b7: a missing, invalid or foreign
    parameter is 400 on every method."""
    url = activity_profile_url(profileId="p", **params) if kind == "activity" else \
        agent_profile_url(None if "agent" in params else learner, profileId="p", **params)
    for method in ("PUT", "POST", "GET", "DELETE"):
        body = b"{}" if method in ("PUT", "POST") else None
        response = client.open(url, method=method, data=body, headers=learner.headers,
                               content_type="application/json" if body else None)
        assert response.status_code == 400, (method, response.get_json())
        assert bad in json.dumps(response.get_json())


@pytest.mark.parametrize("kind", KINDS)
def test_profile_id_is_required_to_write_or_delete_2_6_s3_table1_row2(client, learner, kind):
    """2.6.s3.table1.row2 / 2.7.s3.table1.row2: PUT, POST and DELETE without profileId are 400."""
    for method in ("PUT", "POST", "DELETE"):
        body = {} if method != "DELETE" else None
        assert send(client, method, kind, learner, body).status_code == 400, method
