"""Report use cases for the API and the CLI: schedules, manual runs, run history and artifacts."""

from datetime import datetime
from pathlib import Path
from typing import Any

import marshmallow as ma
from sqlalchemy import select, update

from lms.audit.service import record
from lms.auth.permissions import Actor
from lms.dates import utcnow
from lms.errors import Conflict, Invalid, NotFound
from lms.extensions import db
from lms.pagination import paginate
from lms.programs.models import ProgramVersion
from lms.reports import storage
from lms.reports.cron import CronError, validate_cron
from lms.reports.models import ReportArtifact, ReportRun, ReportSchedule
from lms.reports.types import REPORT_TYPES, describe

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def report_types() -> list[dict]:
    return [describe(t) for t in REPORT_TYPES.values()]


def _checked_params(report_type: str, params: dict[str, Any]) -> dict[str, Any]:
    """The params as the report type reads them (defaults filled), or 422 naming the bad ones."""
    kind = REPORT_TYPES.get(report_type)
    if kind is None:
        raise Invalid(field="report_type", message=f"Unknown report type; one of {', '.join(REPORT_TYPES)}.")
    try:
        loaded = kind.params().load(params)
    except ma.ValidationError as exc:
        raise Invalid(errors={"json": {"params": exc.messages}}) from exc
    code = loaded.get("program_code")
    if code and db.session.scalar(select(ProgramVersion.id).where(ProgramVersion.code == code).limit(1)) is None:
        raise Invalid(errors={"json": {"params": {"program_code": ["No such programme."]}}})
    return loaded


def _checked_cron(cron: str, now: datetime) -> str:
    cron = " ".join(cron.split())
    try:
        validate_cron(cron, now)
    except CronError as exc:
        raise Invalid(f"Invalid cron: {exc}", field="cron", message=str(exc)) from exc
    return cron


def get_schedule(schedule_id: str) -> ReportSchedule:
    schedule = db.session.get(ReportSchedule, schedule_id)
    if schedule is None or schedule.deleted_at is not None:
        raise NotFound("No such report schedule.")
    return schedule


def list_schedules(*, page: int, per_page: int, enabled: bool | None = None,
                   report_type: str | None = None) -> tuple[list[ReportSchedule], int]:
    query = select(ReportSchedule).where(ReportSchedule.deleted_at.is_(None))
    if enabled is not None:
        query = query.where(ReportSchedule.enabled == enabled)
    if report_type is not None:
        query = query.where(ReportSchedule.report_type == report_type)
    return paginate(query, page=page, per_page=per_page, order_by=(ReportSchedule.created_at, ReportSchedule.id))


def create_schedule(actor: Actor | None, *, name: str, report_type: str, cron: str, params: dict | None = None,
                    formats: list[str] | None = None, enabled: bool = True,
                    now: datetime | None = None) -> ReportSchedule:
    """Create a schedule; the scheduler process picks it up at its next reconciliation."""
    now = now or utcnow()
    schedule = ReportSchedule(
        name=name, report_type=report_type, params=_checked_params(report_type, params or {}),
        cron=_checked_cron(cron, now), formats=list(formats or ("csv", "xlsx", "pdf")), enabled=enabled,
        active_since=now, created_by=getattr(actor, "id", None), created_at=now, updated_at=now,
    )
    db.session.add(schedule)
    db.session.flush()
    record(actor, "report_schedule.create", "report_schedule", schedule.id, report_type=report_type, cron=cron,
           enabled=enabled)
    db.session.commit()
    return schedule


def update_schedule(actor: Actor | None, schedule_id: str, fields: dict[str, Any],
                    now: datetime | None = None) -> ReportSchedule:
    """Change a schedule; a new timetable or re-enabling starts afresh (no catch-up of the old one)."""
    now = now or utcnow()
    schedule = get_schedule(schedule_id)
    report_type = fields.get("report_type", schedule.report_type)
    if "params" in fields or report_type != schedule.report_type:
        fields["params"] = _checked_params(report_type, fields.get("params", schedule.params))
    if "cron" in fields:
        fields["cron"] = _checked_cron(fields["cron"], now)
    restarts = (fields.get("cron", schedule.cron) != schedule.cron
                or (fields.get("enabled") and not schedule.enabled))
    changed = sorted(key for key, value in fields.items() if getattr(schedule, key) != value)
    for key, value in fields.items():
        setattr(schedule, key, value)
    if restarts:
        schedule.active_since = now
    schedule.updated_at = now
    record(actor, "report_schedule.update", "report_schedule", schedule.id, changed=changed)
    db.session.commit()
    return schedule


def delete_schedule(actor: Actor | None, schedule_id: str, now: datetime | None = None) -> None:
    """Delete a schedule: its history stays, its runs that have not started are failed."""
    now = now or utcnow()
    schedule = get_schedule(schedule_id)
    schedule.deleted_at, schedule.enabled, schedule.updated_at = now, False, now
    db.session.execute(
        update(ReportRun).where(ReportRun.schedule_id == schedule.id, ReportRun.status == "queued")
        .values(status="failed", finished_at=now, error="The schedule was deleted before the run started.")
        .execution_options(synchronize_session=False))
    record(actor, "report_schedule.delete", "report_schedule", schedule.id)
    db.session.commit()


def request_run(actor: Actor | None, schedule_id: str, now: datetime | None = None) -> ReportRun:
    """Queue a run now; a scheduler process claims it at its next poll."""
    now = now or utcnow()
    schedule = get_schedule(schedule_id)
    if schedule.report_type not in REPORT_TYPES:
        raise Conflict("The schedule's report type is no longer available.")
    run = ReportRun(schedule_id=schedule.id, origin="manual", scheduled_for=None, requested_at=now,
                    requested_by=getattr(actor, "id", None), report_type=schedule.report_type,
                    params=dict(schedule.params), formats=list(schedule.formats), status="queued")
    db.session.add(run)
    db.session.flush()
    record(actor, "report_schedule.run", "report_schedule", schedule.id, run_id=run.id)
    db.session.commit()
    return run


def list_runs(*, page: int, per_page: int, schedule_id: str | None = None,
              status: str | None = None) -> tuple[list[ReportRun], int]:
    query = select(ReportRun)
    if schedule_id is not None:
        query = query.where(ReportRun.schedule_id == schedule_id)
    if status is not None:
        query = query.where(ReportRun.status == status)
    return paginate(query, page=page, per_page=per_page, order_by=(ReportRun.requested_at.desc(), ReportRun.id))


def get_run(run_id: str) -> ReportRun:
    run = db.session.get(ReportRun, run_id)
    if run is None:
        raise NotFound("No such report run.")
    return run


def artifact_file(run_id: str, fmt: str, storage_dir: str) -> tuple[Path, str, str]:
    """The file of a run's artifact with its download name and media type; 404 if absent or pruned."""
    artifact = db.session.scalar(select(ReportArtifact).where(ReportArtifact.run_id == get_run(run_id).id,
                                                              ReportArtifact.format == fmt))
    path = storage.resolve(storage.reports_dir(storage_dir), artifact.path) if artifact else None
    if path is None:
        raise NotFound(f"This run has no {fmt} file (not requested, not produced yet, or pruned).")
    return path, Path(artifact.path).name, MEDIA_TYPES[fmt]
