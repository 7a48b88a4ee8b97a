"""An admin's completion issues the certificate as the system's automatic completion does."""

from tests.api.certificates.test_certificates import pdf_text
from tests.conftest import bearer


def test_admin_completion_issues_a_downloadable_certificate(client, admin_token, make_learner, make_enrollment):
    learner_id, learner_token = make_learner()
    enrollment_id = make_enrollment(learner_id, status="active")
    moved = client.post(f"/api/v1/enrollments/{enrollment_id}/transitions", json={"to": "completed"},
                        headers=bearer(admin_token))
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["status"] == "completed"

    listed = client.get("/api/v1/certificates", query_string={"enrollment_id": enrollment_id},
                        headers=bearer(admin_token))
    assert listed.status_code == 200
    certificates = listed.get_json()
    assert len(certificates) == 1
    certificate = certificates[0]
    assert certificate["status"] == "issued" and len(certificate["sha256"]) == 64
    pdf = client.get(f"/api/v1/certificates/{certificate['id']}/pdf", headers=bearer(learner_token))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = pdf_text(pdf.data).replace(" ", "").replace("\n", "")
    assert "修了証" in text and certificate["certificate_number"] in text
