"""Who is calling: bearer-token authentication and a role decorator for views."""

import hashlib
from copy import deepcopy
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request
from sqlalchemy import bindparam, select

from lms.auth.models import ADMIN, SUPERVISOR, AccessToken, User, UserSite
from lms.auth.token_cache import TokenCache
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


_LOOK_UP = None  # the token query, built once (building a statement costs more than running it from cache)


def _look_up_query():
    global _LOOK_UP
    if _LOOK_UP is None:
        _LOOK_UP = (
            select(AccessToken.id, AccessToken.revoked_at, AccessToken.expires_at, User.id, User.role,
                   User.organization_code, User.prefecture_code, User.is_active)
            .join(User, User.id == AccessToken.user_id)
            .where(AccessToken.token_hash == bindparam("digest")))
    return _LOOK_UP


def token_cache() -> TokenCache | None:
    """This process's cache of token look-ups (lms.auth.token_cache): PostgreSQL only, and only with
    TOKEN_CACHE_SECONDS > 0."""
    extensions = current_app.extensions
    cache = extensions.get("lms.token_cache", False)
    if cache is False:
        seconds = current_app.config.get("TOKEN_CACHE_SECONDS", 0)
        url = db.engine.url
        cache = None
        if seconds > 0 and url.get_backend_name() == "postgresql":
            cache = TokenCache(url.set(drivername="postgresql").render_as_string(hide_password=False), seconds)
        extensions["lms.token_cache"] = cache
    return cache


def authenticate() -> Actor:
    """The actor behind the request's bearer token, or Unauthorized."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    digest = token_digest(token.strip())
    now = utcnow()
    cache = token_cache()
    generation = None
    if cache is not None:
        found, generation = cache.get(digest, now)
        if found is not None:
            g.token_id, actor = found
            return actor
    # one query: plain columns, no ORM objects; sites only for supervisors
    row = db.session.execute(_look_up_query(), {"digest": digest}).first()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.is_active:
        raise Unauthorized()
    token_id, _, expires_at, user_id, role, organization_code, prefecture_code, _ = row
    site_ids = frozenset(db.session.scalars(select(UserSite.site_id).where(UserSite.user_id == user_id))) \
        if role == SUPERVISOR else frozenset()
    actor = Actor(user_id, role, organization_code, prefecture_code, site_ids)
    if cache is not None:
        cache.put(digest, expires_at, (token_id, actor), generation)
    g.token_id = token_id
    return actor


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
