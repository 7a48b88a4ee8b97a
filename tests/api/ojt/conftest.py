"""Factories for OJT tests: sites, active enrolments, supervisors, placements."""

import itertools

import pytest

from lms.extensions import db
from tests.conftest import bearer

_codes = itertools.count(1)


@pytest.fixture
def make_site(app):
    """Factory: make_site(prefecture="13", annual_capacity=2, **fields) -> site id."""
    from lms.ojt.models import OjtSite

    def _make(prefecture: str = "13", annual_capacity: int = 2, **fields) -> str:
        n = next(_codes)
        values = {"external_code": f"T{n:05}", "name": f"テスト病院{n}", "kind": "hospital",
                  "secondary_medical_area": "区中央部", "shortage_area": False, "activities": ["outpatient"],
                  **fields}
        with app.app_context():
            site = OjtSite(prefecture_code=prefecture, annual_capacity=annual_capacity, **values)
            db.session.add(site)
            db.session.commit()
            return site.id

    return _make


@pytest.fixture
def make_active_enrollment(make_learner, make_enrollment):
    """Factory: make_active_enrollment(prefecture="13", organization="JPCA", login=True, **kw)
    -> (enrollment id, learner token or None)."""

    def _make(prefecture: str = "13", organization: str | None = "JPCA", *, login: bool = True,
              status: str = "active", **kwargs) -> tuple[str, str | None]:
        learner_id, token = make_learner(prefecture, organization, login=login)
        return make_enrollment(learner_id, status=status, **kwargs), token

    return _make


@pytest.fixture
def supervisor_token(make_user):
    """Factory: supervisor_token(*site_ids) -> token of a supervisor of those sites."""

    def _make(*site_ids: str) -> str:
        return make_user("supervisor", site_ids=list(site_ids))[1]

    return _make


@pytest.fixture
def place(client, admin_token):
    """Factory: place(enrollment_id, site_id, start="2026-04-01", end="2026-09-30", token=admin) -> response."""

    def _place(enrollment_id: str, site_id: str, start: str = "2026-04-01", end: str = "2026-09-30",
               token: str | None = None):
        return client.post("/api/v1/placements", headers=bearer(token or admin_token),
                           json={"enrollment_id": enrollment_id, "site_id": site_id, "start_date": start,
                                 "end_date": end})

    return _place
