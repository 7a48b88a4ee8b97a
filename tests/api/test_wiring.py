"""Cross-domain wiring is declared by the app factory: no behaviour depends on which module was imported."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Only the factory is imported: no domain service module is imported by hand before the checks.
PROBE = """
import json, sys
from lms import create_app
from lms.config import TestConfig
from lms.events import enrollment_completed
from lms.hooks import domain_hooks

app = create_app(TestConfig("sqlite://", sys.argv[1]))
with app.app_context():
    hooks = domain_hooks()
    print(json.dumps({
        "scopes": [f"{f.__module__}.{f.__name__}" for f in hooks.supervisor_scopes],
        "sections": sorted(hooks.export_sections),
        "erasure": [f"{f.__module__}.{f.__name__}" for f in hooks.erasure_steps],
        "completed": sorted(f"{r.__module__}.{r.__name__}" for r in enrollment_completed.receivers.values()),
    }))
"""


def test_a_fresh_interpreter_gets_every_reaction_from_create_app_alone(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    wiring = json.loads(result.stdout.strip().splitlines()[-1])
    assert wiring["scopes"] == ["lms.ojt.placements.supervised_enrollments"]
    assert wiring["sections"] == ["certificates", "enrollments", "lrs_statements", "matching_preferences",
                                  "module_progress", "module_progress_updates", "ojt_logs", "placements",
                                  "xapi_documents", "xapi_statements"]
    assert wiring["erasure"] == ["lms.certificates.service.erase_holder", "lms.xapi.statements.erase_learner",
                                 "lms.xapi.clients.erase_session_tokens", "lms.xapi.documents.erase_documents"]
    assert wiring["completed"] == ["lms.certificates.service.allocate_on_completion"]


def test_the_hooks_cannot_be_changed_after_creation(app):
    import dataclasses

    import pytest

    from lms.hooks import domain_hooks

    with app.app_context():
        hooks = domain_hooks()
        with pytest.raises(dataclasses.FrozenInstanceError):
            hooks.supervisor_scopes = ()
        with pytest.raises(TypeError):
            hooks.export_sections["extra"] = list
