"""`flask lms progress-complete-due`: the daily completion sweep (for `lms.cli.COMMAND_MODULES`)."""

import click


def register(group: click.Group) -> None:
    @group.command("progress-complete-due")
    def complete_due_command():
        """Complete active enrolments that meet every rule (a waiting period that ended, a missed event)."""
        from lms.progress.service import complete_due

        click.echo(f"{complete_due()} enrolment(s) completed")
