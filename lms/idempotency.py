"""`Idempotency-Key` on creating POSTs: the same key and body replay the first response, for a while.

A stored response may hold personal data (a registration returns the learner's profile), so records are
kept for IDEMPOTENCY_RETENTION_HOURS only, disclosed in the learner's export and deleted on erasure.
"""

import hashlib
import json
from collections.abc import Iterable
from copy import deepcopy
from datetime import datetime, timedelta
from functools import wraps

import click
from flask import Response, current_app, g, request
from sqlalchemy import String, Text, delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from lms.dates import utcnow
from lms.db import UTCDateTime
from lms.errors import Invalid
from lms.extensions import db

MAX_KEY_LENGTH = 200


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[int]
    mimetype: Mapped[str] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # the id of the object the request created (a learner, a user, ...), so erasure finds what is about them
    subject_id: Mapped[str | None] = mapped_column(String(36), index=True)


def retention() -> timedelta:
    return timedelta(hours=current_app.config["IDEMPOTENCY_RETENTION_HOURS"])


def _request_hash() -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.path, request.get_data()):
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def idempotent(func):
    """Wrap a creating view so a repeated Idempotency-Key replays its first successful response."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            return func(*args, **kwargs)
        if not 1 <= len(key) <= MAX_KEY_LENGTH or not key.isprintable():
            raise Invalid(errors={"headers": {"Idempotency-Key": ["1–200 printable characters"]}})
        actor = getattr(g, "actor", None)
        scope = actor.id if actor else f"ip:{request.remote_addr}"
        request_hash = _request_hash()
        stored = _live_record(scope, key)
        if stored is not None:
            if stored.request_hash != request_hash:
                raise Invalid("This Idempotency-Key was used with another request.",
                              errors={"headers": {"Idempotency-Key": ["reused with a different request"]}})
            return _replay(stored)
        response: Response = func(*args, **kwargs)
        if 200 <= response.status_code < 300:
            _store(scope, key, request_hash, response)
        return response

    wrapper._apidoc = deepcopy(getattr(func, "_apidoc", {}))
    manual = wrapper._apidoc.setdefault("manual_doc", {})
    manual.setdefault("parameters", []).append({
        "in": "header", "name": "Idempotency-Key", "required": False,
        "description": "Replays the first response for the same key and body for a retention period "
                       "(24 hours by default); another body is 422.",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    })
    return wrapper


def _live_record(scope: str, key: str) -> IdempotencyRecord | None:
    """The stored response for this key, unless it is past retention: then it is deleted (the prune may
    not have run yet) and the request runs as a fresh one."""
    stored = db.session.get(IdempotencyRecord, (scope, key))
    cutoff = utcnow() - retention()
    if stored is not None and stored.created_at < cutoff:
        # only if still stale: a concurrent request may have deleted or replaced it meanwhile
        db.session.execute(delete(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key, IdempotencyRecord.created_at < cutoff))
        db.session.commit()
        return None
    return stored


def _replay(stored: IdempotencyRecord) -> Response:
    response = Response(stored.body, status=stored.status, mimetype=stored.mimetype)
    if stored.location:
        response.headers["Location"] = stored.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _store(scope: str, key: str, request_hash: str, response: Response) -> None:
    db.session.add(IdempotencyRecord(
        scope=scope, key=key, request_hash=request_hash, status=response.status_code,
        mimetype=response.mimetype or "application/json", location=response.headers.get("Location"),
        body=response.get_data(as_text=True), subject_id=_created_id(response),
    ))
    try:
        db.session.commit()
    except IntegrityError:
        # a concurrent request with the same key stored its response first
        db.session.rollback()


def _created_id(response: Response) -> str | None:
    """The `id` of the created object in a JSON response body, if it has one."""
    body = response.get_json(silent=True)
    subject = body.get("id") if isinstance(body, dict) else None
    return subject if isinstance(subject, str) and len(subject) <= 36 else None


def prune_expired(*, now: datetime | None = None) -> int:
    """Delete the records past retention; the number deleted. Run daily by the scheduler process."""
    cutoff = (now or utcnow()) - retention()
    deleted = db.session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff)).rowcount
    db.session.commit()
    return deleted


def _about(user_id: str | None, subject_ids: Iterable[str | None]):
    """Records made by this user, or whose response is the object of one of these ids."""
    subjects = sorted({subject for subject in subject_ids if subject})
    conditions = [IdempotencyRecord.subject_id.in_(subjects)]
    if user_id:
        conditions.append(IdempotencyRecord.scope == user_id)
    return or_(*conditions)


def records_about(user_id: str | None, subject_ids: Iterable[str | None]) -> list[dict]:
    """What is held about a person (their export): the records they made or that describe them."""
    rows = db.session.scalars(select(IdempotencyRecord).where(_about(user_id, subject_ids))
                              .order_by(IdempotencyRecord.created_at, IdempotencyRecord.key))
    return [{"key": r.key, "created_at": r.created_at.isoformat(), "status": r.status, "location": r.location,
             "client_address": r.scope.removeprefix("ip:") if r.scope.startswith("ip:") else None,
             "body": _decoded(r)} for r in rows]


def _decoded(record: IdempotencyRecord):
    if record.mimetype.endswith("json"):
        try:
            return json.loads(record.body)
        except ValueError:
            pass
    return record.body


def forget(user_id: str | None, subject_ids: Iterable[str | None]) -> int:
    """Delete the records made by this user or about these ids (erasure); the caller commits."""
    return db.session.execute(delete(IdempotencyRecord).where(_about(user_id, subject_ids))).rowcount


def register(group: click.Group) -> None:
    """`flask lms idempotency prune` (for `lms.cli.COMMAND_MODULES`)."""

    @group.group("idempotency")
    def idempotency():
        """Stored Idempotency-Key responses."""

    @idempotency.command("prune")
    def prune():
        """Delete records older than IDEMPOTENCY_RETENTION_HOURS (the scheduler does this daily)."""
        click.echo(f"{prune_expired()} idempotency record(s) deleted")
