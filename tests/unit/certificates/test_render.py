"""Certificate PDF rendering: content, fonts, metadata, QR code and the sandboxed URL fetcher."""

import io
import re
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import pypdf
import pytest
import segno
from PIL import Image

from lms.certificates import render
from lms.certificates.render import (
    CONSORTIUM_NAME,
    QR_URL,
    RefusedURL,
    TemplateFetcher,
    certificate_fetcher,
    qr_png,
    render_certificate_html,
    render_certificate_pdf,
    template_folder,
)

VERIFY_URL = "https://recurrent.example.jp/verify/7K3M9QX2PD4HZ8WN"
MODULES = [
    "総合診療の基本姿勢",
    "高齢者の包括的評価",
    "在宅医療と訪問診療",
    "地域包括ケアシステム",
    "多疾患併存の診療",
    "ポリファーマシー対策",
    "小児のよくある症状",
    "救急初期対応",
    "緩和ケアの基本",
    "認知症の診療",
    "予防医療と健診",
    "多職種連携とチーム医療",
]


def sample_context(**overrides: Any) -> dict[str, Any]:
    """Return a certificate context of plain values, as the service builds it, with overrides."""
    context = {
        "holder_name": "山田 太郎",
        "program_title": "総合診療医養成リカレントプログラム",
        "modules": MODULES,
        "ojt_hours": 120,
        "completed_on": date(2026, 11, 22),
        "issued_on": date(2026, 11, 30),
        "certificate_number": "RC-2026-000123",
        "verification_code": "7K3M9QX2PD4HZ8WN",
        "verification_url": VERIFY_URL,
    }
    return {**context, **overrides}


@pytest.fixture
def make_context() -> Callable[..., dict[str, Any]]:
    """Return the factory of certificate contexts."""
    return sample_context


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    """Render the sample certificate once for the read-only checks."""
    return render_certificate_pdf(sample_context())


def pdf_text(pdf: bytes) -> str:
    """Return the text of every page with all whitespace removed, so line breaks do not matter."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_certificate_is_one_page_with_the_holder_programme_date_and_number(sample_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(sample_pdf))
    assert len(reader.pages) == 1
    text = pdf_text(sample_pdf)
    for expected in (
        "山田太郎",
        "殿",
        "総合診療医養成リカレントプログラム",
        "令和8年11月22日",
        "2026年11月22日",
        "RC-2026-000123",
        "12単元",
        "120時間",
        "多職種連携とチーム医療",
        "7K3M-9QX2-PD4H-Z8WN",
        VERIFY_URL,
        "令和8年11月30日",
        "日本老年医学会",
    ):
        assert expected in text


def test_page_is_a4_landscape(sample_pdf: bytes) -> None:
    box = pypdf.PdfReader(io.BytesIO(sample_pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)


def test_fonts_are_embedded_as_subsets(sample_pdf: bytes) -> None:
    page = pypdf.PdfReader(io.BytesIO(sample_pdf)).pages[0]
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    assert fonts
    for font in fonts:
        assert re.fullmatch(r"[A-Z]{6}\+IPAex(Mincho|Gothic)", font["/BaseFont"][1:])
        descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor


def test_metadata_names_the_certificate_the_consortium_and_the_programme(sample_pdf: bytes) -> None:
    metadata = pypdf.PdfReader(io.BytesIO(sample_pdf)).metadata
    assert metadata.title == "修了証 – 山田 太郎"
    assert metadata.author == CONSORTIUM_NAME
    assert metadata.subject == "総合診療医養成リカレントプログラム"


def test_pdf_is_smaller_than_60_kib(sample_pdf: bytes) -> None:
    assert len(sample_pdf) < 60 * 1024


def test_same_input_gives_the_same_bytes(
    make_context: Callable[..., dict[str, Any]], sample_pdf: bytes
) -> None:
    # The stored SHA-256 lets anyone check an uploaded PDF, so rendering must be reproducible.
    assert render_certificate_pdf(make_context()) == sample_pdf


def test_renders_in_a_process_pool_like_in_process(sample_pdf: bytes) -> None:
    with ProcessPoolExecutor(1) as pool:
        assert pool.submit(render_certificate_pdf, sample_context()).result() == sample_pdf


def test_concurrent_threads_each_render_their_own_certificate() -> None:
    names = ["佐藤 花子", "鈴木 健一", "高橋 美咲", "田中 大輔"]
    with ThreadPoolExecutor(2) as pool:
        pdfs = list(pool.map(lambda name: render_certificate_pdf(sample_context(holder_name=name)), names))
    for name, pdf in zip(names, pdfs, strict=True):
        assert name.replace(" ", "") in pdf_text(pdf)


def test_markup_in_user_values_is_printed_and_nothing_is_fetched(
    make_context: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    canary = tmp_path / "canary.svg"
    canary.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    fetched: list[str] = []
    original_fetch = TemplateFetcher.fetch

    def recording_fetch(self: TemplateFetcher, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return original_fetch(self, url, headers)

    monkeypatch.setattr(TemplateFetcher, "fetch", recording_fetch)
    hostile_name = f'<img src="file://{canary}">'
    pdf = render_certificate_pdf(
        make_context(
            holder_name=hostile_name,
            program_title='<link rel="stylesheet" href="http://127.0.0.1:9/x.css">',
            modules=["<style>@import url(https://example.com/a.css);</style>"],
        )
    )

    text = pdf_text(pdf)
    assert re.sub(r"\s+", "", hostile_name) in text
    assert "<linkrel=" in text
    assert "@importurl(https://example.com/a.css);" in text
    # The default template draws everything else itself: its QR code is the only resource it loads.
    assert fetched == [QR_URL]


def test_html_given_to_weasyprint_is_escaped(make_context: Callable[..., dict[str, Any]]) -> None:
    html = render_certificate_html(make_context(holder_name='<img src="x">'))
    assert '<img src="x">' not in html
    assert "&lt;img src=&#34;x&#34;&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/secret",
        "https://example.com/a.css",
        "data:image/svg+xml;base64,PHN2Zy8+",
        "ftp://example.com/a.png",
        "file:///etc/passwd",
        "file://evil.example/share/frame.svg",
        "javascript:alert(1)",
        "certificate:other.png",
    ],
)
def test_fetcher_refuses_anything_outside_the_template_folders(url: str) -> None:
    fetcher = TemplateFetcher([template_folder(None)])
    with pytest.raises(RefusedURL):
        fetcher.fetch(url)


def test_fetcher_refuses_traversal_symlinks_and_folders(tmp_path: Path) -> None:
    root = tmp_path / "default"
    root.mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    (root / "escape.svg").symlink_to(tmp_path / "secret.txt")
    fetcher = TemplateFetcher([root])
    for url in (
        f"file://{root}/../secret.txt",
        f"file://{root}/%2e%2e/secret.txt",
        f"file://{root}/escape.svg",
        f"file://{root}/",
        f"file://{root}/missing.svg",
    ):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)


def test_fetcher_serves_files_inside_its_roots_with_their_type(tmp_path: Path) -> None:
    (tmp_path / "seal.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    response = TemplateFetcher([tmp_path]).fetch((tmp_path / "seal.svg").as_uri())
    assert response.content_type == "image/svg+xml"
    assert response.read().startswith(b"<svg")


def test_programme_folder_overrides_the_default_and_falls_back_to_it(
    make_context: Callable[..., dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    shutil.copytree(template_folder(None), tmp_path / "default")
    override = tmp_path / "GP2026"
    override.mkdir()
    (override / "seal.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="4"/></svg>'
    )
    html = (tmp_path / "default" / "certificate.html").read_text(encoding="utf-8")
    (override / "certificate.html").write_text(
        html.replace("修了証</h1>", '特別修了証</h1><img src="seal.svg" style="width: 10mm">'),
        encoding="utf-8",
    )
    monkeypatch.setattr(render, "CERTIFICATES_DIR", tmp_path)
    served: list[str] = []
    original_fetch = TemplateFetcher.fetch

    def recording_fetch(self: TemplateFetcher, url: str, headers: Any = None) -> Any:
        response = original_fetch(self, url, headers)
        served.append(url)
        return response

    monkeypatch.setattr(TemplateFetcher, "fetch", recording_fetch)

    assert template_folder("GP2026") == override
    assert template_folder("UNKNOWN") == tmp_path / "default"
    assert "特別修了証" in render_certificate_html(make_context(), template="GP2026")
    assert "特別修了証" not in render_certificate_html(make_context(), template="UNKNOWN")
    # The override has no stylesheet of its own, so the default one applies; its asset is served.
    assert "特別修了証" in pdf_text(render_certificate_pdf(make_context(), template="GP2026"))
    assert sorted(served) == sorted([(override / "seal.svg").as_uri(), QR_URL])


@pytest.mark.parametrize("name", ["..", ".", "", "../default", "a/b", "a\\b"])
def test_template_names_cannot_leave_the_certificates_folder(name: str) -> None:
    with pytest.raises(ValueError):
        template_folder(name)


def test_missing_context_key_fails_instead_of_printing_a_blank(
    make_context: Callable[..., dict[str, Any]],
) -> None:
    context = make_context()
    del context["holder_name"]
    with pytest.raises(Exception, match="holder_name"):
        render_certificate_html(context)


def segno_modules(url: str, border: int) -> list[list[bool]]:
    """Return segno's own module matrix for ``url`` with a quiet zone of ``border`` modules."""
    return [[bool(bit) for bit in row] for row in segno.make_qr(url, error="m").matrix_iter(border=border)]


def test_qr_png_has_the_modules_segno_encodes_for_the_url() -> None:
    # What this pins: the image is exactly segno's QR symbol for the URL, one pixel per module, with a
    # 4-module quiet zone. It trusts segno's encoder rather than decoding the symbol independently.
    image = Image.open(io.BytesIO(qr_png(VERIFY_URL))).convert("L")
    pixels = [[image.getpixel((x, y)) < 128 for x in range(image.width)] for y in range(image.height)]
    assert pixels == segno_modules(VERIFY_URL, border=4)


def test_each_certificate_gets_the_qr_of_its_own_verification_url(
    make_context: Callable[..., dict[str, Any]],
) -> None:
    assert f'src="{QR_URL}"' in render_certificate_html(make_context())
    served = certificate_fetcher(make_context()).fetch(QR_URL)
    assert served.content_type == "image/png"
    assert served.read() == qr_png(VERIFY_URL)
    other = certificate_fetcher(make_context(verification_url=VERIFY_URL + "X")).fetch(QR_URL)
    assert other.read() != qr_png(VERIFY_URL)


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs pdftoppm (poppler-utils)")
def test_printed_qr_has_the_modules_of_the_verification_url(sample_pdf: bytes, tmp_path: Path) -> None:
    # Rasterise the page and sample the printed QR: only its modules are pure black (text is #1b1b1b
    # and lighter), so their bounding box is the symbol, finder patterns included.
    (tmp_path / "page.pdf").write_bytes(sample_pdf)
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "200", "-singlefile", str(tmp_path / "page.pdf"), str(tmp_path / "page")],
        check=True,
    )
    image = Image.open(tmp_path / "page.pgm")
    black = image.point(lambda value: 255 if value < 16 else 0)
    left, top, right, bottom = black.getbbox()
    expected = segno_modules(VERIFY_URL, border=0)
    size = len(expected)
    module = (right - left) / size
    assert abs((bottom - top) / size - module) < 0.5
    printed = [
        [
            image.getpixel((int(left + (col + 0.5) * module), int(top + (row + 0.5) * module))) < 128
            for col in range(size)
        ]
        for row in range(size)
    ]
    assert printed == expected
    assert printed != segno_modules(VERIFY_URL + "X", border=0)
