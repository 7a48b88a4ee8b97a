"""Loading and validating programme definitions from course_content/."""

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.programs.content import Problem, ProgramDefinition, format_problems, load_content

SHIPPED = Path(__file__).resolve().parents[3] / "course_content"
YAML_FILE = "TST-1/program.yaml"

# Line numbers in the tests below refer to this text.
BASE_YAML = """\
code: TST-1
title_ja: テストコース
title_en: Test course
description_ja: テスト用のコース
ojt_required_hours: 10
min_duration_days: 30
modules:
  - code: M01
    title_ja: 導入
    kind: elearning
    required: true
    estimated_minutes: 30
    file: modules/M01.md
  - code: M02
    title_ja: 確認テスト
    kind: quiz
    required: false
    min_score: 70
    estimated_minutes: 20
    file: modules/M02.md
"""
BODIES = {"M01.md": "# 導入\n\n本文\n", "M02.md": "# 確認テスト\n\n問 1\n"}


def write_program(root: Path, folder: str = "TST-1", text: str = BASE_YAML,
                  bodies: dict[str, str] | None = None) -> Path:
    directory = root / folder
    (directory / "modules").mkdir(parents=True)
    (directory / "program.yaml").write_text(text, encoding="utf-8")
    for name, body in (BODIES if bodies is None else bodies).items():
        (directory / "modules" / name).write_text(body, encoding="utf-8")
    return directory


def edited(old: str, new: str) -> str:
    assert BASE_YAML.count(old) == 1, old
    return BASE_YAML.replace(old, new)


def only_program(root: Path) -> ProgramDefinition:
    result = load_content(root)
    assert result.problems == []
    [program] = result.programs
    return program


def test_shipped_content_loads_without_problems() -> None:
    result = load_content(SHIPPED)
    assert format_problems(result.problems) == ""
    assert {program.code for program in result.programs} == {"GF-2026", "OJT-2026"}


def test_shipped_programmes_are_complete() -> None:
    programs = {program.code: program for program in load_content(SHIPPED).programs}
    foundation, ojt = programs["GF-2026"], programs["OJT-2026"]
    assert 12 <= len(foundation.modules) <= 16 and 4 <= len(ojt.modules) <= 5
    assert ojt.ojt_required_hours > foundation.ojt_required_hours > 0
    for program in programs.values():
        assert any(not module.required for module in program.modules)
        assert [m.code for m in program.modules if m.min_score is not None] == \
            [m.code for m in program.modules if m.kind == "quiz"]
        for module in program.modules:
            assert module.body.startswith("# ") and 30 <= len(module.body.splitlines()) <= 80, module.code


def test_valid_tree_loads(tmp_path: Path) -> None:
    write_program(tmp_path)
    program = only_program(tmp_path)
    assert (program.code, program.ojt_required_hours, program.min_duration_days) == ("TST-1", 10.0, 30)
    first, second = program.modules
    assert (first.code, first.kind, first.required, first.min_score, first.estimated_minutes) == \
        ("M01", "elearning", True, None, 30)
    assert (second.kind, second.min_score, second.file, second.body) == ("quiz", 70, "modules/M02.md", BODIES["M02.md"])
    assert len(program.content_hash) == 64


def test_optional_keys_can_be_left_out(tmp_path: Path) -> None:
    write_program(tmp_path, text=edited("min_duration_days: 30\n", "").replace("    min_score: 70\n", ""))
    program = only_program(tmp_path)
    assert program.min_duration_days is None and program.modules[1].min_score is None


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("code: TST-1", "code: tst_1", 1,
     "code: 'tst_1' is not a valid code (uppercase letters and digits in groups joined by '-', "
     "starting with a letter, at most 32)"),
    ("code: TST-1", "code: TST-2", 1, "code: 'TST-2' does not match its folder name 'TST-1'"),
    ("title_en: Test course\n", "", 1, "title_en: required key is missing"),
    ("title_en: Test course", "title_en:\n  - Test", 4, "title_en: must be a string, not a list"),
    ("description_ja: テスト用のコース", "description_ja: ''", 4, "description_ja: must not be empty"),
    ("ojt_required_hours: 10", "ojt_required_hours: 10.25", 5, "ojt_required_hours: must be a multiple of 0.5"),
    ("ojt_required_hours: 10", "ojt_required_hours: -2", 5, "ojt_required_hours: must not be negative"),
    ("ojt_required_hours: 10", "ojt_required_hours: 80時間", 5,
     "ojt_required_hours: must be a number, not a string"),
    ("title_ja: テストコース", "title_ja: " + "長" * 201, 2, "title_ja: must be at most 200 characters, not 201"),
    ("ojt_required_hours: 10", "ojt_required_hours: 10001", 5, "ojt_required_hours: must be at most 10000"),
    ("min_duration_days: 30", "min_duration_days: -1", 6, "min_duration_days: must be between 0 and 3650"),
    ("min_duration_days: 30", "min_duration_days: 1e3", 6, "min_duration_days: must be an integer, not a string"),
    ("min_duration_days: 30", "min_duration_days: 30\nlevel: 1", 7,
     "level: unknown key (allowed: code, title_ja, title_en, description_ja, ojt_required_hours, "
     "min_duration_days, modules)"),
    ("    title_ja: 導入\n", "", 8, "modules[0].title_ja: required key is missing"),
    ("  - code: M01", "  - code: m 01", 8,
     "modules[0].code: 'm 01' is not a valid code (uppercase letters, digits, '_' and '-', "
     "starting with a letter, at most 32)"),
    ("    title_ja: 導入", "    title_ja: 導入\n    colour: red", 10,
     "modules[0].colour: unknown key (allowed: code, title_ja, kind, required, min_score, estimated_minutes, file, au_id)"),
    ("    kind: elearning", "    kind: lecture", 10,
     "modules[0].kind: unknown kind 'lecture' (expected one of: elearning, quiz, workshop, cmi5)"),
    ("    required: true", "    required: maybe", 11, "modules[0].required: must be true or false, not a string"),
    ("    required: true", "    required: false", 7, "modules: at least one module must be required"),
    ("    estimated_minutes: 30", "    estimated_minutes: 0", 12, "modules[0].estimated_minutes: must be between 1 and 6000"),
    ("    estimated_minutes: 30", "    estimated_minutes: 99999999999999999999", 12,
     "modules[0].estimated_minutes: must be between 1 and 6000"),
    ("    estimated_minutes: 30", "    estimated_minutes: 30\n    min_score: 50", 13,
     "modules[0].min_score: only allowed on modules of kind 'quiz', not 'elearning'"),
    ("    file: modules/M01.md", "    file: ../M01.md", 13,
     "modules[0].file: '../M01.md' must be a relative path to a .md file inside the programme folder"),
    ("  - code: M02", "  - code: M01", 14, "modules[1].code: 'M01' is already used by modules[0] (line 8)"),
    ("    kind: quiz", "    kind: quiz\n    kind: elearning", 17, "modules[1].kind: duplicate key (first at line 16)"),
    ("    min_score: 70", "    min_score: 170", 18, "modules[1].min_score: must be between 0 and 100"),
    ("    min_score: 70", "    min_score: -1", 18, "modules[1].min_score: must be between 0 and 100"),
    ("    min_score: 70", "    min_score:", 18, "modules[1].min_score: must be an integer, not empty (null)"),
    ("    file: modules/M02.md", "    file: modules/M01.md", 20,
     "modules[1].file: 'modules/M01.md' is already used by modules[0] (line 13)"),
    ("    file: modules/M02.md", "    file: modules/M09.md", 20,
     "modules[1].file: Markdown file not found: modules/M09.md"),
])
def test_each_error_is_reported_at_its_line(tmp_path: Path, old: str, new: str, line: int, message: str) -> None:
    write_program(tmp_path, text=edited(old, new))
    result = load_content(tmp_path)
    assert result.problems == [Problem(YAML_FILE, line, message)]
    assert result.programs == []


@pytest.mark.parametrize(("old", "new", "line", "fragment"), [
    ("title_ja: テストコース", "title_ja: [unclosed", 3, "expected ',' or ']'"),
    ("    kind: quiz", '    kind: "quiz', 21, "(started at line 16)"),
    ("    kind: quiz", "\tkind: quiz", 16, "found character '\\t'"),
    ("title_en: Test course", 'title_en: "a\x07b"', 3, "#x0007"),
])
def test_yaml_syntax_error_is_reported_at_its_line(tmp_path: Path, old: str, new: str, line: int,
                                                   fragment: str) -> None:
    write_program(tmp_path, text=edited(old, new))
    [problem] = load_content(tmp_path).problems
    assert (problem.file, problem.line) == (YAML_FILE, line)
    assert problem.message.startswith("YAML syntax error: ") and fragment in problem.message


def test_misspelt_key_is_unknown_and_the_real_key_missing(tmp_path: Path) -> None:
    write_program(tmp_path, text=edited("    title_ja: 導入", "    titel_ja: 導入"))
    assert load_content(tmp_path).problems == [
        Problem(YAML_FILE, 8, "modules[0].title_ja: required key is missing"),
        Problem(YAML_FILE, 9, "modules[0].titel_ja: unknown key; did you mean 'title_ja'?"),
    ]


def test_empty_module_list_is_a_problem(tmp_path: Path) -> None:
    write_program(tmp_path, text=BASE_YAML.split("modules:")[0] + "modules: []\n")
    assert load_content(tmp_path).problems == [Problem(YAML_FILE, 7, "modules: must list at least one module")]


def test_empty_program_yaml_is_a_problem(tmp_path: Path) -> None:
    write_program(tmp_path, text="# nothing yet\n")
    assert load_content(tmp_path).problems == [Problem(YAML_FILE, 1, "file is empty")]


def test_program_yaml_that_is_not_a_mapping_is_a_problem(tmp_path: Path) -> None:
    write_program(tmp_path, text="- code: TST-1\n")
    assert load_content(tmp_path).problems == [Problem(YAML_FILE, 1, "document: must be a mapping, not a list")]


def test_folder_without_program_yaml_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "TST-1").mkdir()
    assert load_content(tmp_path).problems == [Problem(YAML_FILE, 1, "file not found")]


def test_hidden_and_underscore_folders_and_loose_files_are_ignored(tmp_path: Path) -> None:
    write_program(tmp_path)
    (tmp_path / ".cache").mkdir()
    (tmp_path / "_drafts").mkdir()
    (tmp_path / "README.md").write_text("# Content\n", encoding="utf-8")
    assert only_program(tmp_path).code == "TST-1"


def test_empty_markdown_is_reported_on_the_markdown_file(tmp_path: Path) -> None:
    write_program(tmp_path, bodies={"M01.md": BODIES["M01.md"], "M02.md": " \n\n"})
    result = load_content(tmp_path)
    assert result.problems == [Problem("TST-1/modules/M02.md", 1, "Markdown file is empty")]
    assert result.programs == []


def test_markdown_that_is_not_utf8_is_reported_at_the_bad_line(tmp_path: Path) -> None:
    directory = write_program(tmp_path)
    (directory / "modules" / "M02.md").write_bytes("# 確認テスト\n\n".encode() + "問".encode("shift_jis"))
    assert load_content(tmp_path).problems == [Problem("TST-1/modules/M02.md", 3, "not valid UTF-8")]


def test_markdown_with_bom_and_crlf_is_normalised(tmp_path: Path) -> None:
    directory = write_program(tmp_path)
    (directory / "modules" / "M02.md").write_bytes(b"\xef\xbb\xbf" + BODIES["M02.md"].replace("\n", "\r\n").encode())
    assert only_program(tmp_path).modules[1].body == BODIES["M02.md"]


def test_duplicate_programme_codes_across_folders_exclude_both(tmp_path: Path) -> None:
    write_program(tmp_path)
    write_program(tmp_path, folder="TST-2")
    result = load_content(tmp_path)
    assert result.programs == []
    assert result.problems == [
        Problem("TST-1/program.yaml", 1, "code: 'TST-1' is also used by TST-2/program.yaml"),
        Problem("TST-2/program.yaml", 1, "code: 'TST-1' does not match its folder name 'TST-2'"),
        Problem("TST-2/program.yaml", 1, "code: 'TST-1' is also used by TST-1/program.yaml"),
    ]


def test_a_file_with_three_errors_gives_three_problems(tmp_path: Path) -> None:
    text = edited("ojt_required_hours: 10", "ojt_required_hours: -1").replace(
        "    kind: elearning", "    kind: lecture").replace("    min_score: 70", "    min_score: 101")
    write_program(tmp_path, text=text)
    problems = load_content(tmp_path).problems
    assert [(p.file, p.line) for p in problems] == [(YAML_FILE, 5), (YAML_FILE, 10), (YAML_FILE, 18)]


def test_problems_in_several_files_are_all_reported_and_valid_programmes_still_load(tmp_path: Path) -> None:
    write_program(tmp_path)
    broken = edited("code: TST-1", "code: TST-2").replace("    required: true", "    required: 1")
    write_program(tmp_path, folder="TST-2", text=broken, bodies={"M01.md": "", "M02.md": BODIES["M02.md"]})
    result = load_content(tmp_path)
    assert [program.code for program in result.programs] == ["TST-1"]
    assert [(p.file, p.line) for p in result.problems] == [
        ("TST-2/modules/M01.md", 1), ("TST-2/program.yaml", 11)]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(BASE_YAML.splitlines() + [
    "  - [", "}", "key: &a [*a]", "<<: {code: X}", "\t- x", "!!bool maybe", "    min_score: !!int abc",
    "ojt_required_hours: .inf", "1: 2", "? [a]", "---", "\x00", "é: ü", "modules: {}", "  - null"]), max_size=30))
def test_any_program_yaml_gives_problems_or_a_programme_and_never_raises(lines: list[str]) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        write_program(root, text="\n".join(lines))
        result = load_content(root)
    assert bool(result.problems) != bool(result.programs)
    assert all(problem.file.startswith("TST-1/") and problem.line >= 1 for problem in result.problems)


def test_missing_content_folder_is_a_problem(tmp_path: Path) -> None:
    result = load_content(tmp_path / "nowhere")
    assert result.programs == [] and len(result.problems) == 1


def test_format_problems_prints_one_line_per_problem() -> None:
    problems = [Problem("GF-2026/program.yaml", 12, "modules[3].min_score: must be between 0 and 100"),
                Problem("GF-2026/modules/GF01.md", 1, "Markdown file is empty")]
    assert format_problems(problems) == (
        "GF-2026/program.yaml:12: modules[3].min_score: must be between 0 and 100\n"
        "GF-2026/modules/GF01.md:1: Markdown file is empty")
    assert format_problems([]) == ""


def test_content_hash_is_stable_across_loads_and_yaml_formatting(tmp_path: Path) -> None:
    write_program(tmp_path / "a")
    reformatted = "# comment\n" + edited("title_ja: テストコース\ntitle_en: Test course",
                                         "title_en: 'Test course'\ntitle_ja: \"テストコース\"")
    write_program(tmp_path / "b", text=reformatted.replace("ojt_required_hours: 10", "ojt_required_hours: 10.0"))
    first = only_program(tmp_path / "a").content_hash
    assert only_program(tmp_path / "a").content_hash == first
    assert only_program(tmp_path / "b").content_hash == first


@pytest.mark.parametrize(("old", "new", "bodies"), [
    (None, None, {"M01.md": BODIES["M01.md"], "M02.md": BODIES["M02.md"] + "問 2\n"}),
    (None, None, {"M01.md": BODIES["M01.md"].replace("本文", "本文。"), "M02.md": BODIES["M02.md"]}),
    ("    min_score: 70", "    min_score: 71", None),
    ("ojt_required_hours: 10", "ojt_required_hours: 10.5", None),
    ("    title_ja: 導入", "    title_ja: 導入編", None),
    ("    required: false", "    required: true", None),
])
def test_content_hash_changes_with_structure_or_text(tmp_path: Path, old: str | None, new: str | None,
                                                     bodies: dict[str, str] | None) -> None:
    write_program(tmp_path / "a")
    write_program(tmp_path / "b", text=edited(old, new) if old and new else BASE_YAML, bodies=bodies)
    assert only_program(tmp_path / "a").content_hash != only_program(tmp_path / "b").content_hash


def test_content_hash_changes_with_module_order(tmp_path: Path) -> None:
    first, second = BASE_YAML.split("  - code: M02\n")
    write_program(tmp_path / "a")
    write_program(tmp_path / "b", text=first.replace("modules:\n", "modules:\n  - code: M02\n" + second))
    assert [m.code for m in only_program(tmp_path / "b").modules] == ["M02", "M01"]
    assert only_program(tmp_path / "a").content_hash != only_program(tmp_path / "b").content_hash
