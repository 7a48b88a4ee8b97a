"""Platform: migrations, reference data, errors, auth, throttling, audit, docs."""

from datetime import timedelta

import pytest
from flask_migrate import check
from sqlalchemy import select, update

from lms.audit.models import AuditEvent
from lms.auth.models import AccessToken
from lms.dates import utcnow
from lms.extensions import db
from tests.conftest import bearer

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"] and "detail" in body
    return body


def test_migrations_match_models(app):
    with app.app_context():
        check()  # raises when autogenerate finds a difference


def test_prefectures_lists_47_with_blocks(client):
    rows = client.get("/api/v1/prefectures").get_json()
    assert len(rows) == 47
    tokyo = next(r for r in rows if r["code"] == "13")
    assert tokyo == {"code": "13", "name_ja": "東京都", "name_en": "Tokyo", "block_ja": "関東信越",
                     "block_en": "Kanto-Shinetsu", "lg_code": "130001"}
    blocks = {r["code"]: r["block_ja"] for r in rows}
    assert (blocks["18"], blocks["24"], blocks["15"], blocks["47"]) == ("近畿", "東海北陸", "関東信越", "九州")


@pytest.mark.parametrize("code", ["13", "130001"])
def test_prefecture_by_jis_or_lg_code(client, code):
    assert client.get(f"/api/v1/prefectures/{code}").get_json()["name_ja"] == "東京都"


def test_every_lg_code_has_a_valid_check_digit(client):
    from lms.reference.data import lg_check_digit

    for row in client.get("/api/v1/prefectures").get_json():
        assert lg_check_digit(row["lg_code"][:5]) == row["lg_code"][5]


@pytest.mark.parametrize("code,status", [("130002", 422), ("1", 422), ("abc", 422), ("48", 404), ("00", 404)])
def test_bad_prefecture_codes(client, code, status):
    assert_problem(client.get(f"/api/v1/prefectures/{code}"), status)


def test_blocks_organizations_specialties(client):
    blocks = client.get("/api/v1/blocks").get_json()
    assert [b["name_ja"] for b in blocks] == ["北海道", "東北", "関東信越", "東海北陸", "近畿", "中国", "四国", "九州"]
    assert sum(len(b["prefecture_codes"]) for b in blocks) == 47
    assert len(client.get("/api/v1/organizations").get_json()) == 7
    specialties = client.get("/api/v1/specialties").get_json()
    assert len(specialties) == 20 and specialties[-1]["code"] == "none"


def test_unknown_path_is_problem_404(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_problem_405(client):
    response = client.delete("/api/v1/prefectures")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_malformed_json_is_problem_400(client):
    body = assert_problem(client.post("/api/v1/auth/token", data="{oops", content_type="application/json"), 400)
    assert "JSON" in body["detail"]


def test_invalid_fields_are_problem_422_with_errors(client, admin_token):
    response = client.post("/api/v1/users", json={"email": "not-an-email", "role": "wizard"},
                           headers=bearer(admin_token))
    errors = assert_problem(response, 422)["errors"]["json"]
    assert {"email", "role", "password"} <= set(errors)


def test_body_over_the_limit_is_problem_413(client, app):
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/api/v1/auth/token", data=big, content_type="application/json")
    assert_problem(response, 413)


def test_login_returns_a_token_that_works_until_revoked(client, make_user):
    make_user("consortium_admin", email="boss@example.jp", password="right-password-1")
    response = client.post("/api/v1/auth/token", json={"email": "Boss@example.jp", "password": "right-password-1"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["token_type"] == "Bearer" and body["role"] == "consortium_admin" and body["expires_in"] > 0
    token = body["access_token"]
    assert client.get("/api/v1/audit-events", headers=bearer(token)).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=bearer(token)).status_code == 204
    response = client.get("/api/v1/audit-events", headers=bearer(token))
    assert_problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_expired_token_is_401(client, make_user, app):
    _, token = make_user("consortium_admin")
    with app.app_context():
        db.session.execute(update(AccessToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert_problem(client.get("/api/v1/audit-events", headers=bearer(token)), 401)


def test_tokens_are_stored_only_as_hashes(client, make_user, app):
    make_user("learner", email="l@example.jp", password="pw-123456789")
    token = client.post("/api/v1/auth/token", json={"email": "l@example.jp", "password": "pw-123456789"}) \
        .get_json()["access_token"]
    with app.app_context():
        stored = list(db.session.scalars(select(AccessToken.token_hash)))
    assert token not in stored and len(stored) == 2


def test_missing_and_garbage_tokens_are_401(client):
    assert_problem(client.get("/api/v1/audit-events"), 401)
    assert_problem(client.get("/api/v1/audit-events", headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(client.get("/api/v1/audit-events", headers={"Authorization": "Basic abc"}), 401)


def test_wrong_password_and_unknown_email_answer_alike(client, make_user):
    make_user("learner", email="known@example.jp", password="pw-123456789")
    wrong = client.post("/api/v1/auth/token", json={"email": "known@example.jp", "password": "nope"})
    unknown = client.post("/api/v1/auth/token", json={"email": "ghost@example.jp", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()


def test_repeated_failures_are_throttled_with_retry_after(client, make_user, app):
    make_user("learner", email="target@example.jp", password="pw-123456789")
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert client.post("/api/v1/auth/token", json={"email": "target@example.jp", "password": "x"}) \
            .status_code == 401
    response = client.post("/api/v1/auth/token", json={"email": "target@example.jp", "password": "pw-123456789"})
    assert_problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0


def test_logins_and_failures_are_audited(client, make_user, app):
    make_user("learner", email="a@example.jp", password="pw-123456789")
    client.post("/api/v1/auth/token", json={"email": "a@example.jp", "password": "bad"})
    client.post("/api/v1/auth/token", json={"email": "a@example.jp", "password": "pw-123456789"})
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.occurred_at)))
    assert actions == ["auth.login_failed", "auth.login"]


def test_admin_creates_users_with_scope_and_it_is_audited(client, admin_token, app):
    response = client.post("/api/v1/users", headers=bearer(admin_token), json={
        "email": "staff@example.jp", "password": "long-enough-pw", "role": "org_staff",
        "organization_code": "JPCA"})
    assert response.status_code == 201
    user = response.get_json()
    assert user["organization_code"] == "JPCA" and "password" not in user
    events = client.get("/api/v1/audit-events?action=user.create", headers=bearer(admin_token)).get_json()
    assert [e["object_id"] for e in events] == [user["id"]]


def test_duplicate_user_email_is_409(client, admin_token):
    body = {"email": "dup@example.jp", "password": "long-enough-pw", "role": "consortium_admin"}
    assert client.post("/api/v1/users", headers=bearer(admin_token), json=body).status_code == 201
    assert_problem(client.post("/api/v1/users", headers=bearer(admin_token), json=body), 409)


@pytest.mark.parametrize("body,field", [
    ({"role": "org_staff"}, "organization_code"),
    ({"role": "org_staff", "organization_code": "NOPE"}, "organization_code"),
    ({"role": "prefecture_official"}, "prefecture_code"),
    ({"role": "prefecture_official", "prefecture_code": "99"}, "prefecture_code"),
    ({"role": "supervisor"}, "site_ids"),
    ({"role": "supervisor", "site_ids": ["no-such-site"]}, "site_ids"),
])
def test_user_scope_must_fit_the_role(client, admin_token, body, field):
    response = client.post("/api/v1/users", headers=bearer(admin_token),
                           json={"email": "s@example.jp", "password": "long-enough-pw", **body})
    assert field in assert_problem(response, 422)["errors"]["json"]


def test_non_admin_cannot_create_users(client, make_user):
    _, token = make_user("learner")
    response = client.post("/api/v1/users", headers=bearer(token),
                           json={"email": "x@example.jp", "password": "long-enough-pw", "role": "consortium_admin"})
    assert_problem(response, 403)


def test_idempotency_key_replays_and_rejects_other_bodies(client, admin_token, app):
    headers = {**bearer(admin_token), "Idempotency-Key": "k-1"}
    body = {"email": "idem@example.jp", "password": "long-enough-pw", "role": "consortium_admin"}
    first = client.post("/api/v1/users", headers=headers, json=body)
    again = client.post("/api/v1/users", headers=headers, json=body)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    other = client.post("/api/v1/users", headers=headers, json={**body, "email": "other@example.jp"})
    assert_problem(other, 422)


def test_healthz_reports_database(client):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_openapi_declares_problem_json_errors(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert "application/problem+json" in spec["components"]["responses"]["UNPROCESSABLE_ENTITY"]["content"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_page_uses_local_assets(client):
    page = client.get("/api/v1/docs").get_data(as_text=True)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in page and "https://" not in page
    assert client.get("/api/v1/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_security_headers_and_no_cors_by_default(client):
    response = client.get("/api/v1/prefectures", headers={"Origin": "https://evil.example"})
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in response.headers


def test_gunicorn_settings_run_threads_with_a_short_switch_interval():
    """gunicorn.conf.py (read by gunicorn from the working directory, as scripts/run.sh starts it): threaded
    workers, and a switch interval short enough that a thread back from PostgreSQL is not kept waiting."""
    import runpy
    import sys
    from pathlib import Path

    settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    assert (settings["worker_class"], settings["threads"]) == ("gthread", 4)
    before = sys.getswitchinterval()
    try:
        settings["post_fork"](None, None)
        assert sys.getswitchinterval() == settings["SWITCH_INTERVAL_SECONDS"] < before
    finally:
        sys.setswitchinterval(before)
