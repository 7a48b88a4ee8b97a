"""Enrolment endpoints."""

from flask.views import MethodView

from lms.auth.models import ADMIN, LEARNER, ORG_STAFF, SUPERVISOR
from lms.auth.permissions import auth_required, current_actor
from lms.enrollments import service
from lms.enrollments.schemas import (
    EnrollmentCreateSchema,
    EnrollmentQueryArgsSchema,
    EnrollmentSchema,
    TransitionSchema,
)
from lms.http import PAGE_HEADERS, Blueprint, paged
from lms.idempotency import idempotent

blp = Blueprint("enrollments", __name__, description="Enrolments and their life cycle")


@blp.route("/enrollments")
class Enrollments(MethodView):
    @auth_required(ADMIN, ORG_STAFF, LEARNER, SUPERVISOR)
    @blp.arguments(EnrollmentQueryArgsSchema, location="query")
    @blp.response(200, EnrollmentSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List the enrolments the caller may see."""
        items, total = service.list_enrollments(current_actor(), **args)
        return paged(items, total, args)

    @auth_required(ADMIN, ORG_STAFF, LEARNER)
    @idempotent
    @blp.arguments(EnrollmentCreateSchema)
    @blp.response(201, EnrollmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields):
        """Apply to a programme (learner for self; staff for a learner)."""
        return service.apply(current_actor(), **fields)


@blp.route("/enrollments/<id:enrollment_id>")
class EnrollmentById(MethodView):
    @auth_required(ADMIN, ORG_STAFF, LEARNER, SUPERVISOR)
    @blp.response(200, EnrollmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, enrollment_id):
        """Get an enrolment."""
        return service.get_enrollment(current_actor(), enrollment_id)


@blp.route("/enrollments/<id:enrollment_id>/transitions")
class Transitions(MethodView):
    @auth_required(ADMIN, ORG_STAFF, LEARNER)
    @blp.arguments(TransitionSchema)
    @blp.response(200, EnrollmentSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields, enrollment_id):
        """Move an enrolment: approve, reject, suspend, reactivate, withdraw (complete: admin)."""
        return service.transition(current_actor(), enrollment_id, fields["to"], fields.get("reason"))
