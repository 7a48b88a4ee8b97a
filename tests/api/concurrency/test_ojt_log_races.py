"""OJT logs under concurrency: the per-date cap is exact, and a supervisor approves the hours they saw."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from lms.audit.models import AuditEvent
from lms.dates import today_jst
from lms.extensions import db
from lms.progress.models import OjtLog
from tests.conftest import bearer
from tests.race import Sent, statuses

TRIES = 12


def test_ten_parallel_twelve_hour_logs_on_one_date_stop_at_24_hours(app, live_server, placed):
    placement_id, token, _ = placed
    day = today_jst().isoformat()
    answers = live_server.race([Sent("POST", f"/api/v1/placements/{placement_id}/ojt-logs", headers=bearer(token),
                                     json={"date": day, "hours": 12, "activity": "ward"}) for _ in range(10)])
    assert statuses(answers) == [201] * 2 + [422] * 8
    with app.app_context():
        assert db.session.scalar(select(func.sum(OjtLog.hours))) == Decimal(24)


def new_log(live_server, placement_id, token, day, hours=0.5) -> str:
    answer = live_server.send(Sent("POST", f"/api/v1/placements/{placement_id}/ojt-logs", headers=bearer(token),
                                   json={"date": day.isoformat(), "hours": hours, "activity": "outpatient"}))
    assert answer.status == 201 and answer.headers["etag"] == '"v1"'
    return answer.json()["id"]


def test_every_ojt_log_answer_carries_its_etag(client, live_server, placed, make_user):
    placement_id, token, site_id = placed
    boss = make_user("supervisor", site_ids=[site_id])[1]
    log_id = new_log(live_server, placement_id, token, today_jst())
    read = client.get(f"/api/v1/ojt-logs/{log_id}", headers=bearer(boss))
    assert read.headers["ETag"] == '"v1"'
    patched = client.patch(f"/api/v1/ojt-logs/{log_id}", json={"hours": 1}, headers={**bearer(token), "If-Match": '"v1"'})
    assert patched.status_code == 200 and patched.headers["ETag"] == '"v2"'
    reviewed = client.post(f"/api/v1/ojt-logs/{log_id}/review", json={"decision": "approved"},
                           headers={**bearer(boss), "If-Match": '"v2"'})
    assert reviewed.status_code == 200 and reviewed.headers["ETag"] == '"v3"'
    assert reviewed.get_json()["hours"] == 1


def test_a_stale_if_match_is_412_and_changes_nothing(app, client, live_server, placed, make_user):
    placement_id, token, site_id = placed
    boss = make_user("supervisor", site_ids=[site_id])[1]
    log_id = new_log(live_server, placement_id, token, today_jst())
    seen = client.get(f"/api/v1/ojt-logs/{log_id}", headers=bearer(boss)).headers["ETag"]
    assert client.patch(f"/api/v1/ojt-logs/{log_id}", json={"hours": 12}, headers=bearer(token)).status_code == 200
    review = client.post(f"/api/v1/ojt-logs/{log_id}/review", json={"decision": "approved"},
                         headers={**bearer(boss), "If-Match": seen})
    assert review.status_code == 412 and review.mimetype == "application/problem+json"
    assert review.get_json()["status"] == 412
    stale_patch = client.patch(f"/api/v1/ojt-logs/{log_id}", json={"hours": 3},
                               headers={**bearer(token), "If-Match": seen})
    assert stale_patch.status_code == 412
    log = client.get(f"/api/v1/ojt-logs/{log_id}", headers=bearer(boss)).get_json()
    assert (log["status"], log["hours"]) == ("pending", 12)
    # a weak tag never matches, `*` always does
    assert client.post(f"/api/v1/ojt-logs/{log_id}/review", json={"decision": "rejected"},
                       headers={**bearer(boss), "If-Match": 'W/"v2"'}).status_code == 412
    assert client.post(f"/api/v1/ojt-logs/{log_id}/review", json={"decision": "rejected"},
                       headers={**bearer(boss), "If-Match": "*"}).status_code == 200


def test_an_approval_racing_a_correction_never_approves_hours_not_seen(app, live_server, placed, make_user):
    placement_id, token, site_id = placed
    boss = make_user("supervisor", site_ids=[site_id])[1]
    outcomes = []
    for n in range(TRIES):
        log_id = new_log(live_server, placement_id, token, today_jst() - timedelta(days=n))
        seen = live_server.send(Sent("GET", f"/api/v1/ojt-logs/{log_id}", headers=bearer(boss)))
        assert seen.json()["hours"] == 0.5
        patch, review = live_server.race([
            Sent("PATCH", f"/api/v1/ojt-logs/{log_id}", json={"hours": 12}, headers=bearer(token)),
            Sent("POST", f"/api/v1/ojt-logs/{log_id}/review", json={"decision": "approved"},
                 headers={**bearer(boss), "If-Match": seen.headers["etag"]}),
        ])
        with app.app_context():
            log = db.session.get(OjtLog, log_id)
            final = (log.status, float(log.hours))
        if final[0] == "approved":
            assert final[1] == 0.5 and (patch.status, review.status) == (409, 200)
        else:
            assert final == ("pending", 12.0) and (patch.status, review.status) == (200, 412)
        outcomes.append(final[0])
    with app.app_context():
        approved_hours = {e.details.get("hours") for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "ojt_log.review"))}
    assert approved_hours <= {"0.5"}
    print(f"{TRIES} races: {outcomes.count('approved')} approved at 0.5 h, {outcomes.count('pending')} refused (412)")


def test_the_openapi_spec_documents_etag_and_if_match(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    log = spec["paths"]["/api/v1/ojt-logs/{log_id}"]
    review = spec["paths"]["/api/v1/ojt-logs/{log_id}/review"]["post"]
    assert "ETag" in log["get"]["responses"]["200"]["headers"]
    for operation in (log["patch"], review):
        assert any(p["name"] == "If-Match" and p["in"] == "header" for p in operation["parameters"])
        assert "412" in operation["responses"] and "ETag" in operation["responses"]["200"]["headers"]
