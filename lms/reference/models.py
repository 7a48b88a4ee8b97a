"""Reference tables, filled by the first migration."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db


class Block(db.Model):
    __tablename__ = "blocks"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(40))
    sort_order: Mapped[int]
    prefectures: Mapped[list["Prefecture"]] = relationship(
        back_populates="block", order_by="Prefecture.code", lazy="selectin"
    )


class Prefecture(db.Model):
    __tablename__ = "prefectures"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(10))
    name_en: Mapped[str] = mapped_column(String(20))
    block_code: Mapped[str] = mapped_column(ForeignKey("blocks.code"))
    lg_code: Mapped[str] = mapped_column(String(6), unique=True)
    block: Mapped[Block] = relationship(back_populates="prefectures", lazy="joined")

    @property
    def block_ja(self) -> str:
        return self.block.name_ja

    @property
    def block_en(self) -> str:
        return self.block.name_en


class Organization(db.Model):
    """A member association of the consortium."""

    __tablename__ = "organizations"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(60))
    name_en: Mapped[str] = mapped_column(String(120))


class Specialty(db.Model):
    """One of the 19 basic specialties, or none."""

    __tablename__ = "specialties"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name_ja: Mapped[str] = mapped_column(String(30))
    name_en: Mapped[str] = mapped_column(String(60))
    sort_order: Mapped[int]
