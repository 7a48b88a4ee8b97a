"""Signed statements (Data 2.6): the LRS refuses malformed signatures (s5.b1) after decoding the JWS (s5.b3.b1),
comparing its payload with the statement (s5.b3.b2), verifying with the x5c certificate (s5.b3.b3), and checking
the signature requirements (s5.b3.b4, s4.b4: RS256, RS384 or RS512)."""

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from joserfc import jws
from joserfc.jwk import OctKey, RSAKey

from lms.xapi.signature import signature_problems
from tests.unit.xapi.examples import ATTACHMENT, merged, statement

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def _certificate(private_key) -> str:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "xAPI signer")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(private_key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
                   .sign(private_key, hashes.SHA256()))
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode()


@pytest.fixture(scope="module")
def signer():
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return private_key, _certificate(private_key)


def _sign(payload: dict, private_key, header: dict) -> bytes:
    key = RSAKey.import_key(private_key)
    return jws.serialize_compact(header, json.dumps(payload).encode(), key, algorithms=[header["alg"]]).encode()


ORIGINAL = statement(timestamp="2015-11-18T12:17:00.000Z")


def received(original: dict = ORIGINAL) -> dict:
    """The statement as sent to the LRS: the original plus the signature attachment (added after signing)."""
    return merged(original, attachments=[merged(ATTACHMENT, usageType=SIGNATURE, fileUrl=...,
                                                contentType="application/octet-stream")])


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
def test_a_well_formed_signature_verifies_with_its_certificate(signer, algorithm):
    """Data 2.6 s4.b4 (RS256, RS384, RS512) and s5.b3.b3 (verified with the x5c certificate)."""
    private_key, certificate = signer
    jws_bytes = _sign(ORIGINAL, private_key, {"alg": algorithm, "x5c": [certificate]})
    assert signature_problems(received(), jws_bytes) == []


def test_a_signature_without_a_certificate_is_checked_for_form_and_payload(signer):
    """Data 2.6 s4.b5, s4.b6: a certificate is a SHOULD; without one the payload and algorithm are still checked."""
    private_key, _ = signer
    assert signature_problems(received(), _sign(ORIGINAL, private_key, {"alg": "RS256"})) == []


def test_lrs_processing_of_id_authority_stored_timestamp_version_is_ignored(signer):
    """Data 2.6 s5.b3.b2 with Data 2.3.1 b1: the LRS may have set these on the received statement."""
    private_key, certificate = signer
    original = statement(id=..., timestamp=...)
    jws_bytes = _sign(original, private_key, {"alg": "RS256", "x5c": [certificate]})
    processed = merged(received(original), id="11111111-2222-4333-8444-555555555555", version="1.0.0",
                       stored="2026-01-01T00:00:00Z", timestamp="2026-01-01T00:00:00Z",
                       authority={"mbox": "mailto:lrs@example.com"})
    assert signature_problems(processed, jws_bytes) == []


def test_a_payload_that_is_not_the_statement_is_refused(signer):
    """Data 2.6 s5.b3.b2: the signed statement must be logically equivalent to the one received."""
    private_key, certificate = signer
    jws_bytes = _sign(merged(ORIGINAL, result={"success": True}), private_key, {"alg": "RS256", "x5c": [certificate]})
    assert signature_problems(received(), jws_bytes) == [
        "the signed statement in the JWS payload differs from the statement received (Data 2.6 s5.b3.b2)"]


def test_a_signature_that_does_not_verify_with_its_certificate_is_refused(signer):
    """Data 2.6 s5.b3.b3."""
    private_key, _ = signer
    other = _certificate(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    jws_bytes = _sign(ORIGINAL, private_key, {"alg": "RS256", "x5c": [other]})
    assert signature_problems(received(), jws_bytes) == [
        'the JWS signature does not verify with the certificate in its "x5c" header (Data 2.6 s5.b3.b3)']
    header, payload, sig = _sign(ORIGINAL, private_key, {"alg": "RS256", "x5c": [_certificate(private_key)]}).split(b".")
    tampered = b".".join([header, payload, sig[:-4] + (b"AAAA" if sig[-4:] != b"AAAA" else b"BBBB")])
    assert any("does not verify" in p for p in signature_problems(received(), tampered))


def test_other_algorithms_are_refused(signer):
    """Data 2.6 s4.b4: RS256, RS384 or RS512 only (HS256 and "none" are malformed here)."""
    hmac = jws.serialize_compact({"alg": "HS256"}, json.dumps(ORIGINAL).encode(), OctKey.generate_key(256)).encode()
    assert any("RS256, RS384 or RS512" in p for p in signature_problems(received(), hmac))
    segment = base64.urlsafe_b64encode(json.dumps({"alg": "none"}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(ORIGINAL).encode()).rstrip(b"=")
    assert any("RS256, RS384 or RS512" in p for p in signature_problems(received(), segment + b"." + payload + b".c2ln"))


def test_a_certificate_without_an_rsa_key_is_refused():
    """Data 2.6 s4.b4: an RSA algorithm needs an RSA key."""
    ec_key = ec.generate_private_key(ec.SECP256R1())
    segment = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "x5c": [_certificate(ec_key)]}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(ORIGINAL).encode()).rstrip(b"=")
    assert any("RSA key" in p for p in signature_problems(received(), segment + b"." + payload + b".c2ln"))


@pytest.mark.parametrize("jws_bytes", [
    b"", b"not a jws", b"a.b", b"a.b.c.d", "é.b.c".encode(), b"\xff\xfe", b"e30.e30.", b"!!.e30.c2ln",
    base64.urlsafe_b64encode(b"[1]").rstrip(b"=") + b".e30.c2ln",
    b'{"payload": "e30", "signatures": []}',
])
def test_malformed_signatures_are_refused(jws_bytes):
    """Data 2.6 s5.b1 (400 for a malformed signature) and s4.b2 (compact serialization)."""
    assert signature_problems(received(), jws_bytes) != []


@pytest.mark.parametrize("payload", [b"not json", b"[1, 2]", b"\xff"])
def test_a_payload_that_is_not_a_statement_is_refused(signer, payload):
    """Data 2.6 s4.b3: the payload is a JSON serialization of the statement."""
    private_key, certificate = signer
    jws_bytes = jws.serialize_compact({"alg": "RS256", "x5c": [certificate]}, payload,
                                      RSAKey.import_key(private_key)).encode()
    assert any("payload" in p for p in signature_problems(received(), jws_bytes))


@pytest.mark.parametrize("x5c", ["not a list", [], ["!!!"], [base64.b64encode(b"not der").decode()]])
def test_an_unreadable_certificate_is_refused(x5c):
    """Data 2.6 s5.b3.b3: a certificate that cannot be read cannot verify the signature."""
    segment = base64.urlsafe_b64encode(json.dumps({"alg": "RS256", "x5c": x5c}).encode()).rstrip(b"=")
    payload = base64.urlsafe_b64encode(json.dumps(ORIGINAL).encode()).rstrip(b"=")
    assert any("x5c" in p for p in signature_problems(received(), segment + b"." + payload + b".c2ln"))


def test_each_signature_part_of_a_statement_is_checked(signer):
    """Data 2.6 s5.b1: a statement whose JWS attachment is malformed is refused; an unsigned one has nothing to
    check."""
    import hashlib

    from lms.xapi.multipart import Part
    from lms.xapi.signature import statement_signature_problems

    private_key, certificate = signer
    good = _sign(ORIGINAL, private_key, {"alg": "RS256", "x5c": [certificate]})
    bad = _sign(merged(ORIGINAL, verb={"id": "http://x.com/other"}), private_key, {"alg": "RS256", "x5c": [certificate]})
    for jws_bytes, expected in ((good, 0), (bad, 1)):
        sha2 = hashlib.sha256(jws_bytes).hexdigest()
        signed = merged(ORIGINAL, attachments=[merged(ATTACHMENT, usageType=SIGNATURE, fileUrl=..., sha2=sha2,
                                                      length=len(jws_bytes), contentType="application/octet-stream")])
        parts = [Part("application/octet-stream", sha2, {}, jws_bytes)]
        assert len(statement_signature_problems(signed, parts)) == expected
    assert statement_signature_problems(ORIGINAL, []) == []
