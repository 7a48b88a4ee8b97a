"""Signed statements (xAPI 1.0.3, Data 2.6): the JWS attachment checked against the statement (pure).

The LRS MUST refuse a statement with a malformed signature (2.6 s5.b1), and to find out it MUST decode the JWS
and read the signed statement from its payload (s5.b3.b1), check that this statement is logically equivalent to
the one received (s5.b3.b2, by the Statement Comparison Requirements: `lms.xapi.compare`), check the signature
against the X.509 certificate when the header carries one (s5.b3.b3), and check the signature requirements
(s5.b3.b4): JWS per RFC 7515 with algorithm RS256, RS384 or RS512 (s4.b4)."""

import base64
import binascii
import json

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from joserfc.jws import JWSRegistry

from lms.xapi.compare import same_statement
from lms.xapi.multipart import Part, signature_parts

ALGORITHMS = ("RS256", "RS384", "RS512")
# a certificate chain in the header and a whole statement in the payload exceed joserfc's defaults (512 bytes of
# header, 1024 of signature); the request's own size limit bounds them
MAX_HEADER = 64 * 1024
MAX_PAYLOAD = 16 * 1024 * 1024
MAX_SIGNATURE = 4096


def _registry(algorithm: str) -> JWSRegistry:
    registry = JWSRegistry(algorithms=[algorithm])
    registry.max_header_length = MAX_HEADER
    registry.max_payload_length = MAX_PAYLOAD
    registry.max_signature_length = MAX_SIGNATURE
    return registry


def _b64url(segment: str) -> bytes:
    if not segment or "=" in segment or any(c in segment for c in "+/ \t\r\n"):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _certificate_key(header: dict) -> tuple[RSAPublicKey | None, list[str]]:
    chain = header.get("x5c")
    if chain is None:
        return None, []
    if not isinstance(chain, list) or not chain or not all(isinstance(c, str) for c in chain):
        return None, ['the JWS header "x5c" must be a non-empty array of base64 certificates (RFC 7515 4.1.6)']
    try:
        certificate = x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=True))
    except (ValueError, binascii.Error):
        return None, ['the first certificate of the JWS header "x5c" cannot be read (RFC 7515 4.1.6)']
    key = certificate.public_key()
    if not isinstance(key, RSAPublicKey):
        return None, ['the certificate in "x5c" does not hold an RSA key, as RS256/384/512 need (Data 2.6 s4.b4)']
    return key, []


def signature_problems(statement: dict, jws_bytes: bytes) -> list[str]:
    """What is wrong with a signed statement's JWS (empty when it is well formed, verifies with the certificate in
    its header where one is given, and its payload is the same statement); see the module text."""
    try:
        text = jws_bytes.decode("ascii").strip()
    except UnicodeDecodeError:
        return ["the signature is not a JWS in compact serialization (Data 2.6 s4.b1, s4.b2)"]
    segments = text.split(".")
    if len(segments) != 3:
        return ["the signature is not a JWS in compact serialization: three base64url parts joined by dots "
                "(Data 2.6 s4.b1, s4.b2)"]
    try:
        header = json.loads(_b64url(segments[0]))
        payload_bytes = _b64url(segments[1])
        _b64url(segments[2])
    except (ValueError, binascii.Error):
        return ["the JWS parts are not base64url-encoded JSON (RFC 7515 7.1)"]
    if not isinstance(header, dict):
        return ["the JWS header is not a JSON object (RFC 7515 4)"]
    problems = []
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        problems.append(f"the JWS algorithm must be RS256, RS384 or RS512, not {algorithm!r} (Data 2.6 s4.b4)")
    try:
        payload = json.loads(payload_bytes.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        payload = None
    if not isinstance(payload, dict):
        problems.append("the JWS payload is not a JSON serialization of a statement (Data 2.6 s4.b3)")
    elif not same_statement(payload, statement):
        problems.append("the signed statement in the JWS payload differs from the statement received "
                        "(Data 2.6 s5.b3.b2)")
    key, key_problems = _certificate_key(header)
    problems += key_problems
    if key is not None and algorithm in ALGORITHMS:
        try:
            jws.deserialize_compact(text, RSAKey.import_key(key), algorithms=[algorithm],
                                    registry=_registry(algorithm))
        except (JoseError, ValueError):
            problems.append('the JWS signature does not verify with the certificate in its "x5c" header '
                            "(Data 2.6 s5.b3.b3)")
    return problems


def statement_signature_problems(statement: dict, parts: list[Part]) -> list[str]:
    """The problems of every JWS signature part of a statement sent as `multipart/mixed` (none when it is not
    signed); a request with any is refused with 400 (Data 2.6 s5.b1)."""
    problems = []
    for part in signature_parts(statement, parts):
        problems += signature_problems(statement, part.data)
    return problems
