"""Learner profiles (personal data)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.extensions import db

PERSONAL_FIELDS = ("family_name", "given_name", "family_name_kana", "given_name_kana", "email",
                   "medical_registration_number", "license_year", "workplace_name")


class Learner(db.Model):
    """A physician taking the programme."""

    __tablename__ = "learners"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"), unique=True)
    family_name: Mapped[str] = mapped_column(String(50))
    given_name: Mapped[str] = mapped_column(String(50))
    family_name_kana: Mapped[str] = mapped_column(String(100))
    given_name_kana: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    medical_registration_number: Mapped[str | None] = mapped_column(String(7), unique=True)
    license_year: Mapped[int | None]
    specialty: Mapped[str] = mapped_column(ForeignKey("specialties.code"))
    workplace_prefecture_code: Mapped[str] = mapped_column(ForeignKey("prefectures.code"), index=True)
    workplace_name: Mapped[str | None] = mapped_column(String(200))
    organization_code: Mapped[str | None] = mapped_column(ForeignKey("organizations.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.given_name}"
