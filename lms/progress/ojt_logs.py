"""OJT hour logs: learners record hours at their placement, the site's supervisor reviews them."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import func, select

from lms.audit.service import record
from lms.auth.models import ADMIN, LEARNER, ORG_STAFF, SUPERVISOR
from lms.auth.permissions import Actor
from lms.dates import today_jst, utcnow
from lms.enrollments.models import Enrollment
from lms.errors import Conflict, DomainError, Invalid, NotFound, PreconditionFailed
from lms.extensions import db
from lms.learners.models import Learner
from lms.ojt.models import Placement
from lms.pagination import paginate
from lms.progress import service
from lms.progress.models import OJT_LOG_STATUSES, OjtLog
from lms.progress.rules import hours_text
from lms.transactions import guarded_update

MAX_HOURS_PER_DATE = Decimal(24)
APPROVED_IS_FINAL = "An approved OJT log cannot change."
CHANGED = "The OJT log changed since it was read (If-Match no longer matches); read it again."
NOT_APPROVED = tuple(status for status in OJT_LOG_STATUSES if status != "approved")


def etag(log: OjtLog) -> str:
    """The log's entity tag: its version, bumped by every change."""
    return f'"v{log.version}"'


def matching_versions(if_match: str | None) -> set[int] | None:
    """The versions an `If-Match` header accepts; None for no header or `*` (any). Weak tags never match
    (RFC 9110 compares If-Match strongly)."""
    if if_match is None or if_match.strip() == "*":
        return None
    versions = set()
    for tag in if_match.split(","):
        tag = tag.strip()
        if tag.startswith('"v') and tag.endswith('"') and tag[2:-1].isdigit() and len(tag) < 20:
            versions.add(int(tag[2:-1]))
    return versions


def _check_version(log: OjtLog, versions: set[int] | None) -> None:
    if versions is not None and log.version not in versions:
        raise PreconditionFailed(CHANGED)


def _guarded_update(log_id: str, versions: set[int] | None, values: dict) -> None:
    """Change the log only while it is not approved and is the version seen, in one statement; else 409
    (approved meanwhile) or 412 (another version)."""
    def lost_race() -> DomainError:
        status = db.session.scalar(select(OjtLog.status).where(OjtLog.id == log_id))
        return Conflict(APPROVED_IS_FINAL) if status == "approved" else PreconditionFailed(CHANGED)

    also = [] if versions is None else [OjtLog.version.in_(sorted(versions))]
    guarded_update(OjtLog, log_id, NOT_APPROVED, {**values, "version": OjtLog.version + 1}, lost_race, also=also)


def _scoped(actor: Actor, query):
    """Limit a query joined to Placement and Enrollment to what the actor may see."""
    if actor.role == ADMIN:
        return query
    if actor.role == ORG_STAFF:
        return query.where(Enrollment.organization_code == actor.organization_code)
    if actor.role == SUPERVISOR:
        return query.where(Placement.site_id.in_(sorted(actor.site_ids)))
    if actor.role == LEARNER:
        return query.join(Learner, Learner.id == Enrollment.learner_id).where(Learner.user_id == actor.id)
    return query.where(False)


def _placement(actor: Actor, placement_id: str) -> Placement:
    query = select(Placement).join(Enrollment, Enrollment.id == Placement.enrollment_id)
    placement = db.session.scalar(_scoped(actor, query).where(Placement.id == placement_id))
    if placement is None:
        raise NotFound("No such placement.")
    return placement


def _visible_logs(actor: Actor):
    query = (select(OjtLog).join(Placement, Placement.id == OjtLog.placement_id)
             .join(Enrollment, Enrollment.id == Placement.enrollment_id))
    return _scoped(actor, query)


def get_log(actor: Actor, log_id: str) -> OjtLog:
    log = db.session.scalar(_visible_logs(actor).where(OjtLog.id == log_id))
    if log is None:
        raise NotFound("No such OJT log.")
    return log


def list_logs(actor: Actor, *, page: int, per_page: int, placement_id: str | None = None,
              status: str | None = None) -> tuple[list[OjtLog], int]:
    query = _visible_logs(actor)
    if placement_id is not None:
        query = query.where(OjtLog.placement_id == placement_id)
    if status is not None:
        query = query.where(OjtLog.status == status)
    return paginate(query, page=page, per_page=per_page, order_by=(OjtLog.date, OjtLog.created_at, OjtLog.id))


def list_placement_logs(actor: Actor, placement_id: str, **args) -> tuple[list[OjtLog], int]:
    _placement(actor, placement_id)
    return list_logs(actor, placement_id=placement_id, **args)


def _check_day(placement: Placement, day: date, hours: Decimal, today: date, *, excluding: str | None = None):
    """Inside the placement period, not in the future, and at most 24 hours on the date across the
    learner's logs (the learner row is locked, so concurrent logs cannot pass the cap together)."""
    if day > today:
        raise Invalid(field="date", message="must not be in the future")
    if not placement.start_date <= day <= placement.end_date:
        raise Invalid(field="date", message=f"must be within the placement period "
                                            f"{placement.start_date.isoformat()}–{placement.end_date.isoformat()}")
    learner_id = db.session.scalar(select(Enrollment.learner_id).where(Enrollment.id == placement.enrollment_id))
    db.session.execute(select(Learner.id).where(Learner.id == learner_id).with_for_update())
    query = (select(func.coalesce(func.sum(OjtLog.hours), 0)).join(Placement, Placement.id == OjtLog.placement_id)
             .join(Enrollment, Enrollment.id == Placement.enrollment_id)
             .where(Enrollment.learner_id == learner_id, OjtLog.date == day, OjtLog.status != "rejected"))
    if excluding is not None:
        query = query.where(OjtLog.id != excluding)
    logged = Decimal(db.session.scalar(query))
    if logged + hours > MAX_HOURS_PER_DATE:
        raise Invalid(field="hours", message=f"at most 24 hours on one date; {hours_text(logged)} "
                                             f"hours are logged on {day.isoformat()}")


def _check_open(placement: Placement) -> None:
    if placement.status != "active":
        raise Conflict("This placement was cancelled.")
    status = db.session.scalar(select(Enrollment.status).where(Enrollment.id == placement.enrollment_id))
    if status != "active":
        raise Conflict(service.NOT_ACTIVE)


def create_log(actor: Actor, placement_id: str, fields: dict, *, today: date | None = None) -> OjtLog:
    """Log hours on one day of the caller's placement; they count once the supervisor approves them."""
    placement = _placement(actor, placement_id)
    _check_open(placement)
    hours = Decimal(str(fields["hours"]))
    _check_day(placement, fields["date"], hours, today or today_jst())
    log = OjtLog(placement_id=placement.id, date=fields["date"], hours=hours, activity=fields["activity"],
                 note=fields.get("note"), status="pending")
    db.session.add(log)
    db.session.commit()
    return log


def update_log(actor: Actor, log_id: str, fields: dict, *, today: date | None = None,
               if_match: str | None = None) -> OjtLog:
    """Correct a pending or rejected log (it goes back to pending); an approved log is final. With
    `if_match`, only the version it names is changed (412 otherwise), checked in the same statement."""
    versions = matching_versions(if_match)
    log = get_log(actor, log_id)
    placement = db.session.get(Placement, log.placement_id)
    _check_open(placement)
    if log.status == "approved":
        raise Conflict(APPROVED_IS_FINAL)
    _check_version(log, versions)
    values = {"date": fields.get("date", log.date), "activity": fields.get("activity", log.activity),
              "hours": Decimal(str(fields["hours"])) if "hours" in fields else log.hours,
              "note": fields.get("note", log.note)}
    _check_day(placement, values["date"], values["hours"], today or today_jst(), excluding=log.id)
    _guarded_update(log.id, versions, {**values, "status": "pending", "review_comment": None,
                                       "reviewed_by": None, "reviewed_at": None, "updated_at": utcnow()})
    db.session.commit()
    return get_log(actor, log_id)


def review_log(actor: Actor, log_id: str, decision: str, comment: str | None = None,
               *, now: datetime | None = None, if_match: str | None = None) -> OjtLog:
    """Approve or reject a log (the site's supervisor or an admin); approving may complete the enrolment.
    With `if_match`, only the version the reviewer saw is decided on (412 otherwise), in one statement."""
    now = now or utcnow()
    versions = matching_versions(if_match)
    log = get_log(actor, log_id)
    if log.status == "approved":
        raise Conflict(APPROVED_IS_FINAL)
    _check_version(log, versions)
    # the enrolment is locked before the change, so an approval and a module completed at the same time
    # cannot both miss the completion (see progress.service.complete_if_met)
    enrollment_id = db.session.scalar(select(Placement.enrollment_id).where(Placement.id == log.placement_id))
    enrollment = service.lock_enrollments([enrollment_id])[enrollment_id]
    # the hours decided on are those of the version the statement matches: read with it, not before it
    _guarded_update(log.id, versions, {"status": decision, "review_comment": comment, "reviewed_by": actor.id,
                                       "reviewed_at": now, "updated_at": now})
    hours = db.session.scalar(select(OjtLog.hours).where(OjtLog.id == log.id))
    record(actor, "ojt_log.review", "ojt_log", log.id, decision=decision, hours=str(hours))
    if decision == "approved":
        service.complete_if_met(enrollment, now=now)
    db.session.commit()
    return get_log(actor, log_id)
