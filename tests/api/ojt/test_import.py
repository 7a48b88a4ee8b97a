"""CSV imports of the site registry as jobs: streamed to storage, run by a worker, all rows or none."""

import codecs
import http.client
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select, update

from lms.dates import utcnow
from lms.extensions import db
from lms.ojt import imports
from lms.ojt.models import OjtSite, SiteImport, SiteImportRow
from tests.conftest import bearer

CSV_JA = ("施設コード,施設名,種別,都道府県コード,二次医療圏,医師少数区域,年間受入上限,OJT内容\r\n"
          "0110001,北見赤十字病院,病院,01,北網,○,3,病棟・救急\r\n"
          "1310002,東京ファミリークリニック,診療所,13,区西南部,×,2,外来、訪問診療\r\n"
          "2710003,なにわ老健,介護老人保健施設,27,大阪市,0,1,地域包括ケア\r\n")
HEADER = CSV_JA.split("\r\n", 1)[0] + "\r\n"
ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _empty_import_folder(app):
    """The app (and its STORAGE_DIR) lasts the session; files of other tests' queued jobs are not ours."""
    folder = Path(app.config["STORAGE_DIR"]) / imports.FOLDER
    if folder.exists():
        shutil.rmtree(folder)


def many_rows(count: int, bad_line: int | None = None) -> bytes:
    """A file of `count` clinics; the data line numbered `bad_line` (2 = first) has an unknown kind."""
    lines = [HEADER]
    for n in range(count):
        kind = "薬局" if bad_line == n + 2 else "診療所"
        lines.append(f"C{n:07},テスト診療所{n},{kind},{n % 47 + 1:02},医療圏{n % 300},{n % 2},{n % 5},外来\r\n")
    return "".join(lines).encode()


def upload(client, token, data: bytes, filename="sites.csv", **headers):
    return client.post("/api/v1/ojt-sites/import", headers={**bearer(token), **headers},
                       data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")


def run_jobs(app) -> None:
    with app.app_context():
        imports.run_pending_imports(worker="test")
        db.session.remove()


def job_of(client, token, response) -> dict:
    assert response.status_code == 202, response.get_json()
    return client.get(response.headers["Location"], headers=bearer(token)).get_json()


def imported(client, admin_token, app, data: bytes) -> dict:
    response = upload(client, admin_token, data)
    run_jobs(app)
    return job_of(client, admin_token, response)


def nothing_stored(app) -> None:
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OjtSite)) == 0
        assert db.session.scalar(select(func.count()).select_from(SiteImportRow)) == 0
        folder = Path(app.config["STORAGE_DIR"]) / imports.FOLDER
        assert not folder.exists() or not any(folder.iterdir())


@pytest.mark.parametrize("encoded,encoding", [
    (CSV_JA.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + CSV_JA.encode("utf-8"), "utf-8-sig"),
    (CSV_JA.encode("cp932"), "cp932"),
])
def test_import_is_queued_as_a_job_and_the_worker_applies_it(client, admin_token, app, encoded, encoding):
    response = upload(client, admin_token, encoded)
    assert response.status_code == 202
    queued = response.get_json()
    assert queued["status"] == "queued" and queued["size"] == len(encoded)
    assert response.headers["Location"].endswith(f"/api/v1/ojt-site-imports/{queued['id']}")
    assert client.get("/api/v1/ojt-sites").get_json() == []  # nothing happens in the request
    run_jobs(app)
    job = job_of(client, admin_token, response)
    assert job["status"] == "succeeded" and job["encoding"] == encoding
    assert (job["done"], job["total"], job["created"], job["updated"], job["unchanged"]) == (3, 3, 3, 0, 0)
    assert job["started_at"] and job["finished_at"] and job["errors"] == []
    sites = {s["external_code"]: s for s in client.get("/api/v1/ojt-sites").get_json()}
    assert sites["0110001"]["name"] == "北見赤十字病院" and sites["0110001"]["shortage_area"] is True
    assert sites["0110001"]["activities"] == ["ward", "emergency"]
    assert sites["2710003"]["kind"] == "geriatric_facility"
    listed = client.get("/api/v1/ojt-site-imports", headers=bearer(admin_token))
    assert listed.headers["X-Total-Count"] == "1" and listed.get_json()[0]["id"] == job["id"]


def test_import_as_a_text_csv_body(client, admin_token, app):
    response = client.post("/api/v1/ojt-sites/import", data=CSV_JA.encode("cp932"), content_type="text/csv",
                           headers=bearer(admin_token))
    run_jobs(app)
    assert job_of(client, admin_token, response)["created"] == 3


def test_a_large_import_ends_with_done_equal_to_total(client, admin_token, app):
    job = imported(client, admin_token, app, many_rows(5 * imports.CHUNK + 7))
    assert job["status"] == "succeeded"
    assert job["done"] == job["total"] == job["created"] == 5 * imports.CHUNK + 7
    assert client.get("/api/v1/ojt-sites?per_page=1").headers["X-Total-Count"] == str(5 * imports.CHUNK + 7)
    nothing_left = client.get("/api/v1/ojt-sites?prefecture_code=13&per_page=1").headers["X-Total-Count"]
    assert int(nothing_left) > 0


def test_reimport_changes_nothing_and_a_changed_row_updates(client, admin_token, app):
    assert imported(client, admin_token, app, CSV_JA.encode())["created"] == 3
    with app.app_context():
        before = {s.external_code: s.updated_at for s in db.session.scalars(select(OjtSite))}
    again = imported(client, admin_token, app, CSV_JA.encode("cp932"))
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    with app.app_context():
        assert {s.external_code: s.updated_at for s in db.session.scalars(select(OjtSite))} == before
    changed = imported(client, admin_token, app, CSV_JA.replace(",2,外来", ",5,外来").encode())
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 2)
    with app.app_context():
        after = {s.external_code: (s.annual_capacity, s.updated_at) for s in db.session.scalars(select(OjtSite))}
    assert after["1310002"][0] == 5 and after["0110001"][1] == before["0110001"]


def test_absent_optional_columns_leave_existing_values(client, admin_token, app):
    assert imported(client, admin_token, app, CSV_JA.encode())["created"] == 3
    without = "施設コード,施設名,種別,都道府県コード,二次医療圏,年間受入上限\r\n0110001,北見赤十字病院,病院,01,北網,4\r\n"
    job = imported(client, admin_token, app, without.encode())
    assert (job["updated"], job["unchanged"]) == (1, 0)
    site = next(s for s in client.get("/api/v1/ojt-sites").get_json() if s["external_code"] == "0110001")
    assert (site["annual_capacity"], site["shortage_area"], site["activities"]) == (4, True, ["ward", "emergency"])


def test_bad_rows_are_all_reported_and_nothing_is_imported(client, admin_token, app):
    bad = CSV_JA + "4010004,,病院,40,福岡・糸島,0,2,\r\n" + "4010005,博多病院,薬局,99,福岡・糸島,0,x,手術\r\n"
    job = imported(client, admin_token, app, bad.encode("cp932"))
    assert job["status"] == "failed" and job["error_count"] == 5
    assert {(p["line"], p["field"]) for p in job["errors"]} == {
        (5, "name"), (6, "kind"), (6, "prefecture_code"), (6, "annual_capacity"), (6, "activities")}
    nothing_stored(app)


@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_a_bad_row_anywhere_fails_the_whole_import(client, admin_token, app, where):
    count = 3 * imports.CHUNK + 11
    line = {"first": 2, "middle": imports.CHUNK * 2 + 5, "last": count + 1}[where]
    job = imported(client, admin_token, app, many_rows(count, bad_line=line))
    assert job["status"] == "failed" and job["total"] == count
    assert [(e["line"], e["field"]) for e in job["errors"]] == [(line, "kind")]
    nothing_stored(app)


def test_import_refuses_empty_and_unreadable_files(client, admin_token, app):
    assert upload(client, admin_token, b"").status_code == 422
    assert client.post("/api/v1/ojt-sites/import", headers=bearer(admin_token)).status_code == 422
    job = imported(client, admin_token, app, HEADER.encode() + b"A,\x85\x40\r\n")  # neither UTF-8 nor cp932
    assert job["status"] == "failed" and job["errors"] == [
        {"line": 0, "field": "file", "message": "not UTF-8 or Shift_JIS (cp932) text"}]
    nothing_stored(app)


def test_only_admin_sees_imports(client, admin_token, app, make_user):
    job = upload(client, admin_token, CSV_JA.encode()).get_json()
    token = make_user("org_staff", organization_code="JPCA")[1]
    assert client.get(f"/api/v1/ojt-site-imports/{job['id']}", headers=bearer(token)).status_code == 403
    assert client.get("/api/v1/ojt-site-imports", headers=bearer(token)).status_code == 403
    assert client.get("/api/v1/ojt-site-imports/00000000-0000-4000-8000-000000000000",
                      headers=bearer(admin_token)).status_code == 404


def test_idempotency_key_replays_the_queued_job(client, admin_token, app):
    def send():
        return client.post("/api/v1/ojt-sites/import", data=CSV_JA.encode(), content_type="text/csv",
                           headers={**bearer(admin_token), "Idempotency-Key": "sites-2026"})

    first, again = send(), send()
    assert first.status_code == again.status_code == 202
    assert again.get_json()["id"] == first.get_json()["id"] and again.headers["Location"] == first.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SiteImport)) == 1


def _post_raw(live_server, token: str, body, content_type="text/csv", chunked=True, **headers):
    address = urlsplit(live_server.url)
    conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        conn.request("POST", "/api/v1/ojt-sites/import", body=body, encode_chunked=chunked,
                     headers={"Authorization": f"Bearer {token}", "Content-Type": content_type,
                              **({"Transfer-Encoding": "chunked"} if chunked else {}), **headers})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _chunks(data: bytes, size: int = 4096):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def test_a_chunked_body_over_the_limit_is_413_and_nothing_is_stored(app, live_server, admin_token, monkeypatch):
    monkeypatch.setitem(app.config, "OJT_IMPORT_MAX_BYTES", 50_000)
    data = many_rows(2000)
    assert len(data) > 100_000
    status, _ = _post_raw(live_server, admin_token, _chunks(data))
    assert status == 413
    status, _ = _post_raw(live_server, admin_token, data, chunked=False)  # by Content-Length
    assert status == 413
    nothing_stored(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SiteImport)) == 0
    within = many_rows(200)
    status, body = _post_raw(live_server, admin_token, _chunks(within))
    assert status == 202, body


def test_the_import_limit_is_its_own_setting(app, live_server, admin_token):
    """A file larger than MAX_CONTENT_LENGTH (JSON bodies) is taken, chunked or not, within OJT_IMPORT_MAX_BYTES."""
    data = many_rows(40_000)
    assert len(data) > app.config["MAX_CONTENT_LENGTH"]
    for chunked in (True, False):
        status, body = _post_raw(live_server, admin_token, _chunks(data) if chunked else data, chunked=chunked)
        assert status == 202, body
    with app.app_context():
        assert [j.size for j in db.session.scalars(select(SiteImport))] == [len(data)] * 2


def _worker(app) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "STORAGE_DIR": app.config["STORAGE_DIR"], "FLASK_APP": "wsgi"}
    return subprocess.Popen([sys.executable, "-m", "flask", "lms", "ojt", "process-imports"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_worker_killed_mid_import_leaves_nothing_applied_and_the_job_restarts(client, admin_token, app):
    count = 40_000
    job_id = upload(client, admin_token, many_rows(count)).get_json()["id"]
    worker = _worker(app)
    try:
        deadline = time.monotonic() + 60
        with app.app_context():
            while time.monotonic() < deadline:
                job = db.session.get(SiteImport, job_id)
                if job.status == "running" and 0 < job.done < count:
                    break
                db.session.rollback()
                time.sleep(0.02)
            worker.send_signal(signal.SIGKILL)
            worker.wait(10)
            db.session.expire_all()
            job = db.session.get(SiteImport, job_id)
            assert job.status == "running" and 0 < job.done < count, (job.status, job.done)
            assert db.session.scalar(select(func.count()).select_from(OjtSite)) == 0  # staged is not applied
            # its lease runs out; the next worker starts the file over and applies it whole
            db.session.execute(update(SiteImport).values(lease_until=utcnow() - timedelta(seconds=1)))
            db.session.commit()
            db.session.remove()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    run_jobs(app)
    with app.app_context():
        job = db.session.get(SiteImport, job_id)
        assert (job.status, job.done, job.total, job.created, job.attempts) == ("succeeded", count, count, count, 2)
        assert db.session.scalar(select(func.count()).select_from(OjtSite)) == count
        assert db.session.scalar(select(func.count()).select_from(SiteImportRow)) == 0


def test_a_failure_while_applying_rolls_back_every_row(client, admin_token, app, monkeypatch):
    job_id = upload(client, admin_token, many_rows(imports.CHUNK + 3)).get_json()["id"]
    real = imports._upsert_statement

    def upsert_then_break(job, present):
        db.session.execute(real(job, present))  # every site written in the final transaction, which never commits
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports, "_upsert_statement", upsert_then_break)
    run_jobs(app)
    with app.app_context():
        job = db.session.get(SiteImport, job_id)
        assert job.status == "failed" and "RuntimeError" in job.errors[0]["message"]
    nothing_stored(app)


def test_a_body_that_is_not_csv_is_415_and_queues_nothing(client, admin_token, app):
    response = client.post("/api/v1/ojt-sites/import", json={"file": CSV_JA}, headers=bearer(admin_token))
    assert response.status_code == 415 and response.mimetype == "application/problem+json"
    nothing_stored(app)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SiteImport)) == 0
