"""Certificates: issue once, number without gaps, PDF content, revoke, reissue, verify."""

import io
import threading
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learners.models import Learner
from tests.conftest import bearer


def issue(client, token, enrollment_id):
    return client.post(f"/api/v1/enrollments/{enrollment_id}/certificate", headers=bearer(token))


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_issue_returns_the_same_certificate_twice(client, admin_token, completed):
    enrollment_id, _ = completed()
    first = issue(client, admin_token, enrollment_id)
    assert first.status_code == 200, first.get_json()
    second = issue(client, admin_token, enrollment_id)
    assert first.get_json() == second.get_json()
    body = first.get_json()
    assert body["status"] == "issued" and body["certificate_number"] == "RC-2026-000001"
    assert len(body["verification_code"]) >= 12 and len(body["sha256"]) == 64


def test_numbers_are_sequential_per_fiscal_year(client, admin_token, completed):
    numbers = [issue(client, admin_token, completed(completed_at=at)[0]).get_json()["certificate_number"]
               for at in (datetime(2026, 5, 1, tzinfo=UTC), datetime(2027, 3, 30, tzinfo=UTC),
                          datetime(2027, 4, 2, tzinfo=UTC))]
    assert numbers == ["RC-2026-000001", "RC-2026-000002", "RC-2027-000001"]


def test_incomplete_enrollment_has_no_certificate(client, admin_token, make_learner, make_enrollment):
    enrollment_id = make_enrollment(make_learner()[0], status="active")
    assert issue(client, admin_token, enrollment_id).status_code == 409


def test_pdf_holds_name_programme_reiwa_date_and_number(client, admin_token, completed):
    enrollment_id, token = completed(completed_at=datetime(2026, 11, 22, 3, tzinfo=UTC))
    certificate = issue(client, admin_token, enrollment_id).get_json()
    response = client.get(f"/api/v1/certificates/{certificate['id']}/pdf", headers=bearer(token))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data).replace(" ", "").replace("\n", "")
    for expected in ("修了証", "山田太郎", "殿", "総合診療基礎コース", "令和8年11月22日", "RC-2026-000001"):
        assert expected in text, expected


def test_markup_in_a_name_is_printed_as_text(client, admin_token, completed, app):
    enrollment_id, token = completed()
    with app.app_context():
        learner = db.session.scalars(select(Learner)).one()
        learner.family_name = '<img src="file:///etc/passwd">'
        db.session.commit()
    certificate = issue(client, admin_token, enrollment_id).get_json()
    data = client.get(f"/api/v1/certificates/{certificate['id']}/pdf", headers=bearer(token)).data
    assert '<img src="file:///etc/passwd">' in pdf_text(data).replace("\n", "")
    assert b"root:x:0" not in data


def test_only_the_holder_and_admins_download(client, admin_token, completed, make_learner, make_user):
    enrollment_id, _ = completed()
    certificate = issue(client, admin_token, enrollment_id).get_json()
    _, other = make_learner()
    _, staff = make_user("org_staff", organization_code="JPCA")
    assert client.get(f"/api/v1/certificates/{certificate['id']}/pdf", headers=bearer(other)).status_code == 404
    assert client.get(f"/api/v1/certificates/{certificate['id']}/pdf", headers=bearer(staff)).status_code == 403


def test_verify_page_and_json(client, admin_token, completed):
    enrollment_id, _ = completed()
    certificate = issue(client, admin_token, enrollment_id).get_json()
    code = certificate["verification_code"]
    grouped = "-".join(code[i:i + 4] for i in range(0, len(code), 4)).lower()
    page = client.get(f"/verify/{grouped}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "有効な修了証です" in page.get_data(as_text=True)
    body = client.get(f"/verify/{code}", headers={"Accept": "application/json"}).get_json()
    assert body["status"] == "valid" and body["certificate_number"] == certificate["certificate_number"]
    assert body["holder_name"] == "山田 太郎" and body["completed_on"] == "2026-11-22"
    assert client.get("/verify/NOPE0000NOPE0000", headers={"Accept": "application/json"}).status_code == 404


def test_revocation_shows_in_verify_with_date_and_reason(client, admin_token, completed):
    certificate = issue(client, admin_token, completed()[0]).get_json()
    revoked = client.post(f"/api/v1/certificates/{certificate['id']}/revoke", json={"reason": "記載誤り"},
                          headers=bearer(admin_token))
    assert revoked.status_code == 200 and revoked.get_json()["status"] == "revoked"
    page = client.get(f"/verify/{certificate['verification_code']}").get_data(as_text=True)
    assert "取り消されています" in page and "記載誤り" in page
    again = client.post(f"/api/v1/certificates/{certificate['id']}/revoke", json={"reason": "x"},
                        headers=bearer(admin_token))
    assert again.status_code == 409


def test_reissue_keeps_the_number_and_supersedes_the_old_pdf(client, admin_token, completed, app):
    enrollment_id, _ = completed()
    old = issue(client, admin_token, enrollment_id).get_json()
    with app.app_context():
        db.session.scalars(select(Learner)).one().family_name = "鈴木"
        db.session.commit()
    new = client.post(f"/api/v1/certificates/{old['id']}/reissue", headers=bearer(admin_token))
    assert new.status_code == 201, new.get_json()
    new = new.get_json()
    assert new["certificate_number"] == old["certificate_number"] and new["revision"] == 2
    assert new["verification_code"] != old["verification_code"] and new["sha256"] != old["sha256"]
    old_status = client.get(f"/verify/{old['verification_code']}", headers={"Accept": "application/json"})
    assert old_status.get_json()["status"] == "superseded"
    assert client.get(f"/verify/{new['verification_code']}", headers={"Accept": "application/json"}) \
        .get_json()["holder_name"] == "鈴木 太郎"
    assert issue(client, admin_token, enrollment_id).get_json()["id"] == new["id"]


def test_uploaded_pdf_is_authentic_only_byte_for_byte(client, admin_token, completed):
    enrollment_id, token = completed()
    certificate = issue(client, admin_token, enrollment_id).get_json()
    data = client.get(f"/api/v1/certificates/{certificate['id']}/pdf", headers=bearer(token)).data

    def upload(content: bytes):
        return client.post("/verify", data={"file": (io.BytesIO(content), "c.pdf")},
                           content_type="multipart/form-data").get_json()

    assert upload(data) == {"authentic": True, "status": "valid",
                            "certificate_number": certificate["certificate_number"]}
    tampered = bytearray(data)
    tampered[len(tampered) // 2] ^= 0x01
    assert upload(bytes(tampered)) == {"authentic": False}


def test_verification_is_rate_limited_per_ip(client, app):
    app.config["VERIFY_RATE_LIMIT"] = 3
    try:
        statuses = [client.get("/verify/ABCDABCDABCDABCD", headers={"Accept": "application/json"}).status_code
                    for _ in range(5)]
    finally:
        app.config["VERIFY_RATE_LIMIT"] = 60
    assert statuses[:3] == [404, 404, 404] and statuses[3:] == [429, 429]


def test_stored_sha256_matches_the_file(client, admin_token, completed, app):
    import hashlib

    from lms.certificates.service import pdf_path

    certificate = issue(client, admin_token, completed()[0]).get_json()
    with app.app_context():
        path = pdf_path(db.session.get(Certificate, certificate["id"]))
    assert hashlib.sha256(path.read_bytes()).hexdigest() == certificate["sha256"]


@pytest.mark.parametrize("same_enrollment", [True, False])
def test_concurrent_issues_give_no_duplicates_and_no_gaps(app, admin_token, completed, same_enrollment):
    enrollments = [completed()[0] for _ in range(1 if same_enrollment else 8)]
    targets = enrollments * 8 if same_enrollment else enrollments
    barrier = threading.Barrier(len(targets))
    results = []

    def worker(enrollment_id):
        client = app.test_client()
        barrier.wait()
        results.append(issue(client, admin_token, enrollment_id).get_json())

    threads = [threading.Thread(target=worker, args=(e,)) for e in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with app.app_context():
        rows = list(db.session.scalars(select(Certificate)))
    assert len(rows) == len(enrollments)
    assert sorted(r.sequence for r in rows) == list(range(1, len(enrollments) + 1))
    assert len({r["id"] for r in results}) == len(enrollments)


def test_verify_upload_rejects_unknown_form_fields(client):
    response = client.post("/verify", data={"file": (io.BytesIO(b"%PDF-1.7"), "c.pdf"), "extra": "1"},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "extra" in response.get_json()["errors"]["form"]
