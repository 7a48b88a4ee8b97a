"""Stored documents of the state, activity profile and agent profile resources (xAPI 1.0.3, Communication 2.2)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime, new_id
from lms.extensions import db
from lms.xapi.document_rules import KINDS

_KINDS_SQL = "kind IN (" + ", ".join(f"'{k}'" for k in KINDS) + ")"


class XapiDocument(db.Model):
    """One document, found by its key: a digest of its kind, its scope (activity and/or agent), its
    registration and its id, so that ids and IRIs of any length are unique under one short index.

    - `scope_hash`: the digest of (kind, activity id, agent key): every document listed or deleted together
      (state of an activity and agent, with any registration; profiles of one activity or one agent).
    - `agent_hash`: the digest of the canonical agent key, for erasure; null for activity profiles.
    - `etag`: the SHA-1 hex digest of `content` (Communication 3.1).
    """

    __tablename__ = "xapi_documents"
    __table_args__ = (
        CheckConstraint(_KINDS_SQL, name="kind_known"),
        Index("ix_xapi_documents_scope", "scope_hash", "registration"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scope_hash: Mapped[str] = mapped_column(String(64))
    agent_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    activity_id: Mapped[str | None] = mapped_column(Text)
    agent_key: Mapped[str | None] = mapped_column(Text)
    registration: Mapped[str | None] = mapped_column(String(36))
    document_id: Mapped[str] = mapped_column(Text)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    content_type: Mapped[str] = mapped_column(String(255))
    etag: Mapped[str] = mapped_column(String(40))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
