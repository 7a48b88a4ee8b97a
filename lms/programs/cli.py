"""`flask lms content validate|sync`."""

from pathlib import Path

import click
from flask import current_app
from tqdm import tqdm


def register(group: click.Group) -> None:
    @group.group("content")
    def content():
        """Check or load the programme definitions in course_content/."""

    @content.command("validate")
    @click.option("--dir", "directory", type=click.Path(path_type=Path), default=None)
    def validate(directory):
        """Report every problem in the files, with file and line."""
        from lms.hooks import domain_hooks
        from lms.programs.content import format_problems, load_content

        result = load_content(directory or Path(current_app.config["CONTENT_DIR"]), domain_hooks().content_checks)
        if result.problems:
            click.echo(format_problems(result.problems), err=True)
            raise click.ClickException(f"{len(result.problems)} problem(s) found")
        for program in result.programs:
            click.echo(f"{program.code}: {len(program.modules)} modules, OK")

    @content.command("sync")
    @click.option("--dir", "directory", type=click.Path(path_type=Path), default=None)
    def sync(directory):
        """Load the definitions; a changed programme becomes a new version."""
        from lms.programs.content import format_problems
        from lms.programs.service import sync_content

        with tqdm(desc="programmes", unit="prog") as bar:
            result, outcomes = sync_content(directory or Path(current_app.config["CONTENT_DIR"]), bar.update)
        if result.problems:
            click.echo(format_problems(result.problems), err=True)
            raise click.ClickException("nothing loaded: fix the problems above")
        for outcome in outcomes:
            click.echo(f"{outcome.code} v{outcome.version}: {outcome.action}")
