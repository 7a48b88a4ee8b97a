"""Domain errors and their RFC 9457 problem+json rendering."""

import logging
from http import HTTPStatus

from flask import Flask, Response, json
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """A business rule said no; carries its HTTP status."""

    status = 400

    def __init__(self, detail: str | None = None, *, errors: dict | None = None,
                 headers: dict | None = None) -> None:
        super().__init__(detail)
        self.detail = detail or HTTPStatus(self.status).description
        self.errors = errors
        self.headers = headers or {}


class BadRequest(DomainError):
    status = 400


class Unauthorized(DomainError):
    status = 401

    def __init__(self, detail: str = "Missing, invalid or expired bearer token.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": 'Bearer realm="lms"'})


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class PreconditionFailed(DomainError):
    """An `If-Match` that no longer matches: the object changed since the caller saw it."""

    status = 412


class PayloadTooLarge(DomainError):
    status = 413


class Invalid(DomainError):
    """Invalid fields: `errors` maps location to field to messages."""

    status = 422

    def __init__(self, detail: str = "Some fields are invalid.", *, field: str | None = None,
                 message: str | None = None, errors: dict | None = None) -> None:
        if field is not None:
            errors = {"json": {field: [message or detail]}}
        super().__init__(detail, errors=errors)


class TooManyRequests(DomainError):
    status = 429

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, int(retry_after)))})


class ServiceUnavailable(DomainError):
    status = 503


def problem(status: int, detail: str | None = None, *, errors: dict | None = None,
            headers: dict | None = None) -> Response:
    """Build an application/problem+json response."""
    phrase = HTTPStatus(status).phrase
    body: dict = {"type": "about:blank", "title": phrase, "status": status,
                  "detail": detail or HTTPStatus(status).description}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def _http_exception(error: HTTPException) -> Response:
    data = getattr(error, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    headers = dict(data.get("headers") or {})
    if error.code == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    detail = data.get("message") or error.description
    if error.code == 400 and errors and "json" in errors and isinstance(errors["json"], list):
        detail = "The request body is not valid JSON."
    if error.code == 422:
        detail = "Some fields are invalid."
    return problem(error.code or 500, detail, errors=errors, headers=headers)


def _domain_error(error: DomainError) -> Response:
    return problem(error.status, error.detail, errors=error.errors, headers=error.headers)


def _database_unavailable(error: DBAPIError) -> Response:
    from lms.extensions import db

    try:
        db.session.rollback()
    except DBAPIError:  # the connection is already gone; the answer is the same
        log.debug("rollback failed on a lost connection")
    if isinstance(error, OperationalError) or error.connection_invalidated:
        log.warning("database unavailable: %s", type(error.orig).__name__)
        return problem(503, "The database is unavailable; try again shortly.", headers={"Retry-After": "5"})
    log.exception("database error")
    return problem(500, "Internal server error.")


def _unexpected(error: Exception) -> Response:
    log.exception("unhandled error")
    return problem(500, "Internal server error.")


def _remove_session(error: BaseException | None) -> None:
    """Close the request's session; a connection lost after the answer was made (PostgreSQL restarting)
    must not turn that answer into a 500. Runs before Flask-SQLAlchemy's own teardown, which then has
    nothing left to close."""
    from lms.extensions import db

    try:
        db.session.remove()
    except DBAPIError as exc:
        log.warning("database connection lost while closing the session: %s", type(exc.orig).__name__)
        try:
            # close the connections outright rather than leave them checked out, in a transaction
            # (on SQLite, holding the write lock) until garbage collection
            db.session().invalidate()
        except DBAPIError:
            log.debug("invalidating the lost session's connections failed")
        db.session.registry.clear()


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(DBAPIError, _database_unavailable)
    app.register_error_handler(Exception, _unexpected)
    app.teardown_appcontext(_remove_session)
