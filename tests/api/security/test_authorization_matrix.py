"""Every endpoint × every role × own/other object answers as the table in endpoints.py says, and no role
can set a field it must not through any write endpoint."""

import pytest

from tests.api.security.conftest import (
    PROBLEM,
    ROLES,
    SIDES,
    app_endpoints,
    changed_tables,
    openapi_spec,
    snapshot,
)
from tests.api.security.endpoints import BY_KEY, ROWS, send

CASES = [pytest.param(row, role, side, id=f"{row.method} {row.path} {role} {side}")
         for row in ROWS for role in ROLES for side in SIDES if side == "own" or row.other is not None]


def test_every_route_of_the_app_has_a_row(app):
    missing = sorted(app_endpoints(app) - BY_KEY.keys())
    assert not missing, f"add these endpoints to tests/api/security/endpoints.py: {missing}"


def test_every_row_names_a_route_of_the_app(app):
    stale = sorted(BY_KEY.keys() - app_endpoints(app))
    assert not stale, f"these endpoints are gone or renamed: {stale}"


_SPEC: dict = {}


def _operation(app, row) -> dict:
    if not _SPEC:
        _SPEC.update(openapi_spec(app))
    return _SPEC["paths"].get(row.path, {}).get(row.method.lower(), {})


@pytest.mark.parametrize("row,role,side", CASES)
def test_access(app, client, world, row, role, side):
    expected = row.expected(side)[ROLES.index(role)]
    refused_write = expected >= 400 and row.method != "GET"
    before = snapshot(app) if refused_write else None
    response = send(client, world, row, role, side)
    assert response.status_code == expected, (
        f"{row.method} {row.url(world, side)} as {role} ({side}): {response.status_code}, expected {expected}: "
        f"{response.get_data(as_text=True)[:300]}")
    if expected >= 400:
        assert response.mimetype == PROBLEM
    if expected == 401:  # the LRS's resources challenge for Basic credentials (xAPI Communication 4.0)
        scheme = "Basic" if {"basicAuth": []} in _operation(app, row).get("security", []) else "Bearer"
        assert response.headers["WWW-Authenticate"].startswith(scheme)
    if refused_write:
        assert changed_tables(before, snapshot(app)) == [], "a refused request changed data"


# --- mass assignment --------------------------------------------------------------------------------

# Fields that only the system (or a more privileged role, through another endpoint) sets. Sent to an
# endpoint whose request schema does not accept them, they must be refused (422) and change nothing.
FORBIDDEN_FIELDS = {
    "id": "00000000-0000-4000-8000-000000000000",
    "status": "completed",
    "role": "consortium_admin",
    "is_active": True,
    "password_hash": "x",
    "organization_code": "JHA",
    "prefecture_code": "27",
    "site_ids": [],
    "fiscal_year": 2001,
    "capacity": 999,
    "annual_capacity": 999,
    "learner_id": "00000000-0000-4000-8000-000000000000",
    "user_id": "00000000-0000-4000-8000-000000000000",
    "enrollment_id": "00000000-0000-4000-8000-000000000000",
    "ever_active": True,
    "completed_at": "2020-01-01T00:00:00+00:00",
    "erased_at": "2020-01-01T00:00:00+00:00",
    "certificate_number": "RC-2020-000001",
    "sha256": "0" * 64,
    "reviewed_by": "00000000-0000-4000-8000-000000000000",
    "approved_hours": 80,
    "created_at": "2020-01-01T00:00:00+00:00",
}


def _request_fields(spec: dict, row) -> set[str] | None:
    """The JSON body properties the spec accepts for the row, or None when it takes no JSON object."""
    operation = spec["paths"].get(row.path, {}).get(row.method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if schema.get("type", "object") != "object" or "properties" not in schema:
        return None
    return set(schema["properties"])


def _writers():
    """(row, role) for every JSON write endpoint and every role it accepts."""
    for row in ROWS:
        if row.method in ("GET", "DELETE") or row.body is None or row.kind != "json":
            continue
        for role, status in zip(ROLES, row.own, strict=True):
            if 200 <= status < 300:
                yield pytest.param(row, role, id=f"{row.method} {row.path} {role}")


@pytest.mark.parametrize("row,role", list(_writers()))
def test_no_role_can_set_a_field_the_endpoint_does_not_take(app, client, world, row, role):
    from tests.api.security.conftest import openapi_spec

    accepted = _request_fields(openapi_spec(app), row)
    if accepted is None:
        pytest.skip("the body is not a JSON object (xAPI statements are checked in the bad-input corpus)")
    fields = {name: value for name, value in FORBIDDEN_FIELDS.items() if name not in accepted}
    # xAPI answers a statement with a property it does not define with 400 (xAPI 1.0.3 Data 2.2)
    refused = 400 if row.path == "/api/v1/xapi/statements" else 422
    before = snapshot(app)
    problems = []
    for name, value in fields.items():
        response = send(client, world, row, role, "own", extra={name: value})
        errors = (response.get_json(silent=True) or {}).get("errors", {}).get("json", {})
        if response.status_code != refused or name not in errors:
            problems.append(f"{name}: {response.status_code} {response.get_data(as_text=True)[:200]}")
    changed = changed_tables(before, snapshot(app))
    assert not problems and not changed, "\n".join(problems) + f"\nchanged tables: {changed}"


def test_a_learner_cannot_move_their_enrolments_prefecture_or_organisation(client, world, app):
    """The enrolment's prefecture is copied at application and never follows the profile afterwards."""
    learner = world.headers("learner")
    before = client.get(f"/api/v1/enrollments/{world.objects['own']['enrollment_id']}", headers=learner).get_json()
    assert client.patch("/api/v1/learners/me", json={"workplace_prefecture_code": "01"},
                        headers=learner).status_code == 200
    for name, value in (("organization_code", "JHA"), ("email", "x@example.jp"),
                        ("medical_registration_number", "1234567")):
        response = client.patch("/api/v1/learners/me", json={name: value}, headers=learner)
        assert response.status_code == 422 and name in response.get_json()["errors"]["json"]
    after = client.get(f"/api/v1/enrollments/{world.objects['own']['enrollment_id']}", headers=learner).get_json()
    assert (after["prefecture_code"], after["organization_code"]) == (before["prefecture_code"],
                                                                        before["organization_code"]) == ("13", "JPCA")


def test_staff_cannot_create_users_or_learners_outside_their_scope(client, world, app):
    before = snapshot(app)
    org = world.headers("org_staff")
    body = {"email": "boss@example.jp", "password": "correct-horse-1", "role": "consortium_admin"}
    assert client.post("/api/v1/users", json=body, headers=org).status_code == 403
    assert client.post("/api/v1/users", json=body, headers=world.headers("learner")).status_code == 403
    response = client.post("/api/v1/learners", headers=org, json={
        "family_name": "佐藤", "given_name": "花子", "family_name_kana": "サトウ", "given_name_kana": "ハナコ",
        "email": "x@example.jp", "medical_registration_number": "7654321", "license_year": 2005,
        "specialty": "pediatrics", "workplace_prefecture_code": "13", "organization_code": "JHA"})
    assert response.status_code == 422 and "organization_code" in response.get_json()["errors"]["json"]
    assert changed_tables(before, snapshot(app)) == []


# --- what a permitted read shows ----------------------------------------------------------------------

PRIVATE = ("learner_id", "enrollment_id", "done_enrollment_id", "certificate_id", "verification_code",
           "placement_id", "log_id", "learner_email")
PERSONAL = ("learner_id", "learner_email")


@pytest.mark.parametrize("row", [pytest.param(r, id=f"{r.method} {r.path}") for r in ROWS if r.method == "GET"])
def test_reads_show_nothing_outside_the_callers_scope(client, world, row):
    """A list or page a scoped role may read holds no id of another learner, organisation, prefecture or
    site; an official's answers hold no learner at all."""
    leaks = []
    for role in ("org_staff", "prefecture_official", "supervisor", "learner"):
        if row.own[ROLES.index(role)] != 200:
            continue
        body = send(client, world, row, role, "own").get_data().decode("utf-8", "replace")  # PDFs too
        leaks += [f"{role}: other {k}" for k in PRIVATE if world.objects["other"][k] in body]
        if role == "prefecture_official" and not row.path.startswith("/verify/"):
            leaks += [f"{role}: own {k}" for k in PERSONAL if world.objects["own"][k] in body]
    assert not leaks, leaks
