"""Public verification: by code, or by the SHA-256 of an uploaded PDF."""

import hashlib

from flask import current_app
from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.certificates.numbers import normalise_code
from lms.errors import NotFound
from lms.extensions import db
from lms.ratelimit import hit

PUBLIC_STATUS = {"issued": "valid", "revoked": "revoked", "superseded": "superseded"}


def limit(ip: str | None) -> None:
    hit(f"verify:{ip}", current_app.config["VERIFY_RATE_LIMIT"], 60)


def by_code(code: str) -> dict:
    certificate = db.session.scalar(select(Certificate).where(
        Certificate.verification_code == normalise_code(code)[:20], Certificate.status != "pending"))
    if certificate is None:
        raise NotFound("No certificate has this verification code.")
    return {
        "status": PUBLIC_STATUS[certificate.status],
        "certificate_number": certificate.certificate_number,
        "holder_name": certificate.holder_name,
        "program_title": certificate.program_title,
        "completed_on": certificate.completed_on,
        "issued_at": certificate.issued_at,
        "revoked_at": certificate.revoked_at,
        "revoked_reason": certificate.revoked_reason,
        "superseded_at": certificate.superseded_at,
    }


def by_file(data: bytes) -> dict:
    digest = hashlib.sha256(data).hexdigest()
    certificate = db.session.scalar(select(Certificate).where(Certificate.sha256 == digest))
    if certificate is None:
        return {"authentic": False}
    return {"authentic": True, "status": PUBLIC_STATUS[certificate.status],
            "certificate_number": certificate.certificate_number}
