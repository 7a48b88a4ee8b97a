"""`flask lms content validate|sync` as a user runs them."""

import shutil


def test_validate_passes_on_the_shipped_content(app):
    result = app.test_cli_runner().invoke(args=["lms", "content", "validate"])
    assert result.exit_code == 0, result.output
    assert "GF-2026" in result.output and "OJT-2026" in result.output


def test_validate_reports_file_and_line(app, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(app.config["CONTENT_DIR"], content)
    yaml_path = content / "OJT-2026" / "program.yaml"
    yaml_path.write_text(yaml_path.read_text(encoding="utf-8").replace("ojt_required_hours: 160",
                                                                       "ojt_required_hours: -3"), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["lms", "content", "validate", "--dir", str(content)])
    assert result.exit_code != 0
    line = next(i for i, text in enumerate(yaml_path.read_text(encoding="utf-8").splitlines(), 1)
                if "ojt_required_hours" in text)
    assert f"OJT-2026/program.yaml:{line}:" in result.output


def test_sync_is_idempotent(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lms", "content", "sync"])
    second = runner.invoke(args=["lms", "content", "sync"])
    assert "GF-2026 v1: created" in first.output
    assert "GF-2026 v1: unchanged" in second.output
