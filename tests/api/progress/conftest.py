"""Fixtures for progress tests: OJT sites, placements (made in the database), supervisors, a learner's
active enrolment."""

from datetime import timedelta

import pytest

from lms.dates import today_jst, utcnow
from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.ojt.models import OjtSite, Placement


@pytest.fixture
def make_site(app):
    """Factory: make_site(prefecture="13") -> site id."""

    def _make(prefecture: str = "13", name: str = "テスト診療所") -> str:
        with app.app_context():
            site = OjtSite(name=name, kind="clinic", prefecture_code=prefecture, secondary_medical_area="区中央部",
                           annual_capacity=10, activities=["outpatient", "home_visits"])
            db.session.add(site)
            db.session.commit()
            return site.id

    return _make


@pytest.fixture
def make_placement(app, make_site):
    """Factory: make_placement(enrollment_id, site_id=None, start=-30 days, end=+60 days) -> placement id."""

    def _make(enrollment_id: str, site_id: str | None = None, *, start=None, end=None,
              status: str = "active") -> str:
        site_id = site_id or make_site()
        today = today_jst()
        start = start or today - timedelta(days=30)
        end = end or today + timedelta(days=60)
        with app.app_context():
            placement = Placement(enrollment_id=enrollment_id, site_id=site_id, fiscal_year=2026, start_date=start,
                                  end_date=end, status=status)
            db.session.add(placement)
            db.session.commit()
            return placement.id

    return _make


@pytest.fixture
def supervisor(make_user):
    """Factory: supervisor(*site_ids) -> token."""

    def _make(*site_ids: str) -> str:
        return make_user("supervisor", site_ids=list(site_ids))[1]

    return _make


@pytest.fixture
def learner_enrollment(make_learner, make_enrollment):
    """Factory: learner_enrollment(program_code="GF-2026", status="active", **learner) -> (learner_id,
    enrollment_id, token)."""

    def _make(program_code: str = "GF-2026", status: str = "active", **learner):
        learner_id, token = make_learner(**learner)
        return learner_id, make_enrollment(learner_id, program_code, status), token

    return _make


@pytest.fixture
def activated_days_ago(app):
    """Move an enrolment's activation into the past: activated_days_ago(enrollment_id, days)."""

    def _set(enrollment_id: str, days: int) -> None:
        with app.app_context():
            enrollment = db.session.get(Enrollment, enrollment_id)
            enrollment.activated_at = utcnow() - timedelta(days=days)
            db.session.commit()

    return _set
