"""Scheduler work on a fake clock: occurrences, catch-up, claiming, retries, artifacts and pruning."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.dates import JST
from lms.extensions import db
from lms.reports import jobs, service, storage
from lms.reports.models import ReportArtifact, ReportRun
from lms.reports.types import REPORT_TYPES, ReportType

WORKER = "test-worker"


def runs(schedule_id=None) -> list[ReportRun]:
    query = select(ReportRun).order_by(ReportRun.requested_at, ReportRun.scheduled_for)
    if schedule_id:
        query = query.where(ReportRun.schedule_id == schedule_id)
    return list(db.session.scalars(query))


def test_nothing_is_queued_before_the_first_occurrence(ctx, make_schedule, clock):
    make_schedule("0 9 * * *")  # created at 09:00 exactly: that occurrence is not after creation
    assert jobs.catch_up(clock.advance(minutes=30)) == []


def test_an_occurrence_is_queued_once(ctx, make_schedule, clock):
    schedule_id = make_schedule("0 9 * * *")
    clock.advance(days=1, seconds=2)
    first = jobs.catch_up(clock.now)
    assert len(first) == 1
    assert jobs.catch_up(clock.now) == []  # a second process (or pass) finds it recorded
    assert jobs.catch_up(clock.advance(hours=3)) == []
    [run] = runs(schedule_id)
    assert run.status == "queued" and run.origin == "schedule"
    assert run.scheduled_for.astimezone(JST).strftime("%Y-%m-%d %H:%M") == "2026-11-24 09:00"


def test_the_unique_occurrence_lets_only_one_insert_win(ctx, make_schedule, clock):
    schedule_id = make_schedule("0 9 * * *")
    [run_id] = jobs.catch_up(clock.advance(days=1))
    run = db.session.get(ReportRun, run_id)
    db.session.add(ReportRun(schedule_id=schedule_id, origin="schedule", scheduled_for=run.scheduled_for,
                             report_type=run.report_type, params={}, formats=["csv"]))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_downtime_is_caught_up_with_one_run_for_the_latest_missed_occurrence(ctx, make_schedule, clock):
    schedule_id = make_schedule("*/10 * * * *")
    clock.advance(minutes=10)
    assert len(jobs.catch_up(clock.now)) == 1  # 09:10
    clock.advance(days=3, minutes=25)  # down for three days: hundreds of occurrences missed
    assert len(jobs.catch_up(clock.now)) == 1
    assert jobs.catch_up(clock.now) == []
    scheduled = [r.scheduled_for.astimezone(JST).strftime("%m-%d %H:%M") for r in runs(schedule_id)]
    assert scheduled == ["11-23 09:10", "11-26 09:30"]


def test_disabled_and_deleted_schedules_are_not_caught_up(ctx, make_schedule, clock):
    disabled = make_schedule("0 * * * *", enabled=False)
    deleted = make_schedule("0 * * * *")
    service.delete_schedule(None, deleted, now=clock.now)
    assert jobs.catch_up(clock.advance(hours=5)) == []
    service.update_schedule(None, disabled, {"enabled": True}, now=clock.now)
    assert jobs.catch_up(clock.now) == []  # re-enabling does not run the hours it was off
    assert len(jobs.catch_up(clock.advance(hours=1))) == 1


def test_a_new_timetable_does_not_catch_up_the_old_one(ctx, make_schedule, clock):
    schedule_id = make_schedule("0 9 * * *")
    clock.advance(days=2)
    service.update_schedule(None, schedule_id, {"cron": "0 12 * * *"}, now=clock.now)
    assert jobs.catch_up(clock.now) == []
    assert len(jobs.catch_up(clock.advance(hours=3, minutes=1))) == 1


def test_a_queued_run_is_claimed_by_one_process_only(ctx, make_schedule, clock, settings):
    run = service.request_run(None, make_schedule(), now=clock.now)
    run_id = run.id
    assert jobs.claim_next(clock.now, "one", settings) == run_id
    assert jobs.claim_next(clock.now, "two", settings) is None
    run = db.session.get(ReportRun, run_id)
    assert (run.status, run.worker, run.attempts) == ("running", "one", 1)


def test_a_run_produces_artifacts_whose_sha256_matches_the_file(ctx, app, make_schedule, clock, settings, programs):
    schedule_id = make_schedule(formats=["csv", "xlsx", "pdf"], params={"fiscal_year": "current"})
    run_id = service.request_run(None, schedule_id, now=clock.now).id
    assert jobs.work_queue(clock, WORKER, settings) == 1
    run = db.session.get(ReportRun, run_id)
    assert run.status == "succeeded" and run.attempts == 1 and run.error is None
    assert run.started_at == clock.now and run.finished_at >= run.started_at
    assert run.resolved_params == {"fiscal_year": 2026}
    assert sorted(a.format for a in run.artifacts) == ["csv", "pdf", "xlsx"]
    root = storage.reports_dir(app.config["STORAGE_DIR"])
    for artifact in run.artifacts:
        data = (root / artifact.path).read_bytes()
        assert artifact.bytes == len(data)
        assert artifact.sha256 == hashlib.sha256(data).hexdigest()
        assert artifact.path.startswith(f"{run_id}/prefecture_enrollment-20261123-0900.")
    assert not [p for p in (root / run_id).iterdir() if p.name.startswith(".tmp")]


def test_relative_fiscal_years_resolve_at_the_occurrence(ctx, make_schedule, clock, settings):
    clock.now = clock.now.replace(month=3, day=31, hour=0)  # 09:00 on 31 March in Japan: still FY2025
    schedule_id = make_schedule("30 9 * * *", params={"fiscal_year": "previous"}, formats=["csv"])
    [run_id] = jobs.catch_up(clock.advance(hours=1))
    clock.advance(days=1)  # it only runs the next day, in the new fiscal year
    jobs.work_queue(clock, WORKER, settings)
    assert db.session.get(ReportRun, run_id).resolved_params == {"fiscal_year": 2024}
    assert schedule_id


@pytest.fixture
def failing_type(monkeypatch):
    def explode(params, as_of):
        raise RuntimeError("the statistics source is unavailable")

    base = REPORT_TYPES["prefecture_enrollment"]
    monkeypatch.setitem(REPORT_TYPES, "always_fails", ReportType("always_fails", "失敗する帳票", "Always fails.",
                                                                 base.params, explode, "bar"))


def test_a_failing_report_is_retried_with_backoff_then_recorded_as_failed(ctx, make_schedule, clock, settings,
                                                                        failing_type):
    run_id = service.request_run(None, make_schedule(report_type="always_fails"), now=clock.now).id
    assert jobs.work_queue(clock, WORKER, settings) == 1
    run = db.session.get(ReportRun, run_id)
    assert (run.status, run.attempts) == ("queued", 1)
    assert run.error == "RuntimeError: the statistics source is unavailable"
    assert run.not_before == clock.now + timedelta(seconds=60)
    assert jobs.work_queue(clock, WORKER, settings) == 0  # waits for the backoff
    clock.advance(seconds=60)
    assert jobs.work_queue(clock, WORKER, settings) == 1
    run = db.session.get(ReportRun, run_id)
    assert (run.status, run.attempts) == ("queued", 2)
    assert run.not_before == clock.now + timedelta(seconds=120)
    clock.advance(seconds=120)
    assert jobs.work_queue(clock, WORKER, settings) == 1
    run = db.session.get(ReportRun, run_id)
    assert (run.status, run.attempts) == ("failed", 3)
    assert run.error == "RuntimeError: the statistics source is unavailable"
    assert run.finished_at is not None and run.artifacts == []
    clock.advance(days=1)
    assert jobs.work_queue(clock, WORKER, settings) == 0  # no fourth attempt


def test_the_failure_is_visible_over_http(client, admin, app, make_schedule, clock, settings, failing_type):
    run_id = client.post(f"/api/v1/report-schedules/{make_schedule(report_type='always_fails')}/run",
                         headers=admin).json["run_id"]
    with app.app_context():
        for _ in range(3):
            jobs.work_queue(clock, WORKER, settings)
            clock.advance(minutes=10)
    run = client.get(f"/api/v1/report-runs/{run_id}", headers=admin).json
    assert run["status"] == "failed" and run["attempts"] == 3
    assert "statistics source is unavailable" in run["error"]


def test_a_run_whose_process_died_is_taken_over_after_its_lease(ctx, make_schedule, clock, settings):
    run_id = service.request_run(None, make_schedule(formats=["csv"]), now=clock.now).id
    assert jobs.claim_next(clock.now, "crashed", settings) == run_id  # and never finished
    assert jobs.work_queue(clock, WORKER, settings) == 0
    clock.advance(minutes=31)
    assert jobs.work_queue(clock, WORKER, settings) == 1
    run = db.session.get(ReportRun, run_id)
    assert (run.status, run.attempts, run.worker) == ("succeeded", 2, WORKER)


def test_artifacts_past_retention_are_pruned(ctx, app, make_schedule, clock, settings):
    schedule_id = make_schedule(formats=["csv"])
    old = service.request_run(None, schedule_id, now=clock.now).id
    jobs.work_queue(clock, WORKER, settings)
    clock.advance(days=60)
    new = service.request_run(None, schedule_id, now=clock.now).id
    jobs.work_queue(clock, WORKER, settings)
    root = storage.reports_dir(app.config["STORAGE_DIR"])
    old_path = root / db.session.scalar(select(ReportArtifact.path).where(ReportArtifact.run_id == old))
    assert old_path.is_file()
    clock.advance(days=31)
    assert jobs.prune_artifacts(clock.now, settings) == 1
    assert not old_path.exists()
    assert db.session.get(ReportRun, old).status == "succeeded"  # the history stays
    assert [a.run_id for a in db.session.scalars(select(ReportArtifact))] == [new]


def test_artifacts_download_with_their_media_type(client, admin, app, make_schedule, clock, settings):
    run_id = client.post(f"/api/v1/report-schedules/{make_schedule(formats=['csv', 'pdf'])}/run",
                         headers=admin).json["run_id"]
    with app.app_context():
        jobs.work_queue(clock, WORKER, settings)
    run = client.get(f"/api/v1/report-runs/{run_id}", headers=admin).json
    assert run["status"] == "succeeded"
    artifacts = {a["format"]: a for a in run["artifacts"]}
    assert set(artifacts) == {"csv", "pdf"}
    csv = client.get(artifacts["csv"]["url"], headers=admin)
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert csv.data.startswith(b"\xef\xbb\xbf")
    assert hashlib.sha256(csv.data).hexdigest() == artifacts["csv"]["sha256"]
    assert "attachment" in csv.headers["Content-Disposition"]
    pdf = client.get(artifacts["pdf"]["url"], headers=admin)
    assert pdf.mimetype == "application/pdf" and len(pdf.data) == artifacts["pdf"]["bytes"]
    assert client.get(f"/api/v1/report-runs/{run_id}/artifacts/xlsx", headers=admin).status_code == 404
    assert client.get(f"/api/v1/report-runs/{run_id}/artifacts/docx", headers=admin).status_code == 404


def test_a_process_whose_run_was_taken_over_drops_its_result(ctx, make_schedule, clock, settings):
    run_id = service.request_run(None, make_schedule(formats=["csv"]), now=clock.now).id
    assert jobs.claim_next(clock.now, "slow", settings) == run_id
    clock.advance(minutes=31)
    assert jobs.take_over_expired(clock.now, settings) == 1
    assert jobs.claim_next(clock.now, "fresh", settings) == run_id
    assert jobs.execute(run_id, clock, "slow", settings) == "lost"
    assert jobs.execute(run_id, clock, "fresh", settings) == "succeeded"
    run = db.session.get(ReportRun, run_id)
    assert (run.worker, run.attempts, len(run.artifacts)) == ("fresh", 2, 1)


@pytest.mark.parametrize("fmt, content_type", [
    ("csv", "text/csv; charset=utf-8"),
    ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("pdf", "application/pdf"),
])
def test_an_artifact_names_its_media_type_and_charset_once(client, admin, app, make_schedule, clock, settings,
                                                          fmt, content_type):
    run_id = client.post(f"/api/v1/report-schedules/{make_schedule(formats=[fmt])}/run",
                         headers=admin).json["run_id"]
    with app.app_context():
        jobs.work_queue(clock, WORKER, settings)
    response = client.get(f"/api/v1/report-runs/{run_id}/artifacts/{fmt}", headers=admin)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers.get_all("Content-Type") == [content_type]
