"""Running a matching round, reading its results and publishing them as placements."""

from sqlalchemy import delete, func, select, update

from lms.audit.service import record
from lms.auth.permissions import Actor
from lms.dates import utcnow
from lms.enrollments.models import Enrollment
from lms.errors import Conflict
from lms.extensions import db
from lms.learners.models import Learner
from lms.ojt.models import MatchingPreference, MatchingResult, MatchingRound, OjtSite, Placement, SiteRanking
from lms.ojt.placements import ALREADY_PLACED, lock_sites, placed_counts
from lms.ojt.round_rules import Applicant, Region, Site, run_round
from lms.ojt.rounds import PUBLISHED, get_round
from lms.transactions import flush_or_conflict

RESULT_FIELDS = ("outcome", "site_id", "choice_rank", "choices", "excluded_reason", "explanation")


def _lock_round(round_id: str) -> MatchingRound:
    get_round(round_id)
    return db.session.scalar(select(MatchingRound).where(MatchingRound.id == round_id).with_for_update()
                             .execution_options(populate_existing=True))


def _inputs(matching_round: MatchingRound):
    """Preferences of enrolments that can still be placed, and the enrolments that cannot (with why)."""
    placed = select(Placement.id).where(Placement.enrollment_id == Enrollment.id, Placement.status == "active",
                                        Placement.fiscal_year == matching_round.fiscal_year).exists()
    rows = db.session.execute(
        select(MatchingPreference.enrollment_id, MatchingPreference.site_id, Enrollment.status,
               Enrollment.prefecture_code, Enrollment.applied_at, placed)
        .join(Enrollment, Enrollment.id == MatchingPreference.enrollment_id)
        .where(MatchingPreference.round_id == matching_round.id)
        .order_by(MatchingPreference.enrollment_id, MatchingPreference.rank))
    prefs: dict[str, list[str]] = {}
    applicants: dict[str, Applicant] = {}
    excluded: dict[str, tuple[str, list[str]]] = {}
    for enrollment_id, site_id, status, prefecture_code, applied_at, is_placed in rows:
        if status != "active" or is_placed:
            why = "enrollment_not_active" if status != "active" else "already_placed"
            excluded.setdefault(enrollment_id, (why, []))[1].append(site_id)
            continue
        prefs.setdefault(enrollment_id, []).append(site_id)
        applicants.setdefault(enrollment_id, Applicant(enrollment_id, prefecture_code, applied_at))
    return prefs, applicants, excluded


def _sites(matching_round: MatchingRound, prefs: dict[str, list[str]]) -> dict[str, Site]:
    ids = sorted({site_id for site_ids in prefs.values() for site_id in site_ids})
    placed = placed_counts(ids, matching_round.fiscal_year)
    rows = db.session.scalars(select(OjtSite).where(OjtSite.id.in_(ids))) if ids else []
    return {s.id: Site(s.id, s.name, s.prefecture_code, s.shortage_area,
                       max(0, s.annual_capacity - placed.get(s.id, 0))) for s in rows}


def run(actor: Actor, round_id: str) -> dict:
    """Match the round's current inputs and store the result; the same inputs give the same result."""
    matching_round = _lock_round(round_id)
    if matching_round.status == "published":
        db.session.rollback()
        raise Conflict(PUBLISHED)
    prefs, applicants, excluded = _inputs(matching_round)
    sites = _sites(matching_round, prefs)
    rankings = {r.site_id: list(r.enrollment_ids) for r in db.session.scalars(
        select(SiteRanking).where(SiteRanking.round_id == round_id))}
    regions = [Region(r["name"], tuple(r["prefecture_codes"]), r["cap"]) for r in matching_round.regions]
    outcome = run_round(matching_round.mechanism, prefs, applicants, sites, rankings, regions)
    entries = outcome.pop("assignments")
    entries += [{"enrollment_id": e, "outcome": "excluded", "site_id": None, "choice_rank": None,
                 "choices": len(site_ids), "excluded_reason": why, "explanation": []}
                for e, (why, site_ids) in sorted(excluded.items())]
    db.session.execute(delete(MatchingResult).where(MatchingResult.round_id == round_id))
    db.session.add_all(MatchingResult(round_id=round_id, **entry) for entry in entries)
    matching_round.summary = {**outcome, "excluded": len(excluded)}
    matching_round.status = "matched"
    matching_round.run_at = utcnow()
    record(actor, "matching_round.run", "matching_round", round_id, matched=outcome["matched"],
           unmatched=outcome["unmatched"], excluded=len(excluded), blocking_pairs=outcome["blocking_pairs"])
    db.session.commit()
    return results(round_id)


def _entry(row: MatchingResult) -> dict:
    return {"enrollment_id": row.enrollment_id, **{f: getattr(row, f) for f in RESULT_FIELDS},
            "placement_id": row.placement_id}


def results(round_id: str) -> dict:
    """The current run's counts and every enrolment's outcome with its explanation."""
    matching_round = get_round(round_id)
    if matching_round.summary is None:
        raise Conflict("This round has no current results; run it.")
    rows = db.session.scalars(select(MatchingResult).where(MatchingResult.round_id == round_id)
                              .order_by(MatchingResult.outcome, MatchingResult.enrollment_id))
    return {"round_id": round_id, "status": matching_round.status, "mechanism": matching_round.mechanism,
            "fiscal_year": matching_round.fiscal_year, "run_at": matching_round.run_at,
            **matching_round.summary, "assignments": [_entry(row) for row in rows]}


def _learner_entry(row: MatchingResult) -> dict:
    """A learner's own entry: why they are not at a higher choice, naming no other learner (not even by id),
    only how many of the site's holders the site ranked above them."""
    entry = _entry(row)
    entry["explanation"] = [{"site_id": loss["site_id"], "reason": loss["reason"],
                             "ranked_above": len(loss["lost_to"])} for loss in row.explanation]
    return entry


def my_results(actor: Actor, round_id: str) -> list[dict]:
    """The caller's own entries of a published round."""
    matching_round = get_round(round_id)
    if matching_round.status != "published":
        raise Conflict("The results of this round are not published yet.")
    rows = db.session.scalars(
        select(MatchingResult).join(Enrollment, Enrollment.id == MatchingResult.enrollment_id)
        .join(Learner, Learner.id == Enrollment.learner_id)
        .where(MatchingResult.round_id == round_id, Learner.user_id == actor.id)
        .order_by(MatchingResult.enrollment_id))
    return [_learner_entry(row) for row in rows]


def _publish_answer(matching_round: MatchingRound, created: int) -> dict:
    total = db.session.scalar(select(func.count()).select_from(Placement).where(
        Placement.matching_round_id == matching_round.id, Placement.status == "active"))
    return {"round_id": matching_round.id, "status": matching_round.status,
            "published_at": matching_round.published_at, "placements_created": created, "placements": total}


def publish(actor: Actor, round_id: str) -> dict:
    """Create the matched placements in one transaction; publishing again creates nothing."""
    matching_round = _lock_round(round_id)
    if matching_round.status == "published":
        db.session.rollback()
        return _publish_answer(matching_round, 0)
    if matching_round.status != "matched":
        db.session.rollback()
        raise Conflict("This round has no current results; run it before publishing.")
    matched = list(db.session.scalars(select(MatchingResult).where(
        MatchingResult.round_id == round_id, MatchingResult.outcome == "matched")
        .order_by(MatchingResult.enrollment_id)))
    _check_still_placeable(matching_round, matched)
    placements = []
    for row in matched:
        placement = Placement(enrollment_id=row.enrollment_id, site_id=row.site_id,
                              fiscal_year=matching_round.fiscal_year, status="active",
                              start_date=matching_round.placement_start_date,
                              end_date=matching_round.placement_end_date, matching_round_id=round_id)
        placements.append((row, placement))
    db.session.add_all(p for _, p in placements)
    flush_or_conflict(ALREADY_PLACED + " Run the round again.")
    for row, placement in placements:
        row.placement_id = placement.id
    db.session.execute(update(MatchingRound).where(MatchingRound.id == round_id)
                       .values(status="published", published_at=utcnow()))
    record(actor, "matching_round.publish", "matching_round", round_id, placements=len(placements))
    db.session.commit()
    db.session.refresh(matching_round)
    return _publish_answer(matching_round, len(placements))


def _check_still_placeable(matching_round: MatchingRound, matched: list[MatchingResult]) -> None:
    """Since the run, sites may have filled and enrolments changed: refuse rather than overfill."""
    wanted: dict[str, int] = {}
    for row in matched:
        wanted[row.site_id] = wanted.get(row.site_id, 0) + 1
    sites = lock_sites(wanted)
    placed = placed_counts(wanted, matching_round.fiscal_year)
    full = sorted(s for s, n in wanted.items() if placed.get(s, 0) + n > sites[s].annual_capacity)
    inactive = sorted(db.session.scalars(select(Enrollment.id).join(
        MatchingResult, MatchingResult.enrollment_id == Enrollment.id).where(
        MatchingResult.round_id == matching_round.id, MatchingResult.outcome == "matched",
        Enrollment.status != "active")))
    if full or inactive:
        db.session.rollback()
        raise Conflict("Since the run, sites filled or enrolments changed; run the round again. "
                       f"Sites now short of room: {', '.join(full) or 'none'}; "
                       f"enrolments no longer active: {', '.join(inactive) or 'none'}.")
