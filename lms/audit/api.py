"""Audit log endpoint (admin)."""

from flask.views import MethodView

from lms.audit import service
from lms.audit.schemas import AuditEventSchema, AuditQueryArgsSchema
from lms.auth.models import ADMIN
from lms.auth.permissions import auth_required
from lms.http import PAGE_HEADERS, Blueprint, paged

blp = Blueprint("audit", __name__, description="Audit log")


@blp.route("/audit-events")
class AuditEvents(MethodView):
    @auth_required(ADMIN)
    @blp.arguments(AuditQueryArgsSchema, location="query")
    @blp.response(200, AuditEventSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List audit events, newest first."""
        items, total = service.list_events(**args)
        return paged(items, total, args)
