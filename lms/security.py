"""Security headers on every response, CORS off unless origins are configured, and request hygiene:
oversized bodies, NUL in URLs and JSON that no view should ever see are refused before any view runs."""

import json
import math
import re

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from lms.errors import BadRequest, Invalid

MAX_JSON_DEPTH = 64
# JSON numbers beyond ±(2**53 − 1) are not exchanged reliably (RFC 8259, section 6) and overflow columns
MAX_JSON_INTEGER = 2**53 - 1
# NUL and unpaired surrogates cannot be stored as text; C0/C1 controls (but tab, LF, CR) and bidirectional
# embeddings, overrides and isolates only serve to disguise text shown to someone else
_REFUSED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def init_security(app: Flask) -> None:
    origins = set(app.config.get("CORS_ORIGINS") or [])
    app.before_request(_check_request)

    @app.after_request
    def _headers(response):
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if request.path.startswith("/api/v1/docs"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
                "img-src 'self' data:",
            )
        elif request.path.startswith("/verify"):
            response.headers.setdefault(
                "Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
        else:
            response.headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
        if request.path.startswith("/api/"):
            response.headers.setdefault("Cache-Control", "no-store")
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Vary"] = "Origin"
            # xAPI content in the browser sends and reads X-Experience-API-Version
            response.headers["Access-Control-Allow-Headers"] = \
                "Authorization, Content-Type, Idempotency-Key, X-Experience-API-Version"
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, PUT, PATCH, DELETE"
            response.headers["Access-Control-Expose-Headers"] = \
                "X-Total-Count, Link, Retry-After, X-Experience-API-Version"
        return response


def body_limit(config_key: str):
    """Give a view its own body limit, read from the config key `config_key` (e.g. a large CSV import)
    instead of MAX_CONTENT_LENGTH."""

    def decorator(func):
        func.body_limit_config = config_key
        return func

    return decorator


def request_body_limit() -> int | None:
    """The body limit of the view this request is routed to."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    view_class = getattr(view, "view_class", None)
    method = getattr(view_class, request.method.lower(), None) if view_class else view
    key = getattr(method, "body_limit_config", None) or "MAX_CONTENT_LENGTH"
    return current_app.config.get(key)


def _check_request() -> None:
    """Refuse what no view should have to handle (each view still validates its own fields)."""
    limit = request_body_limit()
    request.max_content_length = limit  # werkzeug then refuses a longer body as it is read
    if limit and (request.content_length or 0) > limit:
        # also for views that never read their body, so a large body is never silently accepted
        raise RequestEntityTooLarge()
    if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                     for key, value in request.args.items(multi=True)):
        raise BadRequest("The URL must not contain NUL characters.")
    if request.is_json and request.content_length != 0:
        data = request.get_data(cache=True)  # the body stays cached for the view's own parsing
        if data.strip():
            check_json(data)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def check_json(data: bytes) -> None:
    """Parse a JSON body: malformed or too deeply nested is 400; text a database cannot store or that
    disguises itself, and numbers out of range, are 422 under the top-level field they are in."""
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise BadRequest(f"The request body is not valid JSON: nested more than {MAX_JSON_DEPTH} levels.") from exc
    except ValueError as exc:  # also bad UTF-8 and integers with too many digits
        raise BadRequest("The request body is not valid JSON.") from exc
    errors: dict[str, list[str]] = {}
    stack: list[tuple[object, str, int]] = [(value, "", 0)]
    while stack:
        item, field, depth = stack.pop()
        if isinstance(item, dict | list) and depth >= MAX_JSON_DEPTH:
            raise BadRequest(f"The request body is not valid JSON: nested more than {MAX_JSON_DEPTH} levels.")
        if isinstance(item, dict):
            for key, child in item.items():
                name = field or key
                _check_text(key, name, errors)
                stack.append((child, name, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, field or "_body", depth + 1) for child in item)
        elif isinstance(item, str):
            _check_text(item, field or "_body", errors)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int) and abs(item) > MAX_JSON_INTEGER:
            errors.setdefault(field or "_body", []).append("Number out of range.")
        elif isinstance(item, float) and not math.isfinite(item):
            errors.setdefault(field or "_body", []).append("Number out of range.")
    if errors:
        raise Invalid(errors={"json": {name: sorted(set(messages)) for name, messages in errors.items()}})


def _check_text(text: str, field: str, errors: dict[str, list[str]]) -> None:
    if _REFUSED_CHARACTERS.search(text):
        errors.setdefault(field, []).append(
            "Must not contain NUL, control or bidirectional formatting characters, or unpaired surrogates.")
