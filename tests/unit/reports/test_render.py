"""Report rendering: CSV with a BOM, XLSX, and a PDF whose text reads back with headings and numbers."""

import io
import subprocess
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from lms.reports.render import NoFetching, RefusedFetch, render, render_html, report_context
from lms.reports.types import Chart, Report
from lms.stats.tables import Table

AS_OF = datetime(2026, 11, 23, 0, 5, tzinfo=UTC)


def sample_report(name: str = "東京都") -> Report:
    rows = [
        {"block_ja": "関東信越", "name_ja": name, "participants": 1234, "hours": 56.5, "level": "row"},
        {"block_ja": "関東信越", "name_ja": "小計", "participants": 1234, "hours": 56.5, "level": "subtotal"},
        {"block_ja": "全国", "name_ja": "合計", "participants": 98765, "hours": 4321.0, "level": "total"},
    ]
    table = Table(columns=[("block_ja", "ブロック"), ("name_ja", "都道府県"), ("participants", "受講者数"),
                           ("hours", "OJT承認時間")], rows=rows, title_ja="都道府県別 受講状況", as_of=AS_OF,
                  notes=["注記の例です。"])
    chart = Chart("tile_map", "都道府県別 受講者数", "人", values={"13": 1234})
    return Report(table, "2026年度", chart, [("受講者数（全国）", "98,765人")])


def pdf_text(data: bytes) -> str:
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()


def test_pdf_reads_back_with_japanese_headings_as_of_and_numbers():
    data = render(sample_report(), "pdf", "都道府県別 受講状況", generated_at=AS_OF)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for expected in ("都道府県別 受講状況", "2026年度", "集計時点", "2026年11月23日 09:05（日本時間）", "受講者数",
                     "OJT承認時間", "東京都", "1,234", "98,765", "4,321.0", "56.5", "注記の例です。", "東京"):
        assert expected in text, expected


def test_pdf_embeds_the_ipaex_gothic_font():
    data = render(sample_report(), "pdf", "都道府県別 受講状況", generated_at=AS_OF)
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True).stdout.decode()
    if not fonts:  # older poppler reads no stdin
        import tempfile

        with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
            handle.write(data)
            handle.flush()
            fonts = subprocess.run(["pdffonts", handle.name], capture_output=True, check=True).stdout.decode()
    assert "IPAexGothic" in fonts


def test_html_is_autoescaped():
    html = render_html(report_context(sample_report("<script>alert(1)</script>"), "題<b>", generated_at=AS_OF))
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "題&lt;b&gt;" in html


def test_the_fetcher_fetches_nothing():
    with pytest.raises(RefusedFetch):
        NoFetching().fetch("file:///etc/passwd")
    with pytest.raises(RefusedFetch):
        NoFetching().fetch("https://example.com/x.png")


def test_an_external_image_in_a_report_is_not_fetched(monkeypatch):
    fetched = []

    def spy(self, url, headers=None):
        fetched.append(url)
        raise RefusedFetch(url)

    monkeypatch.setattr(NoFetching, "fetch", spy)
    report = sample_report('<img src="http://127.0.0.1:9/x.png">')
    text = pdf_text(render(report, "pdf", "都道府県別 受講状況", generated_at=AS_OF))
    assert "<img" in text  # printed as text, not loaded
    assert fetched == []


def test_csv_has_a_bom_and_japanese_header():
    data = render(sample_report(), "csv", "都道府県別 受講状況", generated_at=AS_OF)
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "ブロック,都道府県,受講者数,OJT承認時間"
    assert lines[1] == "関東信越,東京都,1234,56.5"


def test_xlsx_has_the_numbers_as_numbers():
    data = render(sample_report(), "xlsx", "都道府県別 受講状況", generated_at=AS_OF)
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert [c.value for c in sheet[1]] == ["ブロック", "都道府県", "受講者数", "OJT承認時間"]
    assert sheet["C4"].value == 98765


def test_unknown_format_is_refused():
    with pytest.raises(ValueError):
        render(sample_report(), "docx", "x", generated_at=AS_OF)
