"""Statement requests with attachments: `multipart/mixed` (Communication 1.5.2, RFC 2046 5.1), the match between
attachment objects and parts, and the body for GET with attachments=true."""

import hashlib
import json

import pytest

from lms.xapi.multipart import Part, attachment_problems, build_mixed, parse_mixed, signature_parts
from tests.unit.xapi.examples import ATTACHMENT, merged, statement

TEXT = b"here is a simple attachment"
TEXT_SHA = "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a"
BOUNDARY = "abcABC0123'()+_,-./:=?"
CONTENT_TYPE = f'multipart/mixed; boundary="{BOUNDARY}"'
SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def attached(**changes) -> dict:
    return statement(attachments=[merged(ATTACHMENT, fileUrl=..., **changes)])


def body(*parts: bytes, newline: bytes = b"\r\n", boundary: str = BOUNDARY, preamble: bytes = b"",
         epilogue: bytes = b"") -> bytes:
    delimiter = b"--" + boundary.encode()
    out = preamble + (newline if preamble else b"")
    for part in parts:
        out += delimiter + newline + part + newline
    return out + delimiter + b"--" + epilogue


def json_part(statements, newline=b"\r\n") -> bytes:
    return b"Content-Type: application/json" + newline + newline + json.dumps(statements).encode()


def data_part(data: bytes = TEXT, sha2: str | None = TEXT_SHA, content_type: str = "text/plain",
              encoding: str | None = "binary", newline: bytes = b"\r\n") -> bytes:
    headers = [f"Content-Type: {content_type}"]
    if encoding is not None:
        headers.append(f"Content-Transfer-Encoding: {encoding}")
    if sha2 is not None:
        headers.append(f"X-Experience-API-Hash: {sha2}")
    return newline.join(h.encode() for h in headers) + newline + newline + data


def test_the_spec_example_parses():
    """Communication 1.5.2 s6: the spec's own example (preamble, quoted boundary with every allowed character)."""
    s = attached()
    first, parts = parse_mixed(CONTENT_TYPE, body(json_part(s), data_part(), preamble=b""))
    assert json.loads(first) == s
    assert parts == [Part("text/plain", TEXT_SHA, {"content-type": "text/plain",
                                                   "content-transfer-encoding": "binary",
                                                   "x-experience-api-hash": TEXT_SHA}, TEXT)]
    assert attachment_problems([s], parts) == []


def test_preamble_epilogue_padding_and_unquoted_boundary():
    """RFC 2046 5.1.1: a preamble and an epilogue are ignored; transport padding after a delimiter is allowed."""
    raw = body(json_part([attached()]), data_part(), boundary="simple", preamble=b"ignored",
               epilogue=b"\r\nignored too")
    raw = raw.replace(b"--simple\r\nContent-Type: text", b"--simple  \r\nContent-Type: text")
    first, parts = parse_mixed("Multipart/Mixed;boundary=simple", raw)
    assert json.loads(first)[0]["attachments"][0]["sha2"] == TEXT_SHA and parts[0].data == TEXT


def test_binary_content_keeps_every_octet():
    """Communication 1.5.2 s6.b3: raw octets, no encoding; a CRLF inside the data stays in the data."""
    data = bytes(range(256)) + b"\r\n--not-the-boundary\r\n"
    sha2 = hashlib.sha256(data).hexdigest()
    s = attached(sha2=sha2, length=len(data), contentType="application/octet-stream")
    first, parts = parse_mixed(CONTENT_TYPE, body(json_part(s), data_part(data, sha2, "application/octet-stream")))
    assert parts[0].data == data
    assert attachment_problems([s], parts) == []


def test_a_body_with_bare_lf_line_ends_is_read_with_lf():
    s = attached()
    lf = body(json_part(s, b"\n"), data_part(newline=b"\n"), newline=b"\n")
    first, parts = parse_mixed(CONTENT_TYPE, lf)
    assert json.loads(first) == s and parts[0].data == TEXT


REFUSED = [
    pytest.param("application/json", body(json_part(attached())), "multipart/mixed", id="not multipart/mixed"),
    pytest.param("multipart/mixed", body(json_part(attached())), "boundary", id="RFC 2046 5.1.1 no boundary"),
    pytest.param("multipart/mixed; boundary=other", body(json_part(attached())), "delimiter",
                 id="RFC 2046 5.1.1 boundary not in the body"),
    pytest.param(CONTENT_TYPE, body(json_part(attached()))[:-2], "close delimiter", id="RFC 2046 5.1.1 no close"),
    pytest.param(CONTENT_TYPE, body(b"Content-Type: text/plain\r\n\r\n{}", data_part()), "application/json",
                 id="Communication 1.5.2 s2.b2.b1 first part not application/json"),
    pytest.param(CONTENT_TYPE, body(b"\r\n{}"), "application/json",
                 id="Communication 1.5.2 s2.b2.b6 first part without Content-Type"),
    pytest.param(CONTENT_TYPE, body(json_part(attached()), data_part(sha2=None)), "X-Experience-API-Hash",
                 id="Communication 1.5.2 s2.b2.b3 part without X-Experience-API-Hash"),
    pytest.param(CONTENT_TYPE, body(json_part(attached()), data_part(encoding=None)), "Content-Transfer-Encoding",
                 id="Communication 1.5.2 s2.b2.b4 part without Content-Transfer-Encoding"),
    pytest.param(CONTENT_TYPE, body(json_part(attached()), data_part(encoding="base64")), "binary",
                 id="Communication 1.5.2 s2.b2.b4 Content-Transfer-Encoding not binary"),
    pytest.param(CONTENT_TYPE, body(json_part(attached()), data_part().replace(b"X-Experience-API-Hash: ", b"")),
                 "Name: value", id="a header line without a name"),
    pytest.param(CONTENT_TYPE, body(json_part(attached()), b"Content-Type: text/plain"), "blank line",
                 id="RFC 2046 5.1.1 a part without the blank line after its headers"),
    pytest.param(CONTENT_TYPE, b"--" + BOUNDARY.encode() + b"--", "no parts", id="RFC 2046 5.1.1 no parts"),
    pytest.param(CONTENT_TYPE, body(json_part(attached()), data_part()).replace(b"Hash: 4", b"Hash: 4\r\nx-experience-api-hash: 4"),
                 "twice", id="a header given twice"),
    pytest.param(CONTENT_TYPE, body(json_part(attached(), b"\n"), data_part(newline=b"\r\n"), newline=b"\n"),
                 "mixes", id="CRLF and bare LF mixed"),
]


@pytest.mark.parametrize("content_type,raw,message", REFUSED)
def test_bodies_that_break_the_rules_are_refused_with_a_message(content_type, raw, message):
    """Communication 1.5.2 s2.b2: a multipart body MUST conform to RFC 2046 and the spec's part rules (400)."""
    with pytest.raises(ValueError, match=message):
        parse_mixed(content_type, raw)


def test_the_conformance_suites_part_without_a_hash_header_is_refused():
    """The suite's basic_text_too_many_multipart_attachment: the second part's hash line is not a header."""
    second = (b"Content-Type: text/plain\nContent-Transfer-Encoding: binary\n"
              b"7063d0a4cfa93373753ad2f5a6ffcf684559fb1df3c2f0473a14ece7d4edb06a\n\nhere is another simple attachment")
    raw = body(json_part(attached(), b"\n"), data_part(newline=b"\n"), second, newline=b"\n",
               boundary="-------314159265358979323846")
    with pytest.raises(ValueError):
        parse_mixed("multipart/mixed; boundary=-------314159265358979323846", raw)


def _part(data=TEXT, sha2=TEXT_SHA, content_type="text/plain") -> Part:
    return Part(content_type, sha2, {}, data)


def test_an_attachment_without_file_url_needs_a_part():
    """Communication 1.5.2 s3.b5: reject attachments that neither contain a fileUrl nor match a part by hash."""
    problems = attachment_problems([attached()], [])
    assert len(problems) == 1 and "no fileUrl" in problems[0]
    assert attachment_problems([statement(attachments=[ATTACHMENT])], []) == []


def test_every_part_must_match_an_attachment():
    """Communication 1.5.2 s1.b4: parts are matched to attachment objects by their SHA-2 only."""
    other = b"here is another simple attachment"
    sha2 = hashlib.sha256(other).hexdigest()
    problems = attachment_problems([attached()], [_part(), _part(other, sha2)])
    assert problems == [f"part {sha2} matches no attachment of the statements (Communication 1.5.2 s1.b4)"]


def test_a_part_must_hash_to_its_declared_hash():
    """Communication 1.5.2 s1.b4: the SHA-2 of the raw data is what matches a part to its attachment."""
    problems = attachment_problems([attached()], [_part(data=b"something else")])
    assert any("does not match its X-Experience-API-Hash" in p for p in problems)
    sha512 = hashlib.sha512(TEXT).hexdigest()
    assert attachment_problems([attached(sha2=sha512)], [_part(sha2=sha512)]) == []


def test_part_and_attachment_content_types_and_lengths_must_agree():
    """Communication 1.5.2 s2.b2.b7: a parameter and its attachment property must match."""
    problems = attachment_problems([attached(contentType="image/png")], [_part()])
    assert len(problems) == 1 and "Content-Type" in problems[0]
    assert attachment_problems([attached(contentType="TEXT/plain; charset=ascii")], [_part()]) == []
    with_length = Part("text/plain", TEXT_SHA, {"content-length": "26"}, TEXT)
    assert any("Content-Length" in p for p in attachment_problems([attached()], [with_length]))
    assert attachment_problems([attached()], [Part("text/plain", TEXT_SHA, {"content-length": "27"}, TEXT)]) == []


def test_one_part_may_serve_several_statements():
    """Communication 1.5.2 s2.b2.b5: one copy of data used by several statements sent together."""
    assert attachment_problems([attached(), attached()], [_part()]) == []


def test_attachments_of_a_substatement_count():
    s = statement(object={"objectType": "SubStatement", "actor": {"mbox": "mailto:a@b.c"},
                          "verb": {"id": "http://x.com/v"}, "object": {"id": "http://x.com/a"},
                          "attachments": [merged(ATTACHMENT, fileUrl=...)]})
    assert attachment_problems([s], [_part()]) == []
    assert attachment_problems([s], []) != []


def test_a_signature_attachment_must_come_as_a_part():
    """Data 2.6 s4.b1: the JWS is an attachment sent with the statement, even where a fileUrl is given."""
    s = statement(attachments=[merged(ATTACHMENT, usageType=SIGNATURE, contentType="application/octet-stream")])
    assert any("signature" in p for p in attachment_problems([s], []))
    jws_part = _part(content_type="application/octet-stream")
    assert attachment_problems([s], [jws_part]) == []
    assert signature_parts(s, [jws_part]) == [jws_part]
    assert signature_parts(attached(), [_part()]) == []


def test_built_bodies_parse_back():
    """Communication 1.5.2 s3.b1: statements returned with their attachments in the same transmission format; the
    same data is sent once."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(100)
    parts = [_part(), _part(png, hashlib.sha256(png).hexdigest(), "image/png"), _part()]
    content_type, raw = build_mixed(b'{"statements": []}', parts)
    first, parsed = parse_mixed(content_type, raw)
    assert first == b'{"statements": []}'
    assert [(p.content_type, p.sha2, p.data) for p in parsed] == [(p.content_type, p.sha2, p.data) for p in parts[:2]]


SUITE_BOUNDARY = "-------314159265358979323846"
SUITE_STATEMENT = (b'{"actor":{"objectType":"Agent","mbox":"mailto:sample.agent@example.com","name":"Sample Agent"},'
                   b'"verb":{"id":"http://adlnet.gov/expapi/verbs/answered","display":{"en-US":"answered"}},'
                   b'"object":{"id":"http://www.example.com/tincan/activities/multipart","objectType":"Activity"},'
                   b'"attachments":[{"usageType":"http://example.com/attachment-usage/test","display":{"en-US":"A test '
                   b'attachment"},"contentType":"text/plain","length":27,"sha2":"' + TEXT_SHA.encode() + b'"}]}')
SUITE_TEXT_PART = (b"Content-Disposition: attachment; filename=\"text_data.txt\"\nContent-Type: text/plain\n"
                   b"Content-Transfer-Encoding: binary\nX-Experience-API-Hash: " + TEXT_SHA.encode() + b"\n\n" + TEXT)


def _suite_body(*parts: bytes) -> bytes:
    delimiter = b"--" + SUITE_BOUNDARY.encode()
    return b"".join(delimiter + b"\n" + part + b"\n" for part in parts) + delimiter + b"--\n"


def test_the_conformance_suites_valid_text_body_is_accepted():
    """The suite's basic_text_multipart_attachment_valid template, sent as stored (bare LF line ends)."""
    raw = _suite_body(b"Content-Type: application/json\n\n" + SUITE_STATEMENT, SUITE_TEXT_PART)
    first, parts = parse_mixed(f"multipart/mixed; boundary={SUITE_BOUNDARY}", raw)
    assert attachment_problems([json.loads(first)], parts) == []


@pytest.mark.parametrize("raw", [
    pytest.param(_suite_body(b"Content-Type: application/json\n\n" + SUITE_STATEMENT,
                             b"Content-Type: application/json\n\n" + SUITE_STATEMENT, SUITE_TEXT_PART),
                 id="statements split over two parts (invalid_statement_parts)"),
    pytest.param(_suite_body(b"Content-Type: text/plain\n\n" + SUITE_STATEMENT, SUITE_TEXT_PART),
                 id="first part not application/json (invalid_first_part_content_type)"),
    pytest.param(b"Content-Type: application/json\n\n" + SUITE_STATEMENT + b"\n" + _suite_body(SUITE_TEXT_PART),
                 id="no boundary before the first part (invalid_first_part_no_boundary)"),
    pytest.param(_suite_body(b"Content-Type: application/json\n\n" + SUITE_STATEMENT,
                             SUITE_TEXT_PART.replace(b"binary", b"base64")),
                 id="Content-Transfer-Encoding not binary (invalid_content_transfer_encoding)"),
])
def test_the_conformance_suites_invalid_bodies_are_refused(raw):
    """Communication 1.5.2 s2.b2: the suite's invalid multipart templates are refused (400)."""
    with pytest.raises(ValueError):
        parse_mixed(f"multipart/mixed; boundary={SUITE_BOUNDARY}", raw)


def test_a_part_hash_that_matches_no_sha2_is_refused():
    """The suite's invalid_no_match_sha2 template: X-Experience-API-Hash is not any attachment's sha2."""
    other = hashlib.sha256(b"x").hexdigest()
    raw = _suite_body(b"Content-Type: application/json\n\n" + SUITE_STATEMENT,
                      SUITE_TEXT_PART.replace(TEXT_SHA.encode(), other.encode()))
    first, parts = parse_mixed(f"multipart/mixed; boundary={SUITE_BOUNDARY}", raw)
    assert attachment_problems([json.loads(first)], parts) != []
