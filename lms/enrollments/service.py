"""Enrolment use cases: apply, move through the life cycle, list and read."""

from datetime import datetime

from sqlalchemy import or_, select

from lms.audit.service import record
from lms.auth.models import ADMIN, LEARNER, ORG_STAFF, SUPERVISOR
from lms.auth.permissions import Actor
from lms.dates import fiscal_year, utcnow
from lms.enrollments.models import Enrollment
from lms.enrollments.rules import NON_FINAL, TIMESTAMP_FIELD, TransitionRefused, check_transition
from lms.enrollments.schemas import EnrollmentSchema
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.events import enrollment_completed, publish
from lms.extensions import db
from lms.hooks import domain_hooks
from lms.learners import service as learners
from lms.learners.models import Learner
from lms.pagination import paginate
from lms.programs.service import get_program
from lms.transactions import flush_or_conflict, guarded_update

OPEN_EXISTS = "The learner already has an open enrolment in this programme."


def visible_enrollments(actor: Actor):
    query = select(Enrollment)
    if actor.role == ADMIN:
        return query
    if actor.role == ORG_STAFF:
        return query.where(Enrollment.organization_code == actor.organization_code)
    if actor.role == LEARNER:
        return query.join(Learner, Learner.id == Enrollment.learner_id).where(Learner.user_id == actor.id)
    scopes = domain_hooks().supervisor_scopes if actor.role == SUPERVISOR else ()
    if scopes:  # placed at one of their sites, applying to one in a matching round, ...
        return query.where(or_(*(Enrollment.id.in_(scope(actor)) for scope in scopes)))
    return query.where(False)


def get_enrollment(actor: Actor, enrollment_id: str, *, for_update: bool = False) -> Enrollment:
    """An enrolment the caller may see (else NotFound); `for_update` also locks it for the transaction."""
    query = visible_enrollments(actor).where(Enrollment.id == enrollment_id)
    if for_update:
        query = query.with_for_update(of=Enrollment)
    enrollment = db.session.scalar(query)
    if enrollment is None:
        raise NotFound("No such enrolment.")
    return enrollment


def list_enrollments(actor: Actor, *, page: int, per_page: int, **filters) -> tuple[list[Enrollment], int]:
    query = visible_enrollments(actor)
    for name, value in filters.items():
        query = query.where(getattr(Enrollment, name) == value)
    return paginate(query, page=page, per_page=per_page, order_by=(Enrollment.applied_at.desc(), Enrollment.id.desc()))


def apply(actor: Actor, program_code: str, learner_id: str | None = None, *, now: datetime | None = None
          ) -> Enrollment:
    """Apply to a programme's current version; fiscal year and prefecture are fixed now."""
    if actor.role == LEARNER:
        learner = learners.own_profile(actor)
        if learner_id not in (None, learner.id):
            raise Invalid(field="learner_id", message="a learner applies for themselves only")
    elif learner_id is None:
        raise Invalid(field="learner_id", message="required when staff apply for a learner")
    else:
        learner = db.session.scalar(learners.visible_learners(actor).where(Learner.id == learner_id))
        if learner is None:
            raise Invalid(field="learner_id", message="no such learner")
    if learner.erased_at is not None:
        raise Conflict("This learner's data was erased.")
    program = get_program(program_code)
    open_one = db.session.scalar(select(Enrollment.id).where(
        Enrollment.learner_id == learner.id, Enrollment.program_code == program.code,
        Enrollment.status.in_(NON_FINAL)))
    if open_one:
        raise Conflict(OPEN_EXISTS)
    now = now or utcnow()
    enrollment = Enrollment(
        learner_id=learner.id, program_code=program.code, program_version_id=program.id,
        fiscal_year=fiscal_year(now), prefecture_code=learner.workplace_prefecture_code,
        organization_code=learner.organization_code, status="applied", applied_at=now,
    )
    db.session.add(enrollment)
    flush_or_conflict(OPEN_EXISTS)  # a concurrent application won the race
    record(actor, "enrollment.apply", "enrollment", enrollment.id, program_code=program.code)
    db.session.commit()
    return enrollment


def transition(actor: Actor, enrollment_id: str, target: str, reason: str | None = None) -> Enrollment:
    """Move an enrolment if the life cycle and the actor's role allow it."""
    enrollment = get_enrollment(actor, enrollment_id)
    return move_enrollment(actor, actor.role, enrollment, target, reason)


def move_enrollment(actor: Actor | None, role: str, enrollment: Enrollment, target: str, reason: str | None = None,
         *, at: datetime | None = None, commit: bool = True) -> Enrollment:
    """Apply a checked move with a guarded update, so two concurrent moves cannot both win. A move to
    `completed` announces `enrollment_completed` in the same transaction (the certificate follows)."""
    current = enrollment.status
    try:
        check_transition(role, current, target)
    except TransitionRefused as refused:
        raise (Conflict if refused.kind == "conflict" else Forbidden)(str(refused)) from refused
    at = at or utcnow()
    values = {"status": target, "status_reason": reason, "updated_at": utcnow()}
    field = TIMESTAMP_FIELD[target]
    if target != "active" or enrollment.activated_at is None:
        values[field] = at
    if target == "active":
        values["ever_active"] = True
    guarded_update(Enrollment, enrollment.id, current, values, "The enrolment changed meanwhile; reload and try again.")
    record(actor, "enrollment.transition", "enrollment", enrollment.id, from_status=current, to_status=target,
           by=role)
    if target == "completed":
        publish(enrollment_completed, enrollment.id)
    if commit:
        db.session.commit()
        db.session.refresh(enrollment)
    return enrollment


def learner_records(learner: Learner) -> list[dict]:
    """The learner's enrolments, for their export."""
    rows = db.session.scalars(select(Enrollment).where(Enrollment.learner_id == learner.id))
    return EnrollmentSchema(many=True).dump(rows)
