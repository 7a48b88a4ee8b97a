"""One policy for unknown query parameters on every endpoint: refused with 422, after the caller is known; the
LRS's resources answer 400, as the xAPI specification requires (Communication 3.2.s3.b7)."""

import dataclasses

import pytest

from tests.api.security.conftest import PROBLEM, ROLES, changed_tables, openapi_spec, snapshot
from tests.api.security.endpoints import ROWS, Row, send

UNKNOWN = "unexpected_parameter"
XAPI_RESOURCES = ("/api/v1/xapi/statements", "/api/v1/xapi/activities", "/api/v1/xapi/agents",
                  "/api/v1/xapi/activities/state", "/api/v1/xapi/activities/profile", "/api/v1/xapi/agents/profile")


@dataclasses.dataclass(frozen=True)
class _WithUnknownQuery(Row):
    def url(self, world, side: str) -> str:
        url = super().url(world, side)
        return f"{url}{'&' if '?' in url else '?'}{UNKNOWN}=1"


def _allowed_role(row) -> str | None:
    for role, status in zip(ROLES, row.own, strict=True):
        if 200 <= status < 300:
            return role
    return None


CASES = [pytest.param(row, role, id=f"{row.method} {row.path}") for row in ROWS
         if (role := _allowed_role(row)) is not None]


@pytest.mark.parametrize("row,role", CASES)
def test_every_operation_refuses_a_query_parameter_it_does_not_declare(app, client, world, row, role):
    if row.path not in openapi_spec(app)["paths"]:
        pytest.skip("not an API operation")
    before = snapshot(app) if row.method != "GET" else None
    response = send(client, world, _WithUnknownQuery(**dataclasses.asdict(row)), role, "own")
    status = 400 if row.path in XAPI_RESOURCES else 422
    assert response.status_code == status and response.mimetype == PROBLEM, response.get_data(as_text=True)[:300]
    assert UNKNOWN in response.get_json()["errors"]["query"]
    if before is not None:
        assert changed_tables(before, snapshot(app)) == []


def test_a_declared_query_parameter_is_still_taken(client, world):
    response = client.get("/api/v1/enrollments?per_page=1&status=active", headers=world.headers("consortium_admin"))
    assert response.status_code == 200


def test_an_unknown_query_parameter_is_judged_after_the_caller(client):
    response = client.get(f"/api/v1/enrollments?{UNKNOWN}=1")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"].startswith("Bearer")


def test_the_spec_declares_the_policy(app):
    assert "refuses a query parameter it does not declare (422)" in openapi_spec(app)["info"]["description"]
