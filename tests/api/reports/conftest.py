"""Fixtures for report tests: admin headers, a fake clock and a schedule factory."""

from datetime import UTC, datetime, timedelta

import pytest

from lms.extensions import db
from tests.conftest import bearer

# Monday 2026-11-23 09:00 in Japan
START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def admin(make_user) -> dict[str, str]:
    return bearer(make_user("consortium_admin")[1])


@pytest.fixture
def make_schedule(app, clock):
    """Factory: make_schedule(cron="0 9 * * *", report_type=..., **fields) -> schedule id (created at clock.now)."""
    from lms.reports import service

    def _make(cron: str = "0 9 * * *", report_type: str = "prefecture_enrollment", **fields) -> str:
        fields.setdefault("name", f"{report_type} {cron}")
        with app.app_context():
            schedule = service.create_schedule(None, report_type=report_type, cron=cron, now=clock.now, **fields)
            schedule_id = schedule.id
            db.session.remove()
            return schedule_id

    return _make


@pytest.fixture
def settings():
    from lms.reports.jobs import Settings

    return Settings(max_attempts=3, retry_delay=timedelta(seconds=60), lease=timedelta(minutes=30),
                    retention=timedelta(days=90))
