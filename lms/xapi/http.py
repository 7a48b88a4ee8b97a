"""The LRS's edges, for every resource under /api/v1/xapi/ alike (no resource needs to know):

- `X-Experience-API-Version: 1.0.3` on every response (Communication 3.3); the request's header is checked by
  `lms.xapi.principal.lrs_auth`, after authentication as API.md orders.
- CORS for content in browsers (Communication 1.3 "Cross Origin Requests"): a preflight is answered before
  any authentication; any origin by default (content is served from any host; credentials travel in the
  Authorization header, never in cookies), or the origins of `XAPI_CORS_ORIGINS`.
- The alternate request syntax (Communication 1.3 "Alternate Request Syntax"): `POST ...?method=PUT` with a
  form body carrying headers, `content` and the query parameters is turned, as a WSGI middleware, into the
  request it stands for before routing and authentication.
"""

import io
from urllib.parse import parse_qsl, urlencode

from flask import Flask, current_app, request

from lms.errors import BadRequest, PayloadTooLarge
from lms.xapi.principal import VERSION, VERSION_HEADER

PREFIX = "/api/v1/xapi/"
# the LMS's own administration of the LRS (bearer tokens of admins), not an xAPI resource
ADMIN_PATHS = (PREFIX + "clients",)
FORM = "application/x-www-form-urlencoded"
ALTERNATE_METHODS = frozenset({"GET", "HEAD", "PUT", "POST", "DELETE"})
# form fields that are headers of the request they stand for (Communication 1.3: Authorization,
# X-Experience-API-Version, Content-Type, Content-Length, If-Match, If-None-Match)
FORM_HEADERS = {"authorization": "HTTP_AUTHORIZATION", "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
                "content-type": "CONTENT_TYPE", "content-length": None, "if-match": "HTTP_IF_MATCH",
                "if-none-match": "HTTP_IF_NONE_MATCH"}
# the query parameters of the xAPI resources (Communication 2.1–2.8)
RESOURCE_PARAMETERS = frozenset({
    "statementId", "voidedStatementId", "agent", "verb", "activity", "registration", "related_activities",
    "related_agents", "since", "until", "limit", "format", "attachments", "ascending", "activityId", "stateId",
    "profileId",
})
ERROR_KEY = "lms.xapi.alternate_error"
ALTERNATE_KEY = "lms.xapi.alternate"

ALLOW_HEADERS = ("Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match, "
                 "Idempotency-Key")
EXPOSE_HEADERS = ("ETag, Last-Modified, Location, X-Experience-API-Consistent-Through, X-Experience-API-Version, "
                  "Content-Type, Content-Length")
ALLOW_METHODS = "GET, HEAD, POST, PUT, DELETE, OPTIONS"
PREFLIGHT_MAX_AGE = "600"


def init_xapi_http(app: Flask) -> None:
    """Wire the middleware and the request hooks; called before lms.security's, so that a preflight is
    answered first and these CORS headers are the last word on the LRS's paths."""
    app.wsgi_app = AlternateRequestSyntax(app.wsgi_app, lambda: app.config.get("MAX_CONTENT_LENGTH"))
    app.before_request(_before)
    app.after_request(_after)


def is_xapi_resource(path: str) -> bool:
    return path.startswith(PREFIX) and not path.startswith(ADMIN_PATHS)


def _before():
    if not request.path.startswith(PREFIX):
        return None
    error = request.environ.get(ERROR_KEY)
    if error is not None:
        status, detail = error
        raise (PayloadTooLarge if status == 413 else BadRequest)(detail)
    if request.method == "OPTIONS" and is_xapi_resource(request.path) and request.headers.get("Origin"):
        response = current_app.response_class(status=204)
        return response  # headers are added by _after, like every other answer's
    return None


def _after(response):
    if not request.path.startswith(PREFIX):
        return response
    response.headers[VERSION_HEADER] = VERSION
    if is_xapi_resource(request.path):
        _cors(response)
    return response


def _cors(response) -> None:
    origin = request.headers.get("Origin")
    if not origin:
        return
    allowed = current_app.config.get("XAPI_CORS_ORIGINS") or []
    if allowed and origin not in allowed:
        response.headers.pop("Access-Control-Allow-Origin", None)
        return
    response.headers["Access-Control-Allow-Origin"] = origin if allowed else "*"
    if allowed:
        response.headers["Vary"] = "Origin"
    response.headers["Access-Control-Allow-Headers"] = ALLOW_HEADERS
    response.headers["Access-Control-Allow-Methods"] = ALLOW_METHODS
    response.headers["Access-Control-Expose-Headers"] = EXPOSE_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE


class AlternateRequestSyntax:
    """WSGI middleware: an xAPI request in the alternate syntax becomes the request it stands for.

    Communication 1.3: the method goes in the query (`method`, nothing else may be there), the request is a
    POST with a form body; the form's header fields become headers, `content` the body, every other field a
    query parameter. What breaks these rules is marked, and answered 400 (413 for a body over the limit) by
    the request hook, so that the answer carries the LRS's headers like any other."""

    def __init__(self, wsgi_app, body_limit) -> None:
        self.wsgi_app = wsgi_app
        self.body_limit = body_limit

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith(PREFIX) and not environ.get("PATH_INFO", "").startswith(
                ADMIN_PATHS):
            query = environ.get("QUERY_STRING", "")
            if "method" in (name for name, _ in parse_qsl(query, keep_blank_values=True)):
                self._rewrite(environ, query)
        return self.wsgi_app(environ, start_response)

    def _rewrite(self, environ, query: str) -> None:
        error = self._rewritten(environ, query)
        if error is not None:
            environ[ERROR_KEY] = error

    def _rewritten(self, environ, query: str) -> tuple[int, str] | None:
        params = parse_qsl(query, keep_blank_values=True)
        if environ.get("REQUEST_METHOD") != "POST":
            return 400, "The alternate request syntax is a POST."
        if len(params) != 1:
            return 400, "In the alternate request syntax the query holds `method` only."
        method = params[0][1].upper()
        if method not in ALTERNATE_METHODS:
            return 400, "`method` must be GET, HEAD, PUT, POST or DELETE."
        media_type = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
        if media_type != FORM:
            return 400, f"The alternate request syntax sends its body as {FORM}."
        body = self._body(environ)
        if body is None:
            return 413, "The request body is too large."
        try:
            fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200,
                               encoding="utf-8", errors="strict")
        except (UnicodeDecodeError, ValueError):
            return 400, "The form body is not valid UTF-8 form data."
        headers: dict[str, str] = {}
        content: str | None = None
        resource_params: list[tuple[str, str]] = []
        for name, value in fields:
            lowered = name.lower()
            if lowered == "content":
                content = value
            elif lowered in FORM_HEADERS:
                if FORM_HEADERS[lowered]:
                    headers[FORM_HEADERS[lowered]] = value
            elif name in RESOURCE_PARAMETERS or name == "more":
                resource_params.append((name, value))
            else:
                return 400, f"Unknown form parameter {name[:50]!r} in the alternate request syntax."
        data = (content or "").encode("utf-8")
        environ.update(headers)
        environ["REQUEST_METHOD"] = method
        environ["QUERY_STRING"] = urlencode(resource_params)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        if content is None:
            environ.pop("CONTENT_TYPE", None)
        elif "CONTENT_TYPE" not in headers:
            environ["CONTENT_TYPE"] = "application/json"
        environ[ALTERNATE_KEY] = True
        return None

    def _body(self, environ) -> bytes | None:
        """The form body, read to at most the limit (None beyond it), however it arrives."""
        limit = self.body_limit()
        stream = environ["wsgi.input"]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return None
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked or environ.get("wsgi.input_terminated"):
            data = stream.read(limit + 1) if limit is not None else stream.read()
        else:
            data = stream.read(length) if length else b""
        if limit is not None and len(data) > limit:
            return None
        return data
