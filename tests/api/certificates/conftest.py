"""Fixtures: completed enrolments ready for a certificate."""

from datetime import UTC, datetime

import pytest

from lms.enrollments.models import Enrollment
from lms.extensions import db


@pytest.fixture
def completed(app, make_learner, make_enrollment):
    """Factory: completed(completed_at=..., **learner fields) -> (enrollment_id, learner_token)."""

    def _make(completed_at=datetime(2026, 11, 22, 3, 0, tzinfo=UTC), program_code="GF-2026", **learner):
        learner_id, token = make_learner(**learner)
        enrollment_id = make_enrollment(learner_id, program_code, status="active")
        with app.app_context():
            enrollment = db.session.get(Enrollment, enrollment_id)
            enrollment.status, enrollment.completed_at = "completed", completed_at
            db.session.commit()
        return enrollment_id, token

    return _make
