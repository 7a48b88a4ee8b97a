"""Test app on SQLite (default) or the database in TEST_DATABASE_URL; factories for users and tokens."""

import os
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from lms import create_app
from lms.config import TestConfig
from lms.dates import utcnow
from lms.extensions import db

REFERENCE_TABLES = {"alembic_version", "blocks", "prefectures", "organizations", "specialties"}


def _database_url(tmp: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        if "test" not in url.rsplit("/", 1)[-1]:
            raise RuntimeError("TEST_DATABASE_URL must name a database whose name contains 'test'")
        return url
    return f"sqlite:///{tmp / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app():
    tmp = Path(tempfile.mkdtemp(prefix="lms-test-"))
    app = create_app(TestConfig(_database_url(tmp), str(tmp / "storage")))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Empty every non-reference table after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_user(app):
    """Factory: make_user(role, **scope) -> (user_id, token)."""
    from lms.auth.models import AccessToken
    from lms.auth.permissions import token_digest
    from lms.auth.service import new_user

    def _make(role: str = "consortium_admin", *, email: str | None = None, password: str = "correct-horse-1",
              **scope) -> tuple[str, str]:
        with app.app_context():
            user = new_user(email or f"{role}-{secrets.token_hex(4)}@example.jp", password, role, **scope)
            db.session.flush()
            token = secrets.token_urlsafe(24)
            db.session.add(AccessToken(token_hash=token_digest(token), user_id=user.id,
                                       expires_at=utcnow() + timedelta(hours=1)))
            db.session.commit()
            return user.id, token

    return _make


@pytest.fixture
def admin_token(make_user) -> str:
    return make_user("consortium_admin")[1]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def is_postgres() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith(("postgresql", "postgres"))


requires_postgres = pytest.mark.skipif(not is_postgres(), reason="concurrency is tested on PostgreSQL")
