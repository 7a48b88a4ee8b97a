"""What progress reads from a statement: scores, durations, module codes, timestamps."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lms.progress.xapi import duration_minutes, module_code, parse_timestamp, score_0_100


@pytest.mark.parametrize("score,expected", [
    ({"scaled": 0.855}, "85.50"), ({"scaled": -0.2}, "0.00"), ({"scaled": 1}, "100.00"),
    ({"raw": 7, "min": 0, "max": 10}, "70.00"), ({"raw": 42}, "42.00"), ({"raw": 3, "min": 1, "max": 5}, "50.00"),
    ({"scaled": 0.5, "raw": 1, "min": 0, "max": 10}, "50.00"), ({}, None), (None, None),
])
def test_scores_become_0_to_100(score, expected):
    assert score_0_100(score) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize("score", [{"raw": 150}, {"raw": 5, "min": 10, "max": 10}, {"raw": 5, "min": 0}])
def test_raw_scores_outside_0_100_need_a_range(score):
    with pytest.raises(ValueError):
        score_0_100(score)


@pytest.mark.parametrize("duration,minutes", [
    ("PT1H30M", 90), ("PT15M30S", 16), ("PT29S", 0), ("P1D", 1440), ("PT0.5H", 30), ("P1W", 10080), (None, None),
])
def test_durations_in_minutes(duration, minutes):
    assert duration_minutes(duration) == minutes


@pytest.mark.parametrize("duration", ["90 minutes", "P", "PT", "PT1.H", "P2000D", "-PT1H", 5])
def test_bad_or_implausible_durations_are_invalid(duration):
    with pytest.raises(ValueError):
        duration_minutes(duration)


def test_module_code_is_the_last_segment_of_the_activity_id():
    for activity in ("https://x.jp/a/GF-2026/GF05", "https://x.jp/a/GF05/", "urn:lms:GF05", "https://x.jp/a#GF05"):
        assert module_code(activity) == "GF05"


def test_timestamps_are_read_in_utc():
    assert parse_timestamp("2025-06-01T10:00:00+09:00") == datetime(2025, 6, 1, 1, tzinfo=UTC)
    assert parse_timestamp("2025-06-01T01:00:00Z") == datetime(2025, 6, 1, 1, tzinfo=UTC)
    assert parse_timestamp("not a time") is None and parse_timestamp(None) is None
