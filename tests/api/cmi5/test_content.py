"""cmi5 course structures in course_content/ (cmi5 13, 14): `flask lms content validate` checks cmi5.xml against
the course structure XSD and program.yaml's cmi5 modules against it, with file and line; sync stores both."""

import shutil
from pathlib import Path

import pytest

from lms.extensions import db
from lms.programs.content import compute_content_hash, load_content
from lms.programs.models import ProgramVersion
from tests.api.cmi5.conftest import AU_ID


@pytest.fixture
def content(app, tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(app.config["CONTENT_DIR"], root)
    return root


def _validate(app, root: Path):
    return app.test_cli_runner().invoke(args=["lms", "content", "validate", "--dir", str(root)])


def _line(path: Path, needle: str) -> int:
    return next(i for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in text)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_13_2_an_xsd_violation_in_cmi5_xml_is_reported_at_its_line(app, content):
    xml = content / "GF-2026" / "cmi5.xml"
    _edit(xml, 'masteryScore="0.8"', 'masteryScore="80"')
    result = _validate(app, content)
    assert result.exit_code != 0
    # libxml2 gives an element's line as the line its start tag ends on
    assert f"GF-2026/cmi5.xml:{_line(xml, 'launchMethod=')}: " in result.output
    assert "masteryScore" in result.output and "OJT-2026" not in result.output


def test_an_au_id_not_in_cmi5_xml_is_reported_at_its_program_yaml_line(app, content):
    yaml_path = content / "GF-2026" / "program.yaml"
    _edit(yaml_path, f"au_id: {AU_ID}", "au_id: https://recurrent.example.jp/cmi5/GF-2026/aus/none")
    result = _validate(app, content)
    assert result.exit_code != 0
    assert (f"GF-2026/program.yaml:{_line(yaml_path, 'aus/none')}: modules[13].au_id: "
            f"'https://recurrent.example.jp/cmi5/GF-2026/aus/none' is not an AU in cmi5.xml") in result.output


def test_cmi5_modules_need_an_au_id_and_only_they_have_one(app, content):
    yaml_path = content / "GF-2026" / "program.yaml"
    _edit(yaml_path, f"    au_id: {AU_ID}\n", "")
    _edit(yaml_path, "    kind: elearning\n", f"    kind: elearning\n    au_id: {AU_ID}\n")
    result = _validate(app, content)
    assert result.exit_code != 0
    assert "modules[0].au_id: only allowed on modules of kind 'cmi5', not 'elearning'" in result.output
    assert "modules[13].au_id: required on modules of kind 'cmi5'" in result.output


def test_a_cmi5_module_without_cmi5_xml_and_a_missing_au_file_are_problems(app, content):
    (content / "GF-2026" / "cmi5" / "GF14" / "index.html").unlink()
    result = _validate(app, content)
    xml = content / "GF-2026" / "cmi5.xml"
    assert f"GF-2026/cmi5.xml:{_line(xml, 'launchMethod=')}: AU '{AU_ID}': url 'cmi5/GF14/index.html': file not found" \
        in result.output
    (content / "GF-2026" / "cmi5.xml").unlink()
    result = _validate(app, content)
    assert "modules[13].au_id: the programme folder has no cmi5.xml" in result.output


def test_14_a_relative_au_url_must_stay_in_the_served_cmi5_folder(app, content):
    xml = content / "GF-2026" / "cmi5.xml"
    _edit(xml, "<url>cmi5/GF14/index.html</url>", "<url>../OJT-2026/program.yaml</url>")
    assert "a relative URL must point into the programme's cmi5/ folder" in _validate(app, content).output
    _edit(xml, "<url>../OJT-2026/program.yaml</url>", "<url>javascript:alert(1)</url>")
    assert "only http(s) URLs" in _validate(app, content).output
    _edit(xml, "<url>javascript:alert(1)</url>", "<url>https://content.example.jp/au/index.html</url>")
    assert _validate(app, content).exit_code == 0


def test_the_loader_without_the_cmi5_check_still_needs_cmi5_xml_but_not_the_xsd(app, content):
    """lms.programs knows nothing of the XSD: the cmi5 domain's check is passed in by the app (content_checks)."""
    _edit(content / "GF-2026" / "cmi5.xml", 'moveOn="CompletedAndPassed"', 'moveOn="Done"')
    assert load_content(content).problems == []
    with app.app_context():
        from lms.hooks import domain_hooks

        assert [p.message for p in load_content(content, domain_hooks().content_checks).problems]


def test_sync_stores_the_course_structure_and_the_au_ids(app, programs):
    with app.app_context():
        version = db.session.query(ProgramVersion).filter_by(code="GF-2026", is_current=True).one()
        assert version.cmi5_xml.startswith("<?xml") and AU_ID in version.cmi5_xml
        assert version.module("GF14").au_id == AU_ID and version.module("GF14").kind == "cmi5"
        assert version.module("GF01").au_id is None
        other = db.session.query(ProgramVersion).filter_by(code="OJT-2026", is_current=True).one()
        assert other.cmi5_xml is None


def test_programmes_without_cmi5_keep_the_content_hash_they_had(app, programs):
    """The new optional values are left out of the hash when absent: OJT-2026 keeps its version."""
    import dataclasses
    import hashlib
    import json

    program = programs["OJT-2026"]
    fields = dataclasses.asdict(program)
    fields.pop("content_hash"), fields.pop("cmi5_xml")
    for module in fields["modules"]:
        module.pop("au_id")
    canonical = json.dumps({"format": 1, "program": fields}, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"), allow_nan=False)
    assert compute_content_hash(program) == hashlib.sha256(canonical.encode()).hexdigest() == program.content_hash
    changed = dataclasses.replace(programs["GF-2026"], cmi5_xml=programs["GF-2026"].cmi5_xml + " ")
    assert compute_content_hash(changed) != programs["GF-2026"].content_hash  # the structure is content
