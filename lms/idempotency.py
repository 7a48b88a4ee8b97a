"""`Idempotency-Key` on creating POSTs: the same key and body replay the first response."""

import hashlib
from copy import deepcopy
from datetime import datetime
from functools import wraps

from flask import Response, g, request
from sqlalchemy import String, Text
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
        stored = db.session.get(IdempotencyRecord, (scope, key))
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
        "description": "Replays the first response for the same key and body; another body is 422.",
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
    })
    return wrapper


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
        body=response.get_data(as_text=True),
    ))
    try:
        db.session.commit()
    except IntegrityError:
        # a concurrent request with the same key stored its response first
        db.session.rollback()
