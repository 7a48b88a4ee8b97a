"""Indicator arithmetic: era labels, progress and the straight line to the target."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lms.indicators import rules

years = st.integers(2019, 2040)
values = st.integers(0, 100_000)


def test_era_labels_follow_reiwa():
    assert rules.reiwa_label(2019) == "R1"
    assert rules.reiwa_label(2025) == "R7"
    assert rules.era_value(2023, 22, "人") == "[R5] 22人"
    assert rules.era_value(2024, 1234.5, "時間") == "[R6] 1,234.5時間"
    assert rules.era_value(None, 3, "人") == "" and rules.era_value(2024, None, "人") == ""
    with pytest.raises(ValueError):
        rules.reiwa_label(2018)


def test_hiroshimas_row_is_a_third_of_the_way_and_on_the_line():
    # 第8次広島県保健医療計画: [R5] 22人 → [R6] 46人, "毎年8人ずつ"
    assert rules.progress(22, 30, 46) == pytest.approx(1 / 3)
    assert rules.on_track(2023, 22, 2026, 46, 2024, 30) is True
    assert rules.on_track(2023, 22, 2026, 46, 2024, 29) is False


def test_falling_targets_count_down():
    assert rules.progress(100, 80, 60) == pytest.approx(0.5)
    assert rules.on_track(2024, 100, 2026, 60, 2025, 80) is True
    assert rules.on_track(2024, 100, 2026, 60, 2025, 81) is False


def test_a_target_equal_to_its_baseline_is_reached_or_not():
    assert rules.progress(10, 10, 10) == 1.0 and rules.progress(10, 9, 10) == 0.0


def test_latest_year_with_data_skips_empty_years():
    assert rules.latest_year_with_data({2024: 5, 2025: 3, 2026: 0}) == 2025
    assert rules.latest_year_with_data({2025: 0}) is None


@given(values, values, values)
def test_progress_is_between_zero_and_one(baseline, current, target):
    assert 0.0 <= rules.progress(baseline, current, target) <= 1.0


@given(years, values, st.integers(0, 20), values, years)
def test_the_line_runs_from_baseline_to_target_within_their_values(baseline_year, baseline, span, target, year):
    target_year = baseline_year + span
    line = rules.expected_value(baseline_year, baseline, target_year, target, year)
    assert min(baseline, target) <= line <= max(baseline, target)
    if year <= baseline_year and span:
        assert line == baseline
    if year >= target_year:
        assert line == target


@given(years, values, st.integers(1, 20), values, st.integers(0, 30), values)
def test_reaching_the_target_is_on_track_and_full_progress(baseline_year, baseline, span, target, offset, extra):
    year = baseline_year + offset
    beyond = target + extra if target >= baseline else max(0, target - extra)
    assert rules.on_track(baseline_year, baseline, baseline_year + span, target, year, beyond) is True
    assert rules.progress(baseline, beyond, target) == 1.0


@given(years, values, st.integers(1, 20), values, st.integers(0, 30), values, values)
def test_more_is_never_worse_on_a_rising_target(baseline_year, baseline, span, target, offset, low, high):
    if target < baseline:
        target, baseline = baseline, target
    low, high = sorted((low, high))
    args = (baseline_year, baseline, baseline_year + span, target, baseline_year + offset)
    assert rules.on_track(*args, low) <= rules.on_track(*args, high)
    assert rules.progress(baseline, low, target) <= rules.progress(baseline, high, target)
