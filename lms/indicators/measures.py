"""Each measure of an indicator, per fiscal year, for one prefecture: counted by lms.stats.queries, the code
behind /stats, so an indicator and the statistics never disagree."""

from lms.indicators.rules import MEASURES
from lms.stats import queries
from lms.stats.cache import cached
from lms.stats.service import hours_number

Series = dict[str, dict[int, int | float]]


def count_measures(prefecture_code: str, years: range) -> Series:
    """Every measure for each year of `years`, exact (zero where nothing happened)."""
    enrolments = queries.enrollment_counts(years, prefecture_code=prefecture_code)
    placements = queries.placement_counts(years, prefecture_code=prefecture_code)
    shortage = queries.placement_counts(years, prefecture_code=prefecture_code, shortage_area=True)
    hours = queries.approved_hours(years, prefecture_code=prefecture_code)
    series: Series = {measure: {} for measure in MEASURES}
    for year in years:
        key = (year, prefecture_code)
        counts = enrolments.get(key, queries.empty_counts())
        n, hosting = placements.get(key, (0, 0))
        series["participants"][year] = counts["participants"]
        series["completed"][year] = counts["completed"]
        series["placements"][year] = n
        series["ojt_sites_hosting"][year] = hosting
        series["shortage_area_placements"][year] = shortage.get(key, (0, 0))[0]
        series["ojt_hours_approved"][year] = hours_number(hours.get(key, 0))
    return series


def measure_series(prefecture_code: str, years: range) -> Series:
    """`count_measures`, kept for STATS_CACHE_SECONDS like the statistics tables."""
    return cached(("indicator-measures", prefecture_code, years.start, years.stop),
                  lambda: count_measures(prefecture_code, years))
