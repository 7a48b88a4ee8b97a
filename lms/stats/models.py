"""Indexes that let statistics read counts from an index alone (the tables belong to other domains), and the
summary rows that the statistics read instead of counting."""

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.ojt.models import Placement

# An org_staff member's table filters on the organisation first, which ix_enrollments_stats cannot serve;
# the id lets their placements be matched to their enrolments from the index too.
ix_enrollments_stats_org = Index(
    "ix_enrollments_stats_org", Enrollment.organization_code, Enrollment.fiscal_year,
    Enrollment.prefecture_code, Enrollment.status, Enrollment.ever_active, postgresql_include=["id"],
)
# Placements of a fiscal year by site, and (for org_staff) by enrolment, without reading the table.
ix_placements_stats = Index("ix_placements_stats", Placement.fiscal_year, Placement.status, Placement.site_id,
                            postgresql_include=["enrollment_id"])


# Summary rows: counts kept by database triggers (migration 0026) in the same transaction as the enrolment or
# placement they count, whoever changes it (the API, a worker, an operator's SQL). Rows whose count fell to 0
# stay; readers skip them. An enrolment without an organisation is counted under "" (a key cannot be NULL).


class EnrollmentCount(db.Model):
    """Enrolments per fiscal year, prefecture at application, organisation, status and ever_active."""

    __tablename__ = "stats_enrollment_counts"

    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    organization_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    ever_active: Mapped[bool] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class EnrollmentBreakdown(db.Model):
    """The same counts also by programme and the learner's current specialty (a prefecture's detail)."""

    __tablename__ = "stats_enrollment_breakdowns"

    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    prefecture_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    program_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    organization_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    specialty: Mapped[str] = mapped_column(String(40), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    ever_active: Mapped[bool] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class PlacementCount(db.Model):
    """Active placements per fiscal year and site."""

    __tablename__ = "stats_placement_counts"

    fiscal_year: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
