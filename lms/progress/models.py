"""Module progress (REST updates, xAPI statements, and their sum) and OJT hour logs."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import flag_modified

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.extensions import db
from lms.ojt.models import ACTIVITIES
from lms.progress.rules import MODULE_STATUSES, ModuleEvent, ModuleState

_STATUSES_SQL = "status IN (" + ", ".join(f"'{s}'" for s in MODULE_STATUSES) + ")"
OJT_LOG_STATUSES = ("pending", "approved", "rejected")


class XapiStatement(db.Model):
    """The module event read from a statement the LRS stored about a learner in one of their enrolments
    (status is null for verbs that do not move progress); `voided_by` names the statement that voided it.
    The statement itself lives in the LRS (lms.xapi)."""

    __tablename__ = "xapi_statements"
    __table_args__ = (
        CheckConstraint(_STATUSES_SQL, name="status_known"),
        Index("ix_xapi_statements_module", "enrollment_id", "module_code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"))
    verb_id: Mapped[str] = mapped_column(String(2000))
    module_code: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str | None] = mapped_column(String(20))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    minutes: Mapped[int | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    stored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    voided_by: Mapped[str | None] = mapped_column(String(36))

    def as_event(self) -> ModuleEvent:
        return ModuleEvent(self.status, self.timestamp, self.score, self.minutes, "xapi")


class ModuleProgressUpdate(db.Model):
    """One module progress report by REST (PUT); xAPI reports are the statements themselves."""

    __tablename__ = "module_progress_updates"
    __table_args__ = (
        CheckConstraint(_STATUSES_SQL, name="status_known"),
        Index("ix_module_progress_updates_module", "enrollment_id", "module_code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"))
    module_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    minutes: Mapped[int | None]
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str | None] = mapped_column(String(36))

    def as_event(self) -> ModuleEvent:
        return ModuleEvent(self.status, self.occurred_at, self.score, self.minutes, "rest")


class ModuleProgress(db.Model):
    """A module's progress in an enrolment: the fold of its events, kept for reading."""

    __tablename__ = "module_progress"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "module_code"),
        CheckConstraint(_STATUSES_SQL, name="status_known"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"))
    module_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    best_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    first_completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score_met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_reported: Mapped[int] = mapped_column(default=0)
    minutes_tracked: Mapped[int] = mapped_column(default=0)
    last_activity_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    @property
    def minutes_spent(self) -> int:
        return self.state().minutes_spent

    def state(self) -> ModuleState:
        return ModuleState(self.status, self.best_score, self.first_completed_at, self.score_met_at,
                           self.minutes_reported, self.minutes_tracked, self.last_activity_at)

    def set_state(self, state: ModuleState, done_at: datetime | None) -> None:
        self.status, self.best_score = state.status, state.best_score
        self.first_completed_at, self.score_met_at = state.first_completed_at, state.score_met_at
        self.minutes_reported, self.minutes_tracked = state.minutes_reported, state.minutes_tracked
        self.last_activity_at, self.done_at = state.last_activity_at, done_at
        # every row of a batch then updates the same columns, so the flush sends them as one executemany
        for name in _STATE_COLUMNS:
            flag_modified(self, name)


_STATE_COLUMNS = ("status", "best_score", "first_completed_at", "score_met_at", "minutes_reported",
                  "minutes_tracked", "last_activity_at", "done_at")


class OjtLog(db.Model):
    """Hours of on-the-job training on one day at a placement; only approved hours count."""

    __tablename__ = "ojt_logs"
    __table_args__ = (
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in OJT_LOG_STATUSES) + ")", name="status_known"),
        CheckConstraint("hours >= 0.5 AND hours <= 12", name="hours_in_range"),
        CheckConstraint("activity IN (" + ", ".join(f"'{a}'" for a in ACTIVITIES) + ")", name="activity_known"),
        Index("ix_ojt_logs_placement_date", "placement_id", "date"),
        Index("ix_ojt_logs_status", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    placement_id: Mapped[str] = mapped_column(ForeignKey("placements.id"))
    date: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    activity: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    note: Mapped[str | None] = mapped_column(Text)
    review_comment: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    # bumped by every change; the log's ETag, so a review approves the hours the supervisor saw
    version: Mapped[int] = mapped_column(default=1, server_default="1")
