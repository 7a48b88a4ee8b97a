"""Refusing input costs little whatever it holds (API.md: no body within the limit takes more than 100 ms to
refuse). The walk reads every request body and query of the OpenAPI spec, and gives each string and array it
declares (nested objects and arrays included) the worst it can hold: text filling the body limit, a run of the
characters its pattern accepts ended by one it refuses (what makes a backtracking pattern slow), and an array
filling the body limit. Each request carries a token of a role allowed to make it and must be refused with a 4xx
in under 100 ms of the server thread's CPU time (CPU time, so that a busy machine does not fail the test)."""

import gc
import json
import re._parser as sre_parse
import time
import uuid

import pytest

from lms.security import request_body_limit
from tests.api.security.conftest import PROBLEM, changed_tables, openapi_spec, snapshot
from tests.api.security.endpoints import ROWS
from tests.api.security.test_bad_input import _acting_role

BUDGET_SECONDS = 0.1
# a request line longer than this is refused by the front server before the app sees it (nginx's default)
QUERY_VALUE_LENGTH = 8_000
# kept as slack below the body limit for the rest of the body and JSON escapes
SLACK = 4_096
# a character that few patterns accept, to end a run of characters they do
REFUSED_END = "!"
_CATEGORY_SAMPLES = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}
SLOWEST: list[tuple[float, str]] = []


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _alphabet(pattern: str) -> list[str]:
    """Printable characters a pattern names (literals, range ends, class samples), plus 'a' and '0'."""
    found: set[int] = set()

    def walk(items) -> None:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                found.add(arg)
            elif name == "IN":
                for inner, value in arg:
                    if str(inner) == "LITERAL":
                        found.add(value)
                    elif str(inner) == "RANGE":
                        found.update(value)
                    elif str(inner) == "CATEGORY":
                        found.update(ord(c) for c in _CATEGORY_SAMPLES.get(str(value), ""))
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                walk(arg[2])
            elif name in ("SUBPATTERN", "ATOMIC_GROUP"):
                walk(arg[-1])
            elif name == "BRANCH":
                for branch in arg[1]:
                    walk(branch)
            elif name in ("ASSERT", "ASSERT_NOT"):
                walk(arg[1])

    walk(sre_parse.parse(pattern))
    chars = {chr(c) for c in found if chr(c).isprintable() and not 0xD800 <= c <= 0xDFFF} | {"a", "0"}
    return sorted(chars - {REFUSED_END})


def _leaves(spec: dict, schema: dict, valid, path: tuple = (), depth: int = 0):
    """(path, schema) of every string and array in a body schema, following the shape of a valid body."""
    schema = _resolve(spec, schema)
    if "oneOf" in schema:
        kinds = {list: "array", dict: "object"}
        for option in schema["oneOf"]:
            option = _resolve(spec, option)
            if option.get("type", "object") == kinds.get(type(valid), "object"):
                yield from _leaves(spec, option, valid, path, depth)
                return
        return
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "string":
        yield path, schema
    elif kind == "array":
        yield path, schema
        if depth < 6:
            item = valid[0] if isinstance(valid, list) and valid else None
            yield from _leaves(spec, schema.get("items", {}), item, (*path, 0), depth + 1)
    elif kind == "object" and depth < 6:
        for key, prop in schema.get("properties", {}).items():
            yield from _leaves(spec, prop, valid.get(key) if isinstance(valid, dict) else None, (*path, key),
                               depth + 1)


def _put(body, path: tuple, value):
    """A copy of `body` with `value` at `path` (missing objects and arrays created on the way)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(head, int):
        items = list(body) if isinstance(body, list) and body else [{} if rest and isinstance(rest[0], str) else ""]
        items[0] = _put(items[0], rest, value)
        return items
    container = dict(body) if isinstance(body, dict) else {}
    container[head] = _put(container.get(head), rest, value)
    return container


def _dumps(body) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode()


def _text_values(schema: dict, room: int) -> list[tuple[str, str, bool]]:
    """(label, value, must be refused) for a string: filling the body, and the worst case of its pattern."""
    values = [("text filling the body", "x" * room, True)]
    pattern = schema.get("pattern")
    if pattern:
        for char in _alphabet(pattern):
            run = room // len(_dumps(char)[1:-1])
            values.append((f"{char!r} × {run:,} + {REFUSED_END!r}", char * run + REFUSED_END, True))
            if "maxLength" in schema:  # the pattern's worst case within the length it allows
                values.append((f"{char!r} × maxLength", char * (schema["maxLength"] - 1) + REFUSED_END, False))
    if schema.get("format") == "email":
        values += [("e-mail local part filling the body", "a" * room + "@example.jp", True),
                   ("e-mail domain filling the body", "a@" + "a." * (room // 2) + REFUSED_END, True)]
    return values


def _array_values(spec: dict, schema: dict, valid, room: int) -> list[tuple[str, list, bool]]:
    items = _resolve(spec, schema.get("items", {}))
    if isinstance(valid, list) and valid:
        item = valid[0]
    elif items.get("format") == "uuid" or items.get("pattern", "").startswith("^[0-9a-fA-F]{8}"):
        item = str(uuid.uuid4())
    else:
        item = {"string": "x", "integer": 1, "number": 1, "boolean": True}.get(items.get("type"), {})
    count = room // (len(_dumps(item)) + 2)
    return [(f"{count:,} items", [item] * count, True)]


def _timed(client, *args, **kwargs):
    # The test process's own heap (every earlier test's objects) is frozen out of the garbage collector
    # while the request runs: a full collection of it, set off by the request's allocations, would be the
    # suite's cost, not the server's. The request's own garbage is still collected and counted.
    gc.collect()
    gc.freeze()
    try:
        started = time.thread_time()
        response = client.open(*args, **kwargs)
        return response, time.thread_time() - started
    finally:
        gc.unfreeze()


def _judge(response, seconds: float, label: str, must_refuse: bool, problems: list[str]) -> None:
    SLOWEST.append((seconds, label))
    if response.status_code >= 500 or (must_refuse and not (400 <= response.status_code < 500)):
        problems.append(f"{label}: {response.status_code} {response.get_data(as_text=True)[:160]!r}")
    elif 400 <= response.status_code < 500:
        if response.mimetype != PROBLEM:
            problems.append(f"{label}: {response.status_code} {response.mimetype}")
        if seconds > BUDGET_SECONDS:
            problems.append(f"{label}: refused in {seconds * 1000:.0f} ms of CPU time")


def _body_rows():
    for row in ROWS:
        if row.body is not None and row.kind == "json" and _acting_role(row):
            yield pytest.param(row, id=f"{row.method} {row.path}")


@pytest.mark.parametrize("row", list(_body_rows()))
def test_every_string_and_array_of_a_request_body_is_refused_quickly(app, client, world, row):
    spec = openapi_spec(app)
    operation = spec["paths"][row.path][row.method.lower()]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    role = _acting_role(row)
    valid = row.body(world, "own", role)
    with app.test_request_context(row.url(world, "own"), method=row.method):
        limit = request_body_limit()
    headers = {**world.headers(role), **row.headers, "Content-Type": "application/json"}
    before = snapshot(app)
    problems: list[str] = []
    refused_only = True
    leaves = list(_leaves(spec, schema, valid))
    assert leaves, "the body schema names no string or array"
    for path, leaf in leaves:
        room = limit - len(_dumps(_put(valid, path, ""))) - SLACK
        current = valid
        for key in path:
            current = current[key] if isinstance(current, dict | list) and _has(current, key) else None
        values = (_text_values(leaf, room) if leaf.get("type") == "string"
                  else _array_values(spec, leaf, current, room))
        for label, value, must_refuse in values:
            data = _dumps(_put(valid, path, value))
            assert len(data) <= limit, f"{label} does not fit the body limit"
            response, seconds = _timed(client, row.url(world, "own"), method=row.method, data=data, headers=headers)
            _judge(response, seconds, f"{row.method} {row.path} {'.'.join(map(str, path))}: {label}", must_refuse,
                   problems)
            refused_only = refused_only and response.status_code >= 400
    assert not problems, "\n".join(problems)
    if refused_only:
        assert changed_tables(before, snapshot(app)) == []


def _has(container, key) -> bool:
    return key in container if isinstance(container, dict) else isinstance(key, int) and len(container) > key


def test_every_query_parameter_is_refused_quickly(app, client, world):
    spec = openapi_spec(app)
    problems: list[str] = []
    sent = 0
    for row in ROWS:
        operation = spec["paths"].get(row.path, {}).get(row.method.lower(), {})
        params = [p for p in operation.get("parameters", []) if p.get("in") == "query"]
        role = _acting_role(row)
        if not params or role is None:
            continue
        for param in params:
            schema = _resolve(spec, param.get("schema", {}))
            if schema.get("type") == "string":
                values = [(label, value) for label, value, _ in _text_values(schema, QUERY_VALUE_LENGTH)]
            elif schema.get("type") in ("integer", "number"):
                values = [("digits filling the line", "9" * QUERY_VALUE_LENGTH)]
            elif schema.get("type") == "array":
                values = [("repeated", ["x"] * (QUERY_VALUE_LENGTH // 4))]
            else:
                continue
            for label, value in values:
                response, seconds = _timed(client, row.url(world, "own").partition("?")[0], method="GET",
                                           query_string={param["name"]: value}, headers=world.headers(role))
                _judge(response, seconds, f"GET {row.path}?{param['name']}: {label}", True, problems)
                sent += 1
    assert sent, "no query parameter was tried"
    assert not problems, "\n".join(problems)


def test_a_long_kana_name_is_refused_at_once(client):
    """The kana pattern ran after `Length` had already failed, and backtracked: 40,000 characters took 4 s."""
    body = {"family_name": "山田", "given_name": "太郎", "family_name_kana": "ア" * 40_000 + "a",
            "given_name_kana": "タロウ"}
    response, seconds = _timed(client, "/api/v1/learners/register", method="POST", data=_dumps(body),
                               headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and "family_name_kana" in response.get_json()["errors"]["json"]
    assert seconds < BUDGET_SECONDS, f"{seconds:.2f} s"


def test_twenty_thousand_preferences_are_refused_before_any_is_read(app, client, world):
    """Every id was parsed and compared with every other before maxItems refused the list: 3.7 s."""
    body = {"enrollment_id": world.objects["own"]["enrollment_id"],
            "site_ids": [str(uuid.uuid4()) for _ in range(20_000)]}
    before = snapshot(app)
    response, seconds = _timed(client, f"/api/v1/matching-rounds/{world.objects['own']['round_id']}/preferences",
                               method="PUT", data=_dumps(body),
                               headers={**world.headers("learner"), "Content-Type": "application/json"})
    assert response.status_code == 422 and "site_ids" in response.get_json()["errors"]["json"]
    assert seconds < BUDGET_SECONDS, f"{seconds:.2f} s"
    assert changed_tables(before, snapshot(app)) == []


def test_a_repeated_site_is_named_once(client, world):
    site = world.objects["own"]["site_id"]
    response = client.put(f"/api/v1/matching-rounds/{world.objects['own']['round_id']}/preferences",
                          json={"enrollment_id": world.objects["own"]["enrollment_id"], "site_ids": [site] * 3},
                          headers=world.headers("learner"))
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["site_ids"] == [f"listed more than once: {site}"]


@pytest.fixture(scope="module", autouse=True)
def _report_the_slowest():
    yield
    if SLOWEST:
        seconds, label = max(SLOWEST)
        print(f"\nslowest refusal of {len(SLOWEST)}: {seconds * 1000:.1f} ms CPU — {label}")
