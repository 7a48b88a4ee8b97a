"""Statements as the LRS returns them (xAPI 1.0.3, Communication 2.1.3 "format", Data 2.4.3 s6, 2.4.6.2 s4): the
`ids` and `canonical` formats and the properties the LRS sets on intake (pure)."""

from copy import deepcopy

from lms.xapi.agents import IFI_NAMES

_LANGUAGE_MAPS = ("name", "description")
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")


# ------------------------------------------------------------------------------------------------ format=ids

def agent_ids(agent):
    """An Agent or identified Group reduced to objectType and its identifier; an anonymous Group to its members'
    identifiers (Communication 2.1.3: "the minimum information necessary ... to identify them")."""
    if not isinstance(agent, dict):
        return agent
    object_type = agent.get("objectType", "Agent")
    out = {"objectType": object_type}
    ifis = [name for name in IFI_NAMES if name in agent]
    if ifis:
        for name in ifis:
            out[name] = deepcopy(agent[name])
    elif object_type == "Group" and isinstance(agent.get("member"), list):
        out["member"] = [agent_ids(member) for member in agent["member"]]
    return out


def _activity_ids(activity):
    if not isinstance(activity, dict):
        return activity
    return {"objectType": "Activity", "id": activity.get("id")}


def _object_ids(target):
    if not isinstance(target, dict):
        return target
    object_type = target.get("objectType", "Activity")
    if object_type == "Activity":
        return _activity_ids(target)
    if object_type in ("Agent", "Group"):
        return agent_ids(target)
    if object_type == "SubStatement":
        return _statement_ids(target)
    return deepcopy(target)


def _context_ids(context):
    if not isinstance(context, dict):
        return context
    out = deepcopy(context)
    for name in ("instructor", "team"):
        if name in out:
            out[name] = agent_ids(context[name])
    activities = context.get("contextActivities")
    if isinstance(activities, dict):
        out["contextActivities"] = {
            kind: [_activity_ids(a) for a in value] if isinstance(value, list) else [_activity_ids(value)]
            for kind, value in activities.items()}
    return out


def _statement_ids(statement: dict) -> dict:
    out = {}
    for name, value in statement.items():
        if name in ("actor", "authority"):
            out[name] = agent_ids(value)
        elif name == "verb":
            out[name] = {"id": value.get("id")} if isinstance(value, dict) else value
        elif name == "object":
            out[name] = _object_ids(value)
        elif name == "context":
            out[name] = _context_ids(value)
        else:
            out[name] = deepcopy(value)
    return out


def to_ids(statement: dict) -> dict:
    """The statement in `format=ids`: Agents and Groups by their identifiers only, Activities by id only, Verbs
    without display (Data 2.4.3 s6.b2); everything else as stored."""
    return _statement_ids(statement)


# ------------------------------------------------------------------------------------------ format=canonical

def parse_accept_language(header: str | None) -> list[str]:
    """The language ranges of an Accept-Language header (RFC 7231 5.3.5 / RFC 2616 14.4), best first; ranges
    with q=0 are left out."""
    if not header:
        return []
    ranges: list[tuple[float, int, str]] = []
    for index, item in enumerate(header.split(",")):
        parts = [p.strip() for p in item.split(";")]
        tag = parts[0]
        if not tag:
            continue
        quality = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranges.append((-quality, index, tag))
    return [tag for _, _, tag in sorted(ranges)]


def choose_language(language_map: dict, ranges: list[str]) -> str | None:
    """The one key of a language map to return for these ranges (RFC 4647 3.3.1 basic filtering: a range matches
    a tag equal to it or starting with it and "-"; "*" matches any). Without a match: en-US, en, else the first
    key, so the map still carries one language."""
    if not language_map:
        return None
    lowered = {tag.lower(): tag for tag in language_map}
    for wanted in ranges:
        wanted = wanted.lower()
        if wanted == "*":
            return next(iter(language_map))
        if wanted in lowered:
            return lowered[wanted]
        for low, tag in lowered.items():
            if low.startswith(wanted + "-"):
                return tag
    for fallback in ("en-us", "en"):
        if fallback in lowered:
            return lowered[fallback]
    return next(iter(language_map))


def _one_language(value, ranges):
    if not isinstance(value, dict) or not value:
        return value
    tag = choose_language(value, ranges)
    return {tag: value[tag]}


def _activity_canonical(activity, ranges):
    if not isinstance(activity, dict):
        return activity
    out = deepcopy(activity)
    definition = out.get("definition")
    if isinstance(definition, dict):
        for name in _LANGUAGE_MAPS:
            if name in definition:
                definition[name] = _one_language(definition[name], ranges)
        for name in _COMPONENT_LISTS:
            components = definition.get(name)
            if isinstance(components, list):
                for component in components:
                    if isinstance(component, dict) and "description" in component:
                        component["description"] = _one_language(component["description"], ranges)
    return out


def _canonical(statement: dict, ranges: list[str]) -> dict:
    out = deepcopy(statement)
    verb = out.get("verb")
    if isinstance(verb, dict) and "display" in verb:
        verb["display"] = _one_language(verb["display"], ranges)
    target = out.get("object")
    if isinstance(target, dict):
        object_type = target.get("objectType", "Activity")
        if object_type == "Activity":
            out["object"] = _activity_canonical(target, ranges)
        elif object_type == "SubStatement":
            out["object"] = _canonical(target, ranges)
    context = out.get("context")
    activities = context.get("contextActivities") if isinstance(context, dict) else None
    if isinstance(activities, dict):
        context["contextActivities"] = {
            kind: [_activity_canonical(a, ranges) for a in value] if isinstance(value, list)
            else [_activity_canonical(value, ranges)]
            for kind, value in activities.items()}
    return out


def to_canonical(statement: dict, accept_language: str | None) -> dict:
    """The statement in `format=canonical`: every language map of its Activities (name, description, interaction
    components) and its Verb's display reduced to one language, chosen by the Accept-Language header
    (Communication 2.1.3 "Canonical Language Process"); agents as stored. Callers put the LRS's canonical
    Activity Definitions in first where they keep them."""
    return _canonical(statement, parse_accept_language(accept_language))


# --------------------------------------------------------------------------------------- properties on intake

def context_activities_as_arrays(statement: dict) -> dict:
    """The statement with every context activity value an array (Data 2.4.6.2 s4.b3, s4.b4), its SubStatement's
    too; a copy."""
    out = deepcopy(statement)
    for part in (out, out.get("object")):
        context = part.get("context") if isinstance(part, dict) else None
        activities = context.get("contextActivities") if isinstance(context, dict) else None
        if isinstance(activities, dict):
            for kind, value in activities.items():
                if isinstance(value, dict):
                    activities[kind] = [value]
    return out


def with_lrs_fields(statement: dict, *, id: str, stored: str, authority: dict, version: str = "1.0.0") -> dict:
    """The statement as the LRS stores it: its own id if it has one (else `id`), `stored` and `authority`
    overwritten (Data 2.4.8 s3.b2, 2.4.9 s3.b4), `timestamp` set to `stored` when missing (2.4.7 s3.b2),
    `version` kept or set to `version` (2.4.10 s3.b3), context activities as arrays (2.4.6.2 s4.b3), and an
    object without objectType given "Activity" (2.4.4 s2)."""
    out = context_activities_as_arrays(statement)
    for part in (out, out.get("object")):
        target = part.get("object") if isinstance(part, dict) else None
        if isinstance(target, dict) and "objectType" not in target:
            target["objectType"] = "Activity"  # Data 2.4.4 s2: an object without objectType is an Activity
    out.setdefault("id", id)
    out["stored"] = stored
    out.setdefault("timestamp", stored)
    out["authority"] = deepcopy(authority)
    out.setdefault("version", version)
    return out
