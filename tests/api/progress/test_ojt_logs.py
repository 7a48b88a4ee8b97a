"""OJT hour logs: validation, the 24-hour cap, review by the site's supervisor, visibility."""

from datetime import timedelta

import pytest

from lms.audit.models import AuditEvent
from lms.dates import today_jst
from lms.extensions import db
from tests.conftest import bearer

TODAY = today_jst()


@pytest.fixture
def placed(learner_enrollment, make_placement, make_site):
    """A learner with an active enrolment placed at a new site: (placement_id, site_id, learner token)."""
    _, enrollment_id, token = learner_enrollment()
    site_id = make_site()
    return make_placement(enrollment_id, site_id), site_id, token


def log(client, token, placement_id, day=TODAY, hours=4, activity="outpatient", **extra):
    body = {"date": day.isoformat(), "hours": hours, "activity": activity, **extra}
    return client.post(f"/api/v1/placements/{placement_id}/ojt-logs", json=body, headers=bearer(token))


def review(client, token, log_id, decision="approved", **extra):
    return client.post(f"/api/v1/ojt-logs/{log_id}/review", json={"decision": decision, **extra},
                       headers=bearer(token))


def test_a_learner_logs_hours_which_start_pending(client, placed):
    placement_id, _, token = placed
    response = log(client, token, placement_id, hours=7.5, note="外来で高血圧の患者を担当")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "pending" and body["hours"] == 7.5 and body["placement_id"] == placement_id


@pytest.mark.parametrize("hours", [0.25, 12.5, 0, 0.75, 13])
def test_hours_outside_half_hour_steps_or_0_5_to_12_are_422(client, placed, hours):
    placement_id, _, token = placed
    response = log(client, token, placement_id, hours=hours)
    assert response.status_code == 422
    assert "hours" in response.get_json()["errors"]["json"]


def test_no_more_than_24_hours_on_one_date_across_logs(client, placed, learner_enrollment, make_placement):
    placement_id, _, token = placed
    assert log(client, token, placement_id, hours=12).status_code == 201
    assert log(client, token, placement_id, hours=10).status_code == 201
    response = log(client, token, placement_id, hours=2.5)
    assert response.status_code == 422 and "hours" in response.get_json()["errors"]["json"]
    assert log(client, token, placement_id, hours=2).status_code == 201
    assert log(client, token, placement_id, day=TODAY - timedelta(days=1), hours=12).status_code == 201


def test_rejected_hours_do_not_count_towards_the_daily_cap(client, placed, supervisor):
    placement_id, site_id, token = placed
    first = log(client, token, placement_id, hours=12).get_json()
    log(client, token, placement_id, hours=12)
    review(client, supervisor(site_id), first["id"], "rejected", comment="別日の記録では？")
    assert log(client, token, placement_id, hours=12).status_code == 201


@pytest.mark.parametrize("offset", [-31, 61])
def test_dates_outside_the_placement_period_are_422(client, learner_enrollment, make_placement, offset):
    _, enrollment_id, token = learner_enrollment()
    placement_id = make_placement(enrollment_id, start=TODAY - timedelta(days=30), end=TODAY + timedelta(days=60))
    response = log(client, token, placement_id, day=TODAY + timedelta(days=offset))
    assert response.status_code == 422 and "date" in response.get_json()["errors"]["json"]


def test_future_dates_are_422(client, placed):
    placement_id, _, token = placed
    response = log(client, token, placement_id, day=TODAY + timedelta(days=1))
    assert response.status_code == 422 and "date" in response.get_json()["errors"]["json"]


def test_unknown_activity_is_422(client, placed):
    placement_id, _, token = placed
    assert log(client, token, placement_id, activity="surgery").status_code == 422


def test_someone_elses_placement_is_404_and_non_active_enrollment_409(client, placed, learner_enrollment,
                                                                      make_placement):
    placement_id, _, _ = placed
    _, enrollment_id, other_token = learner_enrollment(status="suspended")
    assert log(client, other_token, placement_id).status_code == 404
    assert log(client, other_token, make_placement(enrollment_id)).status_code == 409


def test_the_sites_supervisor_approves_and_only_approved_hours_count(client, placed, supervisor, app):
    placement_id, site_id, token = placed
    a = log(client, token, placement_id, day=TODAY - timedelta(days=1), hours=8).get_json()
    log(client, token, placement_id, hours=4)
    boss = supervisor(site_id)
    queue = client.get("/api/v1/ojt-logs?status=pending", headers=bearer(boss))
    assert queue.status_code == 200 and len(queue.get_json()) == 2 and queue.headers["X-Total-Count"] == "2"
    approved = review(client, boss, a["id"], comment="確認しました")
    assert approved.status_code == 200
    body = approved.get_json()
    assert body["status"] == "approved" and body["review_comment"] == "確認しました" and body["reviewed_at"]
    assert len(client.get("/api/v1/ojt-logs?status=pending", headers=bearer(boss)).get_json()) == 1
    enrollment_id = client.get(f"/api/v1/ojt-logs/{a['id']}", headers=bearer(token)).get_json()["placement_id"]
    assert enrollment_id == placement_id
    with app.app_context():
        assert db.session.query(AuditEvent).filter_by(action="ojt_log.review", object_id=a["id"]).count() == 1


def test_progress_counts_approved_hours_only(client, learner_enrollment, make_placement, make_site, supervisor):
    _, enrollment_id, token = learner_enrollment()
    site_id = make_site()
    placement_id = make_placement(enrollment_id, site_id)
    boss = supervisor(site_id)
    ids = [log(client, token, placement_id, day=TODAY - timedelta(days=d), hours=7.5).get_json()["id"]
           for d in range(3)]
    review(client, boss, ids[0])
    review(client, boss, ids[1], "rejected")
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    assert progress["ojt_hours_approved"] == 7.5 and progress["ojt_hours_pending"] == 7.5
    assert "OJTがあと72.5時間必要です（承認済み 7.5/80時間）" in progress["missing"]


def test_another_sites_supervisor_cannot_see_or_review(client, placed, supervisor, make_site):
    placement_id, _, token = placed
    entry = log(client, token, placement_id).get_json()
    stranger = supervisor(make_site())
    assert review(client, stranger, entry["id"]).status_code == 404
    assert client.get(f"/api/v1/placements/{placement_id}/ojt-logs", headers=bearer(stranger)).status_code == 404
    assert client.get("/api/v1/ojt-logs", headers=bearer(stranger)).get_json() == []


def test_a_learner_cannot_review(client, placed):
    placement_id, _, token = placed
    entry = log(client, token, placement_id).get_json()
    assert review(client, token, entry["id"]).status_code == 403


def test_an_approved_log_is_immutable(client, placed, supervisor, admin_token):
    placement_id, site_id, token = placed
    entry = log(client, token, placement_id).get_json()
    assert review(client, supervisor(site_id), entry["id"]).status_code == 200
    assert review(client, admin_token, entry["id"], "rejected").status_code == 409
    assert review(client, supervisor(site_id), entry["id"]).status_code == 409
    patched = client.patch(f"/api/v1/ojt-logs/{entry['id']}", json={"hours": 8}, headers=bearer(token))
    assert patched.status_code == 409


def test_a_rejected_log_can_be_corrected_and_goes_back_to_review(client, placed, supervisor):
    placement_id, site_id, token = placed
    entry = log(client, token, placement_id, hours=6).get_json()
    review(client, supervisor(site_id), entry["id"], "rejected", comment="4時間では？")
    patched = client.patch(f"/api/v1/ojt-logs/{entry['id']}", json={"hours": 4}, headers=bearer(token))
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["status"] == "pending" and body["hours"] == 4 and body["review_comment"] is None


def test_placement_logs_visibility(client, placed, supervisor, make_user, admin_token):
    placement_id, site_id, token = placed
    log(client, token, placement_id)
    url = f"/api/v1/placements/{placement_id}/ojt-logs"
    for caller in (token, supervisor(site_id), admin_token, make_user("org_staff", organization_code="JPCA")[1]):
        response = client.get(url, headers=bearer(caller))
        assert response.status_code == 200 and len(response.get_json()) == 1
    other_org = make_user("org_staff", organization_code="JHA")[1]
    assert client.get(url, headers=bearer(other_org)).status_code == 404
    official = make_user("prefecture_official", prefecture_code="13")[1]
    assert client.get(url, headers=bearer(official)).status_code == 403
