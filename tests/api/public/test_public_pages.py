"""Public pages of the prefectures: no login, HTML or JSON, suppression as another prefecture's official sees it,
embedding, caching, the pamphlet and the open data."""

import csv
import io
import re
import subprocess

import pytest

from lms.dates import fiscal_year, today_jst
from tests.conftest import bearer

FY = fiscal_year(today_jst())
JSON = {"Accept": "application/json"}


def indicator(client, token, code="34", **overrides):
    body = {"category_ja": "○", "name_ja": "リカレント教育の受講者数", "measure": "participants",
            "rationale_ja": "毎年増やします。", "baseline_fiscal_year": FY - 1, "target_fiscal_year": FY + 2,
            "target_value": 40, "source_ja": "LMS", "public": True, **overrides}
    response = client.post(f"/api/v1/prefectures/{code}/indicators", json=body, headers=bearer(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_json_page_has_the_contract_fields_and_needs_no_login(client, programs, site):
    site("34", "備北", shortage_area=True, name="庄原赤十字病院")
    site("34", "広島", name="広島市民病院")
    response = client.get("/public/prefectures/34", headers=JSON)
    assert response.status_code == 200
    page = response.get_json()
    assert {"prefecture_code", "name_ja", "programs", "ojt_sites", "figures", "as_of"} <= page.keys()
    assert page["prefecture_code"] == "34" and page["name_ja"] == "広島県"
    assert {"code", "title_ja"} <= page["programs"][0].keys()
    assert [s["name"] for s in page["ojt_sites"]] == ["庄原赤十字病院", "広島市民病院"]
    assert set(page["ojt_sites"][0]) >= {"name", "kind", "secondary_medical_area", "shortage_area", "activities",
                                         "annual_capacity"}
    assert set(page["figures"]) == {"fiscal_year", "participants", "completed", "ojt_sites_hosting", "placements",
                                    "suppressed"}
    assert client.get("/public/prefectures/340006", headers=JSON).get_json()["prefecture_code"] == "34"


@pytest.mark.parametrize("code", ["48", "00", "340007", "abc", "1"])
def test_unknown_prefecture_is_404(client, code):
    assert client.get(f"/public/prefectures/{code}", headers=JSON).status_code == 404
    page = client.get(f"/public/prefectures/{code}")
    assert page.status_code == 404 and "ページが見つかりません" in page.get_data(as_text=True)
    assert client.get(f"/public/prefectures/{code}/pamphlet.pdf").status_code == 404
    assert client.get(f"/public/prefectures/{code}/ojt-sites.csv").status_code == 404


def test_figures_are_suppressed_as_for_another_prefectures_official(client, many, official, programs):
    many("34", 3, fiscal_year=FY)
    many("34", 9, "completed", fiscal_year=FY)
    many("13", 12, fiscal_year=FY)
    many("01", 2, fiscal_year=FY)  # a small count: hidden, with what would reveal it
    for code in ("34", "13", "01"):
        public = client.get(f"/public/prefectures/{code}", headers=JSON).get_json()["figures"]
        seen = client.get(f"/api/v1/stats/prefectures?fiscal_year={FY}", headers=bearer(official("47"))).get_json()
        row = next(r for r in seen["rows"] if r["prefecture_code"] == code)
        for column in ("participants", "completed", "ojt_sites_hosting", "placements"):
            assert public[column] == row[column], (code, column)
        assert public["suppressed"] == [c for c in row["suppressed"] if c in public]
    hiroshima = client.get("/public/prefectures/34", headers=JSON).get_json()["figures"]
    assert hiroshima["participants"] == 12
    hokkaido = client.get("/public/prefectures/01", headers=JSON).get_json()["figures"]
    assert hokkaido["participants"] is None and "participants" in hokkaido["suppressed"]


def test_a_small_count_never_reaches_the_public_page(client, many, programs, admin_token):
    many("34", 1, fiscal_year=FY)
    indicator(client, admin_token)
    page = client.get("/public/prefectures/34", headers=JSON).get_json()
    assert page["figures"]["participants"] is None and "participants" in page["figures"]["suppressed"]
    assert page["indicators"][0]["current_value"] is None
    assert page["indicators"][0]["progress"] is None  # progress would give the hidden value away
    html = client.get("/public/prefectures/34").get_data(as_text=True)
    assert "少数のため非表示" in html


def test_only_public_indicators_are_shown(client, many, programs, official):
    many("34", 12, fiscal_year=FY)
    token = official("34")
    indicator(client, token, name_ja="公開する指標")
    indicator(client, token, name_ja="内部の指標", public=False)
    page = client.get("/public/prefectures/34", headers=JSON).get_json()
    assert [i["name_ja"] for i in page["indicators"]] == ["公開する指標"]
    assert page["indicators"][0]["current_value"] == 12
    html = client.get("/public/prefectures/34").get_data(as_text=True)
    assert "公開する指標" in html and "内部の指標" not in html and f"[R{FY - 2018}] 12人" in html


def test_html_page_is_japanese_with_headings_and_no_script(client, programs, site):
    site("34", "備北", shortage_area=True, name="<script>alert(1)</script>病院")
    response = client.get("/public/prefectures/34")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert '<html lang="ja">' in html and "<h1>広島県のリカレント教育</h1>" in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "医師少数区域" in html and "@media print" in html
    assert 'href="/public/prefectures/34/pamphlet.pdf"' in html
    assert "script-src" not in response.headers["Content-Security-Policy"]


def test_pages_never_name_a_person(client, make_learner, make_enrollment, programs):
    learner_id, _ = make_learner("34")
    make_enrollment(learner_id)
    for url in ("/public/prefectures/34", "/public/prefectures"):
        html = client.get(url).get_data(as_text=True)
        assert "山田" not in html and "太郎" not in html and "@example.jp" not in html


def test_index_links_every_prefecture_from_the_tile_map(client, site):
    site("34", "広島")
    html = client.get("/public/prefectures").get_data(as_text=True)
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert len(set(re.findall(r'href="/public/prefectures/(\d\d)"', svg))) == 47
    hiroshima = svg[svg.index('href="/public/prefectures/34"'):]
    assert ">広島</text>" in hiroshima[:600] and ">1</text>" in hiroshima[:600]


def test_cache_headers_and_304(client, programs):
    first = client.get("/public/prefectures/34")
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    etag = first.headers["ETag"]
    again = client.get("/public/prefectures/34", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    as_json = client.get("/public/prefectures/34", headers=JSON)
    assert as_json.headers["ETag"] != etag and "Accept" in as_json.headers["Vary"]


def test_pages_are_not_framed_unless_origins_are_configured(client, app, programs, monkeypatch):
    plain = client.get("/public/prefectures/34?embed=1")
    assert plain.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in plain.headers["Content-Security-Policy"]
    monkeypatch.setitem(app.config, "PUBLIC_EMBED_ORIGINS", ["https://www.pref.hiroshima.lg.jp"])
    embed = client.get("/public/prefectures/34?embed=1")
    assert "X-Frame-Options" not in embed.headers
    assert "frame-ancestors https://www.pref.hiroshima.lg.jp" in embed.headers["Content-Security-Policy"]
    html = embed.get_data(as_text=True)
    assert 'class="site"' not in html and "<h1>" in html  # frameless: no site header or footer
    full = client.get("/public/prefectures/34")
    assert full.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in full.headers["Content-Security-Policy"]


def test_embed_origins_must_be_origins(monkeypatch):
    from lms.config import Config

    monkeypatch.setenv("PUBLIC_EMBED_ORIGINS", "https://a.example.jp, http://b.example.jp:8080")
    assert Config().PUBLIC_EMBED_ORIGINS == ["https://a.example.jp", "http://b.example.jp:8080"]
    monkeypatch.setenv("PUBLIC_EMBED_ORIGINS", "https://a.example.jp; script-src *")
    with pytest.raises(ValueError):
        Config()


def test_open_data_csv_has_bom_and_is_formula_safe(client, site):
    site("34", "備北", shortage_area=True, name="=cmd|' /C calc'!A0")
    site("34", "広島", name="広島市民病院")
    site("13", "区中央部", name="東京の病院")
    response = client.get("/public/prefectures/340006/ojt-sites.csv")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["都道府県コード", "都道府県名", "施設コード", "名称"]
    assert [r[3] for r in rows[1:]] == ["'=cmd|' /C calc'!A0", "広島市民病院"]
    assert rows[1][6] == "該当" and rows[2][6] == ""


def test_pamphlet_is_an_a4_pdf_in_japanese_with_embedded_fonts(client, app, programs, site, many, admin_token,
                                                               tmp_path):
    site("34", "備北", shortage_area=True, name="庄原赤十字病院")
    many("34", 12, fiscal_year=FY)
    indicator(client, admin_token)
    response = client.get("/public/prefectures/34/pamphlet.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"].startswith("public")
    pdf = tmp_path / "p.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "広島県の" in text and "庄原赤十字病院" in text and "医師少数区域" in text
    assert "リカレント教育の受講者数" in text and f"[R{FY - 2018}] 12人" in text
    assert f"{app.config['PUBLIC_BASE_URL']}/public/prefectures/34" in re.sub(r"\s", "", text)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "595.27 x 841.89" in info or "595.276 x 841.89" in info  # A4 in points
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert "IPAexGothic" in fonts and all(" yes yes " in line for line in fonts.splitlines()[2:] if line)


def test_pamphlet_carries_a_qr_code_of_the_page(client, app, programs):
    from lms.public.pamphlet import QR_URL, pamphlet_html
    from lms.public.service import prefecture_page

    with app.test_request_context():
        html = pamphlet_html(prefecture_page("34"), "https://lms.example.jp/public/prefectures/34")
    assert f'src="{QR_URL}"' in html
    pdf = client.get("/public/prefectures/34/pamphlet.pdf").data
    assert b"/Subtype /Image" in pdf or b"/Subtype/Image" in pdf


def test_etag_stays_while_the_counts_stay_and_changes_when_they_move(client, programs, many):
    many("34", 5, fiscal_year=FY)
    first = client.get("/public/prefectures/34").headers["ETag"]
    # counted afresh (the test app has no statistics cache): a later count of the same numbers is the same page
    assert client.get("/public/prefectures/34", headers={"If-None-Match": first}).status_code == 304
    many("34", 1, fiscal_year=FY)
    assert client.get("/public/prefectures/34", headers={"If-None-Match": first}).status_code == 200
