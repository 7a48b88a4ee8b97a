"""Bulk issue: a cohort's certificates rendered in a process pool, resumable after a crash."""

import logging
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select, update

from lms.audit.service import record
from lms.auth.permissions import Actor
from lms.certificates import service
from lms.certificates.models import Certificate, CertificateBatch, CertificateBatchItem
from lms.dates import utcnow
from lms.enrollments.models import Enrollment
from lms.errors import NotFound
from lms.extensions import db
from lms.learners.models import Learner
from lms.programs.service import get_program
from lms.storage import remove_stale_temp_files, storage_path, write_atomic

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=120)
CHUNK = 40


def create_batch(actor: Actor, program_code: str, fiscal_year: int) -> CertificateBatch:
    """Queue the cohort's completed enrolments that have no issued certificate yet."""
    get_program(program_code)
    issued = select(Certificate.enrollment_id).where(Certificate.status == "issued")
    erased = select(Learner.id).where(Learner.erased_at.is_not(None))  # erasure revoked theirs; none again
    enrollment_ids = list(db.session.scalars(select(Enrollment.id).where(
        Enrollment.program_code == program_code, Enrollment.fiscal_year == fiscal_year,
        Enrollment.status == "completed", Enrollment.id.not_in(issued),
        Enrollment.learner_id.not_in(erased)).order_by(Enrollment.completed_at, Enrollment.id)))
    batch = CertificateBatch(program_code=program_code, fiscal_year=fiscal_year, total=len(enrollment_ids),
                             created_by=actor.id, status="queued" if enrollment_ids else "succeeded")
    db.session.add(batch)
    db.session.flush()
    db.session.add_all(CertificateBatchItem(batch_id=batch.id, enrollment_id=e) for e in enrollment_ids)
    record(actor, "certificate_batch.create", "certificate_batch", batch.id, total=len(enrollment_ids))
    db.session.commit()
    return batch


def get_batch(batch_id: str) -> CertificateBatch:
    batch = db.session.get(CertificateBatch, batch_id)
    if batch is None:
        raise NotFound("No such certificate batch.")
    return batch


def claim_next_batch(worker: str) -> CertificateBatch | None:
    """Take a queued batch, or one whose worker died (lease expired); a guarded update picks one winner."""
    now = utcnow()
    candidate = db.session.scalar(select(CertificateBatch.id).where(
        CertificateBatch.status.in_(("queued", "running")),
        or_(CertificateBatch.lease_until.is_(None), CertificateBatch.lease_until < now),
    ).order_by(CertificateBatch.created_at).limit(1))
    if candidate is None:
        db.session.rollback()  # end the read: an idle worker holds no transaction
        return None
    result = db.session.execute(update(CertificateBatch).where(
        CertificateBatch.id == candidate, CertificateBatch.status.in_(("queued", "running")),
        or_(CertificateBatch.lease_until.is_(None), CertificateBatch.lease_until < now),
    ).values(status="running", lease_until=now + LEASE, started_at=func.coalesce(CertificateBatch.started_at, now)))
    db.session.commit()
    return db.session.get(CertificateBatch, candidate) if result.rowcount == 1 else None


def _render_to_file(context: dict, template: str | None, path: str) -> tuple[str, int]:
    from lms.certificates.render import render_certificate_pdf

    return write_atomic(Path(path), render_certificate_pdf(context, template=template))


def process_batch(batch: CertificateBatch, processes: int = 2, progress=None) -> CertificateBatch:
    """Render every pending item; safe to run again after a crash: issued items are skipped."""
    remove_stale_temp_files(storage_path(current_app.config["STORAGE_DIR"], "certificates"))
    with ProcessPoolExecutor(max_workers=processes) as pool:
        while True:
            items = list(db.session.scalars(select(CertificateBatchItem).where(
                CertificateBatchItem.batch_id == batch.id, CertificateBatchItem.status == "pending")
                .order_by(CertificateBatchItem.id).limit(CHUNK)))
            if not items:
                break
            _process_chunk(batch, items, pool)
            if progress:
                progress(len(items))
    failed = db.session.scalar(select(func.count()).where(CertificateBatchItem.batch_id == batch.id,
                                                          CertificateBatchItem.status == "failed"))
    db.session.execute(update(CertificateBatch).where(CertificateBatch.id == batch.id).values(
        status="failed" if failed == batch.total and failed else "succeeded", failed=failed,
        finished_at=utcnow(), lease_until=None))
    db.session.commit()
    db.session.refresh(batch)
    return batch


def _process_chunk(batch: CertificateBatch, items: list[CertificateBatchItem], pool) -> None:
    certificates = []
    for item in items:  # numbers are taken in one transaction per chunk, in the cohort's order
        certificate = service.live_certificate(item.enrollment_id)
        if certificate is None:
            certificate = service.allocate(db.session.get(Enrollment, item.enrollment_id))
        item.certificate_id = certificate.id
        certificates.append(certificate)
    db.session.execute(update(CertificateBatch).where(CertificateBatch.id == batch.id)
                       .values(lease_until=utcnow() + LEASE))
    db.session.commit()
    work = []  # plain values, so nothing below reloads an expired object while a render is awaited
    for item, certificate in zip(items, certificates, strict=True):
        future = None
        if certificate.status != "issued":
            template = certificate.program_code if service._has_override(certificate.program_code) else None
            future = pool.submit(_render_to_file, service.certificate_context(certificate), template,
                                 str(service.pdf_path(certificate)))
        work.append((item.id, certificate.id, future))
    db.session.commit()  # no transaction (on SQLite, the write lock) is held while the pool renders
    for item_id, certificate_id, future in work:
        # the item, its certificate and the batch's counter change in one transaction, so a worker killed
        # at any point leaves `done` equal to the items marked done
        values = {"status": "done"}
        try:
            if future is not None:
                sha256, size = future.result()
                service.mark_issued(certificate_id, sha256, size)
        except Exception as exc:  # one bad certificate must not stop the cohort
            log.exception("certificate %s failed to render", certificate_id)
            values = {"status": "failed", "error": type(exc).__name__}
        db.session.execute(update(CertificateBatchItem).where(CertificateBatchItem.id == item_id).values(**values))
        db.session.execute(update(CertificateBatch).where(CertificateBatch.id == batch.id).values(
            done=CertificateBatch.done + int(values["status"] == "done"), lease_until=utcnow() + LEASE))
        db.session.commit()


def run_pending_batches(worker: str = "cli", processes: int = 2) -> int:
    """Process every claimable batch; returns how many were processed."""
    count = 0
    while (batch := claim_next_batch(worker)) is not None:
        log.info("processing certificate batch %s (%s items)", batch.id, batch.total)
        process_batch(batch, processes)
        count += 1
    return count


def batch_files(batch: CertificateBatch) -> list[tuple[str, Path]]:
    """(archive name, path) of the batch's issued PDFs."""
    rows = db.session.scalars(select(Certificate).join(
        CertificateBatchItem, CertificateBatchItem.certificate_id == Certificate.id).where(
        CertificateBatchItem.batch_id == batch.id, Certificate.status == "issued").order_by(Certificate.sequence))
    return [(f"{c.certificate_number}.pdf", service.pdf_path(c)) for c in rows]
