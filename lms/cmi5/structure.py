"""cmi5 course structures (`cmi5.xml`, cmi5 section 13): validated against the course structure XSD and read
into plain values (pure: neither Flask nor the database)."""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from lxml import etree

FILE_NAME = "cmi5.xml"
NAMESPACE = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
# the namespace of the course structure's first edition (Sandstone); the schema is the same
LEGACY_NAMESPACE = "http://www.adlnet.gov/cmi5/CourseStructure.xsd"
MOVE_ON = ("NotApplicable", "Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
_XSD = Path(__file__).with_name("CourseStructure.xsd")
# a course structure is small; anything near this is not one (and lxml refuses huge trees anyway)
MAX_BYTES = 5_000_000


@dataclass(frozen=True)
class AU:
    """An assignable unit (13.1.4), its values with leading and trailing whitespace removed (13.1)."""

    id: str
    title: str
    url: str
    launch_method: str = "AnyWindow"
    move_on: str = "NotApplicable"
    mastery_score: Decimal | None = None
    launch_parameters: str | None = None
    entitlement_key: str | None = None
    activity_type: str | None = None
    blocks: tuple[str, ...] = ()  # the ids of the blocks it sits in, outermost first
    line: int = 1


@dataclass(frozen=True)
class Block:
    """A block (13.1.2): the AUs in it, at any depth."""

    id: str
    title: str
    au_ids: tuple[str, ...]
    line: int = 1


@dataclass(frozen=True)
class CourseStructure:
    course_id: str
    title: str
    aus: tuple[AU, ...]
    blocks: tuple[Block, ...] = field(default=())

    def au(self, au_id: str) -> AU | None:
        return next((au for au in self.aus if au.id == au_id), None)


@cache
def _schema(namespace: str) -> etree.XMLSchema:
    text = _XSD.read_bytes()
    if namespace != NAMESPACE:
        text = text.replace(NAMESPACE.encode(), namespace.encode())
    return etree.XMLSchema(etree.fromstring(text, _parser()))


def _parser() -> etree.XMLParser:
    # no DTDs, entities or network: a course structure is data, never instructions to fetch anything
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=False)


def parse(data: bytes) -> tuple[CourseStructure | None, list[tuple[int, str]]]:
    """Validate a cmi5.xml against the XSD (13.2) and read it; problems as (line, message), and no structure
    when there is any."""
    if len(data) > MAX_BYTES:
        return None, [(1, f"larger than {MAX_BYTES} bytes")]
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        return None, [(error.lineno or 1, f"not well-formed XML: {error.msg}")]
    if root.getroottree().docinfo.doctype:
        return None, [(1, "a document type declaration (DOCTYPE) is not allowed in a course structure")]
    namespace = etree.QName(root).namespace
    if namespace not in (NAMESPACE, LEGACY_NAMESPACE):
        return None, [(root.sourceline or 1, f"the root element must be courseStructure in the namespace {NAMESPACE}"
                                             f", not {root.tag!r}")]
    schema = _schema(namespace)
    if not schema.validate(root):
        return None, [(entry.line or 1, _message(entry.message)) for entry in schema.error_log]
    structure, problems = _read(root, namespace)
    return (None if problems else structure), problems


def _message(text: str) -> str:
    """lxml names elements as {namespace}name: the names alone read better."""
    for namespace in (NAMESPACE, LEGACY_NAMESPACE):
        text = text.replace("{" + namespace + "}", "")
    return text


def _text(element) -> str:
    return (element.text or "").strip()


def _langstring(parent, tag: str, ns: str) -> str:
    """The Japanese langstring if there is one, else the first (titles are shown to Japanese learners)."""
    strings = parent.findall(f"{{{ns}}}{tag}/{{{ns}}}langstring")
    for string in strings:
        if (string.get("lang") or "").lower().startswith("ja"):
            return _text(string)
    return _text(strings[0]) if strings else ""


def _read(root, ns: str) -> tuple[CourseStructure, list[tuple[int, str]]]:
    course = root.find(f"{{{ns}}}course")
    aus: list[AU] = []
    blocks: list[Block] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}

    def unique(element, kind: str) -> str:
        identifier = element.get("id").strip()
        if identifier in seen:
            problems.append((element.sourceline, f"{kind} id {identifier!r} is already used on line "
                                                 f"{seen[identifier]}: ids must be unique in the course structure"))
        else:
            seen[identifier] = element.sourceline
        return identifier

    def walk(parent, path: tuple[str, ...]) -> list[str]:
        found: list[str] = []
        for child in parent:
            if not isinstance(child.tag, str):
                continue  # comments and processing instructions
            name = etree.QName(child)
            if name.namespace != ns:
                continue  # vendor extensions (13.1.5) may be ignored
            if name.localname == "au":
                aus.append(_au(child, ns, unique(child, "AU"), path))
                found.append(aus[-1].id)
            elif name.localname == "block":
                block_id = unique(child, "block")
                position = len(blocks)
                blocks.append(Block(block_id, "", (), child.sourceline))  # keeps document order
                inner = walk(child, (*path, block_id))
                blocks[position] = Block(block_id, _langstring(child, "title", ns), tuple(inner), child.sourceline)
                found += inner
        return found

    walk(root, ())
    unique(course, "course")
    return CourseStructure(course.get("id").strip(), _langstring(course, "title", ns), tuple(aus),
                           tuple(blocks)), problems


def _au(element, ns: str, au_id: str, blocks: tuple[str, ...]) -> AU:
    def optional(tag: str) -> str | None:
        child = element.find(f"{{{ns}}}{tag}")
        return None if child is None else _text(child)

    mastery = element.get("masteryScore")
    return AU(id=au_id, title=_langstring(element, "title", ns), url=optional("url") or "",
              launch_method=(element.get("launchMethod") or "AnyWindow").strip(),
              move_on=(element.get("moveOn") or "NotApplicable").strip(),
              mastery_score=None if mastery is None else Decimal(mastery.strip()),
              launch_parameters=optional("launchParameters"), entitlement_key=optional("entitlementKey"),
              activity_type=(element.get("activityType") or "").strip() or None, blocks=blocks,
              line=element.sourceline)
