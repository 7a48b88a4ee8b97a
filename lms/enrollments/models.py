"""Enrolments, with the prefecture and fiscal year fixed at application."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.enrollments.rules import NON_FINAL, STATUSES
from lms.extensions import db
from lms.learners.models import Learner
from lms.programs.catalogue import version_info
from lms.programs.models import ProgramVersion

_NON_FINAL_SQL = "status IN (" + ", ".join(f"'{s}'" for s in NON_FINAL) + ")"


class Enrollment(db.Model):
    __tablename__ = "enrollments"
    __table_args__ = (
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in STATUSES) + ")", name="status_known"),
        # one open enrolment per learner and programme, whatever races the application
        Index("uq_enrollments_open_per_program", "learner_id", "program_code", unique=True,
              postgresql_where=text(_NON_FINAL_SQL), sqlite_where=text(_NON_FINAL_SQL)),
        # statistics read counts from this index alone
        Index("ix_enrollments_stats", "fiscal_year", "prefecture_code", "status", "ever_active"),
        # lists are newest first (applied_at DESC, id DESC): a backward scan of this index, no sort
        Index("ix_enrollments_listing", "applied_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    program_code: Mapped[str] = mapped_column(String(40), index=True)
    program_version_id: Mapped[str] = mapped_column(ForeignKey("program_versions.id"))
    fiscal_year: Mapped[int]
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefectures.code"))
    organization_code: Mapped[str | None] = mapped_column(ForeignKey("organizations.code"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="applied")
    ever_active: Mapped[bool] = mapped_column(default=False)
    status_reason: Mapped[str | None] = mapped_column(String(500))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rejected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    learner: Mapped[Learner] = relationship(lazy="raise")
    program_version: Mapped[ProgramVersion] = relationship()

    @property
    def program_version_number(self) -> int:
        return version_info(self.program_version_id).version
