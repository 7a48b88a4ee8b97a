"""cmi5 launch sessions, and what each registration (enrolment) has of each AU, block and course."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime
from lms.dates import utcnow
from lms.extensions import db

SESSION_STATUSES = ("launched", "initialized", "terminated", "abandoned", "waived")


class Cmi5Session(db.Model):
    """One launch of an AU (cmi5 3.0 "Session"): from `launched` to `terminated` or `abandoned`. The fetch key
    (kept as its SHA-256) answers once (8.2): `fetched_at` is set by the request that gets the token."""

    __tablename__ = "cmi5_sessions"
    __table_args__ = (
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in SESSION_STATUSES) + ")", name="status_known"),
        CheckConstraint("launch_mode IN ('Normal', 'Browse', 'Review')", name="launch_mode_known"),
        Index("ix_cmi5_sessions_enrollment_status", "enrollment_id", "status"),
        Index("ix_cmi5_sessions_status_activity", "status", "last_activity_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"))
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    module_code: Mapped[str] = mapped_column(String(40))
    au_id: Mapped[str] = mapped_column(String(2000))  # the publisher's id (course structure)
    activity_id: Mapped[str] = mapped_column(String(2000))  # the LMS-generated activity id (launch parameter)
    launch_mode: Mapped[str] = mapped_column(String(10), default="Normal")
    mastery_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))
    fetch_key_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    fetched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="launched")
    launched_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    initialized_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    terminated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verbs: Mapped[str] = mapped_column(String(200), default="")  # cmi5 defined verbs recorded, space-separated


class Cmi5AuState(db.Model):
    """One AU in one registration: when it was first completed, passed, failed, waived and satisfied."""

    __tablename__ = "cmi5_au_states"
    __table_args__ = (UniqueConstraint("enrollment_id", "au_id"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"))
    au_id: Mapped[str] = mapped_column(String(2000))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    passed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    waived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    satisfied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    best_scaled: Mapped[Decimal | None] = mapped_column(Numeric(5, 4))


class Cmi5Satisfied(db.Model):
    """A block or the course satisfied in a registration, with the `satisfied` statement the LMS recorded for
    it: one per registration and object (9.3: the LMS SHOULD NOT issue several)."""

    __tablename__ = "cmi5_satisfied"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "object_id"),
        CheckConstraint("kind IN ('block', 'course')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"))
    kind: Mapped[str] = mapped_column(String(10))
    object_id: Mapped[str] = mapped_column(String(2000))  # the publisher's block or course id
    statement_id: Mapped[str] = mapped_column(String(36))
    satisfied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Cmi5PendingStatement(db.Model):
    """A statement the LMS makes (launched, satisfied, abandoned), written in the transaction that decides it
    and handed to the LRS after that commits (`service.deliver_pending`): never lost, stored once (the LRS
    keeps one statement per id)."""

    __tablename__ = "cmi5_pending_statements"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    statement_id: Mapped[str] = mapped_column(String(36), unique=True)
    statement: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
