"""How each viewer's tables are published: which cells are hidden, given the counts (pure, no database).

The suppression model in `suppression.py` treats every cell it is given as a count that a reader knows
unless hidden, and hidden cells as at least 1. Two facts of this domain need care beyond that:

* `participants` = active + suspended + completed + (withdrawn after becoming active). The last term is
  not published, so it enters the model as an extra column the reader is assumed to know: that reader is
  stronger than a real one, so what protects against it protects against them.
* The OJT sites that host someone are public (institutions are), so a reader knows that a prefecture's
  placements are at least its hosting sites. The model therefore sees placements as
  `placements - hosting + 1` (0 when there are none): a hidden cell is then at least 1 exactly when the
  reader knows the placements are at least `hosting`, sums stay sums up to known constants, and a value
  below k there means that the sites' own small counts could be read off.
"""

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from lms.stats.suppression import CountTable, suppress

STATUSES = ("applied", "active", "suspended", "completed", "withdrawn", "rejected")
ENROLMENT_COLUMNS = (*STATUSES, "participants")
OJT_COLUMNS = ("ojt_sites", "ojt_sites_hosting", "placements", "ojt_hours_approved")
COLUMNS = ENROLMENT_COLUMNS + OJT_COLUMNS
SUPPRESSIBLE = (*ENROLMENT_COLUMNS, "placements", "ojt_hours_approved")

_WITHDRAWN_PARTICIPANTS = "withdrawn_participants"
_PARTICIPANT_PARTS = ("active", "suspended", "completed", _WITHDRAWN_PARTICIPANTS)
# Columns tied together by the participants identity: hiding one of them in full hides them all.
_LINKED = frozenset({"active", "suspended", "completed", "participants"})
_BREAKDOWN_TOTAL = "total"

Counts = Mapping[str, int | float]


@dataclass(frozen=True)
class Hidden:
    """Hidden columns per row, per block and of the national row."""

    rows: dict[str, tuple[str, ...]]
    blocks: dict[str, tuple[str, ...]]
    national: tuple[str, ...]


def _ordered(columns: Collection[str], order: Sequence[str] = COLUMNS) -> tuple[str, ...]:
    return tuple(c for c in order if c in columns)


def _enrolment_model(counts: Mapping[str, Counts]) -> tuple[list[str], dict[str, dict[str, int]], dict]:
    rows = {}
    for key, c in counts.items():
        row = {column: int(c[column]) for column in ENROLMENT_COLUMNS}
        row[_WITHDRAWN_PARTICIPANTS] = row["participants"] - row["active"] - row["suspended"] - row["completed"]
        rows[key] = row
    if all(row[_WITHDRAWN_PARTICIPANTS] >= 0 for row in rows.values()):
        return [*ENROLMENT_COLUMNS, _WITHDRAWN_PARTICIPANTS], rows, {"participants": _PARTICIPANT_PARTS}
    # Only reachable with enrolments that broke the life cycle; then the identity does not hold at all.
    for row in rows.values():
        del row[_WITHDRAWN_PARTICIPANTS]
    return list(ENROLMENT_COLUMNS), rows, {}


def _placements_model(c: Counts) -> int:
    placements = int(c["placements"])
    return placements - int(c["ojt_sites_hosting"]) + 1 if placements else 0


def prefecture_cells(counts: Mapping[str, Counts], blocks: Mapping[str, Sequence[str]], k: int,
                     exact_rows: Collection[str]) -> Hidden:
    """Hidden cells of the prefecture table, its block subtotals and the national total.

    `exact_rows` are the prefectures the viewer sees exactly (an official's own); they count as known.
    OJT site counts are never hidden; approved hours are hidden wherever placements are, so the hours of
    fewer than k placements are never shown and every hours margin is as protected as the placements one.
    """
    columns, rows, totals = _enrolment_model(counts)
    for key, c in counts.items():
        rows[key]["placements"] = _placements_model(c)
    table = CountTable([*columns, "placements"], rows, blocks, totals)
    result = suppress(table, k=k, exact_rows=exact_rows)

    def published(hidden: tuple[str, ...]) -> tuple[str, ...]:
        found = set(hidden) & set(SUPPRESSIBLE)
        if "placements" in found:
            found.add("ojt_hours_approved")
        return _ordered(found)

    return Hidden(
        rows={key: published(hidden) for key, hidden in result.rows.items()},
        blocks={key: published(hidden) for key, hidden in result.blocks.items()},
        national=published(result.national),
    )


def breakdown_cells(counts: Mapping[str, Counts], total: Mapping[str, int | float | None], k: int
                    ) -> dict[str, tuple[str, ...]]:
    """Hidden enrolment cells of one prefecture's breakdown (by programme, specialty or organisation).

    `total` is the prefecture's row as published in the prefecture table (None where hidden there). The
    breakdown must not tell more about that row than the table does, and its protection must hold with
    the published totals known. A column whose total is hidden, or that cannot be protected with its total
    known, is withheld in full, zeros included (shown zeros would give the hidden total a lower bound).
    """
    if not counts:
        return {}
    columns, rows, totals = _enrolment_model(counts)
    table = CountTable(columns, rows, {_BREAKDOWN_TOTAL: list(counts)}, totals)
    result = suppress(table, k=k)
    withheld = {c for c in ENROLMENT_COLUMNS if total[c] is None}
    withheld |= set(result.blocks[_BREAKDOWN_TOTAL]) | set(result.national)
    withheld &= set(ENROLMENT_COLUMNS)
    if withheld & _LINKED:
        withheld |= _LINKED
    # A column that adds up to a published 0 has nothing in it to protect.
    withheld = {c for c in withheld if total[c] != 0}
    return {key: _ordered((set(hidden) & set(ENROLMENT_COLUMNS)) | withheld)
            for key, hidden in result.rows.items()}


def site_cells(placements: Mapping[str, int], areas: Mapping[str, Sequence[str]], k: int,
               total_hidden: bool) -> tuple[set[str], set[str]]:
    """Sites and secondary medical areas of one prefecture whose placements (and hours) are hidden.

    Whether a site hosts anyone is public, so zeros are always shown and a hidden site has at least one
    placement. The prefecture total is the one published in the prefecture table: when it is hidden
    there, or the pattern here would need it hidden, every non-zero site and area is hidden.
    """
    if not placements:
        return set(), set()
    table = CountTable(["placements"], {site: {"placements": n} for site, n in placements.items()}, areas)
    result = suppress(table, k=k)
    if total_hidden or result.national:
        return ({site for site, n in placements.items() if n},
                {area for area, members in areas.items() if any(placements[s] for s in members)})
    return ({site for site, hidden in result.rows.items() if hidden},
            {area for area, hidden in result.blocks.items() if hidden})
