"""The scheduler process: APScheduler jobs kept in step with the schedules in the database.

Started only by `flask --app wsgi lms scheduler`, never by create_app or a web worker. The work itself lives
in lms.reports.jobs as plain functions of the time; this module only wires them to APScheduler. The process
also runs the daily maintenance jobs listed in lms.maintenance, whichever domain they belong to.
"""

import contextlib
import logging
import os
import secrets
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask
from sqlalchemy import select

from lms import maintenance
from lms.dates import JST, utcnow
from lms.extensions import db
from lms.reports import jobs
from lms.reports.cron import CronError, trigger_for
from lms.reports.models import ReportSchedule

log = logging.getLogger(__name__)
JOB_PREFIX = "report-schedule:"
DAILY_JOB_PREFIX = "daily:"
QUEUE_JOB_PREFIX = "queue:"
# A cron job that fires late (the single worker thread was busy) still runs within this many seconds;
# later than that, the next reconciliation queues the missed occurrence anyway.
MISFIRE_GRACE_SECONDS = 3600


@dataclass(frozen=True)
class ReconcilePlan:
    add: dict[str, str] = field(default_factory=dict)
    replace: dict[str, str] = field(default_factory=dict)
    remove: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.add or self.replace or self.remove)


def plan_reconciliation(current: Mapping[str, str], desired: Mapping[str, str]) -> ReconcilePlan:
    """What to change so the jobs (schedule id -> cron) match the live schedules."""
    return ReconcilePlan(
        add={sid: cron for sid, cron in desired.items() if sid not in current},
        replace={sid: cron for sid, cron in desired.items() if sid in current and current[sid] != cron},
        remove=frozenset(sid for sid in current if sid not in desired),
    )


def live_timetables() -> dict[str, str]:
    """Schedule id -> cron of every enabled, undeleted schedule."""
    rows = db.session.execute(select(ReportSchedule.id, ReportSchedule.cron)
                              .where(ReportSchedule.enabled, ReportSchedule.deleted_at.is_(None)))
    return dict(rows.all())


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class ReportScheduler:
    """One scheduler process: cron jobs per schedule, plus polling, reconciliation, pruning and the daily
    maintenance jobs."""

    def __init__(self, app: Flask, scheduler: BaseScheduler, *, poll_seconds: float = 5,
                 reconcile_seconds: float = 30, worker: str | None = None) -> None:
        self.app, self.scheduler = app, scheduler
        self.poll_seconds, self.reconcile_seconds = poll_seconds, reconcile_seconds
        self.worker = worker or worker_name()
        self.timetables: dict[str, str] = {}

    def reconcile(self, now: datetime | None = None) -> ReconcilePlan:
        """Add, replace and remove cron jobs to match the database, then queue any missed occurrence."""
        with self.app.app_context():
            try:
                plan = plan_reconciliation(self.timetables, live_timetables())
                for schedule_id in plan.remove:
                    with contextlib.suppress(JobLookupError):  # never added: its cron was unusable
                        self.scheduler.remove_job(JOB_PREFIX + schedule_id)
                    del self.timetables[schedule_id]
                for schedule_id, cron in {**plan.add, **plan.replace}.items():
                    self._add_cron_job(schedule_id, cron)
                if plan:
                    log.info("reconciled: %d added, %d changed, %d removed",
                             len(plan.add), len(plan.replace), len(plan.remove))
                jobs.catch_up(now or utcnow())
                return plan
            finally:
                db.session.remove()

    def _add_cron_job(self, schedule_id: str, cron: str) -> None:
        try:
            trigger: CronTrigger = trigger_for(cron)
        except CronError:
            log.warning("schedule %s: unusable cron %r, not scheduled", schedule_id, cron)
            self.timetables[schedule_id] = cron  # not retried until the cron changes
            return
        self.scheduler.add_job(self.fire, trigger, args=[schedule_id], id=JOB_PREFIX + schedule_id,
                               name=f"report schedule {schedule_id}", replace_existing=True)
        self.timetables[schedule_id] = cron

    def fire(self, schedule_id: str) -> None:
        """A cron job: queue this occurrence (if no other process has) and run what is queued."""
        with self.app.app_context():
            try:
                jobs.catch_up(utcnow(), schedule_id)
            finally:
                db.session.remove()
        self.work()

    def work(self) -> int:
        with self.app.app_context():
            try:
                return jobs.work_queue(utcnow, self.worker, jobs.Settings.from_config())
            finally:
                db.session.remove()

    def prune(self) -> int:
        with self.app.app_context():
            try:
                removed = jobs.prune_artifacts(utcnow(), jobs.Settings.from_config())
                if removed:
                    log.info("pruned %d old report files", removed)
                return removed
            finally:
                db.session.remove()

    def run_daily(self, name: str, job: Callable[..., int]) -> int:
        """One daily maintenance job (lms.maintenance) in its own app context."""
        with self.app.app_context():
            try:
                handled = job(now=utcnow())
                if handled:
                    log.info("%s: %d", name, handled)
                return handled
            finally:
                db.session.remove()

    def run_queue(self, name: str, job: Callable[..., int]) -> int:
        """One pass over another domain's queue (lms.maintenance.QUEUE_JOBS) in its own app context."""
        with self.app.app_context():
            try:
                return job(now=utcnow(), worker=self.worker)
            finally:
                db.session.remove()

    def install(self) -> None:
        """Reconcile once (catching up on anything missed while down) and add the housekeeping jobs; the
        daily ones also run at start, so a night spent down is made up for."""
        self.reconcile()
        self.scheduler.add_job(self.reconcile, "interval", seconds=self.reconcile_seconds, id="reconcile",
                               name="reconcile schedules")
        self.scheduler.add_job(self.work, "interval", seconds=self.poll_seconds, id="queue",
                               name="run queued reports", next_run_time=datetime.now(JST))
        self.scheduler.add_job(self.prune, _nightly(), id="prune", name="prune old report files",
                               next_run_time=datetime.now(JST))
        for name, job in maintenance.queue_jobs().items():
            self.scheduler.add_job(self.run_queue, "interval", seconds=self.poll_seconds, args=[name, job],
                                   id=QUEUE_JOB_PREFIX + name, name=name, next_run_time=datetime.now(JST))
        for name, job in maintenance.daily_jobs().items():
            self.scheduler.add_job(self.run_daily, _nightly(), args=[name, job], id=DAILY_JOB_PREFIX + name,
                                   name=name, next_run_time=datetime.now(JST))


def _nightly() -> CronTrigger:
    return CronTrigger(hour=3, minute=30, timezone=JST)


def blocking_scheduler() -> BlockingScheduler:
    """One worker thread: reports render one at a time, so cron jobs and polling never render at once."""
    return BlockingScheduler(
        timezone=JST, executors={"default": ThreadPoolExecutor(1)},
        job_defaults={"coalesce": True, "misfire_grace_time": MISFIRE_GRACE_SECONDS, "max_instances": 1},
    )
