"""Small-cell suppression: hand-built cases and an independent attacker that tries to undo it."""

from fractions import Fraction
from itertools import product

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lms.stats.suppression import (
    NATIONAL,
    SUPPRESSED,
    CountTable,
    PublishedCounts,
    apply_suppression,
    suppress,
)

STATUSES = ("applied", "active", "completed")

# The attacker below works on its own tuples, not on the module's Cell, so that it shares no code with it.
Key = tuple[str, str, str]
Case = tuple[CountTable, int, frozenset[str]]


def one_column(blocks: dict[str, dict[str, int]], column: str = "active") -> CountTable:
    rows = {key: {column: value} for members in blocks.values() for key, value in members.items()}
    return CountTable([column], rows, {block: list(members) for block, members in blocks.items()})


def hidden_rows(result_rows: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    return {key: columns for key, columns in result_rows.items() if columns}


def test_single_small_cell_gets_the_smallest_partner_in_its_block() -> None:
    table = one_column({"東北": {"02": 1, "03": 5, "04": 7}, "関東信越": {"08": 4, "09": 6}})
    result = suppress(table)
    assert hidden_rows(result.rows) == {"02": ("active",), "03": ("active",)}
    assert result.blocks == {"東北": (), "関東信越": ()}
    assert result.national == ()


def test_zeros_are_never_hidden_even_as_partners() -> None:
    table = one_column({"東北": {"02": 1, "03": 0, "04": 0, "05": 8}, "四国": {"36": 9}})
    result = suppress(table)
    assert hidden_rows(result.rows) == {"02": ("active",), "05": ("active",)}


def test_two_ones_under_a_published_subtotal_get_a_third_cell() -> None:
    # Hidden cells are never zero, so two hidden cells adding up to 2 are both 1.
    table = one_column({"東北": {"02": 1, "03": 1, "04": 10, "05": 12}, "四国": {"36": 9}})
    result = suppress(table)
    assert hidden_rows(result.rows) == {"02": ("active",), "03": ("active",), "04": ("active",)}


def test_small_block_subtotal_is_hidden_with_a_partner_block() -> None:
    table = one_column({"北海道": {"01": 2}, "四国": {"36": 0, "37": 9}, "九州": {"40": 30, "47": 4}})
    result = suppress(table)
    assert result.blocks == {"北海道": ("active",), "四国": ("active",), "九州": ()}
    # The partner block needs a partner of its own below it, or it could be read from its rows.
    assert hidden_rows(result.rows) == {"01": ("active",), "37": ("active",)}


def test_own_row_is_exact_and_counts_as_known_in_its_block() -> None:
    table = one_column({"東北": {"02": 1, "03": 2, "04": 6, "05": 9}, "四国": {"36": 9}})
    assert hidden_rows(suppress(table).rows) == {"02": ("active",), "03": ("active",)}

    result = suppress(table, exact_rows={"02"})
    # Knowing its own 1, the official could read 03 from the block total unless 04 is hidden too.
    assert hidden_rows(result.rows) == {"03": ("active",), "04": ("active",)}
    published = apply_suppression(table, result)
    assert published.rows["02"] == {"active": 1, SUPPRESSED: []}


def test_own_row_cannot_unlock_a_neighbour_through_the_block_total() -> None:
    table = one_column({"東北": {"02": 5, "03": 1, "04": 0}, "四国": {"36": 7, "37": 8}, "九州": {"40": 20}})
    result = suppress(table, exact_rows={"02"})
    published = apply_suppression(table, result)
    assert published.rows["02"]["active"] == 5
    assert published.rows["03"]["active"] is None
    # 03 = 東北 - 02 - 04, so 東北 goes, and then a second block so 東北 is not national minus the rest.
    assert published.blocks["東北"]["active"] is None
    assert sum(block["active"] is None for block in published.blocks.values()) >= 2


def test_sum_of_own_rows_and_zeros_may_stay_hidden_without_partners() -> None:
    table = one_column({"東北": {"02": 2, "03": 0}, "四国": {"36": 7, "37": 8}})
    result = suppress(table, exact_rows={"02"})
    # 東北 = 2 is a small count and stays hidden, but it reveals nothing beyond the official's own row.
    assert result.blocks == {"東北": ("active",), "四国": ("active",)}
    assert hidden_rows(result.rows) == {"36": ("active",)}


def test_row_total_is_a_margin_too() -> None:
    rows = {
        "13": {"applied": 1, "active": 40, "completed": 30, "enrolments": 71},
        "14": {"applied": 20, "active": 50, "completed": 25, "enrolments": 95},
    }
    table = CountTable([*STATUSES, "enrolments"], rows, {"関東信越": ["13", "14"]}, {"enrolments": STATUSES})
    result = suppress(table)
    assert result.rows["13"] == ("applied", "completed")
    assert_no_published_margin_pins_a_cell(table, apply_suppression(table, result), frozenset())


def test_cells_pinned_only_by_combining_row_and_column_margins_get_partners() -> None:
    # Every margin here gets two hidden cells from the margin rule alone, yet 03's c0 could still be
    # solved from the row totals and block totals together.
    counts = {"02": (0, 0, 0), "03": (1, 2, 0), "04": (1, 0, 2), "05": (0, 0, 0), "06": (0, 1, 0)}
    rows = {key: {"c0": a, "c1": b, "c2": c, "total": a + b + c} for key, (a, b, c) in counts.items()}
    table = CountTable(["c0", "c1", "c2", "total"], rows, {"B0": list(rows)}, {"total": ["c0", "c1", "c2"]})
    published = apply_suppression(table, suppress(table, k=2))
    assert_no_hidden_cell_is_linearly_determined(table, published, frozenset())


def test_published_rows_carry_values_and_suppressed_lists() -> None:
    table = one_column({"東北": {"02": 1, "03": 5, "04": 7}, "関東信越": {"08": 4, "09": 6}})
    published = apply_suppression(table, suppress(table))
    assert published.rows["02"] == {"active": None, SUPPRESSED: ["active"]}
    assert published.rows["04"] == {"active": 7, SUPPRESSED: []}
    assert published.blocks["東北"] == {"active": 13, SUPPRESSED: []}
    assert published.national == {"active": 23, SUPPRESSED: []}


def test_k_of_one_hides_nothing() -> None:
    table = one_column({"東北": {"02": 1, "03": 5}})
    assert suppress(table, k=1).cells == frozenset()


@pytest.mark.parametrize(
    ("table", "k", "exact"),
    [
        (one_column({"東北": {"02": -1}}), 3, set()),
        (one_column({"東北": {"02": 1}}), 0, set()),
        (one_column({"東北": {"02": 1}}), 3, {"99"}),
        (CountTable(["active"], {"02": {"active": 1}, "03": {"active": 1}}, {"東北": ["02"]}), 3, set()),
        (CountTable(["a", "t"], {"02": {"a": 1, "t": 2}}, {"東北": ["02"]}, {"t": ["a"]}), 3, set()),
        (
            CountTable(["a", "b"], {"02": {"a": 1, "b": 1}}, {"東北": ["02"]}, {"a": ["b"], "b": ["a"]}),
            3,
            set(),
        ),
    ],
    ids=["negative", "k0", "unknown-exact-row", "row-outside-blocks", "bad-total", "cyclic-totals"],
)
def test_invalid_input_is_rejected(table: CountTable, k: int, exact: set[str]) -> None:
    with pytest.raises(ValueError):
        suppress(table, k=k, exact_rows=exact)


# --- the attacker -------------------------------------------------------------------------------


def published_values(table: CountTable, published: PublishedCounts) -> dict[Key, int | None]:
    lines = [("row", key, row) for key, row in published.rows.items()]
    lines += [("block", key, row) for key, row in published.blocks.items()]
    values: dict[Key, int | None] = {}
    for level, key, row in [*lines, ("national", NATIONAL, published.national)]:
        for column in table.columns:
            value = row[column]
            assert value is None or isinstance(value, int)
            values[(level, key, column)] = value
    return values


def true_values(table: CountTable, left_out: frozenset[str] = frozenset()) -> dict[Key, int]:
    values: dict[Key, int] = {}
    for column in table.columns:
        national = 0
        for block, members in table.blocks.items():
            counts = [0 if key in left_out else table.rows[key][column] for key in members]
            values.update({("row", key, column): count for key, count in zip(members, counts, strict=True)})
            values[("block", block, column)] = sum(counts)
            national += sum(counts)
        values[("national", NATIONAL, column)] = national
    return values


def equations(table: CountTable) -> list[tuple[Key, list[Key]]]:
    """Everything a reader knows to add up: blocks, nation, nation as the sum of all rows, row totals."""
    found: list[tuple[Key, list[Key]]] = []
    for column in table.columns:
        for block, members in table.blocks.items():
            found.append((("block", block, column), [("row", key, column) for key in members]))
        found.append((("national", NATIONAL, column), [("block", block, column) for block in table.blocks]))
        found.append((("national", NATIONAL, column), [("row", key, column) for key in table.rows]))
    lines = (
        [("row", key) for key in table.rows] + [("block", b) for b in table.blocks] + [("national", NATIONAL)]
    )
    for total, parts in table.column_totals.items():
        for level, key in lines:
            found.append(((level, key, total), [(level, key, part) for part in parts]))
    return found


def sensitive(table: CountTable, exact: frozenset[str]) -> set[Key]:
    """Cells that say something about rows other than the viewer's own."""
    return {key for key, value in true_values(table, left_out=exact).items() if value > 0}


def assert_no_published_margin_pins_a_cell(
    table: CountTable, published: PublishedCounts, exact: frozenset[str]
) -> None:
    values = published_values(table, published)
    secret = sensitive(table, exact)
    for total, parts in equations(table):
        unknown = [key for key in (total, *parts) if values[key] is None and key in secret]
        assert len(unknown) != 1, f"{unknown[0]} = {total} - the others"


def null_space(matrix: list[list[Fraction]], width: int) -> list[list[Fraction]]:
    """Basis of {v : matrix v = 0}, by plain Gauss-Jordan elimination over the rationals."""
    rows = [row[:] for row in matrix]
    pivots: list[int] = []
    for column in range(width):
        top = len(pivots)
        found = next((i for i in range(top, len(rows)) if rows[i][column] != 0), None)
        if found is None:
            continue
        rows[top], rows[found] = rows[found], rows[top]
        rows[top] = [x / rows[top][column] for x in rows[top]]
        for i, row in enumerate(rows):
            if i != top and row[column] != 0:
                rows[i] = [a - row[column] * b for a, b in zip(row, rows[top], strict=True)]
        pivots.append(column)
    basis = []
    for free in (c for c in range(width) if c not in pivots):
        vector = [Fraction(0)] * width
        vector[free] = Fraction(1)
        for i, column in enumerate(pivots):
            vector[column] = -rows[i][free]
        basis.append(vector)
    return basis


def assert_no_hidden_cell_is_linearly_determined(
    table: CountTable, published: PublishedCounts, exact: frozenset[str]
) -> None:
    """For each secret hidden cell, exhibit a second table that matches every published number."""
    values = published_values(table, published)
    truth = true_values(table)
    unknown = sorted(key for key, value in values.items() if value is None)
    index = {key: i for i, key in enumerate(unknown)}
    matrix = []
    for total, parts in equations(table):
        row = [Fraction(0)] * len(unknown)
        for key in parts:
            if key in index:
                row[index[key]] += 1
        if total in index:
            row[index[total]] -= 1
        matrix.append(row)
    basis = null_space(matrix, len(unknown))
    for key in sensitive(table, exact) & set(unknown):
        witness = next((v for v in basis if v[index[key]] != 0), None)
        assert witness is not None, f"{key} is determined by the published margins"
        other = {k: Fraction(truth[k]) + (witness[index[k]] if k in index else 0) for k in truth}
        assert other[key] != truth[key]
        for k, value in values.items():
            if value is not None:
                assert other[k] == value
        for total, parts in equations(table):
            assert other[total] == sum(other[part] for part in parts)


@st.composite
def tables(draw: st.DrawFn, max_rows: int = 10, max_columns: int = 3) -> CountTable:
    n_rows = draw(st.integers(1, max_rows))
    n_blocks = draw(st.integers(1, min(4, n_rows)))
    cuts = sorted(draw(st.permutations(range(1, n_rows)))[: n_blocks - 1])
    keys = [f"{i:02d}" for i in range(1, n_rows + 1)]
    bounds = [0, *cuts, n_rows]
    blocks = {f"B{b}": keys[bounds[b] : bounds[b + 1]] for b in range(n_blocks)}
    columns = [f"c{i}" for i in range(draw(st.integers(1, max_columns)))]
    count = st.one_of(st.integers(0, 4), st.integers(0, 40))
    rows = {key: {column: draw(count) for column in columns} for key in keys}
    totals: dict[str, list[str]] = {}
    if len(columns) >= 2 and draw(st.booleans()):
        parts = columns[: draw(st.integers(2, len(columns)))]
        totals["total"] = parts
        for row in rows.values():
            row["total"] = sum(row[part] for part in parts)
        columns.append("total")
    return CountTable(columns, rows, blocks, totals)


@st.composite
def cases(draw: st.DrawFn, **kwargs: int) -> Case:
    table = draw(tables(**kwargs))
    k = draw(st.integers(2, 5))
    exact = draw(st.sets(st.sampled_from(sorted(table.rows)), max_size=2))
    return table, k, frozenset(exact)


PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(cases())
def test_no_published_margin_has_exactly_one_secret_hidden_cell(case: Case) -> None:
    table, k, exact = case
    assert_no_published_margin_pins_a_cell(table, apply_suppression(table, suppress(table, k, exact)), exact)


@PROPERTY
@given(cases())
def test_no_hidden_cell_can_be_recovered_by_any_combination_of_margins(case: Case) -> None:
    table, k, exact = case
    assert_no_hidden_cell_is_linearly_determined(
        table, apply_suppression(table, suppress(table, k, exact)), exact
    )


@PROPERTY
@given(cases())
def test_small_counts_are_published_only_in_exact_rows(case: Case) -> None:
    table, k, exact = case
    published = apply_suppression(table, suppress(table, k, exact))
    for key, value in published_values(table, published).items():
        if value is not None and 1 <= value < k:
            assert key[0] == "row" and key[1] in exact


@PROPERTY
@given(cases())
def test_exact_rows_are_never_hidden_and_zeros_never_hidden(case: Case) -> None:
    table, k, exact = case
    result = suppress(table, k, exact)
    assert all(result.rows[key] == () for key in exact)
    truth = true_values(table)
    assert all(truth[cell] > 0 for cell in result.cells)


@PROPERTY
@given(cases())
def test_an_officials_view_hides_everything_the_general_view_hides(case: Case) -> None:
    table, k, exact = case
    general = suppress(table, k)
    own = suppress(table, k, exact)
    assert {cell for cell in general.cells if not (cell.level == "row" and cell.key in exact)} <= own.cells
    assert suppress(table, k, exact) == own


def feasible_values(table: CountTable, published: PublishedCounts, cap: int) -> dict[Key, set[int]]:
    """Every value each cell takes over all one-column tables matching the publication (hidden >= 1)."""
    (column,) = table.columns
    values = published_values(table, published)
    hidden_rows = [key for key in table.rows if values[("row", key, column)] is None]
    seen: dict[Key, set[int]] = {key: set() for key in values}
    for guess in product(range(1, cap + 1), repeat=len(hidden_rows)):
        counts = dict(zip(hidden_rows, guess, strict=True))
        rows = {
            key: {column: counts[key] if key in counts else table.rows[key][column]} for key in table.rows
        }
        candidate = true_values(CountTable(table.columns, rows, table.blocks))
        if all(
            candidate[key] == value if value is not None else candidate[key] >= 1
            for key, value in values.items()
        ):
            for key, value in candidate.items():
                seen[key].add(value)
    return seen


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]
)
@given(cases(max_rows=6, max_columns=1))
def test_hidden_cells_keep_a_range_even_knowing_they_are_not_zero(case: Case) -> None:
    table, k, exact = case
    (column,) = table.columns
    published = apply_suppression(table, suppress(table, k, exact))
    hidden_count = sum(row[column] is None for row in published.rows.values())
    cap = true_values(table)[("national", NATIONAL, column)] + 1
    assume(cap**hidden_count <= 20_000)
    seen = feasible_values(table, published, cap)
    for key, value in published_values(table, published).items():
        if value is None and key in sensitive(table, exact):
            assert len(seen[key]) >= 2, f"{key} can only be {seen[key]}"
