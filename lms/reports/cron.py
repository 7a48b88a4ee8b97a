"""Five-field cron timetables in Japan time, and their occurrences."""

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from lms.dates import JST

_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# Look back over growing windows, so finding the latest occurrence costs little even after long downtime.
_WINDOWS = (timedelta(hours=1), timedelta(days=1), timedelta(days=32), timedelta(days=367),
            timedelta(days=5 * 366))
_HORIZON = timedelta(days=5 * 366)


class CronError(ValueError):
    """A timetable that cannot be used; the message says why."""


def trigger_for(cron: str) -> CronTrigger:
    """A trigger for a standard crontab line (minute hour day month day-of-week) in Asia/Tokyo.

    APScheduler counts weekdays from Monday = 0, while crontab counts from Sunday = 0 (7 is Sunday too),
    so numeric weekdays are rewritten as names first. Restricting both the day of month and the day of
    week is refused: crontab runs when either matches, APScheduler only when both do.
    """
    fields = cron.split()
    if len(fields) != 5:
        raise CronError(f"Wrong number of fields; got {len(fields)}, expected 5 "
                        "(minute hour day-of-month month day-of-week).")
    if fields[2] != "*" and fields[4] != "*":
        raise CronError("Restrict either the day of month or the day of week, not both.")
    fields[4] = _crontab_day_of_week(fields[4])
    try:
        return CronTrigger.from_crontab(" ".join(fields), timezone=JST)
    except ValueError as exc:
        raise CronError(str(exc)) from exc


def validate_cron(cron: str, now: datetime) -> CronTrigger:
    """`trigger_for`, refusing also a timetable with no occurrence in the next five years."""
    trigger = trigger_for(cron)
    first = next_occurrence(trigger, now)
    if first is None or first - now > _HORIZON:
        raise CronError("This timetable never fires (or not within five years).")
    return trigger


def _crontab_day_of_week(field: str) -> str:
    """Rewrite numeric weekdays (0 or 7 = Sunday) as APScheduler's names; names pass through."""
    if not any(ch.isdigit() for ch in field):
        return field
    days: set[int] = set()
    for item in field.split(","):
        base, slash, step_text = item.partition("/")
        try:
            step = int(step_text) if slash else 1
            if base == "*":
                low, high = 0, 6
            elif "-" in base:
                low_text, high_text = base.split("-")
                low, high = int(low_text), int(high_text)
            else:
                low = int(base)
                high = 7 if slash else low
        except ValueError:
            raise CronError(f"Invalid day-of-week expression {item!r}: use 0-7 or mon-sun, not both.") from None
        if step < 1 or not 0 <= low <= high <= 7:
            raise CronError(f"Invalid day-of-week expression {item!r}: days are 0-7 (0 and 7 are Sunday).")
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(_DAY_NAMES[day] for day in sorted(days))


def next_occurrence(trigger: CronTrigger, after: datetime) -> datetime | None:
    """The first occurrence strictly after `after`, in UTC."""
    fire = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
    return fire.astimezone(UTC) if fire is not None else None


def latest_occurrence(trigger: CronTrigger, after: datetime, now: datetime) -> datetime | None:
    """The latest occurrence t with after < t <= now (missed ones coalesce into it), or None."""
    if now <= after:
        return None
    first = None
    for window in (*_WINDOWS, None):
        start = after if window is None else max(after, now - window)
        first = next_occurrence(trigger, start)
        if first is not None and first <= now:
            break
        if start == after:
            return None
    latest = first
    while (following := next_occurrence(trigger, latest)) is not None and following <= now:
        latest = following
    return latest
