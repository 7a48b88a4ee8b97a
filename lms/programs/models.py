"""Programme versions and their modules, loaded from course_content/."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.extensions import db

MODULE_KINDS = ("elearning", "quiz", "workshop", "cmi5")


class ProgramVersion(db.Model):
    """One version of a programme; a changed definition becomes a new version."""

    __tablename__ = "program_versions"
    __table_args__ = (UniqueConstraint("code", "version"), UniqueConstraint("code", "content_hash"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int]
    is_current: Mapped[bool] = mapped_column(default=True)
    title_ja: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    description_ja: Mapped[str] = mapped_column(Text)
    ojt_required_hours: Mapped[Decimal] = mapped_column(Numeric(6, 1))
    min_duration_days: Mapped[int | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    cmi5_xml: Mapped[str | None] = mapped_column(Text)  # the programme's cmi5 course structure, if it has one
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    modules: Mapped[list["ProgramModule"]] = relationship(
        order_by="ProgramModule.position", cascade="all, delete-orphan", lazy="selectin"
    )

    def module(self, code: str) -> "ProgramModule | None":
        return next((m for m in self.modules if m.code == code), None)


class ProgramModule(db.Model):
    __tablename__ = "program_modules"
    __table_args__ = (UniqueConstraint("program_version_id", "code"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    program_version_id: Mapped[str] = mapped_column(ForeignKey("program_versions.id", ondelete="CASCADE"))
    position: Mapped[int]
    code: Mapped[str] = mapped_column(String(40))
    title_ja: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    required: Mapped[bool]
    min_score: Mapped[int | None]
    estimated_minutes: Mapped[int]
    body_md: Mapped[str] = mapped_column(Text)
    au_id: Mapped[str | None] = mapped_column(String(2000))  # kind cmi5: the AU's id in the course structure
