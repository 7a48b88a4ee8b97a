"""A completion commits once with its certificate to render; the worker renders it, off the request path."""

from datetime import timedelta

from sqlalchemy import event, select

from lms.certificates.models import Certificate
from lms.certificates.worker import render_pending_certificates
from lms.extensions import db
from tests.api.progress.conftest import T_MODULES
from tests.api.progress.test_completion import enrollment_row
from tests.conftest import bearer


def _certificates(client, token):
    return client.get("/api/v1/certificates", headers=bearer(token)).get_json()


def test_the_completing_put_commits_once_and_leaves_a_pending_certificate(app, client, nearly_done):
    _, enrollment_id, token, _, _ = nearly_done()
    commits = []

    def count(connection):
        commits.append(connection)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "commit", count)  # database COMMITs (a savepoint's release is not one)
    try:
        response = client.put(f"/api/v1/enrollments/{enrollment_id}/modules/GF05", headers=bearer(token),
                              json={"status": "completed", "occurred_at": T_MODULES.isoformat()})
    finally:
        event.remove(engine, "commit", count)
    assert response.status_code == 200 and enrollment_row(app, enrollment_id).status == "completed"
    assert len(commits) == 1  # progress, completion and the certificate to render, together
    [pending] = _certificates(client, token)
    assert pending["status"] == "pending" and pending["certificate_number"].startswith("RC-")
    assert client.get(f"/api/v1/certificates/{pending['id']}/pdf", headers=bearer(token)).status_code == 409


def test_the_worker_renders_the_pending_certificate_and_the_learner_sees_it_issued(app, client, nearly_done):
    _, enrollment_id, token, _, _ = nearly_done()
    client.put(f"/api/v1/enrollments/{enrollment_id}/modules/GF05", headers=bearer(token),
               json={"status": "completed", "occurred_at": T_MODULES.isoformat()})
    with app.app_context():
        assert render_pending_certificates() == 1
        assert render_pending_certificates() == 0  # nothing rendered twice
    [issued] = _certificates(client, token)
    assert issued["status"] == "issued" and issued["sha256"]
    pdf = client.get(f"/api/v1/certificates/{issued['id']}/pdf", headers=bearer(token))
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_leased_certificate_is_not_rendered_by_a_second_worker(app, client, nearly_done):
    _, enrollment_id, token, _, _ = nearly_done()
    client.put(f"/api/v1/enrollments/{enrollment_id}/modules/GF05", headers=bearer(token),
               json={"status": "completed", "occurred_at": T_MODULES.isoformat()})
    from lms.certificates.worker import claim_pending_certificate
    from lms.dates import utcnow

    with app.app_context():
        assert claim_pending_certificate() is not None
        assert claim_pending_certificate() is None  # the first worker's lease holds
        certificate = db.session.scalar(select(Certificate))
        certificate.render_lease_until = utcnow() - timedelta(seconds=1)  # that worker died
        db.session.commit()
        assert render_pending_certificates() == 1


def test_an_admins_completion_gives_the_certificate_like_the_systems(app, client, admin_token, nearly_done):
    _, enrollment_id, token, _, _ = nearly_done(leave_out=("GF05", "GF06"))
    response = client.post(f"/api/v1/enrollments/{enrollment_id}/transitions", headers=bearer(admin_token),
                           json={"to": "completed", "reason": "credited prior learning"})
    assert response.status_code == 200 and response.get_json()["status"] == "completed"
    assert [c["status"] for c in _certificates(client, token)] == ["pending"]
    with app.app_context():
        assert render_pending_certificates() == 1
    assert [c["status"] for c in _certificates(client, token)] == ["issued"]
