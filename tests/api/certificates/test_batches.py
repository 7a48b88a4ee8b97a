"""Bulk issue: progress, ZIP, and a worker killed with SIGKILL mid-batch resumes without damage."""

import hashlib
import io
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from sqlalchemy import select, update

from lms.certificates.batch import run_pending_batches
from lms.certificates.models import Certificate, CertificateBatch
from lms.certificates.service import pdf_path
from lms.extensions import db
from tests.conftest import bearer

ROOT = Path(__file__).resolve().parents[3]


def create(client, token, **body):
    return client.post("/api/v1/certificate-batches", json={"program_code": "GF-2026", "fiscal_year": 2026, **body},
                       headers=bearer(token))


def test_batch_reports_progress_and_zips_the_pdfs(client, admin_token, completed, app):
    ids = [completed()[0] for _ in range(5)]
    batch = create(client, admin_token)
    assert batch.status_code == 202
    batch = batch.get_json()
    assert batch["total"] == 5 and batch["done"] == 0 and batch["status"] == "queued"
    with app.app_context():
        assert run_pending_batches(processes=2) == 1
    status = client.get(f"/api/v1/certificate-batches/{batch['id']}", headers=bearer(admin_token)).get_json()
    assert (status["status"], status["done"], status["total"], status["failed"]) == ("succeeded", 5, 5, 0)
    archive = zipfile.ZipFile(io.BytesIO(
        client.get(f"/api/v1/certificate-batches/{batch['id']}/zip", headers=bearer(admin_token)).data))
    assert sorted(archive.namelist()) == [f"RC-2026-{i:06d}.pdf" for i in range(1, 6)]
    assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
    again = create(client, admin_token).get_json()
    assert again["total"] == 0 and again["status"] == "succeeded"
    assert len(ids) == 5


def test_unknown_programme_is_404(client, admin_token):
    assert create(client, admin_token, program_code="NOPE").status_code == 404


def test_killed_worker_resumes_without_duplicates_gaps_or_half_files(client, admin_token, completed, app):
    total = 90
    for _ in range(total):
        completed()
    batch_id = create(client, admin_token).get_json()["id"]
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "STORAGE_DIR": app.config["STORAGE_DIR"], "FLASK_APP": "wsgi"}
    command = [sys.executable, "-m", "flask", "lms", "certificates", "process-batches"]
    worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    with app.app_context():
        while time.monotonic() < deadline:
            done = db.session.scalar(select(CertificateBatch.done).where(CertificateBatch.id == batch_id))
            db.session.rollback()
            if done and done > 0:
                break
            time.sleep(0.05)
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its rendering processes, mid-batch
        worker.wait()
        interrupted = db.session.get(CertificateBatch, batch_id)
        assert interrupted.status == "running" and interrupted.done < total
        # the dead worker's lease runs out
        db.session.execute(update(CertificateBatch).values(lease_until=None))
        db.session.commit()
    subprocess.run(command, cwd=ROOT, env=env, check=True, timeout=300, capture_output=True)
    with app.app_context():
        batch = db.session.get(CertificateBatch, batch_id)
        certificates = list(db.session.scalars(select(Certificate)))
        assert (batch.status, batch.done, batch.failed) == ("succeeded", total, 0)
        assert len(certificates) == total and {c.status for c in certificates} == {"issued"}
        assert sorted(c.sequence for c in certificates) == list(range(1, total + 1))
        for certificate in certificates:
            assert hashlib.sha256(pdf_path(certificate).read_bytes()).hexdigest() == certificate.sha256
    assert not list(Path(app.config["STORAGE_DIR"]).rglob("*.tmp"))
