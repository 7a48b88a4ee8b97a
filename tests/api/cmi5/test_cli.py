"""`flask lms cmi5 launch|deliver`: trying an AU from the command line."""

from lms.auth.models import User
from lms.extensions import db
from lms.learners.models import Learner
from tests.api.cmi5.conftest import launch_params


def test_launch_prints_the_au_url_for_the_learners_active_enrolment(app, fake_lrs, learner_enrolled):
    learner_id, _, enrollment_id = learner_enrolled
    with app.app_context():
        email = db.session.get(User, db.session.get(Learner, learner_id).user_id).email
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "cmi5", "launch", "--email", email, "--module", "GF14"])
    assert result.exit_code == 0, result.output
    params = launch_params(result.output.strip())
    assert params["registration"] == enrollment_id and params["fetch"]
    assert [s["verb"]["id"].rsplit("/", 1)[-1] for s in fake_lrs.statements] == ["launched"]
    refused = runner.invoke(args=["lms", "cmi5", "launch", "--email", email, "--module", "GF01"])
    assert refused.exit_code != 0 and "not a cmi5" in refused.output
    unknown = runner.invoke(args=["lms", "cmi5", "launch", "--email", "nobody@example.jp", "--module", "GF14"])
    assert unknown.exit_code != 0 and "no learner" in unknown.output
    assert "0 statement(s) delivered" in runner.invoke(args=["lms", "cmi5", "deliver"]).output
