"""Issuing, reading, revoking and reissuing certificates."""

import logging
from datetime import date
from decimal import Decimal
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.audit.service import record
from lms.auth.models import ADMIN, LEARNER
from lms.auth.permissions import Actor
from lms.certificates.models import Certificate, CertificateBatchItem
from lms.certificates.numbers import format_number, new_verification_code, next_sequence
from lms.certificates.schemas import CertificateSchema
from lms.dates import JST, fiscal_year, utcnow
from lms.enrollments.models import Enrollment
from lms.errors import Conflict, NotFound
from lms.extensions import db
from lms.learners.models import Learner
from lms.ojt.models import Placement
from lms.pagination import paginate
from lms.programs.catalogue import version_info
from lms.progress.models import ModuleProgress, OjtLog
from lms.storage import storage_path, write_atomic
from lms.transactions import guarded_update

log = logging.getLogger(__name__)


ERASED = "The learner's personal data was erased; no certificate is issued for them."
ERASED_REASON = "erased"


def _holder_name(learner: Learner) -> str:
    return f"{learner.family_name} {learner.given_name}"


def certificate_context(certificate: Certificate) -> dict:
    """Plain values for the template: nothing from the ORM reaches Jinja."""
    enrollment = db.session.get(Enrollment, certificate.enrollment_id)
    # only what was done: an admin may complete an enrolment whose work was credited elsewhere
    modules, hours = completed_work(enrollment)
    base = current_app.config["PUBLIC_BASE_URL"]
    return {
        "holder_name": certificate.holder_name,
        "program_title": certificate.program_title,
        "modules": modules,
        "ojt_hours": hours,
        "completed_on": certificate.completed_on,
        "issued_on": utcnow().astimezone(JST).date(),
        "certificate_number": certificate.certificate_number,
        "verification_code": certificate.verification_code,
        "verification_url": f"{base}/verify/{certificate.verification_code}",
    }


def completed_work(enrollment: Enrollment) -> tuple[list[str], float]:
    """Titles of the modules done and the approved OJT hours: what the certificate says was completed."""
    done_codes = set(db.session.scalars(select(ModuleProgress.module_code).where(
        ModuleProgress.enrollment_id == enrollment.id, ModuleProgress.done_at.is_not(None))))
    titles = [m.title_ja for m in version_info(enrollment.program_version_id).modules if m.code in done_codes]
    hours = db.session.scalar(select(func.coalesce(func.sum(OjtLog.hours), 0)).join(
        Placement, Placement.id == OjtLog.placement_id).where(
        Placement.enrollment_id == enrollment.id, OjtLog.status == "approved"))
    return titles, float(Decimal(hours))


def _pdf_path(certificate: Certificate) -> Path:
    name = f"certificates/{certificate.fiscal_year}/{certificate.certificate_number}-r{certificate.revision}.pdf"
    return storage_path(current_app.config["STORAGE_DIR"], name)


def pdf_path(certificate: Certificate) -> Path:
    return _pdf_path(certificate)


def allocate(enrollment: Enrollment, *, replaces: Certificate | None = None) -> Certificate:
    """Add a pending certificate with its number (new, or the replaced one's) to the transaction."""
    learner = db.session.get(Learner, enrollment.learner_id)
    if learner.erased_at is not None:
        raise Conflict(ERASED)
    completed_on: date = enrollment.completed_at.astimezone(JST).date()
    if replaces is None:
        year = fiscal_year(completed_on)
        sequence, revision = next_sequence(year), 1
    else:
        year, sequence, revision = replaces.fiscal_year, replaces.sequence, replaces.revision + 1
    certificate = Certificate(
        enrollment_id=enrollment.id, learner_id=learner.id, program_code=enrollment.program_code,
        fiscal_year=year, sequence=sequence, revision=revision, certificate_number=format_number(year, sequence),
        verification_code=new_verification_code(), status="pending", holder_name=_holder_name(learner),
        program_title=version_info(enrollment.program_version_id).title_ja, completed_on=completed_on,
        replaces_id=replaces.id if replaces else None,
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def mark_issued(certificate_id: str, sha256: str, size: int) -> None:
    """Mark a pending certificate issued once its PDF is in place; the caller commits. A certificate whose
    holder was erased while it rendered stays revoked, and the file just written is deleted."""
    result = db.session.execute(
        update(Certificate).where(Certificate.id == certificate_id, Certificate.status == "pending")
        .values(status="issued", sha256=sha256, pdf_bytes=size, issued_at=utcnow()))
    if result.rowcount == 0:
        certificate = db.session.get(Certificate, certificate_id, populate_existing=True)
        if certificate is not None and certificate.holder_name is None:
            _pdf_path(certificate).unlink(missing_ok=True)


def finalize(certificate: Certificate, sha256: str, size: int) -> None:
    """Mark a pending certificate issued once its PDF is in place, and commit."""
    mark_issued(certificate.id, sha256, size)
    db.session.commit()
    db.session.refresh(certificate)


def render_and_store(certificate: Certificate) -> Certificate:
    from lms.certificates.render import render_certificate_pdf

    template = certificate.program_code if _has_override(certificate.program_code) else None
    context, path = certificate_context(certificate), _pdf_path(certificate)
    db.session.commit()  # plain values from here: no transaction (on SQLite, the write lock) while rendering
    sha256, size = write_atomic(path, render_certificate_pdf(context, template=template))
    finalize(certificate, sha256, size)
    return certificate


def _has_override(program_code: str) -> bool:
    from lms.certificates.render import CERTIFICATES_DIR

    return (CERTIFICATES_DIR / program_code / "certificate.html").is_file()


def live_certificate(enrollment_id: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(
        Certificate.enrollment_id == enrollment_id, Certificate.status.in_(("pending", "issued"))))


def issue(actor: Actor | None, enrollment_id: str) -> Certificate:
    """Issue the certificate of a completed enrolment; issuing again returns the same one."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    if enrollment is None:
        raise NotFound("No such enrolment.")
    if enrollment.status != "completed" or enrollment.completed_at is None:
        raise Conflict("Only a completed enrolment has a certificate.")
    certificate = live_certificate(enrollment_id)
    if certificate is None:
        try:
            certificate = allocate(enrollment)
            record(actor, "certificate.allocate", "certificate", certificate.id,
                   number=certificate.certificate_number)
            db.session.commit()
        except IntegrityError:
            # another request issued it first; its number stands and ours was rolled back with the counter
            db.session.rollback()
            certificate = live_certificate(enrollment_id)
    if certificate.status == "pending":
        render_and_store(certificate)
    return certificate


def allocate_on_completion(enrollment_id: str) -> None:
    """Receiver of `enrollment_completed`: a pending certificate, numbered in the completing transaction;
    the certificate worker renders it (`lms certificates process-batches`). An erased learner gets none."""
    enrollment = db.session.get(Enrollment, enrollment_id)
    learner = db.session.get(Learner, enrollment.learner_id)
    if learner.erased_at is not None:
        return
    certificate = allocate(enrollment)
    record(None, "certificate.allocate", "certificate", certificate.id, number=certificate.certificate_number)


def visible_certificate(actor: Actor, certificate_id: str) -> Certificate:
    query = select(Certificate).where(Certificate.id == certificate_id)
    if actor.role == LEARNER:
        query = query.join(Learner, Learner.id == Certificate.learner_id).where(Learner.user_id == actor.id)
    elif actor.role != ADMIN:
        query = query.where(False)
    certificate = db.session.scalar(query)
    if certificate is None:
        raise NotFound("No such certificate.")
    return certificate


def list_certificates(actor: Actor, *, page: int, per_page: int, **filters) -> tuple[list[Certificate], int]:
    query = select(Certificate)
    if actor.role == LEARNER:
        query = query.join(Learner, Learner.id == Certificate.learner_id).where(Learner.user_id == actor.id)
    for name, value in filters.items():
        query = query.where(getattr(Certificate, name) == value)
    return paginate(query, page=page, per_page=per_page, order_by=(Certificate.created_at.desc(), Certificate.id))


def read_pdf(actor: Actor, certificate_id: str) -> tuple[Certificate, Path]:
    certificate = visible_certificate(actor, certificate_id)
    path = _pdf_path(certificate)
    if certificate.holder_name is None:
        raise NotFound("The certificate's PDF was deleted with its holder's personal data.")
    if certificate.sha256 is None or not path.is_file():
        raise Conflict("The certificate's PDF is not ready yet.")
    record(actor, "certificate.download", "certificate", certificate.id)
    db.session.commit()
    return certificate, path


def revoke(actor: Actor, certificate_id: str, reason: str) -> Certificate:
    certificate = visible_certificate(actor, certificate_id)
    guarded_update(Certificate, certificate.id, "issued",
                   {"status": "revoked", "revoked_at": utcnow(), "revoked_reason": reason},
                   lambda: Conflict(f"A {certificate.status} certificate cannot be revoked."))
    record(actor, "certificate.revoke", "certificate", certificate.id)
    db.session.commit()
    db.session.refresh(certificate)
    return certificate


def reissue(actor: Actor, certificate_id: str) -> Certificate:
    """A new PDF with the same number (e.g. after a name change); the old one becomes superseded."""
    old = visible_certificate(actor, certificate_id)
    guarded_update(Certificate, old.id, "issued", {"status": "superseded", "superseded_at": utcnow()},
                   lambda: Conflict(f"A {old.status} certificate cannot be reissued."))
    enrollment = db.session.get(Enrollment, old.enrollment_id)
    new = allocate(enrollment, replaces=old)
    record(actor, "certificate.reissue", "certificate", new.id, replaces=old.id)
    db.session.commit()
    return render_and_store(new)


def learner_records(learner: Learner) -> list[dict]:
    """The learner's certificates, for their export."""
    rows = db.session.scalars(select(Certificate).where(Certificate.learner_id == learner.id))
    return CertificateSchema(many=True).dump(rows)


def erase_holder(learner: Learner, _values: frozenset[str]) -> list[Path]:
    """Erasure: the learner's live certificates are revoked (reason `erased`), no row keeps their name, and
    every PDF of theirs is to be deleted (batch ZIPs are built from issued PDFs on download, so none holds
    them any more). Their pending batch items fail rather than issue a certificate to no one."""
    now = utcnow()
    db.session.execute(update(Certificate).where(
        Certificate.learner_id == learner.id, Certificate.status.in_(("pending", "issued")))
        .values(status="revoked", revoked_at=now, revoked_reason=ERASED_REASON))
    db.session.execute(update(Certificate).where(Certificate.learner_id == learner.id)
                       .values(holder_name=None))
    db.session.execute(update(CertificateBatchItem).where(
        CertificateBatchItem.status == "pending",
        CertificateBatchItem.enrollment_id.in_(select(Enrollment.id).where(Enrollment.learner_id == learner.id)))
        .values(status="failed", error=ERASED_REASON))
    rows = db.session.scalars(select(Certificate).where(Certificate.learner_id == learner.id)
                              .execution_options(populate_existing=True))
    return [_pdf_path(c) for c in rows]
