"""Learner use cases: register, create, read (audited), update, export, erase."""

from flask import current_app
from sqlalchemy import select

from lms import idempotency
from lms.audit.models import AuditEvent
from lms.audit.service import record
from lms.auth.models import ADMIN, LEARNER, ORG_STAFF, User
from lms.auth.password_policy import check_new_password
from lms.auth.permissions import Actor
from lms.auth.service import new_user
from lms.dates import utcnow
from lms.errors import Conflict, Invalid, NotFound
from lms.extensions import db
from lms.hooks import domain_hooks
from lms.learners.models import Learner
from lms.learners.schemas import LearnerSchema
from lms.pagination import paginate
from lms.ratelimit import hit
from lms.reference.service import organization_codes, prefecture_codes, specialty_codes
from lms.transactions import commit_or_conflict

DUPLICATE = "A learner with this medical registration number or e-mail address exists."

def _check_codes(fields: dict) -> None:
    errors = {}
    checks = (("workplace_prefecture_code", prefecture_codes), ("specialty", specialty_codes),
              ("organization_code", organization_codes))
    for name, known in checks:
        if fields.get(name) is not None and fields[name] not in known():
            errors[name] = [f"unknown {name.replace('_', ' ')}"]
    if errors:
        raise Invalid(errors={"json": errors})


def _check_unique(fields: dict, *, login: bool = False) -> None:
    """One answer for any clash (registry number, login e-mail or both), so it tells nothing about which."""
    number = fields.get("medical_registration_number")
    number_taken = bool(number) and db.session.scalar(
        select(Learner.id).where(Learner.medical_registration_number == number)) is not None
    email_taken = login and db.session.scalar(
        select(User.id).where(User.email == fields["email"].strip().lower())) is not None
    if number_taken or email_taken:
        raise Conflict(DUPLICATE)


def limit_registration(client_address: str | None) -> None:
    """Count a registration attempt from this address; past REGISTER_RATE_LIMIT an hour, 429."""
    hit(f"register:{client_address}", current_app.config["REGISTER_RATE_LIMIT"], 3600)


def register(fields: dict) -> Learner:
    """Self-registration: a learner login and profile."""
    fields = dict(fields)
    password = fields.pop("password")
    check_new_password(password, fields["email"])
    _check_codes(fields)
    _check_unique(fields, login=True)
    user = new_user(fields["email"], password, LEARNER)
    learner = Learner(**fields)
    learner.email = user.email
    db.session.flush()
    learner.user_id = user.id
    db.session.add(learner)
    db.session.flush()
    record(user, "learner.register", "learner", learner.id)
    commit_or_conflict(DUPLICATE)
    return learner


def create_learner(actor: Actor, fields: dict) -> Learner:
    """A profile created by staff (no login); org_staff create for their own organisation."""
    fields = dict(fields)
    if actor.role == ORG_STAFF:
        if fields.get("organization_code") not in (None, actor.organization_code):
            raise Invalid(field="organization_code", message="org_staff create learners of their own organisation")
        fields["organization_code"] = actor.organization_code
    _check_codes(fields)
    _check_unique(fields)
    fields["email"] = fields["email"].strip().lower()
    learner = Learner(**fields)
    db.session.add(learner)
    db.session.flush()
    record(actor, "learner.create", "learner", learner.id)
    commit_or_conflict(DUPLICATE)
    return learner


def visible_learners(actor: Actor):
    """A select of the learners the actor may see."""
    query = select(Learner)
    if actor.role == ADMIN:
        return query
    if actor.role == ORG_STAFF:
        return query.where(Learner.organization_code == actor.organization_code)
    if actor.role == LEARNER:
        return query.join(User, User.id == Learner.user_id).where(User.id == actor.id)
    return query.where(False)


def get_learner(actor: Actor, learner_id: str) -> Learner:
    learner = db.session.scalar(visible_learners(actor).where(Learner.id == learner_id))
    if learner is None:
        raise NotFound("No such learner.")
    record(actor, "learner.read", "learner", learner.id)
    db.session.commit()
    return learner


def list_learners(actor: Actor, *, page: int, per_page: int, **filters) -> tuple[list[Learner], int]:
    query = visible_learners(actor)
    for name, value in filters.items():
        query = query.where(getattr(Learner, name) == value)
    items, total = paginate(query, page=page, per_page=per_page, order_by=(Learner.created_at, Learner.id))
    record(actor, "learner.list", "learner", None, count=len(items), filters=sorted(filters))
    db.session.commit()
    return items, total


def own_profile(actor: Actor) -> Learner:
    learner = db.session.scalar(select(Learner).where(Learner.user_id == actor.id))
    if learner is None:
        raise NotFound("The caller has no learner profile.")
    return learner


def update_me(actor: Actor, fields: dict) -> Learner:
    learner = own_profile(actor)
    _check_codes(fields)
    for name, value in fields.items():
        setattr(learner, name, value)
    record(actor, "learner.update", "learner", learner.id, fields=sorted(fields))
    db.session.commit()
    return learner


def export_me(actor: Actor) -> dict:
    """All personal data held about the caller, and the records attached to it."""
    learner = own_profile(actor)
    user = db.session.get(User, actor.id)

    sections = {**domain_hooks().export_sections, "idempotency_records": _export_idempotency_records}
    records = {name: section(learner) for name, section in sorted(sections.items())}
    records["audit_events"] = [
        {"occurred_at": e.occurred_at.isoformat(), "action": e.action, "object_type": e.object_type,
         "object_id": e.object_id, "actor_role": e.actor_role}
        for e in db.session.scalars(select(AuditEvent).where(
            (AuditEvent.object_id == learner.id) | (AuditEvent.actor_id == actor.id)
        ).order_by(AuditEvent.occurred_at))
    ]
    record(actor, "learner.export", "learner", learner.id)
    db.session.commit()
    return {
        "exported_at": utcnow(),
        "account": {"id": user.id, "email": user.email, "role": user.role, "created_at": user.created_at.isoformat()},
        "profile": LearnerSchema().dump(learner),
        "records": records,
    }


def _export_idempotency_records(learner: Learner) -> list[dict]:
    """Responses kept for Idempotency-Key replays: the caller's own, and those that return their profile."""
    return idempotency.records_about(learner.user_id, (learner.id, learner.user_id))


ERASED_NAME = "（消去済み）"


def personal_values(learner: Learner, user: User | None) -> frozenset[str]:
    """The strings that identify the person: names, addresses, registry number, workplace."""
    values = {learner.family_name, learner.given_name, learner.full_name,
              f"{learner.family_name}{learner.given_name}", learner.family_name_kana, learner.given_name_kana,
              f"{learner.family_name_kana} {learner.given_name_kana}", learner.email,
              learner.medical_registration_number, learner.workplace_name, user.email if user else None}
    return frozenset(v for v in values if v and v != ERASED_NAME)


def erase(actor: Actor, learner_id: str) -> Learner:
    """Anonymise personal fields and every copy of them (certificates, their files, stored statements);
    enrolments stay, so counts are kept. Repeating it finishes an erasure a crash interrupted."""
    learner = db.session.get(Learner, learner_id)
    if learner is None:
        raise NotFound("No such learner.")
    user = db.session.get(User, learner.user_id) if learner.user_id else None
    values = personal_values(learner, user) if learner.erased_at is None else frozenset()
    # other domains remove their copies in this transaction (certificates, stored statements, ...)
    files = [path for step in domain_hooks().erasure_steps for path in step(learner, values)]
    if learner.erased_at is None:
        learner.family_name = learner.given_name = ERASED_NAME
        learner.family_name_kana = learner.given_name_kana = ""
        learner.email = f"erased-{learner.id}@invalid"
        learner.medical_registration_number = None
        learner.license_year = None
        learner.workplace_name = None
        learner.erased_at = utcnow()
        if user is not None:
            user.email = f"erased-{user.id}@invalid"
            user.password_hash = "!"
            user.is_active = False
        idempotency.forget(learner.user_id, (learner.id, learner.user_id))
        record(actor, "learner.erase", "learner", learner.id)
    db.session.commit()
    for path in files:  # after the commit: a rollback must not leave certificates without their files
        path.unlink(missing_ok=True)
    return learner
