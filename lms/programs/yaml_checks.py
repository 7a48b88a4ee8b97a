"""Checking YAML documents node by node, so that every problem is reported with its line: typed scalars,
mappings with required and unknown keys, and syntax errors."""

import difflib
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

TAG = "tag:yaml.org,2002:"
TYPE_NAMES = {"str": "a string", "int": "an integer", "float": "a number", "bool": "a boolean",
               "null": "empty (null)", "timestamp": "a date"}

Issue = tuple[int, str]


@dataclass(frozen=True)
class Entries:
    """The values of a mapping that passed their checks, and the (key, value) nodes of every known key."""

    values: dict[str, Any]
    nodes: dict[str, tuple[Node, Node]]


Validator = Callable[[Node, str], tuple[Any, list[Issue]]]


def line(node: Node) -> int:
    return node.start_mark.line + 1


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def is_tagged(node: Node, name: str) -> bool:
    return isinstance(node, ScalarNode) and node.tag == TAG + name


def describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return TYPE_NAMES.get(node.tag.removeprefix(TAG), f"a value tagged {node.tag}")


def fail(node: Node, path: str, message: str) -> tuple[None, list[Issue]]:
    return None, [(line(node), f"{path}: {message}")]


def wrong_type(node: Node, path: str, expected: str) -> tuple[None, list[Issue]]:
    return fail(node, path, f"must be {expected}, not {describe(node)}")


def text(node: Node, path: str) -> tuple[str | None, list[Issue]]:
    if not is_tagged(node, "str"):
        return wrong_type(node, path, "a string")
    if not node.value.strip():
        return fail(node, path, "must not be empty")
    return node.value.strip(), []


def integer(node: Node, path: str) -> tuple[int | None, list[Issue]]:
    if is_tagged(node, "int"):
        try:
            return int(SafeConstructor().construct_yaml_int(node)), []
        except ValueError:
            pass
    return wrong_type(node, path, "an integer")


def boolean(node: Node, path: str) -> tuple[bool | None, list[Issue]]:
    if is_tagged(node, "bool") and node.value.lower() in SafeConstructor.bool_values:
        return SafeConstructor.bool_values[node.value.lower()], []
    return wrong_type(node, path, "true or false")


def int_in_range(low: int, high: int) -> Validator:
    def validate(node: Node, path: str) -> tuple[int | None, list[Issue]]:
        value, issues = integer(node, path)
        if value is not None and not low <= value <= high:
            return fail(node, path, f"must be between {low} and {high}")
        return value, issues

    return validate


def suggestion(key: str, allowed: Collection[str]) -> str:
    close = difflib.get_close_matches(key, list(allowed), n=1)
    return f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(allowed)})"


def read_mapping(node: Node, path: str, fields: dict[str, tuple[bool, Validator]]) -> tuple[Entries, list[Issue]]:
    """Check keys (unknown, duplicate, missing) and values of a mapping against (required, validator) fields."""
    entries = Entries({}, {})
    if not isinstance(node, MappingNode):
        return entries, [(line(node), f"{path or 'document'}: must be a mapping, not {describe(node)}")]
    issues: list[Issue] = []
    for key_node, value_node in node.value:
        if not is_tagged(key_node, "str"):
            issues.append((line(key_node), f"{path or 'document'}: keys must be strings, not {describe(key_node)}"))
            continue
        key, where = key_node.value, join(path, key_node.value)
        if key in entries.nodes:
            issues.append((line(key_node), f"{where}: duplicate key (first at line {line(entries.nodes[key][0])})"))
        elif key not in fields:
            issues.append((line(key_node), f"{where}: unknown key{suggestion(key, fields)}"))
        else:
            entries.nodes[key] = (key_node, value_node)
            value, found = fields[key][1](value_node, where)
            issues.extend(found)
            if value is not None:
                entries.values[key] = value
    missing = [key for key, (required, _) in fields.items() if required and key not in entries.nodes]
    issues.extend((line(node), f"{join(path, key)}: required key is missing") for key in missing)
    return entries, issues


def syntax_issue(error: yaml.MarkedYAMLError) -> Issue:
    """Locate at the problem; mention where the construct began when that is elsewhere (an unclosed quote)."""
    problem, context = error.problem_mark, error.context_mark
    mark = problem or context
    number = mark.line + 1 if mark else 1
    message = f"YAML syntax error: {', '.join(part for part in (error.context, error.problem) if part)}"
    if problem and context and context.line != problem.line:
        message += f" (started at line {context.line + 1})"
    return number, message


def compose(source: str) -> tuple[Node | None, list[Issue]]:
    try:
        document = yaml.compose(source, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        return None, [syntax_issue(error)]
    except yaml.reader.ReaderError as error:
        number = source.count("\n", 0, error.position) + 1
        return None, [(number, f"YAML syntax error: character #x{error.character:04x}: {error.reason}")]
    if document is None:
        return None, [(1, "file is empty")]
    return document, []
