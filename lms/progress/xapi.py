"""xAPI 1.0.3 statements: the subset this LMS reads, parsed into plain values (no database)."""

import hashlib
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

import marshmallow as ma

from lms.errors import BadRequest, Invalid, PayloadTooLarge
from lms.limits import over_limits

VERSION_HEADER = "X-Experience-API-Version"
VERSION = "1.0.3"
VERSION_PATTERN = re.compile(r"^1\.0(\.\d+)?$")
MAX_BATCH = 1000
MAX_MINUTES = 60_000  # 1,000 hours in one statement is a clock error, not learning

ADL = "http://adlnet.gov/expapi/verbs/"
VOIDED = ADL + "voided"
# ADL verbs that move a module's progress, and the module status each one reports
VERB_STATUS = {ADL + "completed": "completed", ADL + "passed": "passed", ADL + "failed": "failed",
               ADL + "progressed": "in_progress"}
# not part of the statement's content when comparing a repeated id (xAPI 1.0.3, Statement Comparison)
_NOT_COMPARED = ("id", "stored", "authority", "version")

# an absolute IRI (RFC 3987): a scheme, then no spaces, quotes or angle brackets
IRI = ma.validate.Regexp(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$", error="must be an absolute IRI")

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<MO>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<D>\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<MI>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<S>\d+(?:\.\d+)?)S)?)?$"
)
_DURATION_MINUTES = {"Y": 525_600, "MO": 43_200, "W": 10_080, "D": 1_440, "H": 60, "MI": 1, "S": 1 / 60}


class _Open(ma.Schema):
    """xAPI objects carry many optional properties; read what is used, keep the rest as sent."""

    class Meta:
        unknown = ma.INCLUDE


class XapiAccountSchema(_Open):
    homePage = ma.fields.String(validate=[ma.validate.Length(max=2000), IRI])
    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200),
                            metadata={"description": "The learner id"})


class XapiAgentSchema(_Open):
    objectType = ma.fields.String(validate=ma.validate.OneOf(["Agent"]))
    account = ma.fields.Nested(XapiAccountSchema, required=True)


class XapiVerbSchema(_Open):
    id = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=2000), IRI],
                          metadata={"description": "ADL verb IRI: completed, passed, failed, progressed, voided"})
    display = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())


class XapiObjectSchema(_Open):
    objectType = ma.fields.String(validate=ma.validate.OneOf(["Activity", "StatementRef"]))
    id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=2000),
                          metadata={"description": "Activity IRI ending with the module code, or a statement id"})


class XapiScoreSchema(_Open):
    scaled = ma.fields.Float(validate=ma.validate.Range(-1, 1))
    raw = ma.fields.Float(validate=ma.validate.Range(-1e9, 1e9))
    min = ma.fields.Float(validate=ma.validate.Range(-1e9, 1e9))
    max = ma.fields.Float(validate=ma.validate.Range(-1e9, 1e9))


class XapiResultSchema(_Open):
    score = ma.fields.Nested(XapiScoreSchema)
    success = ma.fields.Boolean()
    completion = ma.fields.Boolean()
    duration = ma.fields.String(validate=ma.validate.Length(max=100), metadata={"description": "ISO 8601"})


class XapiContextSchema(_Open):
    registration = ma.fields.UUID(metadata={"description": "The enrolment id"})


class XapiStatementSchema(_Open):
    """An xAPI 1.0.3 statement (the properties this LMS reads)."""

    id = ma.fields.UUID()
    actor = ma.fields.Nested(XapiAgentSchema, required=True)
    verb = ma.fields.Nested(XapiVerbSchema, required=True)
    object = ma.fields.Nested(XapiObjectSchema, required=True)
    result = ma.fields.Nested(XapiResultSchema)
    context = ma.fields.Nested(XapiContextSchema)
    timestamp = ma.fields.DateTime()
    version = ma.fields.String(validate=ma.validate.Regexp(VERSION_PATTERN))


# one instance for every load: building a nested schema costs more than reading a statement
_STATEMENT = XapiStatementSchema()

STATEMENTS_BODY = {"oneOf": [XapiStatementSchema, {"type": "array", "items": XapiStatementSchema, "minItems": 1,
                                                "maxItems": MAX_BATCH}]}


@dataclass(frozen=True)
class Statement:
    id: str
    learner_id: str
    verb_id: str
    object_id: str
    registration: str | None
    timestamp: datetime | None
    score: Decimal | None
    minutes: int | None
    content_hash: str
    raw: dict

    @property
    def is_voiding(self) -> bool:
        return self.verb_id == VOIDED

    @property
    def status(self) -> str | None:
        return VERB_STATUS.get(self.verb_id)

    @property
    def module_code(self) -> str:
        return re.split(r"[/#:]", self.object_id.rstrip("/"))[-1]


def check_version(value: str | None) -> None:
    if value is None or not VERSION_PATTERN.match(value.strip()):
        raise BadRequest(f"The {VERSION_HEADER} header is required (1.0.x).")


def parse_body(body) -> list[Statement]:
    """Statements from a request body (one statement or a list), or 400/413/422 for the whole batch."""
    items = body if isinstance(body, list) else [body]
    if not items or not all(isinstance(item, dict) for item in items):
        raise Invalid("Send one xAPI statement or a non-empty list of them.", field="statements",
                      message="an object or a non-empty array of objects")
    if len(items) > MAX_BATCH:
        raise PayloadTooLarge(f"At most {MAX_BATCH} statements per request.")
    errors: dict = {}
    statements = []
    for index, item in enumerate(items):
        try:
            statements.append(_parse(item))
        except ma.ValidationError as exc:
            errors[str(index)] = exc.messages
    if errors:
        raise Invalid(errors={"json": errors if isinstance(body, list) else errors["0"]})
    ids = [s.id for s in statements]
    if len(set(ids)) != len(ids):
        raise BadRequest("A statement id occurs twice in this batch.")
    return statements


class _Unusual(Exception):
    """The statement needs the full schema load (to accept it, or to say what is wrong)."""


def _fast_load(schema: ma.Schema, data) -> dict:
    """The declared fields of `data`, each read by its own marshmallow field, without the per-object
    machinery of Schema.load (five times the cost); anything unusual raises for the full load."""
    if not isinstance(data, dict):
        raise _Unusual
    loaded = {}
    for name, field in schema.fields.items():
        if name not in data:
            if field.required:
                raise _Unusual
            continue
        value = data[name]
        if isinstance(field, ma.fields.Nested) and value is not None:
            loaded[name] = _fast_load(field.schema, value)
        else:
            loaded[name] = field.deserialize(value, name, data)
    return loaded


def load_statement(item: dict) -> dict:
    """A statement's fields as the schema loads them."""
    try:
        return _fast_load(_STATEMENT, item)
    except (_Unusual, ma.ValidationError):
        return _STATEMENT.load(item)


def _parse(item: dict) -> Statement:
    if errors := over_limits(_STATEMENT, item):
        raise ma.ValidationError(errors)
    fields = load_statement(item)
    result = fields.get("result") or {}
    object_ = fields["object"]
    voiding = fields["verb"]["id"] == VOIDED
    if voiding != (object_.get("objectType") == "StatementRef"):
        raise ma.ValidationError({"object": ["a voiding statement, and only it, refers to a StatementRef"]})
    if voiding:
        try:
            object_id = str(uuid.UUID(object_["id"]))
        except ValueError as exc:
            raise ma.ValidationError({"object": {"id": ["a statement id (UUID)"]}}) from exc
    else:
        object_id = object_["id"]
        try:
            IRI(object_id)
        except ma.ValidationError as exc:
            raise ma.ValidationError({"object": {"id": exc.messages}}) from exc
    registration = (fields.get("context") or {}).get("registration")
    content = {k: v for k, v in item.items() if k not in _NOT_COMPARED}
    return Statement(
        id=str(fields.get("id") or uuid.uuid4()), learner_id=fields["actor"]["account"]["name"],
        verb_id=fields["verb"]["id"], object_id=object_id,
        registration=str(registration) if registration else None, timestamp=_aware(fields.get("timestamp")),
        score=score_0_100(result.get("score")), minutes=duration_minutes(result.get("duration")),
        content_hash=content_hash(content), raw=item,
    )


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def score_0_100(score: dict | None) -> Decimal | None:
    """result.score as 0–100: scaled × 100, else raw placed between min and max, else raw when 0–100."""
    if not score:
        return None
    if score.get("scaled") is not None:
        value = score["scaled"] * 100
    elif score.get("raw") is not None:
        raw, low, high = score["raw"], score.get("min"), score.get("max")
        if low is not None and high is not None and high > low:
            value = (raw - low) / (high - low) * 100
        elif 0 <= raw <= 100 and low is None and high is None:
            value = raw
        else:
            raise ma.ValidationError({"result": {"score": ["raw needs min < max unless it is 0–100"]}})
    else:
        return None
    value = min(100.0, max(0.0, value))
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def duration_minutes(duration: str | None) -> int | None:
    """An ISO 8601 duration in whole minutes (years and months taken as 365 and 30 days)."""
    if duration is None:
        return None
    match = _DURATION.match(duration)
    if not match:
        raise ma.ValidationError({"result": {"duration": ["an ISO 8601 duration such as PT1H30M"]}})
    minutes = sum(float(v) * _DURATION_MINUTES[k] for k, v in match.groupdict().items() if v)
    if minutes > MAX_MINUTES:
        raise ma.ValidationError({"result": {"duration": [f"at most {MAX_MINUTES // 60} hours"]}})
    return int(Decimal(str(minutes)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
