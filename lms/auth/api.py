"""Token and user endpoints."""

from flask import g
from flask.views import MethodView

from lms.auth import service
from lms.auth.models import ADMIN
from lms.auth.permissions import auth_required, current_actor
from lms.auth.schemas import LoginSchema, TokenSchema, UserCreateSchema, UserSchema
from lms.http import Blueprint
from lms.idempotency import idempotent

blp = Blueprint("auth", __name__, description="Tokens and users")


@blp.route("/auth/token")
class Tokens(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(429, response="TOO_MANY_REQUESTS")
    def post(self, credentials):
        """Log in with e-mail and password; returns a bearer token."""
        return service.login(credentials["email"], credentials["password"])

    @auth_required()
    @blp.response(204)
    def delete(self):
        """Revoke the caller's token."""
        service.logout(current_actor(), g.token_id)


@blp.route("/users")
class Users(MethodView):
    @auth_required(ADMIN)
    @idempotent
    @blp.arguments(UserCreateSchema)
    @blp.response(201, UserSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields):
        """Create a user with a role and scope."""
        return service.create_user(current_actor(), **fields)
