"""The APScheduler wiring: jobs follow schedule edits and deletes; a cron firing queues and runs once."""

from datetime import timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select, update

from lms.dates import JST, utcnow
from lms.extensions import db
from lms.idempotency import IdempotencyRecord
from lms.reports import service
from lms.reports.models import ReportRun
from lms.reports.scheduler import DAILY_JOB_PREFIX, JOB_PREFIX, ReportScheduler, blocking_scheduler


@pytest.fixture
def runner(app):
    scheduler = BackgroundScheduler(timezone=JST)
    scheduler.start(paused=True)  # jobs are kept and planned, never run by themselves
    yield ReportScheduler(app, scheduler, worker="test")
    scheduler.shutdown(wait=False)


def cron_jobs(runner) -> dict[str, str]:
    return {job.id.removeprefix(JOB_PREFIX): str(job.trigger) for job in runner.scheduler.get_jobs()
            if job.id.startswith(JOB_PREFIX)}


def test_jobs_follow_added_edited_disabled_and_deleted_schedules(app, runner, make_schedule, clock):
    daily, hourly = make_schedule("0 9 * * *"), make_schedule("0 * * * *")
    plan = runner.reconcile(clock.now)
    assert set(plan.add) == {daily, hourly}
    jobs = cron_jobs(runner)
    assert "hour='9'" in jobs[daily] and "minute='0'" in jobs[hourly]
    assert runner.scheduler.get_job(JOB_PREFIX + daily).trigger.timezone == JST

    with app.app_context():
        service.update_schedule(None, daily, {"cron": "30 7 * * 1"}, now=clock.now)
        service.update_schedule(None, hourly, {"enabled": False}, now=clock.now)
        db.session.remove()
    plan = runner.reconcile(clock.now)
    assert plan.replace == {daily: "30 7 * * 1"} and plan.remove == {hourly}
    jobs = cron_jobs(runner)
    assert set(jobs) == {daily}
    assert "day_of_week='mon'" in jobs[daily] and "hour='7'" in jobs[daily]

    with app.app_context():
        service.update_schedule(None, hourly, {"enabled": True}, now=clock.now)
        service.delete_schedule(None, daily, now=clock.now)
        db.session.remove()
    runner.reconcile(clock.now)
    assert set(cron_jobs(runner)) == {hourly}
    assert not runner.reconcile(clock.now)  # nothing left to change


def test_reconciliation_queues_missed_occurrences(app, runner, make_schedule, clock):
    schedule_id = make_schedule("0 * * * *")
    runner.reconcile(clock.now + timedelta(hours=5, minutes=1))
    runner.reconcile(clock.now + timedelta(hours=5, minutes=2))
    with app.app_context():
        scheduled = db.session.scalars(select(ReportRun.scheduled_for).where(ReportRun.schedule_id == schedule_id))
        assert [s.astimezone(JST).hour for s in scheduled] == [14]


def test_a_cron_firing_queues_its_occurrence_and_runs_it(app, runner, make_schedule, clock):
    clock.now = utcnow() - timedelta(hours=2)
    schedule_id = make_schedule("* * * * *", formats=["csv"])
    runner.fire(schedule_id)
    runner.fire(schedule_id)  # a second firing in the same minute adds nothing
    with app.app_context():
        runs = list(db.session.scalars(select(ReportRun).where(ReportRun.schedule_id == schedule_id)
                                       .order_by(ReportRun.scheduled_for)))
    occurrences = [run.scheduled_for for run in runs]
    assert len(occurrences) == len(set(occurrences)) >= 1
    assert len(runs) == 1 or runs[1].scheduled_for - runs[0].scheduled_for == timedelta(minutes=1)  # a new minute
    assert all(run.status == "succeeded" and run.scheduled_for <= utcnow() for run in runs)


def test_install_adds_housekeeping_and_schedule_jobs(app, runner, make_schedule):
    schedule_id = make_schedule("0 9 * * *")
    runner.install()
    ids = {job.id for job in runner.scheduler.get_jobs()}
    assert {"reconcile", "queue", "prune", JOB_PREFIX + schedule_id} <= ids


def test_install_adds_the_daily_maintenance_jobs_at_half_past_three(app, runner):
    runner.install()
    daily = {job.id: job for job in runner.scheduler.get_jobs() if job.id.startswith(DAILY_JOB_PREFIX)}
    assert set(daily) == {DAILY_JOB_PREFIX + "prune-idempotency-records",
                          DAILY_JOB_PREFIX + "complete-due-enrollments",
                          DAILY_JOB_PREFIX + "abandon-stale-cmi5-sessions"}
    for job in daily.values():
        assert "hour='3'" in str(job.trigger) and "minute='30'" in str(job.trigger)
        assert job.trigger.timezone == JST


def test_a_daily_job_runs_in_its_own_app_context(app, runner, admin_token):
    client = app.test_client()
    body = {"email": "old-key@example.jp", "password": "long-enough-pw", "role": "consortium_admin"}
    client.post("/api/v1/users", json=body, headers={"Authorization": f"Bearer {admin_token}",
                                                     "Idempotency-Key": "old"})
    with app.app_context():
        db.session.execute(update(IdempotencyRecord).values(created_at=utcnow() - timedelta(days=2)))
        db.session.commit()
    runner.install()
    job = runner.scheduler.get_job(DAILY_JOB_PREFIX + "prune-idempotency-records")
    assert job.func(*job.args) == 1
    with app.app_context():
        assert db.session.scalar(select(IdempotencyRecord.key)) is None


def test_the_process_scheduler_coalesces_misfires_generously():
    scheduler = blocking_scheduler()
    assert scheduler._job_defaults["coalesce"] is True
    assert scheduler._job_defaults["misfire_grace_time"] >= 600
    assert str(scheduler.timezone) == "Asia/Tokyo"
