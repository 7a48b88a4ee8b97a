"""A prefecture's A4 pamphlet (パンフレット), drawn by WeasyPrint with the certificates' pipeline: fonts embedded
as subsets, a fetcher that serves only the template folder and the QR code, and a segno QR code of the page."""

import os
import threading
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from lms.certificates.render import TemplateFetcher, qr_png
from lms.dates import reiwa_date
from lms.indicators.rules import era_value, number_text
from lms.reference.data import CONSORTIUM_NAME
from lms.stats.tables import as_of_ja

TEMPLATES = Path(__file__).resolve().parent / "templates" / "pamphlet"
QR_URL = "pamphlet:qr.png"
# A pamphlet is two sides of A4: the rest of a long list is in the page and the open data.
MAX_SITES = 24


@lru_cache(maxsize=1)
def _environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters.update(era_value=era_value, number=number_text, reiwa=reiwa_date)
    return env


# Pango font maps belong to one process and thread (see lms.certificates.render).
_font_configs: dict[tuple[int, int], FontConfiguration] = {}


def _font_config() -> FontConfiguration:
    key = (os.getpid(), threading.get_ident())
    if key not in _font_configs:
        _font_configs[key] = FontConfiguration()
    return _font_configs[key]


def pamphlet_html(page: dict, page_url: str) -> str:
    """The pamphlet's HTML from the page's plain values (shown so tests and previews can read it)."""
    sites = page["ojt_sites"]
    context = {**page, "sites_shown": sites[:MAX_SITES], "sites_more": max(0, len(sites) - MAX_SITES),
               "shortage_sites": sum(1 for s in sites if s["shortage_area"]),
               "page_url": page_url, "qr_url": QR_URL, "issuer": CONSORTIUM_NAME,
               "as_of_ja": as_of_ja(page["as_of"])}
    return _environment().get_template("pamphlet.html").render(context)


def render_pamphlet(page: dict, page_url: str) -> bytes:
    """A4 PDF bytes of the pamphlet."""
    fetcher = TemplateFetcher([TEMPLATES], {QR_URL: qr_png(page_url)})
    stylesheet = CSS(filename=str(TEMPLATES / "pamphlet.css"), url_fetcher=fetcher, font_config=_font_config())
    html = HTML(string=pamphlet_html(page, page_url), base_url=str(TEMPLATES) + "/", url_fetcher=fetcher)
    return html.write_pdf(stylesheets=[stylesheet], font_config=_font_config())
