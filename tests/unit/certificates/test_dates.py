"""Fiscal years, era dates and the clock helpers."""

from datetime import UTC, date, datetime, timedelta

import pytest

from lms.dates import JST, era_year, fiscal_year, reiwa_date, today_jst, utcnow, western_date_ja


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 4, 30), "平成31年4月30日"),
        (date(2019, 5, 1), "令和元年5月1日"),
        (date(2019, 12, 31), "令和元年12月31日"),
        (date(2020, 1, 1), "令和2年1月1日"),
        (date(2026, 11, 22), "令和8年11月22日"),
        (date(1989, 1, 8), "平成元年1月8日"),
        (date(1990, 1, 1), "平成2年1月1日"),
    ],
)
def test_reiwa_date_prints_era_year_without_padding(day: date, expected: str) -> None:
    assert reiwa_date(day) == expected


def test_dates_before_heisei_are_refused() -> None:
    with pytest.raises(ValueError):
        reiwa_date(date(1989, 1, 7))


def test_era_year_of_reiwa_is_year_minus_2018() -> None:
    assert era_year(date(2026, 1, 1)) == ("令和", 8)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 31), 2025),
        (date(2026, 4, 1), 2026),
        (date(2026, 1, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2027, 3, 31), 2026),
    ],
)
def test_fiscal_year_starts_on_the_first_of_april(day: date, expected: int) -> None:
    assert fiscal_year(day) == expected


def test_aware_datetimes_are_read_as_the_date_in_japan() -> None:
    # 15:00 UTC on 31 March is already 1 April in Japan: a new fiscal year.
    moment = datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert fiscal_year(moment) == 2026
    assert reiwa_date(moment) == "令和8年4月1日"
    assert western_date_ja(moment) == "2026年4月1日"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(TypeError):
        reiwa_date(datetime(2026, 11, 22, 12, 0))


def test_western_date_ja_has_no_padding() -> None:
    assert western_date_ja(date(2026, 4, 5)) == "2026年4月5日"


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)


def test_today_jst_is_a_plain_date_in_japan() -> None:
    before = datetime.now(JST).date()
    today = today_jst()
    after = datetime.now(JST).date()
    assert type(today) is date
    assert today in {before, after}
