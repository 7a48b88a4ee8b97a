"""Security basics: headers, CORS, secrets kept out of logs and tables, auditing of personal-data access,
and an export that holds every row about the learner (found from the schema, so new tables are covered)."""

import logging
import threading
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lms.extensions import db
from tests.api.security.conftest import PASSWORD, World

SECRET_PASSWORD = "Tr0ub4dor&3-never-logged"


# --- headers and CORS -----------------------------------------------------------------------------


@pytest.mark.parametrize("path,accept", [
    ("/api/v1/prefectures", "application/json"),
    ("/api/v1/nothing-here", "application/json"),
    ("/api/v1/learners/me", "application/json"),
    ("/api/v1/docs", "text/html"),
    ("/verify/AAAA-BBBB-CCCC-DDDD", "text/html"),
    ("/healthz", "application/json"),
])
def test_security_headers_on_every_kind_of_response(client, path, accept):
    response = client.get(path, headers={"Accept": accept})
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "default-src" in csp and ("frame-ancestors 'none'" in csp or path.startswith("/api/v1/docs"))
    if path.startswith("/api/"):
        assert headers["Cache-Control"] == "no-store"
    assert "Access-Control-Allow-Origin" not in headers


def test_cors_is_off_by_default(client):
    for method in ("GET", "OPTIONS"):
        response = client.open("/api/v1/prefectures", method=method, headers={
            "Origin": "https://portal.example.jp", "Access-Control-Request-Method": "GET"})
        assert not any(name.startswith("Access-Control-") for name, _ in response.headers)


def test_cors_allows_only_the_configured_origins(app):
    from lms import create_app
    from lms.config import TestConfig

    config = TestConfig(app.config["SQLALCHEMY_DATABASE_URI"], app.config["STORAGE_DIR"])
    config.CORS_ORIGINS = ["https://portal.example.jp"]
    client = create_app(config).test_client()
    allowed = client.options("/api/v1/enrollments", headers={
        "Origin": "https://portal.example.jp", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://portal.example.jp"
    assert "Authorization" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Origin" in allowed.headers["Vary"]
    exposed = client.get("/api/v1/prefectures", headers={
        "Origin": "https://portal.example.jp"}).headers["Access-Control-Expose-Headers"]
    assert "X-Total-Count" in exposed and "X-Experience-API-Version" in exposed
    xapi = client.options("/api/v1/xapi/statements", headers={
        "Origin": "https://portal.example.jp", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type, X-Experience-API-Version"})
    assert "X-Experience-API-Version" in xapi.headers["Access-Control-Allow-Headers"]
    for origin in ("https://evil.example", "https://portal.example.jp.evil.example", "null"):
        refused = client.get("/api/v1/prefectures", headers={"Origin": origin})
        assert "Access-Control-Allow-Origin" not in refused.headers


@pytest.mark.parametrize("trusted, expected", [(0, ("127.0.0.1", "http")), (1, ("198.51.100.7", "https"))])
def test_client_address_comes_from_trusted_proxies_only(app, trusted, expected):
    """Behind a load balancer, rate limits and audit records must see the client, not the proxy; without
    a configured proxy, a forged X-Forwarded-For is ignored."""
    from flask import request

    from lms import create_app
    from lms.config import TestConfig

    config = TestConfig(app.config["SQLALCHEMY_DATABASE_URI"], app.config["STORAGE_DIR"])
    config.TRUSTED_PROXIES = trusted
    proxied = create_app(config)
    proxied.add_url_rule("/whoami", "whoami", lambda: {"ip": request.remote_addr, "scheme": request.scheme})
    answer = proxied.test_client().get("/whoami", environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={
        "X-Forwarded-For": "203.0.113.66, 198.51.100.7", "X-Forwarded-Proto": "https"}).get_json()
    assert (answer["ip"], answer["scheme"]) == expected


# --- secrets never logged, never stored in the clear --------------------------------------------


def _everything_a_client_does_with_secrets(client, world: World) -> tuple[list[str], list[str]]:
    """Register, log in (right and wrong), use the token, log out; returns (tokens, passwords) used."""
    registered = client.post("/api/v1/learners/register", json={
        "family_name": "佐藤", "given_name": "花子", "family_name_kana": "サトウ", "given_name_kana": "ハナコ",
        "email": "hanako@example.jp", "medical_registration_number": "4242", "license_year": 2004,
        "specialty": "pediatrics", "workplace_prefecture_code": "13", "password": SECRET_PASSWORD})
    assert registered.status_code == 201
    wrong = client.post("/api/v1/auth/token", json={"email": "hanako@example.jp", "password": "not-" + SECRET_PASSWORD})
    assert wrong.status_code == 401
    token = client.post("/api/v1/auth/token", json={"email": "hanako@example.jp", "password": SECRET_PASSWORD}) \
        .get_json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/learners/me", headers=headers).status_code == 200
    assert client.get("/api/v1/learners/me/export", headers=headers).status_code == 200
    assert client.post("/api/v1/enrollments", json={"program_code": "GF-2026"}, headers=headers).status_code == 201
    assert client.get("/api/v1/nothing-here", headers=headers).status_code == 404
    assert client.post("/api/v1/enrollments", data="{oops", headers={**headers, "Content-Type": "application/json"}) \
        .status_code == 400
    assert client.post("/api/v1/users", json={"email": "x@example.jp", "password": SECRET_PASSWORD,
                                              "role": "learner"}, headers=world.headers("consortium_admin")) \
        .status_code == 201
    admin = world.tokens["consortium_admin"]
    assert client.get("/api/v1/audit-events", headers={"Authorization": f"Bearer {admin}"}).status_code == 200
    assert client.delete("/api/v1/auth/token", headers=headers).status_code == 204
    assert client.get("/api/v1/learners/me", headers=headers).status_code == 401
    return [token, admin], [SECRET_PASSWORD, PASSWORD]


def test_passwords_and_tokens_are_never_logged(client, world, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("", "lms", "werkzeug", "sqlalchemy.engine", "flask_smorest", "gunicorn"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        tokens, passwords = _everything_a_client_does_with_secrets(client, world)
    finally:
        logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    text = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert caplog.records, "nothing was logged at DEBUG: the capture is not working"
    for secret in tokens + passwords:
        assert secret not in text


def test_passwords_and_tokens_are_stored_only_as_hashes(client, world, app):
    tokens, passwords = _everything_a_client_does_with_secrets(client, world)
    with app.app_context():
        for table in db.metadata.sorted_tables:
            dump = repr(db.session.execute(select(table)).all())
            for secret in tokens + passwords:
                assert secret not in dump, f"{secret[:6]}… is stored in the clear in {table.name}"
        db.session.remove()


def test_tokens_are_not_taken_from_query_strings_or_forms(client, world):
    token = world.tokens["consortium_admin"]
    assert client.get(f"/api/v1/audit-events?access_token={token}").status_code == 401
    assert client.get("/api/v1/audit-events", data={"access_token": token}).status_code == 401


def test_access_logs_of_werkzeug_and_gunicorn_leave_out_the_authorization_header(app, world, caplog):
    """The request line is logged, never headers; tokens travel only in the Authorization header."""
    import http.client

    from werkzeug.serving import make_server

    caplog.set_level(logging.DEBUG)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    token = world.tokens["consortium_admin"]
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
        connection.request("GET", "/api/v1/audit-events?per_page=5", headers={"Authorization": f"Bearer {token}"})
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        server.shutdown()
        thread.join(5)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/api/v1/audit-events" in line for line in lines)
    assert not any(token in line for line in lines)

    from types import SimpleNamespace

    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    config = Config()
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/api/v1/audit-events?per_page=5",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1", "HTTP_AUTHORIZATION": f"Bearer {token}"}
    request = SimpleNamespace(headers=[("AUTHORIZATION", f"Bearer {token}"), ("HOST", "127.0.0.1")],
                              method="GET", path="/api/v1/audit-events", query="per_page=5", uri=environ["RAW_URI"],
                              version=(1, 1), peer_addr=("127.0.0.1", 5000))
    response = SimpleNamespace(status="200 OK", status_code=200, sent=10, headers=[], response_length=10)
    import datetime as dt

    line = config.access_log_format % Logger(config).atoms(response, request, environ, dt.timedelta(seconds=0.01))
    assert "/api/v1/audit-events" in line and token not in line


# --- auditing of personal data -------------------------------------------------------------------


def _events(app, action: str) -> list:
    from lms.audit.models import AuditEvent

    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.remove()
        return rows


@pytest.mark.parametrize("role", ["consortium_admin", "org_staff"])
def test_reading_a_learner_is_audited(client, world, app, role):
    learner_id = world.objects["own"]["learner_id"]
    assert client.get(f"/api/v1/learners/{learner_id}", headers=world.headers(role)).status_code == 200
    assert client.get("/api/v1/learners", headers=world.headers(role)).status_code == 200
    [read] = _events(app, "learner.read")
    assert (read.object_id, read.actor_role) == (learner_id, role) and read.actor_id and read.ip
    [listed] = _events(app, "learner.list")
    assert listed.actor_role == role
    for event in (read, listed):  # the log says who looked, it does not copy what they saw
        assert world.objects["own"]["learner_email"] not in repr(event.details)


def test_exports_and_certificate_downloads_are_audited(client, world, app):
    learner = world.headers("learner")
    assert client.get("/api/v1/learners/me/export", headers=learner).status_code == 200
    [export] = _events(app, "learner.export")
    assert export.object_id == world.objects["own"]["learner_id"]
    certificate_id = world.objects["own"]["certificate_id"]
    for role in ("learner", "consortium_admin"):
        assert client.get(f"/api/v1/certificates/{certificate_id}/pdf", headers=world.headers(role)).status_code == 200
    downloads = _events(app, "certificate.download")
    assert sorted(e.actor_role for e in downloads) == ["consortium_admin", "learner"]
    assert {e.object_id for e in downloads} == {certificate_id}


def test_refused_reads_of_personal_data_leave_no_data_in_the_answer(client, world):
    other = world.objects["other"]
    for path in (f"/api/v1/learners/{other['learner_id']}", f"/api/v1/enrollments/{other['enrollment_id']}"):
        body = client.get(path, headers=world.headers("org_staff")).get_data(as_text=True)
        assert other["learner_email"] not in body and other["learner_id"] not in body.replace(path, "")


# --- the export holds every row about the learner ----------------------------------------------

# Rows that point at a learner but are not information about them, each with the reason.
NOT_PERSONAL_DATA = {
    "access_tokens": "credentials: hashes of bearer tokens, which are never disclosed, only revoked",
    "certificate_batch_items": "bookkeeping of a bulk run; the certificate it produced is exported",
    "user_sites": "a supervisor's scope, never a learner's",
}


def _rows_about(app, learner_id: str) -> dict[str, list[dict]]:
    """Rows reachable from the learner (and their login) by following foreign keys to them, transitively,
    plus rows of any table with a learner_id or enrollment_id column naming them."""
    tables = {t.name: t for t in db.metadata.sorted_tables}
    with app.app_context():
        learner = db.session.execute(select(tables["learners"]).where(tables["learners"].c.id == learner_id)) \
            .mappings().one()
        about: dict[str, dict[tuple, dict]] = {"learners": {(learner_id,): dict(learner)}}
        if learner["user_id"]:
            user = db.session.execute(select(tables["users"]).where(tables["users"].c.id == learner["user_id"])) \
                .mappings().one()
            about["users"] = {(user["id"],): dict(user)}
        changed = True
        while changed:
            changed = False
            for table in tables.values():
                for fk in table.foreign_keys:
                    parent = fk.column.table.name
                    keys = {row[fk.column.name] for row in about.get(parent, {}).values()}
                    if not keys:
                        continue
                    for row in db.session.execute(select(table).where(fk.parent.in_(sorted(keys)))).mappings():
                        key = tuple(row[c.name] for c in table.primary_key.columns)
                        if key not in about.setdefault(table.name, {}):
                            about[table.name][key] = dict(row)
                            changed = True
            enrollment_ids = sorted(r["id"] for r in about.get("enrollments", {}).values())
            for table in tables.values():
                for column, values in (("learner_id", [learner_id]), ("enrollment_id", enrollment_ids)):
                    if column in table.c and values:
                        for row in db.session.execute(select(table).where(table.c[column].in_(values))).mappings():
                            key = tuple(row[c.name] for c in table.primary_key.columns)
                            if key not in about.setdefault(table.name, {}):
                                about[table.name][key] = dict(row)
                                changed = True
        db.session.remove()
    return {name: list(rows.values()) for name, rows in about.items() if rows}


def _records(value) -> list[set[str]]:
    """Every JSON object in the export as the set of its scalar values (nested lists of scalars included)."""
    found = []
    if isinstance(value, dict):
        scalars = set()
        for item in value.values():
            if isinstance(item, list) and all(not isinstance(i, dict | list) for i in item):
                scalars.update(str(i) for i in item)
            elif not isinstance(item, dict | list):
                scalars.add(str(item))
            found.extend(_records(item))
        found.append(scalars)
    elif isinstance(value, list):
        for item in value:
            found.extend(_records(item))
    return found


def _candidate_keys(table) -> list[list[str]]:
    keys = [[c.name for c in table.primary_key.columns]]
    for constraint in table.constraints:
        columns = [c.name for c in getattr(constraint, "columns", [])]
        if columns and constraint.__class__.__name__ == "UniqueConstraint":
            keys.append(columns)
    for index in table.indexes:
        if index.unique:
            keys.append([c.name for c in index.columns])
    return keys


def _fill_every_kind_of_record(client, world: World) -> None:
    """Give the own learner a row in every table that can hold something about them."""
    own, learner = world.objects["own"], world.headers("learner")
    admin = world.headers("consortium_admin")
    assert client.put(f"/api/v1/enrollments/{own['enrollment_id']}/modules/GF02", headers=learner, json={
        "status": "passed", "score": 88, "minutes_spent": 50,
        "occurred_at": datetime(2026, 4, 3, tzinfo=UTC).isoformat()}).status_code == 200
    assert client.post("/api/v1/xapi/statements", headers={**learner, "X-Experience-API-Version": "1.0.3"}, json={
        "id": str(uuid.uuid4()), "actor": {"account": {"homePage": "https://lms.example.jp",
                                                       "name": own["learner_id"]}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
        "object": {"id": "https://lms.example.jp/modules/GF03"},
        "context": {"registration": own["enrollment_id"]},
        "timestamp": datetime(2026, 4, 4, tzinfo=UTC).isoformat()}).status_code == 200
    assert client.put(f"/api/v1/matching-rounds/{own['round_id']}/preferences", headers=learner, json={
        "enrollment_id": own["enrollment_id"], "site_ids": [own["site_id"], world.objects["other"]["site_id"]]}) \
        .status_code == 200
    assert client.post(f"/api/v1/matching-rounds/{own['round_id']}/run", headers=admin).status_code == 200
    assert client.post(f"/api/v1/ojt-logs/{own['log_id']}/review", headers=world.headers("supervisor"),
                       json={"decision": "approved"}).status_code == 200
    assert client.post(f"/api/v1/enrollments/{own['enrollment_id']}/transitions", headers=admin,
                       json={"to": "suspended", "reason": "休職"}).status_code == 200


def test_the_export_holds_every_row_about_the_learner(client, world, app):
    _fill_every_kind_of_record(client, world)
    export = client.get("/api/v1/learners/me/export", headers=world.headers("learner"))
    assert export.status_code == 200
    records = _records(export.get_json())
    tables = {t.name: t for t in db.metadata.sorted_tables}
    about = _rows_about(app, world.objects["own"]["learner_id"])
    assert {"enrollments", "certificates", "placements", "ojt_logs", "module_progress", "xapi_statements",
            "matching_preferences"} <= about.keys(), sorted(about)
    missing = []
    for name, rows in sorted(about.items()):
        if name in NOT_PERSONAL_DATA:
            continue
        for row in rows:
            keys = [[str(row[c]) for c in key] for key in _candidate_keys(tables[name])
                    if all(row[c] is not None for c in key)]
            if not any(set(values) <= record for values in keys for record in records):
                missing.append(f"{name} {dict((k, row[k]) for k in list(row)[:4])}")
    assert not missing, "rows about the learner missing from GET /learners/me/export:\n" + "\n".join(missing)


def test_the_export_holds_nothing_about_anyone_else(client, world):
    _fill_every_kind_of_record(client, world)
    body = client.get("/api/v1/learners/me/export", headers=world.headers("learner")).get_data(as_text=True)
    other = world.objects["other"]
    for key in ("learner_id", "enrollment_id", "done_enrollment_id", "certificate_id", "placement_id", "log_id",
                "learner_email", "verification_code"):
        assert other[key] not in body, key


# --- the database going away (bench/faults.py does it for real) -----------------------------------


def _lost_connection():
    from sqlalchemy.exc import OperationalError

    return OperationalError("SELECT 1", {}, Exception("terminating connection due to administrator command"))


def test_a_lost_database_is_a_503_problem_with_retry_after(client, world, monkeypatch):
    from sqlalchemy.orm import Session

    def gone(self, *args, **kwargs):
        raise _lost_connection()

    monkeypatch.setattr(Session, "execute", gone)
    response = client.get("/api/v1/enrollments", headers=world.headers("consortium_admin"))
    assert response.status_code == 503 and response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0


def test_a_connection_lost_while_closing_the_session_keeps_the_answer(client, world, monkeypatch):
    """PostgreSQL restarting just after a request was answered: the rollback at teardown fails, the answer
    stands (it used to become gunicorn's own 500 page)."""
    from sqlalchemy.orm import Session

    close, failures = Session.close, []

    def close_once_broken(self):
        if not failures:
            failures.append(1)
            raise _lost_connection()
        return close(self)

    monkeypatch.setattr(Session, "close", close_once_broken)
    response = client.get("/api/v1/enrollments", headers=world.headers("consortium_admin"))
    assert failures and response.status_code == 200
    monkeypatch.setattr(Session, "close", close)
    assert client.get("/api/v1/enrollments", headers=world.headers("consortium_admin")).status_code == 200
