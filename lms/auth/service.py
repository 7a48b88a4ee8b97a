"""Logging in and out, creating users."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from lms.audit.service import record
from lms.auth.models import OFFICIAL, ORG_STAFF, ROLES, SUPERVISOR, AccessToken, LoginThrottle, User, UserSite
from lms.auth.password_policy import check_new_password
from lms.auth.passwords import hash_password, verify_password
from lms.auth.permissions import Actor, token_digest
from lms.dates import utcnow
from lms.errors import Conflict, Invalid, TooManyRequests, Unauthorized
from lms.extensions import db
from lms.reference.service import organization_codes, prefecture_codes
from lms.transactions import commit_or_conflict


@dataclass(frozen=True)
class IssuedToken:
    access_token: str
    expires_in: int
    role: str
    token_type: str = "Bearer"


def _throttle_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _reserve_attempt(key: str) -> None:
    """Count this login attempt before its password is checked, or raise 429 when the window's attempts are
    used up. Each step is one guarded statement committed on its own, so however many requests arrive at
    once at most LOGIN_MAX_FAILURES passwords are checked per account per window."""
    limit = current_app.config["LOGIN_MAX_FAILURES"]
    window = timedelta(seconds=current_app.config["LOGIN_WINDOW_SECONDS"])
    db.session.commit()  # nothing of the request before this is held open while the password is checked
    for _ in range(10):
        now = utcnow()
        started = db.session.execute(update(LoginThrottle).where(
            LoginThrottle.key == key, LoginThrottle.window_started_at > now - window, LoginThrottle.failures < limit)
            .values(failures=LoginThrottle.failures + 1)).rowcount
        if not started:  # a window that has ended starts anew with this attempt
            started = db.session.execute(update(LoginThrottle).where(
                LoginThrottle.key == key, LoginThrottle.window_started_at <= now - window)
                .values(failures=1, window_started_at=now)).rowcount
        if started:
            db.session.commit()
            return
        current = db.session.execute(select(LoginThrottle.failures, LoginThrottle.window_started_at)
                                     .where(LoginThrottle.key == key)).one_or_none()
        if current is None:
            db.session.add(LoginThrottle(key=key, failures=1, window_started_at=now))
            try:
                db.session.commit()
                return
            except IntegrityError:  # another attempt made the row first: count on it
                db.session.rollback()
                continue
        db.session.rollback()
        failures, started_at = current
        if failures >= limit and now - started_at < window:
            retry_after = int((window - (now - started_at)).total_seconds()) + 1
            raise TooManyRequests("Too many failed logins; try again later.", retry_after)
        # the row changed between the statements (a new window, a successful login): try again
    raise TooManyRequests("Too many failed logins; try again later.", 1)


def login(email: str, password: str) -> IssuedToken:
    """Exchange credentials for a bearer token; unknown e-mail and wrong password answer alike."""
    key = _throttle_key(email)
    _reserve_attempt(key)
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    ok = verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.is_active:
        record(user, "auth.login_failed", "user", user.id if user else None)
        db.session.commit()
        raise Unauthorized("Wrong e-mail address or password.")
    db.session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))
    token = secrets.token_urlsafe(32)
    ttl = current_app.config["TOKEN_TTL_SECONDS"]
    db.session.add(AccessToken(token_hash=token_digest(token), user_id=user.id,
                               expires_at=utcnow() + timedelta(seconds=ttl)))
    record(user, "auth.login", "user", user.id)
    db.session.commit()
    return IssuedToken(token, ttl, user.role)


def logout(actor: Actor, token_id: str) -> None:
    token = db.session.get(AccessToken, token_id)
    if token is not None and token.revoked_at is None:
        token.revoked_at = utcnow()
        record(actor, "auth.logout", "user", actor.id)
        db.session.commit()


def new_user(email: str, password: str, role: str, *, organization_code: str | None = None,
             prefecture_code: str | None = None, site_ids: list[str] | None = None) -> User:
    """Validate scope for the role and add the user to the session (not committed)."""
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
