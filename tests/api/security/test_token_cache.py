"""Cached token look-ups (lms/auth/token_cache.py) never outlive a revocation or a deactivation.

Each app built here stands for one process: its own cache, its own LISTEN connection. On PostgreSQL a token
once looked up is answered from the cache (no query); a change committed anywhere (the API of another process,
an operator's SQL on another connection) reaches every process before its next request. On SQLite there is
no cache: every request looks its token up, so the same assertions hold exactly.
"""

import tempfile
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import event, text

from lms import create_app
from lms.auth.permissions import token_cache
from lms.config import TestConfig as Settings
from lms.extensions import db
from tests.conftest import bearer

ME = "/api/v1/audit-events"  # any endpoint that needs a token (admins only, so a role change shows)


@pytest.fixture
def other_process(app):
    """A second app on the same database: another process's cache and LISTEN connection."""
    other = create_app(Settings(app.config["SQLALCHEMY_DATABASE_URI"], tempfile.mkdtemp(prefix="lms-other-")))
    yield other
    with other.app_context():
        cache = token_cache()
        if cache is not None:
            cache.close()
        db.session.remove()
        db.engine.dispose()


@contextmanager
def counted_queries(app):
    """The statements the app's engine runs inside the block."""
    statements: list[str] = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _on_postgresql(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def _operator_sql(app, statement: str, **params) -> None:
    """An operator's change on a connection of its own (not the app's session)."""
    with app.app_context(), db.engine.begin() as conn:
        conn.execute(text(statement), params)


def test_a_token_looked_up_once_is_answered_without_a_query_on_postgresql_only(app, make_user):
    _, token = make_user("consortium_admin")
    client = app.test_client()
    assert client.get(ME, headers=bearer(token)).status_code == 200
    with counted_queries(app) as statements:
        assert client.get(ME, headers=bearer(token)).status_code == 200
    looked_up = [s for s in statements if "access_tokens" in s]
    if _on_postgresql(app):
        assert looked_up == []
    else:  # SQLite: no cache, the exact look-up every time
        assert len(looked_up) == 1
        with app.app_context():
            assert token_cache() is None


def test_logout_in_one_process_reaches_the_other_at_once(app, other_process, make_user):
    _, token = make_user("consortium_admin")
    mine, theirs = app.test_client(), other_process.test_client()
    assert theirs.get(ME, headers=bearer(token)).status_code == 200  # now cached over there
    assert theirs.get(ME, headers=bearer(token)).status_code == 200
    assert mine.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    assert theirs.get(ME, headers=bearer(token)).status_code == 401
    assert mine.get(ME, headers=bearer(token)).status_code == 401


@pytest.mark.parametrize("change", [
    "UPDATE users SET is_active = false WHERE id = :user_id",
    "UPDATE access_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE user_id = :user_id",
    "DELETE FROM access_tokens WHERE user_id = :user_id",
])
def test_an_operators_revocation_or_deactivation_reaches_every_process_at_once(app, other_process, make_user,
                                                                               change):
    """docs/operations.md: revoking by SQL or setting users.is_active = false stops the tokens at the next
    request, in every process, although each had the token cached."""
    user_id, token = make_user("consortium_admin")
    clients = [app.test_client(), other_process.test_client()]
    for client in clients:
        assert client.get(ME, headers=bearer(token)).status_code == 200
        assert client.get(ME, headers=bearer(token)).status_code == 200
    _operator_sql(other_process, change, user_id=user_id)
    for client in clients:
        assert client.get(ME, headers=bearer(token)).status_code == 401


def test_a_role_change_reaches_every_process_at_once(app, other_process, make_user):
    user_id, token = make_user("consortium_admin")
    clients = [app.test_client(), other_process.test_client()]
    for client in clients:
        assert client.get(ME, headers=bearer(token)).status_code == 200
    _operator_sql(app, "UPDATE users SET role = 'learner' WHERE id = :user_id", user_id=user_id)
    for client in clients:
        assert client.get(ME, headers=bearer(token)).status_code == 403


def test_a_change_rolled_back_leaves_the_token_working(app, other_process, make_user):
    user_id, token = make_user("consortium_admin")
    client = other_process.test_client()
    assert client.get(ME, headers=bearer(token)).status_code == 200
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(text("UPDATE users SET is_active = false WHERE id = :user_id"), {"user_id": user_id})
        conn.rollback()
    assert client.get(ME, headers=bearer(token)).status_code == 200


def test_a_lost_listen_connection_turns_the_cache_off_until_it_is_back(app, make_user):
    """Notifications missed while the LISTEN connection was down cannot leave a revoked token working."""
    if not _on_postgresql(app):
        pytest.skip("SQLite keeps no cache")
    user_id, token = make_user("consortium_admin")
    client = app.test_client()
    assert client.get(ME, headers=bearer(token)).status_code == 200
    with app.app_context():
        cache = token_cache()
        listener_pid = cache._listener.backend_pid
    _operator_sql(app, "SELECT pg_terminate_backend(:pid)", pid=listener_pid)
    # a change the dead listener cannot hear, from outside the process, with no trigger and no notification
    with psycopg.connect(cache.conninfo, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("UPDATE users SET is_active = false WHERE id = %s", (user_id,))
    assert client.get(ME, headers=bearer(token)).status_code == 401
    assert cache._listener is None  # looked up in the database until a new LISTEN connection is up
