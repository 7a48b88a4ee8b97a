"""`flask lms progress complete-due`: the completion sweep by hand (the scheduler runs it daily)."""

import click


def register(group: click.Group) -> None:
    @group.group("progress")
    def progress():
        """Progress and completion by hand."""

    @progress.command("complete-due")
    def complete_due_command():
        """Complete active enrolments that meet every rule (a waiting period that ended, a missed event)."""
        from lms.progress.service import complete_due

        click.echo(f"{complete_due()} enrolment(s) completed")
