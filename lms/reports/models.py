"""Report schedules, their runs and the files each run produced."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.extensions import db

FORMATS = ("csv", "xlsx", "pdf")
RUN_STATUSES = ("queued", "running", "succeeded", "failed")
ORIGINS = ("schedule", "manual")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class ReportSchedule(db.Model):
    """A report to produce on a cron timetable (Asia/Tokyo); deleted schedules keep their history."""

    __tablename__ = "report_schedules"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    report_type: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    cron: Mapped[str] = mapped_column(String(100))
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(default=True)
    # Occurrences at or before this moment are never run: set on creation and whenever the
    # timetable changes or the schedule is re-enabled, so catch-up never runs an old timetable.
    active_since: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    @property
    def next_run_at(self) -> datetime | None:
        """The next occurrence after now, if the schedule is live."""
        from lms.reports.cron import CronError, next_occurrence, trigger_for

        if not self.enabled or self.deleted_at is not None:
            return None
        try:
            return next_occurrence(trigger_for(self.cron), utcnow())
        except CronError:
            return None


class ReportRun(db.Model):
    """One production of a report: a cron occurrence or a manual request, with its attempts."""

    __tablename__ = "report_runs"
    __table_args__ = (
        # Exactly once per occurrence: whichever scheduler process inserts the row owns it.
        # Manual runs have no occurrence (NULL), and NULLs never collide.
        UniqueConstraint("schedule_id", "scheduled_for", name="uq_report_runs_occurrence"),
        CheckConstraint(_in("status", RUN_STATUSES), name="status_known"),
        CheckConstraint(_in("origin", ORIGINS), name="origin_known"),
        CheckConstraint("(origin = 'schedule') = (scheduled_for IS NOT NULL)", name="occurrence_iff_scheduled"),
        Index("ix_report_runs_queue", "status", "not_before"),
        Index("ix_report_runs_schedule", "schedule_id", "requested_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("report_schedules.id"))
    origin: Mapped[str] = mapped_column(String(20))
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by: Mapped[str | None] = mapped_column(String(36))
    # What to produce, copied from the schedule when the run is queued.
    report_type: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    formats: Mapped[list[str]] = mapped_column(JSON, default=list)
    resolved_params: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    not_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    worker: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(Text)

    artifacts: Mapped[list["ReportArtifact"]] = relationship(
        order_by="ReportArtifact.format", lazy="selectin", cascade="all, delete-orphan"
    )


class ReportArtifact(db.Model):
    """A file written by a run under STORAGE_DIR/reports, with its size and SHA-256."""

    __tablename__ = "report_artifacts"
    __table_args__ = (
        UniqueConstraint("run_id", "format", name="uq_report_artifacts_run_format"),
        CheckConstraint(_in("format", FORMATS), name="format_known"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    run_id: Mapped[str] = mapped_column(ForeignKey("report_runs.id", ondelete="CASCADE"))
    format: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
