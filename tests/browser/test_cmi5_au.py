"""A real cmi5 AU in headless Chromium: the demo AU of GF14, built on the npm package @xapi/cmi5, goes through
launch → initialized → completed → passed → terminated against this LMS, and the module is done (cmi5 8–10)."""

import json
import os
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


def _run_au(url: str, screenshot: Path, *, capture: bool = False) -> dict:
    env = {**os.environ, "CAPTURE_STATEMENTS": "1" if capture else "0"}
    result = subprocess.run(["node", str(HERE / "cmi5_au.mjs"), url, str(screenshot)], cwd=HERE, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.stdout.strip(), result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@needs_browser
def test_the_statements_of_the_npm_package_keep_the_lms_rules_and_move_the_module(
        app, live_server, client, make_learner, make_enrollment, tmp_path, monkeypatch):
    """The real AU with the real fetch URL, launch data and preferences; its statements (captured in the browser)
    then go through the LRS's hooks as the statements resource runs them: cmi5's rules (9.x) accept all of
    them, and the satisfied AU passes its module."""
    from lms.cmi5.models import Cmi5Session
    from lms.extensions import db
    from lms.xapi.principal import Principal
    from tests.api.cmi5.conftest import intake

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server.url)
    learner_id, token = make_learner()
    enrollment_id = make_enrollment(learner_id)
    launch = client.post(f"/api/v1/enrollments/{enrollment_id}/modules/GF14/launch", headers=bearer(token))
    assert launch.status_code == 201, launch.get_json()
    shot = tmp_path / "cmi5-au.png"
    outcome = _run_au(launch.get_json()["url"], shot, capture=True)
    assert outcome.get("steps") == ["initialized", "completed", "passed", "terminated"], outcome
    assert outcome["errors"] == [], outcome["errors"]
    assert shot.stat().st_size > 20_000
    if os.environ.get("CMI5_SCREENSHOT_DIR"):  # to look at it
        shutil.copy(shot, Path(os.environ["CMI5_SCREENSHOT_DIR"]) / "cmi5-au.png")
    verbs = [s["verb"]["id"].rsplit("/", 1)[-1] for sent in outcome["captured"] for s in sent["statements"]]
    assert verbs == ["initialized", "completed", "passed", "terminated"]
    assert all(sent["authorization"].startswith("Basic ") for sent in outcome["captured"])  # 8.2.1
    with app.app_context():
        session = db.session.get(Cmi5Session, launch.get_json()["session_id"])
        principal = Principal("session", frozenset({"statements/write"}), agent=None, learner_id=learner_id,
                              session_id=session.id, registration=enrollment_id, activity_id=session.activity_id)
    for sent in outcome["captured"]:
        intake(app, principal, sent["statements"])
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    module = next(m for m in progress["modules"] if m["code"] == "GF14")
    assert module["done"] and module["status"] == "passed" and float(module["best_score"]) == 100.0


@needs_browser
def test_the_au_goes_from_launch_to_terminated_and_the_module_is_done(app, live_server, client, make_learner,
                                                                      make_enrollment, tmp_path, monkeypatch):
    from lms.cmi5.models import Cmi5PendingStatement
    from lms.extensions import db
    from lms.xapi import models as lrs_models

    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", live_server.url)
    learner_id, token = make_learner()
    enrollment_id = make_enrollment(learner_id)
    launch = client.post(f"/api/v1/enrollments/{enrollment_id}/modules/GF14/launch", headers=bearer(token))
    assert launch.status_code == 201, launch.get_json()
    shot = tmp_path / "cmi5-au.png"
    outcome = _run_au(launch.get_json()["url"], shot)
    assert outcome.get("steps") == ["initialized", "completed", "passed", "terminated"], outcome
    assert outcome["errors"] == [] and outcome["finalUrl"].endswith("/cmi5-content/returned")
    assert shot.stat().st_size > 20_000
    with app.app_context():
        deliver_pending()  # the scheduler's queue: satisfied statements reach the LRS
        # launched (9.3.1), and satisfied for the block and the course (9.3.9), all taken by the LRS
        assert db.session.query(Cmi5PendingStatement).count() == 0
        stored = [json.loads(row.statement) for row in db.session.query(lrs_models.LrsStatement)]
    verbs = sorted(s["verb"]["id"].rsplit("/", 1)[-1] for s in stored)
    assert verbs == ["completed", "initialized", "launched", "passed", "satisfied", "satisfied", "terminated"]
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress", headers=bearer(token)).get_json()
    module = next(m for m in progress["modules"] if m["code"] == "GF14")
    assert module["done"] and module["status"] == "passed" and float(module["best_score"]) == 100.0
