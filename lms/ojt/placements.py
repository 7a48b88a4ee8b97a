"""Placement use cases: place an active enrolment at a site within its capacity, list, read, cancel.

Capacity under concurrency: creating placements at a site first locks the site's row (SELECT ... FOR
UPDATE), then counts the site's active placements in the fiscal year and inserts. Placements at one site
are therefore made one at a time while other sites proceed, and the count is always that of the
placements table itself, so placements made by any path (the API, a published matching round, a
cancellation) keep it right. The partial unique index on placements (one active placement per enrolment
and fiscal year) settles races between two sites for the same enrolment.
"""

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, union

from lms.audit.service import record
from lms.auth.models import ADMIN, LEARNER, ORG_STAFF, SUPERVISOR
from lms.auth.permissions import Actor
from lms.dates import fiscal_year, utcnow
from lms.enrollments import service as enrollments
from lms.enrollments.models import Enrollment
from lms.errors import Conflict, Invalid, NotFound
from lms.extensions import db
from lms.learners.models import Learner
from lms.ojt.models import MatchingPreference, OjtSite, Placement
from lms.ojt.schemas import PlacementSchema
from lms.ojt.sites import get_site
from lms.pagination import paginate
from lms.transactions import flush_or_conflict, guarded_update

ALREADY_PLACED = "This enrolment already has an active placement in that fiscal year."


def visible_placements(actor: Actor):
    query = select(Placement)
    if actor.role == ADMIN:
        return query
    if actor.role == ORG_STAFF:
        return query.join(Enrollment, Enrollment.id == Placement.enrollment_id).where(
            Enrollment.organization_code == actor.organization_code)
    if actor.role == SUPERVISOR:
        return query.where(Placement.site_id.in_(sorted(actor.site_ids)))
    if actor.role == LEARNER:
        return (query.join(Enrollment, Enrollment.id == Placement.enrollment_id)
                .join(Learner, Learner.id == Enrollment.learner_id).where(Learner.user_id == actor.id))
    return query.where(False)


def get_placement(actor: Actor, placement_id: str) -> Placement:
    placement = db.session.scalar(visible_placements(actor).where(Placement.id == placement_id))
    if placement is None:
        raise NotFound("No such placement.")
    return placement


def list_placements(actor: Actor, *, page: int, per_page: int, **filters) -> tuple[list[Placement], int]:
    query = visible_placements(actor)
    for name, value in filters.items():
        query = query.where(getattr(Placement, name) == value)
    return paginate(query, page=page, per_page=per_page,
                    order_by=(Placement.fiscal_year.desc(), Placement.start_date, Placement.id))


def placement_period(start_date: date, end_date: date) -> int:
    """The fiscal year of a period that lies within one fiscal year, else Invalid."""
    if end_date < start_date:
        raise Invalid(field="end_date", message="must not be before start_date")
    year = fiscal_year(start_date)
    if fiscal_year(end_date) != year:
        raise Invalid(field="end_date", message=f"must lie in fiscal year {year} (by 31 March {year + 1})")
    return year


def lock_sites(site_ids: Iterable[str]) -> dict[str, OjtSite]:
    """Lock the sites' rows in id order (so two lockers cannot deadlock) and return them by id."""
    ids = sorted(set(site_ids))
    if not ids:
        return {}
    rows = db.session.scalars(select(OjtSite).where(OjtSite.id.in_(ids)).order_by(OjtSite.id)
                              .with_for_update().execution_options(populate_existing=True))
    return {site.id: site for site in rows}


def placed_counts(site_ids: Iterable[str], year: int) -> dict[str, int]:
    """Active placements per site in a fiscal year."""
    ids = sorted(set(site_ids))
    rows = db.session.execute(
        select(Placement.site_id, func.count()).where(
            Placement.site_id.in_(ids), Placement.fiscal_year == year, Placement.status == "active")
        .group_by(Placement.site_id)) if ids else []
    return {site_id: count for site_id, count in rows}


def create_placement(actor: Actor, enrollment_id: str, site_id: str, start_date: date, end_date: date) -> Placement:
    """Place an active enrolment at a site for a period within one fiscal year, if the site has room."""
    year = placement_period(start_date, end_date)
    enrollment = enrollments.get_enrollment(actor, enrollment_id)
    get_site(site_id)
    if enrollment.status != "active":
        raise Conflict(f"Only an active enrolment can be placed; this one is {enrollment.status}.")
    site = lock_sites([site_id])[site_id]
    if placed_counts([site_id], year).get(site_id, 0) >= site.annual_capacity:
        db.session.rollback()
        raise Conflict(f"The site is full: {site.annual_capacity} placement(s) in fiscal year {year}.")
    placement = Placement(enrollment_id=enrollment.id, site_id=site.id, fiscal_year=year,
                          start_date=start_date, end_date=end_date, status="active")
    db.session.add(placement)
    flush_or_conflict(ALREADY_PLACED)
    record(actor, "placement.create", "placement", placement.id, enrollment_id=enrollment.id, site_id=site.id,
           fiscal_year=year)
    db.session.commit()
    return placement


def cancel_placement(actor: Actor, placement_id: str, reason: str | None = None) -> Placement:
    """Cancel an active placement, which frees its seat at the site."""
    placement = get_placement(actor, placement_id)
    guarded_update(Placement, placement.id, "active",
                   {"status": "cancelled", "cancelled_at": utcnow(), "cancel_reason": reason},
                   "This placement is already cancelled.")
    record(actor, "placement.cancel", "placement", placement.id)
    db.session.commit()
    db.session.refresh(placement)
    return placement


def supervised_enrollments(actor: Actor):
    """Enrolments a supervisor may see: placed at one of their sites, or applying to one in a round."""
    sites = sorted(actor.site_ids)
    return union(select(Placement.enrollment_id).where(Placement.site_id.in_(sites), Placement.status == "active"),
                 select(MatchingPreference.enrollment_id).where(MatchingPreference.site_id.in_(sites)))


def learner_records(learner: Learner) -> list[dict]:
    """The learner's placements, for their export."""
    rows = db.session.scalars(select(Placement).join(Enrollment, Enrollment.id == Placement.enrollment_id)
                              .where(Enrollment.learner_id == learner.id).order_by(Placement.created_at))
    return PlacementSchema(many=True).dump(rows)
