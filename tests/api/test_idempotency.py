"""Idempotency records hold personal data: kept for a retention period, exported and erased with the learner."""

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.dates import utcnow
from lms.extensions import db
from lms.idempotency import IdempotencyRecord
from tests.conftest import bearer

PROFILE = {
    "family_name": "佐藤", "given_name": "花子", "family_name_kana": "サトウ", "given_name_kana": "ハナコ",
    "email": "hanako@example.jp", "medical_registration_number": "7654321", "license_year": 1998,
    "specialty": "internal_medicine", "workplace_prefecture_code": "03", "workplace_name": "岩手県立病院",
    "password": "a-long-password",
}


def age_records(app, hours: float, **where) -> None:
    """Move the matching records' creation this many hours into the past."""
    with app.app_context():
        conditions = [getattr(IdempotencyRecord, name) == value for name, value in where.items()]
        db.session.execute(update(IdempotencyRecord).where(*conditions)
                           .values(created_at=utcnow() - timedelta(hours=hours)))
        db.session.commit()


def stored_keys(app) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(IdempotencyRecord.key)))


@pytest.fixture
def registered(app, client, programs):
    """A learner who registered and applied to a programme, both with an Idempotency-Key: (learner_id, token)."""
    response = client.post("/api/v1/learners/register", json=PROFILE, headers={"Idempotency-Key": "reg-1"})
    assert response.status_code == 201
    token = client.post("/api/v1/auth/token", json={"email": PROFILE["email"], "password": PROFILE["password"]}) \
        .get_json()["access_token"]
    applied = client.post("/api/v1/enrollments", json={"program_code": "GF-2026"},
                          headers={**bearer(token), "Idempotency-Key": "apply-1"})
    assert applied.status_code == 201
    return response.get_json()["id"], token


def test_prune_command_deletes_records_past_retention_only(app, client, admin_token):
    for key in ("old", "new"):
        body = {"email": f"{key}@example.jp", "password": "long-enough-pw", "role": "consortium_admin"}
        assert client.post("/api/v1/users", json=body,
                           headers={**bearer(admin_token), "Idempotency-Key": key}).status_code == 201
    age_records(app, 25, key="old")
    age_records(app, 23, key="new")
    result = app.test_cli_runner().invoke(args=["lms", "idempotency", "prune"])
    assert result.exit_code == 0 and result.output.strip() == "1 idempotency record(s) deleted"
    assert stored_keys(app) == {"new"}


def test_a_key_replays_within_retention_and_runs_afresh_after_it(app, client, admin_token):
    headers = {**bearer(admin_token), "Idempotency-Key": "k-expiring"}
    body = {"email": "first@example.jp", "password": "long-enough-pw", "role": "consortium_admin"}
    first = client.post("/api/v1/users", headers=headers, json=body)
    age_records(app, 23)
    kept = client.post("/api/v1/users", headers=headers, json=body)
    assert kept.headers["Idempotent-Replayed"] == "true" and kept.get_json() == first.get_json()
    age_records(app, 25)  # the daily prune has not run yet
    # within retention another body would be 422; past it the key is free again
    fresh = client.post("/api/v1/users", headers=headers, json={**body, "email": "second@example.jp"})
    assert fresh.status_code == 201 and "Idempotent-Replayed" not in fresh.headers
    replayed = client.post("/api/v1/users", headers=headers, json={**body, "email": "second@example.jp"})
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.get_json() == fresh.get_json()


def test_export_lists_the_records_held_about_the_learner(client, registered):
    learner_id, token = registered
    export = client.get("/api/v1/learners/me/export", headers=bearer(token)).get_json()
    records = {r["key"]: r for r in export["records"]["idempotency_records"]}
    assert set(records) == {"reg-1", "apply-1"}
    registration = records["reg-1"]
    assert registration["status"] == 201 and registration["created_at"]
    assert registration["body"]["id"] == learner_id and registration["body"]["family_name"] == "佐藤"
    assert registration["client_address"] == "127.0.0.1"
    assert records["apply-1"]["body"]["learner_id"] == learner_id


def test_erasure_deletes_the_learners_records_and_keeps_others(app, client, registered, admin_token):
    learner_id, _ = registered
    other = {"email": "other@example.jp", "password": "long-enough-pw", "role": "consortium_admin"}
    assert client.post("/api/v1/users", json=other,
                       headers={**bearer(admin_token), "Idempotency-Key": "unrelated"}).status_code == 201
    assert client.post(f"/api/v1/learners/{learner_id}/erase", headers=bearer(admin_token)).status_code == 200
    assert stored_keys(app) == {"unrelated"}


def test_erasure_deletes_a_profile_staff_created_with_a_key(app, client, admin_token):
    profile = {k: v for k, v in PROFILE.items() if k != "password"}
    created = client.post("/api/v1/learners", json=profile,
                          headers={**bearer(admin_token), "Idempotency-Key": "staff-create"})
    assert created.status_code == 201
    client.post(f"/api/v1/learners/{created.get_json()['id']}/erase", headers=bearer(admin_token))
    assert stored_keys(app) == set()
