"""The order of checks of API.md, for every operation: authentication (401 with `WWW-Authenticate`) and role
(403) before anything of the body or query is read; then the body's presence, size and media type (400, 413,
415); then validation. Bodies over the limit are 413 however they arrive, and nothing is stored."""

import http.client
import json
from urllib.parse import urlsplit

import pytest

from lms.security import request_body_limit
from tests.api.security.conftest import PROBLEM, ROLES, changed_tables, openapi_spec, snapshot
from tests.api.security.endpoints import ROWS, registration
from tests.api.security.test_bad_input import _acting_role

# invalid in every way the old request hook judged before authentication: NUL in text, nested too deep
BAD_BODY = b'{"email": "a\\u0000b", "x": ' + b"[" * 70 + b"]" * 70 + b"}"
JSON = {"Content-Type": "application/json"}
XAPI = "/api/v1/xapi/statements"


def _operation(spec: dict, row) -> dict:
    return spec["paths"].get(row.path, {}).get(row.method.lower(), {})


def _json_body(operation: dict) -> dict | None:
    body = operation.get("requestBody", {})
    return body if "application/json" in body.get("content", {}) else None


def _refused(response, status: int, label: str, problems: list[str], scheme: str = "Bearer") -> None:
    if response.status_code != status or response.mimetype != PROBLEM:
        problems.append(f"{label}: {response.status_code}, expected {status}: "
                        f"{response.get_data(as_text=True)[:160]!r}")
    elif status == 401 and not response.headers.get("WWW-Authenticate", "").startswith(scheme):
        problems.append(f"{label}: 401 without WWW-Authenticate: {scheme}")


@pytest.mark.parametrize("row", [pytest.param(row, id=f"{row.method} {row.path}") for row in ROWS])
def test_every_operation_judges_the_caller_before_the_body_and_the_media_type_before_the_fields(
        app, client, world, row):
    operation = _operation(openapi_spec(app), row)
    body = _json_body(operation)
    url = row.url(world, "own")
    before = snapshot(app)
    problems: list[str] = []
    sent = 0
    if row.own[0] == 401:
        # the LRS's resources challenge for Basic credentials (xAPI Communication 4.0)
        scheme = "Basic" if {"basicAuth": []} in operation.get("security", []) else "Bearer"
        response = client.open(f"{url}{'&' if '?' in url else '?'}page=%00", method=row.method, data=BAD_BODY,
                               headers={**row.headers, **JSON})
        _refused(response, 401, "no token, a bad body and a NUL in the query", problems, scheme)
        sent += 1
    wrong = next((role for role in ROLES if row.own[ROLES.index(role)] == 403), None)
    if wrong:
        response = client.open(f"{url}{'&' if '?' in url else '?'}page=%00", method=row.method, data=BAD_BODY,
                               headers={**world.headers(wrong), **row.headers, **JSON})
        _refused(response, 403, f"{wrong}, a bad body and a NUL in the query", problems)
        sent += 1
    role = _acting_role(row)
    if body is not None and role:
        headers = {**world.headers(role), **row.headers}
        for media_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml",
                           "application/json; charset=latin-1"):
            response = client.open(url, method=row.method, data=b'{"a": 1}',
                                   headers={**headers, "Content-Type": media_type})
            _refused(response, 415, f"{role} with {media_type}", problems)
        response = client.open(url, method=row.method, data=b'{"a": 1}', headers=headers)
        _refused(response, 415, f"{role} with a body and no Content-Type", problems)
        if body.get("required"):
            for label, data in (("no body", None), ("an empty body", b""), ("only white space", b" \r\n")):
                response = client.open(url, method=row.method, data=data, headers={**headers, **JSON})
                _refused(response, 400, f"{role} with {label}", problems)
        sent += 1
    if not sent:
        pytest.skip("public, and takes no JSON body")
    assert not problems, "\n".join(problems)
    assert changed_tables(before, snapshot(app)) == []


def test_no_token_and_an_invalid_body_is_401_with_www_authenticate(app, client, world):
    before = snapshot(app)
    response = client.post("/api/v1/users", data=BAD_BODY, headers={**JSON, "Idempotency-Key": "k-1"})
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")
    assert "errors" not in response.get_json()
    assert changed_tables(before, snapshot(app)) == []


def test_a_learner_with_an_invalid_body_is_403_and_learns_no_rule(app, client, world):
    before = snapshot(app)
    response = client.post("/api/v1/users", data=b'{"email": "a\\u0000b", "role": "nobody"}',
                           headers={**world.headers("learner"), **JSON, "Idempotency-Key": "k-2"})
    assert response.status_code == 403 and "errors" not in response.get_json()
    assert changed_tables(before, snapshot(app)) == []


def test_a_refused_media_type_leaves_the_idempotency_key_unused(app, client, world):
    admin = {**world.headers("consortium_admin"), "Idempotency-Key": "k-3"}
    body = {"email": "new-user@example.jp", "password": "correct-horse-1", "role": "learner"}
    refused = client.post("/api/v1/users", data=json.dumps(body), headers={**admin, "Content-Type": "text/plain"})
    assert refused.status_code == 415
    created = client.post("/api/v1/users", json=body, headers=admin)
    assert created.status_code == 201 and "Idempotent-Replayed" not in created.headers


def test_patch_without_a_body_is_400_and_changes_nothing(app, client, world):
    before = snapshot(app)
    for url, role in (("/api/v1/learners/me", "learner"),
                      (f"/api/v1/ojt-sites/{world.objects['own']['site_id']}", "consortium_admin")):
        response = client.patch(url, headers=world.headers(role))
        assert response.status_code == 400 and response.mimetype == PROBLEM, url
    assert changed_tables(before, snapshot(app)) == []


def _statement(world, **changes) -> dict:
    return {"actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example.jp",
                                                         "name": world.objects["own"]["learner_id"]}},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
            "object": {"objectType": "Activity", "id": "https://lms.example.jp/modules/GF01"},
            "context": {"registration": world.objects["own"]["enrollment_id"]}, **changes}


def test_xapi_statements_of_another_media_type_are_415_and_never_stored(app, client, world):
    """text/plain skipped every check: 4,000 "[" were a 500 (RecursionError), NUL and U+202E were stored."""
    learner = {**world.headers("learner"), "X-Experience-API-Version": "1.0.3"}
    before = snapshot(app)
    hidden = _statement(world, verb={"id": "http://adlnet.gov/expapi/verbs/completed",
                                     "display": {"en": "com\u0000ple\u202eted"}})
    for data in (b"[" * 4000, json.dumps([hidden]).encode()):
        for media_type in ("text/plain", "application/x-www-form-urlencoded", None):
            headers = {**learner, "Content-Type": media_type} if media_type else learner
            response = client.post(XAPI, data=data, headers=headers)
            assert response.status_code == 415 and response.mimetype == PROBLEM, (media_type, data[:20])
    deep = client.post(XAPI, data=b"[" * 4000, headers={**learner, **JSON})
    assert deep.status_code == 400
    smuggled = client.post(XAPI, data=json.dumps([hidden]), headers={**learner, **JSON})
    # xAPI answers a statement it refuses with 400 (Communication 2.1.2), naming what was refused
    assert smuggled.status_code == 400 and "_body" in smuggled.get_json()["errors"]["json"]
    assert changed_tables(before, snapshot(app)) == []


def test_xapi_takes_json_with_parameters(client, world):
    response = client.post(XAPI, data=json.dumps(_statement(world)),
                           headers={**world.headers("learner"), "X-Experience-API-Version": "1.0.3",
                                    "Content-Type": "application/json; charset=UTF-8"})
    assert response.status_code == 200 and len(response.get_json()) == 1


def test_every_operation_with_a_json_body_documents_413_and_415(app):
    spec = openapi_spec(app)
    missing = [f"{method.upper()} {path}: {status}"
               for path, operations in spec["paths"].items() for method, operation in operations.items()
               if isinstance(operation, dict) and _json_body(operation)
               for status in ("400", "413", "415") if status not in operation.get("responses", {})]
    assert not missing, missing


# --- bodies over the limit, however they arrive ------------------------------------------------------

def _send_chunked(server, path: str, data: bytes, headers: dict) -> tuple[int, dict]:
    host = urlsplit(server.url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
    try:
        chunks = (data[i:i + 65_536] for i in range(0, len(data), 65_536))
        conn.request("POST", path, body=chunks, headers=headers, encode_chunked=True)
        response = conn.getresponse()
        return response.status, json.loads(response.read() or b"null")
    finally:
        conn.close()


def _limit(app, path: str) -> int:
    with app.test_request_context(path, method="POST"):
        return request_body_limit()


def test_a_chunked_body_over_the_limit_is_413_and_stores_nothing(app, world, live_server):
    """werkzeug stopped reading a chunked body at the limit without a word: a registration padded past 2 MB
    was stored from its first 2 MB (201), an application was cut into invalid JSON (400)."""
    limit = _limit(app, "/api/v1/learners/register")
    before = snapshot(app)
    padded = json.dumps(registration(world, "own", "anonymous")).encode() + b" " * limit
    status, body = _send_chunked(live_server, "/api/v1/learners/register", padded, JSON)
    assert status == 413 and body["status"] == 413
    application = json.dumps({"program_code": "OJT-2026", "learner_id": world.objects["own"]["learner_id"],
                              "note": "x" * limit}).encode()
    status, _ = _send_chunked(live_server, "/api/v1/enrollments", application,
                              {**JSON, **world.headers("consortium_admin")})
    assert status == 413
    assert changed_tables(before, snapshot(app)) == []


def test_a_chunked_body_within_the_limit_is_read_whole(app, world, live_server):
    body = json.dumps(registration(world, "own", "anonymous")).encode()
    status, created = _send_chunked(live_server, "/api/v1/learners/register", body + b" " * 100_000, JSON)
    assert status == 201 and created["family_name"] == "佐藤"


def test_a_body_over_the_limit_by_content_length_is_413_after_authentication(app, client, world):
    big = b'{"program_code": "' + b"x" * _limit(app, "/api/v1/enrollments") + b'"}'
    anonymous = client.post("/api/v1/enrollments", data=big, headers=JSON)
    assert anonymous.status_code == 401
    admin = client.post("/api/v1/enrollments", data=big, headers={**JSON, **world.headers("consortium_admin")})
    assert admin.status_code == 413 and admin.mimetype == PROBLEM
