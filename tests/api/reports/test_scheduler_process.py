"""The real scheduler process: two of them at once run each occurrence and each queued run exactly once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from lms.dates import utcnow
from lms.extensions import db
from lms.reports import service
from lms.reports.models import ReportRun

ROOT = Path(__file__).resolve().parents[3]
FLASK = str(Path(sys.executable).parent / "flask")


def start_scheduler(app, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "STORAGE_DIR": app.config["STORAGE_DIR"], "REPORT_SCHEDULER_POLL_SECONDS": "0.5",
           "REPORT_SCHEDULER_RECONCILE_SECONDS": "1"}
    return subprocess.Popen([FLASK, "--app", "wsgi", "lms", "scheduler"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=log.open("wb"), start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def all_runs(app) -> list[ReportRun]:
    with app.app_context():
        runs = list(db.session.scalars(select(ReportRun).order_by(ReportRun.requested_at)))
        db.session.expunge_all()
        db.session.remove()
        return runs


def wait_for(condition, app, timeout: float) -> list[ReportRun]:
    deadline = time.monotonic() + timeout
    while True:
        runs = all_runs(app)
        if condition(runs) or time.monotonic() > deadline:
            return runs
        time.sleep(0.5)


def test_two_scheduler_processes_run_every_occurrence_and_queued_run_once(app, make_schedule, clock, tmp_path):
    clock.now = utcnow() - timedelta(minutes=5)  # down for five minutes: one coalesced catch-up is due
    every_minute = make_schedule("* * * * *", formats=["csv"])
    by_hand = make_schedule("0 0 1 1 *", formats=["csv"])
    with app.app_context():
        manual = [service.request_run(None, by_hand).id for _ in range(6)]
        db.session.remove()
    started = utcnow()
    logs = [tmp_path / "scheduler-1.log", tmp_path / "scheduler-2.log"]
    processes = [start_scheduler(app, log) for log in logs]
    try:
        def settled(runs):
            done = [r for r in runs if r.status in ("succeeded", "failed")]
            return len(done) == len(runs) and any(r.origin == "schedule" for r in runs) and len(runs) >= 7

        runs = wait_for(settled, app, timeout=30)
        # If the next minute starts soon, watch both processes' cron jobs fire for it too.
        boundary = started.replace(second=0, microsecond=0) + timedelta(minutes=1)
        if boundary - utcnow() < timedelta(seconds=25):
            runs = wait_for(lambda rs: any(r.scheduled_for and r.scheduled_for >= boundary
                                           and r.status == "succeeded" for r in rs), app, timeout=35)
        assert all(p.poll() is None for p in processes), "a scheduler process exited"
    finally:
        for process in processes:
            stop(process)
    output = "\n".join(log.read_text(errors="replace") for log in logs)
    assert "Traceback" not in output, output[-3000:]
    assert output.count("started:") == 2

    runs = all_runs(app)
    assert {r.id for r in runs if r.origin == "manual"} == set(manual)
    for run in runs:
        assert (run.status, run.attempts) == ("succeeded", 1), (run.id, run.status, run.attempts, run.error)
        assert len(run.artifacts) == 1
    occurrences = [r.scheduled_for for r in runs if r.origin == "schedule"]
    assert occurrences and len(occurrences) == len(set(occurrences))
    assert all(r.schedule_id == every_minute for r in runs if r.origin == "schedule")
    assert min(occurrences) <= started  # the occurrence missed while no scheduler was up ran once
    minutes = (utcnow() - started) // timedelta(minutes=1) + 2
    assert len(occurrences) <= minutes
    print("runs per process:", {w: sum(1 for r in runs if r.worker == w) for w in {r.worker for r in runs}})


def test_creating_the_app_starts_no_scheduler():
    code = ("import threading; from lms import create_app; create_app(); "
            "import sys; assert 'apscheduler.schedulers.blocking' not in sys.modules; "
            "assert threading.active_count() == 1, threading.enumerate()")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "DATABASE_URL": "sqlite://"})
    assert result.returncode == 0, result.stderr[-2000:]
