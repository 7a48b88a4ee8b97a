"""Who is calling the LRS and what they may do.

Credentials (API.md): `Authorization: Basic` with an LRS client's key and secret (scopes chosen by an admin),
a cmi5 session token (one AU session: its learner, registration and activity), or a learner's bearer token
(statements about that learner only)."""

from copy import deepcopy
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g

from lms.auth.permissions import authenticate as bearer_actor
from lms.errors import Forbidden, Unauthorized
from lms.learners import service as learners
from lms.security import check_request_body

ALL = "all"
STATEMENTS_WRITE = "statements/write"
STATEMENTS_READ = "statements/read"
STATEMENTS_READ_MINE = "statements/read/mine"
STATE = "state"
PROFILE = "profile"
DEFINE = "define"
SCOPES = (ALL, STATEMENTS_WRITE, STATEMENTS_READ, STATEMENTS_READ_MINE, STATE, PROFILE, DEFINE)


@dataclass(frozen=True)
class Principal:
    """The authenticated LRS caller, as plain values passed into services.

    - `kind`: "client" (Basic), "session" (a cmi5 session token) or "learner" (a learner's bearer token).
    - `scopes`: what it may do (`ALL` includes every other scope).
    - `agent`: the one agent it speaks for (learner and session), else None; `statements/read/mine` and
      every write of a learner or session are limited to statements about this agent.
    - `learner_id`, `client_id`, `session_id`, `registration`, `activity_id`: where they apply.
    """

    kind: str
    scopes: frozenset[str]
    agent: dict | None = None
    learner_id: str | None = None
    client_id: str | None = None
    session_id: str | None = None
    registration: str | None = None
    activity_id: str | None = None

    def may(self, scope: str) -> bool:
        return ALL in self.scopes or scope in self.scopes


def learner_agent(learner_id: str) -> dict:
    """The agent of a learner (by learner profile id) in statements: an account on this LMS's public base URL."""
    return {"objectType": "Agent",
            "account": {"homePage": current_app.config["PUBLIC_BASE_URL"], "name": learner_id}}


def authenticate() -> Principal:
    """The principal behind the request's Authorization header, or Unauthorized."""
    actor = bearer_actor()
    if actor.role != "learner":
        raise Unauthorized()
    learner = learners.own_profile(actor)
    return Principal("learner", frozenset({STATEMENTS_WRITE, STATEMENTS_READ_MINE, STATE, PROFILE}),
                     agent=learner_agent(learner.id), learner_id=learner.id)


def lrs_auth(*scopes: str):
    """Require LRS credentials with one of `scopes` (else 403) and the version header (else 400), in the order
    of API.md: the caller before anything of the body or query is judged. Sets `g.principal`."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            principal = authenticate()
            if scopes and not any(principal.may(scope) for scope in scopes):
                raise Forbidden(f"These credentials lack the scope {' or '.join(scopes)}.")
            g.principal = principal
            check_request_body()
            return func(*args, **kwargs)

        wrapper.auth_roles = ()  # the request hook leaves the body of such a view to the check above
        wrapper._apidoc = deepcopy(getattr(func, "_apidoc", {}))
        manual = wrapper._apidoc.setdefault("manual_doc", {})
        manual["security"] = [{"basicAuth": []}, {"bearerAuth": []}]
        responses = manual.setdefault("responses", {})
        responses["401"] = {"$ref": "#/components/responses/UNAUTHORIZED"}
        responses["403"] = {"$ref": "#/components/responses/FORBIDDEN"}
        return wrapper

    return decorator


def current_principal() -> Principal:
    return g.principal
