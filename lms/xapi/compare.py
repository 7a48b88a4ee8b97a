"""Whether two statements are the same statement (xAPI 1.0.3, Data 2.3.1 "Statement Comparison Requirements").

Differences that the exceptions to immutability (Data 2.3.1 b1–b7) could have caused are ignored:
- properties the LRS assigns: "authority", "stored" and "version" always; "id" and "timestamp" when one side
  lacks them (the LRS fills them in only when missing);
- Activity Definitions, wherever an Activity appears (b2), and the Verb's "display" (b3);
- the serialization of timestamps: equal points in time are equal, to the millisecond (b4, Data 4.5 s1.b7);
- the order of a Group's members (b5), and a context activity sent as one object rather than an array of one
  (the LRS returns arrays, Data 2.4.6.2 s4.b3);
- attachments (b6);
- case where a value is case insensitive (b7): UUIDs, the domain of an e-mail address, a SHA-1's hex digits;
- an "objectType" left out where the spec gives its default (Activity for objects, Agent for agents).
Everything else counts, including the Result Duration as a string (b8), beyond 0.01 s of precision (4.6 s1.b5).
"""

import json
import re

from lms.xapi.agents import mbox_normalized
from lms.xapi.validation import parse_timestamp

_DURATION_FRACTION = re.compile(r"(\d+)[.,](\d+)S\Z")


def _timestamp(value):
    moment = parse_timestamp(value)
    if moment is None:
        return ("invalid", value)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _agent(agent):
    if not isinstance(agent, dict):
        return agent
    out = dict(agent)
    out.setdefault("objectType", "Agent")
    if isinstance(out.get("mbox"), str):
        out["mbox"] = mbox_normalized(out["mbox"])
    if isinstance(out.get("mbox_sha1sum"), str):
        out["mbox_sha1sum"] = out["mbox_sha1sum"].lower()
    members = out.get("member")
    if isinstance(members, list):
        out["member"] = sorted((_agent(m) for m in members), key=lambda m: json.dumps(m, sort_keys=True))
    return out


def _uuid(value):
    return value.lower() if isinstance(value, str) else value


def _activity(activity):
    if not isinstance(activity, dict):
        return activity
    return {"objectType": activity.get("objectType", "Activity"), "id": activity.get("id")}


def _duration(value):
    if not isinstance(value, str):
        return value
    match = _DURATION_FRACTION.search(value)
    if match is None:
        return value
    fraction = match.group(2)[:2].rstrip("0")
    return value[: match.start()] + (f"{match.group(1)}.{fraction}S" if fraction else f"{match.group(1)}S")


def _context(context):
    if not isinstance(context, dict):
        return context
    out = dict(context)
    if "registration" in out:
        out["registration"] = _uuid(out["registration"])
    for name in ("instructor", "team"):
        if name in out:
            out[name] = _agent(out[name])
    activities = out.get("contextActivities")
    if isinstance(activities, dict):
        out["contextActivities"] = {
            kind: [_activity(a) for a in (value if isinstance(value, list) else [value])]
            for kind, value in activities.items()}
    statement = out.get("statement")
    if isinstance(statement, dict):
        out["statement"] = {**statement, "id": _uuid(statement.get("id"))}
    return out


def _object(target):
    if not isinstance(target, dict):
        return target
    object_type = target.get("objectType", "Activity")
    if object_type == "Activity":
        return _activity(target)
    if object_type in ("Agent", "Group"):
        return _agent(target)
    if object_type == "StatementRef":
        return {**target, "id": _uuid(target.get("id"))}
    if object_type == "SubStatement":
        return _body(target, sub=True)
    return target


def _body(statement: dict, sub: bool = False) -> dict:
    out = {}
    for name, value in statement.items():
        if name in ("id", "authority", "stored", "version", "attachments", "timestamp"):
            continue
        out[name] = value
    if sub and "timestamp" in statement:
        out["timestamp"] = _timestamp(statement["timestamp"])
    if "actor" in out:
        out["actor"] = _agent(out["actor"])
    verb = out.get("verb")
    if isinstance(verb, dict):
        out["verb"] = {"id": verb.get("id")}
    if "object" in out:
        out["object"] = _object(out["object"])
    result = out.get("result")
    if isinstance(result, dict) and "duration" in result:
        out["result"] = {**result, "duration": _duration(result["duration"])}
    if "context" in out:
        out["context"] = _context(out["context"])
    return out


def same_statement(a: dict, b: dict) -> bool:
    """True when `a` and `b` are the same statement under the spec's comparison rules (see the module text):
    the test behind a repeated statement id (Communication 2.1.1 s2.b3: 409 Conflict when they differ) and
    behind a signed statement's payload (Data 2.6 s5.b3.b2)."""
    if not isinstance(a, dict) or not isinstance(b, dict):
        return False
    if "id" in a and "id" in b and _uuid(a["id"]) != _uuid(b["id"]):
        return False
    if "timestamp" in a and "timestamp" in b and _timestamp(a["timestamp"]) != _timestamp(b["timestamp"]):
        return False
    return _body(a) == _body(b)
