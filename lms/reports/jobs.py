"""Scheduler work as plain functions of the time: queue occurrences, claim and run, retry, prune."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.dates import JST
from lms.extensions import db
from lms.reports import storage
from lms.reports.cron import CronError, latest_occurrence, trigger_for
from lms.reports.models import ReportArtifact, ReportRun, ReportSchedule

log = logging.getLogger(__name__)
MAX_ERROR_LENGTH = 4000


@dataclass(frozen=True)
class Settings:
    """How runs are retried, leased and kept; read from the app config with these defaults."""

    max_attempts: int = 3
    retry_delay: timedelta = timedelta(seconds=60)  # doubled after each failed attempt
    lease: timedelta = timedelta(hours=1)  # a run still "running" after this is taken over
    retention: timedelta = timedelta(days=90)

    @classmethod
    def from_config(cls) -> "Settings":
        config = current_app.config
        return cls(max_attempts=int(config.get("REPORT_MAX_ATTEMPTS", 3)),
                   retry_delay=timedelta(seconds=float(config.get("REPORT_RETRY_SECONDS", 60))),
                   lease=timedelta(seconds=float(config.get("REPORT_RUN_LEASE_SECONDS", 3600))),
                   retention=timedelta(days=float(config.get("REPORT_RETENTION_DAYS", 90))))


def reports_root() -> Path:
    return storage.reports_dir(current_app.config["STORAGE_DIR"])


def enqueue_occurrence(schedule: ReportSchedule, now: datetime) -> ReportRun | None:
    """Queue the latest occurrence due by `now` that has no run yet; occurrences missed meanwhile
    coalesce into it. Two processes may race here: the unique (schedule_id, scheduled_for) lets one win."""
    try:
        trigger = trigger_for(schedule.cron)
    except CronError:
        log.warning("schedule %s has an unusable cron %r", schedule.id, schedule.cron)
        return None
    last = db.session.scalar(select(func.max(ReportRun.scheduled_for)).where(ReportRun.schedule_id == schedule.id))
    after = max(schedule.active_since, last) if last else schedule.active_since
    occurrence = latest_occurrence(trigger, after, now)
    if occurrence is None:
        return None
    run = ReportRun(schedule_id=schedule.id, origin="schedule", scheduled_for=occurrence, requested_at=now,
                    report_type=schedule.report_type, params=dict(schedule.params),
                    formats=list(schedule.formats), status="queued")
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another scheduler process recorded this occurrence first
        return None
    log.info("queued %s for schedule %s at %s", run.id, schedule.id, occurrence.isoformat())
    return run


def due_schedules(schedule_id: str | None = None) -> list[ReportSchedule]:
    query = select(ReportSchedule).where(ReportSchedule.enabled, ReportSchedule.deleted_at.is_(None))
    if schedule_id is not None:
        query = query.where(ReportSchedule.id == schedule_id)
    return list(db.session.scalars(query.order_by(ReportSchedule.created_at, ReportSchedule.id)))


def catch_up(now: datetime, schedule_id: str | None = None) -> list[str]:
    """Queue, for each enabled schedule, its latest occurrence since the last recorded one; the ids queued."""
    queued = []
    for schedule in due_schedules(schedule_id):
        run = enqueue_occurrence(schedule, now)
        if run is not None:
            queued.append(run.id)
    return queued


def claim_next(now: datetime, worker: str, settings: Settings) -> str | None:
    """Take the oldest queued run that may start; the guarded update lets only one process take it."""
    candidates = db.session.scalars(
        select(ReportRun.id).where(ReportRun.status == "queued",
                                   (ReportRun.not_before.is_(None)) | (ReportRun.not_before <= now))
        .order_by(ReportRun.requested_at, ReportRun.id).limit(10)).all()
    db.session.rollback()
    for run_id in candidates:
        claimed = db.session.execute(
            update(ReportRun).where(ReportRun.id == run_id, ReportRun.status == "queued")
            .values(status="running", attempts=ReportRun.attempts + 1, started_at=now, finished_at=None,
                    worker=worker, lease_expires_at=now + settings.lease)
            .execution_options(synchronize_session=False))
        db.session.commit()
        if claimed.rowcount == 1:
            return run_id
    return None


def take_over_expired(now: datetime, settings: Settings) -> int:
    """Runs whose process died mid-run (lease over): queue them again, or fail them if out of attempts."""
    expired = (ReportRun.status == "running") & (ReportRun.lease_expires_at < now)
    error = "The scheduler process stopped during the run."
    retried = db.session.execute(
        update(ReportRun).where(expired, ReportRun.attempts < settings.max_attempts)
        .values(status="queued", not_before=now, error=error, worker=None, lease_expires_at=None)
        .execution_options(synchronize_session=False)).rowcount
    failed = db.session.execute(
        update(ReportRun).where(expired, ReportRun.attempts >= settings.max_attempts)
        .values(status="failed", finished_at=now, error=error, lease_expires_at=None)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return retried + failed


def artifact_name(run: ReportRun, now: datetime, fmt: str) -> str:
    return f"{run.id}/{run.report_type}-{now.astimezone(JST):%Y%m%d-%H%M}.{fmt}"


def execute(run_id: str, clock: Callable[[], datetime], worker: str, settings: Settings) -> str:
    """Build and render a claimed run, store its files and record the outcome; the run's new status.

    The report's as-of time is `clock()` at the start; its finish time is `clock()` at the end."""
    from lms.reports.render import render
    from lms.reports.types import REPORT_TYPES, resolve_params

    run = db.session.get(ReportRun, run_id)
    root, written, now = reports_root(), [], clock()
    try:
        report_type = REPORT_TYPES.get(run.report_type)
        if report_type is None:
            raise LookupError(f"unknown report type {run.report_type!r}")
        params = resolve_params(report_type.params().load(run.params), run.scheduled_for or run.requested_at)
        report = report_type.build(params, now)
        names = {fmt: artifact_name(run, now, fmt) for fmt in run.formats}
        # the report is plain values now: no transaction (on SQLite, the write lock) is held while rendering
        db.session.commit()
        for fmt, name in names.items():
            data = render(report, fmt, report_type.title_ja, generated_at=now)
            written.append((fmt, storage.write_atomically(root, name, data)))
    except Exception as exc:
        db.session.rollback()
        log.exception("report run %s failed", run_id)
        for _, stored in written:
            storage.remove(root, stored.path)
        return _record_failure(run_id, worker, exc, clock(), settings)
    finished = clock()
    done = db.session.execute(
        update(ReportRun).where(ReportRun.id == run_id, ReportRun.status == "running", ReportRun.worker == worker)
        .values(status="succeeded", finished_at=finished, resolved_params=params, error=None,
                lease_expires_at=None, not_before=None)
        .execution_options(synchronize_session=False))
    if done.rowcount != 1:
        db.session.rollback()
        log.warning("report run %s was taken over by another process; its result is dropped", run_id)
        for _, stored in written:
            storage.remove(root, stored.path)
        return "lost"
    for fmt, stored in written:
        db.session.add(ReportArtifact(run_id=run_id, format=fmt, path=stored.path, bytes=stored.bytes,
                                      sha256=stored.sha256, created_at=finished))
    db.session.commit()
    log.info("report run %s succeeded: %s", run_id, ", ".join(fmt for fmt, _ in written))
    return "succeeded"


def _record_failure(run_id: str, worker: str, exc: Exception, finished: datetime, settings: Settings) -> str:
    error = f"{type(exc).__name__}: {exc}"[:MAX_ERROR_LENGTH]
    attempts = db.session.scalar(select(ReportRun.attempts).where(ReportRun.id == run_id)) or 0
    mine = (ReportRun.id == run_id) & (ReportRun.status == "running") & (ReportRun.worker == worker)
    if attempts < settings.max_attempts:
        delay = settings.retry_delay * 2 ** (attempts - 1)
        values = {"status": "queued", "not_before": finished + delay, "finished_at": None}
    else:
        values = {"status": "failed", "finished_at": finished}
    db.session.execute(update(ReportRun).where(mine).values(error=error, lease_expires_at=None, **values)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    return values["status"]


def work_queue(clock: Callable[[], datetime], worker: str, settings: Settings, limit: int = 20) -> int:
    """Run queued runs until none may start (at most `limit`); the number run."""
    take_over_expired(clock(), settings)
    count = 0
    while count < limit and (run_id := claim_next(clock(), worker, settings)) is not None:
        execute(run_id, clock, worker, settings)
        db.session.remove()
        count += 1
    return count


def prune_artifacts(now: datetime, settings: Settings, batch: int = 500) -> int:
    """Delete artifacts older than the retention period (rows first, then files); the number deleted."""
    root, removed = reports_root(), 0
    cutoff = now - settings.retention
    while True:
        old = db.session.scalars(select(ReportArtifact).where(ReportArtifact.created_at < cutoff)
                                 .order_by(ReportArtifact.created_at).limit(batch)).all()
        if not old:
            return removed
        paths = [artifact.path for artifact in old]
        for artifact in old:
            db.session.delete(artifact)
        db.session.commit()
        for path in paths:
            storage.remove(root, path)
        removed += len(paths)
