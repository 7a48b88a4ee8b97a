"""Fixtures for the race tests: an OJT site, a learner's active placement, a report schedule."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.dates import today_jst
from lms.extensions import db

RACERS = 20


@pytest.fixture
def make_site(app):
    """Factory: make_site(prefecture="13", annual_capacity=10, **fields) -> site id."""
    from lms.ojt.models import OjtSite

    def _make(prefecture: str = "13", annual_capacity: int = 10, **fields) -> str:
        with app.app_context():
            site = OjtSite(name="競合テスト病院", kind="hospital", prefecture_code=prefecture,
                           secondary_medical_area="区中央部", annual_capacity=annual_capacity,
                           activities=["outpatient", "ward"], **fields)
            db.session.add(site)
            db.session.commit()
            return site.id

    return _make


@pytest.fixture
def placed(app, make_learner, make_enrollment, make_site):
    """A learner with an active placement around today: (placement_id, learner token, site_id)."""
    from lms.ojt.models import Placement

    learner_id, token = make_learner()
    enrollment_id = make_enrollment(learner_id)
    site_id = make_site()
    today = today_jst()
    with app.app_context():
        placement = Placement(enrollment_id=enrollment_id, site_id=site_id, fiscal_year=2026,
                              start_date=today - timedelta(days=30), end_date=today + timedelta(days=60),
                              status="active")
        db.session.add(placement)
        db.session.commit()
        return placement.id, token, site_id


def count(app, model, *where) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model).where(*where))
        db.session.remove()
        return n
