"""Learner endpoints."""

from functools import wraps

from flask import request
from flask.views import MethodView

from lms.auth.models import ADMIN, LEARNER, ORG_STAFF
from lms.auth.permissions import auth_required, current_actor
from lms.http import PAGE_HEADERS, Blueprint, paged
from lms.idempotency import idempotent
from lms.learners import service
from lms.learners.schemas import (
    ExportSchema,
    LearnerCreateSchema,
    LearnerQueryArgsSchema,
    LearnerRegisterSchema,
    LearnerSchema,
    LearnerUpdateSchema,
)

blp = Blueprint("learners", __name__, description="Learners (personal data)")


def _rate_limited(view):
    """Count the attempt before the body is read: a public endpoint, so there is no role to check first,
    and a client past its limit learns nothing more (not even what the validation rules say)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        service.limit_registration(request.remote_addr)
        return view(*args, **kwargs)

    return wrapper


@blp.route("/learners/register")
class Registration(MethodView):
    @_rate_limited
    @idempotent
    @blp.arguments(LearnerRegisterSchema)
    @blp.response(201, LearnerSchema)
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, fields):
        """Register as a learner (public): creates a login and a profile. Any clash with an existing
        registry number or e-mail address is the same 409; REGISTER_RATE_LIMIT attempts an hour per address."""
        return service.register(fields)


@blp.route("/learners")
class Learners(MethodView):
    @auth_required(ADMIN, ORG_STAFF)
    @blp.arguments(LearnerQueryArgsSchema, location="query")
    @blp.response(200, LearnerSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List learners (org_staff: their organisation's)."""
        items, total = service.list_learners(current_actor(), **args)
        return paged(items, total, args)

    @auth_required(ADMIN, ORG_STAFF)
    @idempotent
    @blp.arguments(LearnerCreateSchema)
    @blp.response(201, LearnerSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields):
        """Create a learner profile (no login)."""
        return service.create_learner(current_actor(), fields)


@blp.route("/learners/me")
class Me(MethodView):
    @auth_required(LEARNER)
    @blp.response(200, LearnerSchema)
    def get(self):
        """The caller's profile."""
        return service.own_profile(current_actor())

    @auth_required(LEARNER)
    @blp.arguments(LearnerUpdateSchema)
    @blp.response(200, LearnerSchema)
    def patch(self, fields):
        """Change the caller's profile."""
        return service.update_me(current_actor(), fields)


@blp.route("/learners/me/export")
class MyExport(MethodView):
    @auth_required(LEARNER)
    @blp.response(200, ExportSchema)
    def get(self):
        """Everything held about the caller (APPI disclosure)."""
        return service.export_me(current_actor())


@blp.route("/learners/<id:learner_id>")
class LearnerById(MethodView):
    @auth_required(ADMIN, ORG_STAFF)
    @blp.response(200, LearnerSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, learner_id):
        """Get a learner (audited)."""
        return service.get_learner(current_actor(), learner_id)


@blp.route("/learners/<id:learner_id>/erase")
class Erasure(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, LearnerSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, learner_id):
        """Erase a learner's personal data; enrolments stay countable."""
        return service.erase(current_actor(), learner_id)
