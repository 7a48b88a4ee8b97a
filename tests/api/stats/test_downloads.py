"""CSV and XLSX downloads carry the same numbers as the JSON, with Japanese headers and notes."""

import csv
import io

from openpyxl import load_workbook

from lms.stats.tables import DATA_SHEET, HIDDEN_MARK, NOTES_SHEET
from tests.api.stats.conftest import FY, rows_by_code
from tests.conftest import bearer

URL = f"/api/v1/stats/prefectures?fiscal_year={FY}"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_by_format_or_accept_has_bom_japanese_header_and_same_numbers(client, admin_token, many):
    many("13", 3)
    many("13", 2, "completed")
    many("01", 1, "rejected")
    body = client.get(URL, headers=bearer(admin_token)).get_json()
    for response in (client.get(URL + "&format=csv", headers=bearer(admin_token)),
                     client.get(URL, headers={**bearer(admin_token), "Accept": "text/csv"})):
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert response.data.startswith(b"\xef\xbb\xbf")
        assert "attachment" in response.headers["Content-Disposition"]
        header, *lines = csv_rows(response.data)
        assert header[:7] == ["年度", "集計単位", "コード", "名称", "ブロック", "申請中", "受講中"]
        assert "受講者数" in header and "OJT承認時間" in header
        assert len(lines) == 47 + 8 + 1
        tokyo = next(line for line in lines if line[2] == "13")
        assert tokyo[header.index("受講中")] == "3" and tokyo[header.index("修了")] == "2"
        assert tokyo[header.index("受講者数")] == str(rows_by_code(body)["13"]["participants"])
        national = lines[-1]
        assert national[1] == "全国" and national[header.index("不承認")] == "1"


def test_xlsx_has_numeric_cells_and_notes_with_suppression_and_as_of(client, official, many):
    many("13", 4)
    many("14", 1, "suspended")
    many("14", 6)
    many("11", 2, "suspended")
    token = official("13")
    response = client.get(URL + "&format=xlsx", headers=bearer(token))
    assert response.status_code == 200 and response.mimetype == XLSX
    book = load_workbook(io.BytesIO(response.data))
    sheet = book[DATA_SHEET]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["年度", "集計単位", "コード", "名称", "ブロック"]
    rows = {row[2]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    tokyo, kanagawa = rows["13"], rows["14"]
    assert tokyo[header.index("受講中")] == 4 and isinstance(tokyo[header.index("受講中")], int)
    assert kanagawa[header.index("休止中")] == HIDDEN_MARK
    assert isinstance(rows["13"][header.index("年度")], int)
    notes = "\n".join(str(row[0]) for row in book[NOTES_SHEET].iter_rows(values_only=True))
    assert "秘匿" in notes and "集計時点" in notes and "日本時間" in notes


def test_blocks_and_series_download_as_long_tables(client, admin_token, many):
    many("13", 3, fiscal_year=FY - 1)
    many("13", 4)
    response = client.get(f"/api/v1/stats/prefectures?from_fiscal_year={FY - 1}&to_fiscal_year={FY}&format=csv",
                          headers=bearer(admin_token))
    header, *lines = csv_rows(response.data)
    assert len(lines) == 2 * 56
    tokyo = {line[0]: line[header.index("受講中")] for line in lines if line[2] == "13"}
    assert tokyo == {str(FY - 1): "3", str(FY): "4"}
    blocks = client.get(f"/api/v1/stats/blocks?fiscal_year={FY}&format=xlsx", headers=bearer(admin_token))
    sheet = load_workbook(io.BytesIO(blocks.data))[DATA_SHEET]
    assert sheet.max_row == 1 + 9


def test_detail_downloads(client, admin_token, enrol, site, place):
    place(enrol("13"), site("13", "区西部", name="テスト総合病院"))
    response = client.get(f"/api/v1/stats/prefectures/13?fiscal_year={FY}&format=csv", headers=bearer(admin_token))
    header, *lines = csv_rows(response.data)
    assert header[0] == "区分"
    sections = {line[0] for line in lines}
    assert {"合計", "プログラム別", "基本領域別", "所属団体別", "二次医療圏別", "OJT施設"} <= sections
    hospital = next(line for line in lines if line[2] == "テスト総合病院")
    assert hospital[header.index("OJT受入人数")] == "1"
    xlsx = client.get(f"/api/v1/stats/prefectures/13?fiscal_year={FY}", headers={
        **bearer(admin_token), "Accept": XLSX})
    assert xlsx.mimetype == XLSX
