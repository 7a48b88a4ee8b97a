"""OJT host sites."""

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.dates import utcnow
from lms.db import UTCDateTime, new_id
from lms.extensions import db

SITE_KINDS = ("hospital", "clinic", "geriatric_facility", "other")
SITE_KIND_LABELS = {"hospital": "病院", "clinic": "診療所", "geriatric_facility": "介護老人保健施設",
                    "other": "その他"}
ACTIVITIES = ("outpatient", "home_visits", "ward", "emergency", "community_care", "other")
ACTIVITY_LABELS = {"outpatient": "外来", "home_visits": "訪問診療", "ward": "病棟", "emergency": "救急",
                   "community_care": "地域包括ケア", "other": "その他"}


class OjtSite(db.Model):
    """A medical institution hosting on-the-job training."""

    __tablename__ = "ojt_sites"
    __table_args__ = (
        CheckConstraint(f"kind IN {SITE_KINDS}", name="kind_known"),
        CheckConstraint("annual_capacity >= 0", name="capacity_non_negative"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    external_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30))
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefectures.code"), index=True)
    secondary_medical_area: Mapped[str] = mapped_column(String(100))
    shortage_area: Mapped[bool] = mapped_column(default=False)
    annual_capacity: Mapped[int] = mapped_column(default=0)
    activities: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Placement(db.Model):
    """A learner's enrolment placed at an OJT site for a period within one fiscal year."""

    __tablename__ = "placements"
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="period_ordered"),
        CheckConstraint("status IN ('active', 'cancelled')", name="status_known"),
        # one placement per enrolment and fiscal year (the programme's OJT period)
        Index("uq_placements_enrollment_period", "enrollment_id", "fiscal_year", unique=True,
              postgresql_where=text("status = 'active'"), sqlite_where=text("status = 'active'")),
        Index("ix_placements_site_year", "site_id", "fiscal_year", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    enrollment_id: Mapped[str] = mapped_column(ForeignKey("enrollments.id"), index=True)
    site_id: Mapped[str] = mapped_column(ForeignKey("ojt_sites.id"))
    fiscal_year: Mapped[int]
    start_date: Mapped[date]
    end_date: Mapped[date]
    status: Mapped[str] = mapped_column(String(20), default="active")
    matching_round_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
