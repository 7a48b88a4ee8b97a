"""Progress use cases: module progress, the progress summary, and completing enrolments."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from lms.audit.service import record
from lms.auth.models import LEARNER, SUPERVISOR
from lms.auth.permissions import Actor
from lms.dates import utcnow
from lms.enrollments import service as enrollments
from lms.enrollments.models import Enrollment
from lms.errors import Conflict, Invalid, NotFound
from lms.extensions import db
from lms.ojt.models import Placement
from lms.programs.catalogue import ModuleInfo, version_info
from lms.progress import rules
from lms.progress.models import ModuleProgress, ModuleProgressUpdate, OjtLog, XapiStatement

FUTURE_SKEW = timedelta(minutes=5)
NOT_ACTIVE = "Progress is recorded only for an active enrolment."


_RULES: dict[str, rules.ProgramRules] = {}


def rules_of(version_id: str) -> rules.ProgramRules:
    """A programme version's completion rules (a version never changes, so they are built once)."""
    cached = _RULES.get(version_id)
    if cached is None:
        version = version_info(version_id)
        cached = _RULES[version_id] = rules.ProgramRules(
            modules=tuple(rules.ModuleRule(m.code, m.title_ja, m.required, m.min_score) for m in version.modules),
            ojt_required_hours=version.ojt_required_hours, min_duration_days=version.min_duration_days)
    return cached


def happened_at(at: datetime | None, now: datetime, field: str) -> datetime:
    """When something happened, as reported (in UTC): not in the future (a clock a few minutes ahead is
    forgiven)."""
    if at is None:
        return now
    if at > now + FUTURE_SKEW:
        raise Invalid(field=field, message="must not be in the future")
    return min(at, now).astimezone(UTC)


def lock_enrollments(ids: Iterable[str], *, learner_id: str | None = None) -> dict[str, Enrollment]:
    """Load enrolments locked for this transaction (in id order, so batches cannot deadlock)."""
    query = select(Enrollment).where(Enrollment.id.in_(sorted(set(ids))))
    if learner_id is not None:
        query = query.where(Enrollment.learner_id == learner_id)
    rows = db.session.scalars(query.order_by(Enrollment.id).with_for_update(of=Enrollment)
                              .execution_options(populate_existing=True))
    return {e.id: e for e in rows}


def fold_into_summaries(changes: dict[tuple[str, str], list[rules.ModuleEvent]],
                        min_scores: dict[tuple[str, str], int | None], *, rebuild: bool = False) -> set[str]:
    """Fold new events into the stored module summaries; `rebuild` folds all unvoided events again.
    Returns the enrolments in which a module became done (only those can have become complete)."""
    newly_done: set[str] = set()
    if not changes:
        return newly_done
    enrollment_ids = {e for e, _ in changes}
    codes = {c for _, c in changes}
    existing = {(p.enrollment_id, p.module_code): p for p in db.session.scalars(select(ModuleProgress).where(
        ModuleProgress.enrollment_id.in_(enrollment_ids), ModuleProgress.module_code.in_(codes)))}
    if rebuild:
        changes = {key: [] for key in changes}
        updates = select(ModuleProgressUpdate).where(ModuleProgressUpdate.enrollment_id.in_(enrollment_ids),
                                                     ModuleProgressUpdate.module_code.in_(codes))
        statements = select(XapiStatement).where(
            XapiStatement.enrollment_id.in_(enrollment_ids), XapiStatement.module_code.in_(codes),
            XapiStatement.status.is_not(None), XapiStatement.voided_by.is_(None))
        for query in (updates, statements):
            for row in db.session.scalars(query):
                key = (row.enrollment_id, row.module_code)
                if key in changes:
                    changes[key].append(row.as_event())
    for key, events in changes.items():
        row, became_done = _fold_row(existing.get(key), key, events, min_scores.get(key), rebuild=rebuild)
        if became_done:
            newly_done.add(key[0])
    return newly_done


def _fold_row(row: ModuleProgress | None, key: tuple[str, str], events: list[rules.ModuleEvent],
              min_score: int | None, *, rebuild: bool = False) -> tuple[ModuleProgress | None, bool]:
    """Fold events into one module summary (deleted when nothing moves it any more); returns the row and
    whether the module became done."""
    state = rules.ModuleState() if rebuild or row is None else row.state()
    for event in events:
        state = rules.apply_event(state, event, min_score)
    if state.status is None:
        if row is not None:
            db.session.delete(row)
        return None, False
    if row is None:
        row = ModuleProgress(enrollment_id=key[0], module_code=key[1])
        db.session.add(row)
    done_at = rules.module_met_at(state, min_score)
    became_done = done_at is not None and row.done_at is None
    row.set_state(state, done_at)
    return row, became_done


def record_module(actor: Actor, enrollment_id: str, module_code: str, fields: dict,
                  *, now: datetime | None = None) -> dict:
    """Record a module's progress (PUT): repeating it changes nothing; the best score and first
    completion are kept."""
    now = now or utcnow()
    # visible to the caller and locked for this transaction, in one statement
    enrollment = enrollments.get_enrollment(actor, enrollment_id, for_update=True)
    module = version_info(enrollment.program_version_id).module(module_code)
    if module is None:
        raise Invalid(field="module_code", message="not a module of this enrolment's programme version")
    occurred_at = happened_at(fields["occurred_at"], now, "occurred_at")
    if enrollment.status != "active":
        raise Conflict(NOT_ACTIVE)
    score = None if fields.get("score") is None else Decimal(str(fields["score"])).quantize(Decimal("0.01"))
    event = rules.ModuleEvent(fields["status"], occurred_at, score, fields.get("minutes_spent"), "rest")
    key = (enrollment.id, module.code)
    row = db.session.scalar(select(ModuleProgress).where(
        ModuleProgress.enrollment_id == enrollment.id, ModuleProgress.module_code == module.code))
    repeated = db.session.scalar(select(ModuleProgressUpdate.id).where(
        ModuleProgressUpdate.enrollment_id == enrollment.id, ModuleProgressUpdate.module_code == module.code,
        ModuleProgressUpdate.status == event.status, ModuleProgressUpdate.occurred_at == occurred_at,
        _equal(ModuleProgressUpdate.score, score), _equal(ModuleProgressUpdate.minutes, event.minutes)).limit(1))
    newly_done = False
    if repeated is None:
        db.session.add(ModuleProgressUpdate(
            enrollment_id=enrollment.id, module_code=module.code, status=event.status, score=score,
            minutes=event.minutes, occurred_at=occurred_at, recorded_at=now, recorded_by=actor.id))
        row, newly_done = _fold_row(row, key, [event], module.min_score)
        if actor.role != LEARNER:
            record(actor, "progress.module", "enrollment", enrollment.id, module_code=module.code,
                   status=event.status)
    view = module_view(module, row)  # before the commit, which would expire the row
    if newly_done:
        complete_if_met(enrollment, now=now)
    db.session.commit()
    return view


def record_module_event(enrollment_id: str, module_code: str, status: str, *, occurred_at: datetime,
                        score: Decimal | None = None, now: datetime | None = None) -> bool:
    """Record a module's progress reported by the LMS itself (a satisfied cmi5 AU), in the caller's
    transaction, as `record_module` does for a PUT: the event is kept, folded into the module's summary, and
    the enrolment completes when every rule is met. Nothing happens for an enrolment that is not active or a
    module not in its version. Returns whether the module became done."""
    now = now or utcnow()
    enrollment = lock_enrollments([enrollment_id]).get(enrollment_id)
    if enrollment is None or enrollment.status != "active":
        return False
    module = version_info(enrollment.program_version_id).module(module_code)
    if module is None:
        return False
    event = rules.ModuleEvent(status, min(occurred_at, now).astimezone(UTC), score, None, "rest")
    row = db.session.scalar(select(ModuleProgress).where(
        ModuleProgress.enrollment_id == enrollment.id, ModuleProgress.module_code == module.code))
    db.session.add(ModuleProgressUpdate(
        enrollment_id=enrollment.id, module_code=module.code, status=status, score=score,
        occurred_at=event.occurred_at, recorded_at=now, recorded_by=None))
    _, newly_done = _fold_row(row, (enrollment.id, module.code), [event], module.min_score)
    if newly_done:
        complete_if_met(enrollment, now=now)
    return newly_done


def _equal(column, value):
    return column.is_(None) if value is None else column == value


def module_view(module: ModuleInfo, row: ModuleProgress | None) -> dict:
    view = {"code": module.code, "title_ja": module.title_ja, "kind": module.kind, "required": module.required,
            "min_score": module.min_score, "status": None, "best_score": None, "first_completed_at": None,
            "minutes_spent": 0, "last_activity_at": None, "done": False, "done_at": None}
    if row is not None:
        view.update(status=row.status, best_score=row.best_score, first_completed_at=row.first_completed_at,
                    minutes_spent=row.minutes_spent, last_activity_at=row.last_activity_at,
                    done=row.done_at is not None, done_at=row.done_at)
    return view


def _approved_logs(enrollment_id: str) -> list[rules.ApprovedLog]:
    rows = db.session.execute(select(OjtLog.hours, OjtLog.reviewed_at).join(
        Placement, Placement.id == OjtLog.placement_id).where(
        Placement.enrollment_id == enrollment_id, OjtLog.status == "approved"))
    return [rules.ApprovedLog(Decimal(hours), reviewed_at) for hours, reviewed_at in rows]


def _summaries(enrollment_id: str) -> dict[str, ModuleProgress]:
    return {p.module_code: p for p in db.session.scalars(
        select(ModuleProgress).where(ModuleProgress.enrollment_id == enrollment_id))}


def evaluate(enrollment: Enrollment, now: datetime, summaries: dict[str, ModuleProgress] | None = None
             ) -> rules.Evaluation:
    summaries = _summaries(enrollment.id) if summaries is None else summaries
    return rules.evaluate(rules_of(enrollment.program_version_id),
                          {code: p.state() for code, p in summaries.items()},
                          _approved_logs(enrollment.id), enrollment.activated_at, now)


def progress(actor: Actor, enrollment_id: str, *, now: datetime | None = None) -> dict:
    """The progress summary of an enrolment the caller may see."""
    enrollment = enrollments.get_enrollment(actor, enrollment_id)
    if actor.role == SUPERVISOR and db.session.scalar(supervised_enrollment_ids(actor).where(
            Placement.enrollment_id == enrollment.id).limit(1)) is None:
        # other scopes may show a supervisor an enrolment (an applicant in a matching round); progress
        # is for learners placed at their sites only
        raise NotFound("No such enrolment.")
    if actor.role != LEARNER:  # someone else's learning record: personal data, so the access is audited
        record(actor, "progress.read", "enrollment", enrollment.id)
        db.session.commit()
    now = now or utcnow()
    summaries = _summaries(enrollment.id)
    evaluation = evaluate(enrollment, now, summaries)
    version = version_info(enrollment.program_version_id)
    pending = db.session.scalars(select(OjtLog.hours).join(Placement, Placement.id == OjtLog.placement_id).where(
        Placement.enrollment_id == enrollment.id, OjtLog.status == "pending"))
    return {
        "enrollment_id": enrollment.id, "status": enrollment.status, "completed_at": enrollment.completed_at,
        "modules_required": evaluation.modules_required, "modules_done": evaluation.modules_done,
        "ojt_hours_required": evaluation.ojt_hours_required, "ojt_hours_approved": evaluation.ojt_hours_approved,
        "ojt_hours_pending": sum(pending, Decimal(0)),
        "min_duration_days": version.min_duration_days, "percent": evaluation.percent,
        "completion_ready": evaluation.complete, "missing": list(evaluation.missing),
        "modules": [module_view(m, summaries.get(m.code)) for m in version.modules],
    }


def complete_if_met(enrollment: Enrollment, *, now: datetime | None = None) -> bool:
    """Complete the enrolment, in the caller's transaction, if every rule is met; returns whether it did.

    The caller holds the enrolment's row lock (`lock_enrollments`, or `get(..., for_update=True)`) taken
    before its change, so of two concurrent events on one enrolment the later one waits and then sees both;
    the change, the completion and what follows from it (`enrollment_completed`: the certificate to
    render) commit together, once."""
    if enrollment.status != "active":
        return False
    evaluation = evaluate(enrollment, now or utcnow())
    if not evaluation.complete:
        return False
    record(None, "progress.completed", "enrollment", enrollment.id, completed_at=evaluation.met_at.isoformat())
    enrollments.move_enrollment(None, "system", enrollment, "completed", at=evaluation.met_at, commit=False)
    return True


def complete_due(*, now: datetime | None = None) -> int:
    """Complete active enrolments that meet every rule: those whose last rule was a waiting period (no
    event arrives when it ends), and any whose completing event failed after its commit. Run daily from
    the scheduler; returns how many were completed. Only enrolments past their waiting period with every
    required module done are evaluated, so the sweep stays short at national scale."""
    now = now or utcnow()
    completed = 0
    versions = db.session.scalars(select(Enrollment.program_version_id).where(
        Enrollment.status == "active").distinct()).all()
    for version_id in sorted(versions):
        version_rules = rules_of(version_id)
        query = select(Enrollment.id).where(Enrollment.status == "active", Enrollment.activated_at.is_not(None),
                                            Enrollment.program_version_id == version_id)
        if version_rules.min_duration_days:
            query = query.where(Enrollment.activated_at <= now - timedelta(days=version_rules.min_duration_days))
        required = [m.code for m in version_rules.modules if m.required]
        if required:
            query = query.where(Enrollment.id.in_(
                select(ModuleProgress.enrollment_id)
                .where(ModuleProgress.module_code.in_(required), ModuleProgress.done_at.is_not(None))
                .group_by(ModuleProgress.enrollment_id).having(func.count() == len(required))))
        ids = db.session.scalars(query.order_by(Enrollment.id)).all()
        db.session.rollback()
        for enrollment_id in ids:
            locked = lock_enrollments([enrollment_id]).get(enrollment_id)
            completed += locked is not None and complete_if_met(locked, now=now)
            db.session.commit()
    return completed


def supervised_enrollment_ids(actor: Actor):
    """Enrolments with an active placement at one of the supervisor's sites."""
    return select(Placement.enrollment_id).where(Placement.site_id.in_(sorted(actor.site_ids)),
                                                 Placement.status == "active")

