"""The certificate worker's single certificates: those allocated when an enrolment completed, rendered off
the request path under a lease, so two workers never render one certificate."""

import logging
from datetime import timedelta

from sqlalchemy import or_, select, update

from lms.certificates import service
from lms.certificates.models import Certificate, CertificateBatchItem
from lms.dates import utcnow
from lms.extensions import db

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)


def claim_pending_certificate() -> Certificate | None:
    """Take the oldest pending certificate that no batch is rendering and no live lease holds."""
    now = utcnow()
    in_batches = select(CertificateBatchItem.certificate_id).where(
        CertificateBatchItem.status == "pending", CertificateBatchItem.certificate_id.is_not(None))
    claimable = (Certificate.status == "pending", Certificate.id.not_in(in_batches),
                 or_(Certificate.render_lease_until.is_(None), Certificate.render_lease_until < now))
    candidates = db.session.scalars(select(Certificate.id).where(*claimable)
                                    .order_by(Certificate.created_at, Certificate.id).limit(10)).all()
    for certificate_id in candidates:
        claimed = db.session.execute(update(Certificate).where(Certificate.id == certificate_id, *claimable)
                                     .values(render_lease_until=now + LEASE))
        db.session.commit()
        if claimed.rowcount == 1:
            return db.session.get(Certificate, certificate_id)
    db.session.rollback()  # end the read: an idle worker holds no transaction
    return None


def render_pending_certificates(limit: int | None = None) -> int:
    """Render claimable pending certificates one by one; the number rendered. A failure is logged and its
    lease runs out, so another pass tries again."""
    rendered = 0
    while (limit is None or rendered < limit) and (certificate := claim_pending_certificate()) is not None:
        try:
            service.render_and_store(certificate)
            rendered += 1
        except Exception:
            db.session.rollback()
            log.exception("certificate %s failed to render", certificate.id)
    return rendered
