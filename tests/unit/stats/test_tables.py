"""CSV and XLSX downloads of statistics tables read back to the same numbers."""

import csv
import io
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from lms.stats.suppression import CountTable, apply_suppression, suppress
from lms.stats.tables import (
    DATA_SHEET,
    HIDDEN_MARK,
    NOTES_SHEET,
    CellValue,
    Table,
    as_of_ja,
    suppression_note,
    to_csv_bytes,
    to_xlsx_bytes,
)

AS_OF = datetime(2026, 3, 31, 15, 30, tzinfo=UTC)  # 2026-04-01 00:30 in Japan
COLUMNS = [
    ("prefecture_code", "都道府県コード"),
    ("name_ja", "都道府県"),
    ("active", "受講中"),
    ("completed", "修了"),
]


def prefecture_table() -> Table:
    counts = CountTable(
        ["active", "completed"],
        {
            "02": {"active": 1, "completed": 4},
            "03": {"active": 5, "completed": 7},
            "04": {"active": 9, "completed": 8},
        },
        {"東北": ["02", "03", "04"]},
    )
    published = apply_suppression(counts, suppress(counts, k=3))
    names = {"02": "青森県", "03": "岩手県", "04": "宮城県"}
    rows = [{"prefecture_code": code, "name_ja": names[code], **row} for code, row in published.rows.items()]
    return Table(COLUMNS, rows, "都道府県別受講者数（2026年度）", AS_OF, [suppression_note(3)])


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_a_bom_and_uses_crlf() -> None:
    data = to_csv_bytes(prefecture_table())
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == 4 and b"\n" not in data.replace(b"\r\n", b"")


def test_csv_has_a_japanese_header_and_empty_hidden_cells() -> None:
    rows = csv_rows(to_csv_bytes(prefecture_table()))
    assert rows[0] == ["都道府県コード", "都道府県", "受講中", "修了"]
    # 青森's 1 is hidden, and 岩手 as the smallest partner so the block total cannot give it away.
    assert rows[1:] == [["02", "青森県", "", "4"], ["03", "岩手県", "", "7"], ["04", "宮城県", "9", "8"]]


def test_csv_defuses_text_that_a_spreadsheet_would_run() -> None:
    table = Table([("name_ja", "名称")], [{"name_ja": '=HYPERLINK("http://x")'}], "t", AS_OF)
    assert csv_rows(to_csv_bytes(table))[1] == ['\'=HYPERLINK("http://x")']


def test_suppressed_list_is_written_with_japanese_labels() -> None:
    columns = [("active", "受講中"), ("completed", "修了"), ("suppressed", "秘匿項目")]
    row: dict[str, CellValue] = {"active": None, "completed": None, "suppressed": ["active", "completed"]}
    assert csv_rows(to_csv_bytes(Table(columns, [row], "t", AS_OF)))[1] == ["", "", "受講中、修了"]


def test_xlsx_has_a_bold_japanese_header_numbers_and_hidden_marks() -> None:
    book = load_workbook(io.BytesIO(to_xlsx_bytes(prefecture_table())))
    sheet = book[DATA_SHEET]
    header = [cell.value for cell in sheet[1]]
    assert header == ["都道府県コード", "都道府県", "受講中", "修了"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [
        ["02", "青森県", HIDDEN_MARK, 4],
        ["03", "岩手県", HIDDEN_MARK, 7],
        ["04", "宮城県", 9, 8],
    ]
    assert type(sheet["D3"].value) is int
    assert sheet.column_dimensions["B"].width >= len("都道府県") * 2


def test_xlsx_notes_give_title_time_in_japan_and_the_suppression_rule() -> None:
    book = load_workbook(io.BytesIO(to_xlsx_bytes(prefecture_table())))
    lines = [row[0] for row in book[NOTES_SHEET].iter_rows(values_only=True)]
    assert lines[0] == "都道府県別受講者数（2026年度）"
    assert lines[1] == "集計時点: 2026年4月1日 00:30（日本時間）"
    assert any("1以上3未満の値" in line for line in lines)
    assert any(f"「{HIDDEN_MARK}」" in line for line in lines)


def test_xlsx_keeps_formula_like_text_as_text() -> None:
    table = Table([("name_ja", "名称")], [{"name_ja": "=1+1"}], "t", AS_OF)
    cell = load_workbook(io.BytesIO(to_xlsx_bytes(table)))[DATA_SHEET]["A2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_a_none_that_is_not_suppressed_is_blank_in_xlsx() -> None:
    table = Table([("hours", "承認時間")], [{"hours": None, "suppressed": []}], "t", AS_OF)
    assert load_workbook(io.BytesIO(to_xlsx_bytes(table)))[DATA_SHEET]["A2"].value is None


def test_naive_as_of_is_rejected() -> None:
    with pytest.raises(ValueError):
        as_of_ja(datetime(2026, 4, 1, 9, 0))


values = st.one_of(
    st.none(),
    st.integers(0, 10**9),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12).filter(
        lambda s: not s.startswith(("=", "+", "-", "@"))
    ),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(values, min_size=3, max_size=3), max_size=8))
def test_csv_and_xlsx_read_back_to_the_same_values(cells: list[list[CellValue]]) -> None:
    columns = [("a", "列一"), ("b", "列二"), ("c", "列三")]
    rows = [dict(zip("abc", row, strict=True)) for row in cells]
    table = Table(columns, rows, "表", AS_OF)

    expected_text = [["" if v is None else str(v) for v in row] for row in cells]
    assert csv_rows(to_csv_bytes(table)) == [["列一", "列二", "列三"], *expected_text]

    sheet = load_workbook(io.BytesIO(to_xlsx_bytes(table)))[DATA_SHEET]
    read_back = [
        list(row) for row in sheet.iter_rows(min_row=2, max_row=1 + len(cells), max_col=3, values_only=True)
    ]
    # Empty strings and None are the same blank cell to a spreadsheet.
    assert read_back == [[None if v == "" else v for v in row] for row in cells]
