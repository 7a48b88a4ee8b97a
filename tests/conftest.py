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

LMS_HOME = "https://lms.example.jp"
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
    config = TestConfig(_database_url(tmp), str(tmp / "storage"))
    # learners are agents with an account on this home page in xAPI statements (the tests' statements use it)
    config.PUBLIC_BASE_URL = LMS_HOME
    app = create_app(config)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision="heads")
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
                # a session a test left open (another thread, a live server) would block TRUNCATE for ever
                conn.execute(text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"))
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


@pytest.fixture
def programs(app):
    """The shipped course_content/ loaded into the database."""
    from lms.programs.service import sync_content

    with app.app_context():
        result, _ = sync_content(Path(app.config["CONTENT_DIR"]))
        assert not result.problems
        return {p.code: p for p in result.programs}


_counter = iter(range(1, 10_000_000))


@pytest.fixture
def make_learner(app, make_user):
    """Factory: make_learner(prefecture="13", organization="JPCA", login=True) -> (learner_id, token | None)."""
    from lms.learners.models import Learner

    def _make(prefecture: str = "13", organization: str | None = "JPCA", *, login: bool = True,
              specialty: str = "internal_medicine", **fields) -> tuple[str, str | None]:
        n = next(_counter)
        user_id, token = make_user("learner", email=f"learner{n}@example.jp") if login else (None, None)
        with app.app_context():
            learner = Learner(family_name="山田", given_name="太郎", family_name_kana="ヤマダ",
                              given_name_kana="タロウ", email=f"learner{n}@example.jp",
                              medical_registration_number=str(n), license_year=2000, specialty=specialty,
                              workplace_prefecture_code=prefecture, workplace_name="テスト病院",
                              organization_code=organization, user_id=user_id, **fields)
            db.session.add(learner)
            db.session.commit()
            return learner.id, token

    return _make


@pytest.fixture
def make_enrollment(app, programs):
    """Factory: make_enrollment(learner_id, program_code="GF-2026", status="active") -> enrollment id."""
    from lms.dates import fiscal_year
    from lms.enrollments.models import Enrollment
    from lms.learners.models import Learner
    from lms.programs.service import get_program

    def _make(learner_id: str, program_code: str = "GF-2026", status: str = "active", *,
              applied_at=None) -> str:
        with app.app_context():
            learner = db.session.get(Learner, learner_id)
            program = get_program(program_code)
            applied_at = applied_at or utcnow()
            e = Enrollment(learner_id=learner_id, program_code=program_code, program_version_id=program.id,
                           fiscal_year=fiscal_year(applied_at), prefecture_code=learner.workplace_prefecture_code,
                           organization_code=learner.organization_code, status=status, applied_at=applied_at)
            if status not in ("applied", "rejected"):
                e.activated_at, e.ever_active = applied_at, True
            db.session.add(e)
            db.session.commit()
            return e.id

    return _make


@pytest.fixture
def live_server(app):
    """The test app behind a real threaded HTTP server (see tests/race.py): `live_server.race([...])`."""
    from tests.race import LiveServer

    with LiveServer(app) as server:
        yield server
