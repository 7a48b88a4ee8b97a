"""xAPI intake: store a learner's statements and fold them into module progress, one transaction a batch."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.orm import defer

from lms.auth.permissions import Actor
from lms.dates import utcnow
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.extensions import db
from lms.learners import service as learners
from lms.progress import rules, service
from lms.progress.models import XapiStatement
from lms.progress.xapi import Statement
from lms.transactions import flush_or_conflict

OTHER_CONTENT = "A statement with this id and other content exists."


def ingest(actor: Actor, statements: list[Statement], *, now: datetime | None = None) -> list[str]:
    """Store the statements (all or none) and return their ids; a stored statement sent again is a no-op."""
    now = now or utcnow()
    learner = learners.own_profile(actor)
    if any(s.learner_id != learner.id for s in statements):
        raise Forbidden("Statements are accepted only about the caller (actor.account.name).")
    batch = {s.id: s for s in statements}
    stored_targets = _stored({s.object_id for s in statements if s.is_voiding})
    for target_id, target in stored_targets.items():
        if target.learner_id != learner.id:
            raise NotFound(f"No such statement: {target_id}.")
    enrollment_ids = {s.registration for s in statements if not s.is_voiding and s.registration}
    locked = service.lock_enrollments(enrollment_ids | {t.enrollment_id for t in stored_targets.values()},
                                      learner_id=learner.id)
    # checked under the enrolment locks, so a concurrent copy of this batch waits and then finds them
    existing = _stored(batch.keys())
    new = []
    for statement in statements:
        known = existing.get(statement.id)
        if known is None:
            new.append(statement)
        elif known.content_hash != statement.content_hash or known.learner_id != learner.id:
            raise Conflict(f"{OTHER_CONTENT} ({statement.id})")
    if new:
        newly_done = _store(new, {s.id: s for s in new}, stored_targets, locked, learner.id, now)
        flush_or_conflict(OTHER_CONTENT)
        for enrollment_id in sorted(newly_done):
            service.complete_if_met(locked[enrollment_id], now=now)
        db.session.commit()
    else:
        db.session.rollback()
    return [s.id for s in statements]


def _stored(ids) -> dict[str, XapiStatement]:
    if not ids:
        return {}
    query = select(XapiStatement).where(XapiStatement.id.in_(sorted(ids))).options(defer(XapiStatement.statement))
    return {s.id: s for s in db.session.scalars(query)}


def _store(new: list[Statement], batch: dict[str, Statement], stored_targets: dict[str, XapiStatement],
           locked: dict, learner_id: str, now: datetime) -> set[str]:
    """Insert the new statements and their module events; returns enrolments with a module newly done."""
    voids = {s.object_id: s.id for s in new if s.is_voiding}
    rows, errors = [], {}
    changes: dict[tuple[str, str], list[rules.ModuleEvent]] = defaultdict(list)
    min_scores: dict[tuple[str, str], int | None] = {}
    for s in new:
        try:
            enrollment_id, module = _resolve(s, batch, stored_targets, locked)
            occurred_at = service.happened_at(s.timestamp, now, "timestamp")
        except Invalid as exc:
            errors[s.id] = exc.errors["json"] if exc.errors else [exc.detail]
            continue
        moves = module is not None and s.status is not None
        rows.append({
            "id": s.id, "learner_id": learner_id, "enrollment_id": enrollment_id, "verb_id": s.verb_id,
            "module_code": module.code if module else None, "status": s.status if moves else None,
            "score": s.score if moves else None, "minutes": s.minutes if moves else None,
            "content_hash": s.content_hash, "statement": _as_stored(s), "timestamp": occurred_at,
            "stored_at": now, "voided_by": voids.get(s.id),
        })
        if moves and s.id not in voids:
            key = (enrollment_id, module.code)
            min_scores[key] = module.min_score
            changes[key].append(rules.ModuleEvent(s.status, occurred_at, s.score, s.minutes, "xapi"))
    if errors:
        raise Invalid("Some statements are invalid.", errors={"json": errors})
    # a Core executemany: one pipelined round trip, where the ORM bulk path splits rows by their nulls
    db.session.execute(insert(XapiStatement.__table__), rows)
    newly_done = service.fold_into_summaries(dict(changes), min_scores)
    _void_stored({t: v for t, v in voids.items() if t in stored_targets}, stored_targets, locked)
    return newly_done


def _as_stored(s: Statement) -> dict:
    """The statement with its id, and its actor reduced to the account: a name or e-mail address sent
    along would be personal data that erasing the learner could not reach."""
    actor = {k: v for k, v in s.raw["actor"].items() if k in ("objectType", "account")}
    return {**s.raw, "id": s.id, "actor": actor}


def _resolve(s: Statement, batch: dict[str, Statement], stored_targets: dict[str, XapiStatement], locked: dict):
    """The statement's enrolment id and module (None for verbs that do not move progress)."""
    if s.is_voiding:
        stored = stored_targets.get(s.object_id)
        if stored is not None:
            if stored.verb_id == s.verb_id:
                raise Invalid(field="object.id", message="a voiding statement cannot be voided")
            return stored.enrollment_id, None
        target = batch.get(s.object_id)
        if target is None:
            raise NotFound(f"No such statement: {s.object_id}.")
        if target.is_voiding:
            raise Invalid(field="object.id", message="a voiding statement cannot be voided")
        return _resolve(target, batch, stored_targets, locked)[0], None
    if s.registration is None:
        raise Invalid(field="context.registration", message="the enrolment id is required")
    enrollment = locked.get(s.registration)
    if enrollment is None:
        raise NotFound("No such enrolment.")
    if enrollment.status != "active":
        raise Conflict(service.NOT_ACTIVE)
    module = service.rules_of(enrollment.program_version_id).module(s.module_code)
    if module is None and s.status is not None:
        raise Invalid(field="object.id", message="must end with a module code of the enrolment's programme")
    return enrollment.id, module


def _void_stored(voids: dict[str, str], stored_targets: dict[str, XapiStatement], locked: dict) -> None:
    """Mark stored statements voided and fold their modules again from what remains."""
    voids = {t: v for t, v in voids.items() if stored_targets[t].voided_by is None}
    if not voids:
        return
    for target_id, voider in voids.items():
        db.session.execute(update(XapiStatement).where(XapiStatement.id == target_id).values(voided_by=voider))
    keys, min_scores = {}, {}
    for target_id in voids:
        target = stored_targets[target_id]
        if target.status is None:
            continue
        key = (target.enrollment_id, target.module_code)
        keys[key] = []
        module = service.rules_of(locked[target.enrollment_id].program_version_id).module(target.module_code)
        min_scores[key] = module.min_score if module else None
    service.fold_into_summaries(keys, min_scores, rebuild=True)
