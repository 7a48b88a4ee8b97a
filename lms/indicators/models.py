"""An indicator of a prefecture's plan: a measure, its baseline year and a target value for a target year."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.extensions import db
from lms.indicators.rules import MEASURES


class Indicator(db.Model):
    """One row of a prefecture's indicator table (区分 / 指標等 / 目標の考え方 / 現状値 / 目標値 / 指標の出典)."""

    __tablename__ = "prefecture_indicators"
    __table_args__ = (
        CheckConstraint("measure IN (" + ", ".join(f"'{m}'" for m in MEASURES) + ")", name="measure_known"),
        CheckConstraint("baseline_fiscal_year <= target_fiscal_year", name="years_ordered"),
        CheckConstraint("target_value >= 0", name="target_non_negative"),
        Index("ix_prefecture_indicators_prefecture", "prefecture_code", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefectures.code"))
    category_ja: Mapped[str] = mapped_column(String(50))
    name_ja: Mapped[str] = mapped_column(String(200))
    measure: Mapped[str] = mapped_column(String(40))
    rationale_ja: Mapped[str] = mapped_column(Text, default="")
    baseline_fiscal_year: Mapped[int]
    target_fiscal_year: Mapped[int]
    target_value: Mapped[int]
    source_ja: Mapped[str] = mapped_column(String(200), default="")
    public: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
