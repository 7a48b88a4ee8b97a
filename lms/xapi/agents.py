"""Agents and groups (xAPI 1.0.3, Data 2.4.2): inverse functional identifiers, their syntax, canonical keys,
and the agents and activities a statement is about (pure)."""

import re

IFI_NAMES = ("mbox", "mbox_sha1sum", "openid", "account")

# An absolute IRI (RFC 3987): a scheme (RFC 3986 3.1), a colon, then characters an IRI may hold (no spaces,
# controls, quotes, angle brackets, braces, pipes, backslashes, carets or backticks).
IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f<>\"{}|\\^`]+\Z")
# An absolute URI (RFC 3986): as above but ASCII only.
URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[!#$%&'()*+,\-./0-9:;=?@A-Z\[\]_a-z~]+\Z")
MAILTO = re.compile(r"mailto:[^@\s\x00-\x1f\x7f<>\"]+@[^@\s\x00-\x1f\x7f<>\"]+\Z")
SHA1_HEX = re.compile(r"[0-9a-fA-F]{40}\Z")

_AGENT_KEYS = frozenset(("objectType", "name", "mbox", "mbox_sha1sum", "openid", "account"))
_GROUP_KEYS = _AGENT_KEYS | {"member"}
_ACCOUNT_KEYS = frozenset(("homePage", "name"))


def ifi_of(agent: dict) -> tuple[str, object] | None:
    """The agent's one inverse functional identifier as (name, value), or None when it has none."""
    found = [(name, agent[name]) for name in IFI_NAMES if name in agent]
    return found[0] if len(found) == 1 else None


def agent_key(agent: dict) -> str | None:
    """A canonical string for the agent's (or identified group's) identifier: equal keys mean the same agent.
    None for an anonymous group or an object without exactly one identifier. The domain of an e-mail address
    and the hex digits of a hash are case insensitive (Data 2.3.1 b7, 2.4.2.3), so they are lower-cased."""
    if not isinstance(agent, dict):
        return None
    ifi = ifi_of(agent)
    if ifi is None:
        return None
    name, value = ifi
    if name == "account":
        return f"account:{value.get('homePage', '')}|{value.get('name', '')}" if isinstance(value, dict) else None
    if not isinstance(value, str):
        return None
    if name == "mbox":
        value = mbox_normalized(value)
    elif name == "mbox_sha1sum":
        value = value.lower()
    return f"{name}:{value}"


def mbox_normalized(mbox: str) -> str:
    """A mailto IRI with its domain lower-cased (the local part is kept as sent)."""
    local, at, domain = mbox.rpartition("@")
    return f"{local}@{domain.lower()}" if at else mbox


def _add(problems: dict[str, list[str]], path: str, message: str) -> None:
    problems.setdefault(path, []).append(message)


def _is_str(value) -> bool:
    return isinstance(value, str)


def agent_problems(agent, path: str, *, kind: str = "agent") -> dict[str, list[str]]:
    """Every problem of an Agent or Group object at `path` (Data 2.4.2, 2.4.2.1–2.4.2.4), keyed by property path.

    `kind` narrows what is allowed where the spec does: "agent" (an Agent or a Group), "group" (context team:
    a Group), "member" (a group member: an Agent only), "object" (a statement's object: objectType required,
    Data 2.4.4.2), "authority" (an Agent, or a Group of exactly two Agents, Data 2.4.9)."""
    problems: dict[str, list[str]] = {}
    if not isinstance(agent, dict):
        _add(problems, path, "must be an Agent or Group object")
        return problems
    object_type = agent.get("objectType", None if kind != "object" else ...)
    if object_type is ...:
        _add(problems, f"{path}.objectType", "required when an Agent or Group is the object (Data 2.4.4.2)")
        object_type = "Agent"
    if "objectType" in agent and object_type not in ("Agent", "Group"):
        _add(problems, f"{path}.objectType", 'must be "Agent" or "Group"')
        return problems
    is_group = object_type == "Group"
    if kind == "member" and is_group:
        _add(problems, path, "a Group's members must be Agents, not Groups (Data 2.4.2.2 s4.b2, s5.b2)")
        return problems
    if kind == "group" and not is_group:
        _add(problems, f"{path}.objectType", 'must be "Group" (a team is a Group, Data 2.4.6)')
    allowed = _GROUP_KEYS if is_group else _AGENT_KEYS
    for key in agent:
        if key not in allowed:
            _add(problems, f"{path}.{key}", "not a property of " + ("a Group" if is_group else "an Agent"))
    if "name" in agent and not _is_str(agent["name"]):
        _add(problems, f"{path}.name", "must be a string")
    ifis = [name for name in IFI_NAMES if name in agent]
    if len(ifis) > 1:
        _add(problems, path, "must have exactly one inverse functional identifier, not "
             + ", ".join(ifis) + " (Data 2.4.2.1 s2.b2, 2.4.2.2 s5.b1)")
    for name in ifis:
        _ifi_problems(problems, name, agent[name], f"{path}.{name}")
    if not is_group:
        if not ifis:
            _add(problems, path, "an Agent must have one of mbox, mbox_sha1sum, openid, account (Data 2.4.2.1 s2.b1)")
        return problems
    members = agent.get("member")
    if "member" in agent:
        if not isinstance(members, list):
            _add(problems, f"{path}.member", "must be an array of Agents")
            members = None
        else:
            for i, member in enumerate(members):
                _merge(problems, agent_problems(member, f"{path}.member[{i}]", kind="member"))
    if not ifis and not members:
        _add(problems, f"{path}.member", "an anonymous Group must list its members (Data 2.4.2.2 s4.b1)")
    if kind == "authority" and (ifis or not isinstance(members, list) or len(members) != 2):
        _add(problems, path, "an authority Group must be an anonymous Group of exactly two Agents (Data 2.4.9 s3.b1)")
    return problems


def _ifi_problems(problems: dict[str, list[str]], name: str, value, path: str) -> None:
    if name == "mbox":
        if not _is_str(value) or not MAILTO.match(value):
            _add(problems, path, 'must be a mailto IRI: "mailto:" and an e-mail address (Data 2.4.2.3)')
    elif name == "mbox_sha1sum":
        if not _is_str(value) or not SHA1_HEX.match(value):
            _add(problems, path, "must be the 40 hex digits of a SHA-1 hash (Data 2.4.2.3)")
    elif name == "openid":
        if not _is_str(value) or not URI.match(value):
            _add(problems, path, "must be an absolute URI (Data 2.4.2.3)")
    elif not isinstance(value, dict):
        _add(problems, path, "must be an Account object with homePage and name (Data 2.4.2.4)")
    else:
        for key in value:
            if key not in _ACCOUNT_KEYS:
                _add(problems, f"{path}.{key}", "not a property of an Account")
        home = value.get("homePage")
        if "homePage" not in value:
            _add(problems, f"{path}.homePage", "required (Data 2.4.2.4)")
        elif not _is_str(home) or not IRI.match(home):
            _add(problems, f"{path}.homePage", "must be an IRL (Data 2.4.2.4)")
        if "name" not in value:
            _add(problems, f"{path}.name", "required (Data 2.4.2.4)")
        elif not _is_str(value["name"]) or not value["name"]:
            _add(problems, f"{path}.name", "must be a non-empty string (Data 2.4.2.4)")


def _merge(into: dict[str, list[str]], more: dict[str, list[str]]) -> None:
    for key, messages in more.items():
        into.setdefault(key, []).extend(messages)


def _is_actor(value) -> bool:
    return isinstance(value, dict) and value.get("objectType") in ("Agent", "Group")


def _keys_of(actor, into: set[str]) -> None:
    """The actor's own key and, for a group, its members' keys (Communication 2.1.3 "agent": a Group whose
    members match the agent is a match)."""
    if not isinstance(actor, dict):
        return
    key = agent_key(actor)
    if key is not None:
        into.add(key)
    members = actor.get("member")
    if actor.get("objectType") == "Group" and isinstance(members, list):
        for member in members:
            key = agent_key(member)
            if key is not None:
                into.add(key)


def statement_agent_keys(statement: dict, related: bool) -> set[str]:
    """The agent keys a statement is about, for the `agent` query parameter (Communication 2.1.3): its actor, and
    its object when that is an Agent or Group (with their group members). With `related` (`related_agents=true`)
    also the authority, the context's instructor and team, and the same properties of a SubStatement object."""
    keys: set[str] = set()
    _keys_of(statement.get("actor"), keys)
    target = statement.get("object")
    if _is_actor(target):
        _keys_of(target, keys)
    if not related:
        return keys
    _keys_of(statement.get("authority"), keys)
    parts = [statement]
    if isinstance(target, dict) and target.get("objectType") == "SubStatement":
        parts.append(target)
        _keys_of(target.get("actor"), keys)
        if _is_actor(target.get("object")):
            _keys_of(target["object"], keys)
    for part in parts:
        context = part.get("context")
        if isinstance(context, dict):
            _keys_of(context.get("instructor"), keys)
            _keys_of(context.get("team"), keys)
    return keys


def _activity_id(value) -> str | None:
    if isinstance(value, dict) and value.get("objectType", "Activity") == "Activity" and _is_str(value.get("id")):
        return value["id"]
    return None


def _context_activity_ids(part: dict, into: set[str]) -> None:
    context = part.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    if not isinstance(activities, dict):
        return
    for value in activities.values():
        for activity in value if isinstance(value, list) else [value]:
            activity_id = _activity_id(activity)
            if activity_id is not None:
                into.add(activity_id)


def statement_activity_ids(statement: dict, related: bool) -> set[str]:
    """The activity ids a statement is about, for the `activity` query parameter (Communication 2.1.3): its
    object's id when that is an Activity. With `related` (`related_activities=true`) also every context
    activity (parent, grouping, category, other) and the same of a SubStatement object."""
    ids: set[str] = set()
    target = statement.get("object")
    activity_id = _activity_id(target)
    if activity_id is not None:
        ids.add(activity_id)
    if not related:
        return ids
    _context_activity_ids(statement, ids)
    if isinstance(target, dict) and target.get("objectType") == "SubStatement":
        activity_id = _activity_id(target.get("object"))
        if activity_id is not None:
            ids.add(activity_id)
        _context_activity_ids(target, ids)
    return ids
