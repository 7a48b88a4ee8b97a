"""Statistics tables and their CSV and XLSX downloads."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from lms.dates import JST, western_date_ja
from lms.stats.suppression import SUPPRESSED

CellValue = str | int | float | Sequence[str] | None

# 「x」 is how Japanese official statistics mark a concealed (秘匿) figure, so officials read it at once.
HIDDEN_MARK = "x"
DATA_SHEET = "集計表"
NOTES_SHEET = "注記"
_MAX_WIDTH = 50
# Text starting with these is run as a formula by spreadsheet programs (CSV injection).
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    """A table as published, after suppression: hidden counts are None and listed in `suppressed`.

    `columns` are (key, Japanese label) pairs in display order; each row holds a value for every key.
    A row's `suppressed` entry, if present, names the columns whose None means "hidden".
    """

    columns: list[tuple[str, str]]
    rows: list[dict[str, CellValue]]
    title_ja: str
    as_of: datetime
    notes: list[str] = field(default_factory=list)


def suppression_note(k: int) -> str:
    """The note that explains hidden cells, for `Table.notes`."""
    return (
        f"1以上{k}未満の値と、合計などからその値を逆算できる一部の値は、個人の特定を防ぐため秘匿しています"
        f"（Excelでは「{HIDDEN_MARK}」、CSVでは空欄）。"
    )


def as_of_ja(moment: datetime) -> str:
    """Format a point in time as Japan time, e.g. 2026年4月1日 09:00（日本時間）."""
    if moment.tzinfo is None:
        raise ValueError("as_of must be an aware datetime")
    local = moment.astimezone(JST)
    return f"{western_date_ja(local)} {local:%H:%M}（日本時間）"


def to_csv_bytes(table: Table) -> bytes:
    """UTF-8 with a BOM and CRLF line ends, as Excel expects; a Japanese header; hidden cells empty."""
    labels = dict(table.columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(label for _, label in table.columns)
    for row in table.rows:
        writer.writerow(_csv_text(row[key], labels) for key, _ in table.columns)
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx_bytes(table: Table) -> bytes:
    """A data sheet (bold frozen header, numbers as numbers, hidden cells as 「x」) and a notes sheet."""
    workbook = Workbook()
    data = workbook.active
    assert data is not None  # a new workbook always has one sheet
    data.title = DATA_SHEET
    any_hidden = _write_data(data, table)
    notes = workbook.create_sheet(NOTES_SHEET)
    lines = [_clean(table.title_ja), f"集計時点: {as_of_ja(table.as_of)}", *map(_clean, table.notes)]
    if any_hidden:
        lines.append(f"「{HIDDEN_MARK}」は秘匿した値です。")
    for line in lines:
        notes.append([line])
    notes["A1"].font = Font(bold=True)
    notes.column_dimensions["A"].width = 100
    workbook.properties.title = _clean(table.title_ja)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_text(value: CellValue, labels: dict[str, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_PREFIXES) else value
    if isinstance(value, int | float):
        return str(value)
    return _joined(value, labels)


def _joined(keys: Sequence[str], labels: dict[str, str]) -> str:
    """A list of column keys (such as `suppressed`) as their Japanese labels."""
    return "、".join(labels.get(key, key) for key in keys)


def _clean(text: str) -> str:
    # openpyxl refuses control characters, and imported names (e.g. of OJT sites) may carry them.
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _write_data(sheet: Worksheet, table: Table) -> bool:
    """Fill the data sheet; tell whether any hidden cell was written."""
    labels = dict(table.columns)
    bold, right = Font(bold=True), Alignment(horizontal="right")
    widths = [_display_width(label) for _, label in table.columns]
    any_hidden = False
    for index, (_, label) in enumerate(table.columns, start=1):
        sheet.cell(1, index, label).font = bold
    for row_index, row in enumerate(table.rows, start=2):
        hidden = set(row.get(SUPPRESSED) or ())
        for index, (key, _) in enumerate(table.columns, start=1):
            value, cell = row[key], sheet.cell(row_index, index)
            if value is None and key in hidden:
                cell.value, cell.alignment, any_hidden = HIDDEN_MARK, right, True
            elif isinstance(value, int | float):
                cell.value = value
                cell.number_format = "#,##0" if isinstance(value, int) else "General"
            elif value is not None:
                # Set the type after the value: openpyxl would store text starting with "=" as a formula.
                cell.value = _clean(value) if isinstance(value, str) else _joined(value, labels)
                cell.data_type = "s"
            widths[index - 1] = max(widths[index - 1], _display_width(cell.value))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, _MAX_WIDTH)
    sheet.freeze_panes = "A2"
    return any_hidden


def _display_width(value: object) -> int:
    """Width in half-width character cells: full-width (Japanese) characters count twice."""
    text = "" if value is None else str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
