"""The state, activity profile and agent profile resources (xAPI 1.0.3, Communication 2.2–2.7, 3.1).

The HTTP side (`document_api`) calls `read`, `list_ids`, `write`, `remove` and `remove_states`, which commit.
Other domains writing documents inside their own transaction (cmi5's launch) call `put_state`,
`put_agent_profile` and `get_state`, which neither commit nor roll back.

Writers of one document take turns: the row is read `FOR UPDATE` (SQLite runs every transaction as
`BEGIN IMMEDIATE`), and of two writers creating it at once, the second's insert fails on the unique key in its
savepoint and it reads again, so a JSON merge never loses a concurrent update."""

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from lms.dates import utcnow
from lms.errors import BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed
from lms.extensions import db
from lms.xapi import document_rules as rules
from lms.xapi.agents import agent_key as canonical_agent_key
from lms.xapi.document_models import XapiDocument
from lms.xapi.principal import Principal, learner_agent

_SEP = "\x1f"
_WRITE_ATTEMPTS = 5


def _digest(*parts: str | None) -> str:
    return hashlib.sha256(_SEP.join(p or "" for p in parts).encode("utf-8")).hexdigest()


def agent_hash(agent_key: str) -> str:
    return _digest("agent", agent_key)


@dataclass(frozen=True)
class Scope:
    """Where documents live: a state's activity and agent, an activity's profiles, or an agent's profiles."""

    kind: str
    activity_id: str | None = None
    agent_key: str | None = None

    @property
    def hash(self) -> str:
        return _digest(self.kind, self.activity_id, self.agent_key)


@dataclass(frozen=True)
class Ref:
    """One document: its scope, registration (state only) and id."""

    scope: Scope
    document_id: str
    registration: str | None = None

    @property
    def key_hash(self) -> str:
        return _digest(self.scope.hash, self.registration, self.document_id)


def state_scope(activity_id: str, agent_key: str) -> Scope:
    return Scope(rules.STATE, activity_id=activity_id, agent_key=agent_key)


def activity_profile_scope(activity_id: str) -> Scope:
    return Scope(rules.ACTIVITY_PROFILE, activity_id=activity_id)


def agent_profile_scope(agent_key: str) -> Scope:
    return Scope(rules.AGENT_PROFILE, agent_key=agent_key)


@dataclass(frozen=True)
class Document:
    content: bytes
    content_type: str
    etag: str
    updated_at: datetime


def check_access(principal: Principal, agent_key: str | None) -> None:
    """A learner or a cmi5 session reads and writes only its own agent's documents (403 otherwise); an LRS
    client's scope decides alone."""
    if principal.kind == "client" or agent_key is None:
        return
    own = canonical_agent_key(principal.agent) if principal.agent else None
    if own is None or own != agent_key:
        raise Forbidden("These credentials may only use the documents of their own agent.")


# --- reads -------------------------------------------------------------------------------------------------


def _row(ref: Ref, *, lock: bool = False) -> XapiDocument | None:
    query = select(XapiDocument).where(XapiDocument.key_hash == ref.key_hash)
    if lock:
        query = query.with_for_update()
    return db.session.scalars(query).first()


def read(ref: Ref) -> Document:
    """One document (404 when there is none)."""
    row = _row(ref)
    if row is None:
        raise NotFound("No such document.")
    return Document(row.content, row.content_type, row.etag, row.updated_at)


def list_ids(scope: Scope, *, registration: str | None = None,
             since: datetime | None = None) -> tuple[list[str], datetime | None]:
    """The ids of a scope's documents (a state's: of any registration unless one is given), stored or
    changed after `since` (exclusive), oldest first; and when the latest of them changed."""
    query = select(XapiDocument.document_id, XapiDocument.updated_at).where(
        XapiDocument.scope_hash == scope.hash)
    if registration is not None:
        query = query.where(XapiDocument.registration == registration)
    if since is not None:
        query = query.where(XapiDocument.updated_at > since)
    rows = db.session.execute(query.order_by(XapiDocument.updated_at, XapiDocument.id)).all()
    ids = list(dict.fromkeys(row.document_id for row in rows))  # a state id may recur across registrations
    return ids, max((row.updated_at for row in rows), default=None)


# --- writes (no commit) ------------------------------------------------------------------------------------


def _store(ref: Ref, agent_key_hash: str | None, content: bytes, content_type: str, *, merge: bool,
           if_match: str | None = None, if_none_match: str | None = None, headers_required: bool = False) -> None:
    """Create or change one document under the concurrency rules; POST (`merge`) merges JSON objects."""
    for _attempt in range(_WRITE_ATTEMPTS):
        row = _row(ref, lock=True)
        failure = rules.precondition_failure(current_etag=row.etag if row else None, if_match=if_match,
                                             if_none_match=if_none_match, headers_required=headers_required)
        if failure == rules.CONFLICT:
            raise Conflict("The document exists and the request has neither If-Match nor If-None-Match: check "
                           "the document's current state and send If-Match with its ETag to replace it.")
        if failure == rules.PRECONDITION_FAILED:
            raise PreconditionFailed("The document does not match the If-Match or If-None-Match precondition.")
        if row is not None:
            if merge:
                try:
                    content = rules.merged(row.content, row.content_type, content, content_type)
                except rules.NotMergeable as exc:
                    raise BadRequest(str(exc)) from exc
                content_type = rules.JSON_TYPE
            row.content, row.content_type, row.etag = content, content_type, rules.etag_of(content)
            row.updated_at = utcnow()
            db.session.flush()
            return
        scope = ref.scope
        try:
            with db.session.begin_nested():
                db.session.add(XapiDocument(
                    kind=scope.kind, key_hash=ref.key_hash, scope_hash=scope.hash, agent_hash=agent_key_hash,
                    activity_id=scope.activity_id, agent_key=scope.agent_key, registration=ref.registration,
                    document_id=ref.document_id, content=content, content_type=content_type,
                    etag=rules.etag_of(content), updated_at=utcnow()))
            return
        except IntegrityError:
            continue  # created by a concurrent writer since we looked: look again, now it is there
    raise Conflict("The document is being changed by other requests; try again.")


def _hash_of(scope: Scope) -> str | None:
    return agent_hash(scope.agent_key) if scope.agent_key else None


def put_state(*, activity_id: str, agent: dict, state_id: str, registration: str | None, content: bytes,
              content_type: str) -> None:
    """Store (replace) a state document in the caller's transaction, as a PUT without preconditions would.
    `agent` is an Agent object; raises ValueError for an agent without exactly one identifier."""
    key = _agent_key_or_error(agent)
    ref = Ref(state_scope(activity_id, key), state_id, rules.parse_registration(registration))
    _store(ref, agent_hash(key), content, rules.stored_content_type(content_type), merge=False)


def put_agent_profile(*, agent: dict, profile_id: str, content: bytes, content_type: str) -> None:
    """Store (replace) an agent profile document in the caller's transaction."""
    key = _agent_key_or_error(agent)
    ref = Ref(agent_profile_scope(key), profile_id)
    _store(ref, agent_hash(key), content, rules.stored_content_type(content_type), merge=False)


def get_state(*, activity_id: str, agent: dict, state_id: str,
              registration: str | None = None) -> tuple[bytes, str] | None:
    """A state document's content and content type, or None when there is none."""
    key = _agent_key_or_error(agent)
    row = _row(Ref(state_scope(activity_id, key), state_id, rules.parse_registration(registration)))
    return (row.content, row.content_type) if row else None


def _agent_key_or_error(agent: dict) -> str:
    key = canonical_agent_key(agent) if isinstance(agent, dict) else None
    if key is None:
        raise ValueError("an agent with exactly one inverse functional identifier is required")
    return key


# --- the HTTP side (commits) -------------------------------------------------------------------------------


def write(ref: Ref, content: bytes, content_type: str | None, *, merge: bool, if_match: str | None,
          if_none_match: str | None) -> None:
    """PUT (replace) or POST (merge) a document and commit. A PUT to a profile document that exists needs
    If-Match or If-None-Match (409 without); the state resource honours them without requiring them."""
    content_type = _content_type(content_type)
    headers_required = not merge and ref.scope.kind != rules.STATE
    try:
        _store(ref, _hash_of(ref.scope), content, content_type, merge=merge, if_match=if_match,
               if_none_match=if_none_match, headers_required=headers_required)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise


def remove(ref: Ref, *, if_match: str | None) -> None:
    """DELETE one document (none there is no error, unless If-Match asked for one) and commit."""
    row = _row(ref, lock=True)
    failure = rules.precondition_failure(current_etag=row.etag if row else None, if_match=if_match,
                                         if_none_match=None, headers_required=False)
    if failure is not None:
        db.session.rollback()
        raise PreconditionFailed("The document does not match the If-Match precondition.")
    if row is not None:
        db.session.delete(row)
    db.session.commit()


def remove_states(scope: Scope, *, registration: str | None) -> None:
    """DELETE every state document of an activity and agent (of one registration when given) and commit."""
    query = delete(XapiDocument).where(XapiDocument.scope_hash == scope.hash)
    if registration is not None:
        query = query.where(XapiDocument.registration == registration)
    db.session.execute(query)
    db.session.commit()


def _content_type(value: str | None) -> str:
    try:
        return rules.stored_content_type(value)
    except rules.ParameterError as exc:
        raise BadRequest(str(exc)) from exc


# --- a learner's documents: export and erasure -------------------------------------------------------------


def _learner_agent_hashes(learner, values) -> list[str]:
    """The agent hashes of a learner: their account on this LMS, and the mailboxes among `values`."""
    keys = {canonical_agent_key(learner_agent(learner.id))}
    for value in values:
        text = (value or "").strip()
        if "@" in text and " " not in text:
            mbox = "mailto:" + text
            keys |= {f"mbox:{mbox}", f"mbox_sha1sum:{hashlib.sha1(mbox.encode(), usedforsecurity=False).hexdigest()}"}
    return sorted(agent_hash(k) for k in keys)


def export_documents(learner) -> list[dict]:
    """Export section: the documents whose agent is the learner (text as stored, other content in base64)."""
    rows = db.session.scalars(select(XapiDocument).where(
        XapiDocument.agent_hash.in_(_learner_agent_hashes(learner, [learner.email])))
        .order_by(XapiDocument.kind, XapiDocument.updated_at, XapiDocument.id))
    return [{"resource": row.kind, "activity_id": row.activity_id, "registration": row.registration,
             "id": row.document_id, "content_type": row.content_type, "updated_at": row.updated_at.isoformat(),
             **_exported_content(row.content)} for row in rows]


def _exported_content(content: bytes) -> dict:
    try:
        return {"content": content.decode("utf-8")}
    except UnicodeDecodeError:
        return {"content_base64": base64.b64encode(content).decode("ascii")}


def erase_documents(learner, values: frozenset[str]) -> list:
    """Erasure step: every document whose agent is the learner (their account on this LMS, or a mailbox of
    theirs among the personal values) is deleted; no files."""
    db.session.execute(delete(XapiDocument).where(
        XapiDocument.agent_hash.in_(_learner_agent_hashes(learner, values))))
    return []
