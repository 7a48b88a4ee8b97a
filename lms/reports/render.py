"""A built report as CSV (UTF-8 with BOM), XLSX, or a PDF for people drawn by WeasyPrint."""

import os
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from lms.reference.data import CONSORTIUM_NAME
from lms.reports.charts import chart_context
from lms.reports.types import Report
from lms.stats.tables import as_of_ja, to_csv_bytes, to_xlsx_bytes

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Wide tables (the prefecture table, the monthly certificate table) are printed in landscape.
LANDSCAPE_FROM_COLUMNS = 10


class RefusedFetch(ValueError):
    """The report tried to load a resource; reports are self-contained."""


class NoFetching(URLFetcher):
    """Fetches nothing: styles are passed in and charts are inline SVG, so no URL is ever needed."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        raise RefusedFetch(f"refused URL: {url[:200]}")


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                       trim_blocks=True, lstrip_blocks=True)


_font_configs: dict[int, FontConfiguration] = {}


def _font_config() -> FontConfiguration:
    # one per process: a forked process must not share Pango/fontconfig state with its parent
    return _font_configs.setdefault(os.getpid(), FontConfiguration())


@lru_cache(maxsize=4)
def _stylesheet(pid: int) -> CSS:
    return CSS(string=(TEMPLATES / "report.css").read_text(encoding="utf-8"), url_fetcher=NoFetching(),
               font_config=_font_config())


def cell_text(value, decimals: int = 0) -> str:
    """A table cell as printed: thousands separators, `decimals` for fractional columns, a dash for none."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "○" if value else ""
    if isinstance(value, int | float):
        return f"{value:,.{decimals}f}" if decimals or not float(value).is_integer() else f"{value:,.0f}"
    if isinstance(value, str):
        return value
    return "、".join(str(v) for v in value)


def _column_formats(report: Report) -> dict[str, dict]:
    """Per column: numeric (right-aligned, one decimal if any value has a fraction) or text (long text wraps)."""
    formats = {}
    for key, _ in report.table.columns:
        values = [row.get(key) for row in report.table.rows if row.get(key) is not None]
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if numbers:
            fractional = any(isinstance(v, float) and not v.is_integer() for v in numbers)
            formats[key] = {"kind": "num", "decimals": 1 if fractional else 0}
        else:
            long_text = any(len(str(v)) > 16 for v in values)
            formats[key] = {"kind": "wrap" if long_text else "text", "decimals": 0}
    return formats


def report_context(report: Report, title_ja: str, *, generated_at: datetime) -> dict:
    """Plain values for the PDF template: texts, the table as strings, the chart as geometry."""
    table = report.table
    formats = _column_formats(report)
    landscape = len(table.columns) >= LANDSCAPE_FROM_COLUMNS

    def cell(row: dict, key: str) -> dict:
        value, fmt = row.get(key), formats[key]
        text = "" if value is None and fmt["kind"] != "num" else cell_text(value, fmt["decimals"])
        return {"text": text, "kind": fmt["kind"]}

    return {
        "title": title_ja,
        "subtitle": report.subtitle_ja,
        "as_of": as_of_ja(table.as_of),
        "generated_at": as_of_ja(generated_at),
        "issuer": CONSORTIUM_NAME,
        "landscape": landscape,
        "table_on_new_page": landscape and bool(report.chart or report.highlights) and len(table.rows) > 12,
        "columns": [{"label": label, "numeric": formats[key]["kind"] == "num", "wrap": formats[key]["kind"] == "wrap"}
                    for key, label in table.columns],
        "rows": [{"level": str(row.get("level", "row")), "cells": [cell(row, key) for key, _ in table.columns]}
                 for row in table.rows],
        "notes": list(table.notes),
        "chart": chart_context(report.chart),
        "highlights": [{"label": label, "value": value} for label, value in report.highlights],
    }


def render_html(context: dict) -> str:
    return _environment().get_template("report.html").render(context)


def render_pdf(report: Report, title_ja: str, *, generated_at: datetime) -> bytes:
    html = HTML(string=render_html(report_context(report, title_ja, generated_at=generated_at)),
                base_url=str(TEMPLATES) + "/", url_fetcher=NoFetching())
    return html.write_pdf(stylesheets=[_stylesheet(os.getpid())], font_config=_font_config())


def render(report: Report, fmt: str, title_ja: str, *, generated_at: datetime) -> bytes:
    """The report's bytes in one format: csv, xlsx or pdf."""
    if fmt == "csv":
        return to_csv_bytes(report.table)
    if fmt == "xlsx":
        return to_xlsx_bytes(report.table)
    if fmt == "pdf":
        return render_pdf(report, title_ja, generated_at=generated_at)
    raise ValueError(f"unknown format {fmt!r}")
