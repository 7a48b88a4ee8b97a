"""An admin's completion issues the certificate as the system's automatic completion does."""

from lms.certificates.worker import render_pending_certificates
from tests.api.certificates.test_certificates import pdf_text
from tests.conftest import bearer


def test_admin_completion_issues_a_downloadable_certificate(app, client, admin_token, make_learner,
                                                            make_enrollment):
    learner_id, learner_token = make_learner()
    enrollment_id = make_enrollment(learner_id, status="active")
    moved = client.post(f"/api/v1/enrollments/{enrollment_id}/transitions", json={"to": "completed"},
                        headers=bearer(admin_token))
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["status"] == "completed"

    listed = client.get("/api/v1/certificates", query_string={"enrollment_id": enrollment_id},
                        headers=bearer(admin_token))
    assert listed.status_code == 200
    assert [c["status"] for c in listed.get_json()] == ["pending"]  # rendered by the worker, not the request
    with app.app_context():
        assert render_pending_certificates() == 1
    certificates = client.get("/api/v1/certificates", query_string={"enrollment_id": enrollment_id},
                              headers=bearer(admin_token)).get_json()
    assert len(certificates) == 1
    certificate = certificates[0]
    assert certificate["status"] == "issued" and len(certificate["sha256"]) == 64
    pdf = client.get(f"/api/v1/certificates/{certificate['id']}/pdf", headers=bearer(learner_token))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data).replace(" ", "").replace("\n", "")
    assert "修了証" in text and certificate["certificate_number"] in text


def test_a_certificate_claims_only_the_work_that_was_done(app, client, admin_token, make_learner, make_enrollment):
    """An admin's completion of an enrolment with no recorded progress: no module or OJT hours are claimed."""
    learner_id, learner_token = make_learner()
    enrollment_id = make_enrollment(learner_id, status="active")
    client.post(f"/api/v1/enrollments/{enrollment_id}/transitions", json={"to": "completed"},
                headers=bearer(admin_token))
    with app.app_context():
        assert render_pending_certificates() == 1
    [certificate] = client.get("/api/v1/certificates", headers=bearer(learner_token)).get_json()
    text = pdf_text(client.get(f"/api/v1/certificates/{certificate['id']}/pdf",
                               headers=bearer(learner_token)).data).replace(" ", "").replace("\n", "")
    assert "修了証" in text and "単元" not in text and "時間" not in text
