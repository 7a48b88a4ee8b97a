"""Cron timetables: crontab weekdays, refusals with reasons, and the latest occurrence for catch-up."""

import time
from datetime import UTC, datetime, timedelta

import pytest

from lms.dates import JST
from lms.reports.cron import CronError, latest_occurrence, next_occurrence, trigger_for, validate_cron

NOW = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday 09:00 in Japan


def jst(*args) -> datetime:
    return datetime(*args, tzinfo=JST).astimezone(UTC)


@pytest.mark.parametrize(("cron", "weekday"), [
    ("0 9 * * 1", "Monday"), ("0 9 * * 0", "Sunday"), ("0 9 * * 7", "Sunday"), ("0 9 * * mon", "Monday"),
    ("0 9 * * 5", "Friday"),
])
def test_weekdays_count_from_sunday_as_in_crontab(cron, weekday):
    fire = next_occurrence(trigger_for(cron), NOW)
    assert fire.astimezone(JST).strftime("%A") == weekday
    assert fire.astimezone(JST).hour == 9


def test_weekday_ranges_and_steps_follow_crontab():
    trigger = trigger_for("30 8 * * 1-5")
    days = set()
    moment = NOW
    for _ in range(10):
        moment = next_occurrence(trigger, moment)
        days.add(moment.astimezone(JST).strftime("%a"))
    assert days == {"Mon", "Tue", "Wed", "Thu", "Fri"}
    trigger = trigger_for("0 0 * * */2")  # crontab: Sunday, Tuesday, Thursday, Saturday
    days = set()
    for _ in range(8):
        moment = next_occurrence(trigger, moment)
        days.add(moment.astimezone(JST).strftime("%a"))
    assert days == {"Sun", "Tue", "Thu", "Sat"}


def test_times_are_japan_time():
    fire = next_occurrence(trigger_for("0 9 1 4 *"), NOW)
    assert fire == jst(2027, 4, 1, 9, 0)
    assert fire.tzinfo == UTC


@pytest.mark.parametrize(("cron", "reason"), [
    ("* * *", "Wrong number of fields; got 3, expected 5"),
    ("61 * * * *", "higher than the maximum value (59)"),
    ("0 25 * * *", "higher than the maximum value (23)"),
    ("*/0 * * * *", "Increment must be higher than 0"),
    ("0 9 1 * 1", "either the day of month or the day of week"),
    ("0 9 * * 8", "days are 0-7"),
    ("0 9 * * x1", "Invalid day-of-week expression"),
    ("0 0 31 2 *", "never fires"),
])
def test_bad_timetables_say_why(cron, reason):
    with pytest.raises(CronError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        validate_cron(cron, NOW)


def test_latest_occurrence_is_the_last_one_due():
    trigger = trigger_for("0 9 * * *")
    after = jst(2026, 11, 20, 12, 0)
    assert latest_occurrence(trigger, after, jst(2026, 11, 23, 10, 0)) == jst(2026, 11, 23, 9, 0)
    assert latest_occurrence(trigger, after, jst(2026, 11, 23, 8, 59)) == jst(2026, 11, 22, 9, 0)


def test_latest_occurrence_bounds_are_after_exclusive_now_inclusive():
    trigger = trigger_for("0 9 * * *")
    nine = jst(2026, 11, 23, 9, 0)
    assert latest_occurrence(trigger, nine, nine + timedelta(hours=1)) is None
    assert latest_occurrence(trigger, nine - timedelta(seconds=1), nine) == nine
    assert latest_occurrence(trigger, nine - timedelta(hours=1), nine - timedelta(seconds=1)) is None
    assert latest_occurrence(trigger, nine, nine) is None


def test_long_downtime_coalesces_into_one_occurrence_quickly():
    trigger = trigger_for("* * * * *")
    now = jst(2026, 11, 23, 9, 30, 15)
    started = time.perf_counter()
    assert latest_occurrence(trigger, now - timedelta(days=400), now) == jst(2026, 11, 23, 9, 30)
    yearly = trigger_for("0 0 1 1 *")
    assert latest_occurrence(yearly, now - timedelta(days=3000), now) == jst(2026, 1, 1, 0, 0)
    assert time.perf_counter() - started < 1


def test_rare_timetables_are_found_across_years():
    leap_day = trigger_for("0 12 29 2 *")
    assert latest_occurrence(leap_day, jst(2019, 1, 1), jst(2026, 11, 23)) == jst(2024, 2, 29, 12, 0)
    assert latest_occurrence(leap_day, jst(2024, 3, 1), jst(2026, 11, 23)) is None
