"""Look-ups of reference data, shared by the other domains' validation."""

import re

from sqlalchemy import select

from lms.errors import Invalid, NotFound
from lms.extensions import db
from lms.reference.data import lg_check_digit
from lms.reference.models import Block, Organization, Prefecture, Specialty


def list_prefectures() -> list[Prefecture]:
    return list(db.session.scalars(select(Prefecture).order_by(Prefecture.code)))


def get_prefecture(code: str) -> Prefecture:
    """By JIS code (`13`) or 6-digit local-government code (`130001`), check digit verified."""
    if re.fullmatch(r"\d{6}", code):
        if lg_check_digit(code[:5]) != code[5]:
            raise Invalid("Wrong check digit in the local-government code.",
                          errors={"path": {"code": ["wrong check digit"]}})
        if code[2:5] != "000":
            raise NotFound(f"No prefecture with code {code}.")
        code = code[:2]
    elif not re.fullmatch(r"\d{2}", code):
        raise Invalid("A prefecture code is 2 digits (JIS X 0401) or 6 digits (local-government code).",
                      errors={"path": {"code": ["must be 2 or 6 digits"]}})
    prefecture = db.session.get(Prefecture, code)
    if prefecture is None:
        raise NotFound(f"No prefecture with code {code}.")
    return prefecture


def list_blocks() -> list[Block]:
    return list(db.session.scalars(select(Block).order_by(Block.sort_order)))


def list_organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.code)))


def list_specialties() -> list[Specialty]:
    return list(db.session.scalars(select(Specialty).order_by(Specialty.sort_order)))


def prefecture_codes() -> set[str]:
    return set(db.session.scalars(select(Prefecture.code)))


def organization_codes() -> set[str]:
    return set(db.session.scalars(select(Organization.code)))


def specialty_codes() -> set[str]:
    return set(db.session.scalars(select(Specialty.code)))
