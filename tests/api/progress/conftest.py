"""Fixtures for progress tests: OJT sites, placements (made in the database), supervisors, a learner's
active enrolment."""

from datetime import timedelta
from decimal import Decimal

import pytest

from lms.dates import today_jst, utcnow
from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.ojt.models import OjtSite, Placement
from lms.programs.service import get_program
from lms.progress.models import OjtLog
from tests.conftest import bearer


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


# modules done 60 days ago, OJT approved 30 days ago (tests/api/progress/test_completion*.py)
NOW = utcnow().replace(microsecond=0)
T_MODULES = NOW - timedelta(days=60)
T_OJT = NOW - timedelta(days=30)


@pytest.fixture
def nearly_done(app, client, learner_enrollment, make_placement, make_site, activated_days_ago):
    """An enrolment with every rule met except the modules in `leave_out` (and OJT when `hours` < 80)."""

    def _make(leave_out=("GF05",), hours=80):
        learner_id, enrollment_id, token = learner_enrollment()
        activated_days_ago(enrollment_id, 400)
        with app.app_context():
            required = [m for m in get_program("GF-2026").modules if m.required]
        for m in required:
            if m.code not in leave_out:
                response = client.put(f"/api/v1/enrollments/{enrollment_id}/modules/{m.code}", headers=bearer(token),
                                      json={"status": "passed", "score": 90, "occurred_at": T_MODULES.isoformat()})
                assert response.status_code == 200
        site_id = make_site()
        placement_id = make_placement(enrollment_id, site_id, start=today_jst() - timedelta(days=60))
        with app.app_context():
            day, left = today_jst() - timedelta(days=30), Decimal(hours)
            while left > 0:
                chunk = min(left, Decimal(8))
                db.session.add(OjtLog(placement_id=placement_id, date=day, hours=chunk, activity="outpatient",
                                      status="approved", reviewed_at=T_OJT))
                day, left = day + timedelta(days=1), left - chunk
            db.session.commit()
        return learner_id, enrollment_id, token, placement_id, site_id

    return _make
