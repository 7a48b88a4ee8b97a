"""Counting queries: enrolments from their denormalised columns, OJT by the site's prefecture."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import Select, func, select

from lms.enrollments.models import Enrollment
from lms.extensions import db
from lms.learners.models import Learner
from lms.ojt.models import OjtSite, Placement
from lms.progress.models import OjtLog
from lms.stats import models  # noqa: F401  (the indexes these queries rely on)

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
    """Per (fiscal year, prefecture at application): enrolments by current status, and participants.

    GROUP BY the columns of ix_enrollments_stats (or ix_enrollments_stats_org), so PostgreSQL answers
    with an index-only scan and never reads learners.
    """
    e = Enrollment
    query = (select(e.fiscal_year, e.prefecture_code, e.status, e.ever_active, func.count())
             .where(e.fiscal_year >= years.start, e.fiscal_year < years.stop)
             .group_by(e.fiscal_year, e.prefecture_code, e.status, e.ever_active))
    if organization_code is not None:
        query = query.where(e.organization_code == organization_code)
    if prefecture_code is not None:
        query = query.where(e.prefecture_code == prefecture_code)
    result: dict[Key, dict[str, int]] = defaultdict(empty_counts)
    for year, prefecture, status, ever_active, n in db.session.execute(query):
        _add(result[(year, prefecture)], status, bool(ever_active), n)
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
    `shortage_area` keeps only sites in (or out of) physician-shortage areas."""
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
    current specialty, in one pass over its rows (the detail view only, so joining learners is cheap)."""
    e = Enrollment
    organization = func.coalesce(e.organization_code, NO_ORGANIZATION)
    query = (select(e.program_code, organization, Learner.specialty, e.status, e.ever_active, func.count())
             .join(Learner, Learner.id == e.learner_id)
             .where(e.fiscal_year == fiscal_year, e.prefecture_code == prefecture_code)
             .group_by(e.program_code, organization, Learner.specialty, e.status, e.ever_active))
    if organization_code is not None:
        query = query.where(e.organization_code == organization_code)
    result: dict[str, dict[str, dict[str, int]]] = {by: defaultdict(empty_counts) for by in BREAKDOWNS}
    for program, org, specialty, status, ever_active, n in db.session.execute(query):
        for by, category in zip(BREAKDOWNS, (program, org, specialty), strict=True):
            _add(result[by][category], status, bool(ever_active), n)
    return result


def sites_with_counts(fiscal_year: int, prefecture_code: str, organization_code: str | None = None
                      ) -> list[tuple[OjtSite, int, Decimal]]:
    """The prefecture's OJT sites with their active placements of the year and approved hours on them."""
    p = Placement
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
