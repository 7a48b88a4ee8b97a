"""Properties over generated statements: every statement built to the data model is accepted; a required
property removed, a key's case changed or any value outside extensions set to null is refused (Data 2.2); the
LRS's own changes (intake fields, context activities as arrays, format=ids) keep a statement valid and, where
the comparison rules say so, the same statement (Data 2.3.1)."""

import hashlib
import uuid
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st

from lms.xapi.compare import same_statement
from lms.xapi.formats import to_ids, with_lrs_fields
from lms.xapi.validation import INTERACTION_TYPES, statement_problems

WORD = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=8)
TAGS = st.sampled_from(["en", "en-US", "ja", "ja-JP", "de-CH-1901", "zh-Hant", "x-private", "i-klingon", "es-419"])
IRI = st.builds(lambda scheme, host, path: f"{scheme}://{host}.example.com/{path}",
                st.sampled_from(["http", "https"]), WORD, WORD) | st.builds(lambda w: f"urn:x:{w}", WORD)
UUIDS = st.uuids().map(str) | st.uuids().map(lambda u: str(u).upper())
LANGUAGE_MAP = st.dictionaries(TAGS, st.text(max_size=20), min_size=1, max_size=3)
EXTENSIONS = st.dictionaries(IRI, st.none() | st.integers() | st.text(max_size=5) | st.lists(st.booleans(), max_size=2),
                             max_size=2)
NAME = st.text(max_size=20)


def _agent(ifi, name):
    out = {"objectType": "Agent", **ifi}
    if name is not None:
        out["name"] = name
    return out


IFI = st.one_of(
    st.builds(lambda user, host: {"mbox": f"mailto:{user}@{host}.example.com"}, WORD, WORD),
    st.binary(min_size=1, max_size=8).map(lambda b: {"mbox_sha1sum": hashlib.sha1(b).hexdigest()}),
    st.builds(lambda w: {"openid": f"https://openid.example.com/{w}"}, WORD),
    st.builds(lambda host, name: {"account": {"homePage": f"https://{host}.example.com", "name": name}}, WORD, WORD),
)
AGENT = st.builds(_agent, IFI, st.none() | NAME)
ANONYMOUS_GROUP = st.builds(lambda members: {"objectType": "Group", "member": members},
                            st.lists(AGENT, min_size=1, max_size=3))
IDENTIFIED_GROUP = st.builds(lambda ifi, members: {"objectType": "Group", **ifi, **({"member": members} if members else {})},
                             IFI, st.lists(AGENT, max_size=2))
GROUP = ANONYMOUS_GROUP | IDENTIFIED_GROUP
ACTOR = AGENT | GROUP


def _definition(name, description, type_, interaction, extensions):
    out = {}
    for key, value in (("name", name), ("description", description), ("type", type_), ("extensions", extensions)):
        if value is not None:
            out[key] = value
    if interaction is not None:
        kind, pattern, ids = interaction
        out["interactionType"] = kind
        out["correctResponsesPattern"] = pattern
        lists = {"choice": ("choices",), "sequencing": ("choices",), "likert": ("scale",),
                 "matching": ("source", "target"), "performance": ("steps",)}.get(kind, ())
        for list_name in lists:
            out[list_name] = [{"id": i, "description": {"en-US": i}} for i in ids]
    return out


INTERACTION = st.tuples(st.sampled_from(INTERACTION_TYPES), st.lists(st.text(max_size=10), max_size=2),
                        st.lists(WORD, max_size=4, unique=True))
DEFINITION = st.builds(_definition, st.none() | LANGUAGE_MAP, st.none() | LANGUAGE_MAP, st.none() | IRI,
                       st.none() | INTERACTION, st.none() | EXTENSIONS)
ACTIVITY = st.builds(lambda i, d, explicit: {**({"objectType": "Activity"} if explicit else {}), "id": i,
                                             **({"definition": d} if d is not None else {})},
                     IRI, st.none() | DEFINITION, st.booleans())
STATEMENT_REF = st.builds(lambda i: {"objectType": "StatementRef", "id": i}, UUIDS)
VERB = st.builds(lambda i, d: {"id": i, **({"display": d} if d is not None else {})}, IRI, st.none() | LANGUAGE_MAP)


def _score(values, scaled):
    low, raw, high = sorted(values)
    out = {"raw": raw, "min": low, "max": high} if low < high else {"raw": raw}
    if scaled is not None:
        out["scaled"] = scaled
    return out


SCORE = st.builds(_score, st.lists(st.integers(-1000, 1000) | st.floats(-1e6, 1e6, allow_nan=False), min_size=3,
                                   max_size=3),
                  st.none() | st.floats(-1, 1, allow_nan=False))
DURATION = st.builds(lambda h, m, s: f"PT{h}H{m}M{s}S", st.integers(0, 99), st.integers(0, 59),
                     st.decimals(0, 59, places=2).map(str)) | st.sampled_from(["P4W", "P1Y2M3D", "PT0S", "P3Y"])
RESULT = st.fixed_dictionaries({}, optional={
    "score": SCORE, "success": st.booleans(), "completion": st.booleans(), "response": st.text(max_size=10),
    "duration": DURATION, "extensions": EXTENSIONS})
CONTEXT_ACTIVITIES = st.dictionaries(st.sampled_from(["parent", "grouping", "category", "other"]),
                                     ACTIVITY | st.lists(ACTIVITY, max_size=2), min_size=1, max_size=4)


def _context(for_activity: bool):
    optional = {"registration": UUIDS, "instructor": ACTOR, "team": GROUP, "contextActivities": CONTEXT_ACTIVITIES,
                "language": TAGS, "statement": STATEMENT_REF, "extensions": EXTENSIONS}
    if for_activity:
        optional |= {"revision": st.text(max_size=5), "platform": st.text(max_size=5)}
    return st.fixed_dictionaries({}, optional=optional)


TIMESTAMP = st.builds(
    lambda moment, minutes: moment.astimezone(timezone(timedelta(minutes=minutes)) if minutes else UTC).isoformat(),
    st.datetimes(datetime(1990, 1, 1), datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.sampled_from([0, 540, -300, 330]))
ATTACHMENT = st.builds(
    lambda usage, display, data, url: {"usageType": usage, "display": display, "contentType": "text/plain",
                                       "length": len(data), "sha2": hashlib.sha256(data).hexdigest(),
                                       **({"fileUrl": url} if url else {})},
    IRI, LANGUAGE_MAP, st.binary(max_size=20), st.none() | IRI)


@st.composite
def statements(draw, sub: bool = False):
    objects = [ACTIVITY, STATEMENT_REF, AGENT, GROUP]
    if not sub:
        objects.append(statements(sub=True))
    target = draw(st.one_of(objects))
    out = {"actor": draw(ACTOR), "verb": draw(VERB), "object": target}
    if sub:
        out["objectType"] = "SubStatement"
    optional = {"result": RESULT, "context": _context("id" in target and target.get("objectType", "Activity") ==
                                                       "Activity"),
                "timestamp": TIMESTAMP, "attachments": st.lists(ATTACHMENT, max_size=2)}
    if not sub:
        optional |= {"id": UUIDS, "version": st.sampled_from(["1.0.0", "1.0.3", "1.0"]), "authority": AGENT}
    out |= draw(st.fixed_dictionaries({}, optional=optional))
    return out


def _paths(value, path=()):
    """Every property path of a statement outside extensions maps."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield (*path, key)
            if key != "extensions":
                yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, (*path, i))


def _set(statement, path, value):
    target = statement
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value


def _copy(value):
    import copy
    return copy.deepcopy(value)


@settings(max_examples=80, deadline=None)
@given(statements())
def test_every_statement_built_to_the_data_model_is_accepted(statement):
    """Data 2.2–2.6: valid variants of every property are accepted."""
    assert statement_problems(statement) == {}


@settings(max_examples=80, deadline=None)
@given(statements(), st.data())
def test_a_null_value_anywhere_but_in_extensions_is_refused(statement, data):
    """Data 2.2 s4.b1.b1 (XAPI-00001): null is refused except inside an extensions map."""
    path = data.draw(st.sampled_from(list(_paths(statement))))
    broken = _copy(statement)
    _set(broken, path, None)
    assert statement_problems(broken) != {}, path


@settings(max_examples=60, deadline=None)
@given(statements(), st.data())
def test_a_key_in_another_case_is_refused(statement, data):
    """Data 2.2 s4.b1.b5 (XAPI-00008): keys are case sensitive."""
    paths = [p for p in _paths(statement) if isinstance(p[-1], str) and p[-1].lower() != p[-1].upper()
             and not any(isinstance(k, str) and k in ("display", "name", "description") for k in p[-2:-1])]
    path = data.draw(st.sampled_from(paths))
    broken = _copy(statement)
    parent = broken
    for key in path[:-1]:
        parent = parent[key]
    value = parent.pop(path[-1])
    parent[path[-1].swapcase()] = value
    assert statement_problems(broken) != {}, path


@settings(max_examples=60, deadline=None)
@given(statements(), st.sampled_from(["actor", "verb", "object", "verb.id", "object.id"]))
def test_a_required_property_removed_is_refused(statement, name):
    """Data 2.2 s2.b3 (actor, verb, object), 2.4.3 (verb id), 2.4.4.1 and 2.4.4.3 (object id)."""
    broken = _copy(statement)
    *parents, last = name.split(".")
    target = broken
    for key in parents:
        target = target[key]
    if last == "id" and "id" not in target:
        return  # an Agent or Group object has no id
    target.pop(last)
    assert statement_problems(broken) != {}


@settings(max_examples=60, deadline=None)
@given(statements(sub=False))
def test_the_lrs_changes_keep_a_statement_valid_and_the_same(statement):
    """Data 2.3.1 b1, 2.4.6.2 s4.b3: the properties the LRS sets and context activities as arrays neither make a
    statement invalid nor another statement; format=ids stays a valid statement."""
    authority = {"objectType": "Agent", "account": {"homePage": "https://lms.example.jp", "name": "client"}}
    stored = with_lrs_fields(statement, id=str(uuid.uuid4()), stored="2026-12-05T10:00:00.000Z", authority=authority)
    assert statement_problems(stored) == {}
    assert same_statement(statement, stored)
    assert statement_problems(to_ids(stored)) == {}
