"""What the public pages show, as plain values: programmes, host institutions, published figures and public
indicators. Figures are published with the suppression an official of another prefecture sees."""

from flask import current_app
from sqlalchemy import select

from lms.dates import fiscal_year, today_jst, utcnow
from lms.errors import Invalid, NotFound
from lms.extensions import db
from lms.indicators.service import public_indicators
from lms.ojt.models import ACTIVITY_LABELS, SITE_KIND_LABELS, OjtSite
from lms.programs.service import list_programs
from lms.reference.models import Prefecture
from lms.reference.service import get_prefecture, list_blocks
from lms.reports.charts import tile_map
from lms.reports.types import Chart
from lms.stats import queries
from lms.stats.cache import cached
from lms.stats.service import Scope, hours_number, published_tables

# Nobody's prefecture is exact: the public sees every prefecture as an official of another one does.
PUBLIC = Scope(organization_code=None, exact=frozenset())
FIGURES = ("participants", "completed", "ojt_sites_hosting", "placements")
FIGURE_LABELS = {"participants": "受講者数", "completed": "修了者数", "ojt_sites_hosting": "OJT受入医療機関数",
                 "placements": "OJT受入人数"}
HOW_TO_APPLY = ("受講を希望する医師は、学習管理システムで利用者登録をしたうえで、プログラムに申し込んでください。"
                "申込みは所属する団体（連絡協議会の構成団体）が確認します。")


def public_prefecture(code: str) -> Prefecture:
    """By JIS code or lg_code; a malformed or unknown code is simply a page that does not exist."""
    try:
        return get_prefecture(code)
    except Invalid as exc:
        raise NotFound(f"No prefecture with code {code}.") from exc


class _PublicTables(dict):
    """The public table of each fiscal year asked for, counted once per request (and kept by the statistics
    cache): one year costs a fraction of a series, and a page needs two or three years at most."""

    def __missing__(self, year: int) -> dict:
        table = published_tables(PUBLIC, range(year, year + 1))[year]
        self[year] = table
        return table


def _row(table: dict, prefecture_code: str) -> dict:
    return next(row for row in table["rows"] if row["prefecture_code"] == prefecture_code)


def _visible(prefecture_code: str, tables: _PublicTables):
    """Publish an indicator's value as the figures are published: the table's own cell where the measure is
    one of its columns; shortage-area placements hidden when they, or the placements elsewhere that they
    would reveal by subtraction, are a small count."""
    k = current_app.config["STATS_SUPPRESSION_K"]

    def visible(measure: str, year: int, value):
        row = _row(tables[year], prefecture_code)
        if measure != "shortage_area_placements":
            return row[measure]
        placements = row["placements"]
        if placements is None or 0 < value < k or 0 < placements - value < k:
            return None
        return value

    return visible


def _site(site: OjtSite) -> dict:
    return {"name": site.name, "kind": site.kind, "kind_ja": SITE_KIND_LABELS.get(site.kind, site.kind),
            "secondary_medical_area": site.secondary_medical_area, "shortage_area": site.shortage_area,
            "activities": list(site.activities or []),
            "activities_ja": [ACTIVITY_LABELS.get(a, a) for a in site.activities or []],
            "annual_capacity": site.annual_capacity, "external_code": site.external_code}


def host_institutions(prefecture_code: str) -> list[dict]:
    """The prefecture's OJT host institutions, those in physician-shortage areas first."""
    sites = db.session.scalars(
        select(OjtSite).where(OjtSite.prefecture_code == prefecture_code)
        .order_by(OjtSite.shortage_area.desc(), OjtSite.secondary_medical_area, OjtSite.name, OjtSite.id))
    return [_site(site) for site in sites]


def _programs() -> list[dict]:
    return [{"code": p.code, "title_ja": p.title_ja, "description_ja": p.description_ja,
             "ojt_required_hours": hours_number(p.ojt_required_hours), "modules": len(p.modules),
             "how_to_apply_ja": HOW_TO_APPLY} for p in list_programs()]


def prefecture_page(code: str) -> dict:
    """Everything the prefecture's page, its JSON and its pamphlet show."""
    prefecture = public_prefecture(code)
    year, tables = fiscal_year(today_jst()), _PublicTables()
    row = _row(tables[year], prefecture.code)
    return {
        "prefecture_code": prefecture.code, "name_ja": prefecture.name_ja, "name_en": prefecture.name_en,
        "lg_code": prefecture.lg_code, "block_ja": prefecture.block_ja,
        "programs": _programs(),
        "ojt_sites": host_institutions(prefecture.code),
        "figures": {"fiscal_year": year, **{column: row[column] for column in FIGURES},
                    "suppressed": [column for column in row["suppressed"] if column in FIGURES]},
        "indicators": public_indicators(prefecture.code, _visible(prefecture.code, tables)),
        "as_of": tables[year]["as_of"],
        "k": tables[year]["k"],
    }


def index_page() -> dict:
    """The 47 prefectures and a tile map of their registered OJT host institutions."""
    def build() -> dict:
        sites = queries.site_counts()
        chart = tile_map(Chart("tile_map", "都道府県別 OJT受入医療機関（登録数）", "施設", values=sites))
        blocks = [{"name_ja": block.name_ja,
                   "prefectures": [{"code": p.code, "name_ja": p.name_ja, "ojt_sites": sites.get(p.code, 0)}
                                   for p in sorted(block.prefectures, key=lambda p: p.code)]}
                  for block in list_blocks()]
        return {"map": chart, "blocks": blocks}

    return cached(("public-index",), build)


def institutions_page(code: str) -> dict:
    """The prefecture and its host institutions only (the open data needs no counting)."""
    prefecture = public_prefecture(code)
    return {"prefecture_code": prefecture.code, "name_ja": prefecture.name_ja,
            "ojt_sites": host_institutions(prefecture.code), "as_of": utcnow()}
