"""Small-cell suppression of count tables whose rows add up to blocks and blocks to the nation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from math import gcd
from typing import Literal, NamedTuple

Level = Literal["row", "block", "national"]
NATIONAL = "national"
SUPPRESSED = "suppressed"


class Cell(NamedTuple):
    """One published number: a column of a row (prefecture), of a block or of the national row."""

    level: Level
    key: str
    column: str


Margin = tuple[Cell, tuple[Cell, ...]]
PublishedRow = dict[str, int | list[str] | None]


@dataclass(frozen=True)
class CountTable:
    """Non-negative counts per row; block and national rows are derived as exact sums.

    `column_totals` names columns that are published as the sum of other columns in every row, e.g.
    `{"enrolments": ("applied", "active", "suspended", "completed", "withdrawn", "rejected")}`.
    A column is a part of at most one total; totals may nest.
    """

    columns: Sequence[str]
    rows: Mapping[str, Mapping[str, int]]
    blocks: Mapping[str, Sequence[str]]
    column_totals: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SuppressionResult:
    """The hidden columns of every row, every block and the national row, in table column order."""

    k: int
    rows: Mapping[str, tuple[str, ...]]
    blocks: Mapping[str, tuple[str, ...]]
    national: tuple[str, ...]

    @property
    def cells(self) -> frozenset[Cell]:
        """All hidden cells."""
        found = {Cell("row", key, c) for key, columns in self.rows.items() for c in columns}
        found |= {Cell("block", key, c) for key, columns in self.blocks.items() for c in columns}
        return frozenset(found | {Cell("national", NATIONAL, c) for c in self.national})


@dataclass(frozen=True)
class PublishedCounts:
    """Rows as published: hidden counts are None and listed under `suppressed`."""

    rows: dict[str, PublishedRow]
    blocks: dict[str, PublishedRow]
    national: PublishedRow


@dataclass(frozen=True)
class _Model:
    values: Mapping[Cell, int]
    margins: tuple[Margin, ...]
    margins_of: Mapping[Cell, tuple[int, ...]]
    preference: Mapping[Cell, tuple[int, int, int]]


def suppress(table: CountTable, k: int = 3, exact_rows: Collection[str] = frozenset()) -> SuppressionResult:
    """Choose the cells to hide so that no count 1 <= n < k can be read or worked out.

    Primary: every cell with 1 <= n < k, in rows, blocks and the national row alike; zero is never hidden.
    Complementary: cells are added, smallest value first, until every margin (block = sum of its rows
    and national = sum of blocks, per column; total column = sum of its parts, per row) has no hidden
    cell or at least two, no hidden cell is pinned by a combination of margins, and the hidden cells
    under a published total cannot all be at their least possible value (hidden cells are known to be
    at least 1, so two hidden 1s under a published total would give themselves away).
    Columns without a declared total are independent hierarchies, e.g. `participants`.

    `exact_rows` are shown exactly (an official's own prefecture): they are never hidden, and because the
    viewer knows them they count as known in every margin. The pattern starts from the one computed
    without exact rows, so a viewer never sees published what the general pattern hides elsewhere.
    """
    exact = frozenset(exact_rows)
    _check(table, k, exact)
    model = _model(table)
    zeros = frozenset(cell for cell, value in model.values.items() if value == 0)
    hidden = _protect(model, {cell for cell, value in model.values.items() if 0 < value < k}, zeros)
    if exact:
        shown = {cell for cell in hidden if cell.level == "row" and cell.key in exact}
        # Sums with nothing but exact rows and zeros under them tell the viewer nothing new, so they
        # may stay hidden for display without needing partners.
        private = _cell_values(table, left_out=exact)
        known = frozenset(cell for cell, value in private.items() if value == 0)
        hidden = _protect(model, hidden - shown, known)
    return _result(table, k, hidden)


def apply_suppression(table: CountTable, result: SuppressionResult) -> PublishedCounts:
    """Publish the table: hidden cells become None and each row lists them under `suppressed`."""
    values = _cell_values(table)

    def publish(level: Level, key: str, hidden_columns: tuple[str, ...]) -> PublishedRow:
        row: PublishedRow = {}
        for column in table.columns:
            row[column] = None if column in hidden_columns else values[Cell(level, key, column)]
        row[SUPPRESSED] = list(hidden_columns)
        return row

    return PublishedCounts(
        rows={key: publish("row", key, result.rows[key]) for key in table.rows},
        blocks={key: publish("block", key, result.blocks[key]) for key in table.blocks},
        national=publish("national", NATIONAL, result.national),
    )


def _check(table: CountTable, k: int, exact: frozenset[str]) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, not {k!r}")
    columns = list(table.columns)
    if len(set(columns)) != len(columns) or SUPPRESSED in columns:
        raise ValueError("columns must be distinct and must not include 'suppressed'")
    for key, counts in table.rows.items():
        for column in columns:
            value = counts[column]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"row {key!r}, column {column!r}: {value!r} is not a count")
    members = [member for block in table.blocks.values() for member in block]
    if sorted(members) != sorted(table.rows):
        raise ValueError("blocks must hold every row exactly once")
    if not exact <= table.rows.keys():
        raise ValueError(f"unknown exact rows: {sorted(exact - table.rows.keys())}")
    parent: dict[str, str] = {}
    for total, parts in table.column_totals.items():
        distinct = len(set(parts)) == len(parts) and set(parts) <= set(columns) - {total}
        if total not in columns or not parts or not distinct:
            raise ValueError(f"total {total!r} must be a column made of distinct other columns")
        for part in parts:
            if parent.setdefault(part, total) != total:
                raise ValueError(f"column {part!r} is part of two totals")
        for key, counts in table.rows.items():
            if counts[total] != sum(counts[part] for part in parts):
                raise ValueError(f"row {key!r}: {total!r} is not the sum of its parts")
    for column in parent:
        # Totals must nest like a tree: the argument that enough hiding always protects relies on it.
        seen, current = {column}, column
        while (current := parent.get(current, "")) and current not in seen:
            seen.add(current)
        if current:
            raise ValueError(f"column totals form a cycle through {column!r}")


def _row_keys(table: CountTable) -> list[tuple[Level, str]]:
    rows: list[tuple[Level, str]] = [("row", key) for key in table.rows]
    return rows + [("block", key) for key in table.blocks] + [("national", NATIONAL)]


def _cell_values(table: CountTable, left_out: frozenset[str] = frozenset()) -> dict[Cell, int]:
    """Every cell's value, with the rows in `left_out` counted as zero."""
    values: dict[Cell, int] = {}
    for key, counts in table.rows.items():
        for column in table.columns:
            values[Cell("row", key, column)] = 0 if key in left_out else counts[column]
    for block, members in table.blocks.items():
        for column in table.columns:
            values[Cell("block", block, column)] = sum(values[Cell("row", m, column)] for m in members)
    for column in table.columns:
        national = sum(values[Cell("block", block, column)] for block in table.blocks)
        values[Cell("national", NATIONAL, column)] = national
    return values


def _margins(table: CountTable) -> tuple[Margin, ...]:
    """Every published equation `total = sum of parts`."""
    margins: list[Margin] = []
    for column in table.columns:
        for block, members in table.blocks.items():
            margins.append((Cell("block", block, column), tuple(Cell("row", m, column) for m in members)))
        blocks = tuple(Cell("block", block, column) for block in table.blocks)
        margins.append((Cell("national", NATIONAL, column), blocks))
    for total, parts in table.column_totals.items():
        for level, key in _row_keys(table):
            margins.append((Cell(level, key, total), tuple(Cell(level, key, part) for part in parts)))
    return tuple(margins)


def _model(table: CountTable) -> _Model:
    values = _cell_values(table)
    margins = _margins(table)
    margins_of: dict[Cell, list[int]] = defaultdict(list)
    for index, (total, parts) in enumerate(margins):
        for cell in (total, *parts):
            margins_of[cell].append(index)
    # Ties go to rows before blocks before the nation (aggregates are worth more to readers), then
    # to table order, so the same table always gives the same pattern.
    position = {row: index for index, row in enumerate(_row_keys(table))}
    column_index = {column: index for index, column in enumerate(table.columns)}
    preference = {
        cell: (value, position[(cell.level, cell.key)], column_index[cell.column])
        for cell, value in values.items()
    }
    return _Model(values, margins, {c: tuple(m) for c, m in margins_of.items()}, preference)


def _protect(model: _Model, hidden: set[Cell], known: frozenset[Cell]) -> set[Cell]:
    """Add complementary cells until no unknown cell is pinned; known cells are constants."""
    hidden = set(hidden)
    while start := _exposing_margins(model, hidden - known):
        hidden.add(_cheapest_nearby(model, start, hidden, known))
    return hidden


def _exposing_margins(model: _Model, unknown: set[Cell]) -> tuple[int, ...]:
    """Margins around the first pinned cell, checked one margin at a time, then all together."""
    floor = _floors(model, unknown)
    for index, margin in enumerate(model.margins):
        if _pins(model, margin, unknown, floor):
            return (index,)
    recoverable = _recoverable(model.margins, unknown)
    if recoverable:
        return model.margins_of[min(recoverable, key=model.preference.__getitem__)]
    return ()


def _floors(model: _Model, unknown: set[Cell]) -> dict[Cell, int]:
    """The least value a reader can prove for each unknown cell: hidden cells are never zero."""
    floor = dict.fromkeys(unknown, 1)
    changed = True
    while changed:
        changed = False
        for total, parts in model.margins:
            if total in unknown:
                least = sum(floor[p] if p in unknown else model.values[p] for p in parts)
                if least > floor[total]:
                    floor[total], changed = least, True
    return floor


def _pins(model: _Model, margin: Margin, unknown: set[Cell], floor: Mapping[Cell, int]) -> bool:
    total, parts = margin
    hidden = [cell for cell in (total, *parts) if cell in unknown]
    if len(hidden) == 1:
        return True
    if not hidden or total in unknown:
        return False
    # With the total published, hidden parts that add up to no more than their floors are each pinned.
    return sum(floor[cell] for cell in hidden) == sum(model.values[cell] for cell in hidden)


def _cheapest_nearby(
    model: _Model, start: tuple[int, ...], hidden: set[Cell], known: frozenset[Cell]
) -> Cell:
    """The smallest hideable cell in the margins at `start`, else in margins linked by hidden cells."""
    seen, layer = set(start), list(start)
    while layer:
        cells = {cell for index in layer for cell in (model.margins[index][0], *model.margins[index][1])}
        candidates = [cell for cell in cells if cell not in hidden and cell not in known]
        if candidates:
            return min(candidates, key=model.preference.__getitem__)
        # Published cells are constants and link nothing, so widen only through unknown cells.
        linked = {i for cell in cells if cell not in known for i in model.margins_of[cell]}
        layer = sorted(linked - seen)
        seen |= linked
    # Unreachable for valid counts: once every non-zero unknown sum above a cell is hidden, it is free.
    raise RuntimeError("no cell left to hide")


def _recoverable(margins: tuple[Margin, ...], unknown: set[Cell]) -> set[Cell]:
    """Unknown cells pinned by some linear combination of margins (exact integer elimination)."""
    pivots: dict[Cell, dict[Cell, int]] = {}
    for total, parts in margins:
        row = {cell: 1 for cell in parts if cell in unknown}
        if total in unknown:
            row[total] = -1
        for cell in [cell for cell in row if cell in pivots]:
            row = _eliminate(row, pivots[cell], cell)
        if not row:
            continue
        pivot = min(row)
        for cell, other in pivots.items():
            if pivot in other:
                pivots[cell] = _eliminate(other, row, pivot)
        pivots[pivot] = row
    # In reduced echelon form a cell is pinned exactly when its row mentions no free cell.
    return {cell for cell, row in pivots.items() if len(row) == 1}


def _eliminate(row: dict[Cell, int], by: dict[Cell, int], cell: Cell) -> dict[Cell, int]:
    """`row` with `cell` cancelled by a multiple of `by`, scaled down to coprime integers."""
    combined = {c: by[cell] * row.get(c, 0) - row[cell] * by.get(c, 0) for c in row.keys() | by.keys()}
    combined = {c: v for c, v in combined.items() if v}
    divisor = gcd(*combined.values()) or 1
    return {c: v // divisor for c, v in combined.items()}


def _result(table: CountTable, k: int, hidden: set[Cell]) -> SuppressionResult:
    def hidden_columns(level: Level, key: str) -> tuple[str, ...]:
        return tuple(column for column in table.columns if Cell(level, key, column) in hidden)

    return SuppressionResult(
        k=k,
        rows={key: hidden_columns("row", key) for key in table.rows},
        blocks={key: hidden_columns("block", key) for key in table.blocks},
        national=hidden_columns("national", NATIONAL),
    )
