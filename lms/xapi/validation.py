"""The xAPI 1.0.3 statement data model (Data 2.2–2.6 and 4.x), checked as written (pure: no Flask, no database).

`statement_problems(statement)` returns {property path: [messages]}; empty when the statement is valid. Every
property is checked for its JSON type (Data 2.2 s4.b2: a string where a number is required, `null` where a
value is required, an object where an array is required are all refused), every key must be one the spec
defines for that object, with the spec's case (Data 2.2 s4.b1.b5), and every formatted string (UUID, IRI,
mailto IRI, RFC 5646 tag, ISO 8601 timestamp and duration, version) must follow its format (Data 2.2 s4.b4).
Extensions are the one place where any key that is an IRI and any value, `null` included, are allowed (4.1)."""

import re
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

from lms.xapi.agents import IRI, agent_problems

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"

UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
VERSION = re.compile(r"1\.0(?:\.\d+)?\Z")
# ISO 8601:2004 4.4.3.2 durations: PnYnMnDTnHnMnS (any part may carry a decimal fraction) or PnW alone (Data 4.6)
_N = r"\d+(?:[.,]\d+)?"
DURATION = re.compile(
    rf"P(?:{_N}W|(?=\d|T\d)(?:{_N}Y)?(?:{_N}M)?(?:{_N}D)?(?:T(?=\d)(?:{_N}H)?(?:{_N}M)?(?:{_N}S)?)?)\Z")
# ISO 8601 date and time, extended or basic format, with an optional UTC designator or offset (Data 4.5)
_TIMESTAMP_EXTENDED = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)?\Z")
_TIMESTAMP_BASIC = re.compile(
    r"(\d{4})(\d{2})(\d{2})[Tt](\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2})(\d{2})?)?\Z")
MEDIA_TYPE = re.compile(r"[A-Za-z0-9!#$&^_.+\-]+/[A-Za-z0-9!#$&^_.+\-]+(?:\s*;.*)?\Z", re.S)
SHA2_HEX = re.compile(r"(?:[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128})\Z")

# RFC 5646 2.1 Language-Tag (langtag / privateuse / grandfathered)
_ALNUM = "[A-Za-z0-9]"
_LANGTAG = (rf"(?:[A-Za-z]{{2,3}}(?:-[A-Za-z]{{3}}){{0,3}}|[A-Za-z]{{4}}|[A-Za-z]{{5,8}})"  # language, extlang
            rf"(?:-[A-Za-z]{{4}})?(?:-(?:[A-Za-z]{{2}}|[0-9]{{3}}))?"  # script, region
            rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"  # variants
            rf"(?:-[0-9A-WY-Za-wy-z](?:-{_ALNUM}{{2,8}})+)*"  # extensions
            rf"(?:-[xX](?:-{_ALNUM}{{1,8}})+)?")  # private use
_GRANDFATHERED = ("en-GB-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|i-pwn|"
                  "i-tao|i-tay|i-tsu|sgn-BE-FR|sgn-BE-NL|sgn-CH-DE|art-lojban|cel-gaulish|no-bok|no-nyn|"
                  "zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang")
LANGUAGE_TAG = re.compile(rf"(?:{_LANGTAG}|[xX](?:-{_ALNUM}{{1,8}})+|{_GRANDFATHERED})\Z", re.I)

INTERACTION_TYPES = ("true-false", "choice", "fill-in", "long-fill-in", "matching", "performance", "sequencing",
                     "likert", "numeric", "other")
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
# Data 2.4.4.1 s15 table 2: the interaction component lists each interactionType supports
_LISTS_OF = {"choice": ("choices",), "sequencing": ("choices",), "likert": ("scale",),
             "matching": ("source", "target"), "performance": ("steps",)}
CONTEXT_ACTIVITY_KINDS = ("parent", "grouping", "category", "other")

_STATEMENT_KEYS = frozenset(("id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
                             "authority", "version", "attachments"))
_SUBSTATEMENT_KEYS = frozenset(("objectType", "actor", "verb", "object", "result", "context", "timestamp",
                                "attachments"))
_VERB_KEYS = frozenset(("id", "display"))
_ACTIVITY_KEYS = frozenset(("objectType", "id", "definition"))
_DEFINITION_KEYS = frozenset(("name", "description", "type", "moreInfo", "extensions", "interactionType",
                              "correctResponsesPattern") + COMPONENT_LISTS)
_COMPONENT_KEYS = frozenset(("id", "description"))
_STATEMENT_REF_KEYS = frozenset(("objectType", "id"))
_RESULT_KEYS = frozenset(("score", "success", "completion", "response", "duration", "extensions"))
_SCORE_KEYS = frozenset(("scaled", "raw", "min", "max"))
_CONTEXT_KEYS = frozenset(("registration", "instructor", "team", "contextActivities", "revision", "platform",
                           "language", "statement", "extensions"))
_ATTACHMENT_KEYS = frozenset(("usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"))


@lru_cache(maxsize=4096)
def is_language_tag(tag: str) -> bool:
    """An RFC 5646 language tag, including its rules beyond the grammar: no extension singleton and no variant
    used twice (2.2.5, 2.2.6)."""
    if not LANGUAGE_TAG.match(tag):
        return False
    subtags = tag.lower().split("-")
    if "x" in subtags:
        subtags = subtags[: subtags.index("x")]
    singletons = [s for s in subtags[1:] if len(s) == 1]
    if len(singletons) != len(set(singletons)):
        return False
    if singletons:
        subtags = subtags[: subtags.index(singletons[0])]
    variants = [s for s in subtags[1:] if len(s) >= 5 or (len(s) == 4 and s[0].isdigit())]
    return len(variants) == len(set(variants))


def parse_timestamp(value: str) -> datetime | None:
    """The point in time of an ISO 8601 timestamp (Data 4.5), aware and in UTC, or None when it is not one.
    A timestamp without an offset is read as UTC. The offsets -00, -0000 and -00:00 ("local time unknown",
    RFC 3339 4.3) are refused, as the conformance suite requires."""
    if not isinstance(value, str):
        return None
    match = _TIMESTAMP_EXTENDED.match(value) or _TIMESTAMP_BASIC.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zulu, sign, off_h, off_m = match.groups()
    if sign is not None:
        offset = timedelta(hours=int(off_h), minutes=int(off_m or 0))
        if not offset and sign == "-":
            return None
        if int(off_h) > 23 or int(off_m or 0) > 59:
            return None
        tz = timezone(-offset if sign == "-" else offset)
    else:
        tz = UTC
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tz)
    except ValueError:
        return None
    return moment.astimezone(UTC)


def is_iri(value) -> bool:
    return isinstance(value, str) and IRI.match(value) is not None


def is_uuid(value) -> bool:
    return isinstance(value, str) and UUID.match(value) is not None


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Check:
    """Collects problems by property path while walking one statement."""

    __slots__ = ("problems",)

    def __init__(self):
        self.problems: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.problems.setdefault(path, []).append(message)

    def keys(self, value: dict, allowed: frozenset, path: str, what: str) -> None:
        for key in value:
            if key not in allowed:
                self.add(f"{path}.{key}" if path else key,
                         f"not a property of {what} (keys are case sensitive, Data 2.2 s4.b1.b5)")

    def string(self, value, path: str) -> bool:
        if isinstance(value, str):
            return True
        self.add(path, "must be a string")
        return False

    def iri(self, value, path: str, what: str = "an IRI") -> None:
        if not isinstance(value, str) or IRI.match(value) is None:
            self.add(path, f"must be {what}: an absolute IRI with a scheme (Data 2.2 s4.b4, 4.3)")

    def uuid(self, value, path: str) -> None:
        if not isinstance(value, str) or UUID.match(value) is None:
            self.add(path, "must be a UUID in standard string form (Data 4.4)")

    def language_map(self, value, path: str) -> None:
        if not isinstance(value, dict):
            self.add(path, "must be a language map: an object of RFC 5646 tags to strings (Data 4.2)")
            return
        for tag, text in value.items():
            if not is_language_tag(tag):
                self.add(f'{path}["{tag}"]', "not an RFC 5646 language tag (Data 4.2)")
            if not isinstance(text, str):
                self.add(f'{path}["{tag}"]', "must be a string (Data 4.2)")

    def extensions(self, value, path: str) -> None:
        if not isinstance(value, dict):
            self.add(path, "must be an object of IRIs to any JSON value (Data 4.1)")
            return
        for key in value:
            if not is_iri(key):
                self.add(f'{path}["{key}"]', "an extension key must be an IRI (Data 4.1 s3.b1)")

    def agent(self, value, path: str, kind: str = "agent") -> None:
        for key, messages in agent_problems(value, path, kind=kind).items():
            self.problems.setdefault(key, []).extend(messages)

    # ---------------------------------------------------------------- statement

    def statement(self, statement, path: str = "", sub: bool = False) -> None:
        if not isinstance(statement, dict):
            self.add(path, "a statement is a JSON object")
            return
        p = f"{path}." if path else ""
        if sub:
            self.keys(statement, _SUBSTATEMENT_KEYS, path, "a SubStatement (no id, stored, version or authority, "
                      "Data 2.4.4.3 s8.b3)")
        else:
            self.keys(statement, _STATEMENT_KEYS, path, "a Statement")
            if "id" in statement:
                self.uuid(statement["id"], f"{p}id")
            if "stored" in statement and parse_timestamp(statement["stored"]) is None:
                self.add(f"{p}stored", "must be an ISO 8601 timestamp (Data 2.4.8, 4.5)")
            if "authority" in statement:
                self.agent(statement["authority"], f"{p}authority", "authority")
            if "version" in statement:
                version = statement["version"]
                if not isinstance(version, str) or VERSION.match(version) is None:
                    self.add(f"{p}version", 'must be "1.0" or "1.0.x" (Data 2.4.10 s3.b2)')
        for name in ("actor", "verb", "object"):
            if name not in statement:
                self.add(f"{p}{name}", "required (Data 2.2 s2.b3)")
        if "actor" in statement:
            self.agent(statement["actor"], f"{p}actor")
        verb_id = None
        if "verb" in statement:
            verb_id = self.verb(statement["verb"], f"{p}verb")
        object_type = None
        if "object" in statement:
            object_type = self.object(statement["object"], f"{p}object", sub)
        if verb_id == VOIDED and object_type is not None and object_type != "StatementRef":
            self.add(f"{p}object.objectType", 'a voiding statement\'s object must be a StatementRef (Data 2.3.2 s2.b1)')
        if "result" in statement:
            self.result(statement["result"], f"{p}result")
        if "context" in statement:
            self.context(statement["context"], f"{p}context", object_type)
        if "timestamp" in statement and parse_timestamp(statement["timestamp"]) is None:
            self.add(f"{p}timestamp", "must be an ISO 8601 timestamp with a valid offset (Data 2.4.7, 4.5)")
        if "attachments" in statement:
            self.attachments(statement["attachments"], f"{p}attachments")

    def verb(self, verb, path: str) -> str | None:
        if not isinstance(verb, dict):
            self.add(path, "must be a Verb object (Data 2.4.3)")
            return None
        self.keys(verb, _VERB_KEYS, path, "a Verb")
        if "id" not in verb:
            self.add(f"{path}.id", "required (Data 2.4.3)")
        else:
            self.iri(verb["id"], f"{path}.id")
        if "display" in verb:
            self.language_map(verb["display"], f"{path}.display")
        return verb.get("id") if isinstance(verb.get("id"), str) else None

    def object(self, target, path: str, sub: bool) -> str | None:
        """Checks the statement's object; returns its objectType (None when it is not an object)."""
        if not isinstance(target, dict):
            self.add(path, "must be an Activity, Agent, Group, SubStatement or StatementRef object (Data 2.4.4)")
            return None
        object_type = target.get("objectType", "Activity")
        if object_type == "Activity":
            self.activity(target, path)
        elif object_type in ("Agent", "Group"):
            self.agent(target, path, "object")
        elif object_type == "StatementRef":
            self.statement_ref(target, path)
        elif object_type == "SubStatement":
            if sub:
                self.add(f"{path}.objectType", "a SubStatement must not contain a SubStatement (Data 2.4.4.3 s8.b4)")
            else:
                self.statement(target, path, sub=True)
        else:
            self.add(f"{path}.objectType",
                     'must be "Activity", "Agent", "Group", "SubStatement" or "StatementRef" (Data 2.4.4 s2)')
            return None
        return object_type

    def statement_ref(self, ref, path: str) -> None:
        if not isinstance(ref, dict):
            self.add(path, "must be a StatementRef object (Data 2.4.4.3 s4)")
            return
        self.keys(ref, _STATEMENT_REF_KEYS, path, "a StatementRef")
        if ref.get("objectType") != "StatementRef":
            self.add(f"{path}.objectType", 'must be "StatementRef" (Data 2.4.4.3 s4.b1)')
        if "id" not in ref:
            self.add(f"{path}.id", "required (Data 2.4.4.3 s4.b2)")
        else:
            self.uuid(ref["id"], f"{path}.id")

    def activity(self, activity, path: str) -> None:
        if not isinstance(activity, dict):
            self.add(path, "must be an Activity object (Data 2.4.4.1)")
            return
        self.keys(activity, _ACTIVITY_KEYS, path, "an Activity")
        if "objectType" in activity and activity["objectType"] != "Activity":
            self.add(f"{path}.objectType", 'must be "Activity" (Data 2.4.4.1 s1)')
        if "id" not in activity:
            self.add(f"{path}.id", "required (Data 2.4.4.1 s1)")
        else:
            self.iri(activity["id"], f"{path}.id")
        if "definition" in activity:
            self.definition(activity["definition"], f"{path}.definition")

    def definition(self, definition, path: str) -> None:
        if not isinstance(definition, dict):
            self.add(path, "must be an Activity Definition object (Data 2.4.4.1 s2)")
            return
        self.keys(definition, _DEFINITION_KEYS, path, "an Activity Definition")
        for name in ("name", "description"):
            if name in definition:
                self.language_map(definition[name], f"{path}.{name}")
        if "type" in definition:
            self.iri(definition["type"], f"{path}.type")
        if "moreInfo" in definition:
            self.iri(definition["moreInfo"], f"{path}.moreInfo", "an IRL")
        if "extensions" in definition:
            self.extensions(definition["extensions"], f"{path}.extensions")
        interaction_type = definition.get("interactionType")
        if "interactionType" in definition and interaction_type not in INTERACTION_TYPES:
            self.add(f"{path}.interactionType", "must be one of " + ", ".join(INTERACTION_TYPES)
                     + " (exact case, Data 2.2 s4.b1.b6, 2.4.4.1 s13.b1)")
            interaction_type = None
        if "correctResponsesPattern" in definition:
            pattern = definition["correctResponsesPattern"]
            if "interactionType" not in definition:
                self.add(f"{path}.interactionType", "required with correctResponsesPattern: an Interaction "
                         "Activity must have a valid interactionType (Data 2.4.4.1 s13.b1)")
            if not isinstance(pattern, list) or not all(isinstance(item, str) for item in pattern):
                self.add(f"{path}.correctResponsesPattern", "must be an array of strings (Data 2.4.4.1 s8)")
        supported = _LISTS_OF.get(interaction_type, ())
        for name in COMPONENT_LISTS:
            if name not in definition:
                continue
            if "interactionType" not in definition:
                self.add(f"{path}.interactionType", f"required with {name}: an Interaction Activity must have a "
                         "valid interactionType (Data 2.4.4.1 s13.b1)")
            elif interaction_type is not None and name not in supported:
                self.add(f"{path}.{name}", f'not an interaction component list of "{interaction_type}" '
                         "(Data 2.4.4.1 s15 table 2)")
            self.components(definition[name], f"{path}.{name}")

    def components(self, components, path: str) -> None:
        if not isinstance(components, list):
            self.add(path, "must be an array of interaction components (Data 2.4.4.1 s15)")
            return
        seen: set[str] = set()
        for i, component in enumerate(components):
            item = f"{path}[{i}]"
            if not isinstance(component, dict):
                self.add(item, "must be an interaction component object (Data 2.4.4.1 s15)")
                continue
            self.keys(component, _COMPONENT_KEYS, item, "an interaction component")
            if "id" not in component:
                self.add(f"{item}.id", "required (Data 2.4.4.1 s15)")
            elif self.string(component["id"], f"{item}.id"):
                if component["id"] in seen:
                    self.add(f"{item}.id", "ids within a component list must be distinct (Data 2.4.4.1 s16.b1)")
                seen.add(component["id"])
            if "description" in component:
                self.language_map(component["description"], f"{item}.description")

    def result(self, result, path: str) -> None:
        if not isinstance(result, dict):
            self.add(path, "must be a Result object (Data 2.4.5)")
            return
        self.keys(result, _RESULT_KEYS, path, "a Result")
        if "score" in result:
            self.score(result["score"], f"{path}.score")
        for name in ("success", "completion"):
            if name in result and not isinstance(result[name], bool):
                self.add(f"{path}.{name}", "must be true or false (Data 2.4.5 s2)")
        if "response" in result:
            self.string(result["response"], f"{path}.response")
        if "duration" in result:
            duration = result["duration"]
            if not isinstance(duration, str) or DURATION.match(duration) is None:
                self.add(f"{path}.duration", "must be an ISO 8601 duration such as PT1H30M or P4W (Data 4.6)")
        if "extensions" in result:
            self.extensions(result["extensions"], f"{path}.extensions")

    def score(self, score, path: str) -> None:
        if not isinstance(score, dict):
            self.add(path, "must be a Score object (Data 2.4.5.1)")
            return
        self.keys(score, _SCORE_KEYS, path, "a Score")
        numbers = {}
        for name in ("scaled", "raw", "min", "max"):
            if name in score:
                if _number(score[name]):
                    numbers[name] = score[name]
                else:
                    self.add(f"{path}.{name}", "must be a number (Data 2.2 s4.b2, 2.4.5.1)")
        if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
            self.add(f"{path}.scaled", "must be between -1 and 1 inclusive (Data 2.4.5.1)")
        low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
        if low is not None and high is not None and not low < high:
            self.add(f"{path}.min", "must be less than max (Data 2.4.5.1)")
        if raw is not None and low is not None and raw < low:
            self.add(f"{path}.raw", "must not be below min (Data 2.4.5.1)")
        if raw is not None and high is not None and raw > high:
            self.add(f"{path}.raw", "must not be above max (Data 2.4.5.1)")

    def context(self, context, path: str, object_type: str | None) -> None:
        if not isinstance(context, dict):
            self.add(path, "must be a Context object (Data 2.4.6)")
            return
        self.keys(context, _CONTEXT_KEYS, path, "a Context")
        if "registration" in context:
            self.uuid(context["registration"], f"{path}.registration")
        if "instructor" in context:
            self.agent(context["instructor"], f"{path}.instructor")
        if "team" in context:
            self.agent(context["team"], f"{path}.team", "group")
        if "contextActivities" in context:
            self.context_activities(context["contextActivities"], f"{path}.contextActivities")
        for name in ("revision", "platform"):
            if name in context:
                self.string(context[name], f"{path}.{name}")
                if object_type is not None and object_type != "Activity":
                    self.add(f"{path}.{name}", "only allowed when the statement's object is an Activity "
                             "(Data 2.4.6 s4.b1, s4.b2)")
        if "language" in context:
            language = context["language"]
            if not isinstance(language, str) or not is_language_tag(language):
                self.add(f"{path}.language", "must be an RFC 5646 language tag (Data 2.4.6 s3)")
        if "statement" in context:
            self.statement_ref(context["statement"], f"{path}.statement")
        if "extensions" in context:
            self.extensions(context["extensions"], f"{path}.extensions")

    def context_activities(self, value, path: str) -> None:
        if not isinstance(value, dict) or not value:
            self.add(path, "must be an object with one or more of parent, grouping, category, other (Data 2.4.6.2)")
            return
        for kind, activities in value.items():
            item = f"{path}.{kind}"
            if kind not in CONTEXT_ACTIVITY_KINDS:
                self.add(item, "a context activity kind must be parent, grouping, category or other "
                         "(Data 2.4.6.2 s4.b1)")
                continue
            if isinstance(activities, list):
                for i, activity in enumerate(activities):
                    self.activity(activity, f"{item}[{i}]")
            elif isinstance(activities, dict):
                self.activity(activities, item)
            else:
                self.add(item, "must be an Activity or an array of Activities (Data 2.4.6.2 s4.b2)")

    def attachments(self, attachments, path: str) -> None:
        if not isinstance(attachments, list):
            self.add(path, "must be an array of Attachment objects (Data 2.4.11)")
            return
        for i, attachment in enumerate(attachments):
            item = f"{path}[{i}]"
            if not isinstance(attachment, dict):
                self.add(item, "must be an Attachment object (Data 2.4.11)")
                continue
            self.keys(attachment, _ATTACHMENT_KEYS, item, "an Attachment")
            for name in ("usageType", "display", "contentType", "length", "sha2"):
                if name not in attachment:
                    self.add(f"{item}.{name}", "required (Data 2.4.11 s2)")
            if "usageType" in attachment:
                self.iri(attachment["usageType"], f"{item}.usageType")
            if "display" in attachment:
                self.language_map(attachment["display"], f"{item}.display")
            if "description" in attachment:
                self.language_map(attachment["description"], f"{item}.description")
            content_type = attachment.get("contentType")
            if "contentType" in attachment and (not isinstance(content_type, str)
                                                or MEDIA_TYPE.match(content_type) is None):
                self.add(f"{item}.contentType", "must be an Internet Media Type (Data 2.4.11 s2)")
            length = attachment.get("length")
            if "length" in attachment and (not isinstance(length, int) or isinstance(length, bool) or length < 0):
                self.add(f"{item}.length", "must be a non-negative integer (Data 2.4.11 s2)")
            sha2 = attachment.get("sha2")
            if "sha2" in attachment and (not isinstance(sha2, str) or SHA2_HEX.match(sha2) is None):
                self.add(f"{item}.sha2", "must be the hex digits of a SHA-2 hash (Data 2.4.11 s2)")
            if "fileUrl" in attachment:
                self.iri(attachment["fileUrl"], f"{item}.fileUrl", "an IRL")
            if attachment.get("usageType") == SIGNATURE_USAGE and content_type != "application/octet-stream":
                self.add(f"{item}.contentType", 'a signature attachment must be "application/octet-stream" '
                         "(Data 2.6 s4.b1)")


def statement_problems(statement) -> dict[str, list[str]]:
    """Every problem of one statement as sent to the LRS, keyed by property path ("actor.mbox", "verb.id",
    "context.contextActivities.parent[0].id"); empty when the statement is valid."""
    check = _Check()
    check.statement(statement)
    return check.problems


def batch_problems(statements: list) -> dict[str, list[str]]:
    """The problems of a batch, each path prefixed with the statement's index ("[3].actor.mbox"), and a statement
    id used twice in the batch (Communication 2.1.2 s2.b6)."""
    problems: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    for i, statement in enumerate(statements):
        for path, messages in statement_problems(statement).items():
            problems[f"[{i}].{path}" if path else f"[{i}]"] = messages
        statement_id = statement.get("id") if isinstance(statement, dict) else None
        if is_uuid(statement_id):
            key = statement_id.lower()
            if key in seen:
                problems.setdefault(f"[{i}].id", []).append(
                    f"the same id as statement [{seen[key]}] in this batch (Communication 2.1.2 s2.b6)")
            seen.setdefault(key, i)
    return problems
