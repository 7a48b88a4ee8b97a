"""Who is calling: bearer-token authentication and a role decorator for views."""

import hashlib
from copy import deepcopy
from dataclasses import dataclass
from functools import wraps

from flask import g, request
from sqlalchemy import select

from lms.auth.models import ADMIN, SUPERVISOR, AccessToken, User, UserSite
from lms.dates import utcnow
from lms.errors import Forbidden, Unauthorized
from lms.extensions import db
from lms.security import check_request_body


@dataclass(frozen=True)
class Actor:
    """The authenticated caller, as plain values passed into services."""

    id: str
    role: str
    organization_code: str | None = None
    prefecture_code: str | None = None
    site_ids: frozenset[str] = frozenset()

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def authenticate() -> Actor:
    """The actor behind the request's bearer token, or Unauthorized."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    # one query on every authenticated request: plain columns, no ORM objects; sites only for supervisors
    row = db.session.execute(
        select(AccessToken.id, AccessToken.revoked_at, AccessToken.expires_at, User.id, User.role,
               User.organization_code, User.prefecture_code, User.is_active)
        .join(User, User.id == AccessToken.user_id)
        .where(AccessToken.token_hash == token_digest(token.strip()))
    ).first()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.is_active:
        raise Unauthorized()
    token_id, _, _, user_id, role, organization_code, prefecture_code, _ = row
    site_ids = frozenset(db.session.scalars(select(UserSite.site_id).where(UserSite.user_id == user_id))) \
        if role == SUPERVISOR else frozenset()
    g.token_id = token_id
    return Actor(user_id, role, organization_code, prefecture_code, site_ids)


def current_actor() -> Actor:
    return g.actor


def auth_required(*roles: str):
    """Require a valid bearer token and, when given, one of `roles` (else 403); only then is anything of the
    request's body or query judged (API.md: an anonymous or wrong-role caller learns nothing about validation)."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            actor = authenticate()
            if roles and actor.role not in roles:
                raise Forbidden(f"This action needs the role {' or '.join(roles)}.")
            g.actor = actor
            check_request_body()
            return func(*args, **kwargs)

        wrapper.auth_roles = roles  # the request hook leaves the body of such a view to the check above

        wrapper._apidoc = deepcopy(getattr(func, "_apidoc", {}))
        manual = wrapper._apidoc.setdefault("manual_doc", {})
        manual["security"] = [{"bearerAuth": []}]
        responses = manual.setdefault("responses", {})
        responses["401"] = {"$ref": "#/components/responses/UNAUTHORIZED"}
        if roles:
            responses["403"] = {"$ref": "#/components/responses/FORBIDDEN"}
            manual["description"] = f"Roles: {', '.join(roles)}."
        return wrapper

    return decorator
