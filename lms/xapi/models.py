"""The statement store: each statement as the JSON it is returned as, with indexed columns for the queries.

`seq` is the store's own monotonic order (the `more` cursor); `stored` is the xAPI `stored` timestamp. Agent,
verb and activity identifiers are kept as fixed-size digests (`key_of`), so any IRI length indexes alike on
both databases. The related agents and activities of a statement (Communication 2.1.3) are rows of the two
index tables, with `direct` set for what the `agent` and `activity` filters match without `related_*`.
"""

import hashlib
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime
from lms.extensions import db

# an auto-incrementing 64-bit key on PostgreSQL; SQLite autoincrements only an INTEGER PRIMARY KEY
SEQ = BigInteger().with_variant(Integer(), "sqlite")
KEY_LENGTH = 40


def key_of(value: str) -> str:
    """The indexed digest of an identifier (an agent key, a verb or an activity IRI)."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:KEY_LENGTH]


class LrsStatement(db.Model):
    """A stored statement: `statement` is its JSON text exactly as the LRS returns it."""

    __tablename__ = "lrs_statements"
    __table_args__ = (
        Index("ix_lrs_statements_registration", "registration", "seq"),
        Index("ix_lrs_statements_verb", "verb_key", "seq"),
        Index("ix_lrs_statements_activity", "activity_key", "seq"),
        Index("ix_lrs_statements_actor", "actor_key", "seq"),
        Index("ix_lrs_statements_authority", "authority_key", "seq"),
        Index("ix_lrs_statements_stored", "stored"),
        Index("ix_lrs_statements_ref", "ref_target"),
        # the few voiding statements, by target: is a statement arriving already voided (Data 2.3.2)
        Index("ix_lrs_statements_voids", "ref_target", postgresql_where=text("voiding"),
              sqlite_where=text("voiding")),
    )

    seq: Mapped[int] = mapped_column(SEQ, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    statement: Mapped[str] = mapped_column(Text)
    verb_key: Mapped[str] = mapped_column(String(KEY_LENGTH))
    activity_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH))  # the object, when an Activity
    actor_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    authority_key: Mapped[str | None] = mapped_column(String(KEY_LENGTH))
    registration: Mapped[str | None] = mapped_column(String(36))
    ref_target: Mapped[str | None] = mapped_column(String(36))  # the object, when a StatementRef
    voiding: Mapped[bool] = mapped_column(Boolean, default=False)  # verb voided with a StatementRef
    voided: Mapped[bool] = mapped_column(Boolean, default=False)
    stored: Mapped[datetime] = mapped_column(UTCDateTime)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)


class LrsStatementAgent(db.Model):
    """An agent (or identified group) of a statement; `direct`: its actor or object."""

    __tablename__ = "lrs_statement_agents"

    agent_key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    statement_seq: Mapped[int] = mapped_column(SEQ, ForeignKey("lrs_statements.seq"),
                                               primary_key=True)
    direct: Mapped[bool] = mapped_column(Boolean, default=False)


class LrsStatementActivity(db.Model):
    """An activity of a statement (object, context activities, sub-statement); `direct`: its object."""

    __tablename__ = "lrs_statement_activities"

    activity_key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    statement_seq: Mapped[int] = mapped_column(SEQ, ForeignKey("lrs_statements.seq"),
                                               primary_key=True)
    direct: Mapped[bool] = mapped_column(Boolean, default=False)


class LrsAttachment(db.Model):
    """Attachment content, stored once per SHA-256 (`sha2`) however many statements carry it."""

    __tablename__ = "lrs_attachments"

    sha2: Mapped[str] = mapped_column(String(128), primary_key=True)  # SHA-256, -384 or -512
    content_type: Mapped[str] = mapped_column(String(255))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class LrsStatementAttachment(db.Model):
    """Which statement carries which attachment content (erasure drops content no statement carries)."""

    __tablename__ = "lrs_statement_attachments"

    statement_seq: Mapped[int] = mapped_column(SEQ, ForeignKey("lrs_statements.seq"),
                                               primary_key=True)
    sha2: Mapped[str] = mapped_column(ForeignKey("lrs_attachments.sha2"), primary_key=True, index=True)
