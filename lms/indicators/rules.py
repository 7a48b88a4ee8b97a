"""Indicator arithmetic (pure): era labels, progress from baseline to target, and whether a value is on track."""

from __future__ import annotations

from decimal import Decimal

REIWA_OFFSET = 2018  # 令和N年 = 2018 + N; a fiscal year is labelled by the year its April falls in
FIRST_REIWA_FISCAL_YEAR = 2019

# measure -> (Japanese name, unit); one counting definition each lives in lms.stats.queries
MEASURES: dict[str, tuple[str, str]] = {
    "participants": ("受講者数", "人"),
    "completed": ("修了者数", "人"),
    "placements": ("OJT受入人数", "人"),
    "ojt_sites_hosting": ("OJT受入医療機関数", "施設"),
    "ojt_hours_approved": ("OJT承認時間", "時間"),
    "shortage_area_placements": ("医師少数区域でのOJT受入人数", "人"),
}

Number = int | float | Decimal


def reiwa_label(fiscal_year: int) -> str:
    """`R7` for fiscal year 2025, as 医療計画 tables write it."""
    if fiscal_year < FIRST_REIWA_FISCAL_YEAR:
        raise ValueError(f"fiscal year {fiscal_year} is before 令和")
    return f"R{fiscal_year - REIWA_OFFSET}"


def number_text(value: Number) -> str:
    """A count or hours with thousands separators and no trailing .0."""
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def era_value(fiscal_year: int | None, value: Number | None, unit: str) -> str:
    """`[R7] 22人`; an empty string when there is no value (hidden or not yet counted)."""
    if fiscal_year is None or value is None:
        return ""
    return f"[{reiwa_label(fiscal_year)}] {number_text(value)}{unit}"


def progress(baseline: Number, current: Number, target: Number) -> float:
    """How far `current` has come from `baseline` towards `target`, clamped to 0–1.

    Works for falling targets too (target below baseline). A target equal to its baseline is reached (1)
    when the current value is at or beyond it, else 0.
    """
    baseline, current, target = Decimal(str(baseline)), Decimal(str(current)), Decimal(str(target))
    if target == baseline:
        rising = current >= target
        return 1.0 if rising else 0.0
    share = (current - baseline) / (target - baseline)
    return float(min(Decimal(1), max(Decimal(0), share)))


def expected_value(baseline_year: int, baseline: Number, target_year: int, target: Number, year: int) -> Decimal:
    """The straight line from (baseline year, baseline) to (target year, target) at `year`, held flat
    before the baseline year and after the target year."""
    baseline, target = Decimal(str(baseline)), Decimal(str(target))
    if year >= target_year or target_year == baseline_year:
        return target if year >= target_year else baseline
    if year <= baseline_year:
        return baseline
    return baseline + (target - baseline) * (year - baseline_year) / (target_year - baseline_year)


def on_track(baseline_year: int, baseline: Number, target_year: int, target: Number, year: int,
             current: Number) -> bool:
    """Whether `current` (the value of `year`) is at or beyond the straight line towards the target:
    at or above it for a rising target, at or below it for a falling one."""
    line = expected_value(baseline_year, baseline, target_year, target, year)
    current = Decimal(str(current))
    if Decimal(str(target)) < Decimal(str(baseline)):
        return current <= line
    return current >= line


def latest_year_with_data(values: dict[int, Number]) -> int | None:
    """The latest fiscal year whose value is not zero (現状値 is the latest year with data)."""
    years = [year for year, value in values.items() if value]
    return max(years) if years else None
