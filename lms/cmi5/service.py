"""cmi5 use cases: checking course structures, launching an AU, the one-time fetch URL, the statement rules of a
session, and what the LMS records when an AU is satisfied or a session abandoned."""

import hashlib
import json
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path, PurePosixPath
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import current_app
from sqlalchemy import delete, select, update

from lms.audit.service import record
from lms.auth.permissions import Actor
from lms.cmi5 import lrs, rules, structure
from lms.cmi5.models import Cmi5AuState, Cmi5PendingStatement, Cmi5Satisfied, Cmi5Session
from lms.dates import utcnow
from lms.enrollments import service as enrollments
from lms.errors import Conflict, Forbidden, Invalid, NotFound
from lms.extensions import db
from lms.programs.catalogue import VersionInfo, version_info
from lms.programs.content import CMI5_FILE, PROGRAM_FILE, Cmi5Module, Problem
from lms.programs.models import ProgramVersion
from lms.progress import service as progress
from lms.xapi.principal import learner_agent

LAUNCH_DATA = "LMS.LaunchData"
LEARNER_PREFERENCES = "cmi5LearnerPreferences"
PREFERENCES = {"languagePreference": "ja-JP,en-US", "audioPreference": "on"}
CONTENT_FOLDER = "cmi5"  # relative AU URLs point into this subfolder of the programme, which the app serves
CONTENT_PATH = "/cmi5-content"
FETCH_PATH = "/api/v1/cmi5/fetch/"
SESSION_LIFETIME = timedelta(hours=12)  # a session idle this long is abandoned, and its token expires
OPEN = ("launched", "initialized")
FETCH_USED = "The authorization token has already been returned, or the session has ended."
FETCH_UNKNOWN = "Unknown fetch URL."


# --- course structures ----------------------------------------------------------------------------------

def check_content(folder_path: Path, folder: str, modules: list[Cmi5Module]) -> list[Problem]:
    """The content check of a programme with a cmi5.xml (hook `content_checks`): the XSD (13.2), each module's
    `au_id` found in it and used once, and each relative AU URL a file in the programme's cmi5/ folder."""
    xml_file = f"{folder}/{CMI5_FILE}"
    try:
        data = (folder_path / CMI5_FILE).read_bytes()
    except OSError as error:
        return [Problem(xml_file, 1, f"cannot be read: {error.strerror}")]
    parsed, issues = structure.parse(data)
    if parsed is None:
        return [Problem(xml_file, line, message) for line, message in issues]
    problems: list[Problem] = []
    used: dict[str, str] = {}
    for module in modules:
        where = f"modules[{module.index}].au_id"
        if parsed.au(module.au_id) is None:
            problems.append(Problem(f"{folder}/{PROGRAM_FILE}", module.line,
                                    f"{where}: {module.au_id!r} is not an AU in {CMI5_FILE}"))
        elif module.au_id in used:
            problems.append(Problem(f"{folder}/{PROGRAM_FILE}", module.line,
                                    f"{where}: {module.au_id!r} is already the AU of module {used[module.au_id]}"))
        else:
            used[module.au_id] = module.code
    for au in parsed.aus:
        problem = _url_problem(folder_path, au.url)
        if problem:
            problems.append(Problem(xml_file, au.line, f"AU {au.id!r}: {problem}"))
    return problems


def _url_problem(folder_path: Path, url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme:
        return None if parts.scheme in ("http", "https") and parts.netloc else \
            f"url {url!r}: only http(s) URLs or paths inside the {CONTENT_FOLDER}/ folder can be launched"
    relative = PurePosixPath(parts.path)
    if parts.netloc or relative.is_absolute() or ".." in relative.parts or not relative.parts \
            or relative.parts[0] != CONTENT_FOLDER:
        return f"url {url!r}: a relative URL must point into the programme's {CONTENT_FOLDER}/ folder"
    if not (folder_path / relative).is_file():
        return f"url {url!r}: file not found"
    return None


_STRUCTURES: dict[str, structure.CourseStructure] = {}


def structure_of(version: VersionInfo) -> structure.CourseStructure:
    """The course structure of a programme version (stored with it, so it never changes: read once)."""
    cached = _STRUCTURES.get(version.id)
    if cached is None:
        text = db.session.scalar(select(ProgramVersion.cmi5_xml).where(ProgramVersion.id == version.id))
        if text is None:
            raise Conflict(f"Programme {version.code} v{version.version} has no cmi5 course structure.")
        parsed, problems = structure.parse(text.encode("utf-8"))
        if parsed is None:  # validated when loaded; a stored structure that no longer parses is a bug
            raise RuntimeError(f"stored cmi5.xml of {version.id} is invalid: {problems[:3]}")
        cached = _STRUCTURES[version.id] = parsed
    return cached


def _generated_id(kind: str, *parts: str) -> str:
    """An LMS-generated activity id (8.1 activityId, 9.3.9 block and course ids): never the publisher's id,
    the same for every registration."""
    digest = hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()[:32]
    return f"{current_app.config['PUBLIC_BASE_URL']}/cmi5/{kind}/{digest}"


def activity_id(course: structure.CourseStructure, au_id: str) -> str:
    return _generated_id("au", course.course_id, au_id)


# --- launch and fetch ----------------------------------------------------------------------------------------

def _locked_au(actor: Actor, enrollment_id: str, module_code: str, action: str):
    """The enrolment (locked), its programme version, the module, its course structure and its AU, for a module to be `action`
    (launched, waived): 404 for a module the programme lacks, 409 unless the enrolment is active and the module
    a cmi5 AU."""
    enrollment = enrollments.get_enrollment(actor, enrollment_id, for_update=True)
    version = version_info(enrollment.program_version_id)
    module = version.module(module_code)
    if module is None:
        raise NotFound(f"No module {module_code} in this enrolment's programme.")
    if enrollment.status != "active":
        raise Conflict(f"Only a module of an active enrolment can be {action}.")
    if module.kind != "cmi5" or not module.au_id:
        raise Conflict(f"Module {module.code} is not a cmi5 assignable unit.")
    course = structure_of(version)
    return enrollment, version, module, course, course.au(module.au_id)


def launch(actor: Actor, enrollment_id: str, module_code: str, *, now: datetime | None = None) -> dict:
    """Launch a module's AU for the learner (cmi5 8, 10, 11): a new session, the launch data and learner
    preferences written, `launched` recorded, then the launch URL. Open sessions of the registration are
    abandoned first (9.3.6)."""
    now = now or utcnow()
    enrollment, version, module, course, au = _locked_au(actor, enrollment_id, module_code, "launched")
    _abandon_open(enrollment.id, now)
    states = _au_states(enrollment.id)
    satisfied_before = states.get(au.id, rules.RegistrationState()).met(au.move_on)
    session = Cmi5Session(
        id=str(uuid.uuid4()), enrollment_id=enrollment.id, learner_id=enrollment.learner_id,
        module_code=module.code, au_id=au.id, activity_id=activity_id(course, au.id),
        # a satisfied AU is opened for review: completion data can no longer be recorded (10.0 launchMode)
        launch_mode="Review" if satisfied_before and au.move_on != "NotApplicable" else "Normal",
        mastery_score=au.mastery_score, launched_at=now, last_activity_at=now)
    fetch_key = secrets.token_urlsafe(32)
    session.fetch_key_hash = _digest(fetch_key)
    db.session.add(session)
    db.session.flush()
    agent = learner_agent(enrollment.learner_id)
    launch_url = _launch_url(version.code, au.url)
    lrs.put_state(activity_id=session.activity_id, agent=agent, state_id=LAUNCH_DATA, registration=enrollment.id,
                  content=json.dumps(launch_data(session, au, course)).encode(), content_type="application/json")
    lrs.put_agent_profile(agent=agent, profile_id=LEARNER_PREFERENCES, content=json.dumps(PREFERENCES).encode(),
                          content_type="application/json")
    launched = _launched(session, au, agent, launch_url, now)
    _record([launched])
    _satisfy(enrollment.id, version, course, session, agent, now)  # NotApplicable AUs are satisfied at once
    base = current_app.config["PUBLIC_BASE_URL"]
    parameters = {"endpoint": f"{base}/api/v1/xapi/", "fetch": f"{base}{FETCH_PATH}{fetch_key}",
                  "actor": json.dumps(agent, separators=(",", ":")), "registration": enrollment.id,
                  "activityId": session.activity_id}
    answer = {"url": _with_query(launch_url, parameters), "session_id": session.id}
    db.session.commit()
    # 9.3.1: `launched` is in the LRS before the AU is launched (with what else this launch decided)
    deliver_pending(now=now)
    return answer


def launch_data(session: Cmi5Session, au: structure.AU, course: structure.CourseStructure) -> dict:
    """The LMS.LaunchData state document (cmi5 10.0)."""
    data = {
        "contextTemplate": {
            "contextActivities": {"grouping": [{"objectType": "Activity", "id": au.id}]},
            "extensions": {rules.SESSION_ID: session.id},
        },
        "launchMode": session.launch_mode,
        "launchMethod": au.launch_method,
        "moveOn": au.move_on,
        "returnURL": f"{current_app.config['PUBLIC_BASE_URL']}{CONTENT_PATH}/returned",
    }
    if au.mastery_score is not None:
        data["masteryScore"] = float(au.mastery_score)
    if au.launch_parameters is not None:
        data["launchParameters"] = au.launch_parameters
    if au.entitlement_key is not None:
        data["entitlementKey"] = {"courseStructure": au.entitlement_key}
    return data


def _launch_url(program_code: str, url: str) -> str:
    if urlsplit(url).scheme:
        return url
    return f"{current_app.config['PUBLIC_BASE_URL']}{CONTENT_PATH}/{program_code}/{url}"


def _with_query(url: str, parameters: dict[str, str]) -> str:
    """The AU's URL with the launch parameters (8.1); a query of its own is kept, names that collide dropped."""
    parts = urlsplit(url)
    own = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in parameters]
    return urlunsplit(parts._replace(query=urlencode(own + list(parameters.items()))))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def fetch(key: str, *, now: datetime | None = None) -> dict:
    """The fetch URL (8.2): its first POST gets the session's auth token; any later one, or one for a session
    that ended or expired, the error JSON of 8.2.3 (code 1); an unknown key code 2."""
    now = now or utcnow()
    digest = _digest(key)
    claimed = db.session.execute(
        update(Cmi5Session).where(Cmi5Session.fetch_key_hash == digest, Cmi5Session.fetched_at.is_(None),
                                  Cmi5Session.status.in_(OPEN),
                                  Cmi5Session.launched_at > now - SESSION_LIFETIME)
        .values(fetched_at=now)).rowcount
    if claimed != 1:
        db.session.rollback()
        known = db.session.scalar(select(Cmi5Session.id).where(Cmi5Session.fetch_key_hash == digest))
        return {"error-code": "1", "error-text": FETCH_USED} if known else \
            {"error-code": "2", "error-text": FETCH_UNKNOWN}
    session = db.session.scalar(select(Cmi5Session).where(Cmi5Session.fetch_key_hash == digest))
    token = lrs.issue_session_token(session_id=session.id, learner_id=session.learner_id,
                                    registration=session.enrollment_id, activity_id=session.activity_id,
                                    expires_at=session.launched_at + SESSION_LIFETIME)
    db.session.commit()
    return {"auth-token": token}


WAIVE_REASONS = ("Tested Out", "Equivalent AU", "Equivalent Outside Activity", "Administrative")


def waive(actor: Actor, enrollment_id: str, module_code: str, reason: str, *, now: datetime | None = None) -> dict:
    """An admin waives a cmi5 module's AU (9.3.7): `waived` with the reason (9.5.5.2) under a session id of its
    own, once per registration and AU; the AU is then satisfied, and its module completed."""
    now = now or utcnow()
    enrollment, version, module, course, au = _locked_au(actor, enrollment_id, module_code, "waived")
    row = _au_state_row(enrollment.id, au.id)
    if row.waived_at is not None or row.satisfied_at is not None:
        raise Conflict("This AU is already waived or satisfied in this registration.")
    row.waived_at = now
    session = Cmi5Session(id=str(uuid.uuid4()), enrollment_id=enrollment.id, learner_id=enrollment.learner_id,
                          module_code=module.code, au_id=au.id, activity_id=activity_id(course, au.id),
                          status="waived", launched_at=now, last_activity_at=now, fetch_key_hash=None)
    db.session.add(session)
    db.session.flush()
    agent = learner_agent(enrollment.learner_id)
    _record([_statement(session, agent, rules.WAIVED, now, _au_object(session, au), grouping=au.id,
                        result={"success": True, "completion": True, "extensions": {rules.REASON: reason}},
                        categories=[rules.MOVEON_CATEGORY])])
    _satisfy(enrollment.id, version, course, session, agent, now)
    record(actor, "cmi5.waive", "enrollment", enrollment.id, module_code=module.code, reason=reason)
    answer = {"session_id": session.id, "module_code": module.code, "reason": reason}
    db.session.commit()
    deliver_pending(now=now)
    return answer


# --- statements of a session ------------------------------------------------------------------------------

def _session_state(session: Cmi5Session) -> rules.SessionState:
    return rules.SessionState(
        id=session.id, registration=session.enrollment_id, activity_id=session.activity_id,
        publisher_id=session.au_id, launch_mode=session.launch_mode,
        mastery_score=None if session.mastery_score is None else Decimal(session.mastery_score).normalize(),
        initialized=session.initialized_at is not None, terminated=session.status == "terminated",
        abandoned=session.status == "abandoned", verbs=frozenset(session.verbs.split()))


def _au_states(enrollment_id: str) -> dict[str, rules.RegistrationState]:
    return {row.au_id: rules.RegistrationState(completed=row.completed_at is not None,
                                               passed=row.passed_at is not None, failed=row.failed_at is not None,
                                               waived=row.waived_at is not None)
            for row in db.session.scalars(select(Cmi5AuState).where(Cmi5AuState.enrollment_id == enrollment_id))}


def _locked_session(session_id: str | None) -> Cmi5Session | None:
    """The launch session, locked for the transaction; None for a session token that no cmi5 launch issued
    (only cmi5's fetch URL issues them in the app, so that is a token made by other means, e.g. a test)."""
    return db.session.scalar(select(Cmi5Session).where(Cmi5Session.id == session_id)
                             .with_for_update().execution_options(populate_existing=True))


def check_statements(principal, statements: list[dict]) -> None:
    """Hook `statement_checks`: statements sent with a cmi5 session's token must keep cmi5's rules (6.3, 9);
    the session is locked until the intake commits, so two requests of one session are judged one after the
    other."""
    if getattr(principal, "kind", None) != "session":
        return
    session = _locked_session(principal.session_id)
    if session is None:
        return
    registration = _au_states(session.enrollment_id).get(session.au_id, rules.RegistrationState())
    try:
        rules.check_session_statements(_session_state(session), registration, statements)
    except rules.Refused as refused:
        if refused.forbidden:
            raise Forbidden(str(refused)) from None
        raise Invalid(str(refused), errors={"statements": [str(refused)]}) from None


def on_statements_stored(sender, *, principal=None, statements: list[dict] = (), **_) -> None:
    """Receiver of `statements_stored`: a session's statements move it on (initialized, terminated), record its
    AU's completion and pass for the registration, and satisfy what they satisfy (9.3.9)."""
    if getattr(principal, "kind", None) != "session" or not statements:
        return
    now = utcnow()
    session = _locked_session(principal.session_id)
    if session is None:
        return
    before = _au_states(session.enrollment_id).get(session.au_id, rules.RegistrationState())
    after_session, after = rules.check_session_statements(_session_state(session), before, statements)
    session.verbs = " ".join(sorted(after_session.verbs))
    session.last_activity_at = now
    if after_session.initialized and session.initialized_at is None:
        session.initialized_at, session.status = now, "initialized"
    if after_session.terminated:
        session.terminated_at, session.status = now, "terminated"
        lrs.revoke_session_tokens(session.id)
    if after != before:
        row = _au_state_row(session.enrollment_id, session.au_id)
        row.completed_at = row.completed_at or (now if after.completed else None)
        row.passed_at = row.passed_at or (now if after.passed else None)
        row.failed_at = row.failed_at or (now if after.failed else None)
        scaled = _best_scaled(statements, session.activity_id)
        if scaled is not None and (row.best_scaled is None or scaled > row.best_scaled):
            row.best_scaled = scaled
    version = version_info(_version_id(session.enrollment_id))
    _satisfy(session.enrollment_id, version, structure_of(version), session,
             learner_agent(session.learner_id), now)


def _version_id(enrollment_id: str) -> str:
    from lms.enrollments.models import Enrollment

    return db.session.scalar(select(Enrollment.program_version_id).where(Enrollment.id == enrollment_id))


def _best_scaled(statements: list[dict], activity: str) -> Decimal | None:
    best = None
    for statement in statements:
        if (statement.get("verb") or {}).get("id") == rules.PASSED and (statement.get("object") or {}).get(
                "id") == activity and rules.is_cmi5_defined(statement):
            scaled = ((statement.get("result") or {}).get("score") or {}).get("scaled")
            if isinstance(scaled, int | float) and not isinstance(scaled, bool):
                value = Decimal(str(scaled)).quantize(Decimal("0.0001"))
                best = value if best is None or value > best else best
    return best


def _au_state_row(enrollment_id: str, au_id: str) -> Cmi5AuState:
    row = db.session.scalar(select(Cmi5AuState).where(Cmi5AuState.enrollment_id == enrollment_id,
                                                      Cmi5AuState.au_id == au_id))
    if row is None:
        row = Cmi5AuState(enrollment_id=enrollment_id, au_id=au_id)
        db.session.add(row)
        db.session.flush()
    return row


# --- the LMS's own statements ----------------------------------------------------------------------------

def _record(statements: list[dict]) -> None:
    """Keep statements the LMS makes in the current transaction, for `deliver_pending` to hand to the LRS
    once it commits: they are recorded if and only if what caused them is."""
    for statement in statements:
        db.session.add(Cmi5PendingStatement(statement_id=statement["id"], statement=json.dumps(
            statement, ensure_ascii=False, separators=(",", ":"))))
    db.session.flush()


def deliver_pending(*, now: datetime | None = None, worker: str | None = None, limit: int = 500) -> int:
    """Hand the LMS's pending statements to the LRS, oldest first, each in its own transaction: the row goes in
    the transaction that stores the statement, so a failure leaves it for the next run (the scheduler polls
    this queue) and a statement is never stored twice. Returns how many were delivered."""
    ids = db.session.scalars(select(Cmi5PendingStatement.id).order_by(Cmi5PendingStatement.id).limit(limit)).all()
    db.session.rollback()
    delivered = 0
    for pending_id in ids:
        row = db.session.scalar(select(Cmi5PendingStatement).where(Cmi5PendingStatement.id == pending_id)
                                .with_for_update(skip_locked=True))
        if row is None:  # delivered meanwhile by another run
            db.session.rollback()
            continue
        statement = json.loads(row.statement)
        db.session.delete(row)
        try:
            lrs.store_statement(statement)  # commits the delete with the stored statement
        except Exception:
            db.session.rollback()
            current_app.logger.exception("cmi5 statement %s not delivered; kept for the next run", row.statement_id)
            continue
        # the LRS had it already (a run that failed after storing): the row goes on its own
        db.session.execute(delete(Cmi5PendingStatement).where(Cmi5PendingStatement.id == pending_id))
        db.session.commit()
        delivered += 1
    return delivered


# --- satisfied, abandoned ---------------------------------------------------------------------------------

def _satisfy(enrollment_id: str, version: VersionInfo, course: structure.CourseStructure, session: Cmi5Session,
             agent: dict, now: datetime) -> None:
    """Record what has become satisfied in the registration: each AU whose moveOn is met completes (or passes)
    its module; each block and the course get one `satisfied` statement (9.3.9), with the session's id."""
    states = _au_states(enrollment_id)
    result = rules.satisfaction({au.id: au.move_on for au in course.aus},
                                {block.id: block.au_ids for block in course.blocks}, states)
    modules = {m.au_id: m for m in version.modules if m.kind == "cmi5" and m.au_id}
    for au in course.aus:
        if au.id not in result.aus:
            continue
        row = _au_state_row(enrollment_id, au.id)
        if row.satisfied_at is not None:
            continue
        row.satisfied_at = now
        module = modules.get(au.id)
        if module is not None:
            passed = row.passed_at is not None and au.move_on != "Completed"
            score = None if row.best_scaled is None else (Decimal(row.best_scaled) * 100).quantize(Decimal("0.01"))
            progress.record_module_event(enrollment_id, module.code, "passed" if passed else "completed",
                                         occurred_at=now, score=score if passed else None, now=now)
    done = {row.object_id for row in db.session.scalars(
        select(Cmi5Satisfied).where(Cmi5Satisfied.enrollment_id == enrollment_id))}
    targets = [(b.id, b.title, "block") for b in course.blocks if b.id in result.blocks]
    if result.course:
        targets.append((course.course_id, course.title, "course"))
    statements = []
    for object_id, title, kind in targets:
        if object_id in done:
            continue
        statement = _statement(session, agent, rules.SATISFIED, now, {
            "objectType": "Activity", "id": _generated_id(kind, course.course_id, object_id),
            "definition": {"name": {"ja-JP": title}, "type": rules.BLOCK_TYPE if kind == "block"
                           else rules.COURSE_TYPE}}, grouping=object_id)
        db.session.add(Cmi5Satisfied(enrollment_id=enrollment_id, kind=kind, object_id=object_id,
                                     statement_id=statement["id"], satisfied_at=now))
        statements.append(statement)
    if statements:
        db.session.flush()  # the unique (registration, object) refuses a second satisfied before it is stored
        _record(statements)


def _statement(session: Cmi5Session, agent: dict, verb: str, now: datetime, target: dict, *,
               grouping: str, result: dict | None = None, extensions: dict | None = None,
               categories: list[str] = ()) -> dict:
    """A cmi5 defined statement made by the LMS: the session's id, the registration, the cmi5 category and the
    publisher id grouping (9.6)."""
    statement = {
        "id": str(uuid.uuid4()), "actor": agent,
        "verb": {"id": verb, "display": {"en-US": rules.VERB_NAMES[verb]}},
        "object": target,
        "context": {"registration": session.enrollment_id,
                    "contextActivities": {"category": [{"objectType": "Activity", "id": c}
                                                       for c in (rules.CATEGORY, *categories)],
                                          "grouping": [{"objectType": "Activity", "id": grouping}]},
                    "extensions": {rules.SESSION_ID: session.id, **(extensions or {})}},
        "timestamp": _iso(now),
    }
    if result is not None:
        statement["result"] = result
    return statement


def _au_object(session: Cmi5Session, au: structure.AU) -> dict:
    return {"objectType": "Activity", "id": session.activity_id, "definition": {"name": {"ja-JP": au.title}}}


def _launched(session: Cmi5Session, au: structure.AU, agent: dict, launch_url: str, now: datetime) -> dict:
    """9.3.1 launched, with launchMode, launchURL, moveOn, masteryScore and launchParameters (9.6.3)."""
    extensions = {rules.LAUNCH_MODE: session.launch_mode, rules.LAUNCH_URL: launch_url, rules.MOVE_ON: au.move_on}
    if au.mastery_score is not None:
        extensions[rules.MASTERY_SCORE] = float(au.mastery_score)
    if au.launch_parameters is not None:
        extensions[rules.LAUNCH_PARAMETERS] = au.launch_parameters
    return _statement(session, agent, rules.LAUNCHED, now, _au_object(session, au), grouping=au.id,
                      extensions=extensions)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _duration(seconds: float) -> str:
    return f"PT{max(seconds, 0):.2f}S"


def _abandon(session: Cmi5Session, now: datetime) -> dict:
    """Close a session left without `terminated` (9.3.6): abandoned, with the session's duration (9.5.4.2),
    and its token revoked; nothing more is recorded for it."""
    session.status, session.abandoned_at = "abandoned", now
    lrs.revoke_session_tokens(session.id)
    course = structure_of(version_info(_version_id(session.enrollment_id)))
    au = course.au(session.au_id)
    duration = (session.last_activity_at - session.launched_at).total_seconds()
    return _statement(session, learner_agent(session.learner_id), rules.ABANDONED, now, _au_object(session, au),
                      grouping=session.au_id, result={"duration": _duration(duration)})


def _abandon_open(enrollment_id: str, now: datetime) -> None:
    sessions = db.session.scalars(select(Cmi5Session).where(
        Cmi5Session.enrollment_id == enrollment_id, Cmi5Session.status.in_(OPEN)).with_for_update()).all()
    statements = [_abandon(session, now) for session in sessions]
    if statements:
        _record(statements)


def abandon_stale(*, now: datetime | None = None) -> int:
    """Daily job: sessions idle for longer than a session may last are abandoned. Returns how many."""
    now = now or utcnow()
    ids = db.session.scalars(select(Cmi5Session.id).where(
        Cmi5Session.status.in_(OPEN), Cmi5Session.last_activity_at < now - SESSION_LIFETIME)
        .order_by(Cmi5Session.id)).all()
    db.session.rollback()
    count = 0
    for session_id in ids:
        session = db.session.scalar(select(Cmi5Session).where(
            Cmi5Session.id == session_id, Cmi5Session.status.in_(OPEN)).with_for_update())
        if session is not None:
            _record([_abandon(session, now)])
            count += 1
        db.session.commit()
    return count
