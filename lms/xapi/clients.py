"""LRS credentials: clients (a key and secret with scopes, for `Authorization: Basic`) and cmi5 session tokens.

Secrets and tokens are strong random values (256 bits), so a SHA-256 digest of one is as safe to store as a slow
password hash and costs microseconds per request: a look-up by digest is one indexed query. Revoking a client
or a session's tokens is one committed change of a row read on every request, so it holds at once in every
process; nothing is cached.
"""

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

from sqlalchemy import JSON, Index, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, mapped_column

from lms.audit.service import record
from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.errors import NotFound
from lms.extensions import db
from lms.pagination import paginate

# a session token is Basic credentials whose user part is this; a client key is hex, so never equal to it
SESSION_USER = "cmi5-session"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class LrsClient(db.Model):
    """An LRS client (an authoring tool's content, a reporting tool): Basic credentials with scopes.
    Revoked clients stay, so that the audit trail and statements' authorities keep naming them."""

    __tablename__ = "lrs_clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LrsSessionToken(db.Model):
    """A cmi5 session's token (only its digest): the learner, registration and AU it speaks for."""

    __tablename__ = "lrs_session_tokens"
    __table_args__ = (Index("ix_lrs_session_tokens_session", "session_id"),
                      Index("ix_lrs_session_tokens_learner", "learner_id"))

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(36))
    learner_id: Mapped[str] = mapped_column(String(36))
    registration: Mapped[str] = mapped_column(String(36))
    activity_id: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- clients ------------------------------------------------------------------------------------------------

def create_client(actor, *, name: str, scopes: list[str]) -> tuple[LrsClient, str]:
    """A new client and its secret (returned this once; only its digest is kept). Audited without the secret."""
    secret = secrets.token_urlsafe(32)
    client = LrsClient(name=name, key=secrets.token_hex(16), secret_hash=digest(secret),
                       scopes=sorted(set(scopes)), created_by=actor.id)
    db.session.add(client)
    db.session.flush()
    record(actor, "xapi_client.create", "xapi_client", client.id, name=name, scopes=client.scopes)
    db.session.commit()
    return client, secret


def list_clients(*, page: int, per_page: int) -> tuple[list[LrsClient], int]:
    return paginate(select(LrsClient), page=page, per_page=per_page,
                    order_by=(LrsClient.created_at.desc(), LrsClient.id))


def revoke_client(actor, client_id: str) -> None:
    """Revoke a client at once: its next request is 401. An unknown or already revoked client is 404."""
    now = utcnow()
    revoked = db.session.execute(
        update(LrsClient).where(LrsClient.id == client_id, LrsClient.revoked_at.is_(None))
        .values(revoked_at=now).execution_options(synchronize_session=False)).rowcount
    if not revoked:
        db.session.rollback()
        raise NotFound("No such LRS client.")
    record(actor, "xapi_client.revoke", "xapi_client", client_id)
    db.session.commit()


def client_by_credentials(key: str, secret: str):
    """(id, name, key, scopes) of the live client with these credentials, or None (one indexed query)."""
    row = db.session.execute(
        select(LrsClient.id, LrsClient.name, LrsClient.key, LrsClient.scopes, LrsClient.secret_hash)
        .where(LrsClient.key == key, LrsClient.revoked_at.is_(None))).first()
    if row is None or not hmac.compare_digest(row.secret_hash, digest(secret)):
        return None
    return row


# -- cmi5 session tokens ------------------------------------------------------------------------------------

def issue_session_token(*, session_id: str, learner_id: str, registration: str, activity_id: str,
                        expires_at: datetime) -> str:
    """A new token for one cmi5 session, added to the caller's transaction (the caller commits). The AU
    sends it as `Authorization: Basic <token>`: it is valid Basic credentials (user SESSION_USER)."""
    secret = secrets.token_urlsafe(32)
    db.session.add(LrsSessionToken(token_hash=digest(secret), session_id=session_id, learner_id=learner_id,
                                   registration=registration, activity_id=activity_id, expires_at=expires_at))
    return base64.b64encode(f"{SESSION_USER}:{secret}".encode()).decode()


def revoke_session_tokens(session_id: str) -> int:
    """Delete every token of a session, in the caller's transaction; how many there were."""
    return db.session.execute(
        delete(LrsSessionToken).where(LrsSessionToken.session_id == session_id)
        .execution_options(synchronize_session=False)).rowcount


def session_by_secret(secret: str):
    """The live session token row (session_id, learner_id, registration, activity_id) for this secret, or None."""
    row = db.session.execute(
        select(LrsSessionToken.session_id, LrsSessionToken.learner_id, LrsSessionToken.registration,
               LrsSessionToken.activity_id, LrsSessionToken.expires_at)
        .where(LrsSessionToken.token_hash == digest(secret))).first()
    if row is None or row.expires_at <= utcnow():
        return None
    return row


def erase_session_tokens(learner, personal: frozenset[str]) -> list:
    """Erasure step: an erased learner's session tokens are gone (no session can speak for them again)."""
    db.session.execute(delete(LrsSessionToken).where(LrsSessionToken.learner_id == learner.id)
                       .execution_options(synchronize_session=False))
    return []
