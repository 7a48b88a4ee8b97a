"""Module progress read from the statements the LRS stores (lms.xapi calls `project` in its transaction).

A statement moves a module's progress when its actor is a learner (an account on PUBLIC_BASE_URL named by the
learner id), its `context.registration` is one of that learner's enrolments and its object is a module of the
enrolment's programme (an activity id ending in the module code); any other statement is the LRS's alone."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import insert, select, update

from lms.enrollments.models import Enrollment
from lms.errors import Conflict, Invalid, NotFound
from lms.extensions import db
from lms.progress import rules, service, xapi
from lms.progress.models import XapiStatement

NO_ENROLLMENT = "No such enrolment."


@dataclass(frozen=True)
class _Event:
    id: str
    learner_id: str
    enrollment_id: str
    verb_id: str
    module_code: str | None
    status: str | None
    score: Decimal | None
    minutes: int | None
    timestamp: datetime


def learner_id_of(actor) -> str | None:
    """The learner id of an actor that is a learner of this LMS, else None."""
    if not isinstance(actor, dict) or actor.get("objectType", "Agent") != "Agent":
        return None
    account = actor.get("account")
    if not isinstance(account, dict) or not isinstance(account.get("name"), str):
        return None
    home = account.get("homePage")
    if not isinstance(home, str) or home.rstrip("/") != current_app.config["PUBLIC_BASE_URL"].rstrip("/"):
        return None
    return account["name"]


def project(statements: list[dict], voided: dict[str, str], *, now: datetime,
            strict_learner_id: str | None = None) -> set[str]:
    """Fold newly stored statements into module progress, in the caller's transaction (not committed).

    `statements`: the statements just stored, as returned by the LRS; `voided`: statement id -> the id of the
    statement that voids it, for every statement that became voided by this request (stored before or now).
    `strict_learner_id`: a learner sending about themselves with their own token, whose statements about a
    registration are held to today's rules (the enrolment theirs 404, active 409, the module known and the
    time not in the future 422) instead of being stored only. Completes the enrolments whose rules became met;
    returns their ids."""
    candidates = []
    for s in statements:
        learner_id = learner_id_of(s.get("actor"))
        registration = (s.get("context") or {}).get("registration") if isinstance(s.get("context"), dict) else None
        if learner_id and isinstance(registration, str) and not _is_voiding(s):
            candidates.append((s, learner_id, registration.lower()))
    stored_targets = _stored(voided.keys())
    enrollment_ids = {r for _, _, r in candidates} | {t.enrollment_id for t in stored_targets.values()}
    if not enrollment_ids:
        return set()
    locked = service.lock_enrollments(enrollment_ids)
    events = []
    for s, learner_id, registration in candidates:
        event = _event(s, learner_id, locked.get(registration), now, strict=learner_id == strict_learner_id)
        if event is not None:
            events.append(event)
    newly_done = _store(events, voided, locked, now)
    newly_done |= _void_stored(voided, stored_targets, locked)
    completed = set()
    for enrollment_id in sorted(newly_done):
        if service.complete_if_met(locked[enrollment_id], now=now):
            completed.add(enrollment_id)
    return completed


def _is_voiding(s: dict) -> bool:
    return (s.get("verb") or {}).get("id") == xapi.VOIDED


def _event(s: dict, learner_id: str, enrollment: Enrollment | None, now: datetime, *, strict: bool):
    """The module event of one statement, None when it is stored only; in strict mode, refusals raise."""
    if enrollment is None or enrollment.learner_id != learner_id:
        if strict:
            raise NotFound(NO_ENROLLMENT)
        return None
    if enrollment.status != "active":
        if strict:
            raise Conflict(service.NOT_ACTIVE)
        return None
    verb_id = s["verb"]["id"]
    status = xapi.VERB_STATUS.get(verb_id)
    object_ = s.get("object") or {}
    module = None
    if object_.get("objectType", "Activity") == "Activity" and isinstance(object_.get("id"), str):
        module = service.rules_of(enrollment.program_version_id).module(xapi.module_code(object_["id"]))
    if module is None and status is not None:
        if strict:
            raise Invalid(field="object.id", message="must end with a module code of the enrolment's programme")
        status = None
    try:
        occurred_at = service.happened_at(xapi.parse_timestamp(s.get("timestamp")), now, "timestamp")
    except Invalid:
        if strict:
            raise
        return None
    result = s.get("result") if isinstance(s.get("result"), dict) else {}
    try:
        score, minutes = xapi.score_0_100(result.get("score")), xapi.duration_minutes(result.get("duration"))
    except ValueError as exc:
        if strict:
            raise Invalid(field="result", message=str(exc)) from exc
        score, minutes = None, None
    moves = module is not None and status is not None
    return _Event(s["id"], learner_id, enrollment.id, verb_id, module.code if module else None,
                  status if moves else None, score if moves else None, minutes if moves else None, occurred_at)


def _stored(ids) -> dict[str, XapiStatement]:
    if not ids:
        return {}
    return {s.id: s for s in db.session.scalars(select(XapiStatement).where(XapiStatement.id.in_(sorted(ids))))}


def _store(events: list[_Event], voided: dict[str, str], locked: dict, now: datetime) -> set[str]:
    """Insert the module events; returns enrolments with a module newly done."""
    if not events:
        return set()
    rows = []
    changes: dict[tuple[str, str], list[rules.ModuleEvent]] = defaultdict(list)
    min_scores: dict[tuple[str, str], int | None] = {}
    for e in events:
        rows.append({"id": e.id, "learner_id": e.learner_id, "enrollment_id": e.enrollment_id, "verb_id": e.verb_id,
                     "module_code": e.module_code, "status": e.status, "score": e.score, "minutes": e.minutes,
                     "content_hash": "", "timestamp": e.timestamp, "stored_at": now,
                     "voided_by": voided.get(e.id)})
        if e.status is not None and e.id not in voided:
            key = (e.enrollment_id, e.module_code)
            min_scores[key] = service.rules_of(locked[e.enrollment_id].program_version_id).module(
                e.module_code).min_score
            changes[key].append(rules.ModuleEvent(e.status, e.timestamp, e.score, e.minutes, "xapi"))
    # a Core executemany: one pipelined round trip, where the ORM bulk path splits rows by their nulls
    db.session.execute(insert(XapiStatement.__table__), rows)
    return service.fold_into_summaries(dict(changes), min_scores)


def _void_stored(voided: dict[str, str], stored_targets: dict[str, XapiStatement], locked: dict) -> set[str]:
    """Mark stored module events voided and fold their modules again from what remains."""
    voids = {t: v for t, v in voided.items() if t in stored_targets and stored_targets[t].voided_by is None}
    if not voids:
        return set()
    for target_id, voider in voids.items():
        db.session.execute(update(XapiStatement).where(XapiStatement.id == target_id).values(voided_by=voider))
    keys, min_scores = {}, {}
    for target_id in voids:
        target = stored_targets[target_id]
        if target.status is None or target.enrollment_id not in locked:
            continue
        key = (target.enrollment_id, target.module_code)
        keys[key] = []
        module = service.rules_of(locked[target.enrollment_id].program_version_id).module(target.module_code)
        min_scores[key] = module.min_score if module else None
    return service.fold_into_summaries(keys, min_scores, rebuild=True)
