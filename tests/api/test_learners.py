"""Learners: registration and validation, staff scope, audited reads, export and erasure."""

import pytest
from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import bearer

PROFILE = {
    "family_name": "佐藤", "given_name": "花子", "family_name_kana": "サトウ", "given_name_kana": "はなこ",
    "email": "hanako@example.jp", "medical_registration_number": "1234567", "license_year": 1998,
    "specialty": "internal_medicine", "workplace_prefecture_code": "03", "workplace_name": "岩手県立病院",
}


def register(client, **overrides):
    return client.post("/api/v1/learners/register", json={**PROFILE, "password": "a-long-password", **overrides})


def test_self_registration_creates_a_login_and_profile(client):
    response = register(client)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["has_login"] is True
    token = client.post("/api/v1/auth/token", json={"email": "hanako@example.jp", "password": "a-long-password"}) \
        .get_json()["access_token"]
    me = client.get("/api/v1/learners/me", headers=bearer(token)).get_json()
    assert me["family_name_kana"] == "サトウ" and me["workplace_prefecture_code"] == "03"


@pytest.mark.parametrize("field,value", [
    ("family_name_kana", "Sato"), ("given_name_kana", "花子"), ("given_name_kana", "ー"),
    ("medical_registration_number", "12345678"), ("medical_registration_number", "12a"),
    ("medical_registration_number", ""), ("license_year", 1900), ("license_year", 2999),
    ("workplace_prefecture_code", "48"), ("workplace_prefecture_code", "1"), ("specialty", "astrology"),
    ("organization_code", "NOPE"), ("email", "not-an-email"), ("family_name", ""),
    ("family_name", "佐\u202e藤"), ("given_name", "x" * 51),
])
def test_invalid_profile_fields_are_422(client, field, value):
    response = register(client, **{field: value})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["errors"]["json"]


def test_unknown_fields_are_rejected(client):
    response = register(client, role="consortium_admin")
    assert response.status_code == 422 and "role" in response.get_json()["errors"]["json"]


def test_duplicate_registry_number_is_409(client):
    assert register(client).status_code == 201
    assert register(client, email="other@example.jp").status_code == 409


def test_org_staff_create_learners_for_their_organisation_only(client, make_user):
    _, staff = make_user("org_staff", organization_code="JPCA")
    created = client.post("/api/v1/learners", json=PROFILE, headers=bearer(staff))
    assert created.status_code == 201 and created.get_json()["organization_code"] == "JPCA"
    other = client.post("/api/v1/learners", json={**PROFILE, "medical_registration_number": "7",
                                                  "organization_code": "JHA"}, headers=bearer(staff))
    assert other.status_code == 422


def test_staff_see_their_organisation_and_reads_are_audited(client, make_learner, make_user, app):
    ours, _ = make_learner(organization="JPCA")
    theirs, _ = make_learner(organization="JHA")
    _, staff = make_user("org_staff", organization_code="JPCA")
    assert client.get(f"/api/v1/learners/{ours}", headers=bearer(staff)).status_code == 200
    assert client.get(f"/api/v1/learners/{theirs}", headers=bearer(staff)).status_code == 404
    listed = client.get("/api/v1/learners", headers=bearer(staff))
    assert [r["id"] for r in listed.get_json()] == [ours] and listed.headers["X-Total-Count"] == "1"
    with app.app_context():
        reads = list(db.session.scalars(select(AuditEvent.object_id).where(AuditEvent.action == "learner.read")))
    assert reads == [ours]


@pytest.mark.parametrize("role,scope", [("prefecture_official", {"prefecture_code": "13"}), ("learner", {})])
def test_officials_and_learners_cannot_list_learners(client, make_user, make_learner, role, scope):
    learner_id, _ = make_learner()
    _, token = make_user(role, **scope)
    assert client.get("/api/v1/learners", headers=bearer(token)).status_code == 403
    assert client.get(f"/api/v1/learners/{learner_id}", headers=bearer(token)).status_code == 403


def test_learner_updates_own_profile_but_not_scope_fields(client, make_learner):
    _, token = make_learner(organization="JPCA")
    ok = client.patch("/api/v1/learners/me", json={"workplace_name": "新しい診療所"}, headers=bearer(token))
    assert ok.status_code == 200 and ok.get_json()["workplace_name"] == "新しい診療所"
    refused = client.patch("/api/v1/learners/me", json={"organization_code": "JHA"}, headers=bearer(token))
    assert refused.status_code == 422


def test_export_holds_profile_account_enrollments_and_audit(client, make_learner, make_enrollment):
    learner_id, token = make_learner()
    enrollment_id = make_enrollment(learner_id)
    export = client.get("/api/v1/learners/me/export", headers=bearer(token)).get_json()
    assert export["profile"]["id"] == learner_id
    assert export["profile"]["medical_registration_number"]
    assert export["account"]["role"] == "learner"
    assert [e["id"] for e in export["records"]["enrollments"]] == [enrollment_id]
    assert "audit_events" in export["records"]


def test_erasure_anonymises_but_keeps_enrollments(client, make_learner, make_enrollment, admin_token, app):
    learner_id, token = make_learner()
    enrollment_id = make_enrollment(learner_id)
    erased = client.post(f"/api/v1/learners/{learner_id}/erase", headers=bearer(admin_token))
    assert erased.status_code == 200
    body = erased.get_json()
    assert body["family_name"] == "（消去済み）" and body["medical_registration_number"] is None
    assert body["email"].endswith("@invalid") and body["erased_at"]
    assert client.get(f"/api/v1/enrollments/{enrollment_id}", headers=bearer(admin_token)).status_code == 200
    assert client.get("/api/v1/learners/me", headers=bearer(token)).status_code == 401
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "learner.erase"))


def test_only_admins_erase(client, make_learner, make_user):
    learner_id, _ = make_learner(organization="JPCA")
    _, staff = make_user("org_staff", organization_code="JPCA")
    assert client.post(f"/api/v1/learners/{learner_id}/erase", headers=bearer(staff)).status_code == 403
