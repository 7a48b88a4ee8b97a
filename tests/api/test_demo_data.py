"""`flask lms demo-data` fills an empty database once and prints working accounts."""

from sqlalchemy import func, select

from lms.enrollments.models import Enrollment
from lms.extensions import db


def test_demo_data_loads_once_with_working_accounts(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "demo-data", "--learners", "25"])
    assert result.exit_code == 0, result.output
    assert "admin@demo.example.jp" in result.output and "official-tokyo@demo.example.jp" in result.output
    with app.app_context():
        statuses = dict(db.session.execute(select(Enrollment.status, func.count()).group_by(Enrollment.status)).all())
        years = set(db.session.scalars(select(Enrollment.fiscal_year)))
    assert sum(statuses.values()) >= 25 and len(statuses) >= 3 and len(years) >= 2
    login = client.post("/api/v1/auth/token", json={"email": "official-tokyo@demo.example.jp",
                                                    "password": "demo-pass-2026"})
    assert login.status_code == 200 and login.get_json()["role"] == "prefecture_official"
    again = runner.invoke(args=["lms", "demo-data", "--if-empty"])
    assert again.exit_code == 0 and "nothing loaded" in again.output
