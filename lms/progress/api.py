"""Progress endpoints: module progress (REST; xAPI statements arrive through lms.xapi), the progress summary,
OJT hour logs."""

from flask import request
from flask.views import MethodView

from lms.auth.models import ADMIN, LEARNER, ORG_STAFF, SUPERVISOR
from lms.auth.permissions import auth_required, current_actor
from lms.http import PAGE_HEADERS, Blueprint, PageArgsSchema, paged
from lms.idempotency import idempotent
from lms.progress import ojt_logs, service
from lms.progress.schemas import (
    ModuleProgressSchema,
    ModuleProgressUpdateSchema,
    OjtLogCreateSchema,
    OjtLogQueryArgsSchema,
    OjtLogSchema,
    OjtLogUpdateSchema,
    OjtReviewSchema,
    ProgressSchema,
)

blp = Blueprint("progress", __name__, description="Progress: modules, OJT hours, completion")

ETAG_HEADERS = {"ETag": {"description": "The log's version; send it as `If-Match` to change or review "
                                        "exactly what was read", "schema": {"type": "string"}}}
IF_MATCH = {"in": "header", "name": "If-Match", "required": False, "schema": {"type": "string"},
            "description": "The `ETag` of the log as read: 412 if it changed since (optimistic concurrency)"}


@blp.route("/enrollments/<id:enrollment_id>/modules/<module_code>")
class ModuleProgressByCode(MethodView):
    @auth_required(ADMIN, LEARNER)
    @blp.arguments(ModuleProgressUpdateSchema)
    @blp.response(200, ModuleProgressSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def put(self, fields, enrollment_id, module_code):
        """Record progress in a module: idempotent, keeps the best score and the first completion."""
        return service.record_module(current_actor(), enrollment_id, module_code, fields)


@blp.route("/enrollments/<id:enrollment_id>/progress")
class Progress(MethodView):
    @auth_required(ADMIN, ORG_STAFF, LEARNER, SUPERVISOR)
    @blp.response(200, ProgressSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, enrollment_id):
        """An enrolment's progress: modules, approved OJT hours, and what is missing for completion."""
        return service.progress(current_actor(), enrollment_id)


@blp.route("/placements/<id:placement_id>/ojt-logs")
class PlacementOjtLogs(MethodView):
    @auth_required(ADMIN, ORG_STAFF, LEARNER, SUPERVISOR)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, OjtLogSchema(many=True), headers=PAGE_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args, placement_id):
        """A placement's OJT logs (the learner, the site's supervisor, the organisation's staff, admin)."""
        items, total = ojt_logs.list_placement_logs(current_actor(), placement_id, **args)
        return paged(items, total, args)

    @auth_required(LEARNER)
    @idempotent
    @blp.arguments(OjtLogCreateSchema)
    @blp.response(201, OjtLogSchema, headers=ETAG_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields, placement_id):
        """Log OJT hours on one day of the caller's placement (0.5–12 in 0.5 steps, 24 a day at most)."""
        return _with_etag(ojt_logs.create_log(current_actor(), placement_id, fields))


def _with_etag(log):
    return log, {"ETag": ojt_logs.etag(log)}


@blp.route("/ojt-logs")
class OjtLogs(MethodView):
    @auth_required(ADMIN, ORG_STAFF, LEARNER, SUPERVISOR)
    @blp.arguments(OjtLogQueryArgsSchema, location="query")
    @blp.response(200, OjtLogSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """OJT logs the caller may see; `status=pending` is a supervisor's review queue."""
        items, total = ojt_logs.list_logs(current_actor(), **args)
        return paged(items, total, args)


@blp.route("/ojt-logs/<id:log_id>")
class OjtLogById(MethodView):
    @auth_required(ADMIN, ORG_STAFF, LEARNER, SUPERVISOR)
    @blp.response(200, OjtLogSchema, headers=ETAG_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, log_id):
        """An OJT log, with its `ETag`."""
        return _with_etag(ojt_logs.get_log(current_actor(), log_id))

    @auth_required(LEARNER)
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(OjtLogUpdateSchema)
    @blp.response(200, OjtLogSchema, headers=ETAG_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def patch(self, fields, log_id):
        """Correct a pending or rejected log (it is reviewed again); an approved log cannot change.
        With `If-Match`, only the version read is changed."""
        return _with_etag(ojt_logs.update_log(current_actor(), log_id, fields,
                                              if_match=request.headers.get("If-Match")))


@blp.route("/ojt-logs/<id:log_id>/review")
class OjtLogReview(MethodView):
    @auth_required(ADMIN, SUPERVISOR)
    @blp.doc(parameters=[IF_MATCH])
    @blp.arguments(OjtReviewSchema)
    @blp.response(200, OjtLogSchema, headers=ETAG_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(412, response="PRECONDITION_FAILED")
    def post(self, fields, log_id):
        """Approve or reject an OJT log (the site's supervisor or admin); only approved hours count.
        With `If-Match`, the decision holds only for the version the reviewer saw."""
        return _with_etag(ojt_logs.review_log(current_actor(), log_id, fields["decision"], fields.get("comment"),
                                              if_match=request.headers.get("If-Match")))
