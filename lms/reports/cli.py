"""`flask lms scheduler`: the scheduler process; `flask lms reports run-due`: one pass by hand."""

import logging
import signal

import click
from flask import current_app


class _SkipBusyPolls(logging.Filter):
    """While a report renders, the next polls are skipped by design (one worker thread); say nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


def _configure_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler.scheduler").addFilter(_SkipBusyPolls())
    for noisy in ("apscheduler.executors", "weasyprint", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def register(group: click.Group) -> None:
    @group.command("scheduler")
    @click.option("--poll-seconds", type=click.FloatRange(min=0.2), default=5, show_default=True,
                  envvar="REPORT_SCHEDULER_POLL_SECONDS", help="How often to look for queued runs.")
    @click.option("--reconcile-seconds", type=click.FloatRange(min=0.5), default=30, show_default=True,
                  envvar="REPORT_SCHEDULER_RECONCILE_SECONDS",
                  help="How often to re-read the schedules (and queue missed occurrences).")
    def scheduler_command(poll_seconds, reconcile_seconds):
        """Run the report scheduler in this process until stopped (SIGTERM or Ctrl-C)."""
        from lms.reports.scheduler import ReportScheduler, blocking_scheduler

        _configure_logging()
        scheduler = blocking_scheduler()
        runner = ReportScheduler(current_app._get_current_object(), scheduler, poll_seconds=poll_seconds,
                                 reconcile_seconds=reconcile_seconds)
        runner.install()

        def stop(signum, frame):
            raise SystemExit(0)

        signal.signal(signal.SIGTERM, stop)
        click.echo(f"report scheduler {runner.worker} started: {len(runner.timetables)} schedule(s), "
                   f"polling every {poll_seconds:g}s", err=True)
        try:
            scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            if scheduler.running:
                scheduler.shutdown(wait=True)
            click.echo(f"report scheduler {runner.worker} stopped", err=True)

    @group.group("reports")
    def reports():
        """Scheduled reports by hand."""

    @reports.command("run-due")
    def run_due():
        """Queue missed occurrences and run everything queued once, then exit (no scheduler needed)."""
        from lms.dates import utcnow
        from lms.reports import jobs
        from lms.reports.scheduler import worker_name

        queued = jobs.catch_up(utcnow())
        done = jobs.work_queue(utcnow, worker_name(), jobs.Settings.from_config(), limit=1000)
        click.echo(f"{len(queued)} occurrence(s) queued, {done} run(s) processed")
