"""Load programme definitions (YAML + Markdown) from course_content/ and report every problem in them.

The generic node checks (types, keys, syntax errors) are in lms.programs.yaml_checks; the programme's own
rules (codes, kinds, hours, files) are here."""

import dataclasses
import hashlib
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import Node, SequenceNode

from lms.programs import yaml_checks as yc

PROGRAM_FILE = "program.yaml"
# a cmi5 course structure beside program.yaml; its modules of kind cmi5 name their AU by `au_id`
CMI5_FILE = "cmi5.xml"
MODULE_KINDS: tuple[str, ...] = ("elearning", "quiz", "workshop", "cmi5")
SCORED_KINDS = frozenset({"quiz"})
PROGRAM_CODE = re.compile(r"[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*")
MODULE_CODE = re.compile(r"[A-Z][A-Z0-9_-]*")
MAX_CODE_LENGTH = 32
# Upper bounds keep every value inside its database column and catch slips such as a missing decimal point.
MAX_TITLE_LENGTH = 200
MAX_OJT_HOURS = 10_000
MAX_MODULE_MINUTES = 6_000
MAX_DURATION_DAYS = 3_650
# Bump when the canonical form changes, so that every content_hash changes with it.
HASH_FORMAT = 1

@dataclass(frozen=True)
class Problem:
    """One thing wrong in the content: file relative to the content root, 1-based line, message."""

    file: str
    line: int
    message: str


@dataclass(frozen=True)
class ModuleDefinition:
    """A module of a programme, with the text of its Markdown page."""

    code: str
    title_ja: str
    kind: str
    required: bool
    min_score: int | None
    estimated_minutes: int
    file: str
    body: str
    au_id: str | None = None  # kind cmi5: the AU's id in the programme's cmi5.xml


@dataclass(frozen=True)
class ProgramDefinition:
    """A programme as defined by one course_content/<code>/ folder."""

    code: str
    title_ja: str
    title_en: str
    description_ja: str
    ojt_required_hours: float
    min_duration_days: int | None
    modules: tuple[ModuleDefinition, ...]
    content_hash: str
    cmi5_xml: str | None = None  # the text of the programme's cmi5.xml, when it has one


@dataclass(frozen=True)
class Cmi5Module:
    """What a content check learns of one module of kind cmi5: where its `au_id` is written."""

    index: int
    code: str
    au_id: str
    line: int


# check(programme folder, folder name relative to the content root, its cmi5 modules) -> problems; filled by
# the cmi5 domain (lms.hooks: content_checks), which validates cmi5.xml against the course structure XSD
ContentCheck = Callable[[Path, str, list[Cmi5Module]], list[Problem]]


@dataclass(frozen=True)
class ContentResult:
    """Valid programmes, and every problem found; a programme with any problem is left out."""

    programs: list[ProgramDefinition]
    problems: list[Problem]


@dataclass(frozen=True)
class _Loaded:
    folder: str
    code: str | None
    code_line: int
    definition: ProgramDefinition | None
    problems: list[Problem]


def _title(node: Node, path: str) -> tuple[str | None, list[yc.Issue]]:
    value, issues = yc.text(node, path)
    if value is not None and len(value) > MAX_TITLE_LENGTH:
        return yc.fail(node, path, f"must be at most {MAX_TITLE_LENGTH} characters, not {len(value)}")
    return value, issues


def _ojt_hours(node: Node, path: str) -> tuple[float | None, list[yc.Issue]]:
    if not (yc.is_tagged(node, "int") or yc.is_tagged(node, "float")):
        return yc.wrong_type(node, path, "a number")
    try:
        hours = float(SafeConstructor().construct_object(node))
    except (ValueError, yaml.YAMLError):
        return yc.wrong_type(node, path, "a number")
    if not math.isfinite(hours):
        return yc.fail(node, path, "must be a finite number")
    if hours < 0:
        return yc.fail(node, path, "must not be negative")
    if hours > MAX_OJT_HOURS:
        return yc.fail(node, path, f"must be at most {MAX_OJT_HOURS}")
    if not (hours * 2).is_integer():
        return yc.fail(node, path, "must be a multiple of 0.5")
    return hours, []


def _code(pattern: re.Pattern[str], rule: str) -> yc.Validator:
    def validate(node: Node, path: str) -> tuple[str | None, list[yc.Issue]]:
        value, issues = yc.text(node, path)
        if value is not None and (len(value) > MAX_CODE_LENGTH or not pattern.fullmatch(value)):
            return yc.fail(node, path, f"{value!r} is not a valid code ({rule}, at most {MAX_CODE_LENGTH})")
        return value, issues

    return validate


def _kind(node: Node, path: str) -> tuple[str | None, list[yc.Issue]]:
    value, issues = yc.text(node, path)
    if value is not None and value not in MODULE_KINDS:
        return yc.fail(node, path, f"unknown kind {value!r} (expected one of: {', '.join(MODULE_KINDS)})")
    return value, issues


def _markdown_path(node: Node, path: str) -> tuple[str | None, list[yc.Issue]]:
    value, issues = yc.text(node, path)
    if value is None:
        return None, issues
    relative = PurePosixPath(value)
    if "\\" in value or relative.is_absolute() or ".." in relative.parts or relative.suffix != ".md":
        return yc.fail(node, path, f"{value!r} must be a relative path to a .md file inside the programme folder")
    return relative.as_posix(), []


_MODULE_FIELDS: dict[str, tuple[bool, yc.Validator]] = {
    "code": (True, _code(MODULE_CODE, "uppercase letters, digits, '_' and '-', starting with a letter")),
    "title_ja": (True, _title),
    "kind": (True, _kind),
    "required": (True, yc.boolean),
    "min_score": (False, yc.int_in_range(0, 100)),
    "estimated_minutes": (True, yc.int_in_range(1, MAX_MODULE_MINUTES)),
    "file": (True, _markdown_path),
    "au_id": (False, yc.text),
}


def _module_rules(entries: yc.Entries, path: str) -> list[yc.Issue]:
    kind = entries.values.get("kind")
    if "min_score" in entries.nodes and kind is not None and kind not in SCORED_KINDS:
        key_node = entries.nodes["min_score"][0]
        return [(yc.line(key_node), f"{path}.min_score: only allowed on modules of kind 'quiz', not {kind!r}")]
    if "au_id" in entries.nodes and kind is not None and kind != "cmi5":
        key_node = entries.nodes["au_id"][0]
        return [(yc.line(key_node), f"{path}.au_id: only allowed on modules of kind 'cmi5', not {kind!r}")]
    if kind == "cmi5" and "au_id" not in entries.nodes:
        return [(yc.line(entries.nodes["kind"][1]), f"{path}.au_id: required on modules of kind 'cmi5' (the id of "
                                                     f"its AU in {CMI5_FILE})")]
    return []


def _duplicates(modules: list[yc.Entries], key: str, path: str) -> list[yc.Issue]:
    first: dict[Any, int] = {}
    issues: list[yc.Issue] = []
    for index, entries in enumerate(modules):
        if key not in entries.values:
            continue
        value, node = entries.values[key], entries.nodes[key][1]
        if value in first:
            seen = first[value]
            issues.append((yc.line(node), f"{path}[{index}].{key}: {value!r} is already used by {path}[{seen}] "
                                        f"(line {yc.line(modules[seen].nodes[key][1])})"))
        else:
            first[value] = index
    return issues


def _modules(node: Node, path: str) -> tuple[list[yc.Entries] | None, list[yc.Issue]]:
    if not isinstance(node, SequenceNode):
        return yc.wrong_type(node, path, "a list of modules")
    if not node.value:
        return yc.fail(node, path, "must list at least one module")
    modules: list[yc.Entries] = []
    issues: list[yc.Issue] = []
    for index, item in enumerate(node.value):
        entries, found = yc.read_mapping(item, f"{path}[{index}]", _MODULE_FIELDS)
        modules.append(entries)
        issues += found + _module_rules(entries, f"{path}[{index}]")
    return modules, issues + _duplicates(modules, "code", path) + _duplicates(modules, "file", path)


_PROGRAM_FIELDS: dict[str, tuple[bool, yc.Validator]] = {
    "code": (True, _code(PROGRAM_CODE, "uppercase letters and digits in groups joined by '-', starting with a letter")),
    "title_ja": (True, _title),
    "title_en": (True, _title),
    "description_ja": (True, yc.text),
    "ojt_required_hours": (True, _ojt_hours),
    "min_duration_days": (False, yc.int_in_range(0, MAX_DURATION_DAYS)),
    "modules": (True, _modules),
}


def _program_rules(entries: yc.Entries, folder: str) -> list[yc.Issue]:
    issues: list[yc.Issue] = []
    code = entries.values.get("code")
    if code is not None and code != folder:
        issues.append((yc.line(entries.nodes["code"][1]), f"code: {code!r} does not match its folder name {folder!r}"))
    modules: list[yc.Entries] = entries.values.get("modules") or []
    flags = [module.values.get("required") for module in modules]
    if flags and None not in flags and not any(flags):
        issues.append((yc.line(entries.nodes["modules"][0]), "modules: at least one module must be required"))
    return issues


def _read_text(root: Path, relative: str) -> tuple[str | None, list[Problem]]:
    """Read a UTF-8 file under root; a problem (not an exception) if it is missing or undecodable."""
    try:
        raw = (root / relative).read_bytes()
    except FileNotFoundError:
        return None, [Problem(relative, 1, "file not found")]
    except OSError as error:
        return None, [Problem(relative, 1, f"cannot be read: {error.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [Problem(relative, raw.count(b"\n", 0, error.start) + 1, "not valid UTF-8")]
    return text.removeprefix("\ufeff").replace("\r\n", "\n"), []


def _module_body(root: Path, folder: str, entries: yc.Entries, path: str) -> tuple[str | None, list[Problem]]:
    relative, line = entries.values["file"], yc.line(entries.nodes["file"][1])
    yaml_file, target = f"{folder}/{PROGRAM_FILE}", root / folder / relative
    try:
        inside, found = target.resolve().is_relative_to((root / folder).resolve()), target.is_file()
    except OSError as error:
        return None, [Problem(yaml_file, line, f"{path}: cannot be read: {error.strerror}")]
    if not inside:
        return None, [Problem(yaml_file, line, f"{path}: {relative!r} points outside the programme folder")]
    if not found:
        return None, [Problem(yaml_file, line, f"{path}: Markdown file not found: {relative}")]
    body, problems = _read_text(root, f"{folder}/{relative}")
    if body is not None and not body.strip():
        return None, [Problem(f"{folder}/{relative}", 1, "Markdown file is empty")]
    return body, problems


def compute_content_hash(program: ProgramDefinition) -> str:
    """SHA-256 of a canonical JSON form of the definition and its Markdown bodies (content_hash excluded)."""
    fields = dataclasses.asdict(program)
    fields.pop("content_hash")
    # absent cmi5 values are left out, so that programmes without cmi5 keep the hash they always had
    if fields["cmi5_xml"] is None:
        fields.pop("cmi5_xml")
    for module in fields["modules"]:
        if module["au_id"] is None:
            module.pop("au_id")
    canonical = json.dumps({"format": HASH_FORMAT, "program": fields}, ensure_ascii=False, sort_keys=True,
                           separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _definition(values: dict[str, Any], bodies: list[str], cmi5_xml: str | None) -> ProgramDefinition:
    modules = tuple(
        ModuleDefinition(code=m["code"], title_ja=m["title_ja"], kind=m["kind"], required=m["required"],
                         min_score=m.get("min_score"), estimated_minutes=m["estimated_minutes"], file=m["file"],
                         body=body, au_id=m.get("au_id"))
        for m, body in zip((entries.values for entries in values["modules"]), bodies, strict=True)
    )
    program = ProgramDefinition(code=values["code"], title_ja=values["title_ja"], title_en=values["title_en"],
                                description_ja=values["description_ja"],
                                ojt_required_hours=values["ojt_required_hours"],
                                min_duration_days=values.get("min_duration_days"), modules=modules,
                                content_hash="", cmi5_xml=cmi5_xml)
    return dataclasses.replace(program, content_hash=compute_content_hash(program))


def _cmi5(root: Path, folder: str, entries: yc.Entries, checks: Iterable[ContentCheck]
          ) -> tuple[str | None, list[Problem]]:
    """The programme's cmi5.xml (text) and the problems of its cmi5 modules, found by the content checks."""
    modules = [Cmi5Module(index, module.values.get("code", ""), module.values["au_id"],
                          yc.line(module.nodes["au_id"][1]))
               for index, module in enumerate(entries.values.get("modules") or [])
               if module.values.get("kind") == "cmi5" and "au_id" in module.values]
    present = (root / folder / CMI5_FILE).is_file()
    if not present:
        problems = [Problem(f"{folder}/{PROGRAM_FILE}", module.line,
                            f"modules[{module.index}].au_id: the programme folder has no {CMI5_FILE}")
                    for module in modules]
        return None, problems
    text, problems = _read_text(root, f"{folder}/{CMI5_FILE}")
    for check in checks:
        problems += check(root / folder, folder, modules)
    return text, problems


def _load_program(root: Path, folder: str, checks: Iterable[ContentCheck] = ()) -> _Loaded:
    yaml_file = f"{folder}/{PROGRAM_FILE}"
    text, problems = _read_text(root, yaml_file)
    document, issues = yc.compose(text) if text is not None else (None, [])
    if document is None:
        return _Loaded(folder, None, 1, None, problems + [Problem(yaml_file, line, m) for line, m in issues])
    entries, issues = yc.read_mapping(document, "", _PROGRAM_FIELDS)
    issues += _program_rules(entries, folder)
    problems = [Problem(yaml_file, line, message) for line, message in issues]
    bodies: list[str] = []
    for index, module in enumerate(entries.values.get("modules") or []):
        if "file" in module.values:
            body, found = _module_body(root, folder, module, f"modules[{index}].file")
            problems += found
            bodies += [body] if body is not None else []
    cmi5_xml, found = _cmi5(root, folder, entries, checks)
    problems += found
    code_line = yc.line(entries.nodes["code"][1]) if "code" in entries.nodes else 1
    definition = None if problems else _definition(entries.values, bodies, cmi5_xml)
    return _Loaded(folder, entries.values.get("code"), code_line, definition, problems)


def _duplicate_codes(loaded: list[_Loaded]) -> list[Problem]:
    problems: list[Problem] = []
    for item in loaded:
        others = [f"{other.folder}/{PROGRAM_FILE}" for other in loaded if other is not item and other.code
                  and other.code == item.code]
        if others:
            message = f"code: {item.code!r} is also used by {', '.join(others)}"
            problems.append(Problem(f"{item.folder}/{PROGRAM_FILE}", item.code_line, message))
    return problems


def _program_folders(root: Path) -> list[str]:
    """Every visible subfolder is a programme; names starting with '.' or '_' are ignored."""
    return sorted(path.name for path in root.iterdir() if path.is_dir() and not path.name.startswith((".", "_")))


def load_content(root: Path, checks: Iterable[ContentCheck] = ()) -> ContentResult:
    """Load every programme under root; report all problems, keep only programmes that have none. `checks`
    judge a programme's cmi5.xml and its cmi5 modules (the app passes `domain_hooks().content_checks`)."""
    if not root.is_dir():
        return ContentResult([], [Problem(".", 1, f"content folder not found: {root}")])
    checks = tuple(checks)
    loaded = [_load_program(root, folder, checks) for folder in _program_folders(root)]
    duplicates = _duplicate_codes(loaded)
    clashing = {problem.file for problem in duplicates}
    programs = [item.definition for item in loaded
                if item.definition is not None and f"{item.folder}/{PROGRAM_FILE}" not in clashing]
    problems = sorted([p for item in loaded for p in item.problems] + duplicates, key=lambda p: (p.file, p.line))
    return ContentResult(programs, problems)


def format_problems(problems: Iterable[Problem]) -> str:
    """One line per problem: 'file:line: message'."""
    return "\n".join(f"{problem.file}:{problem.line}: {problem.message}" for problem in problems)
