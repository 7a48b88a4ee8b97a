"""Certificate numbers (sequential per fiscal year, no gaps) and verification codes."""

import secrets

from sqlalchemy import update
from sqlalchemy.dialects import postgresql, sqlite

from lms.certificates.models import CertificateCounter
from lms.extensions import db

# Crockford's base32: no I, L, O or U, so a code read aloud or typed from paper is unambiguous
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16


def format_number(fiscal_year: int, sequence: int) -> str:
    return f"RC-{fiscal_year}-{sequence:06d}"


def next_sequence(fiscal_year: int) -> int:
    """Take the next number inside the caller's transaction: a rollback gives it back, so no gaps.

    The counter row's lock serialises concurrent issuers of the same year until they commit."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(CertificateCounter).values(fiscal_year=fiscal_year, last_number=0)
                       .on_conflict_do_nothing(index_elements=["fiscal_year"]))
    return db.session.execute(
        update(CertificateCounter).where(CertificateCounter.fiscal_year == fiscal_year)
        .values(last_number=CertificateCounter.last_number + 1).returning(CertificateCounter.last_number)
    ).scalar_one()


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    """Accept the grouped form (ABCD-EFGH-...), lower case and the usual misreadings."""
    cleaned = code.upper().replace("-", "").replace(" ", "")
    return cleaned.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
