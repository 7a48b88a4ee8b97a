"""Matching round use cases before the run: create, read, learners' preferences, sites' rankings.

Every change of preferences or rankings first updates the round's row where it is not published, which
both refuses changes to a published round and sets it back to `open` (the last run is no longer
current); the row lock this takes orders the change against a concurrent run or publish.
"""

from datetime import date

from sqlalchemy import delete, select

from lms.audit.service import record
from lms.auth.models import ADMIN, LEARNER
from lms.auth.permissions import Actor
from lms.dates import fiscal_year as year_of
from lms.dates import utcnow
from lms.enrollments import service as enrollments
from lms.enrollments.models import Enrollment
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.extensions import db
from lms.learners.models import Learner
from lms.ojt.models import (
    ROUND_STATUSES,
    MatchingPreference,
    MatchingResult,
    MatchingRound,
    OjtSite,
    Placement,
    SiteRanking,
)
from lms.ojt.placements import ALREADY_PLACED
from lms.ojt.round_rules import Applicant, default_priority
from lms.ojt.sites import get_site
from lms.pagination import paginate
from lms.reference.service import prefecture_codes
from lms.transactions import flush_or_conflict, guarded_update

PUBLISHED = "This round is published; its preferences, rankings and results no longer change."
UNPUBLISHED = tuple(status for status in ROUND_STATUSES if status != "published")


def get_round(round_id: str) -> MatchingRound:
    matching_round = db.session.get(MatchingRound, round_id)
    if matching_round is None:
        raise NotFound("No such matching round.")
    return matching_round


def list_rounds(*, page: int, per_page: int, **filters) -> tuple[list[MatchingRound], int]:
    query = select(MatchingRound)
    for name, value in filters.items():
        query = query.where(getattr(MatchingRound, name) == value)
    return paginate(query, page=page, per_page=per_page, order_by=(MatchingRound.created_at.desc(), MatchingRound.id))


def _check_regions(regions: list[dict]) -> None:
    known, seen_names, seen_codes, errors = prefecture_codes(), set(), {}, []
    for i, region in enumerate(regions):
        if region["name"] in seen_names:
            errors.append(f"regions[{i}]: the name {region['name']} is used twice")
        seen_names.add(region["name"])
        for code in region["prefecture_codes"]:
            if code not in known:
                errors.append(f"regions[{i}]: unknown prefecture {code}")
            elif code in seen_codes:
                errors.append(f"regions[{i}]: prefecture {code} is already in {seen_codes[code]}")
            seen_codes.setdefault(code, region["name"])
    if errors:
        raise Invalid("Regions must have distinct names and must not share prefectures.",
                      errors={"json": {"regions": errors}})


def create_round(actor: Actor, name: str, fiscal_year: int, mechanism: str, regions: list[dict],
                 placement_start_date: date | None = None, placement_end_date: date | None = None
                 ) -> MatchingRound:
    _check_regions(regions)
    start = placement_start_date or date(fiscal_year, 4, 1)
    end = placement_end_date or date(fiscal_year + 1, 3, 31)
    errors = {field: [f"must lie in fiscal year {fiscal_year}"] for field, value in
              (("placement_start_date", start), ("placement_end_date", end)) if year_of(value) != fiscal_year}
    if end < start:
        errors.setdefault("placement_end_date", []).append("must not be before placement_start_date")
    if errors:
        raise Invalid(errors={"json": errors})
    matching_round = MatchingRound(name=name, fiscal_year=fiscal_year, mechanism=mechanism, status="open",
                                   regions=[{"name": r["name"], "prefecture_codes": r["prefecture_codes"],
                                             "cap": r["cap"]} for r in regions],
                                   placement_start_date=start, placement_end_date=end)
    db.session.add(matching_round)
    db.session.flush()
    record(actor, "matching_round.create", "matching_round", matching_round.id, mechanism=mechanism)
    db.session.commit()
    return matching_round


def reopen(round_id: str) -> None:
    """Mark the round's inputs as changed (its last run is no longer current), unless it is published."""
    guarded_update(MatchingRound, round_id, UNPUBLISHED,
                   {"status": "open", "summary": None, "run_at": None, "updated_at": utcnow()}, PUBLISHED)
    db.session.execute(delete(MatchingResult).where(MatchingResult.round_id == round_id))


def _preference_rows(round_id: str, enrollment_ids: list[str]) -> dict[str, list[MatchingPreference]]:
    rows: dict[str, list[MatchingPreference]] = {e: [] for e in enrollment_ids}
    for row in db.session.scalars(select(MatchingPreference).where(
            MatchingPreference.round_id == round_id, MatchingPreference.enrollment_id.in_(enrollment_ids))
            .order_by(MatchingPreference.enrollment_id, MatchingPreference.rank)):
        rows[row.enrollment_id].append(row)
    return rows


def _as_preference(enrollment_id: str, rows: list[MatchingPreference]) -> dict:
    return {"enrollment_id": enrollment_id, "site_ids": [r.site_id for r in rows],
            "submitted_at": rows[0].submitted_at if rows else None}


def set_preferences(actor: Actor, round_id: str, enrollment_id: str, site_ids: list[str]) -> dict:
    """Replace an active enrolment's ranked list of sites (the learner's own, or any for admin)."""
    matching_round = get_round(round_id)
    enrollment = enrollments.get_enrollment(actor, enrollment_id)
    if matching_round.status == "published":
        raise Conflict(PUBLISHED)
    if enrollment.status != "active":
        raise Conflict(f"Only an active enrolment takes part; this one is {enrollment.status}.")
    known = set(db.session.scalars(select(OjtSite.id).where(OjtSite.id.in_(site_ids))))
    unknown = [i for i, site_id in enumerate(site_ids) if site_id not in known]
    if unknown:
        raise Invalid(errors={"json": {"site_ids": {str(i): ["no such OJT site"] for i in unknown}}})
    if db.session.scalar(select(Placement.id).where(Placement.enrollment_id == enrollment.id, Placement.status ==
                                                    "active", Placement.fiscal_year == matching_round.fiscal_year)):
        raise Conflict(ALREADY_PLACED)
    current = _preference_rows(round_id, [enrollment.id])[enrollment.id]
    if [r.site_id for r in current] == site_ids:
        return _as_preference(enrollment.id, current)
    reopen(round_id)
    db.session.execute(delete(MatchingPreference).where(MatchingPreference.round_id == round_id,
                                                        MatchingPreference.enrollment_id == enrollment.id))
    now = utcnow()
    rows = [MatchingPreference(round_id=round_id, enrollment_id=enrollment.id, rank=rank, site_id=site_id,
                               submitted_at=now) for rank, site_id in enumerate(site_ids, start=1)]
    db.session.add_all(rows)
    flush_or_conflict("These preferences changed at the same time; try again.")
    record(actor, "matching.preferences", "matching_round", round_id, enrollment_id=enrollment.id,
           sites=len(site_ids))
    db.session.commit()
    return _as_preference(enrollment.id, rows)


def list_preferences(actor: Actor, round_id: str, *, page: int, per_page: int, enrollment_id: str | None = None,
                     site_id: str | None = None) -> tuple[list[dict], int]:
    """Submitted preferences, one entry per enrolment (a learner sees their own)."""
    get_round(round_id)
    query = select(MatchingPreference.enrollment_id).where(MatchingPreference.round_id == round_id).distinct()
    if actor.role == LEARNER:
        query = query.where(MatchingPreference.enrollment_id.in_(
            select(Enrollment.id).join(Learner, Learner.id == Enrollment.learner_id)
            .where(Learner.user_id == actor.id)))
    if enrollment_id is not None:
        query = query.where(MatchingPreference.enrollment_id == enrollment_id)
    if site_id is not None:
        query = query.where(MatchingPreference.site_id == site_id)
    ids, total = paginate(query, page=page, per_page=per_page, order_by=(MatchingPreference.enrollment_id,))
    rows = _preference_rows(round_id, ids)
    return [_as_preference(e, rows[e]) for e in ids], total


def _check_site_access(actor: Actor, site_id: str) -> OjtSite:
    site = get_site(site_id)
    if actor.role != ADMIN and site_id not in actor.site_ids:
        raise Forbidden("Only the site's supervisors (or an admin) rank its applicants.")
    return site


def site_applicants(round_id: str, site: OjtSite) -> list[dict]:
    """Enrolments that list the site in this round, in the default priority order."""
    rows = db.session.execute(
        select(Enrollment.id, Enrollment.prefecture_code, Enrollment.applied_at, MatchingPreference.rank)
        .join(MatchingPreference, MatchingPreference.enrollment_id == Enrollment.id)
        .where(MatchingPreference.round_id == round_id, MatchingPreference.site_id == site.id)).all()
    by_id = {row[0]: row for row in rows}
    order = default_priority(site.prefecture_code, [Applicant(r[0], r[1], r[2]) for r in rows])
    return [{"enrollment_id": e, "prefecture_code": by_id[e][1], "applied_at": by_id[e][2],
             "choice_rank": by_id[e][3]} for e in order]


def get_ranking(actor: Actor, round_id: str, site_id: str) -> dict:
    get_round(round_id)
    site = _check_site_access(actor, site_id)
    ranking = db.session.get(SiteRanking, (round_id, site_id))
    applicants = site_applicants(round_id, site)
    listed = {a["enrollment_id"] for a in applicants}
    return {"site_id": site_id, "submitted": ranking is not None,
            "submitted_at": ranking.submitted_at if ranking else None,
            "enrollment_ids": [e for e in ranking.enrollment_ids if e in listed] if ranking
            else [a["enrollment_id"] for a in applicants],
            "applicants": applicants}


def set_ranking(actor: Actor, round_id: str, site_id: str, enrollment_ids: list[str]) -> dict:
    """Replace a site's ranking of its applicants; applicants left out are not acceptable to the site."""
    matching_round = get_round(round_id)
    site = _check_site_access(actor, site_id)
    if matching_round.status == "published":
        raise Conflict(PUBLISHED)
    listed = {a["enrollment_id"] for a in site_applicants(round_id, site)}
    strangers = {str(i): ["has not listed this site in this round"]
                 for i, e in enumerate(enrollment_ids) if e not in listed}
    if strangers:
        raise Invalid(errors={"json": {"enrollment_ids": strangers}})
    ranking = db.session.get(SiteRanking, (round_id, site_id))
    if ranking is None or ranking.enrollment_ids != enrollment_ids:
        reopen(round_id)
        db.session.execute(delete(SiteRanking).where(SiteRanking.round_id == round_id,
                                                     SiteRanking.site_id == site_id))
        db.session.add(SiteRanking(round_id=round_id, site_id=site_id, enrollment_ids=enrollment_ids,
                                   submitted_by=actor.id, submitted_at=utcnow()))
        flush_or_conflict("This ranking changed at the same time; try again.")
        record(actor, "matching.ranking", "matching_round", round_id, site_id=site_id,
               ranked=len(enrollment_ids))
        db.session.commit()
    return get_ranking(actor, round_id, site_id)


def learner_records(learner: Learner) -> list[dict]:
    """The learner's matching preferences and results, for their export."""
    rows = db.session.scalars(select(MatchingPreference).join(
        Enrollment, Enrollment.id == MatchingPreference.enrollment_id).where(Enrollment.learner_id == learner.id)
        .order_by(MatchingPreference.round_id, MatchingPreference.rank))
    results = {(r.round_id, r.enrollment_id): r for r in db.session.scalars(select(MatchingResult).join(
        Enrollment, Enrollment.id == MatchingResult.enrollment_id).where(Enrollment.learner_id == learner.id))}
    entries: dict[tuple[str, str], dict] = {}
    for row in rows:
        entry = entries.setdefault((row.round_id, row.enrollment_id), {
            "round_id": row.round_id, "enrollment_id": row.enrollment_id, "site_ids": [],
            "submitted_at": row.submitted_at.isoformat(), "result": None})
        entry["site_ids"].append(row.site_id)
    for key, result in results.items():
        if key in entries:
            entries[key]["result"] = {"outcome": result.outcome, "site_id": result.site_id,
                                      "choice_rank": result.choice_rank}
    return list(entries.values())
