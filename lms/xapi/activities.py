"""What the LRS knows about activities and agents: the Activities and Agents resources (Communication 2.5, 2.6).

Activity definitions are remembered from the statements stored (`remember`, called by the statement intake
in its own transaction). Data 2.4.4.1: an LRS decides whether a statement's provider has the authority to
change a stored definition and updates it if so. Here the first definition seen is kept; a later one changes
it only when sent by credentials with the `define` scope (Communication 4.2: "(re)Define Activities and
Actors"), and then it is merged into the stored one: language maps and extensions key by key, every other
property replaced.
"""

import hashlib
import json
from datetime import datetime

from sqlalchemy import JSON, String, Text, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from lms.columns import UTCDateTime
from lms.dates import utcnow
from lms.errors import BadRequest
from lms.extensions import db
from lms.xapi import agents
from lms.xapi.validation import is_iri

MAX_ACTIVITY_ID = 2048
# definition properties that are language maps or extensions: merged key by key (Data 2.4.4.1)
MERGED = ("name", "description", "extensions")
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")


class ActivityDefinition(db.Model):
    """The LRS's definition of one activity, keyed by the digest of its IRI (IRIs may be long)."""

    __tablename__ = "lrs_activities"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    activity_id: Mapped[str] = mapped_column(Text)
    definition: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def _id_hash(activity_id: str) -> str:
    return hashlib.sha256(activity_id.encode()).hexdigest()


# -- the Activities resource ---------------------------------------------------------------------------------

def parse_activity_id(value: str | None) -> str:
    """The `activityId` parameter: required, an IRI (Communication 2.5: 400 otherwise)."""
    if value is None or not value.strip():
        raise BadRequest("The activityId parameter is required.")
    if len(value) > MAX_ACTIVITY_ID or not is_iri(value):
        raise BadRequest("activityId must be an IRI.")
    return value


def activity_object(activity_id: str) -> dict:
    """The Activity object with the definition the LRS holds; only its id when it knows none (Communication
    2.5: the LRS still returns an Activity object)."""
    definition = db.session.scalar(
        select(ActivityDefinition.definition).where(ActivityDefinition.id_hash == _id_hash(activity_id)))
    activity = {"objectType": "Activity", "id": activity_id}
    if definition:
        activity["definition"] = definition
    return activity


def remember(statements: list[dict], principal=None) -> None:
    """Keep the activity definitions of valid statements being stored, in the caller's transaction (the
    caller commits). `principal` (default: the request's) decides whether a stored definition may change:
    only with the `define` scope. Safe under concurrent intake: a definition inserted meanwhile is merged."""
    found: dict[str, list[dict]] = {}
    for statement in statements:
        for activity in _activities(statement):
            found.setdefault(activity["id"], []).append(activity["definition"])
    if not found:
        return
    trusted = _may_define(principal)
    hashes = {_id_hash(activity_id): activity_id for activity_id in found}
    new = [(h, activity_id) for h, activity_id in hashes.items()]
    insert = postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    rows = [{"id_hash": h, "activity_id": activity_id, "definition": _first(found[activity_id], trusted),
             "updated_at": now} for h, activity_id in new]
    inserted = set(db.session.scalars(
        insert(ActivityDefinition).values(rows).on_conflict_do_nothing(index_elements=["id_hash"])
        .returning(ActivityDefinition.id_hash)))
    if not trusted:
        return
    # stored before this statement: merged into, under a row lock (a concurrent definer waits)
    older = [h for h in hashes if h not in inserted]
    if not older:
        return
    stored = dict(db.session.execute(
        select(ActivityDefinition.id_hash, ActivityDefinition.definition)
        .where(ActivityDefinition.id_hash.in_(older)).with_for_update()).all())
    for h in older:
        merged = stored.get(h) or {}
        for definition in found[hashes[h]]:
            merged = merge_definition(merged, definition)
        if merged != stored.get(h):
            db.session.execute(update(ActivityDefinition).where(ActivityDefinition.id_hash == h)
                               .values(definition=merged, updated_at=now)
                               .execution_options(synchronize_session=False))


def _may_define(principal) -> bool:
    if principal is None:
        from flask import g, has_request_context

        principal = g.get("principal") if has_request_context() else None
    return principal is not None and principal.may("define")


def _first(definitions: list[dict], trusted: bool) -> dict:
    """The definition a new activity is stored with: the first seen, merged with the rest when trusted."""
    result = definitions[0]
    if trusted:
        for definition in definitions[1:]:
            result = merge_definition(result, definition)
    return result


def merge_definition(stored: dict, sent: dict) -> dict:
    """`sent` over `stored`: language maps and extensions key by key, every other property replaced (pure)."""
    merged = dict(stored)
    for key, value in sent.items():
        if key in MERGED and isinstance(value, dict) and isinstance(stored.get(key), dict):
            merged[key] = {**stored[key], **value}
        else:
            merged[key] = value
    return merged


def _activities(statement) -> list[dict]:
    """The activities with a definition in a statement: its object, its context activities, and those of a
    sub-statement (Data 2.4.4, 2.4.6.2)."""
    if not isinstance(statement, dict):
        return []
    found = []
    for part in (statement, statement.get("object")):
        if not isinstance(part, dict):
            continue
        if part is not statement and part.get("objectType") != "SubStatement":
            continue
        target = part.get("object")
        if isinstance(target, dict) and target.get("objectType", "Activity") == "Activity":
            found.append(target)
        context = part.get("context")
        kinds = context.get("contextActivities") if isinstance(context, dict) else None
        if isinstance(kinds, dict):
            for kind in CONTEXT_ACTIVITY_KINDS:
                value = kinds.get(kind)
                found.extend(value if isinstance(value, list) else [value])
    return [a for a in found if isinstance(a, dict) and isinstance(a.get("id"), str)
            and 0 < len(a["id"]) <= MAX_ACTIVITY_ID and isinstance(a.get("definition"), dict) and a["definition"]]


# -- the Agents resource -------------------------------------------------------------------------------------

IFI_NAMES = agents.IFI_NAMES
MAX_AGENT_PARAMETER = 4096


def parse_agent(value: str | None) -> dict:
    """The `agent` parameter: JSON of an Agent with exactly one inverse functional identifier (Data 2.4.2.1),
    else 400 (Communication 2.6)."""
    if value is None or not value.strip():
        raise BadRequest("The agent parameter is required.")
    if len(value) > MAX_AGENT_PARAMETER:
        raise BadRequest("The agent parameter is too long.")
    try:
        agent = json.loads(value)
    except (ValueError, RecursionError) as exc:
        raise BadRequest("The agent parameter is not valid JSON.") from exc
    problem = agent_problem(agent)
    if problem:
        raise BadRequest(f"The agent parameter is not a valid Agent: {problem}.")
    return agent


def agent_problem(agent) -> str | None:
    """Why `agent` is not a valid Agent (Data 2.4.2.1, 2.4.2.3: one inverse functional identifier, no other
    properties than name and objectType), or None. A Group is not an Agent here."""
    problems = agents.agent_problems(agent, "agent", kind="member")
    if not problems:
        return None
    path, messages = next(iter(problems.items()))
    return f"{path}: {messages[0]}"


def person_of(agent: dict) -> dict:
    """The Person object for a valid agent (Communication 2.6): every property an array. With nothing more
    known, the Person holds just what the agent itself says."""
    person: dict = {"objectType": "Person"}
    if agent.get("name"):
        person["name"] = [agent["name"]]
    for name in IFI_NAMES:
        if name in agent:
            person[name] = [agent[name]]
    return person
