"""What module progress reads from an xAPI statement: verbs, module codes, scores, durations (no database)."""

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

MAX_MINUTES = 60_000  # 1,000 hours in one statement is a clock error, not learning

ADL = "http://adlnet.gov/expapi/verbs/"
VOIDED = ADL + "voided"
# ADL verbs that move a module's progress, and the module status each one reports
VERB_STATUS = {ADL + "completed": "completed", ADL + "passed": "passed", ADL + "failed": "failed",
               ADL + "progressed": "in_progress"}

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<Y>\d+(?:\.\d+)?)Y)?(?:(?P<MO>\d+(?:\.\d+)?)M)?(?:(?P<W>\d+(?:\.\d+)?)W)?"
    r"(?:(?P<D>\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(?P<H>\d+(?:\.\d+)?)H)?(?:(?P<MI>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<S>\d+(?:\.\d+)?)S)?)?$"
)
_DURATION_MINUTES = {"Y": 525_600, "MO": 43_200, "W": 10_080, "D": 1_440, "H": 60, "MI": 1, "S": 1 / 60}


def module_code(activity_id: str) -> str:
    """The last segment of an activity id: the module code when the activity is a module."""
    return re.split(r"[/#:]", activity_id.rstrip("/"))[-1]


def parse_timestamp(value) -> datetime | None:
    """An xAPI timestamp (ISO 8601, as the LRS accepted it) in UTC; a time without offset is UTC."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def score_0_100(score) -> Decimal | None:
    """result.score as 0–100: scaled × 100, else raw placed between min and max, else raw when 0–100;
    ValueError for a raw score that cannot be placed."""
    if not isinstance(score, dict):
        return None
    if isinstance(score.get("scaled"), int | float):
        value = score["scaled"] * 100
    elif isinstance(score.get("raw"), int | float):
        raw, low, high = score["raw"], score.get("min"), score.get("max")
        if isinstance(low, int | float) and isinstance(high, int | float) and high > low:
            value = (raw - low) / (high - low) * 100
        elif 0 <= raw <= 100 and low is None and high is None:
            value = raw
        else:
            raise ValueError("raw needs min < max unless it is 0–100")
    else:
        return None
    value = min(100.0, max(0.0, float(value)))
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def duration_minutes(duration) -> int | None:
    """An ISO 8601 duration in whole minutes (years and months taken as 365 and 30 days); ValueError for
    another form or more than MAX_MINUTES."""
    if duration is None:
        return None
    match = _DURATION.match(duration) if isinstance(duration, str) else None
    if not match:
        raise ValueError("an ISO 8601 duration such as PT1H30M")
    minutes = sum(float(v) * _DURATION_MINUTES[k] for k, v in match.groupdict().items() if v)
    if minutes > MAX_MINUTES:
        raise ValueError(f"at most {MAX_MINUTES // 60} hours")
    return int(Decimal(str(minutes)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
