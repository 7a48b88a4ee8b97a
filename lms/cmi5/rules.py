"""cmi5's rules for the LMS, as pure functions: which statements an AU session may send (cmi5 sections 6.3,
7.1, 9), when an AU's moveOn is met and which blocks and course that satisfies (9.3.9, 13.1.4)."""

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

CMI5 = "https://w3id.org/xapi/cmi5/"
CATEGORY = CMI5 + "context/categories/cmi5"
MOVEON_CATEGORY = CMI5 + "context/categories/moveon"
SESSION_ID = CMI5 + "context/extensions/sessionid"
MASTERY_SCORE = CMI5 + "context/extensions/masteryscore"
LAUNCH_MODE = CMI5 + "context/extensions/launchmode"
LAUNCH_URL = CMI5 + "context/extensions/launchurl"
MOVE_ON = CMI5 + "context/extensions/moveon"
LAUNCH_PARAMETERS = CMI5 + "context/extensions/launchparameters"
REASON = CMI5 + "result/extensions/reason"
BLOCK_TYPE = CMI5 + "activitytype/block"
COURSE_TYPE = CMI5 + "activitytype/course"

ADL = "http://adlnet.gov/expapi/verbs/"
LAUNCHED, INITIALIZED, COMPLETED = ADL + "launched", ADL + "initialized", ADL + "completed"
PASSED, FAILED, TERMINATED, VOIDED = ADL + "passed", ADL + "failed", ADL + "terminated", ADL + "voided"
ABANDONED = "https://w3id.org/xapi/adl/verbs/abandoned"
WAIVED = "https://w3id.org/xapi/adl/verbs/waived"
SATISFIED = "https://w3id.org/xapi/adl/verbs/satisfied"
AU_VERBS = frozenset({INITIALIZED, COMPLETED, PASSED, FAILED, TERMINATED})
LMS_VERBS = frozenset({LAUNCHED, ABANDONED, WAIVED, SATISFIED})
VERB_NAMES = {LAUNCHED: "launched", INITIALIZED: "initialized", COMPLETED: "completed", PASSED: "passed",
              FAILED: "failed", TERMINATED: "terminated", ABANDONED: "abandoned", WAIVED: "waived",
              SATISFIED: "satisfied"}
NEEDS_DURATION = frozenset({COMPLETED, PASSED, FAILED, TERMINATED})
LAUNCH_MODES = ("Normal", "Browse", "Review")


@dataclass(frozen=True)
class SessionState:
    """What the LMS knows of one AU launch session when statements arrive."""

    id: str
    registration: str
    activity_id: str  # the LMS-generated activity id of the AU (8.1)
    publisher_id: str  # the AU's id in the course structure (9.6.2.3)
    launch_mode: str = "Normal"
    mastery_score: Decimal | None = None
    initialized: bool = False
    terminated: bool = False
    abandoned: bool = False
    verbs: frozenset[str] = frozenset()  # cmi5 defined verbs already recorded in this session


@dataclass(frozen=True)
class RegistrationState:
    """One AU in one registration (enrolment), over all its sessions."""

    completed: bool = False
    passed: bool = False
    failed: bool = False
    waived: bool = False

    def met(self, move_on: str) -> bool:
        """Whether the AU's moveOn criterion is met (13.1.4 moveOn); a waived AU is met too (9.3.7)."""
        return self.waived or move_on_met(move_on, completed=self.completed, passed=self.passed)


class Refused(Exception):
    """A statement the LMS rejects; `section` names the cmi5 section it breaks."""

    def __init__(self, section: str, message: str, *, forbidden: bool = False) -> None:
        super().__init__(f"cmi5 {section}: {message}")
        self.section, self.message, self.forbidden = section, message, forbidden


def move_on_met(move_on: str, *, completed: bool, passed: bool) -> bool:
    """cmi5 13.1.4 moveOn: whether the statements received satisfy the AU."""
    if move_on == "NotApplicable":
        return True
    if move_on == "Passed":
        return passed
    if move_on == "Completed":
        return completed
    if move_on == "CompletedAndPassed":
        return completed and passed
    if move_on == "CompletedOrPassed":
        return completed or passed
    raise ValueError(f"unknown moveOn {move_on!r}")


def _context(statement: dict) -> dict:
    context = statement.get("context")
    return context if isinstance(context, dict) else {}


def _activity_ids(context: dict, kind: str) -> set[str]:
    activities = (context.get("contextActivities") or {}).get(kind) or []
    if isinstance(activities, dict):  # a single activity is allowed in place of a list (xAPI 4.1.6.2)
        activities = [activities]
    return {a.get("id") for a in activities if isinstance(a, dict)}


def _verb(statement: dict) -> str | None:
    verb = statement.get("verb")
    return verb.get("id") if isinstance(verb, dict) else None


def is_cmi5_defined(statement: dict) -> bool:
    """A statement with the cmi5 category activity (7.1.3 "cmi5 defined"; 9.6.2.1)."""
    return CATEGORY in _activity_ids(_context(statement), "category")


def check_session_statement(session: SessionState, registration: RegistrationState, statement: dict
                            ) -> tuple[SessionState, RegistrationState]:
    """One statement sent with a session's credentials, judged against what came before it; raises Refused, or
    returns the session and registration as they are once it is recorded."""
    verb = _verb(statement)
    if verb == VOIDED:
        raise Refused("6.3", "an AU may not void statements", forbidden=True)
    if session.abandoned:
        raise Refused("9.3.6", "the session was abandoned: no statement may be recorded for it")
    if session.terminated:
        raise Refused("9.3.8", "the session has terminated: no statement may be recorded for it")
    context = _context(statement)
    extensions = context.get("extensions") if isinstance(context.get("extensions"), dict) else {}
    if extensions.get(SESSION_ID) != session.id:
        raise Refused("9.6.3.1", "context.extensions must hold this session's id under " + SESSION_ID)
    if context.get("registration") != session.registration:
        raise Refused("9.6.1", "context.registration must be the registration the AU was launched with")
    defined = is_cmi5_defined(statement)
    if verb in LMS_VERBS and defined:
        raise Refused("9.3", f"only the LMS issues {VERB_NAMES[verb]!r} statements", forbidden=True)
    if verb in AU_VERBS and not defined:
        raise Refused("9.6.2.1", f"a {VERB_NAMES[verb]!r} statement must carry the cmi5 category activity "
                                 f"{CATEGORY} in context.contextActivities.category")
    if not session.initialized and verb != INITIALIZED:
        raise Refused("9.3.2", "the first statement of a session must be 'initialized'")
    if not defined:
        return session, registration  # "cmi5 allowed": between initialized and terminated, nothing more
    _check_defined(session, registration, statement, verb, context, extensions)
    registration = replace(registration, completed=registration.completed or verb == COMPLETED,
                           passed=registration.passed or verb == PASSED, failed=registration.failed or verb == FAILED)
    session = replace(session, verbs=session.verbs | {verb}, initialized=True,
                      terminated=session.terminated or verb == TERMINATED)
    return session, registration


def _check_defined(session: SessionState, registration: RegistrationState, statement: dict, verb: str,
                   context: dict, extensions: dict) -> None:
    name = VERB_NAMES[verb]
    actor = statement.get("actor") or {}
    if actor.get("objectType", "Agent") != "Agent" or "account" not in actor:
        raise Refused("9.2", "the actor of a cmi5 defined statement must be an Agent with an account")
    target = statement.get("object") or {}
    if target.get("objectType", "Activity") != "Activity" or target.get("id") != session.activity_id:
        raise Refused("9.4", "the object of a cmi5 defined statement must be the AU's activity (the launch "
                             "parameter activityId)")
    if session.publisher_id not in _activity_ids(context, "grouping"):
        raise Refused("9.6.2.3", "context.contextActivities.grouping must hold the AU's publisher id activity "
                                 "from the context template")
    if verb == INITIALIZED and session.initialized:
        raise Refused("9.3.2", "only one 'initialized' statement per session")
    if verb in session.verbs:
        raise Refused("9.3", f"'{name}' was already recorded in this session (verbs must not be duplicated)")
    if verb in (PASSED, FAILED) and session.verbs & {PASSED, FAILED}:
        raise Refused("9.3", "only one of 'passed' and 'failed' per session")
    if verb in (COMPLETED, PASSED, FAILED) and session.launch_mode != "Normal":
        raise Refused("10.0", f"in {session.launch_mode} mode an AU sends no '{name}' statement (launchMode)")
    if verb == COMPLETED and registration.completed:
        raise Refused("9.3.3", "only one 'completed' statement per registration")
    if verb == PASSED and registration.passed:
        raise Refused("9.3.4", "only one 'passed' statement per registration")
    if verb == FAILED and registration.passed:
        raise Refused("9.3", "'failed' must not follow 'passed' in a registration")
    result = statement.get("result") if isinstance(statement.get("result"), dict) else {}
    _check_result(session, verb, result, extensions)
    moveon = MOVEON_CATEGORY in _activity_ids(context, "category")
    if ("success" in result or "completion" in result) != moveon:
        raise Refused("9.6.2.2", "the moveOn category activity belongs in exactly those cmi5 defined statements "
                                 "whose result has success or completion")


def _check_result(session: SessionState, verb: str, result: dict, extensions: dict) -> None:
    name = VERB_NAMES[verb]
    if "score" in result and verb not in (PASSED, FAILED):
        raise Refused("9.5.1", f"a '{name}' statement must not include a score")
    expected_success = {PASSED: True, FAILED: False}.get(verb)
    if expected_success is None and "success" in result:
        raise Refused("9.5.2", f"a '{name}' statement must not include result.success")
    if expected_success is not None and result.get("success") is not expected_success:
        raise Refused("9.5.2", f"a '{name}' statement must have result.success {str(expected_success).lower()}")
    if verb == COMPLETED and result.get("completion") is not True:
        raise Refused("9.5.3", "a 'completed' statement must have result.completion true")
    if verb != COMPLETED and "completion" in result:
        raise Refused("9.5.3", f"a '{name}' statement must not include result.completion")
    if verb in NEEDS_DURATION and not result.get("duration"):
        raise Refused("9.5.4.1", f"a '{name}' statement must include result.duration")
    if verb in (PASSED, FAILED) and session.mastery_score is not None:
        scaled = _scaled(result)
        if scaled is not None:
            if verb == PASSED and scaled < session.mastery_score:
                raise Refused("9.3.4", f"a 'passed' score ({scaled}) must be at least the masteryScore "
                                       f"({session.mastery_score})")
            if verb == FAILED and scaled >= session.mastery_score:
                raise Refused("9.3.5", f"a 'failed' score ({scaled}) must be below the masteryScore "
                                       f"({session.mastery_score})")
            if _decimal(extensions.get(MASTERY_SCORE)) != session.mastery_score:
                raise Refused("9.6.3.2", f"a '{name}' statement judged by the masteryScore must carry it in "
                                         f"context.extensions under {MASTERY_SCORE}")


def _moment(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _scaled(result: dict) -> Decimal | None:
    score = result.get("score") if isinstance(result.get("score"), dict) else {}
    return _decimal(score.get("scaled"))


def check_session_statements(session: SessionState, registration: RegistrationState, statements: list[dict]
                             ) -> tuple[SessionState, RegistrationState]:
    """A batch, in the order cmi5 judges order by (9.3: the timestamps; the order sent where they are equal, or
    when any statement has no timestamp the LRS could compare)."""
    moments = [_moment(statement.get("timestamp")) for statement in statements]
    if None in moments:
        ordered = list(statements)
    else:
        ordered = [statements[i] for i in sorted(range(len(statements)), key=lambda i: (moments[i], i))]
    for statement in ordered:
        session, registration = check_session_statement(session, registration, statement)
    return session, registration


@dataclass(frozen=True)
class Satisfaction:
    """What is satisfied in a registration: AU ids and block ids (publisher ids), and the course."""

    aus: frozenset[str]
    blocks: frozenset[str]
    course: bool


def satisfaction(aus: dict[str, str], blocks: dict[str, tuple[str, ...]], states: dict[str, RegistrationState]
                 ) -> Satisfaction:
    """cmi5 13.1.4 moveOn, usage: an AU is satisfied when its moveOn is met; a block when all its AUs are;
    the course when all AUs are. `aus` maps AU id to moveOn, `blocks` block id to the AUs in it."""
    satisfied = frozenset(au_id for au_id, move_on in aus.items()
                          if states.get(au_id, RegistrationState()).met(move_on))
    return Satisfaction(satisfied, frozenset(b for b, members in blocks.items() if set(members) <= satisfied),
                        bool(aus) and satisfied == set(aus))
