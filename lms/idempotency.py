"""`Idempotency-Key` on creating POSTs: the same key and body replay the first response, for a while.

Exact under concurrency: a request first CLAIMS the key (it inserts the record, in flight, in a short
transaction of its own; the primary key (scope, key) lets one insert win), then does the work, then stores its
response on the record. Of N simultaneous requests with one key and body exactly one runs; the others replay
its response, or get 409 with `Retry-After` while it is still in flight. A failed request (an error or a
non-2xx answer) releases its claim so a retry runs afresh; a claim left by a crashed worker lapses after
IDEMPOTENCY_LEASE_SECONDS.

A stored response may hold personal data (a registration returns the learner's profile), so records are
kept for IDEMPOTENCY_RETENTION_HOURS only, disclosed in the learner's export and deleted on erasure.
"""

import hashlib
import json
import logging
from collections.abc import Iterable
from copy import deepcopy
from datetime import datetime, timedelta
from functools import wraps

import click
from flask import Response, current_app, g, request
from sqlalchemy import String, Text, delete, or_, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime, new_id
from lms.dates import utcnow
from lms.errors import Conflict, Invalid
from lms.extensions import db

log = logging.getLogger(__name__)

MAX_KEY_LENGTH = 200
# how long a claim holds without a stored response before another request may take the key over
DEFAULT_LEASE_SECONDS = 60
IN_FLIGHT_RETRY_AFTER = "1"


class IdempotencyRecord(db.Model):
    __tablename__ = "idempotency_records"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    # null while the claiming request is in flight; then the stored response
    status: Mapped[int | None]
    mimetype: Mapped[str | None] = mapped_column(String(100))
    location: Mapped[str | None] = mapped_column(String(500))
    body: Mapped[str | None] = mapped_column(Text)
    # the in-flight request's claim, and when it lapses (a worker that crashed never stores a response)
    claim: Mapped[str | None] = mapped_column(String(36))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
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


def lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("IDEMPOTENCY_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


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
        claimed = _claim(scope, key, _request_hash())
        if isinstance(claimed, IdempotencyRecord):
            return _replay(claimed)
        try:
            response: Response = func(*args, **kwargs)
        except BaseException:
            try:
                _release(scope, key, claimed)
            except DBAPIError:  # the database is gone; the claim lapses with its lease
                log.warning("could not release an Idempotency-Key claim")
            raise
        if 200 <= response.status_code < 300:
            _store(scope, key, claimed, response)
        else:
            _release(scope, key, claimed)
        return response

    wrapper._apidoc = deepcopy(getattr(func, "_apidoc", {}))
    manual = wrapper._apidoc.setdefault("manual_doc", {})
    manual.setdefault("parameters", []).append({
        "in": "header", "name": "Idempotency-Key", "required": False,
        "description": "Replays the first response for the same key and body for a retention period "
                       "(24 hours by default); another body is 422; while the first request with the key is "
                       "still running, 409 with Retry-After.",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    })
    return wrapper


def _claim(scope: str, key: str, request_hash: str) -> "str | IdempotencyRecord":
    """Claim the key for this request (its claim token), or the stored response to replay; raises 422 for
    another body and 409 while another request holds the key. Commits, in a transaction of its own."""
    # what the request did so far (authentication) is committed with the claim, which is then not held
    # open while the work runs
    for _ in range(5):
        now = utcnow()
        stored = db.session.get(IdempotencyRecord, (scope, key), populate_existing=True)
        if stored is None:
            claim = new_id()
            db.session.add(IdempotencyRecord(scope=scope, key=key, request_hash=request_hash, created_at=now,
                                             claim=claim, claimed_until=now + lease()))
            try:
                db.session.commit()
                return claim
            except IntegrityError:  # another request with this key claimed it first: look again
                db.session.rollback()
                continue
        cutoff = now - retention()
        if stored.created_at < cutoff:
            # past retention (the prune may not have run yet): the key is free again, unless a concurrent
            # request has replaced the record meanwhile
            db.session.execute(delete(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope, IdempotencyRecord.key == key,
                IdempotencyRecord.created_at < cutoff))
            db.session.commit()
            continue
        if stored.request_hash != request_hash:
            db.session.rollback()
            raise Invalid("This Idempotency-Key was used with another request.",
                          errors={"headers": {"Idempotency-Key": ["reused with a different request"]}})
        if stored.status is not None:
            db.session.rollback()
            return stored
        if stored.claimed_until is not None and stored.claimed_until < now:
            # the request holding it crashed: take the key over, unless another request just did
            claim = new_id()
            taken = db.session.execute(update(IdempotencyRecord).where(
                IdempotencyRecord.scope == scope, IdempotencyRecord.key == key,
                IdempotencyRecord.claim == stored.claim, IdempotencyRecord.status.is_(None))
                .values(claim=claim, claimed_until=now + lease(), created_at=now)).rowcount
            db.session.commit()
            if taken == 1:
                return claim
            continue
        db.session.rollback()
        break
    raise Conflict("A request with this Idempotency-Key is still in progress; retry shortly.",
                   headers={"Retry-After": IN_FLIGHT_RETRY_AFTER})


def _replay(stored: IdempotencyRecord) -> Response:
    response = Response(stored.body, status=stored.status, mimetype=stored.mimetype)
    if stored.location:
        response.headers["Location"] = stored.location
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _mine(scope: str, key: str, claim: str):
    return (IdempotencyRecord.scope == scope, IdempotencyRecord.key == key, IdempotencyRecord.claim == claim)


def _store(scope: str, key: str, claim: str, response: Response) -> None:
    """Put the response on the claimed record (unless the claim lapsed and another request took it)."""
    db.session.rollback()  # the work committed what it did; anything left over is not ours to commit
    db.session.execute(update(IdempotencyRecord).where(*_mine(scope, key, claim)).values(
        status=response.status_code, mimetype=response.mimetype or "application/json",
        location=response.headers.get("Location"), body=response.get_data(as_text=True),
        subject_id=_created_id(response), claim=None, claimed_until=None))
    db.session.commit()


def _release(scope: str, key: str, claim: str) -> None:
    """Give the key up after a failed request, so that a retry runs."""
    db.session.rollback()
    db.session.execute(delete(IdempotencyRecord).where(*_mine(scope, key, claim)))
    db.session.commit()


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
    rows = db.session.scalars(select(IdempotencyRecord).where(_about(user_id, subject_ids),
                                                              IdempotencyRecord.status.is_not(None))
                              .order_by(IdempotencyRecord.created_at, IdempotencyRecord.key))
    return [{"key": r.key, "created_at": r.created_at.isoformat(), "status": r.status, "location": r.location,
             "client_address": r.scope.removeprefix("ip:") if r.scope.startswith("ip:") else None,
             "body": _decoded(r)} for r in rows]


def _decoded(record: IdempotencyRecord):
    if record.mimetype and record.mimetype.endswith("json"):
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
