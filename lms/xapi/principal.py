"""Who is calling the LRS and what they may do.

Credentials (API.md): `Authorization: Basic` with an LRS client's key and secret (scopes chosen by an admin),
a cmi5 session token (one AU session: its learner, registration and activity), or a learner's bearer token
(statements about that learner only)."""

import base64
import binascii
import re
from copy import deepcopy
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request

from lms.auth.permissions import authenticate as bearer_actor
from lms.errors import BadRequest, Forbidden, Invalid, Unauthorized
from lms.learners import service as learners
from lms.security import check_request_body
from lms.xapi import clients

ALL = "all"
STATEMENTS_WRITE = "statements/write"
STATEMENTS_READ = "statements/read"
STATEMENTS_READ_MINE = "statements/read/mine"
STATE = "state"
PROFILE = "profile"
DEFINE = "define"
SCOPES = (ALL, STATEMENTS_WRITE, STATEMENTS_READ, STATEMENTS_READ_MINE, STATE, PROFILE, DEFINE)
LEARNER_SCOPES = frozenset({STATEMENTS_WRITE, STATEMENTS_READ_MINE, STATE, PROFILE})
SESSION_SCOPES = frozenset({STATEMENTS_WRITE, STATEMENTS_READ_MINE, STATE, PROFILE})

VERSION_HEADER = "X-Experience-API-Version"
VERSION = "1.0.3"
# Communication 3.3: 1.0 and any 1.0.x are taken as 1.0.3; before 1.0.0 and from 1.1.0 on are refused
ACCEPTED_VERSION = re.compile(r"1\.0(?:\.[0-9]{1,9})?")
# Basic credentials longer than this are nobody's (a key and secret are under 100 characters)
MAX_CREDENTIALS = 512


@dataclass(frozen=True)
class Principal:
    """The authenticated LRS caller, as plain values passed into services.

    - `kind`: "client" (Basic), "session" (a cmi5 session token) or "learner" (a learner's bearer token).
    - `scopes`: what it may do (`ALL` includes every other scope).
    - `agent`: the one agent it speaks for (learner and session), else None; `statements/read/mine` and
      every write of a learner or session are limited to statements about this agent.
    - `learner_id`, `client_id`, `session_id`, `registration`, `activity_id`: where they apply.
    - `authority`: the agent that vouches for what this principal stores (a statement's `authority`): the
      client (an account on the LMS's clients page), else the LMS itself.
    """

    kind: str
    scopes: frozenset[str]
    agent: dict | None = None
    learner_id: str | None = None
    client_id: str | None = None
    session_id: str | None = None
    registration: str | None = None
    activity_id: str | None = None
    authority: dict | None = None

    def may(self, scope: str) -> bool:
        return ALL in self.scopes or scope in self.scopes


def learner_agent(learner_id: str) -> dict:
    """The agent of a learner (by learner profile id) in statements: an account on this LMS's public base URL."""
    return {"objectType": "Agent",
            "account": {"homePage": current_app.config["PUBLIC_BASE_URL"], "name": learner_id}}


def lms_authority() -> dict:
    """The LMS itself as the authority of what learners and cmi5 sessions store."""
    return {"objectType": "Agent", "name": "LMS",
            "account": {"homePage": current_app.config["PUBLIC_BASE_URL"], "name": "lms"}}


def client_authority(key: str, name: str) -> dict:
    return {"objectType": "Agent", "name": name,
            "account": {"homePage": current_app.config["PUBLIC_BASE_URL"] + "/api/v1/xapi/clients", "name": key}}


class LrsUnauthorized(Unauthorized):
    """401 for the LRS's resources: xAPI clients answer a Basic challenge (Communication 4.0)."""

    def __init__(self, detail: str = "Missing, invalid, expired or revoked LRS credentials.") -> None:
        super().__init__(detail)
        self.headers = {"WWW-Authenticate": 'Basic realm="LRS"'}


def authenticate() -> Principal:
    """The principal behind the request's Authorization header, or LrsUnauthorized: Basic credentials of a
    live LRS client, a live cmi5 session token (sent as Basic), or a learner's bearer token. Whatever the header
    holds (bad base64, no colon, non-ASCII, any length) is at worst 401, judged before any database query when
    it cannot be credentials at all."""
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() == "basic":
        return _basic(credentials.strip())
    try:
        actor = bearer_actor()
    except Unauthorized as exc:
        raise LrsUnauthorized() from exc
    if actor.role != "learner":
        raise LrsUnauthorized("Only a learner's bearer token is LRS credentials.")
    learner = learners.own_profile(actor)
    return Principal("learner", LEARNER_SCOPES, agent=learner_agent(learner.id), learner_id=learner.id,
                     authority=lms_authority())


def _basic(credentials: str) -> Principal:
    if not credentials or len(credentials) > MAX_CREDENTIALS:
        raise LrsUnauthorized()
    try:
        user, colon, secret = base64.b64decode(credentials, validate=True).decode("ascii").partition(":")
    except (binascii.Error, ValueError) as exc:  # not base64, or not ASCII (UnicodeDecodeError)
        raise LrsUnauthorized() from exc
    if not colon or not user or not secret:
        raise LrsUnauthorized()
    if user == clients.SESSION_USER:
        session = clients.session_by_secret(secret)
        if session is None:
            raise LrsUnauthorized()
        return Principal("session", SESSION_SCOPES, agent=learner_agent(session.learner_id),
                         learner_id=session.learner_id, session_id=session.session_id,
                         registration=session.registration, activity_id=session.activity_id,
                         authority=lms_authority())
    client = clients.client_by_credentials(user, secret)
    if client is None:
        raise LrsUnauthorized()
    return Principal("client", frozenset(client.scopes), client_id=client.id,
                     authority=client_authority(client.key, client.name))


def check_version() -> None:
    """Communication 3.3: a request (but to `about`) without `X-Experience-API-Version` 1.0 or 1.0.x is 400."""
    version = request.headers.get(VERSION_HEADER)
    if version is None:
        raise BadRequest(f"The {VERSION_HEADER} header is required (1.0.3).")
    if not ACCEPTED_VERSION.fullmatch(version.strip()):
        raise BadRequest(f"{VERSION_HEADER} {version.strip()[:20]!r} is not supported: this LRS speaks 1.0.3.")


def lrs_auth(*scopes: str):
    """Require LRS credentials with one of `scopes` (else 403) and the version header (else 400), in the order
    of API.md: the caller before anything of the body or query is judged; then the version header before the
    rest (Communication 3.3). Sets `g.principal`."""

    def decorator(func):
        @wraps(func)
        def wrapper(*args, **kwargs):
            principal = authenticate()
            if scopes and not any(principal.may(scope) for scope in scopes):
                raise Forbidden(f"These credentials lack the scope {' or '.join(scopes)}.")
            g.principal = principal
            check_version()
            try:
                check_request_body()
            except Invalid as exc:  # an unrecognised parameter is 400 in xAPI (Communication 3.2.s3.b7)
                raise BadRequest(exc.detail, errors=exc.errors) from exc
            return func(*args, **kwargs)

        wrapper.auth_roles = ()  # the request hook leaves the body of such a view to the check above
        wrapper._apidoc = deepcopy(getattr(func, "_apidoc", {}))
        manual = wrapper._apidoc.setdefault("manual_doc", {})
        manual["security"] = [{"basicAuth": []}, {"bearerAuth": []}]
        responses = manual.setdefault("responses", {})
        responses["401"] = {"$ref": "#/components/responses/UNAUTHORIZED"}
        responses["403"] = {"$ref": "#/components/responses/FORBIDDEN"}
        responses.setdefault("400", {"$ref": "#/components/responses/BAD_REQUEST"})
        # beside the query parameters of `blp.arguments` (a manual "parameters" list would replace them)
        parameters = wrapper._apidoc.setdefault("arguments", {}).setdefault("parameters", [])
        parameters.append({"in": "header", "name": VERSION_HEADER, "required": True,
                           "schema": {"type": "string", "pattern": r"^1\.0(\.[0-9]{1,9})?$"},
                           "description": "The xAPI version: 1.0 or 1.0.x (taken as 1.0.3)."})
        return wrapper

    return decorator


def current_principal() -> Principal:
    return g.principal
