"""A fixed-window rate limit per key, kept in the database so every app process shares it."""

from datetime import datetime, timedelta

from sqlalchemy import String, case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime
from lms.dates import utcnow
from lms.errors import TooManyRequests
from lms.extensions import db


class RateLimitWindow(db.Model):
    __tablename__ = "rate_limit_windows"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    hits: Mapped[int] = mapped_column(default=0)


def hit(key: str, limit: int, window_seconds: int, *, now: datetime | None = None) -> None:
    """Count one request for `key`; raise TooManyRequests past `limit` in the current window.

    One statement counts and reads the count (an upsert returning it), so concurrent requests each get
    their own number and exactly `limit` of them pass in a window."""
    now = now or utcnow()
    start = datetime.fromtimestamp(now.timestamp() // window_seconds * window_seconds, tz=now.tzinfo)
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    new = insert(RateLimitWindow).values(key=key, window_start=start, hits=1)
    ended = RateLimitWindow.window_start < new.excluded.window_start
    counted = new.on_conflict_do_update(index_elements=[RateLimitWindow.key], set_={
        "hits": case((ended, 1), else_=RateLimitWindow.hits + 1),
        "window_start": case((ended, new.excluded.window_start), else_=RateLimitWindow.window_start),
    }).returning(RateLimitWindow.hits)
    hits = db.session.execute(counted).scalar_one()
    db.session.commit()
    if hits > limit:
        retry = (start + timedelta(seconds=window_seconds) - now).total_seconds()
        raise TooManyRequests("Too many requests; slow down.", int(retry) + 1)
