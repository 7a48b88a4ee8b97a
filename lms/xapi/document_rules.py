"""The document resources' rules (xAPI 1.0.3, Communication 2.2–2.7 and 3.1), pure: their parameters, the
ETag of a document, the concurrency preconditions and the JSON merge of POST."""

import hashlib
import json
import re
from datetime import datetime

from lms.xapi.agents import IRI, agent_key, agent_problems
from lms.xapi.validation import parse_timestamp

STATE = "state"
ACTIVITY_PROFILE = "activity_profile"
AGENT_PROFILE = "agent_profile"
KINDS = (STATE, ACTIVITY_PROFILE, AGENT_PROFILE)

JSON_TYPE = "application/json"
DEFAULT_TYPE = "application/octet-stream"
MAX_CONTENT_TYPE = 255

CONFLICT = 409
PRECONDITION_FAILED = 412

_UUID = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}")


class ParameterError(ValueError):
    """A missing or invalid parameter: 400 Bad Request, naming the parameter."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


def parse_activity_id(value: str | None) -> str:
    """`activityId`: required, an absolute IRI (Data 2.4.4.1)."""
    if value is None or value == "":
        raise ParameterError("activityId", "required")
    if not IRI.match(value):
        raise ParameterError("activityId", "must be an IRI with a scheme, like https://example.com/course/1")
    return value


def parse_document_id(name: str, value: str | None) -> str:
    """`stateId` or `profileId`: required, a non-empty string."""
    if value is None or value == "":
        raise ParameterError(name, "required")
    return value


def parse_registration(value: str | None) -> str | None:
    """`registration`: optional, a UUID in its standard form (Data 4.4), kept lowercase."""
    if value is None:
        return None
    if not _UUID.fullmatch(value):
        raise ParameterError("registration", "must be a UUID, like 3fa85f64-5717-4562-b3fc-2c963f66afa6")
    return value.lower()


def parse_since(value: str | None) -> datetime | None:
    """`since`: optional, an ISO 8601 timestamp (Data 4.5), read as the statement resource reads it."""
    if value is None:
        return None
    moment = parse_timestamp(value.strip())
    if moment is None:
        raise ParameterError("since", "must be an ISO 8601 timestamp, like 2026-04-01T09:00:00Z")
    return moment


def agent_problem(agent) -> str | None:
    """What is wrong with an Agent given as a parameter, or None: an Agent object, not a Group (Communication
    2.6.s3 note), with exactly one inverse functional identifier in its defined form (Data 2.4.2.1)."""
    if not isinstance(agent, dict):
        return "must be an Agent object (JSON)"
    if agent.get("objectType", "Agent") != "Agent":
        return 'objectType must be "Agent"'
    problems = agent_problems(agent, "agent", kind="member")
    if problems:
        path, messages = next(iter(problems.items()))
        where = path.removeprefix("agent").lstrip(".")
        return f"{where}: {messages[0]}" if where else messages[0]
    return None


def parse_agent(value: str | None) -> tuple[dict, str]:
    """`agent`: required, an Agent as JSON; returns it with its canonical key (same agent, same key)."""
    if value is None or value == "":
        raise ParameterError("agent", "required")
    try:
        agent = json.loads(value)
    except (ValueError, RecursionError) as exc:
        raise ParameterError("agent", "must be an Agent object (JSON)") from exc
    problem = agent_problem(agent)
    if problem:
        raise ParameterError("agent", problem)
    return agent, agent_key(agent)


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type value, lowercase and without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def stored_content_type(content_type: str | None) -> str:
    """The Content-Type a document is stored and returned with (any media type, Communication 1.5)."""
    value = (content_type or "").strip()
    if not value:
        return DEFAULT_TYPE
    if len(value) > MAX_CONTENT_TYPE or not value.isprintable():
        raise ParameterError("Content-Type", f"must be a media type of at most {MAX_CONTENT_TYPE} characters")
    return value


def etag_of(content: bytes) -> str:
    """The document's ETag: the SHA-1 hex digest of its contents, lowercase (Communication 3.1.s4.b2)."""
    return hashlib.sha1(content, usedforsecurity=False).hexdigest()


def _tags(header: str) -> list[str]:
    tags = []
    for part in header.split(","):
        tag = part.strip()
        if tag.startswith(("W/", "w/")):
            tag = tag[2:]
        tags.append(tag.strip('"').lower())
    return tags


def precondition_failure(*, current_etag: str | None, if_match: str | None, if_none_match: str | None,
                         headers_required: bool) -> int | None:
    """The status a write must fail with under the concurrency rules (Communication 3.1), or None.

    `If-Match` (an ETag list or "*") fails unless the document exists and matches; `If-None-Match` fails when
    it exists and matches ("*" matches any); a PUT to a profile document that exists, sent with neither
    header, is a conflict (`headers_required`)."""
    if if_match is not None:
        tags = _tags(if_match)
        if current_etag is None or not ("*" in tags or current_etag in tags):
            return PRECONDITION_FAILED
    if if_none_match is not None and current_etag is not None:
        tags = _tags(if_none_match)
        if "*" in tags or current_etag in tags:
            return PRECONDITION_FAILED
    if headers_required and current_etag is not None and if_match is None and if_none_match is None:
        return CONFLICT
    return None


class NotMergeable(ValueError):
    """A POST that cannot be merged into the stored document: 400 Bad Request (Communication 2.2.s8.b1)."""


def _json_object(content: bytes, content_type: str, which: str) -> dict:
    if media_type(content_type) != JSON_TYPE:
        raise NotMergeable(f"The {which} document is not {JSON_TYPE}, so the two cannot be merged; "
                           "replace the document with PUT instead.")
    try:
        value = json.loads(content.decode("utf-8"))
    except (ValueError, RecursionError) as exc:
        raise NotMergeable(f"The {which} document is not valid JSON, so the two cannot be merged.") from exc
    if not isinstance(value, dict):
        raise NotMergeable(f"The {which} document is not a JSON object, so the two cannot be merged.")
    return value


def merged(stored: bytes, stored_type: str, sent: bytes, sent_type: str) -> bytes:
    """POST onto an existing document (Communication 2.2.s7): both must be JSON objects; every top-level
    property sent replaces the stored one, the others stay."""
    existing = _json_object(stored, stored_type, "stored")
    posted = _json_object(sent, sent_type, "posted")
    existing.update(posted)
    return json.dumps(existing, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
