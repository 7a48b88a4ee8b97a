"""The progress summary and who may see it; the learner's export includes progress records."""

import uuid

import pytest

from lms.dates import today_jst
from tests.conftest import LMS_HOME, bearer


def get_progress(client, token, enrollment_id):
    return client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token))


def test_a_fresh_enrollment_shows_everything_missing(client, learner_enrollment):
    _, enrollment_id, token = learner_enrollment()
    body = get_progress(client, token, enrollment_id).get_json()
    assert body["modules_required"] == 13 and body["modules_done"] == 0
    assert body["ojt_hours_required"] == 80 and body["ojt_hours_approved"] == 0 and body["percent"] == 0
    assert body["completion_ready"] is False and body["status"] == "active"
    assert len(body["modules"]) == 15 and body["modules"][0]["code"] == "GF01"
    assert "必修モジュール『在宅医療の基本』が未修了です" in body["missing"]
    assert "OJTがあと80時間必要です（承認済み 0/80時間）" in body["missing"]
    assert any(m.startswith("受講開始から180日以上の経過が必要です") for m in body["missing"])


def test_visibility_of_progress(client, learner_enrollment, make_placement, make_site, supervisor, make_user,
                                admin_token):
    _, enrollment_id, token = learner_enrollment(organization="JPCA")
    site_id = make_site()
    make_placement(enrollment_id, site_id)
    allowed = [token, admin_token, supervisor(site_id), make_user("org_staff", organization_code="JPCA")[1]]
    for caller in allowed:
        assert get_progress(client, caller, enrollment_id).status_code == 200
    _, _, other_learner = learner_enrollment()
    hidden = [other_learner, supervisor(make_site()), make_user("org_staff", organization_code="JHA")[1]]
    for caller in hidden:
        assert get_progress(client, caller, enrollment_id).status_code == 404
    official = make_user("prefecture_official", prefecture_code="13")[1]
    assert get_progress(client, official, enrollment_id).status_code == 403
    assert get_progress(client, admin_token, str(uuid.uuid4())).status_code == 404


def test_supervisors_see_the_enrollments_of_learners_placed_at_their_sites(client, learner_enrollment,
                                                                         make_placement, make_site, supervisor):
    _, placed_here, _ = learner_enrollment()
    _, placed_elsewhere, _ = learner_enrollment()
    _, cancelled, _ = learner_enrollment()
    site_id = make_site()
    make_placement(placed_here, site_id)
    make_placement(placed_elsewhere)
    make_placement(cancelled, site_id, status="cancelled")
    boss = supervisor(site_id)
    listed = client.get("/api/v1/enrollments", headers=bearer(boss)).get_json()
    assert [e["id"] for e in listed] == [placed_here]
    assert client.get(f"/api/v1/enrollments/{placed_here}", headers=bearer(boss)).status_code == 200
    for hidden in (placed_elsewhere, cancelled):
        assert client.get(f"/api/v1/enrollments/{hidden}", headers=bearer(boss)).status_code == 404
        assert get_progress(client, boss, hidden).status_code == 404


@pytest.mark.parametrize("program_code,required,hours", [("OJT-2026", 4, 160)])
def test_progress_follows_the_enrollments_programme(client, learner_enrollment, program_code, required, hours):
    _, enrollment_id, token = learner_enrollment(program_code)
    body = get_progress(client, token, enrollment_id).get_json()
    assert body["modules_required"] == required and body["ojt_hours_required"] == hours


def test_the_learners_export_holds_progress_statements_and_ojt_logs(client, learner_enrollment, make_placement):
    learner_id, enrollment_id, token = learner_enrollment()
    client.put(f"/api/v1/enrollments/{enrollment_id}/modules/GF01", headers=bearer(token),
               json={"status": "completed", "occurred_at": "2025-06-01T10:00:00+09:00"})
    statement_id = str(uuid.uuid4())
    client.post("/api/v1/xapi/statements", headers={**bearer(token), "X-Experience-API-Version": "1.0.3"}, json={
        "id": statement_id, "actor": {"account": {"homePage": LMS_HOME, "name": learner_id}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/progressed"}, "object": {"id": "https://x.jp/a/GF02"},
        "context": {"registration": enrollment_id}})
    placement_id = make_placement(enrollment_id)
    client.post(f"/api/v1/placements/{placement_id}/ojt-logs", headers=bearer(token),
                json={"date": today_jst().isoformat(), "hours": 3, "activity": "ward"})
    records = client.get("/api/v1/learners/me/export", headers=bearer(token)).get_json()["records"]
    assert {p["module_code"] for p in records["module_progress"]} == {"GF01", "GF02"}
    assert [s["id"] for s in records["xapi_statements"]] == [statement_id]
    assert records["xapi_statements"][0]["module_code"] == "GF02"
    assert [s["statement"]["id"] for s in records["lrs_statements"]] == [statement_id]
    assert [(o["hours"], o["status"]) for o in records["ojt_logs"]] == [(3.0, "pending")]


def test_staff_reading_progress_is_audited(client, app, learner_enrollment, admin_token):
    from lms.audit.models import AuditEvent
    from lms.extensions import db

    _, enrollment_id, token = learner_enrollment()
    get_progress(client, token, enrollment_id)
    get_progress(client, admin_token, enrollment_id)
    with app.app_context():
        reads = db.session.query(AuditEvent).filter_by(action="progress.read", object_id=enrollment_id).all()
        assert [e.actor_role for e in reads] == ["consortium_admin"]


def test_supervisors_see_progress_of_placed_learners_only_whatever_other_scopes_show(
        client, app, learner_enrollment, make_site, supervisor):
    from datetime import date

    from lms.extensions import db
    from lms.ojt.models import MatchingPreference, MatchingRound

    # the matching rounds' scope also shows a supervisor the applicants to their site
    _, applicant, _ = learner_enrollment()
    site_id = make_site()
    with app.app_context():
        matching_round = MatchingRound(name="2026年度第1回", fiscal_year=2026, mechanism="deferred_acceptance",
                                       placement_start_date=date(2026, 6, 1), placement_end_date=date(2026, 9, 30))
        db.session.add(matching_round)
        db.session.flush()
        db.session.add(MatchingPreference(round_id=matching_round.id, enrollment_id=applicant, rank=1,
                                          site_id=site_id))
        db.session.commit()
    boss = supervisor(site_id)
    assert client.get(f"/api/v1/enrollments/{applicant}", headers=bearer(boss)).status_code == 200
    assert get_progress(client, boss, applicant).status_code == 404
