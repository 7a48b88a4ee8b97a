"""Bad input against every write endpoint: always a 4xx problem+json, never a 5xx, and the database unchanged.

The corpus has two parts. Whole bodies (malformed, too deep, too large, not an object) go to every write
endpoint. Field values are derived from each endpoint's request schema in the OpenAPI spec (wrong types,
values past the declared bounds, text no database should store, injection strings in constrained fields,
impossible dates and prefecture codes, negative and fractional numbers), so a new endpoint is covered as
soon as it is in the spec. Each request carries a token of a role allowed to make it.
"""

import json
import uuid

import pytest

from lms.security import MAX_JSON_INTEGER, request_body_limit
from tests.api.security.conftest import (
    PROBLEM,
    ROLES,
    changed_tables,
    openapi_spec,
    snapshot,
)
from tests.api.security.endpoints import ROWS

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
SQL = "' OR '1'='1' --"
HTML = "<script>alert(1)</script>"
TEXT_THAT_IS_NEVER_STORED = {
    "NUL": "a\x00b",
    "unpaired surrogate": "a\ud800b",
    "bell": "a\x07b",
    "escape": "a\x1b[31mb",
    "C1 control": "a\x85b",
    "right-to-left override": "佐\u202e藤",
    "bidi isolate": "a\u2066b\u2069",
}
BAD_DATES = ["2026-02-30", "2025-02-29", "2026-13-01", "2026-00-10", "26-04-01", "2026/04/01", "0000-00-00",
             "+12026-04-01", "", SQL]
BAD_DATETIMES = ["2026-02-30T10:00:00+09:00", "2026-04-01T25:00:00+09:00", "2026-04-01T10:00:00+25:00",
                 "2026-04-01 10:00", "yesterday", "", SQL]
BAD_PREFECTURES = ["00", "48", "99", "1", "131", "ab", "１３", "١٣", " 13", "13 ", "13\n", SQL]


class Raw:
    """A JSON fragment spliced into the body as is (values json.dumps cannot write)."""

    def __init__(self, text: str) -> None:
        self.text = text


def _acting_role(row) -> str | None:
    """A role that gets past authentication and the role check: the admin if possible."""
    order = ["consortium_admin"] + [r for r in ROLES if r not in ("anonymous", "consortium_admin")]
    for wanted in (lambda s: 200 <= s < 300, lambda s: s not in (401, 403)):
        for role in order:
            if wanted(row.own[ROLES.index(role)]):
                return role
    return None


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _body_schema(spec: dict, row) -> dict | None:
    operation = spec["paths"].get(row.path, {}).get(row.method.lower(), {})
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    return _resolve(spec, schema) if schema else None


def _bad_values(name: str, schema: dict, spec: dict, valid) -> list[tuple[str, object]]:
    """(label, value) pairs that the property's schema refuses."""
    schema = _resolve(spec, schema)
    kind = schema.get("type")
    values: list[tuple[str, object]] = []
    if not schema.get("nullable") and not schema.get("x-nullable"):
        values.append(("null", None))
    if kind == "string":
        values += [("number for text", 12345), ("boolean for text", True), ("list for text", ["x"]),
                   ("object for text", {"x": 1})]
        values += [(f"text with {label}", text) for label, text in TEXT_THAT_IS_NEVER_STORED.items()]
        values.append(("100,000 characters", "x" * 100_000))
        if "maxLength" in schema:
            values.append(("one past maxLength", "x" * (schema["maxLength"] + 1)))
        if schema.get("minLength", 0) > 0:
            values.append(("empty", ""))
        constrained = "enum" in schema or "pattern" in schema or schema.get("format") in (
            "date", "date-time", "email", "uuid")
        if constrained:
            values += [("SQL injection", SQL), ("HTML injection", HTML), ("path traversal", "../../etc/passwd")]
        if schema.get("format") == "date":
            values += [(f"date {d!r}", d) for d in BAD_DATES]
        if schema.get("format") == "date-time":
            values += [(f"date-time {d!r}", d) for d in BAD_DATETIMES]
        if "prefecture_code" in name:
            values += [(f"prefecture {p!r}", p) for p in BAD_PREFECTURES]
    elif kind in ("integer", "number"):
        values += [("text for a number", "abc"), ("boolean for a number", True), ("list for a number", [1]),
                   ("too large", Raw("1e999")), ("beyond 2**53", MAX_JSON_INTEGER + 1),
                   ("NaN", Raw("NaN"))]
        if kind == "integer":
            values.append(("fractional", (valid if isinstance(valid, int) and not isinstance(valid, bool) else 1) + 0.5))
        if "minimum" in schema:
            values.append(("below minimum", schema["minimum"] - (1 if kind == "integer" else 0.5)))
            if schema["minimum"] >= 0:
                values.append(("negative", -1))
        if "maximum" in schema:
            values.append(("above maximum", schema["maximum"] + (1 if kind == "integer" else 0.5)))
    elif kind == "boolean":
        values += [("text for a boolean", "maybe"), ("number for a boolean", 2), ("list for a boolean", [True])]
    elif kind == "array":
        values += [("text for a list", "x"), ("object for a list", {"a": 1}), ("number for a list", 7)]
        if "maxItems" in schema:
            item = valid[0] if isinstance(valid, list) and valid else "x"
            values.append(("one past maxItems", [item] * (schema["maxItems"] + 1)))
        items = _resolve(spec, schema.get("items", {}))
        for label, value in _bad_values(name, items, spec, None)[:12]:
            if label != "null" or not items.get("nullable"):
                values.append((f"item: {label}", [value]))
    elif kind == "object" or "properties" in schema:
        values += [("text for an object", "x"), ("list for an object", [1]), ("number for an object", 7)]
        for key, prop in schema.get("properties", {}).items():
            base = dict(valid) if isinstance(valid, dict) else {}
            for label, value in _bad_values(key, prop, spec, base.get(key))[:8]:
                values.append((f"{key}: {label}", {**base, key: value}))
    return values


def _dumps(body) -> bytes:
    raws: dict[str, str] = {}

    def default(value):
        if isinstance(value, Raw):
            marker = f"@@raw{len(raws)}@@"
            raws[marker] = value.text
            return marker
        raise TypeError(type(value))

    text = json.dumps(body, default=default, ensure_ascii=True)
    for marker, fragment in raws.items():
        text = text.replace(json.dumps(marker), fragment)
    return text.encode()


def _write_rows():
    for row in ROWS:
        if row.method in WRITE_METHODS and _acting_role(row):
            yield pytest.param(row, id=f"{row.method} {row.path}")


def _post_raw(client, world, row, role: str, data: bytes):
    headers = {**world.headers(role), **row.headers, "Content-Type": "application/json"}
    return client.open(row.url(world, "own"), method=row.method, data=data, headers=headers)


def _check(response, label: str, problems: list[str], *, allowed=(400, 404, 409, 413, 422)) -> None:
    ok = response.status_code in allowed and response.mimetype == PROBLEM
    if ok:
        body = response.get_json()
        ok = body.get("status") == response.status_code and "title" in body and "type" in body
    if not ok:
        problems.append(f"{label}: {response.status_code} {response.mimetype} "
                        f"{response.get_data(as_text=True)[:160]!r}")


def _deep(levels: int) -> tuple[bytes, bytes]:
    return b"[" * levels + b"]" * levels, b'{"a":' * levels + b"1" + b"}" * levels


DEEP_LIST, DEEP_OBJECT = _deep(10_000)
MALFORMED = {
    "truncated": b'{"a": ',
    "single quotes": b"{'a': 1}",
    "trailing comma": b'{"a": 1,}',
    "comment": b'{"a": 1 /* x */}',
    "not UTF-8": b'{"a": "\xff\xfe"}',
    "byte order mark": b'\xef\xbb\xbf{"a": 1}',
    "NaN literal": b'{"a": NaN}',
    "Infinity literal": b'{"a": -Infinity}',
    "5,000-digit integer": b'{"a": ' + b"9" * 5000 + b"}",
    "10,000 nested lists": DEEP_LIST,
    "10,000 nested objects": DEEP_OBJECT,
    "65 nested lists": _deep(65)[0],
}
NOT_AN_OBJECT = {"empty list": b"[]", "list": b"[1, 2]", "number": b"1", "text": b'"text"', "null": b"null",
                 "true": b"true"}


@pytest.mark.parametrize("row", list(_write_rows()))
def test_malformed_and_oversized_bodies_are_4xx_and_change_nothing(app, client, world, row):
    role = _acting_role(row)
    before = snapshot(app)
    problems: list[str] = []
    # the CSV import judges its media type before reading its body: a JSON body there is 415 (API.md)
    malformed = (415,) if row.kind == "csv" else (400,)
    for label, data in MALFORMED.items():
        _check(_post_raw(client, world, row, role, data), label, problems, allowed=malformed)
    with app.test_request_context(row.url(world, "own"), method=row.method):
        limit = request_body_limit()  # MAX_CONTENT_LENGTH unless the view declares its own (a CSV import)
    big = b'{"a": "' + b"x" * (limit + 1) + b'"}'
    _check(_post_raw(client, world, row, role, big), "over the body limit", problems, allowed=(413,))
    schema = _body_schema(openapi_spec(app), row)
    if schema is not None and schema.get("type", "object") == "object" and "properties" in schema:
        for label, data in NOT_AN_OBJECT.items():
            _check(_post_raw(client, world, row, role, data), f"{label} for an object", problems)
    changed = changed_tables(before, snapshot(app))
    assert not problems and not changed, "\n".join(problems) + f"\nchanged tables: {changed}"


@pytest.mark.parametrize("row", [p for p in _write_rows() if p.values[0].kind == "json" and p.values[0].body])
def test_bad_field_values_are_4xx_and_change_nothing(app, client, world, row):
    spec = openapi_spec(app)
    schema = _body_schema(spec, row)
    role = _acting_role(row)
    valid = row.body(world, "own", role)
    if schema is None or not isinstance(valid, dict):
        pytest.skip("not a JSON object body (the xAPI statements have their own corpus below)")
    before = snapshot(app)
    problems: list[str] = []
    sent = 0
    for name, prop in schema.get("properties", {}).items():
        for label, value in _bad_values(name, prop, spec, valid.get(name)):
            response = _post_raw(client, world, row, role, _dumps({**valid, name: value}))
            _check(response, f"{name}: {label}", problems)
            sent += 1
    changed = changed_tables(before, snapshot(app))
    assert sent, "the schema names no property"
    assert not problems and not changed, "\n".join(problems) + f"\nchanged tables: {changed}"


def test_every_text_field_of_every_request_body_is_bounded(app):
    """An unbounded text field lets a client store up to MAX_CONTENT_LENGTH in one value."""
    spec = openapi_spec(app)
    unbounded = []

    def visit(where: str, schema: dict, depth: int = 0) -> None:
        schema = _resolve(spec, schema)
        if schema.get("type") == "string" and "maxLength" not in schema and "enum" not in schema \
                and schema.get("format") not in ("date", "date-time", "uuid", "binary") and "pattern" not in schema:
            unbounded.append(where)
        if schema.get("type") == "array" and depth < 4:
            visit(f"{where}[]", schema.get("items", {}), depth + 1)
        for key, prop in schema.get("properties", {}).items():
            if depth < 4:
                visit(f"{where}.{key}", prop, depth + 1)

    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {}) if isinstance(operation, dict) else {}
            schema = content.get("application/json", {}).get("schema")
            if schema:
                visit(f"{method.upper()} {path}", schema)
    assert not unbounded, f"text fields without maxLength: {unbounded}"


def test_bad_path_values_are_4xx(app, client, world):
    """Free-text path parameters (codes, module codes, formats) with injection and NUL."""
    problems: list[str] = []
    values = [SQL, HTML, "..%2F..%2Fsecret", "%00", "x" * 5000, "%E2%80%AE13"]
    before = snapshot(app)
    for row in ROWS:
        role = _acting_role(row) or "consortium_admin"
        free = [p for p in ("code", "module_code", "fmt") if "{" + p + "}" in row.path]
        for param in free:
            for value in values:
                url = row.path.format(**{**world.objects["own"], **{k: world.objects["own"][v]
                                                                   for k, v in row.ids.items()}, param: value})
                response = client.open(url, method=row.method, headers=world.headers(role),
                                       json=row.body(world, "own", role) if row.body and row.kind == "json" else None)
                allowed_html = row.path.startswith(("/verify/", "/public/")) and response.mimetype == "text/html"
                if response.status_code not in (400, 404, 405, 422) or not (
                        response.mimetype == PROBLEM or allowed_html):
                    problems.append(f"{row.method} {url[:120]}: {response.status_code} {response.mimetype}")
    changed = changed_tables(before, snapshot(app))
    assert not problems and not changed, "\n".join(problems) + f"\nchanged tables: {changed}"


def test_bad_xapi_statements_are_4xx_and_change_nothing(app, client, world):
    learner = {**world.headers("learner"), "X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}

    def statement(**changes) -> dict:
        base = {"id": str(uuid.uuid4()),
                "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example.jp",
                                                             "name": world.objects["own"]["learner_id"]}},
                "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
                "object": {"objectType": "Activity", "id": "https://lms.example.jp/modules/GF02"},
                "result": {"score": {"scaled": 0.9}},
                "context": {"registration": world.objects["own"]["enrollment_id"]},
                "timestamp": "2026-04-02T10:00:00+09:00"}
        return {**base, **changes}

    corpus = {
        "id not a UUID": [statement(id=SQL)],
        "actor name with NUL": [statement(actor={"account": {"name": "a\x00b"}})],
        "someone else as actor": [statement(actor={"account": {"homePage": "x",
                                                               "name": world.objects["other"]["learner_id"]}})],
        "registration of someone else": [statement(context={"registration": world.objects["other"]["enrollment_id"]})],
        "registration not a UUID": [statement(context={"registration": SQL})],
        "verb not an IRI": [statement(verb={"id": HTML})],
        "score out of range": [statement(result={"score": {"scaled": 7}})],
        "score NaN": Raw("NaN"),
        "timestamp impossible": [statement(timestamp="2026-02-30T10:00:00+09:00")],
        "timestamp in the future": [statement(timestamp="2099-01-01T00:00:00+09:00")],
        "list of numbers": [1, 2, 3],
        "object of nulls": {"id": None, "actor": None},
        "empty list": [],
        "1,001 statements": [statement() for _ in range(1001)],
    }
    problems: list[str] = []
    for label, body in corpus.items():
        before = snapshot(app)
        data = body.text.encode() if isinstance(body, Raw) else _dumps(body)
        response = client.post("/api/v1/xapi/statements", data=data, headers=learner)
        _check(response, label, problems, allowed=(400, 403, 404, 409, 413, 422))
        if changed := changed_tables(before, snapshot(app)):
            problems.append(f"{label}: changed {changed}")
    assert not problems, "\n".join(problems)


def test_naive_and_future_times_are_refused(client, world, app):
    url = f"/api/v1/enrollments/{world.objects['own']['enrollment_id']}/modules/GF01"
    before = snapshot(app)
    for occurred_at in ("2026-04-02T10:00:00", "2099-04-02T10:00:00+09:00"):
        response = client.put(url, json={"status": "completed", "occurred_at": occurred_at},
                              headers=world.headers("learner"))
        assert response.status_code == 422 and "occurred_at" in response.get_json()["errors"]["json"]
    assert changed_tables(before, snapshot(app)) == []


def test_injection_strings_in_free_text_are_stored_verbatim_and_never_run(client, world, app):
    """Free text may contain anything printable: it is bound as a parameter, stored as sent, escaped on pages."""
    learner = world.headers("learner")
    for text in (SQL, "'); DROP TABLE learners; --", HTML, "Robert\"); DELETE FROM users; --"):
        response = client.patch("/api/v1/learners/me", json={"workplace_name": text}, headers=learner)
        assert response.status_code == 200 and response.get_json()["workplace_name"] == text
        assert client.get("/api/v1/learners/me", headers=learner).get_json()["workplace_name"] == text
    reason = "<img src=x onerror=alert(1)> '; DROP TABLE enrollments; --"
    moved = client.post(f"/api/v1/enrollments/{world.objects['own']['enrollment_id']}/transitions",
                        json={"to": "suspended", "reason": reason}, headers=world.headers("consortium_admin"))
    assert moved.status_code == 200 and moved.get_json()["status_reason"] == reason
    assert client.get("/api/v1/learners", headers=world.headers("consortium_admin")).status_code == 200


def test_the_verification_page_escapes_what_it_shows(client, world, app):
    from sqlalchemy import update

    from lms.certificates.models import Certificate
    from lms.extensions import db

    with app.app_context():
        db.session.execute(update(Certificate).where(Certificate.id == world.objects["own"]["certificate_id"])
                           .values(holder_name=HTML, program_title="<b>x</b>"))
        db.session.commit()
    page = client.get(f"/verify/{world.objects['own']['verification_code']}", headers={"Accept": "text/html"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and HTML not in html and "&lt;script&gt;" in html and "<b>x</b>" not in html


def test_json_hygiene_is_enforced_before_any_view(client, world):
    """The same answers on a public endpoint, a protected one and one that takes no body."""
    for path, headers in (("/api/v1/auth/token", {}), ("/api/v1/users", world.headers("consortium_admin")),
                          (f"/api/v1/learners/{world.objects['own']['learner_id']}/erase",
                           world.headers("consortium_admin"))):
        deep = client.post(path, data=DEEP_OBJECT, headers={**headers, "Content-Type": "application/json"})
        assert deep.status_code == 400 and deep.mimetype == PROBLEM
        nul = client.post(path, data=b'{"email": "a\\u0000@example.jp", "password": "x"}',
                          headers={**headers, "Content-Type": "application/json"})
        assert nul.status_code == 422 and "email" in nul.get_json()["errors"]["json"]
    assert client.get("/api/v1/programs?x=%00").status_code == 400
