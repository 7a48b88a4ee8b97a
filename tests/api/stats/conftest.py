"""Factories for statistics tests: enrolments, OJT sites, placements and hour logs straight into the database."""

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from lms.extensions import db

FY = 2025
APPLIED_AT = datetime(FY, 6, 1, 9, tzinfo=UTC)
_numbers = itertools.count(1)


@pytest.fixture
def enrol(app, programs):
    """Factory: enrol(prefecture, status="active", *, fiscal_year=FY, ever_active=None, organization="JPCA",
    specialty="internal_medicine", program="GF-2026") -> enrolment id. Each call makes a new learner."""
    from lms.enrollments.models import Enrollment
    from lms.learners.models import Learner
    from lms.programs.service import get_program

    def _make(prefecture: str, status: str = "active", *, fiscal_year: int = FY, ever_active: bool | None = None,
              organization: str | None = "JPCA", specialty: str = "internal_medicine",
              program: str = "GF-2026") -> str:
        n = next(_numbers)
        with app.app_context():
            learner = Learner(family_name="統計", given_name="太郎", family_name_kana="トウケイ",
                              given_name_kana="タロウ", email=f"stats{n}@example.jp",
                              medical_registration_number=str(5_000_000 + n), license_year=2000,
                              specialty=specialty, workplace_prefecture_code=prefecture,
                              organization_code=organization)
            db.session.add(learner)
            db.session.flush()
            if ever_active is None:
                ever_active = status in ("active", "suspended", "completed")
            e = Enrollment(learner_id=learner.id, program_code=program, program_version_id=get_program(program).id,
                           fiscal_year=fiscal_year, prefecture_code=prefecture, organization_code=organization,
                           status=status, ever_active=ever_active,
                           applied_at=APPLIED_AT.replace(year=fiscal_year))
            db.session.add(e)
            db.session.commit()
            return e.id

    return _make


@pytest.fixture
def many(enrol):
    """Factory: many(prefecture, n, status="active", **kw) -> None: n enrolments alike."""

    def _make(prefecture: str, n: int, status: str = "active", **kwargs) -> None:
        for _ in range(n):
            enrol(prefecture, status, **kwargs)

    return _make


@pytest.fixture
def site(app):
    """Factory: site(prefecture, area="区中央部", shortage_area=False, name=None) -> site id."""
    from lms.ojt.models import OjtSite

    def _make(prefecture: str, area: str = "区中央部", *, shortage_area: bool = False, name: str | None = None) -> str:
        n = next(_numbers)
        with app.app_context():
            s = OjtSite(external_code=f"S{n:06}", name=name or f"統計病院{n}", kind="hospital",
                        prefecture_code=prefecture, secondary_medical_area=area, shortage_area=shortage_area,
                        annual_capacity=10, activities=["outpatient"])
            db.session.add(s)
            db.session.commit()
            return s.id

    return _make


@pytest.fixture
def place(app):
    """Factory: place(enrollment_id, site_id, fiscal_year=FY, status="active") -> placement id."""
    from lms.ojt.models import Placement

    def _make(enrollment_id: str, site_id: str, *, fiscal_year: int = FY, status: str = "active") -> str:
        with app.app_context():
            p = Placement(enrollment_id=enrollment_id, site_id=site_id, fiscal_year=fiscal_year,
                          start_date=date(fiscal_year, 7, 1), end_date=date(fiscal_year, 9, 30), status=status)
            db.session.add(p)
            db.session.commit()
            return p.id

    return _make


@pytest.fixture
def log_hours(app):
    """Factory: log_hours(placement_id, hours, status="approved") -> None."""
    from lms.progress.models import OjtLog

    def _make(placement_id: str, hours: str, status: str = "approved") -> None:
        with app.app_context():
            db.session.add(OjtLog(placement_id=placement_id, date=date(FY, 7, next(_numbers) % 28 + 1),
                                  hours=Decimal(hours), activity="outpatient", status=status))
            db.session.commit()

    return _make


@pytest.fixture
def official(make_user):
    """Factory: official(prefecture="13") -> bearer token of a prefectural official."""

    def _make(prefecture: str = "13") -> str:
        return make_user("prefecture_official", prefecture_code=prefecture)[1]

    return _make


def rows_by_code(body: dict) -> dict[str, dict]:
    return {row["prefecture_code"]: row for row in body["rows"]}
