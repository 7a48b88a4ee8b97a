"""The xAPI 1.0.3 document resources: `activities/state`, `activities/profile` and `agents/profile`.

Documents are of any media type, stored and returned as sent, with an `ETag` (SHA-1 of the content) and
`Last-Modified`. Errors are problem+json with the statuses the xAPI specification names: a missing or invalid
parameter, an unknown one, or a POST that cannot be merged is 400 (Communication 3.2.s3.b7, 2.2.s8.b1)."""

import json

from flask import Response, current_app, request
from flask.views import MethodView
from werkzeug.exceptions import RequestEntityTooLarge

from lms.errors import BadRequest, Invalid, problem
from lms.http import Blueprint
from lms.security import body_limit, check_json
from lms.xapi import document_rules as rules
from lms.xapi import documents
from lms.xapi.principal import PROFILE, STATE, current_principal, lrs_auth

blp = Blueprint("xapi_documents", __name__,
                description="xAPI 1.0.3 documents: the state, activity profile and agent profile resources")

MAX_BYTES_KEY = "XAPI_DOCUMENT_MAX_BYTES"


@blp.errorhandler(Invalid)
def _unknown_parameter(error: Invalid):
    """The xAPI specification answers what the rest of the API calls 422 with 400 (Communication 3.2.s3.b7)."""
    return problem(400, "A parameter is not recognised here or is invalid.", errors=error.errors)


# --- request parts -----------------------------------------------------------------------------------------


def _arg(name: str) -> str | None:
    values = request.args.getlist(name)
    if len(values) > 1:
        raise BadRequest(f"Give the parameter {name} once.", errors={"query": {name: ["Given more than once."]}})
    return values[0] if values else None


def _parsed(parse, *args):
    try:
        return parse(*args)
    except rules.ParameterError as exc:
        raise BadRequest(f"The parameter {exc.name} is missing or invalid: {exc.message}.",
                         errors={"query": {exc.name: [exc.message]}}) from exc


def _activity_id() -> str:
    return _parsed(rules.parse_activity_id, _arg("activityId"))


def _agent_key() -> str:
    _agent, key = _parsed(rules.parse_agent, _arg("agent"))
    documents.check_access(current_principal(), key)
    return key


def _registration() -> str | None:
    return _parsed(rules.parse_registration, _arg("registration"))


def _since():
    return _parsed(rules.parse_since, _arg("since"))


def _document_id(name: str) -> str:
    return _parsed(rules.parse_document_id, name, _arg(name))


def _body() -> bytes:
    """The document as sent, at most XAPI_DOCUMENT_MAX_BYTES (413 beyond, with Content-Length or chunked);
    read only once the caller is known (the request hook set the view's limit)."""
    limit = current_app.config[MAX_BYTES_KEY]
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge()
    data = request.get_data(cache=True)
    if request.content_length is None and len(data) >= limit and request.input_stream.read(1):
        raise RequestEntityTooLarge()
    return data


def _write(ref_of, *, merge: bool) -> Response:
    """PUT or POST: the body's size first, then the parameters (API.md's order of checks). A document sent as
    application/json must be JSON, held to the rules of every JSON body (400 otherwise: Communication
    3.2.s3.b6, a content type that does not match the content); any other media type is stored as sent."""
    content = _body()
    if rules.media_type(request.headers.get("Content-Type")) == rules.JSON_TYPE and content.strip():
        check_json(content)
    ref = ref_of()
    documents.write(ref, content, request.headers.get("Content-Type"), merge=merge,
                    if_match=request.headers.get("If-Match"), if_none_match=request.headers.get("If-None-Match"))
    return Response(status=204)


def _document(doc: documents.Document) -> Response:
    response = Response(doc.content, status=200, content_type=doc.content_type)
    response.headers["ETag"] = f'"{doc.etag}"'
    response.last_modified = doc.updated_at
    return response


def _ids(found: tuple[list[str], object]) -> Response:
    ids, last_modified = found
    response = Response(json.dumps(ids, ensure_ascii=False), status=200, mimetype="application/json")
    if last_modified is not None:
        response.last_modified = last_modified
    return response


def _query(*names: str):
    """The query parameters a method recognises; any other is 400 (Communication 3.2.s3.b7)."""

    def decorator(func):
        func.query_names = frozenset(names)
        return func

    return decorator


# --- OpenAPI -----------------------------------------------------------------------------------------------


def _param(name: str, description: str, *, required: bool = False, fmt: str | None = None) -> dict:
    schema = {"type": "string", **({"format": fmt} if fmt else {})}
    return {"in": "query", "name": name, "required": required, "schema": schema, "description": description}


ACTIVITY_ID = _param("activityId", "The activity's IRI", required=True)
AGENT = _param("agent", 'The agent as JSON, e.g. {"account": {"homePage": "https://lms.example.jp", "name": "…"}}',
               required=True)
REGISTRATION = _param("registration", "The registration (UUID)", fmt="uuid")
SINCE = _param("since", "Only ids of documents stored or changed after this timestamp (ISO 8601)")
IF_MATCH = {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
            "description": "The document's ETag as read: 412 if it changed since"}
IF_NONE_MATCH = {"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string"},
                 "description": '"*": 412 if the document exists'}
DOCUMENT_BODY = {"required": True, "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}}
ERRORS = {str(status): {"$ref": f"#/components/responses/{name}"} for status, name in (
    (400, "BAD_REQUEST"), (404, "NOT_FOUND"), (409, "CONFLICT"), (412, "PRECONDITION_FAILED"),
    (413, "REQUEST_ENTITY_TOO_LARGE"))}
READ_RESPONSES = {
    "200": {"description": "The document as stored (with `ETag` and `Last-Modified`), or, without the document "
                           "id, a JSON array of the ids",
            "headers": {"ETag": {"schema": {"type": "string"}}, "Last-Modified": {"schema": {"type": "string"}}},
            "content": {"*/*": {"schema": {}}}},
    "400": ERRORS["400"], "404": ERRORS["404"]}
WRITE_RESPONSES = {"204": {"description": "Stored"}, **ERRORS}
DELETE_RESPONSES = {"204": {"description": "Deleted (or there was nothing to delete)"}, "400": ERRORS["400"],
                    "412": ERRORS["412"]}


def _read_doc(summary: str, parameters: list[dict]):
    return blp.doc(summary=summary, parameters=parameters, responses=READ_RESPONSES)


def _write_doc(summary: str, parameters: list[dict]):
    return blp.doc(summary=summary, parameters=[*parameters, IF_MATCH, IF_NONE_MATCH], requestBody=DOCUMENT_BODY,
                   responses=WRITE_RESPONSES)


def _delete_doc(summary: str, parameters: list[dict]):
    return blp.doc(summary=summary, parameters=[*parameters, IF_MATCH], responses=DELETE_RESPONSES)


# --- the state resource (Communication 2.3) ----------------------------------------------------------------

STATE_ID = _param("stateId", "The state document's id")
STATE_PARAMS = [ACTIVITY_ID, AGENT, REGISTRATION]


def _state_scope() -> documents.Scope:
    activity_id = _activity_id()
    return documents.state_scope(activity_id, _agent_key())


def _state_ref() -> documents.Ref:
    scope = _state_scope()
    registration = _registration()
    return documents.Ref(scope, _document_id("stateId"), registration)


@blp.route("/xapi/activities/state")
class State(MethodView):
    @lrs_auth(STATE)
    @_query("activityId", "agent", "registration", "stateId", "since")
    @_read_doc("A state document, or the ids of an activity's and agent's state documents",
               [*STATE_PARAMS, STATE_ID, SINCE])
    def get(self):
        scope = _state_scope()
        registration = _registration()
        state_id = _arg("stateId")
        since = _since()
        if state_id is not None:
            return _document(documents.read(documents.Ref(scope, _document_id("stateId"), registration)))
        return _ids(documents.list_ids(scope, registration=registration, since=since))

    @body_limit(MAX_BYTES_KEY)
    @lrs_auth(STATE)
    @_query("activityId", "agent", "registration", "stateId")
    @_write_doc("Store a state document (replaces it)", [*STATE_PARAMS, {**STATE_ID, "required": True}])
    def put(self):
        return _write(_state_ref, merge=False)

    @body_limit(MAX_BYTES_KEY)
    @lrs_auth(STATE)
    @_query("activityId", "agent", "registration", "stateId")
    @_write_doc("Store a state document, or merge a JSON object into the stored one",
                [*STATE_PARAMS, {**STATE_ID, "required": True}])
    def post(self):
        return _write(_state_ref, merge=True)

    @lrs_auth(STATE)
    @_query("activityId", "agent", "registration", "stateId")
    @_delete_doc("Delete a state document, or every state document of the activity and agent",
                 [*STATE_PARAMS, STATE_ID])
    def delete(self):
        scope = _state_scope()
        registration = _registration()
        if _arg("stateId") is None:
            documents.remove_states(scope, registration=registration)
        else:
            documents.remove(documents.Ref(scope, _document_id("stateId"), registration),
                             if_match=request.headers.get("If-Match"))
        return Response(status=204)


# --- the activity profile resource (Communication 2.7) -----------------------------------------------------

PROFILE_ID = _param("profileId", "The profile document's id")


def _activity_profile_ref() -> documents.Ref:
    return documents.Ref(documents.activity_profile_scope(_activity_id()), _document_id("profileId"))


def _profile_or_ids(scope) -> Response:
    """GET on a profile resource: the document named by `profileId`, else the ids of the scope's documents
    (stored since `since`, when given)."""
    since = _since()
    if _arg("profileId") is not None:
        return _document(documents.read(documents.Ref(scope, _document_id("profileId"))))
    return _ids(documents.list_ids(scope, since=since))


@blp.route("/xapi/activities/profile")
class ActivityProfile(MethodView):
    @lrs_auth(PROFILE)
    @_query("activityId", "profileId", "since")
    @_read_doc("An activity profile document, or the ids of an activity's profile documents",
               [ACTIVITY_ID, PROFILE_ID, SINCE])
    def get(self):
        return _profile_or_ids(documents.activity_profile_scope(_activity_id()))

    @body_limit(MAX_BYTES_KEY)
    @lrs_auth(PROFILE)
    @_query("activityId", "profileId")
    @_write_doc("Store an activity profile document (replaces it; If-Match or If-None-Match when it exists)",
                [ACTIVITY_ID, {**PROFILE_ID, "required": True}])
    def put(self):
        return _write(_activity_profile_ref, merge=False)

    @body_limit(MAX_BYTES_KEY)
    @lrs_auth(PROFILE)
    @_query("activityId", "profileId")
    @_write_doc("Store an activity profile document, or merge a JSON object into the stored one",
                [ACTIVITY_ID, {**PROFILE_ID, "required": True}])
    def post(self):
        return _write(_activity_profile_ref, merge=True)

    @lrs_auth(PROFILE)
    @_query("activityId", "profileId")
    @_delete_doc("Delete an activity profile document", [ACTIVITY_ID, {**PROFILE_ID, "required": True}])
    def delete(self):
        documents.remove(_activity_profile_ref(), if_match=request.headers.get("If-Match"))
        return Response(status=204)


# --- the agent profile resource (Communication 2.6) --------------------------------------------------------


def _agent_profile_ref() -> documents.Ref:
    return documents.Ref(documents.agent_profile_scope(_agent_key()), _document_id("profileId"))


@blp.route("/xapi/agents/profile")
class AgentProfile(MethodView):
    @lrs_auth(PROFILE)
    @_query("agent", "profileId", "since")
    @_read_doc("An agent profile document, or the ids of an agent's profile documents", [AGENT, PROFILE_ID, SINCE])
    def get(self):
        return _profile_or_ids(documents.agent_profile_scope(_agent_key()))

    @body_limit(MAX_BYTES_KEY)
    @lrs_auth(PROFILE)
    @_query("agent", "profileId")
    @_write_doc("Store an agent profile document (replaces it; If-Match or If-None-Match when it exists)",
                [AGENT, {**PROFILE_ID, "required": True}])
    def put(self):
        return _write(_agent_profile_ref, merge=False)

    @body_limit(MAX_BYTES_KEY)
    @lrs_auth(PROFILE)
    @_query("agent", "profileId")
    @_write_doc("Store an agent profile document, or merge a JSON object into the stored one",
                [AGENT, {**PROFILE_ID, "required": True}])
    def post(self):
        return _write(_agent_profile_ref, merge=True)

    @lrs_auth(PROFILE)
    @_query("agent", "profileId")
    @_delete_doc("Delete an agent profile document", [AGENT, {**PROFILE_ID, "required": True}])
    def delete(self):
        documents.remove(_agent_profile_ref(), if_match=request.headers.get("If-Match"))
        return Response(status=204)
