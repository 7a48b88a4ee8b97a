"""The state resource (xAPI 1.0.3, Communication 2.2, 2.3 and 3.1): each test names the requirement it shows."""

import hashlib
import http.client
import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import pytest

from tests.api.xapi_documents.conftest import ACTIVITY, VERSION, state_url
from tests.conftest import bearer

REGISTRATION = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def put(client, caller, body, content_type="application/json", headers=None, **params):
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return client.put(state_url(caller, **params), data=data, content_type=content_type,
                      headers={**caller.headers, **(headers or {})})


def post(client, caller, body, content_type="application/json", headers=None, **params):
    data = json.dumps(body).encode() if not isinstance(body, bytes) else body
    return client.post(state_url(caller, **params), data=data, content_type=content_type,
                       headers={**caller.headers, **(headers or {})})


def get(client, caller, headers=None, **params):
    return client.get(state_url(caller, **params), headers={**caller.headers, **(headers or {})})


def test_put_then_get_returns_the_document_as_stored_2_3_s3(client, learner):
    """2.3.s3: PUT stores (204), GET returns the document with its content type (Communication 1.5.b1)."""
    content = "ブックマーク: p.12\x00\xff".encode("utf-8", "surrogatepass") + b"\x00\xfe"
    assert put(client, learner, content, "application/octet-stream", stateId="bookmark").status_code == 204
    response = get(client, learner, stateId="bookmark")
    assert response.status_code == 200
    assert response.data == content
    assert response.headers["Content-Type"] == "application/octet-stream"


def test_get_has_a_quoted_sha1_etag_and_last_modified_3_1_s4(client, learner):
    """3.1.s4.b1, b2, b4: the ETag of a GET is the quoted lowercase SHA-1 hex of the content; 2.2.s6.b1:
    Last-Modified says when the document changed."""
    before = datetime.now(UTC).replace(microsecond=0)
    body = b'{"page": 3}'
    assert put(client, learner, body, stateId="s").status_code == 204
    response = get(client, learner, stateId="s")
    assert response.headers["ETag"] == '"' + hashlib.sha1(body).hexdigest() + '"'
    modified = parsedate_to_datetime(response.headers["Last-Modified"])
    assert before <= modified <= datetime.now(UTC)


def test_head_answers_like_get_without_the_body_1_1_s3_b1(client, learner):
    """1.1.s3.b1: HEAD answers as GET would, without the message body."""
    put(client, learner, {"a": 1}, stateId="s")
    response = client.head(state_url(learner, stateId="s"), headers=learner.headers)
    assert response.status_code == 200 and response.data == b""
    assert response.headers["ETag"] == get(client, learner, stateId="s").headers["ETag"]


def test_get_of_a_missing_document_is_404_3_2_s2_b4(client, learner):
    """3.2.s2.b4: a request for a single document that does not exist is 404."""
    response = get(client, learner, stateId="nothing-here")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"


def test_post_of_a_new_document_stores_it_as_put_would_2_2_s7(client, learner):
    """2.2.s7: a POST for a document not yet stored stores it, whatever its type (2.2.s4.b2)."""
    assert post(client, learner, b"1", "application/x-www-form-urlencoded", stateId="n").status_code == 204
    response = get(client, learner, stateId="n")
    assert response.data == b"1" and response.content_type == "application/x-www-form-urlencoded"


def test_post_merges_top_level_properties_of_json_objects_2_2_s7_b1_b2_b3(client, learner):
    """2.2.s7.b1–b3, 2.2.s8.b2: POST onto a JSON object sets each posted top-level property (replacing whole
    nested objects) and keeps the others; 204."""
    put(client, learner, {"x": "foo", "y": "bar", "car": {"make": "Ford", "model": "Escape"}}, stateId="m")
    response = post(client, learner, {"x": "bash", "z": "faz", "car": {"make": "Dodge"}}, stateId="m")
    assert response.status_code == 204
    merged = get(client, learner, stateId="m")
    assert merged.get_json() == {"x": "bash", "y": "bar", "z": "faz", "car": {"make": "Dodge"}}
    assert merged.content_type == "application/json"


def test_post_with_a_json_charset_parameter_merges(client, learner):
    """2.2.s7: `application/json; charset=utf-8` is application/json."""
    put(client, learner, {"a": 1}, "application/json; charset=utf-8", stateId="c")
    assert post(client, learner, {"b": 2}, "application/json;charset=UTF-8", stateId="c").status_code == 204
    assert get(client, learner, stateId="c").get_json() == {"a": 1, "b": 2}


@pytest.mark.parametrize(("stored", "stored_type", "sent", "sent_type"), [
    (b'{"a": 1}', "application/json", b"abc", "text/plain"),
    (b'{"a": 1}', "application/json", b"[1, 2]", "application/json"),
    (b'{"a": 1}', "application/json", b"{not json", "application/json"),
    (b"abc", "text/plain", b'{"a": 2}', "application/json"),
    (b"[1]", "application/json", b'{"a": 2}', "application/json"),
])
def test_post_that_cannot_merge_is_400_and_changes_nothing_2_2_s8_b1(client, learner, stored, stored_type, sent,
                                                                      sent_type):
    """2.2.s8.b1: when either document is not application/json or not a JSON object, POST is 400 and the
    stored document stays as it was."""
    put(client, learner, stored, stored_type, stateId="x")
    response = post(client, learner, sent, sent_type, stateId="x")
    assert response.status_code == 400
    assert response.content_type == "application/problem+json"
    kept = get(client, learner, stateId="x")
    assert kept.data == stored and kept.content_type == stored_type


def test_registration_scopes_a_state_document_2_3_s3_table1_row3(client, learner):
    """2.3.s3 (registration): the same stateId with and without a registration are two documents."""
    put(client, learner, {"r": "none"}, stateId="s")
    put(client, learner, {"r": "one"}, stateId="s", registration=REGISTRATION)
    assert get(client, learner, stateId="s").get_json() == {"r": "none"}
    assert get(client, learner, stateId="s", registration=REGISTRATION.upper()).get_json() == {"r": "one"}


def test_get_without_state_id_lists_the_ids_2_3_s4(client, learner):
    """2.3.s4: GET without stateId returns the ids of the activity's and agent's state documents (of one
    registration when given), and 2.2.s6.b2 Last-Modified of the latest."""
    put(client, learner, {}, stateId="a")
    put(client, learner, {}, stateId="b", registration=REGISTRATION)
    put(client, learner, {}, stateId="other-activity", activityId=ACTIVITY + "/other")
    response = get(client, learner)
    assert response.status_code == 200 and sorted(response.get_json()) == ["a", "b"]
    assert "Last-Modified" in response.headers
    assert get(client, learner, registration=REGISTRATION).get_json() == ["b"]
    assert get(client, learner, activityId=ACTIVITY + "/none").get_json() == []


def test_since_lists_only_documents_changed_after_it_2_3_s4_table1_row4(client, learner, app):
    """2.3.s4 (since): only ids of documents stored or changed after the timestamp (exclusive)."""
    from sqlalchemy import update

    from lms.extensions import db
    from lms.xapi.document_models import XapiDocument

    put(client, learner, {}, stateId="old")
    put(client, learner, {}, stateId="new")
    then = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
    with app.app_context():
        db.session.execute(update(XapiDocument).where(XapiDocument.document_id == "old").values(updated_at=then))
        db.session.commit()
    assert get(client, learner, since="2026-04-01T09:00:00Z").get_json() == ["new"]  # exclusive
    assert sorted(get(client, learner, since="2026-04-01T17:59:59.999+09:00").get_json()) == ["new", "old"]
    assert get(client, learner, since=(datetime.now(UTC) + timedelta(minutes=1)).isoformat()).get_json() == []
    # with a stateId, since is accepted and the document returned
    assert get(client, learner, stateId="old", since="2026-04-01T09:00:00Z").status_code == 200


def test_delete_one_document_2_3_s3(client, learner):
    """2.3.s3: DELETE with stateId deletes that document (204); deleting it again is still 204."""
    put(client, learner, {}, stateId="a")
    put(client, learner, {}, stateId="b")
    assert client.delete(state_url(learner, stateId="a"), headers=learner.headers).status_code == 204
    assert get(client, learner, stateId="a").status_code == 404
    assert get(client, learner).get_json() == ["b"]
    assert client.delete(state_url(learner, stateId="a"), headers=learner.headers).status_code == 204


def test_delete_without_state_id_deletes_the_context_2_3_s5(client, learner):
    """2.3.s5: DELETE without stateId deletes every state document of the activity and agent (of one
    registration when given), and no other."""
    put(client, learner, {}, stateId="a")
    put(client, learner, {}, stateId="b", registration=REGISTRATION)
    put(client, learner, {}, stateId="c", activityId=ACTIVITY + "/other")
    assert client.delete(state_url(learner, registration=REGISTRATION), headers=learner.headers).status_code == 204
    assert get(client, learner).get_json() == ["a"]
    assert client.delete(state_url(learner), headers=learner.headers).status_code == 204
    assert get(client, learner).get_json() == []
    assert get(client, learner, activityId=ACTIVITY + "/other").get_json() == ["c"]


def test_the_same_agent_spelled_differently_is_one_document(client, learner):
    """Documents belong to the agent, not to its JSON text: key order, objectType and name do not matter."""
    put(client, learner, {"v": 1}, stateId="s")
    account = learner.agent["account"]
    respelled = {"name": "山田 太郎", "account": {"name": account["name"], "homePage": account["homePage"]}}
    response = client.get(state_url(learner, stateId="s", agent=respelled), headers=learner.headers)
    assert response.get_json() == {"v": 1}


def test_state_put_without_concurrency_headers_replaces_3_1_s3(client, learner):
    """3.1.s3: the state resource permits PUT without If-Match/If-None-Match, even over a stored document."""
    put(client, learner, {"v": 1}, stateId="s")
    assert put(client, learner, {"v": 2}, stateId="s").status_code == 204
    assert get(client, learner, stateId="s").get_json() == {"v": 2}


def test_state_honours_if_match_and_if_none_match_3_1_s4_b5_b6_b9_b10(client, learner):
    """3.1.s4.b5, b6, b9, b10: a stale If-Match or If-None-Match: * over a stored document is 412 and changes
    nothing; the current ETag (or *) passes."""
    put(client, learner, {"v": 1}, stateId="s")
    etag = get(client, learner, stateId="s").headers["ETag"]
    stale = '"' + "1" * 40 + '"'
    assert put(client, learner, {"v": 2}, stateId="s", headers={"If-Match": stale}).status_code == 412
    assert put(client, learner, {"v": 2}, stateId="s", headers={"If-None-Match": "*"}).status_code == 412
    assert post(client, learner, {"w": 2}, stateId="s", headers={"If-Match": stale}).status_code == 412
    assert get(client, learner, stateId="s").get_json() == {"v": 1}
    assert put(client, learner, {"v": 3}, stateId="s", headers={"If-Match": etag}).status_code == 204
    assert put(client, learner, {"v": 4}, stateId="s", headers={"If-Match": "*"}).status_code == 204
    assert put(client, learner, {}, stateId="new", headers={"If-Match": "*"}).status_code == 412
    assert put(client, learner, {}, stateId="new", headers={"If-None-Match": "*"}).status_code == 204
    assert get(client, learner, stateId="s").get_json() == {"v": 4}


def test_delete_honours_if_match_3_1_s4_b7(client, learner):
    """3.1.s4.b7, b11, b12: DELETE with a stale If-Match is 412 and keeps the document."""
    put(client, learner, {"v": 1}, stateId="s")
    response = client.delete(state_url(learner, stateId="s"), headers={**learner.headers, "If-Match": '"0"'})
    assert response.status_code == 412
    assert get(client, learner, stateId="s").status_code == 200


@pytest.mark.parametrize(("params", "bad"), [
    ({"activityId": None}, "activityId"),
    ({"activityId": ""}, "activityId"),
    ({"activityId": "1"}, "activityId"),
    ({"activityId": "true"}, "activityId"),
    ({"activityId": '{"key": "value"}'}, "activityId"),
    ({"agent": None}, "agent"),
    ({"agent": "not JSON"}, "agent"),
    ({"agent": "1"}, "agent"),
    ({"agent": "true"}, "agent"),
    ({"agent": {"not_actor": "yup"}}, "agent"),
    ({"agent": {"mbox": "mailto:a@example.jp", "openid": "https://id.example.jp/a"}}, "agent"),
    ({"agent": {"objectType": "Group", "mbox": "mailto:team@example.jp"}}, "agent"),
    ({"agent": {"mbox": "a@example.jp"}}, "agent"),
    ({"agent": {"account": {"name": "a"}}}, "agent"),
    ({"registration": "not UUID"}, "registration"),
    ({"registration": "1"}, "registration"),
    ({"stateId": None}, "stateId"),
])
def test_missing_or_invalid_parameters_are_400_2_3_s3_table1(client, learner, params, bad):
    """2.3.s3.table1 rows 1–4 (multiplicity and format): activityId an IRI, agent an Agent (JSON) with one
    identifier, registration a UUID, stateId present on PUT and POST; otherwise 400 (3.2.s2.b1)."""
    params = {"stateId": "s", **params}
    url = state_url(learner, **params) if "agent" not in params else state_url(None, **params)
    for method in ("put", "post"):
        response = getattr(client, method)(url, data=b"{}", content_type="application/json", headers=learner.headers)
        assert response.status_code == 400, (method, response.get_json())
        assert response.content_type == "application/problem+json"
        assert bad in response.get_json()["detail"]
    if bad != "stateId":
        for method in ("get", "delete"):
            assert getattr(client, method)(url, headers=learner.headers).status_code == 400, method


def test_invalid_since_is_400_2_3_s4_table1_row4(client, learner):
    """2.3.s4 (since): a since that is not a timestamp is 400."""
    for since in ("not a timestamp", "2026-13-01T00:00:00Z", "1"):
        assert get(client, learner, since=since).status_code == 400


def test_unknown_or_repeated_parameters_are_400_3_2_s3_b7(client, learner):
    """3.2.s3.b7: a parameter the LRS does not recognise in its context is 400 (since on PUT too)."""
    assert get(client, learner, stateId="s", profileId="p").status_code == 400
    assert put(client, learner, {}, stateId="s", since="2026-04-01T00:00:00Z").status_code == 400
    url = state_url(learner, stateId="s") + "&stateId=t"
    assert client.get(url, headers=learner.headers).status_code == 400


def test_another_agents_state_is_403_for_a_learner(client, learner, make_learner):
    """A learner's credentials read and write only their own agent's state (Communication 3.2: permission)."""
    other_id, other_token = make_learner()
    put(client, learner, {"mine": True}, stateId="s")
    response = client.get(state_url(learner, stateId="s"), headers={**bearer(other_token), **VERSION})
    assert response.status_code == 403
    response = client.put(state_url(learner, stateId="s"), data=b"{}", content_type="application/json",
                          headers={**bearer(other_token), **VERSION})
    assert response.status_code == 403
    response = client.delete(state_url(learner), headers={**bearer(other_token), **VERSION})
    assert response.status_code == 403
    assert get(client, learner, stateId="s").get_json() == {"mine": True}


def test_without_credentials_401_before_any_parameter_is_judged(client, learner):
    """API.md order of checks: authentication first, so even a request with bad parameters is 401."""
    response = client.put("/api/v1/xapi/activities/state?agent=x", data=b"x" * 10, headers=VERSION)
    assert response.status_code == 401
    assert "WWW-Authenticate" in response.headers


def test_a_document_over_the_limit_is_413_before_its_parameters_are_judged_3_2_s2_b7(client, learner, app,
                                                                                      monkeypatch, live_server):
    """3.2.s2.b7: a document larger than XAPI_DOCUMENT_MAX_BYTES is 413 (by Content-Length or chunked), judged
    before the parameters; one at the limit is stored, chunked or not."""
    monkeypatch.setitem(app.config, "XAPI_DOCUMENT_MAX_BYTES", 10_000)
    assert put(client, learner, b"x" * 10_001, "text/plain", stateId="big").status_code == 413
    assert put(client, learner, b"x" * 10_001, "text/plain", activityId="bad").status_code == 413
    path = state_url(learner, stateId="big")
    assert _put_chunked(live_server, learner, path, b"x" * 10_001) == 413
    assert get(client, learner, stateId="big").status_code == 404
    assert _put_chunked(live_server, learner, path, b"x" * 10_000) == 204
    assert len(get(client, learner, stateId="big").data) == 10_000
    assert put(client, learner, b"y" * 10_000, "text/plain", stateId="big").status_code == 204


def _put_chunked(live_server, caller, path: str, data: bytes) -> int:
    address = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        chunks = (data[i:i + 4096] for i in range(0, len(data), 4096))
        conn.request("PUT", path, body=chunks, encode_chunked=True,
                     headers={**caller.headers, "Content-Type": "text/plain", "Transfer-Encoding": "chunked"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_the_alternate_request_syntax_reaches_the_state_resource_1_3(client, learner):
    """Communication 1.3.s3: POST with `method` in the query and the headers, parameters and content as form
    fields is the request it stands for (the content is read as UTF-8 text)."""
    form = {"activityId": ACTIVITY, "agent": json.dumps(learner.agent), "stateId": "alt",
            "content": json.dumps({"ページ": 5}), "Content-Type": "application/json",
            "Authorization": learner.headers["Authorization"], "X-Experience-API-Version": "1.0.3"}
    response = client.post("/api/v1/xapi/activities/state?method=PUT", data=form,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 204, response.get_json()
    assert get(client, learner, stateId="alt").get_json() == {"ページ": 5}
    form = {k: v for k, v in form.items() if k not in ("content", "Content-Type")}
    response = client.post("/api/v1/xapi/activities/state?method=GET", data=form,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and response.get_json() == {"ページ": 5}


def test_a_document_sent_as_json_must_be_json_3_2_s3_b6(client, learner):
    """3.2.s3.b6: content that does not match its Content-Type is 400; application/json is held to the rules of
    every JSON body (nesting, numbers, hidden characters); the same bytes as text/plain are stored as sent."""
    for body in (b"{not json", b'{"a": NaN}', b"[" * 70 + b"]" * 70, b'{"a": "\\u202e"}', b"\xff"):
        assert put(client, learner, body, "application/json", stateId="j").status_code == 400, body
        assert put(client, learner, body, "text/plain", stateId="t").status_code == 204, body
    assert get(client, learner, stateId="j").status_code == 404
