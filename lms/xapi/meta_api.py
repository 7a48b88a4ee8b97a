"""The LRS's clients (admin), and the About, Activities and Agents resources (Communication 2.5, 2.6, 2.8)."""

import marshmallow as ma
from flask import jsonify, request
from flask.views import MethodView

from lms.auth.models import ADMIN
from lms.auth.permissions import auth_required, current_actor
from lms.http import PAGE_HEADERS, Blueprint, PageArgsSchema, paged
from lms.idempotency import idempotent
from lms.xapi import activities, clients
from lms.xapi.principal import ALL, SCOPES, VERSION, lrs_auth

blp = Blueprint("xapi_meta", __name__, description="The learning record store (xAPI 1.0.3): its clients, "
                                                   "about, activities and agents")

# the versions this LRS answers (Communication 2.8: "1.0.x" strings); 1.0.0–1.0.2 requests are taken as 1.0.3
VERSIONS = ["1.0.0", "1.0.1", "1.0.2", VERSION]


def _scopes(values: list[str]) -> None:
    if len(set(values)) != len(values):
        raise ma.ValidationError("Scopes must not repeat.")
    if ALL in values and len(values) > 1:
        raise ma.ValidationError('"all" stands alone.')


class ClientCreateSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    scopes = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(SCOPES)), required=True,
                            validate=[ma.validate.Length(min=1, max=len(SCOPES)), _scopes],
                            metadata={"description": '["all"] or a subset of the other scopes'})


class ClientSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    key = ma.fields.String(metadata={"description": "The user part of the client's Basic credentials"})
    scopes = ma.fields.List(ma.fields.String())
    created_at = ma.fields.DateTime()
    revoked_at = ma.fields.DateTime(allow_none=True)


class ClientCreatedSchema(ClientSchema):
    secret = ma.fields.String(metadata={"description": "The password part of the Basic credentials; shown once"})


class ActivityArgsSchema(ma.Schema):
    activityId = ma.fields.String(metadata={"description": "The activity's IRI (required)"})  # noqa: N815


class AgentArgsSchema(ma.Schema):
    agent = ma.fields.String(metadata={"description": "The Agent as JSON (required)"})


OBJECT = {"type": "object", "additionalProperties": True}


@blp.route("/xapi/clients")
class Clients(MethodView):
    @auth_required(ADMIN)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, ClientSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List LRS clients, newest first (never their secrets)."""
        items, total = clients.list_clients(**args)
        return paged(items, total, args)

    @auth_required(ADMIN)
    @idempotent
    @blp.arguments(ClientCreateSchema)
    @blp.response(201, ClientCreatedSchema)
    def post(self, fields):
        """Create an LRS client: its key and secret are Basic credentials for /api/v1/xapi/; the secret is
        shown in this answer only."""
        client, secret = clients.create_client(current_actor(), **fields)
        client.secret = secret  # not a column: in this answer only
        return client


@blp.route("/xapi/clients/<id:client_id>")
class ClientById(MethodView):
    @auth_required(ADMIN)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, client_id):
        """Revoke an LRS client at once: its next request is 401."""
        clients.revoke_client(current_actor(), client_id)


@blp.route("/xapi/about")
class About(MethodView):
    @blp.doc(security=[])
    @blp.response(200, {"type": "object", "properties": {
        "version": {"type": "array", "items": {"type": "string"}}, "extensions": OBJECT}})
    def get(self):
        """About the LRS (Communication 2.8): the xAPI versions it speaks. Public, no version header needed."""
        return jsonify({"version": VERSIONS, "extensions": {}})


@blp.route("/xapi/activities")
class Activities(MethodView):
    @lrs_auth()
    @blp.arguments(ActivityArgsSchema, location="query")
    @blp.response(200, OBJECT)
    def get(self, args):
        """The Activity object with its definition as the LRS knows it (Communication 2.5)."""
        return jsonify(activities.activity_object(activities.parse_activity_id(request.args.get("activityId"))))


@blp.route("/xapi/agents")
class Agents(MethodView):
    @lrs_auth()
    @blp.arguments(AgentArgsSchema, location="query")
    @blp.response(200, OBJECT)
    def get(self, args):
        """The Person object of an agent (Communication 2.6): every identifier and name known, as arrays."""
        return jsonify(activities.person_of(activities.parse_agent(request.args.get("agent"))))
