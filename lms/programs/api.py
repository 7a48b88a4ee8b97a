"""Programme endpoints (public)."""

from flask.views import MethodView

from lms.http import Blueprint
from lms.programs import service
from lms.programs.schemas import ModuleDetailSchema, ProgramQueryArgsSchema, ProgramSchema

blp = Blueprint("programs", __name__, description="Programmes (public)")


@blp.route("/programs")
class Programs(MethodView):
    @blp.response(200, ProgramSchema(many=True))
    def get(self):
        """List the current version of every programme."""
        return service.list_programs()


@blp.route("/programs/<code>")
class ProgramByCode(MethodView):
    @blp.arguments(ProgramQueryArgsSchema, location="query")
    @blp.response(200, ProgramSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args, code):
        """Get a programme (current version, or `?version=`)."""
        return service.get_program(code, args.get("version"))


@blp.route("/programs/<code>/modules/<module_code>")
class ProgramModuleByCode(MethodView):
    @blp.arguments(ProgramQueryArgsSchema, location="query")
    @blp.response(200, ModuleDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args, code, module_code):
        """Get one module with its text."""
        return service.get_module(code, module_code, args.get("version"))
