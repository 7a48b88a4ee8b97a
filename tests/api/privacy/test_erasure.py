"""Erasure (API.md "Erasure"): certificates revoked with reason `erased`, their PDFs and archives gone,
`/verify` without a name, and no table, file, report or endpoint that still holds the person."""

import io
import zipfile

from flask import current_app

from lms.certificates.batch import run_pending_batches
from lms.certificates.models import Certificate
from lms.certificates.service import pdf_path
from lms.extensions import db
from tests.api.privacy.conftest import (
    PERSON,
    Person,
    leftovers_in_database,
    leftovers_in_storage,
    readable_bytes,
)
from tests.conftest import bearer


def erase(client, admin_token, person: Person):
    response = client.post(f"/api/v1/learners/{person.learner_id}/erase", headers=bearer(admin_token))
    assert response.status_code == 200
    return response


def verify(client, code: str, accept: str = "application/json"):
    return client.get(f"/verify/{code}", headers={"Accept": accept})


def test_verification_after_erasure_is_revoked_without_a_name(client, admin_token, person):
    code = person.certificate["verification_code"]
    before = verify(client, code).get_json()
    assert before["status"] == "valid" and before["holder_name"] == "鬼瓦 権左衛門"
    erase(client, admin_token, person)
    after = verify(client, code).get_json()
    assert after["status"] == "revoked" and after["holder_name"] is None
    assert after["revoked_reason"] == "erased" and after["revoked_at"]
    assert after["certificate_number"] == before["certificate_number"]  # the number still verifies
    page = verify(client, code, "text/html").get_data(as_text=True)
    assert "取り消されています" in page
    assert not [s for s in Person.secrets if s in page]


def test_erasure_revokes_every_live_certificate_with_reason_erased(client, admin_token, person, app):
    erase(client, admin_token, person)
    with app.app_context():
        rows = db.session.query(Certificate).filter_by(learner_id=person.learner_id).all()
        assert [(c.status, c.revoked_reason, c.holder_name) for c in rows] == [("revoked", "erased", None)]
    listed = client.get(f"/api/v1/certificates/{person.certificate['id']}", headers=bearer(admin_token)).get_json()
    assert listed["status"] == "revoked" and listed["revoked_reason"] == "erased"


def test_erasure_deletes_the_certificate_pdf(client, admin_token, person, app):
    with app.app_context():
        path = pdf_path(db.session.get(Certificate, person.certificate["id"]))
    assert path.is_file()
    erase(client, admin_token, person)
    assert not path.exists()
    url = f"/api/v1/certificates/{person.certificate['id']}/pdf"
    assert client.get(url, headers=bearer(admin_token)).status_code == 404


def test_batch_archive_no_longer_holds_the_erased_persons_certificate(client, admin_token, person, app, make_learner,
                                                                      make_enrollment):
    # the person's certificate comes from a batch this time, beside another learner's
    client.post(f"/api/v1/certificates/{person.certificate['id']}/revoke", json={"reason": "test"},
                headers=bearer(admin_token))
    other = make_enrollment(make_learner()[0], status="active")
    with app.app_context():
        from lms.enrollments.models import Enrollment

        enrollment = db.session.get(Enrollment, other)
        enrollment.status, enrollment.completed_at = "completed", db.session.get(
            Enrollment, person.enrollment_id).completed_at
        db.session.commit()
    batch = client.post("/api/v1/certificate-batches", json={"program_code": "GF-2026", "fiscal_year": 2026},
                        headers=bearer(admin_token)).get_json()
    assert batch["total"] == 2
    with app.app_context():
        assert run_pending_batches(processes=1) == 1

    def archive_text() -> tuple[list[str], str]:
        data = client.get(f"/api/v1/certificate-batches/{batch['id']}/zip", headers=bearer(admin_token)).data
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist(), "".join(readable_bytes(archive.read(n)) for n in archive.namelist())

    names, text = archive_text()
    assert len(names) == 2 and "鬼瓦権左衛門" in text
    erase(client, admin_token, person)
    names, text = archive_text()
    assert len(names) == 1 and "山田太郎" in text
    assert not [s for s in Person.secrets if s in text]
    # and no later batch issues the erased person a certificate again
    again = client.post("/api/v1/certificate-batches", json={"program_code": "GF-2026", "fiscal_year": 2026},
                        headers=bearer(admin_token)).get_json()
    assert again["total"] == 0


def test_no_certificate_is_issued_to_an_erased_person(client, admin_token, person):
    erase(client, admin_token, person)
    again = client.post(f"/api/v1/enrollments/{person.enrollment_id}/certificate", headers=bearer(admin_token))
    assert again.status_code == 409


def test_no_table_holds_the_persons_name_email_or_registry_number_after_erasure(client, admin_token, person, app):
    with app.app_context():
        # the LRS keeps statements as received: the actor's name, and copies in extensions (conftest)
        before = leftovers_in_database(Person.secrets)
    # the scan finds every place the person was copied to
    assert {"learners", "users", "certificates", "idempotency_records", "lrs_statements"} <= before.keys()
    erase(client, admin_token, person)
    with app.app_context():
        assert leftovers_in_database(Person.secrets) == {}


def test_no_stored_file_holds_the_person_after_erasure(client, admin_token, person, app, make_schedule_run):
    make_schedule_run()  # report artifacts of every type and format, made while the person was there
    root = app.config["STORAGE_DIR"]
    assert [p for p, hits in leftovers_in_storage(root, Person.secrets).items() if p.startswith("certificates/")]
    erase(client, admin_token, person)
    assert leftovers_in_storage(root, Person.secrets) == {}


def test_report_artifacts_name_no_one(client, admin_token, person, app, make_schedule_run):
    run_ids = make_schedule_run()
    with app.app_context():
        from lms.reports.models import ReportArtifact

        artifacts = db.session.query(ReportArtifact).filter(ReportArtifact.run_id.in_(run_ids)).all()
        assert len(artifacts) == 4 * 3
        root = current_app.config["STORAGE_DIR"]
        found = leftovers_in_storage(root, Person.secrets)
    assert not [p for p in found if not p.startswith("certificates/")]


def test_no_endpoint_returns_the_person_after_erasure(client, admin_token, person):
    erase(client, admin_token, person)
    admin = bearer(admin_token)
    urls = [f"/api/v1/learners/{person.learner_id}", "/api/v1/learners", f"/api/v1/enrollments/{person.enrollment_id}",
            "/api/v1/enrollments", "/api/v1/certificates", f"/api/v1/certificates/{person.certificate['id']}",
            "/api/v1/audit-events?per_page=200"]
    for url in urls:
        response = client.get(url, headers=admin)
        assert response.status_code == 200, url
        assert not [s for s in Person.secrets if s in response.get_data(as_text=True)], url
    # the person's own login is gone: their token, their password, their export
    assert client.get("/api/v1/learners/me/export", headers=bearer(person.token)).status_code == 401
    login = client.post("/api/v1/auth/token", json={"email": PERSON["email"], "password": "kawara-no-oni-2026"})
    assert login.status_code == 401
    # the Idempotency-Key of the registration no longer replays the profile
    replay = client.post("/api/v1/learners/register", json={**PERSON, "password": "kawara-no-oni-2026"},
                         headers={"Idempotency-Key": "register-1"})
    assert replay.headers.get("Idempotent-Replayed") is None


def test_counts_are_kept_after_erasure(client, admin_token, person):
    year = client.get(f"/api/v1/enrollments/{person.enrollment_id}", headers=bearer(admin_token)
                      ).get_json()["fiscal_year"]

    def table():
        answer = client.get(f"/api/v1/stats/prefectures?fiscal_year={year}", headers=bearer(admin_token)).get_json()
        answer.pop("as_of", None)
        return answer

    before = table()
    assert before["national"]["completed"] == 1
    erase(client, admin_token, person)
    assert table() == before
