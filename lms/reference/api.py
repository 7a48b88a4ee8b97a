"""Public reference data endpoints."""

from flask.views import MethodView

from lms.http import Blueprint
from lms.reference import service
from lms.reference.schemas import BlockSchema, OrganizationSchema, PrefectureSchema, SpecialtySchema

blp = Blueprint("reference", __name__, description="Reference data (public)")


@blp.route("/prefectures")
class Prefectures(MethodView):
    @blp.response(200, PrefectureSchema(many=True))
    def get(self):
        """List the 47 prefectures with their blocks and local-government codes."""
        return service.list_prefectures()


@blp.route("/prefectures/<code>", parameters=[{
    "in": "path", "name": "code", "required": True, "description": "JIS code (13) or local-government code (130001)",
    "schema": {"type": "string", "pattern": r"^(\d{2}|\d{6})$"},
}])
class PrefectureByCode(MethodView):
    @blp.response(200, PrefectureSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, code: str):
        """Get a prefecture by JIS code (`13`) or local-government code (`130001`)."""
        return service.get_prefecture(code)


@blp.route("/blocks")
class Blocks(MethodView):
    @blp.response(200, BlockSchema(many=True))
    def get(self):
        """List the eight regional blocks with their prefecture codes."""
        return service.list_blocks()


@blp.route("/organizations")
class Organizations(MethodView):
    @blp.response(200, OrganizationSchema(many=True))
    def get(self):
        """List the consortium's member organisations."""
        return service.list_organizations()


@blp.route("/specialties")
class Specialties(MethodView):
    @blp.response(200, SpecialtySchema(many=True))
    def get(self):
        """List the 19 basic specialties plus none."""
        return service.list_specialties()
