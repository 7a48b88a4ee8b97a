"""Per-request cost of LRS credentials (issue 17): a client's secret and a session token are strong random values
kept as SHA-256 digests, so authenticating is one indexed query and no slow hash; credentials that cannot be
any (bad base64, no colon, too long) are refused without a query."""

import base64
import time
from contextlib import contextmanager

from sqlalchemy import event

from lms.extensions import db
from tests.api.xapi_meta.conftest import VERSION, lrs

ACTIVITY = "/api/v1/xapi/activities?activityId=https%3A%2F%2Fexample.jp%2Fa%2F1"


@contextmanager
def _counted(app):
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_basic_credentials_cost_one_query(app, client, all_client):
    headers = lrs(all_client["key"], all_client["secret"])
    client.get(ACTIVITY, headers=headers)  # warm
    with _counted(app) as statements:
        assert client.get(ACTIVITY, headers=headers).status_code == 200
    credentials = [s for s in statements if "lrs_clients" in s]
    assert len(credentials) == 1, statements
    # the whole request: the client, and the activity's definition
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 2, statements


def test_credentials_that_cannot_be_any_are_refused_without_a_query(app, client):
    for header in ("Basic !!!", "Basic " + base64.b64encode(b"no-colon").decode(), "Basic " + "A" * 10_000):
        with _counted(app) as statements:
            assert client.get(ACTIVITY, headers={"Authorization": header, **VERSION}).status_code == 401
        assert statements == [], header


def test_the_secret_digest_costs_microseconds_not_a_password_hash(all_client):
    """No password hash per request: the digest of a 256-bit secret costs microseconds."""
    from lms.xapi.clients import digest

    started = time.process_time()
    for _ in range(1000):
        digest(all_client["secret"])
    assert time.process_time() - started < 0.1
