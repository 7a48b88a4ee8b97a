"""Date helpers: the clock, Japanese fiscal years and era (和暦) dates."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")

# First day of each supported era, newest first; earlier eras never occur on a certificate.
_ERAS: tuple[tuple[date, str], ...] = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def today_jst() -> date:
    """Return today's date in Japan, which is the date users and certificates mean."""
    return datetime.now(JST).date()


def _calendar_date(d: date) -> date:
    """Reduce a date or aware datetime to the calendar date in Japan."""
    if isinstance(d, datetime):
        if d.tzinfo is None:
            # A naive datetime could be UTC or JST; guessing would shift dates near midnight.
            raise TypeError("naive datetime: pass a date or an aware datetime")
        return d.astimezone(JST).date()
    return d


def fiscal_year(d: date) -> int:
    """Return the Japanese fiscal year (年度), named by the year in which its April falls."""
    d = _calendar_date(d)
    return d.year if d.month >= 4 else d.year - 1


def era_year(d: date) -> tuple[str, int]:
    """Return the era name and the year within it, e.g. ("令和", 8) for 2026-11-22."""
    d = _calendar_date(d)
    for start, name in _ERAS:
        if d >= start:
            return name, d.year - start.year + 1
    raise ValueError(f"{d.isoformat()} is before the 平成 era")


def reiwa_date(d: date) -> str:
    """Format a date the way certificates print it: 令和8年11月22日, 令和元年5月1日, 平成31年4月30日."""
    d = _calendar_date(d)
    era, year = era_year(d)
    year_text = "元" if year == 1 else str(year)
    return f"{era}{year_text}年{d.month}月{d.day}日"


def western_date_ja(d: date) -> str:
    """Format a date as 2026年11月22日."""
    d = _calendar_date(d)
    return f"{d.year}年{d.month}月{d.day}日"
