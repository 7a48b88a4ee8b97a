"""The statement resource (xAPI 1.0.3, Communication 2.1): intake, single reads and queries.

Intake (`store`) is one transaction a request: every statement of a request is stored, or none. The LRS
sets `stored`, `authority` (from the credentials), `version` ("1.0.0" when not sent) and `timestamp` (= stored
when not sent), so what is stored is exactly what any later GET returns. Statements are immutable: the same
id again with the same content is a no-op, with other content 409. Progress (lms.progress) folds the new
statements in the same transaction, and `lms.events.statements_stored` is published before the commit.
"""

import base64
import hashlib
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from flask import current_app
from sqlalchemy import delete, exists, func, insert, select, union, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from lms.dates import utcnow
from lms.errors import BadRequest, Conflict, Forbidden, NotFound
from lms.events import publish, statements_stored
from lms.extensions import db
from lms.hooks import domain_hooks
from lms.progress import statements as progress
from lms.xapi import activities, agents, compare, formats, multipart, signature, validation
from lms.xapi.models import (
    LrsAttachment,
    LrsStatement,
    LrsStatementActivity,
    LrsStatementAgent,
    LrsStatementAttachment,
    key_of,
)
from lms.xapi.multipart import Part
from lms.xapi.principal import STATEMENTS_READ, Principal

VERSION_HEADER = "X-Experience-API-Version"
VERSION = "1.0.3"
CONSISTENT_HEADER = "X-Experience-API-Consistent-Through"
MAX_BATCH = 1000
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
ATTACHMENT_USAGE_SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
OTHER_CONTENT = "A statement with this id and other content exists."
NO_STATEMENT = "No such statement."
# an intake transaction takes at most this long, so every statement stored before now minus it is visible
CONSISTENCY_MARGIN = timedelta(seconds=2)
_RETRIES = 3


# --- reading statements -------------------------------------------------------------------------------------


def bad_statements(problems: dict) -> BadRequest:
    return BadRequest("Some statements are invalid.", errors={"json": problems})


def parse_body(body, *, single: bool = False, size: int = 0) -> list[dict]:
    """The statements of a request body: one statement, or (unless `single`) a non-empty array; 400 for
    anything else (xAPI 1.0.3, Communication 2.1.1/2.1.2: a bad statement is 400, and a batch stores nothing)."""
    if single and not isinstance(body, dict):
        raise BadRequest("Send one statement (a JSON object) with statementId.")
    items = body if isinstance(body, list) else [body]
    if not items or not all(isinstance(item, dict) for item in items):
        raise bad_statements({"statements": ["an object or a non-empty array of objects"]})
    if len(items) > MAX_BATCH:
        raise BadRequest(f"At most {MAX_BATCH} statements per request.")
    problems: dict = {}
    # a text longer than MAX_TEXT can only be there when the body is that large per statement
    long_texts = size > MAX_TEXT * len(items) // 2
    for index, item in enumerate(items):
        found = validation.statement_problems(item) or _structure_problems(item)
        if not found and long_texts and _longest_text(item) > MAX_TEXT:
            found = {"": [f"a text of at most {MAX_TEXT:,} characters"]}
        if found:
            problems[str(index)] = found
    if problems:
        raise bad_statements(problems if isinstance(body, list) else problems["0"])
    return items


def _structure_problems(item: dict) -> dict[str, list[str]]:
    """What the store itself needs of a statement (the full data model is `validation`'s): its identifiers
    well formed, an identified actor, an IRI verb, an object it can index."""
    problems: dict[str, list[str]] = {name[:100]: ["not a statement property (Data 2.4)"]
                                      for name in list(item.keys() - STATEMENT_PROPERTIES)[:20]}
    if "id" in item and not _is_uuid(item["id"]):
        problems["id"] = ["a UUID"]
    actor = item.get("actor")
    if not isinstance(actor, dict):
        problems["actor"] = ["required, an object"]
    else:
        problems.update(_agent_problems(actor, "actor"))
    verb = item.get("verb")
    if not isinstance(verb, dict) or not _is_iri(verb.get("id")):
        problems["verb.id"] = ["required, an IRI"]
    object_ = item.get("object")
    if not isinstance(object_, dict):
        problems["object"] = ["required, an object"]
    else:
        kind = object_.get("objectType", "Activity")
        if kind not in OBJECT_TYPES:
            problems["object.objectType"] = [f"one of {', '.join(OBJECT_TYPES)}"]
        elif isinstance(verb, dict) and verb.get("id") == VOIDED and kind != "StatementRef":
            problems["object"] = ["a voiding statement's object is a StatementRef (Data 2.3.2)"]
        elif kind == "StatementRef" and not _is_uuid(object_.get("id")):
            problems["object.id"] = ["a statement id (UUID)"]
        elif kind == "Activity" and not _is_iri(object_.get("id")):
            problems["object.id"] = ["required, an IRI"]
        elif kind in ("Agent", "Group"):
            problems.update(_agent_problems(object_, "object"))
    if "version" in item and not (isinstance(item["version"], str) and _VERSION.match(item["version"])):
        problems["version"] = ["1.0.x"]
    result = item.get("result")
    score = result.get("score") if isinstance(result, dict) else None
    if isinstance(score, dict) and "scaled" in score and not (
            isinstance(score["scaled"], int | float) and -1 <= score["scaled"] <= 1):
        problems["result.score.scaled"] = ["a number from -1 to 1"]
    context = item.get("context")
    if "context" in item and not isinstance(context, dict):
        problems["context"] = ["an object"]
    if isinstance(context, dict) and "registration" in context and not _is_uuid(context["registration"]):
        problems["context.registration"] = ["a UUID"]
    for name in ("timestamp", "stored"):
        if name in item and parse_time(item[name]) is None:
            problems[name] = ["an ISO 8601 timestamp"]
    return problems


STATEMENT_PROPERTIES = frozenset(("id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                                  "authority", "version", "attachments"))
OBJECT_TYPES = ("Activity", "Agent", "Group", "SubStatement", "StatementRef")
_VERSION = re.compile(r"^1\.0(\.\d+)?$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)?$")
MAX_TEXT = 32_768


def _agent_problems(agent: dict, where: str) -> dict[str, list[str]]:
    """An agent or group: its type, name, and exactly one well-formed identifier (an anonymous group has
    members instead)."""
    problems: dict[str, list[str]] = {}
    kind = agent.get("objectType", "Agent")
    if kind not in ("Agent", "Group"):
        problems[f"{where}.objectType"] = ["Agent or Group"]
    if "name" in agent and not isinstance(agent["name"], str):
        problems[f"{where}.name"] = ["a string"]
    ifis = [name for name in agents.IFI_NAMES if name in agent]
    if len(ifis) > 1:
        problems[where] = ["exactly one inverse functional identifier"]
    elif not ifis:
        if kind != "Group" or not isinstance(agent.get("member"), list):
            problems[where] = ["an inverse functional identifier (mbox, mbox_sha1sum, openid or account)"]
    else:
        name, value = ifis[0], agent[ifis[0]]
        if name == "account":
            if not isinstance(value, dict) or not _is_iri(value.get("homePage")) or \
                    not isinstance(value.get("name"), str) or not value["name"]:
                problems[f"{where}.account"] = ["homePage (an IRL) and name"]
        elif name == "mbox" and not (isinstance(value, str) and value.startswith("mailto:") and "@" in value):
            problems[f"{where}.mbox"] = ["a mailto: IRI"]
        elif name == "mbox_sha1sum" and not (isinstance(value, str) and re.fullmatch(r"[0-9a-fA-F]{40}", value)):
            problems[f"{where}.mbox_sha1sum"] = ["a SHA-1 hex digest"]
        elif name == "openid" and not _is_iri(value):
            problems[f"{where}.openid"] = ["an IRI"]
    return problems


def _longest_text(node, depth: int = 0) -> int:
    if isinstance(node, str):
        return len(node)
    if depth > 64:
        return 0
    if isinstance(node, dict):
        return max([_longest_text(v, depth + 1) for v in node.values()] + [len(k) for k in node] + [0])
    if isinstance(node, list):
        return max([_longest_text(v, depth + 1) for v in node] + [0])
    return 0


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def _is_iri(value) -> bool:
    """An absolute IRI (RFC 3987): a scheme, then no spaces, quotes or angle brackets."""
    return isinstance(value, str) and len(value) <= 4096 and _IRI.match(value) is not None


def _is_uuid(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


def parse_time(value) -> datetime | None:
    """An ISO 8601 timestamp in UTC (a time without offset is read as UTC), or None when it is not one."""
    if not isinstance(value, str) or len(value) > 64 or not _TIMESTAMP.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


# --- keys of a statement ------------------------------------------------------------------------------------


def statement_agent_keys(statement: dict) -> tuple[set[str], set[str]]:
    """(direct, related) agent keys of a statement (Communication 2.1.3 `agent` and `related_agents`)."""
    return agents.statement_agent_keys(statement, False), agents.statement_agent_keys(statement, True)


def statement_activity_ids(statement: dict) -> tuple[str | None, set[str]]:
    """(the object activity id, related activity ids) (Communication 2.1.3 `activity`, `related_activities`)."""
    direct = agents.statement_activity_ids(statement, False)
    return (next(iter(direct)) if direct else None), agents.statement_activity_ids(statement, True)


def authority_of(principal: Principal) -> dict:
    """The `authority` the LRS sets on statements sent with these credentials."""
    if principal.authority is not None:
        return dict(principal.authority)
    return {"objectType": "Agent", "account": {
        "homePage": current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/api/v1/xapi/clients",
        "name": principal.client_id or principal.kind}}


def _agent_key_of(agent: dict | None) -> str | None:
    key = agents.agent_key(agent) if isinstance(agent, dict) else None
    return key_of(key) if key else None


# --- intake -------------------------------------------------------------------------------------------------


@dataclass
class _Prepared:
    statement: dict
    id: str
    voiding_target: str | None
    attachments: list[str] = field(default_factory=list)


def store(principal: Principal, statements: list[dict], parts: list[Part] = (), *,
          statement_id: str | None = None) -> list[str]:
    """Store a request's statements (all or none) and return their ids in the order sent.

    `parts`: the attachment parts of a `multipart/mixed` request. `statement_id`: the PUT's `statementId` (one
    statement whose `id` is absent or the same). Raises 400 for invalid ones (attachments and signatures too), 403 for what the credentials may not write, 404 (a learner voiding what is not theirs),
    409 for an id stored with other content."""
    if statement_id is not None:
        sent = statements[0].get("id")
        if sent is not None and str(sent).lower() != statement_id.lower():
            raise BadRequest("The statement's id differs from statementId.")
        statements = [{**statements[0], "id": statement_id.lower()}]
    prepared = [_prepare(principal, s) for s in statements]
    ids = [p.id for p in prepared]
    if len(set(ids)) != len(ids):
        raise BadRequest("A statement id occurs twice in this request.")
    attachments = _check_attachments(prepared, list(parts))
    for check in domain_hooks().statement_checks:
        check(principal, [p.statement for p in prepared])
    for attempt in range(_RETRIES):
        try:
            _store_once(principal, prepared, attachments)
            break
        except IntegrityError:  # a concurrent request stored one of these ids first: judge them again
            db.session.rollback()
            if attempt == _RETRIES - 1:
                raise Conflict(OTHER_CONTENT) from None
    return ids


def _prepare(principal: Principal, statement: dict) -> _Prepared:
    statement_id = str(statement.get("id") or uuid.uuid4()).lower()
    if principal.agent is not None and agents.agent_key(statement.get("actor") or {}) != agents.agent_key(
            principal.agent):
        raise Forbidden("These credentials write statements about their own agent only (actor).")
    voiding = statement["verb"]["id"] == VOIDED
    if voiding and principal.kind == "session":
        raise Forbidden("An assignable unit's session may not void statements.")
    target = statement["object"]["id"].lower() if voiding else None
    return _Prepared({**statement, "id": statement_id}, statement_id, target)


def _check_attachments(prepared: list[_Prepared], parts: list[Part]) -> list[Part]:
    """The attachment parts matched to their statements (Communication 1.5.2), signed statements checked
    (Data 2.6); 400 for what breaks the rules. Returns the parts to store."""
    statements = [p.statement for p in prepared]
    problems = multipart.attachment_problems(statements, parts)
    for p in prepared:
        problems += [f"statement {p.id}: {problem}" for problem in signature.statement_signature_problems(
            p.statement, parts)]
    if problems:
        raise BadRequest("The statements' attachments are not as xAPI requires.", errors={"json": {
            "attachments": problems[:20]}})
    by_hash = {(part.sha2 or "").lower(): part for part in parts}
    for p in prepared:
        for holder in (p.statement, p.statement.get("object")):
            for attachment in (holder.get("attachments") or []) if isinstance(holder, dict) else []:
                sha2 = str(attachment.get("sha2", "")).lower() if isinstance(attachment, dict) else ""
                if sha2 in by_hash and sha2 not in p.attachments:
                    p.attachments.append(sha2)
    return list({(part.sha2 or "").lower(): part for part in parts}.values())


def _store_once(principal: Principal, prepared: list[_Prepared], attachments: list[Part]) -> None:
    now = utcnow()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    ids = [p.id for p in prepared]
    existing = {row.id: row for row in db.session.execute(
        select(LrsStatement.id, LrsStatement.statement, LrsStatement.voiding).where(LrsStatement.id.in_(ids)))}
    new = []
    for p in prepared:
        known = existing.get(p.id)
        if known is None:
            new.append(p)
        elif not same_statement(json.loads(known.statement), p.statement):
            raise Conflict(f"{OTHER_CONTENT} ({p.id})")
    if not new:
        db.session.rollback()
        return
    voided = _voiding(principal, new)
    authority = authority_of(principal)
    authority_key = _agent_key_of(authority)
    # statements already voided by a voiding statement stored before them
    voided_on_arrival = set(db.session.scalars(select(LrsStatement.ref_target).where(
        LrsStatement.voiding, LrsStatement.ref_target.in_([p.id for p in new]))))
    rows, final = [], []
    for p in new:
        statement = formats.with_lrs_fields(p.statement, id=p.id, stored=iso(now), authority=authority)
        final.append(statement)
        object_ = statement["object"]
        activity_id, _ = statement_activity_ids(statement)
        registration = (statement.get("context") or {}).get("registration")
        rows.append({
            "id": p.id, "statement": json.dumps(statement, ensure_ascii=False, separators=(",", ":")),
            "verb_key": key_of(statement["verb"]["id"]),
            "activity_key": key_of(activity_id) if activity_id else None,
            "actor_key": _agent_key_of(statement["actor"]), "authority_key": authority_key,
            "registration": registration.lower() if isinstance(registration, str) else None,
            "ref_target": object_["id"].lower() if object_.get("objectType") == "StatementRef" else None,
            "voiding": p.voiding_target is not None,
            "voided": p.voiding_target is None and (p.id in voided_on_arrival or p.id in voided),
            "stored": now, "timestamp": parse_time(statement["timestamp"]),
        })
    table = LrsStatement.__table__
    seqs = dict((row_id, seq) for seq, row_id in db.session.execute(
        insert(table).returning(table.c.seq, table.c.id), rows))
    agent_rows, activity_rows, attachment_rows = [], [], []
    by_id = {p.id: p for p in new}
    for statement in final:
        seq = seqs[statement["id"]]
        direct, related = statement_agent_keys(statement)
        agent_rows += [{"agent_key": key_of(k), "statement_seq": seq, "direct": k in direct} for k in related]
        activity_id, activity_ids = statement_activity_ids(statement)
        activity_rows += [{"activity_key": key_of(a), "statement_seq": seq, "direct": a == activity_id}
                          for a in activity_ids]
        attachment_rows += [{"statement_seq": seq, "sha2": sha2} for sha2 in dict.fromkeys(by_id[statement["id"]]
                                                                                            .attachments)]
    if agent_rows:
        db.session.execute(insert(LrsStatementAgent.__table__), agent_rows)
    if activity_rows:
        db.session.execute(insert(LrsStatementActivity.__table__), activity_rows)
    if attachment_rows:
        _store_attachments(attachments)
        db.session.execute(insert(LrsStatementAttachment.__table__), attachment_rows)
    stored_targets = [t for t in voided if t not in by_id]
    if stored_targets:
        db.session.execute(update(LrsStatement).where(LrsStatement.id.in_(stored_targets),
                                                      LrsStatement.voiding.is_(False)).values(voided=True))
    activities.remember(final, principal)
    progress.project(final, {**{t: v for t, v in voided.items()},
                             **{i: "" for i in voided_on_arrival}}, now=now,
                     strict_learner_id=principal.learner_id if principal.kind == "learner" else None)
    publish(statements_stored, "lrs", principal=principal, statements=final)
    db.session.commit()


def _voiding(principal: Principal, new: list[_Prepared]) -> dict[str, str]:
    """Target id -> voiding statement id for the voiding statements among `new`; a voiding statement may not
    target another voiding statement (400), and a learner voids only their own statements (404 otherwise)."""
    targets = {p.voiding_target: p.id for p in new if p.voiding_target}
    if not targets:
        return {}
    batch = {p.id: p for p in new}
    stored = {row.id: row for row in db.session.execute(
        select(LrsStatement.id, LrsStatement.voiding, LrsStatement.actor_key).where(
            LrsStatement.id.in_(list(targets))))}
    own = _agent_key_of(principal.agent)
    for target, voider in targets.items():
        in_batch, in_store = batch.get(target), stored.get(target)
        if (in_batch is not None and in_batch.voiding_target) or (in_store is not None and in_store.voiding):
            raise bad_statements({voider: {"object.id": ["a voiding statement cannot be voided (Data 2.3.2)"]}})
        if principal.kind == "learner":
            theirs = in_batch is not None or (in_store is not None and in_store.actor_key == own)
            if not theirs:
                raise NotFound(NO_STATEMENT)
    return targets


def _store_attachments(parts: list[Part]) -> None:
    """Attachment content, once per hash (a part already stored is the same content)."""
    by_hash = {(part.sha2 or "").lower(): part for part in parts}
    known = set(db.session.scalars(select(LrsAttachment.sha2).where(LrsAttachment.sha2.in_(list(by_hash)))))
    fresh = [{"sha2": sha2, "content_type": part.content_type or "application/octet-stream", "data": part.data}
             for sha2, part in by_hash.items() if sha2 not in known]
    if fresh:
        db.session.execute(insert(LrsAttachment.__table__), fresh)


def same_statement(stored: dict, sent: dict) -> bool:
    """Whether a statement sent again is the one stored (Data 2.3.1)."""
    return compare.same_statement(stored, sent)


# --- reads --------------------------------------------------------------------------------------------------

QUERY_PARAMS = ("statementId", "voidedStatementId", "agent", "verb", "activity", "registration",
                "related_activities", "related_agents", "since", "until", "limit", "format", "attachments",
                "ascending", "cursor")
FORMATS = ("ids", "exact", "canonical")
_SINGLE_ALLOWED = {"statementId", "voidedStatementId", "format", "attachments"}


@dataclass
class Result:
    """What a GET answers: the JSON body (a statement or a StatementResult), its headers, and the
    attachment parts to send along when `attachments=true`."""

    body: str
    headers: dict[str, str]
    attachments: list[Part] | None


def _flag(args: dict, name: str) -> bool:
    value = args.get(name)
    if value is None:
        return False
    if value.lower() not in ("true", "false"):  # clients write Python's True as well
        raise BadRequest(f"{name} is true or false.")
    return value.lower() == "true"


def read(principal: Principal, args: dict[str, str], *, language: str | None = None) -> Result:
    """GET on the statement resource: one statement by `statementId`/`voidedStatementId`, or a query."""
    fmt = args.get("format", "exact")
    if fmt not in FORMATS:
        raise BadRequest("format is ids, exact or canonical.")
    with_attachments = _flag(args, "attachments")
    now = utcnow()
    headers = {CONSISTENT_HEADER: iso(now - CONSISTENCY_MARGIN)}
    if "statementId" in args or "voidedStatementId" in args:
        if set(args) - _SINGLE_ALLOWED or ("statementId" in args and "voidedStatementId" in args):
            raise BadRequest("statementId and voidedStatementId take no other parameters than format and "
                             "attachments.")
        voided = "voidedStatementId" in args
        wanted = args["voidedStatementId" if voided else "statementId"]
        if not _is_uuid(wanted):
            raise BadRequest("A statement id is a UUID.")
        query = select(LrsStatement.seq, LrsStatement.statement, LrsStatement.stored).where(
            LrsStatement.id == wanted.lower(), LrsStatement.voided.is_(voided))
        query = _mine(principal, query)
        row = db.session.execute(query).first()
        db.session.rollback()
        if row is None:
            raise NotFound(NO_STATEMENT)
        headers["Last-Modified"] = format_datetime(row.stored.astimezone(UTC), usegmt=True)
        text = _formatted(row.statement, fmt, language)
        return Result(text, headers, _attachments_of([row.seq]) if with_attachments else None)
    return _query(principal, args, fmt, with_attachments, headers, language)


def _mine(principal: Principal, query, t=LrsStatement):
    """Limit a read to the principal's own statements unless it may read all (`statements/read`); `t`: the
    statements' columns."""
    if principal.may(STATEMENTS_READ):
        return query
    if principal.agent is not None:
        return query.where(t.actor_key == _agent_key_of(principal.agent))
    return query.where(t.authority_key == _agent_key_of(authority_of(principal)))


def _query(principal: Principal, args: dict, fmt: str, with_attachments: bool, headers: dict,
           language: str | None) -> Result:
    related_agents = _flag(args, "related_agents")
    related_activities = _flag(args, "related_activities")
    ascending = _flag(args, "ascending")
    try:
        limit = int(args.get("limit", DEFAULT_LIMIT))
    except ValueError:
        raise BadRequest("limit is a whole number.") from None
    if limit < 0:
        raise BadRequest("limit is a whole number.")
    limit = MAX_LIMIT if limit == 0 else min(limit, MAX_LIMIT)
    moment_of = {}
    for name in ("since", "until"):
        if name in args:
            moment_of[name] = parse_time(args[name])
            if moment_of[name] is None:
                raise BadRequest(f"{name} is an ISO 8601 timestamp.")
    content = _content_filters(args, related_agents, related_activities)
    s = LrsStatement
    after, bound = _cursor(args.get("cursor"))
    if bound is None:
        bound = db.session.scalar(select(func.max(s.seq))) or 0

    def page(query, t=s):
        """The time and sequence conditions, which apply to the returned statement itself (2.1.3); `t`: the
        statements' columns (the model's, or those of the StatementRef chains)."""
        query = query.where(t.voided.is_(False), t.seq <= bound)
        for name, condition in (("since", t.stored.__gt__), ("until", t.stored.__le__)):
            if name in args:
                query = query.where(condition(moment_of[name]))
        if after is not None:
            query = query.where(t.seq > after if ascending else t.seq < after)
        query = _mine(principal, query, t)
        return query.order_by(t.seq.asc() if ascending else t.seq.desc()).limit(limit + 1)

    if not content:
        query = page(select(s.seq, s.statement))
    else:
        # Communication 2.1.3 (Filter Conditions for StatementRefs): a statement whose object is a
        # StatementRef meets the filters when the statement it targets does, recursively along a chain, and
        # a voided target counts as well (2.1.4); each branch is its own ordered, limited scan, and the
        # referring statements carry the columns their page is cut by (no scan of the store to join them)
        direct = page(_filtered(select(s.seq), s, content))
        refs = _referring(content, bound)
        referring = page(select(refs.c.seq), refs.c)
        seqs = union(select(direct.subquery().c.seq), select(referring.subquery().c.seq)).subquery()
        query = select(s.seq, s.statement).join(seqs, seqs.c.seq == s.seq).order_by(
            s.seq.asc() if ascending else s.seq.desc()).limit(limit + 1)
    rows = db.session.execute(query).all()
    db.session.rollback()
    more = ""
    if len(rows) > limit:
        rows = rows[:limit]
        kept = {k: v for k, v in args.items() if k != "cursor"}
        kept["cursor"] = _encode_cursor(rows[-1].seq, bound)
        from urllib.parse import urlencode

        more = "/api/v1/xapi/statements?" + urlencode(kept)
    body = '{"statements":[' + ",".join(_formatted(r.statement, fmt, language) for r in rows) + \
        '],"more":' + json.dumps(more) + "}"
    return Result(body, headers, _attachments_of([r.seq for r in rows]) if with_attachments else None)


def _content_filters(args: dict, related_agents: bool, related_activities: bool) -> list[tuple[str, str]]:
    """The filters a targeted statement may meet for its referrers (all but since, until and limit)."""
    content = []
    if "agent" in args:
        content.append(("agent_related" if related_agents else "agent", _agent_filter(args["agent"])))
    if "verb" in args:
        content.append(("verb", key_of(_iri(args["verb"], "verb"))))
    if "activity" in args:
        activity = key_of(_iri(args["activity"], "activity"))
        content.append(("activity_related" if related_activities else "activity", activity))
    if "registration" in args:
        if not _is_uuid(args["registration"]):
            raise BadRequest("registration is a UUID.")
        content.append(("registration", args["registration"].lower()))
    return content


def _filtered(query, s, content: list[tuple[str, str]]):
    """`query` on the statements `s` (the model or an alias) limited to those meeting `content` directly."""
    for kind, value in content:
        if kind.startswith("agent"):
            joined = LrsStatementAgent.__table__.alias()
            query = query.join(joined, joined.c.statement_seq == s.seq).where(joined.c.agent_key == value)
            if kind == "agent":
                query = query.where(joined.c.direct.is_(True))
        elif kind == "verb":
            query = query.where(s.verb_key == value)
        elif kind == "activity_related":
            joined = LrsStatementActivity.__table__.alias()
            query = query.join(joined, joined.c.statement_seq == s.seq).where(joined.c.activity_key == value)
        elif kind == "activity":
            query = query.where(s.activity_key == value)
        else:
            query = query.where(s.registration == value)
    return query


def _referring(content: list[tuple[str, str]], bound: int):
    """The statements whose StatementRef object targets, directly or along a chain of StatementRefs, a
    statement meeting `content`, voided or not, with the columns a page is cut by; only statements up to
    `bound` count, so a `more` cursor keeps its set."""

    def columns(t):
        return select(t.id, t.seq, t.voided, t.stored, t.actor_key, t.authority_key)

    referrer, target, further = aliased(LrsStatement), aliased(LrsStatement), aliased(LrsStatement)
    refs = _filtered(columns(referrer).join(target, target.id == referrer.ref_target), target, content).where(
        target.seq <= bound, referrer.seq <= bound).cte("refs", recursive=True)
    return refs.union(columns(further).join(refs, further.ref_target == refs.c.id).where(further.seq <= bound))


def _cursor(value: str | None) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    try:
        after, bound = base64.urlsafe_b64decode(value.encode() + b"==").decode().split(".")
        return int(after), int(bound)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("cursor comes from a more URL as it was given.") from None


def _encode_cursor(after: int, bound: int) -> str:
    return base64.urlsafe_b64encode(f"{after}.{bound}".encode()).decode().rstrip("=")


def _agent_filter(value: str) -> str:
    try:
        agent = json.loads(value)
    except ValueError:
        raise BadRequest("agent is an Agent or identified Group as JSON.") from None
    key = agents.agent_key(agent) if isinstance(agent, dict) else None
    if key is None:
        raise BadRequest("agent is an Agent or identified Group with one inverse functional identifier.")
    return key_of(key)


def _iri(value: str, name: str) -> str:
    if not _is_iri(value):
        raise BadRequest(f"{name} is an IRI.")
    return value


def _formatted(text: str, fmt: str, language: str | None) -> str:
    """A stored statement in the requested format (Communication 2.1.3 `format`)."""
    if fmt == "exact":
        return text
    statement = json.loads(text)
    statement = formats.to_ids(statement) if fmt == "ids" else formats.to_canonical(statement, language)
    return json.dumps(statement, ensure_ascii=False, separators=(",", ":"))


def _attachments_of(seqs: list[int]) -> list[Part]:
    if not seqs:
        return []
    rows = db.session.execute(select(LrsAttachment.sha2, LrsAttachment.content_type, LrsAttachment.data).where(
        LrsAttachment.sha2.in_(select(LrsStatementAttachment.sha2).where(
            LrsStatementAttachment.statement_seq.in_(seqs)))).order_by(LrsAttachment.sha2)).all()
    db.session.rollback()
    return [Part(r.content_type, r.sha2, {}, r.data) for r in rows]


def sha2_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --- a learner's records: export and erasure ----------------------------------------------------------------


def _learner_keys(learner, values) -> list[str]:
    """The indexed keys of a learner's agents: their account on this LMS, and the mailboxes among `values` (as
    mbox and mbox_sha1sum)."""
    from lms.xapi.principal import learner_agent

    keys = {agents.agent_key(learner_agent(learner.id))}
    for value in values:
        text = (value or "").strip()
        if "@" in text and " " not in text:
            mbox = "mailto:" + text
            keys.add(agents.agent_key({"mbox": mbox}))
            keys.add(agents.agent_key({"mbox_sha1sum": hashlib.sha1(mbox.encode(), usedforsecurity=False)
                                       .hexdigest()}))
    return sorted(key_of(k) for k in keys if k)


def _learner_seqs(learner, values):
    return select(LrsStatementAgent.statement_seq).where(LrsStatementAgent.agent_key.in_(
        _learner_keys(learner, values)))


def learner_records(learner) -> list[dict]:
    """Export section: every statement about the learner, as the LRS returns it."""
    rows = db.session.execute(select(LrsStatement.id, LrsStatement.voided, LrsStatement.statement).where(
        LrsStatement.seq.in_(_learner_seqs(learner, [learner.email]))).order_by(LrsStatement.seq))
    return [{"id": r.id, "voided": r.voided, "statement": json.loads(r.statement)} for r in rows]



def erase_learner(learner, values: frozenset[str]) -> list:
    """Erasure step: delete every statement about the learner (their account on this LMS, or a mailbox of theirs
    among the personal values, as actor, object, instructor, team or authority, in a group too) with its index
    rows, and attachment content no remaining statement carries; no files."""
    seqs = list(db.session.scalars(_learner_seqs(learner, values)))
    if not seqs:
        return []
    shas = set(db.session.scalars(select(LrsStatementAttachment.sha2).where(
        LrsStatementAttachment.statement_seq.in_(seqs))))
    for table in (LrsStatementActivity, LrsStatementAttachment, LrsStatementAgent):
        db.session.execute(delete(table).where(table.statement_seq.in_(seqs)))
    db.session.execute(delete(LrsStatement).where(LrsStatement.seq.in_(seqs)))
    for sha2 in sorted(shas):
        if not db.session.scalar(select(exists().where(LrsStatementAttachment.sha2 == sha2))):
            db.session.execute(delete(LrsAttachment).where(LrsAttachment.sha2 == sha2))
    return []
