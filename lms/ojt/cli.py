"""`flask lms ojt import FILE` and `flask lms ojt process-imports`: OJT site imports from the command line."""

import sys
import time
from pathlib import Path

import click


def _bar(job_id: str):
    from tqdm import tqdm

    # tqdm draws only on a terminal (disable=None), so logs and cron mail stay quiet
    return tqdm(total=0, desc=f"import {job_id[:8]}", unit="line", disable=None, file=sys.stderr)


def _report(job) -> None:
    click.echo(f"import {job.id}: {job.status}, {job.done}/{job.total} lines; created {job.created}, "
               f"updated {job.updated}, unchanged {job.unchanged}")
    for error in job.errors[:50]:
        click.echo(f"  line {error['line']}, {error['field']}: {error['message']}", err=True)
    if job.error_count > 50:
        click.echo(f"  ... {job.error_count - 50} more", err=True)


def register(group: click.Group) -> None:
    @group.group("ojt")
    def ojt():
        """OJT sites."""

    @ojt.command("import")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_command(file):
        """Import a site list (CSV) now: every row or none; exits 1 listing the bad lines."""
        from lms.ojt import imports
        from lms.reports.scheduler import worker_name

        bar = None

        def progress(done, total):
            nonlocal bar
            if bar is None:
                bar = _bar(file.name)
                bar.total = total
            bar.update(done - bar.n)

        try:
            job = imports.import_file(file, worker_name(), progress)
        finally:
            if bar is not None:
                bar.close()
        _report(job)
        if job.status != "succeeded":
            sys.exit(1)

    @ojt.command("process-imports")
    @click.option("--loop", is_flag=True, help="Keep polling for new imports.")
    @click.option("--interval", default=5.0, show_default=True)
    def process_imports(loop, interval):
        """Run the queued imports (and restart ones whose worker died); the scheduler also does this."""
        from lms.extensions import db
        from lms.ojt import imports
        from lms.reports.scheduler import worker_name

        worker = worker_name()
        while True:
            job = imports.claim_next_import(worker)
            if job is None:
                if not loop:
                    return
                db.session.remove()  # no transaction (on SQLite, the write lock) is held while waiting
                time.sleep(interval)
                continue
            bar = _bar(job.id)

            def progress(done, total, bar=bar):
                bar.total = total
                bar.update(done - bar.n)

            try:
                job = imports.process_import(job, worker, progress)
            finally:
                bar.close()
            _report(job)
