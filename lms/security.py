"""Security headers on every response, CORS off unless origins are configured, and request hygiene in the
order of API.md: authentication and role first (lms.auth.permissions), then the body's presence, size and media
type (`check_request_body`), then JSON that no view should ever see (`json_body`, where the body is parsed)."""

import json
import math
import re
from itertools import chain, compress, repeat
from operator import is_

from flask import Flask, current_app, g, request
from flask.sessions import SessionInterface
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType

from lms.errors import BadRequest, Invalid

MAX_JSON_DEPTH = 64
# no request needs more (1,000 xAPI statements hold about 20,000); the parse of more costs more than a refusal may
MAX_JSON_CONTAINERS = 100_000
# JSON numbers beyond ±(2**53 − 1) are not exchanged reliably (RFC 8259, section 6) and overflow columns
MAX_JSON_INTEGER = 2**53 - 1
# NUL and unpaired surrogates cannot be stored as text; C0/C1 controls (but tab, LF, CR) and bidirectional
# embeddings, overrides and isolates only serve to disguise text shown to someone else
_REFUSED_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
JSON = "application/json"


class NoSessions(SessionInterface):
    """No cookie sessions: the API authenticates every request by its bearer token and signs nothing with
    SECRET_KEY (docs/operations.md). Flask's signed-cookie sessions would still build a signer on every request;
    here `session` is a null session that refuses to be written."""

    def open_session(self, app, request):
        return None  # Flask then makes a null session

    def save_session(self, app, session, response) -> None:
        return None


def init_security(app: Flask) -> None:
    origins = set(app.config.get("CORS_ORIGINS") or [])
    app.session_interface = NoSessions()
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


def _routed_method():
    """The function that will answer this request (a MethodView's method), with its decorators' marks."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    view_class = getattr(view, "view_class", None)
    return getattr(view_class, request.method.lower(), None) if view_class else view


def request_body_limit() -> int | None:
    """The body limit of the view this request is routed to."""
    key = getattr(_routed_method(), "body_limit_config", None) or "MAX_CONTENT_LENGTH"
    return current_app.config.get(key)


def _check_request() -> None:
    """Before any view: the body limit of the routed view, and URLs no view should see. A view that requires
    authentication judges its body only once the caller is known (`check_request_body`, called by
    `auth_required`); a public view has no caller to check first, so its body is judged here."""
    request.max_content_length = request_body_limit()  # werkzeug then refuses a longer body as it is read
    if "\x00" in request.path:
        raise BadRequest("The URL must not contain NUL characters.")
    method = _routed_method()
    if method is not None and getattr(method, "auth_roles", None) is None:
        check_request_body()


def check_request_body() -> None:
    """The query's and body's hygiene, presence, size and media type, judged once per request: NUL in the
    query 400; over the view's limit 413 (with `Content-Length` or chunked); a view with a JSON body
    (`json_body_required` marks it) answers a missing or empty required body with 400 and any other media type
    with 415. A view that streams its own body (`body_limit`) reads it itself."""
    if g.get("_request_body_checked"):
        return
    g._request_body_checked = True
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        raise BadRequest("The URL must not contain NUL characters.")
    method = _routed_method()
    if method is None:
        return
    _check_query_names(method)
    if getattr(method, "body_limit_config", None):
        return
    data = _bounded_body()
    required = getattr(method, "json_body_required", None)
    if required is None:  # no JSON body expected; one that is sent anyway is still held to the rules
        if data.strip() and request.mimetype == JSON:
            json_body()
        return
    if not data.strip():
        if required:
            raise BadRequest("A request body is required.")
        return
    if not is_json_media_type():
        raise UnsupportedMediaType(f"Send the body as {JSON} (UTF-8).")


def _check_query_names(method) -> None:
    """One policy for every documented endpoint: a query parameter it does not declare is 422."""
    if not hasattr(method, "_apidoc"):  # not an API operation (docs assets, health)
        return
    unknown = sorted(set(request.args) - getattr(method, "query_names", frozenset()))
    if unknown:
        raise Invalid("Unknown query parameters.",
                      errors={"query": {name[:100]: ["Unknown field."] for name in unknown[:20]}})


def is_json_media_type() -> bool:
    """`application/json`, with parameters if any (only `charset=utf-8` means something)."""
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    return request.mimetype == JSON and charset in ("utf-8", "utf8")


def _bounded_body() -> bytes:
    """The body, read at most up to the view's limit: 413 beyond it, however it arrives. werkzeug stops a
    chunked body silently at `max_content_length`, so one more byte is asked of the stream underneath."""
    limit = request.max_content_length
    length = request.content_length
    if limit is not None and (length or 0) > limit:
        raise RequestEntityTooLarge()
    chunked = "chunked" in request.headers.get("Transfer-Encoding", "").lower()
    if not length and not chunked:
        return b""
    data = request.get_data(cache=True)
    if length is None and limit is not None and len(data) >= limit and request.input_stream.read(1):
        raise RequestEntityTooLarge()
    return data


NO_BODY = object()


def json_body():
    """The request's JSON body, parsed once and held to `check_json` (NO_BODY when there is none)."""
    if "_json_body" not in g:
        data = request.get_data(cache=True)
        g._json_body = check_json(data) if data.strip() else NO_BODY
    return g._json_body


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


# What only a look at every value can find: a refused character, as itself or as a \u escape (C0 controls
# cannot appear unescaped in valid JSON), an integer of 16 digits or more, or a number with an exponent (1e999
# is infinite). Each is looked for in the raw body at C speed; only a body that has one (or text that merely
# looks like one) has its values walked, to say which field holds what.
_RAW_REFUSED = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_ESCAPED_REFUSED = re.compile(r"\\u(?:00[0189][0-9a-fA-F]|007[fF]|202[a-eA-E]|206[6-9]|[dD][89a-fA-F][0-9a-fA-F]{2})")


def _number_shapes() -> bytes:
    """A bytes.translate table: digits become "0", what may precede a number "|", e and E "e", - and . stay,
    everything else becomes a space."""
    table = bytearray(b" " * 256)
    for char in b"0123456789":
        table[char] = ord("0")
    for char in b"[:,\t\n\r ":
        table[char] = ord("|")
    for char in b"eE":
        table[char] = ord("e")
    for char in b"-.":
        table[char] = char
    return bytes(table)


_NUMBER_SHAPES = _number_shapes()
_EXPONENT_BACKWARDS = re.compile(rb"e(?:0+\.)?0+-?\|")


def _needs_a_look(data: bytes, text: str) -> bool:
    if _RAW_REFUSED.search(text) or ("\\u" in text and _ESCAPED_REFUSED.search(text)):
        return True
    shapes = b"|" + data.translate(_NUMBER_SHAPES)
    # read backwards, an exponent starts with the "e", which few places in a body are followed by digits
    return b"0" * 16 in shapes or _EXPONENT_BACKWARDS.search(shapes[::-1]) is not None


_CONTAINERS = frozenset((dict, list))
_TOO_DEEP = f"The request body is not valid JSON: nested more than {MAX_JSON_DEPTH} levels."


def check_json(data: bytes):
    """Parse a JSON body: malformed or too deeply nested is 400; text a database cannot store or that
    disguises itself, and numbers out of range, are 422 under the top-level field they are in. The cost is
    the parse and one pass over the containers; the values are walked only when the text calls for it."""
    if data.count(b"[") + data.count(b"{") > MAX_JSON_CONTAINERS:  # bounds the parse's cost (C speed)
        raise BadRequest(f"The request body holds more than {MAX_JSON_CONTAINERS:,} arrays and objects.")
    try:
        text = data.decode("utf-8")
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise BadRequest(_TOO_DEEP) from exc
    except ValueError as exc:  # also bad UTF-8 and integers with too many digits
        raise BadRequest("The request body is not valid JSON.") from exc
    _check_depth(value)
    if _needs_a_look(data, text):
        _check_values(value)
    return value


def _check_depth(value) -> None:
    """Nested at most MAX_JSON_DEPTH levels, judged a level at a time at C speed (no Python step per value)."""
    level = [value]
    for depth in range(MAX_JSON_DEPTH + 1):
        types = list(map(type, level))
        kinds = set(types)
        if dict not in kinds and list not in kinds:
            return
        if depth >= MAX_JSON_DEPTH:
            raise BadRequest(_TOO_DEEP)
        if kinds == {list}:
            level = list(chain.from_iterable(level))
        elif kinds == {dict}:
            level = list(chain.from_iterable(map(dict.values, level)))
        else:  # the containers first (at most MAX_JSON_CONTAINERS of them), then their children
            containers = list(compress(level, map(_CONTAINERS.__contains__, types)))
            types = list(map(type, containers))
            dicts = compress(containers, map(is_, types, repeat(dict)))
            lists = compress(containers, map(is_, types, repeat(list)))
            level = list(chain(chain.from_iterable(map(dict.values, dicts)), chain.from_iterable(lists)))


def _check_values(value) -> None:
    errors: dict[str, list[str]] = {}
    stack: list[tuple[object, str]] = [(value, "")]
    while stack:
        item, field = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                name = field or key
                _check_text(key, name, errors)
                stack.append((child, name))
        elif isinstance(item, list):
            stack.extend((child, field or "_body") for child in item)
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
