"""`flask --app wsgi lms ...` commands."""

import click
from flask import Flask
from flask.cli import AppGroup

from lms.errors import DomainError

lms_cli = AppGroup("lms", help="Recurrent-education backend commands.")


@lms_cli.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.option("--role", required=True)
@click.option("--organization", "organization_code")
@click.option("--prefecture", "prefecture_code")
@click.option("--site", "site_ids", multiple=True)
def create_user_command(email, password, role, organization_code, prefecture_code, site_ids):
    """Create a user (for example the first consortium admin) and print its id."""
    from lms.auth.service import create_user

    try:
        user = create_user(None, email=email, password=password, role=role,
                           organization_code=organization_code, prefecture_code=prefecture_code,
                           site_ids=list(site_ids))
    except DomainError as exc:
        raise click.ClickException(f"{exc.detail} {exc.errors or ''}".strip()) from exc
    click.echo(user.id)


COMMAND_MODULES: list[str] = ["lms.programs.cli", "lms.demo", "lms.certificates.cli", "lms.reports.cli",
                              "lms.progress.cli", "lms.idempotency", "lms.ojt.cli", "lms.cmi5.cli"]


def register_cli(app: Flask) -> None:
    import importlib

    for name in COMMAND_MODULES:
        importlib.import_module(name).register(lms_cli)
    app.cli.add_command(lms_cli)
