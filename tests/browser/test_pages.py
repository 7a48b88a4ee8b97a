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
from tests.browser.cdp import Browser
from tests.conftest import bearer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is installed by make setup")
PHONE_WIDTH = 360
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


@needs_chromium
def test_docs_render_with_no_internet(live_url, tmp_path):
    dom = chromium(f"{live_url}/api/v1/docs", tmp_path, "--dump-dom")
    assert "swagger-ui" in dom and "opblock" in dom, dom[:500]
    assert "/api/v1/prefectures" in dom
    shot = tmp_path / "docs.png"
    chromium(f"{live_url}/api/v1/docs", tmp_path, f"--screenshot={shot}", "--window-size=1280,900")
    assert shot.stat().st_size > 10_000


@needs_chromium
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


# Each date on the page, as a text range: the rectangles of the lines it is laid out on.
DATE_LINES = """
[...document.querySelectorAll("dd")].flatMap(dd => {
  const found = [];
  const walker = document.createTreeWalker(dd, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const match of node.data.matchAll(/令和\\d+年\\d+月\\d+日|\\d{4}-\\d{2}-\\d{2}/g)) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      found.push({text: match[0], lines: tops.size});
    }
  }
  return found;
})
"""


@needs_chromium
def test_verification_page_keeps_each_date_on_one_line_on_a_phone(live_url, tmp_path, app, client, make_learner,
                                                                  make_enrollment, admin_token):
    learner_id, _ = make_learner()
    enrollment_id = make_enrollment(learner_id, status="active")
    with app.app_context():
        enrollment = db.session.get(Enrollment, enrollment_id)
        enrollment.status, enrollment.completed_at = "completed", datetime(2026, 11, 22, 3, tzinfo=UTC)
        db.session.commit()
    certificate = client.post(f"/api/v1/enrollments/{enrollment_id}/certificate",
                              headers=bearer(admin_token)).get_json()
    with Browser(CHROMIUM, tmp_path / "profile") as page:
        page.open(f"{live_url}/verify/{certificate['verification_code']}", PHONE_WIDTH)
        assert page.evaluate("document.documentElement.clientWidth") == PHONE_WIDTH
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH  # nothing sticks out
        dates = page.evaluate(DATE_LINES)
        assert page.screenshot(tmp_path / "verify-360.png").stat().st_size > 5_000
    texts = [d["text"] for d in dates]
    assert "令和8年11月22日" in texts and "2026-11-22" in texts and len(texts) >= 3, dates  # completed, issued
    assert [d for d in dates if d["lines"] != 1] == [], dates


def test_docs_page_declares_its_charset_and_a_viewport(client):
    from html.parser import HTMLParser

    class Metas(HTMLParser):
        def __init__(self):
            super().__init__()
            self.metas: list[dict] = []

        def handle_starttag(self, tag, attrs):
            if tag == "meta":
                self.metas.append(dict(attrs))

    response = client.get("/api/v1/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    parser = Metas()
    parser.feed(page[:page.index("</head>")])
    assert {"charset": "utf-8"} in parser.metas
    assert page.encode().index(b'<meta charset="utf-8">') < 1024  # within the bytes a browser sniffs first
    viewports = [m for m in parser.metas if m.get("name") == "viewport"]
    assert viewports and "width=device-width" in viewports[0]["content"]
    assert "swagger-ui-bundle.js" in page


@needs_chromium
def test_docs_page_fits_a_phone(live_url, tmp_path):
    with Browser(CHROMIUM, tmp_path / "profile") as page:
        page.open(f"{live_url}/api/v1/docs", PHONE_WIDTH)
        assert page.evaluate("document.characterSet") == "UTF-8"
        # without a viewport meta a phone lays the page out 980 px wide and shrinks it
        assert page.evaluate("document.documentElement.clientWidth") == PHONE_WIDTH
