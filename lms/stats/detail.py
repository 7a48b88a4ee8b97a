"""One prefecture's statistics in detail: breakdowns and its OJT sites, as the viewer may see them."""

from collections import defaultdict
from decimal import Decimal

from sqlalchemy import select

from lms.auth.permissions import Actor
from lms.extensions import db
from lms.ojt.models import SITE_KIND_LABELS
from lms.programs.models import ProgramVersion
from lms.reference.models import Organization, Specialty
from lms.reference.service import get_prefecture
from lms.stats import publish, queries
from lms.stats.publish import ENROLMENT_COLUMNS
from lms.stats.service import hours_number, scope_of, year_tables

NO_ORGANIZATION_JA = "所属団体なし"


def _categories(by: str) -> dict[str, str]:
    """Every category of a breakdown with its Japanese name, so that zeros are listed too."""
    if by == "programs":
        rows = db.session.execute(select(ProgramVersion.code, ProgramVersion.title_ja)
                                  .order_by(ProgramVersion.code, ProgramVersion.is_current, ProgramVersion.version))
        return dict(rows.all())  # the current (else the latest) version's title wins
    if by == "specialties":
        return dict(db.session.execute(select(Specialty.code, Specialty.name_ja).order_by(Specialty.sort_order)).all())
    names = dict(db.session.execute(select(Organization.code, Organization.name_ja).order_by(Organization.code)).all())
    return {**names, queries.NO_ORGANIZATION: NO_ORGANIZATION_JA}


def _breakdown(by: str, counts: dict[str, dict[str, int]], total: dict | None, k: int) -> list[dict]:
    names = _categories(by)
    for code in counts:
        names.setdefault(code, code)
    values = {code: counts.get(code, queries.empty_counts()) for code in names}
    hidden = {code: () for code in names} if total is None else publish.breakdown_cells(values, total, k)
    return [{"code": code, "name_ja": name,
             **{c: None if c in hidden[code] else values[code][c] for c in ENROLMENT_COLUMNS},
             "suppressed": list(hidden[code])} for code, name in names.items()]


def _ojt(fiscal_year: int, prefecture_code: str, organization_code: str | None, total_hidden: bool | None,
         k: int) -> tuple[list[dict], list[dict]]:
    sites = queries.sites_with_counts(fiscal_year, prefecture_code, organization_code)
    areas: dict[str, list[str]] = defaultdict(list)
    for site, _, _ in sites:
        areas[site.secondary_medical_area].append(site.id)
    placements = {site.id: n for site, n, _ in sites}
    if total_hidden is None:
        hidden_sites, hidden_areas = set(), set()
    else:
        hidden_sites, hidden_areas = publish.site_cells(placements, areas, k, total_hidden)
    site_rows, area_rows = [], {}
    for site, n, hours in sites:
        hidden = site.id in hidden_sites
        site_rows.append({
            "id": site.id, "external_code": site.external_code, "name": site.name, "kind": site.kind,
            "kind_ja": SITE_KIND_LABELS.get(site.kind, site.kind),
            "secondary_medical_area": site.secondary_medical_area, "shortage_area": site.shortage_area,
            "annual_capacity": site.annual_capacity, "hosting": n > 0,
            "placements": None if hidden else n, "ojt_hours_approved": None if hidden else hours_number(hours),
            "suppressed": ["placements", "ojt_hours_approved"] if hidden else [],
        })
        area = area_rows.setdefault(site.secondary_medical_area, {
            "name": site.secondary_medical_area, "shortage_area": False, "ojt_sites": 0,
            "ojt_sites_hosting": 0, "placements": 0, "ojt_hours_approved": Decimal(0)})
        area["shortage_area"] |= site.shortage_area
        area["ojt_sites"] += 1
        area["ojt_sites_hosting"] += n > 0
        area["placements"] += n
        area["ojt_hours_approved"] += hours
    for name, area in area_rows.items():
        hidden = name in hidden_areas
        area["ojt_hours_approved"] = None if hidden else hours_number(area["ojt_hours_approved"])
        area["placements"] = None if hidden else area["placements"]
        area["suppressed"] = ["placements", "ojt_hours_approved"] if hidden else []
    return list(area_rows.values()), site_rows


def prefecture_detail(actor: Actor, code: str, fiscal_year: int) -> dict:
    """A prefecture's row with breakdowns by programme, specialty, organisation and secondary medical
    area, and its OJT sites with their placements and approved hours."""
    scope = scope_of(actor)
    prefecture = get_prefecture(code)
    table = year_tables(scope, range(fiscal_year, fiscal_year + 1))[fiscal_year]
    row = next(r for r in table["rows"] if r["prefecture_code"] == prefecture.code)
    exact = scope.is_exact(prefecture.code)
    k, org = table["k"], scope.organization_code
    total = None if exact else row
    counts = queries.enrollment_breakdowns(fiscal_year, prefecture.code, org)
    areas, sites = _ojt(fiscal_year, prefecture.code, org, None if exact else "placements" in row["suppressed"], k)
    return {
        "fiscal_year": fiscal_year, "as_of": table["as_of"], "k": k, "organization_code": org,
        "exact": exact, "prefecture": row,
        "breakdowns": {
            **{by: _breakdown(by, counts[by], total, k) for by in ("programs", "specialties", "organizations")},
            "secondary_medical_areas": areas,
        },
        "ojt_sites": sites,
    }
