"""Pages people look at, rendered by headless Chromium: the API docs (offline) and certificate verification."""

import shutil
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from lms.enrollments.models import Enrollment
from lms.extensions import db
from tests.conftest import bearer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is installed by make setup")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=8000", "--window-size=412,915"]


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def chromium(url: str, tmp_path: Path, *args: str) -> str:
    result = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args, url],
                            capture_output=True, text=True, timeout=90)
    return result.stdout


def test_docs_render_with_no_internet(live_url, tmp_path):
    dom = chromium(f"{live_url}/api/v1/docs", tmp_path, "--dump-dom")
    assert "swagger-ui" in dom and "opblock" in dom, dom[:500]
    assert "/api/v1/prefectures" in dom
    shot = tmp_path / "docs.png"
    chromium(f"{live_url}/api/v1/docs", tmp_path, f"--screenshot={shot}", "--window-size=1280,900")
    assert shot.stat().st_size > 10_000


def test_verification_page_on_a_phone(live_url, tmp_path, app, client, make_learner, make_enrollment, admin_token):
    learner_id, _ = make_learner()
    enrollment_id = make_enrollment(learner_id, status="active")
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        enrollment.status, enrollment.completed_at = "completed", datetime(2026, 11, 22, 3, tzinfo=UTC)
        db.session.commit()
    certificate = client.post(f"/api/v1/enrollments/{enrollment_id}/certificate",
                              headers=bearer(admin_token)).get_json()
    url = f"{live_url}/verify/{certificate['verification_code']}"
    dom = chromium(url, tmp_path, "--dump-dom")
    assert "有効な修了証です" in dom and "令和8年11月22日" in dom and certificate["certificate_number"] in dom
    shot = tmp_path / "verify.png"
    chromium(url, tmp_path, f"--screenshot={shot}")
    assert shot.stat().st_size > 5_000
