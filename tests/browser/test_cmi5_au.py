"""A real cmi5 AU in headless Chromium: the demo AU of GF14, built on the npm package @xapi/cmi5, goes through
launch → initialized → completed → passed → terminated against this LMS, and the module is done (cmi5 8–10)."""

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from lms.cmi5.service import deliver_pending
from tests.conftest import bearer

HERE = Path(__file__).resolve().parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PACKAGE = HERE / "node_modules" / "@xapi" / "cmi5" / "dist" / "Cmi5.umd.js"
needs_browser = pytest.mark.skipif(
    CHROMIUM is None or shutil.which("node") is None or not (HERE / "node_modules" / "playwright-core").is_dir(),
    reason="chromium, node and tests/browser/node_modules are installed by scripts/install-system-deps.sh")


def test_the_shipped_au_runs_the_npm_package_unmodified(app):
    if not PACKAGE.is_file():
        pytest.skip("tests/browser/node_modules is installed by scripts/install-system-deps.sh")
    shipped = Path(app.config["CONTENT_DIR"]) / "GF-2026" / "cmi5" / "lib" / "cmi5.umd.js"
    assert shipped.read_bytes() == PACKAGE.read_bytes()
    version = json.loads((PACKAGE.parents[1] / "package.json").read_text())["version"]
    assert json.loads((HERE / "package.json").read_text())["dependencies"]["@xapi/cmi5"].lstrip("^~") == version


@needs_browser
@pytest.mark.skipif(importlib.util.find_spec("lms.xapi.statements") is None,
                    reason="the statements resource (lms.xapi.statements) takes the AU's statements")
def test_the_au_goes_from_launch_to_terminated_and_the_module_is_done(app, live_server, client, make_learner,
                                                                      make_enrollment, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server.url)
    learner_id, token = make_learner()
    enrollment_id = make_enrollment(learner_id)
    launch = client.post(f"/api/v1/enrollments/{enrollment_id}/modules/GF14/launch", headers=bearer(token))
    assert launch.status_code == 201, launch.get_json()
    shot = tmp_path / "cmi5-au.png"
    result = subprocess.run(["node", str(HERE / "cmi5_au.mjs"), launch.get_json()["url"], str(shot)], cwd=HERE,
                            capture_output=True, text=True, timeout=120)
    outcome = json.loads(result.stdout.strip().splitlines()[-1]) if result.stdout.strip() else {}
    assert outcome.get("steps") == ["initialized", "completed", "passed", "terminated"], (outcome, result.stderr)
    assert outcome["errors"] == [] and outcome["finalUrl"].endswith("/cmi5-content/returned")
    assert shot.stat().st_size > 20_000
    with app.app_context():
        deliver_pending()  # the scheduler's queue: satisfied statements reach the LRS
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    module = next(m for m in progress["modules"] if m["code"] == "GF14")
    assert module["done"] and module["status"] == "passed" and float(module["best_score"]) == 100.0
