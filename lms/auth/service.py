"""Logging in and out, creating users."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.audit.service import record
from lms.auth.models import OFFICIAL, ORG_STAFF, ROLES, SUPERVISOR, AccessToken, LoginThrottle, User
from lms.auth.password_policy import check_new_password
from lms.auth.passwords import hash_password, verify_password
from lms.auth.permissions import Actor, token_digest
from lms.dates import utcnow
from lms.db import commit_or_conflict
from lms.errors import Conflict, Invalid, TooManyRequests, Unauthorized
from lms.extensions import db
from lms.reference.service import organization_codes, prefecture_codes


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    role: str
    token_type: str = "Bearer"


def _throttle_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _check_throttle(key: str) -> LoginThrottle | None:
    throttle = db.session.get(LoginThrottle, key)
    if throttle is None:
        return None
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    elapsed = utcnow() - throttle.window_started_at
    if elapsed >= window:
        throttle.failures = 0
        throttle.window_started_at = utcnow()
    elif throttle.failures >= current_app.config["LOGIN_MAX_FAILURES"]:
        retry_after = int((window - elapsed).total_seconds()) + 1
        raise TooManyRequests("Too many failed logins; try again later.", retry_after)
    return throttle


def _note_failure(key: str, throttle: LoginThrottle | None) -> None:
    if throttle is None:
        throttle = LoginThrottle(key=key, failures=0, window_started_at=utcnow())
        db.session.add(throttle)
    throttle.failures += 1


def login(email: str, password: str) -> IssuedToken:
    """Exchange credentials for a bearer token; unknown e-mail and wrong password answer alike."""
    key = _throttle_key(email)
    throttle = _check_throttle(key)
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        _note_failure(key, throttle)
        record(user, "auth.login_failed", "user", user.id if user else None)
        _commit_ignoring_races()
        raise Unauthorized("Wrong e-mail address or password.")
    if throttle is not None:
        db.session.delete(throttle)
    token = secrets.token_urlsafe(32)
    ttl = current_app.config["TOKEN_TTL_SECONDS"]
    db.session.add(AccessToken(token_hash=token_digest(token), user_id=user.id,
                               expires_at=utcnow() + timedelta(seconds=ttl)))
    record(user, "auth.login", "user", user.id)
    db.session.commit()
    return IssuedToken(token, ttl, user.role)


def _commit_ignoring_races() -> None:
    # two failures for a new key at once both insert the throttle row; one count is enough
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()


def logout(actor: Actor, token_id: str) -> None:
    token = db.session.get(AccessToken, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        record(actor, "auth.logout", "user", actor.id)
        db.session.commit()


def new_user(email: str, password: str, role: str, *, organization_code: str | None = None,
             prefecture_code: str | None = None, site_ids: list[str] | None = None) -> User:
    """Validate scope for the role and add the user to the session (not committed)."""
    from lms.auth.models import UserSite
    from lms.ojt.models import OjtSite

    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = [f"must be one of {', '.join(ROLES)}"]
    if role == ORG_STAFF and not organization_code:
        errors["organization_code"] = ["required for org_staff"]
    if organization_code and organization_code not in organization_codes():
        errors["organization_code"] = ["unknown organisation"]
    if role == OFFICIAL and not prefecture_code:
        errors["prefecture_code"] = ["required for prefecture_official"]
    if prefecture_code and prefecture_code not in prefecture_codes():
        errors["prefecture_code"] = ["unknown prefecture"]
    site_ids = sorted(set(site_ids or []))
    if role == SUPERVISOR and not site_ids:
        errors["site_ids"] = ["a supervisor needs at least one site"]
    if site_ids and role != SUPERVISOR:
        errors["site_ids"] = ["only supervisors are scoped to sites"]
    known_sites = set(db.session.scalars(select(OjtSite.id).where(OjtSite.id.in_(site_ids)))) if site_ids else set()
    if set(site_ids) - known_sites:
        errors["site_ids"] = ["unknown site id"]
    if errors:
        raise Invalid(errors={"json": errors})
    email = email.strip().lower()
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("A user with this e-mail address exists.")
    user = User(email=email, password_hash=hash_password(password), role=role,
                organization_code=organization_code if role in (ORG_STAFF, "learner") else None,
                prefecture_code=prefecture_code if role == OFFICIAL else None,
                sites=[UserSite(site_id=s) for s in site_ids])
    db.session.add(user)
    return user


def create_user(actor: Actor | None, **fields) -> User:
    """Create a user (admin or CLI) and audit it."""
    check_new_password(fields["password"], fields["email"])
    user = new_user(**fields)
    db.session.flush()
    record(actor, "user.create", "user", user.id, role=user.role)
    commit_or_conflict("A user with this e-mail address exists.")
    return user
