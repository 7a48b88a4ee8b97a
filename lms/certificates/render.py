"""Render completion certificates (修了証) from HTML templates to PDF with WeasyPrint."""

import io
import mimetypes
import os
import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import segno
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from lms.dates import reiwa_date, western_date_ja
from lms.reference.data import CONSORTIUM_NAME, MEMBER_ASSOCIATIONS

CERTIFICATES_DIR = Path(__file__).resolve().parents[2] / "certificates"
DEFAULT_TEMPLATE = "default"
TEMPLATE_FILE = "certificate.html"
STYLESHEET_FILE = "certificate.css"
# The address templates use for the QR code image; the fetcher serves it from memory, per certificate.
QR_URL = "certificate:qr.png"


class RefusedURL(ValueError):
    """A certificate tried to load a resource from outside its template folders."""


class TemplateFetcher(URLFetcher):
    """URL fetcher that serves template files and generated images, and refuses everything else."""

    def __init__(self, roots: Iterable[Path], generated: Mapping[str, bytes] | None = None) -> None:
        # fetch() below never calls the parent's; these options only narrow what the parent could do.
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.generated = dict(generated or {})

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """Return the resource behind ``url``; raising makes WeasyPrint skip the resource."""
        if url in self.generated:
            return URLFetcherResponse(url, self.generated[url], {"Content-Type": "image/png"})
        path = self.resolve(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def resolve(self, url: str) -> Path:
        """Map a ``file:`` URL to a regular file inside one of the roots, or raise RefusedURL."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"refused URL: {url[:200]}")
        # resolve() follows symlinks and "..", so a link pointing out of a root is refused too.
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not path.is_file() or not any(path.is_relative_to(root) for root in self.roots):
            raise RefusedURL(f"refused URL: {url[:200]}")
        return path


def template_folder(template: str | None = None) -> Path:
    """Return the folder of a programme's template, falling back to the default one."""
    if template is None:
        return CERTIFICATES_DIR / DEFAULT_TEMPLATE
    if not template or template in (".", "..") or "/" in template or "\\" in template or "\0" in template:
        raise ValueError(f"invalid certificate template name: {template!r}")
    folder = CERTIFICATES_DIR / template
    return folder if folder.is_dir() else CERTIFICATES_DIR / DEFAULT_TEMPLATE


def _search_path(folder: Path) -> list[Path]:
    """Return the folders searched for templates and assets: the programme's, then the default."""
    default = CERTIFICATES_DIR / DEFAULT_TEMPLATE
    return [folder] if folder == default else [folder, default]


def format_hours(hours: float | int | Decimal) -> str:
    """Print OJT hours without a trailing .0 (40, 40.5)."""
    value = Decimal(str(hours)).normalize()
    return f"{value:f}"


def group_code(code: str, size: int = 4) -> str:
    """Split a verification code into groups for reading aloud or typing (7K3M-9QX2-PD4H-Z8WN)."""
    compact = "".join(ch for ch in code if ch.isalnum())
    return "-".join(compact[i : i + size] for i in range(0, len(compact), size))


def qr_png(url: str) -> bytes:
    """Return a QR code of ``url`` as a PNG of one pixel per module.

    A bitmap rather than inline SVG: WeasyPrint parses and draws an SVG path of a few hundred segments in
    about 8 ms, a tenth of a certificate. Templates scale it with ``image-rendering: pixelated``, which
    writes /Interpolate false, so the modules stay sharp at any size.
    """
    out = io.BytesIO()
    # border=4 is the quiet zone the QR specification asks for, so scanning never depends on the layout.
    segno.make_qr(url, error="m").save(out, kind="png", scale=1, border=4)
    return out.getvalue()


@lru_cache(maxsize=32)
def _environment(folder: Path) -> Environment:
    """Return the Jinja environment of a template folder, built once per process."""
    env = Environment(
        loader=FileSystemLoader([str(path) for path in _search_path(folder)]),
        autoescape=True,
        # A missing key must fail loudly rather than print a certificate with a blank name.
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        reiwa=reiwa_date, western_ja=western_date_ja, hours=format_hours, group_code=group_code
    )
    return env


# Pango font maps must not be shared between threads, nor with a forked child (the parent may have been
# using one in another thread at the time of the fork), so each process and thread gets its own.
_font_configs: dict[tuple[int, int], FontConfiguration] = {}


def _renderer_key() -> tuple[int, int]:
    """Identify the calling process and thread."""
    return os.getpid(), threading.get_ident()


def _font_config() -> FontConfiguration:
    """Return the caller's font configuration, so fonts are loaded once, not per certificate."""
    key = _renderer_key()
    if key not in _font_configs:
        _font_configs[key] = FontConfiguration()
    return _font_configs[key]


@lru_cache(maxsize=32)
def _fetcher(folder: Path) -> TemplateFetcher:
    """Return the fetcher confined to a template folder and the default folder."""
    return TemplateFetcher(_search_path(folder))


@lru_cache(maxsize=64)
def _stylesheet(folder: Path, renderer: tuple[int, int]) -> CSS:
    """Return the parsed stylesheet of a template folder (its own, else the default one).

    Keyed by the renderer too, because @font-face rules register fonts in its font configuration.
    """
    path = next(p / STYLESHEET_FILE for p in _search_path(folder) if (p / STYLESHEET_FILE).is_file())
    return CSS(filename=str(path), url_fetcher=_fetcher(folder), font_config=_font_config())


def certificate_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """Complete the caller's plain values with the issuer defaults and the QR code's address."""
    return {
        "issuer": CONSORTIUM_NAME,
        "member_associations": MEMBER_ASSOCIATIONS,
        **context,
        "qr_url": QR_URL,
    }


def render_certificate_html(context: Mapping[str, Any], *, template: str | None = None) -> str:
    """Render the certificate's HTML; exposed so the template can be previewed and benchmarked."""
    folder = template_folder(template)
    return _environment(folder).get_template(TEMPLATE_FILE).render(certificate_context(context))


def certificate_fetcher(context: Mapping[str, Any], *, template: str | None = None) -> TemplateFetcher:
    """Return the fetcher for one certificate: its template folders and its own QR code, nothing else."""
    folder = template_folder(template)
    return TemplateFetcher(_search_path(folder), {QR_URL: qr_png(context["verification_url"])})


def render_certificate_pdf(context: Mapping[str, Any], *, template: str | None = None) -> bytes:
    """Render one certificate to PDF bytes; safe to call from a process pool."""
    folder = template_folder(template)
    html = HTML(
        string=render_certificate_html(context, template=template),
        base_url=str(folder) + "/",
        url_fetcher=certificate_fetcher(context, template=template),
    )
    # WeasyPrint's image cache stays per document: every certificate has its own QR code at the same URL.
    return html.write_pdf(stylesheets=[_stylesheet(folder, _renderer_key())], font_config=_font_config())
