"""Statement requests with attachments (xAPI 1.0.3, Communication 1.5.2): `multipart/mixed` bodies (pure).

RFC 2046 5.1: a body is an optional preamble, then parts each opened by a delimiter line ("--" and the boundary
at the start of the body or after a CRLF), then the close delimiter ("--" boundary "--") and an optional
epilogue. The CRLF before a delimiter belongs to the delimiter, not to the part. A body whose lines all end in a
bare LF is read the same way with LF, as some clients write them; a body mixing the two is refused."""

import hashlib
import re
import secrets
from dataclasses import dataclass, field

from lms.xapi.validation import SIGNATURE_USAGE

JSON_TYPE = "application/json"
HASH_HEADER = "x-experience-api-hash"
_BOUNDARY_CHARS = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]\Z")
_HEADER_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")


@dataclass(frozen=True)
class Part:
    content_type: str
    sha2: str | None  # X-Experience-API-Hash
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    data: bytes = b""


def media_type(content_type: str | None) -> str:
    """The media type of a Content-Type value, lower-cased, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def content_type_params(content_type: str) -> dict[str, str]:
    """The parameters of a Content-Type value (names lower-cased; quoted values unquoted)."""
    params: dict[str, str] = {}
    rest = content_type.split(";", 1)[1] if ";" in content_type else ""
    for match in re.finditer(r'\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)\s*(?:;|$)', rest):
        name, value = match.group(1).lower(), match.group(2).strip()
        if value.startswith('"') and value.endswith('"') and len(value) >= 2:
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        params[name] = value
    return params


def _headers(block: bytes, newline: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    last = None
    for raw in block.split(newline) if block else []:
        line = raw.decode("utf-8", errors="strict")
        if line[:1] in (" ", "\t") and last is not None:  # folded continuation (RFC 5322 2.2.3)
            headers[last] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if not colon or not _HEADER_NAME.match(name.strip()):
            raise ValueError(f"a part header is not 'Name: value': {line[:60]!r}")
        last = name.strip().lower()
        if last in headers:
            raise ValueError(f"a part has the header {name.strip()} twice")
        headers[last] = value.strip()
    return headers


def parse_mixed(content_type: str, body: bytes) -> tuple[bytes, list[Part]]:
    """The first part (the statements' JSON) and the attachment parts of a `multipart/mixed` body; raises
    ValueError with a message for a body that breaks the spec's rules (Communication 1.5.2 s2.b2): not
    multipart/mixed or no boundary, no delimiter or close delimiter, a first part that is not application/json,
    an attachment part without X-Experience-API-Hash or with a Content-Transfer-Encoding other than binary."""
    if media_type(content_type) != "multipart/mixed":
        raise ValueError("the Content-Type must be multipart/mixed")
    boundary = content_type_params(content_type).get("boundary")
    if not boundary or not _BOUNDARY_CHARS.match(boundary):
        raise ValueError("the Content-Type needs a boundary parameter of 1 to 70 allowed characters (RFC 2046 5.1.1)")
    delimiter = b"--" + boundary.encode("ascii")
    if body.startswith(delimiter):
        start = 0
    else:
        crlf, lf = body.find(b"\r\n" + delimiter), body.find(b"\n" + delimiter)
        if lf < 0:
            raise ValueError("the body has no delimiter line for the declared boundary")
        start = crlf + 2 if crlf >= 0 and crlf + 1 == lf else lf + 1
    after = start + len(delimiter)
    if body.startswith(b"--", after):
        raise ValueError("the body has no parts")
    if body.startswith(b"\r\n", after) or body.startswith(b" ", after) or body.startswith(b"\t", after):
        newline = b"\r\n"
    elif body.startswith(b"\n", after):
        newline = b"\n"
    else:
        raise ValueError("the first delimiter line must end right after the boundary")
    separator = newline + delimiter
    raw_parts: list[bytes] = []
    position = after
    while True:
        if body.startswith(b"--", position):
            break  # the close delimiter; what follows is the epilogue
        line_end = body.find(newline, position)
        if line_end < 0:
            raise ValueError("the body has no close delimiter (--boundary--)")
        if body[position:line_end].strip(b" \t"):
            raise ValueError("a delimiter line must end right after the boundary (transport padding only)")
        content_start = line_end + len(newline)
        next_delimiter = body.find(separator, content_start)
        if next_delimiter < 0:
            raise ValueError("the body has no close delimiter (--boundary--)")
        raw_parts.append(body[content_start:next_delimiter])
        position = next_delimiter + len(separator)
    if not raw_parts:
        raise ValueError("the body has no parts")
    parts: list[Part] = []
    blank = newline + newline
    for raw in raw_parts:
        if raw.startswith(newline):
            header_block, data = b"", raw[len(newline):]
        else:
            cut = raw.find(blank)
            if newline == b"\n" and b"\r" in (raw[:cut] if cut >= 0 else raw):
                raise ValueError("the body mixes CRLF and bare LF line ends")
            if cut < 0:
                raise ValueError("a part has no blank line between its headers and its content")
            header_block, data = raw[:cut], raw[cut + len(blank):]
        try:
            headers = _headers(header_block, newline)
        except UnicodeDecodeError as exc:
            raise ValueError("part headers must be UTF-8 text") from exc
        parts.append(Part(headers.get("content-type", ""), headers.get(HASH_HEADER), headers, data))
    first, attachments = parts[0], parts[1:]
    if media_type(first.content_type) != JSON_TYPE:
        raise ValueError("the first part must have Content-Type application/json (Communication 1.5.2 s2.b2.b1)")
    for i, part in enumerate(attachments, start=1):
        if not part.sha2:
            raise ValueError(f"part {i + 1} has no X-Experience-API-Hash header (Communication 1.5.2 s2.b2.b3)")
        encoding = part.headers.get("content-transfer-encoding")
        if encoding is None or encoding.lower() != "binary":
            raise ValueError(f"part {i + 1} needs Content-Transfer-Encoding: binary (Communication 1.5.2 s2.b2.b4)")
    return first.data, attachments


def _declared(statements: list) -> list[dict]:
    """Every attachment object of the statements (and of their SubStatements)."""
    found = []
    for statement in statements:
        for holder in (statement, statement.get("object") if isinstance(statement, dict) else None):
            attachments = holder.get("attachments") if isinstance(holder, dict) else None
            if isinstance(attachments, list):
                found.extend(a for a in attachments if isinstance(a, dict))
    return found


def part_hash_problems(parts: list[Part]) -> list[str]:
    """Parts whose content does not hash to their X-Experience-API-Hash (SHA-256, SHA-384 or SHA-512 by length;
    Communication 1.5.2 s4.b4, s2.b2.b7)."""
    problems = []
    algorithms = {64: hashlib.sha256, 96: hashlib.sha384, 128: hashlib.sha512, 56: hashlib.sha224}
    for i, part in enumerate(parts, start=2):
        digest = algorithms.get(len(part.sha2 or ""))
        if digest is None or digest(part.data).hexdigest() != (part.sha2 or "").lower():
            problems.append(f"part {i}: its content does not match its X-Experience-API-Hash")
    return problems


def attachment_problems(statements: list, parts: list[Part]) -> list[str]:
    """What is wrong between the statements' attachment objects and the parts received (Communication 1.5.2):
    every attachment without a fileUrl needs a part with its sha2 (s3.b5); every part must belong to an
    attachment (matched by hash only, s1.b4); a part's content must match its hash; where a part and its
    attachment both give a content type or length, they must agree (s2.b2.b7); a signature attachment
    (Data 2.6) must come as a part."""
    problems = part_hash_problems(parts)
    declared = _declared(statements)
    by_hash = {(part.sha2 or "").lower(): part for part in parts}
    wanted = set()
    for attachment in declared:
        sha2 = attachment.get("sha2")
        if not isinstance(sha2, str):
            continue
        sha2 = sha2.lower()
        wanted.add(sha2)
        part = by_hash.get(sha2)
        if part is None:
            if attachment.get("usageType") == SIGNATURE_USAGE:
                problems.append(f"the signature attachment {sha2} must be sent as a part (Data 2.6 s4.b1)")
            elif "fileUrl" not in attachment:
                problems.append(f"attachment {sha2} has no fileUrl and no part with that hash "
                                "(Communication 1.5.2 s3.b5)")
            continue
        declared_length, part_length = attachment.get("length"), part.headers.get("content-length")
        if part_length is not None and isinstance(declared_length, int) and part_length.strip() != str(declared_length):
            problems.append(f"part {sha2} has Content-Length {part_length} but its attachment says length "
                            f"{declared_length} (Communication 1.5.2 s2.b2.b7)")
        declared_type = attachment.get("contentType")
        if part.content_type and isinstance(declared_type, str) \
                and media_type(part.content_type) != media_type(declared_type):
            problems.append(f"part {sha2} has Content-Type {part.content_type!r} but its attachment says "
                            f"{declared_type!r} (Communication 1.5.2 s2.b2.b7)")
    for part in parts:
        if (part.sha2 or "").lower() not in wanted:
            problems.append(f"part {part.sha2} matches no attachment of the statements (Communication 1.5.2 s1.b4)")
    return problems


def signature_parts(statement: dict, parts: list[Part]) -> list[Part]:
    """The parts holding this statement's JWS signatures (attachments with the signature usageType)."""
    by_hash = {(part.sha2 or "").lower(): part for part in parts}
    found = []
    for attachment in statement.get("attachments") or []:
        if isinstance(attachment, dict) and attachment.get("usageType") == SIGNATURE_USAGE:
            part = by_hash.get(str(attachment.get("sha2", "")).lower())
            if part is not None:
                found.append(part)
    return found


def build_mixed(json_bytes: bytes, parts: list[Part]) -> tuple[str, bytes]:
    """A `multipart/mixed` body for a statement response with attachments (Communication 1.5.2 s3.b1): the JSON
    first, then each part once, with Content-Type, Content-Transfer-Encoding: binary and X-Experience-API-Hash.
    Returns (Content-Type header value, body)."""
    while True:
        boundary = "xapi-" + secrets.token_hex(16)
        marker = b"--" + boundary.encode()
        if marker not in json_bytes and all(marker not in part.data for part in parts):
            break
    chunks = [marker, b"\r\nContent-Type: application/json\r\n\r\n", json_bytes]
    seen = set()
    for part in parts:
        sha2 = (part.sha2 or hashlib.sha256(part.data).hexdigest()).lower()
        if sha2 in seen:
            continue
        seen.add(sha2)
        chunks += [b"\r\n", marker, b"\r\nContent-Type: ", (part.content_type or "application/octet-stream").encode(),
                   b"\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ", sha2.encode(),
                   b"\r\n\r\n", part.data]
    chunks += [b"\r\n", marker, b"--\r\n"]
    return f'multipart/mixed; boundary="{boundary}"', b"".join(chunks)
