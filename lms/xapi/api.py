"""The statement resource, `/api/v1/xapi/statements` (xAPI 1.0.3, Communication 2.1)."""

import json
from http import HTTPStatus

from flask import Response, request
from flask.views import MethodView
from werkzeug.exceptions import UnsupportedMediaType

from lms.errors import BadRequest
from lms.http import Blueprint
from lms.security import JSON, check_json, is_json_media_type, json_body
from lms.xapi import multipart, statements
from lms.xapi.principal import (
    STATEMENTS_READ,
    STATEMENTS_READ_MINE,
    STATEMENTS_WRITE,
    current_principal,
    lrs_auth,
)

blp = Blueprint("xapi_statements", __name__, description="xAPI 1.0.3 learning record store: statements")

PATH = "/xapi/statements"
VERSION_DOC = {"description": "The xAPI version of the response", "schema": {"type": "string"}}
_TEXT = {"type": "string", "maxLength": statements.MAX_TEXT}
_IRI = {"type": "string", "format": "iri", "maxLength": 4096}
_AGENT = {"type": "object", "additionalProperties": True, "properties": {
    "objectType": {"type": "string", "enum": ["Agent", "Group"]}, "name": _TEXT,
    "mbox": {"type": "string", "pattern": "^mailto:", "maxLength": 4096},
    "account": {"type": "object", "additionalProperties": True,
                "properties": {"homePage": _IRI, "name": _TEXT}}},
    "description": "An agent or group with one inverse functional identifier (Data 2.4.2)"}
STATEMENT_SCHEMA = {"type": "object", "additionalProperties": True, "required": ["actor", "verb", "object"],
                    "description": "An xAPI 1.0.3 statement (Data 2.4); every text at most "
                                   f"{statements.MAX_TEXT:,} characters",
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "actor": _AGENT,
                        "verb": {"type": "object", "additionalProperties": True, "required": ["id"],
                                 "properties": {"id": _IRI}},
                        "object": {"type": "object", "additionalProperties": True, "properties": {
                            "objectType": {"type": "string", "enum": list(statements.OBJECT_TYPES)},
                            "id": {"type": "string", "maxLength": 4096,
                                   "description": "An activity IRI, or a statement id (StatementRef)"}}},
                        "context": {"type": "object", "additionalProperties": True, "properties": {
                            "registration": {"type": "string", "format": "uuid"}}},
                        "timestamp": {"type": "string", "format": "date-time"},
                        "version": {"type": "string", "pattern": r"^1\.0(\.\d+)?$"},
                    }}
BODY = {"required": True, "content": {
    "application/json": {"schema": {"oneOf": [STATEMENT_SCHEMA, {"type": "array", "items": STATEMENT_SCHEMA,
                                                                 "minItems": 1,
                                                                 "maxItems": statements.MAX_BATCH}]}},
    "multipart/mixed": {"schema": {"type": "string", "format": "binary"},
                        "description": "The statements as the first part, then one part per attachment "
                                       "(Communication 1.5.2)"}}}
SINGLE_BODY = {"required": True, "content": {"application/json": {"schema": STATEMENT_SCHEMA},
                                             "multipart/mixed": BODY["content"]["multipart/mixed"]}}


def _query_doc(name: str, description: str, schema: dict | None = None) -> dict:
    return {"in": "query", "name": name, "required": False, "schema": schema or {"type": "string"},
            "description": description}


_BOOL = {"type": "string", "enum": ["true", "false"]}
GET_PARAMS = [
    _query_doc("statementId", "One statement by id (not a voided one); no other filter",
               {"type": "string", "format": "uuid"}),
    _query_doc("voidedStatementId", "One voided statement by id; no other filter", {"type": "string", "format": "uuid"}),
    _query_doc("agent", "An Agent or identified Group as JSON: its statements as actor or object"),
    _query_doc("verb", "A verb IRI"),
    _query_doc("activity", "An activity IRI: statements with it as object"),
    _query_doc("registration", "A registration (UUID)", {"type": "string", "format": "uuid"}),
    _query_doc("related_activities", "true: `activity` also matches context and sub-statement activities", _BOOL),
    _query_doc("related_agents", "true: `agent` also matches authority, instructor, team, sub-statement", _BOOL),
    _query_doc("since", "Only statements stored after this time (ISO 8601)"),
    _query_doc("until", "Only statements stored at or before this time (ISO 8601)"),
    _query_doc("limit", f"At most this many statements (0: the server's maximum, {statements.MAX_LIMIT})",
               {"type": "string", "pattern": r"^\d+$"}),
    _query_doc("format", "ids, exact (default) or canonical", {"type": "string", "enum": list(statements.FORMATS)}),
    _query_doc("attachments", "true: multipart/mixed with the attachments' content", _BOOL),
    _query_doc("ascending", "true: oldest first", _BOOL),
    _query_doc("cursor", "Set by a `more` URL: where the next page starts"),
]
PUT_PARAMS = [_query_doc("statementId", "The id of the statement sent (required)",
                         {"type": "string", "format": "uuid"})]
QUERY_NOTE = ("The xAPI alternate request syntax sends these as form fields of a POST with `method`; "
              "as query parameters only those listed are taken (any other is 422).")
RESULT_HEADERS = {statements.VERSION_HEADER: VERSION_DOC,
                  statements.CONSISTENT_HEADER: {"description": "Every statement stored before this time is "
                                                                "in the results", "schema": {"type": "string"}}}


def _declares(params: list[dict], body: dict | None = None):
    """Mark a view with the query parameters it takes (any other is 422, once the caller is known) and
    document them, its version header and its body."""

    def decorator(view):
        view.query_names = frozenset(p["name"] for p in params)
        documented = {"parameters": list(params)}
        if body is not None:
            documented["requestBody"] = body
        return blp.doc(**documented)(view)

    return decorator


def _body(*, single: bool) -> tuple[list[dict], list[multipart.Part]]:
    """The statements and attachment parts of the request: JSON, or multipart/mixed (Communication 1.5.2)."""
    data = request.get_data(cache=True)
    if not data.strip():
        raise BadRequest("A request body is required.")
    if request.mimetype == "multipart/mixed":
        try:
            first, parts = multipart.parse_mixed(request.headers.get("Content-Type", ""), data)
        except ValueError as exc:
            raise BadRequest(f"The multipart/mixed body is not as xAPI requires: {exc}") from None
        return statements.parse_body(check_json(first), single=single, size=len(first)), parts
    if not is_json_media_type():
        raise UnsupportedMediaType(f"Send the statements as {JSON} (UTF-8) or multipart/mixed.")
    return statements.parse_body(json_body(), single=single, size=len(data)), []


def _result(result: statements.Result) -> Response:
    if result.attachments is None:
        return Response(result.body, 200, mimetype=JSON, headers=result.headers)
    content_type, body = multipart.build_mixed(result.body.encode(), result.attachments)
    return Response(body, 200, headers=result.headers, content_type=content_type)


@blp.route(PATH)
class Statements(MethodView):
    @_declares(GET_PARAMS)
    @lrs_auth(STATEMENTS_READ, STATEMENTS_READ_MINE)
    @blp.response(200, {"type": "object", "description": "A statement (statementId, voidedStatementId) or a "
                                                         "StatementResult `{statements, more}`"},
                  headers={**RESULT_HEADERS, "Last-Modified": {"description": "When the statement was stored",
                                                               "schema": {"type": "string"}}})
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self):
        """Statements: one by `statementId` or `voidedStatementId`, or a query (newest first, paged by `more`).
        Learners' and sessions' credentials read their own agent's statements only."""
        args = request.args.to_dict()
        language = request.headers.get("Accept-Language")
        return _result(statements.read(current_principal(), args, language=language))

    @_declares(PUT_PARAMS, SINGLE_BODY)
    @lrs_auth(STATEMENTS_WRITE)
    @blp.response(204, description="Stored (or already stored with the same content)",
                  headers={statements.VERSION_HEADER: VERSION_DOC})
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(413, response=HTTPStatus(413).name)
    @blp.alt_response(415, response=HTTPStatus(415).name)
    def put(self):
        """Store one statement with the id given as `statementId` (204); the same id with other content is 409."""
        statement_id = request.args.get("statementId")
        if not statement_id or not statements._is_uuid(statement_id):
            raise BadRequest("statementId (a UUID) is required.")
        sent, parts = _body(single=True)
        statements.store(current_principal(), sent, parts, statement_id=statement_id)
        return Response(status=204)

    @_declares([], BODY)
    @lrs_auth(STATEMENTS_WRITE)
    @blp.response(200, {"type": "array", "items": {"type": "string", "format": "uuid"}},
                  description="The ids of the statements, in the order sent",
                  headers={statements.VERSION_HEADER: VERSION_DOC})
    @blp.alt_response(400, response="BAD_REQUEST")
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(413, response=HTTPStatus(413).name)
    @blp.alt_response(415, response=HTTPStatus(415).name)
    def post(self):
        """Store statements, one or an array, all or none; returns their ids (assigned where absent)."""
        sent, parts = _body(single=False)
        ids = statements.store(current_principal(), sent, parts)
        return Response(json.dumps(ids), 200, mimetype=JSON)
