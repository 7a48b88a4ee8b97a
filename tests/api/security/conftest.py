"""A small world for security tests: one user per role, an "own" and an "other" object of every kind,
the endpoints of the running app, and a snapshot of every table to prove that nothing changed."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from lms.dates import fiscal_year, today_jst, utcnow
from lms.extensions import db
from tests.conftest import REFERENCE_TABLES

PROBLEM = "application/problem+json"
PASSWORD = "correct-horse-1"
ROLES = ("anonymous", "consortium_admin", "org_staff", "prefecture_official", "supervisor", "learner")
SIDES = ("own", "other")
# The "own" side lies inside every scoped role's scope (organisation, prefecture, OJT site, the learner
# themselves); the "other" side lies outside all of them.
SCOPE = {"own": {"organization": "JPCA", "prefecture": "13"}, "other": {"organization": "JHA", "prefecture": "27"}}
PDF_BYTES = b"%PDF-1.7\n% a stand-in certificate for access tests\n%%EOF\n"

# Tables whose rows may legitimately change when a request is refused. Everything else must be identical.
WRITES_ON_REFUSAL = {
    # who asked for what is recorded whatever the answer (failed logins, reads of personal data)
    "audit_events",
    # failed logins are counted per e-mail address, which is the point of the throttle
    "login_throttles",
    # public verification counts every request, answered or not
    "rate_limit_windows",
}


@dataclass
class World:
    tokens: dict[str, str | None]
    emails: dict[str, str]
    objects: dict[str, dict[str, str]]

    def headers(self, role: str) -> dict[str, str]:
        token = self.tokens[role]
        return {"Authorization": f"Bearer {token}"} if token else {}


def _token(user_id: str) -> str:
    from lms.auth.models import AccessToken
    from lms.auth.permissions import token_digest

    token = secrets.token_urlsafe(24)
    db.session.add(AccessToken(token_hash=token_digest(token), user_id=user_id,
                               expires_at=utcnow() + timedelta(hours=1)))
    return token


def _user(role: str, email: str, **scope) -> tuple[str, str]:
    from lms.auth.service import new_user

    user = new_user(email, PASSWORD, role, **scope)
    db.session.flush()
    return user.id, _token(user.id)


def _learner(side: str, n: int, user_id: str | None):
    from lms.learners.models import Learner

    learner = Learner(family_name="山田", given_name=f"太郎{n}", family_name_kana="ヤマダ", given_name_kana="タロウ",
                      email=f"learner-{side}-{n}@example.jp", medical_registration_number=str(900000 + n),
                      license_year=2001, specialty="internal_medicine",
                      workplace_prefecture_code=SCOPE[side]["prefecture"], workplace_name="テスト病院",
                      organization_code=SCOPE[side]["organization"], user_id=user_id)
    db.session.add(learner)
    db.session.flush()
    return learner


def _enrollment(learner, program, status: str, at: datetime):
    from lms.enrollments.models import Enrollment

    enrollment = Enrollment(learner_id=learner.id, program_code=program.code, program_version_id=program.id,
                            fiscal_year=fiscal_year(at), prefecture_code=learner.workplace_prefecture_code,
                            organization_code=learner.organization_code, status=status, applied_at=at,
                            activated_at=at, ever_active=True)
    if status == "completed":
        enrollment.completed_at = at + timedelta(days=200)
    db.session.add(enrollment)
    db.session.flush()
    return enrollment


def _certificate(app, enrollment, learner, sequence: int):
    from lms.certificates.models import Certificate
    from lms.certificates.numbers import format_number, new_verification_code
    from lms.certificates.service import pdf_path
    from lms.storage import write_atomic

    year = fiscal_year(enrollment.completed_at)
    certificate = Certificate(
        enrollment_id=enrollment.id, learner_id=learner.id, program_code=enrollment.program_code,
        fiscal_year=year, sequence=sequence, revision=1, certificate_number=format_number(year, sequence),
        verification_code=new_verification_code(), status="issued", holder_name=learner.full_name,
        program_title="テスト", completed_on=enrollment.completed_at.date(), issued_at=utcnow(),
        sha256=hashlib.sha256(PDF_BYTES + sequence.to_bytes(2, "big")).hexdigest(), pdf_bytes=len(PDF_BYTES) + 2)
    db.session.add(certificate)
    db.session.flush()
    write_atomic(pdf_path(certificate), PDF_BYTES + sequence.to_bytes(2, "big"))
    return certificate


def build_world(app) -> World:
    """One user per role scoped to the "own" side, and the same objects on both sides."""
    from lms.certificates.models import CertificateBatch, CertificateCounter
    from lms.ojt.models import MatchingRound, OjtSite, Placement, SiteImport
    from lms.programs.service import get_program
    from lms.progress.models import OjtLog

    with app.app_context():
        today = today_jst()
        year = fiscal_year(today)
        started = datetime(year, 4, 2, 0, 0, tzinfo=UTC)
        gf, ojt = get_program("GF-2026"), get_program("OJT-2026")
        objects: dict[str, dict[str, str]] = {}
        learner_users = {}
        sites = {}
        for side in SIDES:
            sites[side] = OjtSite(name=f"{side} 病院", kind="hospital", prefecture_code=SCOPE[side]["prefecture"],
                                  secondary_medical_area="区中央部", annual_capacity=10, activities=["outpatient"])
            db.session.add(sites[side])
        db.session.flush()
        for n, side in enumerate(SIDES, start=1):
            learner_users[side] = _user("learner", f"learner-{side}@example.jp")
            learner = _learner(side, n, learner_users[side][0])
            active = _enrollment(learner, gf, "active", started)
            done = _enrollment(learner, ojt, "completed", started)
            certificate = _certificate(app, done, learner, n)
            placement = Placement(enrollment_id=active.id, site_id=sites[side].id, fiscal_year=year,
                                  start_date=date(year, 4, 1), end_date=date(year + 1, 3, 31), status="active")
            db.session.add(placement)
            db.session.flush()
            log = OjtLog(placement_id=placement.id, date=min(today, date(year + 1, 3, 31)), hours=Decimal("2.0"),
                         activity="outpatient", status="pending")
            db.session.add(log)
            db.session.flush()
            objects[side] = {
                "learner_id": learner.id, "enrollment_id": active.id, "done_enrollment_id": done.id,
                "certificate_id": certificate.id, "verification_code": certificate.verification_code,
                "site_id": sites[side].id, "placement_id": placement.id, "log_id": log.id,
                "prefecture_code": SCOPE[side]["prefecture"], "organization_code": SCOPE[side]["organization"],
                "learner_email": learner.email,
            }
        db.session.add(CertificateCounter(fiscal_year=fiscal_year(started + timedelta(days=200)), last_number=2))
        # rounds and batches are the consortium's, not anybody's: both sides name the same one
        matching_round = MatchingRound(name="次年度マッチング", fiscal_year=year + 1, mechanism="deferred_acceptance",
                                       regions=[], placement_start_date=date(year + 1, 4, 1),
                                       placement_end_date=date(year + 2, 3, 31), status="open")
        batch = CertificateBatch(program_code="OJT-2026", fiscal_year=year, status="succeeded", total=0)
        site_import = SiteImport(status="succeeded")
        db.session.add_all([matching_round, batch, site_import])
        db.session.flush()
        for side in SIDES:
            objects[side].update(round_id=matching_round.id, batch_id=batch.id, import_id=site_import.id,
                                 module_code="GF01", cmi5_module_code="GF14", fetch_key="not-a-fetch-key",
                                 cmi5_path="GF14/index.html",
                                 program_code="GF-2026", filename="swagger-ui.css", fiscal_year=str(year))
        _reports(app, objects)
        _indicators(objects)
        _lrs_clients(objects)
        emails = {"learner": "learner-own@example.jp"}
        tokens: dict[str, str | None] = {"anonymous": None, "learner": learner_users["own"][1]}
        for role, scope in (("consortium_admin", {}), ("org_staff", {"organization_code": "JPCA"}),
                            ("prefecture_official", {"prefecture_code": "13"}),
                            ("supervisor", {"site_ids": [sites["own"].id]})):
            emails[role] = f"{role}@example.jp"
            tokens[role] = _user(role, emails[role], **scope)[1]
        db.session.commit()
        return World(tokens=tokens, emails=emails, objects=objects)


def _reports(app, objects: dict) -> None:
    """A schedule and a finished run with a CSV file: the consortium's, so both sides name them."""
    try:
        from lms.reports.models import ReportArtifact, ReportRun, ReportSchedule
        from lms.reports.storage import reports_dir
    except ImportError:  # the reports domain is not in this tree
        return
    from lms.storage import write_atomic

    schedule = ReportSchedule(name="毎週の受講状況", report_type="prefecture_enrollment", params={},
                              cron="0 9 * * 1", formats=["csv"], enabled=True)
    db.session.add(schedule)
    db.session.flush()
    run = ReportRun(schedule_id=schedule.id, origin="manual", report_type=schedule.report_type, params={},
                    formats=["csv"], status="succeeded", started_at=utcnow(), finished_at=utcnow())
    db.session.add(run)
    db.session.flush()
    data = "\ufeff都道府県,受講者数\n東京都,1\n".encode()
    relative = f"{run.id}/report.csv"
    sha256, size = write_atomic(reports_dir(app.config["STORAGE_DIR"]) / relative, data)
    db.session.add(ReportArtifact(run_id=run.id, format="csv", path=relative, bytes=size, sha256=sha256))
    for side in SIDES:
        objects[side].update(schedule_id=schedule.id, run_id=run.id, fmt="csv")


def _indicators(objects: dict) -> None:
    """An indicator of each side's prefecture."""
    from lms.indicators.models import Indicator

    for side in SIDES:
        indicator = Indicator(prefecture_code=SCOPE[side]["prefecture"], category_ja="○", name_ja="受講者数",
                              measure="participants", rationale_ja="", baseline_fiscal_year=2024,
                              target_fiscal_year=2027, target_value=40, source_ja="", public=True)
        db.session.add(indicator)
        db.session.flush()
        objects[side]["indicator_id"] = indicator.id


def _lrs_clients(objects: dict) -> None:
    """An LRS client: the consortium's, so both sides name it."""
    from lms.xapi.clients import LrsClient

    lrs_client = LrsClient(name="Storyline", key=secrets.token_hex(16), secret_hash="0" * 64, scopes=["all"])
    db.session.add(lrs_client)
    db.session.flush()
    for side in SIDES:
        objects[side]["client_id"] = lrs_client.id


_TEMPLATE: dict = {}
_LOADED = {"world": False}


def wipe(app) -> None:
    """Empty every non-reference table, as tests/conftest.py does after each test."""
    with app.app_context():
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables) if t.name not in REFERENCE_TABLES]
        # DELETE, children first: on tables this small it is much faster than TRUNCATE on PostgreSQL
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":  # one round trip
                conn.exec_driver_sql("; ".join(f"DELETE FROM {name}" for name in tables))
            else:
                for name in tables:
                    conn.execute(text(f"DELETE FROM {name}"))
    _LOADED["world"] = False


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Overrides the suite's cleanup here: a passing read (GET) leaves the world as it found it, apart from
    the log tables, so the next test may reuse it; everything else empties the database."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    callspec = getattr(request.node, "callspec", None)
    row = callspec.params.get("row") if callspec else None
    report = getattr(request.node, "report_call", None)
    if _LOADED["world"] and getattr(row, "method", None) == "GET" and report is not None and report.passed:
        with app.app_context(), db.engine.begin() as conn:
            for name in sorted(WRITES_ON_REFUSAL):
                conn.execute(text(f"DELETE FROM {name}"))
        return
    wipe(app)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.report_call = report
    return report


@pytest.fixture(scope="package", autouse=True)
def _empty_after_the_package(app):
    yield
    wipe(app)


@pytest.fixture
def world(app) -> World:
    """The world, built once and then copied back into the emptied tables before each test (fast)."""
    from pathlib import Path

    from lms.programs.service import sync_content

    if not _TEMPLATE:
        with app.app_context():
            sync_content(Path(app.config["CONTENT_DIR"]))
        _TEMPLATE["world"] = build_world(app)
        storage = Path(app.config["STORAGE_DIR"])
        with app.app_context():
            _TEMPLATE["rows"] = {
                table: [dict(row) for row in db.session.execute(select(table)).mappings()]
                for table in db.metadata.sorted_tables if table.name not in REFERENCE_TABLES}
            db.session.remove()
        _TEMPLATE["files"] = {path: path.read_bytes() for path in storage.rglob("*") if path.is_file()}
    elif not _LOADED["world"]:
        with app.app_context(), db.engine.begin() as conn:
            for table, rows in _TEMPLATE["rows"].items():
                if rows:
                    conn.execute(table.insert(), rows)
        for path, data in _TEMPLATE["files"].items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    _LOADED["world"] = True
    built = _TEMPLATE["world"]
    return World(tokens=dict(built.tokens), emails=dict(built.emails),
                 objects={side: dict(values) for side, values in built.objects.items()})


# --- the endpoints of the running app -------------------------------------------------------------

_CONVERTER = re.compile(r"<(?:[a-z_]+(?:\([^)]*\))?:)?([a-z_]+)>")
HIDDEN_RULES = {"/static/{filename}"}


def app_endpoints(app) -> set[tuple[str, str]]:
    """(METHOD, path with {params}) for every route of the app and every operation of its OpenAPI spec."""
    found = set()
    for rule in app.url_map.iter_rules():
        path = _CONVERTER.sub(r"{\1}", rule.rule)
        if path in HIDDEN_RULES:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method, path))
    with app.test_request_context():
        spec = app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    for path, operations in spec["paths"].items():
        for method in operations:
            if method in ("get", "post", "put", "patch", "delete"):
                found.add((method.upper(), path))
    return found


def openapi_spec(app) -> dict:
    with app.test_request_context():
        return app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()


# --- proving that nothing changed -----------------------------------------------------------------


def snapshot(app, *, ignore: set[str] = WRITES_ON_REFUSAL) -> dict[str, str]:
    """A digest of every row of every non-reference table (row order does not matter)."""
    digests = {}
    with app.app_context():
        tables = [t for t in db.metadata.sorted_tables if t.name not in REFERENCE_TABLES | ignore]
        if db.engine.dialect.name == "postgresql":  # one round trip: PostgreSQL digests its own rows
            query = " UNION ALL ".join(
                f"SELECT '{t.name}', count(*) || ':' || md5(coalesce(string_agg(x::text, chr(30) ORDER BY x::text), "
                f"'')) FROM {t.name} x" for t in tables)
            digests = dict(db.session.execute(text(query)).all())
        else:
            for table in tables:
                rows = sorted(repr(tuple(row)) for row in db.session.execute(select(table)))
                digests[table.name] = f"{len(rows)}:{hashlib.sha256(chr(30).join(rows).encode()).hexdigest()[:16]}"
        db.session.remove()
    return digests


def changed_tables(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def assert_problem(response, *statuses: int) -> dict:
    """A problem+json answer with one of `statuses` and the RFC 9457 members."""
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:500])
    assert response.mimetype == PROBLEM, response.mimetype
    body = response.get_json()
    assert body["status"] == response.status_code and body["title"] and body["type"] and "detail" in body
    return body



@pytest.fixture(scope="session", autouse=True)
def _sqlite_without_fsync(app):
    """The test database is thrown away: on SQLite, skip the fsyncs that make each commit slow."""
    from sqlalchemy import event

    def _pragmas(dbapi_connection, record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        yield
        return
    event.listen(engine, "connect", _pragmas)
    engine.dispose()
    yield
    event.remove(engine, "connect", _pragmas)
    engine.dispose()
