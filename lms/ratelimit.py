"""A fixed-window rate limit per key, kept in the database so every app process shares it."""

from datetime import datetime, timedelta

from sqlalchemy import String, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from lms.dates import utcnow
from lms.db import UTCDateTime
from lms.errors import TooManyRequests
from lms.extensions import db


class RateLimitWindow(db.Model):
    __tablename__ = "rate_limit_windows"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    hits: Mapped[int] = mapped_column(default=0)


def hit(key: str, limit: int, window_seconds: int, *, now: datetime | None = None) -> None:
    """Count one request for `key`; raise TooManyRequests past `limit` in the current window."""
    now = now or utcnow()
    start = datetime.fromtimestamp(now.timestamp() // window_seconds * window_seconds, tz=now.tzinfo)
    row = db.session.get(RateLimitWindow, key)
    if row is None:
        db.session.add(RateLimitWindow(key=key, window_start=start, hits=1))
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            row = db.session.get(RateLimitWindow, key)
    if row.window_start < start:
        db.session.execute(update(RateLimitWindow).where(RateLimitWindow.key == key)
                           .values(window_start=start, hits=1))
        db.session.commit()
        return
    db.session.execute(update(RateLimitWindow).where(RateLimitWindow.key == key)
                       .values(hits=RateLimitWindow.hits + 1))
    db.session.commit()
    db.session.refresh(row)
    if row.hits > limit:
        retry = (start + timedelta(seconds=window_seconds) - now).total_seconds()
        raise TooManyRequests("Too many requests; slow down.", int(retry) + 1)
