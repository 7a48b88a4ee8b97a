"""`flask lms cmi5 launch|deliver`: launch a cmi5 module as a learner from the command line (to try an AU
without a learner front end), and hand pending LMS statements to the LRS now."""

import click


def register(group: click.Group) -> None:
    @group.group("cmi5")
    def cmi5():
        """cmi5 assignable units."""

    @cmi5.command("launch")
    @click.option("--email", required=True, help="The learner's login e-mail.")
    @click.option("--module", "module_code", required=True, help="A module of kind cmi5, e.g. GF14.")
    @click.option("--program", "program_code", default=None, help="The programme, when they have several.")
    def launch(email, module_code, program_code):
        """Launch a cmi5 module as this learner (their active enrolment) and print the AU's launch URL."""
        from sqlalchemy import select

        from lms.auth.models import User
        from lms.auth.permissions import Actor
        from lms.cmi5 import service
        from lms.enrollments.models import Enrollment
        from lms.errors import DomainError
        from lms.extensions import db
        from lms.learners.models import Learner

        user = db.session.scalar(select(User).where(User.email == email, User.role == "learner"))
        if user is None:
            raise click.ClickException(f"no learner with the e-mail {email}")
        query = select(Enrollment.id).join(Learner, Learner.id == Enrollment.learner_id).where(
            Learner.user_id == user.id, Enrollment.status == "active")
        if program_code:
            query = query.where(Enrollment.program_code == program_code)
        enrollment_id = db.session.scalars(query.order_by(Enrollment.applied_at.desc())).first()
        if enrollment_id is None:
            raise click.ClickException("the learner has no active enrolment" + (f" in {program_code}"
                                                                                if program_code else ""))
        try:
            answer = service.launch(Actor(user.id, user.role), enrollment_id, module_code)
        except DomainError as exc:
            raise click.ClickException(str(exc.detail)) from exc
        click.echo(answer["url"])

    @cmi5.command("deliver")
    def deliver():
        """Hand the LMS's pending cmi5 statements to the LRS now (the scheduler does it every few seconds)."""
        from lms.cmi5.service import deliver_pending

        click.echo(f"{deliver_pending()} statement(s) delivered")
