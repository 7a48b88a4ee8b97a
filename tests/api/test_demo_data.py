"""`flask lms demo-data` fills an empty database once, prints working accounts, and tells the truth: a completed
enrolment did what its programme requires, and nothing in it has happened after the moment it was loaded."""

import io
import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlalchemy import Date, DateTime, func, select

from lms.auth.models import User
from lms.auth.password_policy import password_problems
from lms.certificates.service import completed_work
from lms.columns import UTCDateTime
from lms.dates import utcnow
from lms.demo import PASSWORD
from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.ojt.models import Placement
from lms.progress import service as progress
from lms.progress.models import OjtLog
from lms.progress.rules import hours_text
from tests.conftest import bearer


@pytest.fixture
def demo(app):
    """Load the demo data with 60 learners; returns (the command's output, the time just after loading)."""
    result = app.test_cli_runner().invoke(args=["lms", "demo-data", "--learners", "60"])
    assert result.exit_code == 0, result.output
    return result.output, utcnow()


def completed_enrollments() -> list[Enrollment]:
    return list(db.session.scalars(select(Enrollment).where(Enrollment.status == "completed")))


def test_demo_data_loads_once_with_working_accounts(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "demo-data", "--learners", "25"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.example.jp" in result.output and "official-tokyo@demo.example.jp" in result.output
    with app.app_context():
        statuses = dict(db.session.execute(select(Enrollment.status, func.count()).group_by(Enrollment.status)).all())
        years = set(db.session.scalars(select(Enrollment.fiscal_year)))
    assert sum(statuses.values()) >= 25 and len(statuses) >= 3 and len(years) >= 2
    login = client.post("/api/v1/auth/token", json={"email": "official-tokyo@demo.example.jp",
                                                    "password": "demo-pass-2026"})
    assert login.status_code == 200 and login.get_json()["role"] == "prefecture_official"
    emails = re.findall(r"\S+@demo\.example\.jp", result.output)
    assert emails and all(password_problems(PASSWORD, email) == [] for email in emails)
    again = runner.invoke(args=["lms", "demo-data", "--if-empty"])
    assert again.exit_code == 0 and "nothing loaded" in again.output


def test_every_completed_demo_enrolment_meets_its_programmes_rules(demo, app, client, admin_token):
    _, now = demo
    with app.app_context():
        completed = [e.id for e in completed_enrollments()]
        # completed when the last rule was met, as the system completes an enrolment
        for enrollment in completed_enrollments():
            evaluation = progress.evaluate(enrollment, now)
            assert evaluation.complete and evaluation.met_at == enrollment.completed_at, evaluation.missing
    assert len(completed) >= 5
    for enrollment_id in completed:
        summary = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(admin_token)).get_json()
        assert summary["completion_ready"] is True and summary["missing"] == [], summary
        assert summary["modules_done"] == summary["modules_required"] > 0
        assert Decimal(str(summary["ojt_hours_approved"])) >= Decimal(str(summary["ojt_hours_required"])) > 0
        for module in summary["modules"]:
            if module["required"]:
                assert module["done"] and module["done_at"] is not None, module
            if module["done"] and module["min_score"] is not None:
                assert Decimal(str(module["best_score"])) >= module["min_score"], module
    with app.app_context():
        # the hours were logged at the placement's site, within its period, and approved by its supervisor
        rows = db.session.execute(select(OjtLog, Placement).join(Placement, Placement.id == OjtLog.placement_id)
                                  .join(Enrollment, Enrollment.id == Placement.enrollment_id)
                                  .where(Enrollment.status == "completed", OjtLog.status == "approved")).all()
        assert {p.enrollment_id for _, p in rows} == set(completed)
        for log, placement in rows:
            reviewer = db.session.get(User, log.reviewed_by)
            assert reviewer.role == "supervisor" and placement.site_id in reviewer.site_ids
            assert placement.status == "active" and placement.start_date <= log.date <= placement.end_date
            assert log.reviewed_at > log.created_at
        # nothing else is ready to complete (the daily sweep would complete it)
        assert progress.complete_due(now=now) == 0


def test_demo_data_holds_no_date_in_the_future(demo, app):
    _, now = demo
    today = now.date()
    with app.app_context():
        found = 0
        for table in db.metadata.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, UTCDateTime | DateTime | Date):
                    latest = db.session.scalar(select(func.max(column)))
                    if latest is None:
                        continue
                    found += 1
                    if isinstance(latest, datetime):
                        assert latest <= now, f"{table.name}.{column.name} = {latest}"
                    else:
                        assert isinstance(latest, date) and latest <= today, f"{table.name}.{column.name} = {latest}"
        assert found >= 20  # enrolments, progress, placements, OJT logs and their reviews all have dates


def test_a_demo_certificate_states_what_was_done(demo, app, client, admin_token):
    with app.app_context():
        enrollments = completed_enrollments()
        for enrollment in enrollments:
            titles, hours = completed_work(enrollment)
            required = {m.title_ja for m in enrollment.program_version.modules if m.required}
            assert required <= set(titles)
            assert Decimal(str(hours)) >= enrollment.program_version.ojt_required_hours
        enrollment_id = enrollments[0].id
        titles, hours = completed_work(enrollments[0])
    certificate = client.post(f"/api/v1/enrollments/{enrollment_id}/certificate", headers=bearer(admin_token))
    assert certificate.status_code == 200, certificate.get_json()
    pdf = client.get(f"/api/v1/certificates/{certificate.get_json()['id']}/pdf", headers=bearer(admin_token))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    text = text.replace(" ", "").replace("\n", "")
    assert f"eラーニング{len(titles)}単元" in text
    assert f"実地研修（OJT）{hours_text(Decimal(str(hours)))}時間" in text
