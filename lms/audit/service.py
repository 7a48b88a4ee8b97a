"""Recording and listing audit events."""

from datetime import datetime

from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.pagination import paginate


def record(actor, action: str, object_type: str | None = None, object_id: str | None = None,
           *, ip: str | None = None, **details) -> AuditEvent:
    """Add an audit event to the current transaction; the caller's commit keeps both or neither."""
    if ip is None:
        ip = _request_ip()
    event = AuditEvent(
        actor_id=getattr(actor, "id", None), actor_role=getattr(actor, "role", None), action=action,
        object_type=object_type, object_id=object_id, ip=ip, details=details,
    )
    db.session.add(event)
    return event


def _request_ip() -> str | None:
    from flask import has_request_context, request

    return request.remote_addr if has_request_context() else None


def list_events(*, action: str | None = None, actor_id: str | None = None, object_type: str | None = None,
                object_id: str | None = None, since: datetime | None = None, until: datetime | None = None,
                page: int = 1, per_page: int = 50) -> tuple[list[AuditEvent], int]:
    query = select(AuditEvent)
    for column, value in ((AuditEvent.action, action), (AuditEvent.actor_id, actor_id),
                          (AuditEvent.object_type, object_type), (AuditEvent.object_id, object_id)):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(AuditEvent.occurred_at >= since)
    if until is not None:
        query = query.where(AuditEvent.occurred_at < until)
    return paginate(query, page=page, per_page=per_page, order_by=(AuditEvent.occurred_at.desc(), AuditEvent.id))
