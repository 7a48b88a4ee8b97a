"""Report types and schedules over HTTP: validation with reasons, admin only, audit."""

import pytest

from lms.audit.models import AuditEvent
from lms.extensions import db
from tests.conftest import bearer

BODY = {"name": "週次 都道府県別", "report_type": "prefecture_enrollment", "params": {"fiscal_year": "current"},
        "cron": "0 9 * * 1", "formats": ["csv", "pdf"]}


def create(client, headers, **changes):
    return client.post("/api/v1/report-schedules", json={**BODY, **changes}, headers=headers)


def test_report_types_list_the_four_with_their_parameters(client, admin):
    response = client.get("/api/v1/report-types", headers=admin)
    assert response.status_code == 200
    types = {t["code"]: t for t in response.json}
    assert {"prefecture_enrollment", "program_progress", "ojt_activity", "certificates_issued"} <= set(types)
    params = {p["name"]: p for p in types["ojt_activity"]["params"]}
    assert params["fiscal_year"]["default"] == "current"
    assert "prefecture_code" in params and not params["prefecture_code"]["required"]
    assert types["prefecture_enrollment"]["chart"] == "tile_map"


def test_create_and_read_a_schedule(client, admin):
    response = create(client, admin)
    assert response.status_code == 201, response.json
    schedule = response.json
    assert schedule["params"] == {"fiscal_year": "current"}
    assert schedule["formats"] == ["csv", "pdf"] and schedule["enabled"] is True
    assert schedule["timezone"] == "Asia/Tokyo"
    assert schedule["next_run_at"].endswith("+00:00")
    got = client.get(f"/api/v1/report-schedules/{schedule['id']}", headers=admin)
    assert got.status_code == 200 and got.json["cron"] == "0 9 * * 1"


def test_defaults_fill_formats_params_and_enabled(client, admin):
    response = client.post("/api/v1/report-schedules", headers=admin,
                           json={"name": "n", "report_type": "program_progress", "cron": "0 8 1 * *"})
    assert response.status_code == 201
    assert response.json["formats"] == ["csv", "xlsx", "pdf"]
    assert response.json["params"] == {"fiscal_year": "current"}


@pytest.mark.parametrize(("cron", "reason"), [
    ("0 9 * *", "Wrong number of fields; got 4, expected 5"),
    ("0 24 * * *", "higher than the maximum value (23)"),
    ("0 0 30 2 *", "never fires"),
    ("0 9 1 * 1", "either the day of month or the day of week"),
])
def test_a_bad_cron_is_422_with_the_reason(client, admin, cron, reason):
    response = create(client, admin, cron=cron)
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert reason in response.json["errors"]["json"]["cron"][0]


@pytest.mark.parametrize(("changes", "field"), [
    ({"report_type": "nope"}, "report_type"),
    ({"params": {"fiscal_year": 1999}}, "params"),
    ({"params": {"fiscal_year": "next"}}, "params"),
    ({"params": {"colour": "red"}}, "params"),
    ({"report_type": "ojt_activity", "params": {"prefecture_code": "48"}}, "params"),
    ({"report_type": "program_progress", "params": {"program_code": "NO-SUCH"}}, "params"),
    ({"formats": []}, "formats"),
    ({"formats": ["csv", "csv"]}, "formats"),
    ({"formats": ["docx"]}, "formats"),
])
def test_bad_parameters_are_422_naming_the_field(client, admin, changes, field):
    response = create(client, admin, **changes)
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_params_are_checked_per_report_type(client, admin, programs):
    ok = create(client, admin, report_type="program_progress", params={"program_code": "GF-2026", "fiscal_year": 2026})
    assert ok.status_code == 201
    wrong_type = create(client, admin, report_type="prefecture_enrollment", params={"program_code": "GF-2026"})
    assert wrong_type.status_code == 422


def test_patch_changes_fields_and_revalidates(client, admin):
    schedule = create(client, admin).json
    url = f"/api/v1/report-schedules/{schedule['id']}"
    response = client.patch(url, json={"cron": "*/15 * * * *", "enabled": False, "name": "改名"}, headers=admin)
    assert response.status_code == 200
    assert response.json["cron"] == "*/15 * * * *" and response.json["enabled"] is False
    assert response.json["next_run_at"] is None
    assert client.patch(url, json={"cron": "bad"}, headers=admin).status_code == 422
    changed_type = client.patch(url, json={"report_type": "ojt_activity", "params": {"prefecture_code": "13"}},
                                headers=admin)
    assert changed_type.status_code == 200 and changed_type.json["params"]["prefecture_code"] == "13"
    assert client.patch(url, json={"report_type": "prefecture_enrollment"}, headers=admin).status_code == 422
    assert client.patch(url, json={"id": "x"}, headers=admin).status_code == 422


def test_delete_hides_the_schedule_but_keeps_its_runs(client, admin):
    schedule = create(client, admin).json
    url = f"/api/v1/report-schedules/{schedule['id']}"
    run_id = client.post(url + "/run", headers=admin).json["run_id"]
    assert client.delete(url, headers=admin).status_code == 204
    assert client.get(url, headers=admin).status_code == 404
    assert client.delete(url, headers=admin).status_code == 404
    assert client.post(url + "/run", headers=admin).status_code == 404
    assert client.get("/api/v1/report-schedules", headers=admin).json == []
    run = client.get(f"/api/v1/report-runs/{run_id}", headers=admin).json
    assert run["status"] == "failed" and "deleted" in run["error"]


def test_list_is_paginated(client, admin):
    for n in range(3):
        create(client, admin, name=f"s{n}")
    response = client.get("/api/v1/report-schedules?per_page=2", headers=admin)
    assert response.headers["X-Total-Count"] == "3" and len(response.json) == 2
    assert 'rel="next"' in response.headers["Link"]
    assert client.get("/api/v1/report-schedules?enabled=false", headers=admin).json == []


def test_manual_run_is_202_and_queued(client, admin):
    schedule = create(client, admin).json
    response = client.post(f"/api/v1/report-schedules/{schedule['id']}/run", headers=admin)
    assert response.status_code == 202
    run = client.get(f"/api/v1/report-runs/{response.json['run_id']}", headers=admin).json
    assert run["status"] == "queued" and run["trigger"] == "manual"
    assert run["scheduled_for"] is None and run["attempts"] == 0 and run["artifacts"] == []
    listed = client.get(f"/api/v1/report-runs?schedule_id={schedule['id']}", headers=admin)
    assert [r["id"] for r in listed.json] == [run["id"]] and listed.headers["X-Total-Count"] == "1"
    assert client.get("/api/v1/report-runs?status=succeeded", headers=admin).json == []
    missing = client.get(f"/api/v1/report-runs/{run['id']}/artifacts/pdf", headers=admin)
    assert missing.status_code == 404


def test_a_repeated_idempotency_key_queues_one_run(client, admin):
    schedule = create(client, admin).json
    headers = {**admin, "Idempotency-Key": "run-once-1"}
    first = client.post(f"/api/v1/report-schedules/{schedule['id']}/run", headers=headers)
    second = client.post(f"/api/v1/report-schedules/{schedule['id']}/run", headers=headers)
    assert first.json == second.json
    assert client.get("/api/v1/report-runs", headers=admin).headers["X-Total-Count"] == "1"


def test_schedule_changes_and_manual_runs_are_audited(client, admin, app):
    schedule = create(client, admin).json
    url = f"/api/v1/report-schedules/{schedule['id']}"
    client.patch(url, json={"enabled": False}, headers=admin)
    client.post(url + "/run", headers=admin)
    client.delete(url, headers=admin)
    with app.app_context():
        actions = [e.action for e in db.session.query(AuditEvent).filter_by(object_id=schedule["id"])
                   .order_by(AuditEvent.occurred_at)]
    assert actions == ["report_schedule.create", "report_schedule.update", "report_schedule.run",
                       "report_schedule.delete"]


@pytest.mark.parametrize("role", ["org_staff", "prefecture_official", "learner"])
def test_only_admins_may_use_reports(client, make_user, admin, role):
    scope = {"org_staff": {"organization_code": "JPCA"}, "prefecture_official": {"prefecture_code": "13"}}
    headers = bearer(make_user(role, **scope.get(role, {}))[1])
    schedule = create(client, admin).json
    run_id = client.post(f"/api/v1/report-schedules/{schedule['id']}/run", headers=admin).json["run_id"]
    for method, url in [("get", "/api/v1/report-types"), ("get", "/api/v1/report-schedules"),
                        ("post", "/api/v1/report-schedules"), ("get", f"/api/v1/report-schedules/{schedule['id']}"),
                        ("patch", f"/api/v1/report-schedules/{schedule['id']}"),
                        ("delete", f"/api/v1/report-schedules/{schedule['id']}"),
                        ("post", f"/api/v1/report-schedules/{schedule['id']}/run"),
                        ("get", "/api/v1/report-runs"), ("get", f"/api/v1/report-runs/{run_id}"),
                        ("get", f"/api/v1/report-runs/{run_id}/artifacts/csv")]:
        assert getattr(client, method)(url, headers=headers, json=BODY if method != "get" else None
                                       ).status_code == 403, url
        assert getattr(client, method)(url).status_code == 401, url
