"""`flask lms certificates process-batches`: the certificate worker (completions and bulk issues)."""

import time

import click


def register(group: click.Group) -> None:
    @group.group("certificates")
    def certificates():
        """Certificate batches."""

    @certificates.command("process-batches")
    @click.option("--processes", default=2, show_default=True, help="Rendering processes.")
    @click.option("--loop", is_flag=True, help="Keep polling for new batches.")
    @click.option("--interval", default=5.0, show_default=True)
    def process_batches(processes, loop, interval):
        """Render the certificates of completed enrolments, and queued batches (resuming ones whose worker
        died)."""
        from tqdm import tqdm

        from lms.certificates.batch import claim_next_batch, process_batch
        from lms.certificates.worker import render_pending_certificates
        from lms.extensions import db

        while True:
            rendered = render_pending_certificates()
            if rendered:
                click.echo(f"{rendered} certificate(s) rendered")
            batch = claim_next_batch("cli")
            if batch is None:
                if not loop:
                    return
                db.session.remove()  # no transaction (on SQLite, the write lock) is held while waiting
                time.sleep(interval)
                continue
            with tqdm(total=batch.total, initial=batch.done, desc=f"batch {batch.id[:8]}", unit="cert") as bar:
                batch = process_batch(batch, processes, bar.update)
            click.echo(f"batch {batch.id}: {batch.status}, {batch.done}/{batch.total} done, {batch.failed} failed")
