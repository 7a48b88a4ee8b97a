"""cmi5 endpoints: launching a module's AU, the one-time fetch URL, and the AU packages' static files."""

from pathlib import Path

import marshmallow as ma
from flask import Blueprint as FlaskBlueprint
from flask import abort, current_app, jsonify, send_from_directory
from flask.views import MethodView

from lms.auth.models import ADMIN, LEARNER
from lms.auth.permissions import auth_required, current_actor
from lms.cmi5 import service
from lms.http import Blueprint
from lms.programs.content import PROGRAM_CODE

blp = Blueprint("cmi5", __name__, description="cmi5: launching assignable units and their fetch URL")


class LaunchSchema(ma.Schema):
    url = ma.fields.String(required=True, metadata={
        "description": "The AU's URL with the launch parameters endpoint, fetch, actor, registration and "
                       "activityId (cmi5 8.1): open it in the learner's browser"})
    session_id = ma.fields.String(required=True, metadata={"description": "The launch session's id (cmi5 9.6.3.1)"})


FETCH_RESPONSE = {"type": "object", "description": "`{\"auth-token\": ...}` on the first POST; later ones "
                  "`{\"error-code\": \"1\"|\"2\", \"error-text\": ...}` (cmi5 8.2.3), also with status 200",
                  "properties": {"auth-token": {"type": "string"}, "error-code": {"type": "string"},
                                 "error-text": {"type": "string"}}}


@blp.route("/enrollments/<id:enrollment_id>/modules/<module_code>/launch")
class Launch(MethodView):
    @auth_required(LEARNER)
    @blp.response(201, LaunchSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, enrollment_id, module_code):
        """Launch a cmi5 module (the learner of the active enrolment): a new session, its launch data written
        and `launched` recorded; open the returned URL."""
        return service.launch(current_actor(), enrollment_id, module_code)


class WaiveSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    reason = ma.fields.String(required=True, validate=ma.validate.OneOf(service.WAIVE_REASONS), metadata={
        "description": "cmi5 9.5.5.2: Tested Out, Equivalent AU, Equivalent Outside Activity or Administrative"})


class WaivedSchema(ma.Schema):
    session_id = ma.fields.String(required=True, metadata={"description": "The waiver's own session id (9.3.7)"})
    module_code = ma.fields.String(required=True)
    reason = ma.fields.String(required=True)


@blp.route("/enrollments/<id:enrollment_id>/modules/<module_code>/waive")
class Waive(MethodView):
    @auth_required(ADMIN)
    @blp.arguments(WaiveSchema)
    @blp.response(201, WaivedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields, enrollment_id, module_code):
        """Waive a cmi5 module's AU for the learner (admin): `waived` is recorded once per registration, the AU is
        satisfied and the module completed."""
        return service.waive(current_actor(), enrollment_id, module_code, fields["reason"])


@blp.route("/cmi5/fetch/<key>")
class Fetch(MethodView):
    @blp.doc(security=[])
    @blp.response(200, FETCH_RESPONSE)
    def post(self, key):
        """The launch's one-time fetch URL (cmi5 8.2): the session's auth token, once."""
        return jsonify(service.fetch(key))


content_bp = FlaskBlueprint("cmi5_content", __name__)
CONTENT_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                  "connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'")


@content_bp.get(f"{service.CONTENT_PATH}/<program_code>/{service.CONTENT_FOLDER}/<path:path>")
def content(program_code: str, path: str):
    """An AU package's file, from the programme's cmi5/ folder in course_content/."""
    if not PROGRAM_CODE.fullmatch(program_code):
        abort(404)
    folder = Path(current_app.config["CONTENT_DIR"]) / program_code / service.CONTENT_FOLDER
    response = send_from_directory(folder, path, max_age=300)
    response.headers["Content-Security-Policy"] = CONTENT_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@content_bp.get(f"{service.CONTENT_PATH}/returned")
def returned():
    """Where an AU sends the learner when it terminates (returnURL, cmi5 10.0)."""
    html = ("<!doctype html><html lang=\"ja\"><meta charset=\"utf-8\"><title>学習を終了しました</title>"
            "<main><h1>学習を終了しました</h1><p>このウィンドウを閉じて、受講画面に戻ってください。</p></main></html>")
    return html, 200, {"Content-Type": "text/html; charset=utf-8"}
