"""Statistics use cases: the prefecture table, block subtotals, one prefecture's detail, as each role may see them."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app

from lms.auth.models import ADMIN, OFFICIAL, ORG_STAFF
from lms.auth.permissions import Actor
from lms.dates import fiscal_year as fiscal_year_of
from lms.dates import today_jst, utcnow
from lms.errors import Forbidden
from lms.reference.service import list_blocks
from lms.stats import publish, queries
from lms.stats.cache import cached
from lms.stats.publish import COLUMNS


@dataclass(frozen=True)
class Scope:
    """What a viewer may count and see exactly: None as `exact` means every prefecture."""

    organization_code: str | None
    exact: frozenset[str] | None

    def is_exact(self, prefecture_code: str) -> bool:
        return self.exact is None or prefecture_code in self.exact


def scope_of(actor: Actor) -> Scope:
    if actor.role == ADMIN:
        return Scope(None, None)
    if actor.role == OFFICIAL:
        return Scope(None, frozenset({actor.prefecture_code}))
    if actor.role == ORG_STAFF:
        # Counts of their own members only, published like another prefecture's to an official.
        return Scope(actor.organization_code, frozenset())
    raise Forbidden("Statistics are for consortium admins, prefectural officials and organisation staff.")


def years_of(fiscal_year: int | None = None, from_fiscal_year: int | None = None,
             to_fiscal_year: int | None = None) -> range:
    """The fiscal years asked for: one (default the current one) or a bounded series."""
    if from_fiscal_year is not None and to_fiscal_year is not None:
        return range(from_fiscal_year, to_fiscal_year + 1)
    year = fiscal_year if fiscal_year is not None else fiscal_year_of(today_jst())
    return range(year, year + 1)


def hours_number(value: Decimal | int | float) -> int | float:
    """Hours as a JSON-friendly number: whole hours as integers."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def _header(scope: Scope, k: int, as_of: datetime) -> dict:
    return {"as_of": as_of, "k": k, "organization_code": scope.organization_code,
            "exact_prefecture_codes": None if scope.exact is None else sorted(scope.exact)}


def _publish(values: dict, hidden: tuple[str, ...]) -> dict:
    row = {column: None if column in hidden else values[column] for column in COLUMNS}
    row["suppressed"] = list(hidden)
    return row


def _sum(rows: list[dict]) -> dict:
    return {column: sum((row[column] for row in rows), start=0) for column in COLUMNS}


def year_tables(scope: Scope, years: range) -> dict[int, dict]:
    """For each year: 47 prefecture rows, the block subtotals and the national total, as published."""
    org = scope.organization_code
    enrolments = queries.enrollment_counts(years, org)
    placements = queries.placement_counts(years, org)
    hours = queries.approved_hours(years, org)
    sites = queries.site_counts()
    blocks = list_blocks()
    members = {block.code: [p.code for p in block.prefectures] for block in blocks}
    k = current_app.config["STATS_SUPPRESSION_K"]
    as_of = utcnow()
    tables = {}
    for year in years:
        values = {}
        for block in blocks:
            for p in block.prefectures:
                n, hosting = placements.get((year, p.code), (0, 0))
                values[p.code] = {**queries.empty_counts(), **enrolments.get((year, p.code), {}),
                                  "ojt_sites": sites.get(p.code, 0), "ojt_sites_hosting": hosting,
                                  "placements": n, "ojt_hours_approved": hours.get((year, p.code), Decimal(0))}
        if scope.exact is None:
            hidden = publish.Hidden({code: () for code in values}, {code: () for code in members}, ())
        else:
            hidden = publish.prefecture_cells(values, members, k, scope.exact)
        block_values = {code: _sum([values[p] for p in codes]) for code, codes in members.items()}
        for row in [*values.values(), *block_values.values()]:
            row["ojt_hours_approved"] = hours_number(row["ojt_hours_approved"])
        national = _sum(list(block_values.values()))
        rows = [{"prefecture_code": p.code, "name_ja": p.name_ja, "block_code": block.code,
                 "block_ja": block.name_ja, **_publish(values[p.code], hidden.rows[p.code])}
                for block in blocks for p in block.prefectures]
        rows.sort(key=lambda row: row["prefecture_code"])
        tables[year] = {
            "fiscal_year": year, **_header(scope, k, as_of), "rows": rows,
            "blocks": [{"block_code": block.code, "block_ja": block.name_ja, "prefecture_codes": members[block.code],
                        **_publish(block_values[block.code], hidden.blocks[block.code])} for block in blocks],
            "national": _publish(national, hidden.national),
        }
    return tables


def published_tables(scope: Scope, years: range) -> dict[int, dict]:
    """`year_tables` as the statistics endpoints serve them: kept briefly (see lms.stats.cache)."""
    k = current_app.config["STATS_SUPPRESSION_K"]
    return cached(("years", scope, years.start, years.stop, k), lambda: year_tables(scope, years))


def prefecture_table(actor: Actor, years: range, *, series: bool = False) -> dict:
    """The 47 prefectures with block subtotals and the national total, for one year or a series."""
    tables = published_tables(scope_of(actor), years)
    if not series:
        return tables[years.start]
    return _series(years, tables)


def block_table(actor: Actor, years: range, *, series: bool = False) -> dict:
    """The eight blocks and the national total (the same cells as in the prefecture table)."""
    tables = {year: {key: value for key, value in table.items() if key != "rows"}
              for year, table in published_tables(scope_of(actor), years).items()}
    if not series:
        return tables[years.start]
    return _series(years, tables)


def _series(years: range, tables: dict[int, dict]) -> dict:
    first = tables[years.start]
    header = {key: first[key] for key in ("as_of", "k", "organization_code", "exact_prefecture_codes")}
    return {"from_fiscal_year": years.start, "to_fiscal_year": years.stop - 1, **header,
            "years": [tables[year] for year in years]}
