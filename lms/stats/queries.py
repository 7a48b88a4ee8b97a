"""Counting queries: enrolments and active placements from their summary rows (lms/stats/models.py, kept by
triggers in the transaction of each change), approved hours and organisation-scoped placements by counting;
OJT by the site's prefecture."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Select, func, select

from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.ojt.models import OjtSite, Placement
from lms.progress.models import OjtLog
from lms.stats.models import EnrollmentBreakdown, EnrollmentCount, PlacementCount

STATUSES = ("applied", "active", "suspended", "completed", "withdrawn", "rejected")
NO_ORGANIZATION = "none"

Key = tuple[int, str]


def empty_counts() -> dict[str, int]:
    return {**dict.fromkeys(STATUSES, 0), "participants": 0}


def _add(counts: dict[str, int], status: str, ever_active: bool, n: int) -> None:
    if status in counts:
        counts[status] += n
    if ever_active:
        counts["participants"] += n


def enrollment_counts(years: range, organization_code: str | None = None, *,
                      prefecture_code: str | None = None) -> dict[Key, dict[str, int]]:
    """Per (fiscal year, prefecture at application): enrolments by current status, and participants, summed
    from the summary rows (at most a few thousand a year, whatever the number of enrolments)."""
    c = EnrollmentCount
    query = (select(c.fiscal_year, c.prefecture_code, c.status, c.ever_active, func.sum(c.n))
             .where(c.fiscal_year >= years.start, c.fiscal_year < years.stop, c.n != 0)
             .group_by(c.fiscal_year, c.prefecture_code, c.status, c.ever_active))
    if organization_code is not None:
        query = query.where(c.organization_code == organization_code)
    if prefecture_code is not None:
        query = query.where(c.prefecture_code == prefecture_code)
    result: dict[Key, dict[str, int]] = defaultdict(empty_counts)
    for year, prefecture, status, ever_active, n in db.session.execute(query):
        _add(result[(year, prefecture)], status, bool(ever_active), int(n))
    return result


def _scoped(query: Select, organization_code: str | None) -> Select:
    if organization_code is None:
        return query
    enrolments = select(Enrollment.id).where(Enrollment.organization_code == organization_code)
    return query.where(Placement.enrollment_id.in_(enrolments))


def _site_filter(query: Select, prefecture_code: str | None, shortage_area: bool | None) -> Select:
    if prefecture_code is not None:
        query = query.where(OjtSite.prefecture_code == prefecture_code)
    if shortage_area is not None:
        query = query.where(OjtSite.shortage_area.is_(shortage_area))
    return query


def placement_counts(years: range, organization_code: str | None = None, *, prefecture_code: str | None = None,
                     shortage_area: bool | None = None) -> dict[Key, tuple[int, int]]:
    """Per (fiscal year, site's prefecture): (active placements, sites with at least one of them);
    `shortage_area` keeps only sites in (or out of) physician-shortage areas. Unscoped, from the summary
    rows; an organisation's own are counted."""
    if organization_code is None:
        c = PlacementCount
        query = _site_filter(
            select(c.fiscal_year, OjtSite.prefecture_code, func.sum(c.n), func.count())
            .join(OjtSite, OjtSite.id == c.site_id)
            .where(c.fiscal_year >= years.start, c.fiscal_year < years.stop, c.n > 0)
            .group_by(c.fiscal_year, OjtSite.prefecture_code), prefecture_code, shortage_area)
        return {(year, prefecture): (int(n), hosting) for year, prefecture, n, hosting in db.session.execute(query)}
    p = Placement
    per_site = _scoped(
        select(p.fiscal_year, p.site_id, func.count().label("n"))
        .where(p.fiscal_year >= years.start, p.fiscal_year < years.stop, p.status == "active")
        .group_by(p.fiscal_year, p.site_id), organization_code,
    ).subquery()
    query = _site_filter(
        select(per_site.c.fiscal_year, OjtSite.prefecture_code, func.sum(per_site.c.n), func.count())
        .join(OjtSite, OjtSite.id == per_site.c.site_id)
        .group_by(per_site.c.fiscal_year, OjtSite.prefecture_code), prefecture_code, shortage_area)
    return {(year, prefecture): (int(n), hosting) for year, prefecture, n, hosting in db.session.execute(query)}


def approved_hours(years: range, organization_code: str | None = None, *,
                   prefecture_code: str | None = None) -> dict[Key, Decimal]:
    """Per (fiscal year, site's prefecture): approved hours on logs of active placements of that year."""
    p = Placement
    query = _scoped(_site_filter(
        select(p.fiscal_year, OjtSite.prefecture_code, func.sum(OjtLog.hours))
        .join(p, p.id == OjtLog.placement_id).join(OjtSite, OjtSite.id == p.site_id)
        .where(p.fiscal_year >= years.start, p.fiscal_year < years.stop, p.status == "active",
               OjtLog.status == "approved")
        .group_by(p.fiscal_year, OjtSite.prefecture_code), prefecture_code, None), organization_code,
    )
    return {(year, prefecture): Decimal(hours or 0) for year, prefecture, hours in db.session.execute(query)}


def site_counts() -> dict[str, int]:
    """Registered OJT sites per prefecture (the current register, whatever the fiscal year)."""
    query = select(OjtSite.prefecture_code, func.count()).group_by(OjtSite.prefecture_code)
    return dict(db.session.execute(query).all())


BREAKDOWNS = ("programs", "organizations", "specialties")


def enrollment_breakdowns(fiscal_year: int, prefecture_code: str, organization_code: str | None = None
                          ) -> dict[str, dict[str, dict[str, int]]]:
    """One prefecture's enrolments of a fiscal year by programme, by organisation and by the learner's
    current specialty, from the summary rows."""
    b = EnrollmentBreakdown
    query = (select(b.program_code, b.organization_code, b.specialty, b.status, b.ever_active, b.n)
             .where(b.fiscal_year == fiscal_year, b.prefecture_code == prefecture_code, b.n != 0))
    if organization_code is not None:
        query = query.where(b.organization_code == organization_code)
    result: dict[str, dict[str, dict[str, int]]] = {by: defaultdict(empty_counts) for by in BREAKDOWNS}
    for program, org, specialty, status, ever_active, n in db.session.execute(query):
        for by, category in zip(BREAKDOWNS, (program, org or NO_ORGANIZATION, specialty), strict=True):
            _add(result[by][category], status, bool(ever_active), n)
    return result


def sites_with_counts(fiscal_year: int, prefecture_code: str, organization_code: str | None = None
                      ) -> list[tuple[OjtSite, int, Decimal]]:
    """The prefecture's OJT sites with their active placements of the year and approved hours on them."""
    p = Placement
    if organization_code is None:
        placements = dict(db.session.execute(
            select(PlacementCount.site_id, PlacementCount.n).join(OjtSite, OjtSite.id == PlacementCount.site_id)
            .where(OjtSite.prefecture_code == prefecture_code, PlacementCount.fiscal_year == fiscal_year,
                   PlacementCount.n > 0)).all())
    else:
        placements = dict(db.session.execute(_scoped(
            select(p.site_id, func.count()).join(OjtSite, OjtSite.id == p.site_id)
            .where(OjtSite.prefecture_code == prefecture_code, p.fiscal_year == fiscal_year, p.status == "active")
            .group_by(p.site_id), organization_code)).all())
    hours: dict[str, Decimal] = {site: Decimal(h or 0) for site, h in db.session.execute(_scoped(
        select(p.site_id, func.sum(OjtLog.hours)).join(p, p.id == OjtLog.placement_id)
        .join(OjtSite, OjtSite.id == p.site_id)
        .where(OjtSite.prefecture_code == prefecture_code, p.fiscal_year == fiscal_year,
               p.status == "active", OjtLog.status == "approved")
        .group_by(p.site_id), organization_code))}
    sites: Iterable[OjtSite] = db.session.scalars(
        select(OjtSite).where(OjtSite.prefecture_code == prefecture_code)
        .order_by(OjtSite.secondary_medical_area, OjtSite.name, OjtSite.id))
    return [(site, placements.get(site.id, 0), hours.get(site.id, Decimal(0))) for site in sites]
