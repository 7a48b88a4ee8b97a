"""Certificates, their per-fiscal-year numbering, and bulk-issue batches."""

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.extensions import db

CERTIFICATE_STATUSES = ("pending", "issued", "revoked", "superseded")
BATCH_STATUSES = ("queued", "running", "succeeded", "failed")


class CertificateCounter(db.Model):
    """The last certificate number used in a fiscal year; incremented in the issuing transaction."""

    __tablename__ = "certificate_counters"

    fiscal_year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Certificate(db.Model):
    """One PDF of a certificate; a reissue is a new row with the same number and a new code."""

    __tablename__ = "certificates"
    __table_args__ = (
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in CERTIFICATE_STATUSES) + ")",
                        name="status_known"),
        UniqueConstraint("certificate_number", "revision"),
        # one live certificate per enrolment: a second issue returns the first
        Index("uq_certificates_live_per_enrollment", "enrollment_id", unique=True,
              postgresql_where=text("status IN ('pending', 'issued')"),
              sqlite_where=text("status IN ('pending', 'issued')")),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"), index=True)
    learner_id: Mapped[str] = mapped_column(ForeignKey("learners.id"), index=True)
    program_code: Mapped[str] = mapped_column(String(40))
    fiscal_year: Mapped[int]
    sequence: Mapped[int]
    revision: Mapped[int] = mapped_column(default=1)
    certificate_number: Mapped[str] = mapped_column(String(20))
    verification_code: Mapped[str] = mapped_column(String(20), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    # null once the holder's personal data is erased
    holder_name: Mapped[str | None] = mapped_column(String(120))
    program_title: Mapped[str] = mapped_column(String(200))
    completed_on: Mapped[date]
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    pdf_bytes: Mapped[int | None]
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_reason: Mapped[str | None] = mapped_column(String(500))
    superseded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    replaces_id: Mapped[str | None] = mapped_column(ForeignKey("certificates.id"))
    # a pending certificate is rendered by the worker that holds this lease (see lms.certificates.worker)
    render_lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CertificateBatch(db.Model):
    """Bulk issue for a programme's completed enrolments of a fiscal year."""

    __tablename__ = "certificate_batches"
    __table_args__ = (
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in BATCH_STATUSES) + ")", name="status_known"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_code: Mapped[str] = mapped_column(String(40))
    fiscal_year: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="queued")
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(String(1000))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class CertificateBatchItem(db.Model):
    __tablename__ = "certificate_batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "enrollment_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    batch_id: Mapped[str] = mapped_column(ForeignKey("certificate_batches.id", ondelete="CASCADE"), index=True)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"))
    certificate_id: Mapped[str | None] = mapped_column(ForeignKey("certificates.id"))
    status: Mapped[str] = mapped_column(String(20), default="pending")
    error: Mapped[str | None] = mapped_column(String(500))
