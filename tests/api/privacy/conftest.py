"""A person with a footprint everywhere (login, profile, enrolment, statement, certificate, batch, report),
and a scan of the database and the storage folder for the strings that identify them."""

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.enrollments.models import Enrollment
from lms.extensions import db
from tests.api.ojt.conftest import make_active_enrollment, make_site  # noqa: F401 (fixtures)
from tests.api.ojt.test_matching_rounds import open_round  # noqa: F401 (fixture)
from tests.conftest import bearer

PERSON = {
    "family_name": "鬼瓦", "given_name": "権左衛門", "family_name_kana": "オニガワラ", "given_name_kana": "ゴンザエモン",
    "email": "gonzaemon.onigawara@example.jp", "medical_registration_number": "8097531", "license_year": 1999,
    "specialty": "internal_medicine", "workplace_prefecture_code": "13", "workplace_name": "鬼瓦記念診療所",
}
PASSWORD = "kawara-no-oni-2026"


@dataclass
class Person:
    learner_id: str
    user_id: str
    token: str
    enrollment_id: str
    certificate: dict

    # what must appear nowhere after erasure
    secrets = ("鬼瓦", "権左衛門", "オニガワラ", "ゴンザエモン", "gonzaemon", "onigawara", "8097531", "鬼瓦記念診療所")


@pytest.fixture
def person(app, client, admin_token, programs) -> Person:
    """Registered through the API (with an Idempotency-Key), enrolled, completed, certified."""
    registered = client.post("/api/v1/learners/register", json={**PERSON, "password": PASSWORD},
                             headers={"Idempotency-Key": "register-1"})
    assert registered.status_code == 201, registered.get_json()
    learner_id = registered.get_json()["id"]
    token = client.post("/api/v1/auth/token", json={"email": PERSON["email"], "password": PASSWORD}
                        ).get_json()["access_token"]
    enrolled = client.post("/api/v1/enrollments", json={"program_code": "GF-2026"}, headers=bearer(token))
    assert enrolled.status_code == 201, enrolled.get_json()
    enrollment_id = enrolled.get_json()["id"]
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        enrollment.status, enrollment.activated_at, enrollment.ever_active = "active", enrollment.applied_at, True
        db.session.commit()
    statement = {"id": str(uuid.uuid4()),
                 "actor": {"objectType": "Agent", "name": "鬼瓦 権左衛門",
                           "account": {"homePage": "https://lms.example.jp", "name": learner_id}},
                 "verb": {"id": "http://adlnet.gov/expapi/verbs/progressed", "display": {"en-US": "progressed"}},
                 "object": {"objectType": "Activity", "id": "https://lms.example.jp/xapi/activities/GF-2026/GF01"},
                 "context": {"registration": enrollment_id, "extensions": {
                     "https://lms.example.jp/x/email": "mailto:" + PERSON["email"]}},
                 # content may copy anything into a statement: the LRS keeps statements as received
                 "result": {"extensions": {"https://lms.example.jp/x/registry": PERSON["medical_registration_number"]}},
                 "timestamp": "2026-06-01T10:00:00+09:00"}
    assert client.post("/api/v1/xapi/statements", json=statement,
                       headers={**bearer(token), "X-Experience-API-Version": "1.0.3"}).status_code == 200
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        enrollment.status, enrollment.completed_at = "completed", datetime(2026, 11, 22, 3, 0, tzinfo=UTC)
        db.session.commit()
        from lms.auth.models import User
        from lms.learners.models import Learner

        user_id = db.session.scalar(select(User.id).join(Learner, Learner.user_id == User.id)
                                    .where(Learner.id == learner_id))
    issued = client.post(f"/api/v1/enrollments/{enrollment_id}/certificate", headers=bearer(admin_token))
    assert issued.status_code == 200
    return Person(learner_id, user_id, token, enrollment_id, issued.get_json())


def _no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def readable(path: Path) -> str:
    """A stored file's text as a reader would see it: PDF text, the XML inside a ZIP (XLSX), or the bytes."""
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        return _no_space("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(readable_bytes(archive.read(name)) for name in archive.namelist())
    return readable_bytes(data)


def readable_bytes(data: bytes) -> str:
    if data.startswith(b"%PDF"):
        return _no_space("".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))
    return data.decode("utf-8", errors="replace")


def database_text() -> dict[str, str]:
    """Every row of every table as text (JSON columns decoded, so escaped characters read as themselves)."""
    found = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).mappings().all()
        found[table.name] = json.dumps([dict(r) for r in rows], ensure_ascii=False, default=str)
    return found


def _forms(secret: str) -> tuple[str, ...]:
    """The string, and as it reads inside JSON kept in a text column (non-ASCII escaped)."""
    return secret.casefold(), json.dumps(secret)[1:-1].casefold()


def leftovers_in_database(secrets) -> dict[str, list[str]]:
    found = {}
    for table, text in database_text().items():
        text = text.casefold()
        if hits := [s for s in secrets if any(form in text for form in _forms(s))]:
            found[table] = hits
    return found


def leftovers_in_storage(root: str, secrets) -> dict[str, list[str]]:
    found = {}
    for path in sorted(Path(root).rglob("*")):
        if path.is_file():
            text = readable(path)
            if hits := [s for s in secrets if s.casefold() in text.casefold()]:
                found[str(path.relative_to(root))] = hits
    return found


@pytest.fixture
def make_schedule_run(app):
    """Run every report type once in every format, now; returns the run ids."""
    from datetime import timedelta

    from lms.dates import utcnow
    from lms.reports import jobs, service
    from lms.reports.types import REPORT_TYPES

    def _run() -> list[str]:
        settings = jobs.Settings(max_attempts=1, retry_delay=timedelta(seconds=60), lease=timedelta(minutes=30),
                                 retention=timedelta(days=90))
        with app.app_context():
            run_ids = []
            for code in REPORT_TYPES:
                schedule = service.create_schedule(None, name=code, report_type=code, cron="0 9 * * *",
                                                   params={"fiscal_year": "current"}, formats=["csv", "xlsx", "pdf"])
                run_ids.append(service.request_run(None, schedule.id).id)
            assert jobs.work_queue(utcnow, "privacy-test", settings) == len(run_ids)
            db.session.remove()
            return run_ids

    return _run
