"""OJT endpoints: the site registry and its import, placements, matching rounds."""

from flask import current_app, request, url_for
from flask.views import MethodView
from werkzeug.exceptions import UnsupportedMediaType

from lms.auth.models import ADMIN, LEARNER, OFFICIAL, ORG_STAFF, SUPERVISOR
from lms.auth.permissions import auth_required, current_actor
from lms.errors import Invalid
from lms.http import PAGE_HEADERS, Blueprint, paged
from lms.idempotency import idempotent
from lms.ojt import imports, placements, round_run, rounds, sites
from lms.ojt.round_schemas import (
    MatchingResultSchema,
    MyMatchingAssignmentSchema,
    PreferenceInSchema,
    PreferenceQueryArgsSchema,
    PreferenceSchema,
    PublishResultSchema,
    RankingInSchema,
    RankingSchema,
    RoundCreateSchema,
    RoundQueryArgsSchema,
    RoundSchema,
)
from lms.ojt.schemas import (
    PlacementCancelSchema,
    PlacementCreateSchema,
    PlacementQueryArgsSchema,
    PlacementSchema,
    SiteCreateSchema,
    SiteImportQueryArgsSchema,
    SiteImportSchema,
    SiteQueryArgsSchema,
    SiteSchema,
    SiteSupervisorSchema,
    SiteUpdateSchema,
    SiteUploadSchema,
)
from lms.security import body_limit

blp = Blueprint("ojt", __name__, description="OJT sites, placements and matching rounds")
ANYONE = (ADMIN, ORG_STAFF, OFFICIAL, SUPERVISOR, LEARNER)
# webargs ignores unknown query parameters by default; None lets the schemas' RAISE apply
QUERY = {"location": "query", "unknown": None}
IMPORT_FORMAT = (
    "A multipart field `file`, or the CSV as a text/csv body. UTF-8 with or without BOM, or Shift_JIS "
    "(cp932). Headers in English or Japanese: external_code/施設コード, name/施設名, kind/種別 (病院, 診療所, "
    "介護老人保健施設, その他), prefecture_code/都道府県コード, secondary_medical_area/二次医療圏, "
    "shortage_area/医師少数区域 (1/0, ○/×, 該当/非該当), annual_capacity/年間受入上限, "
    "activities/OJT内容 (外来、訪問診療、病棟、救急、地域包括ケア、その他). Other columns are ignored.")
CSV_BODY = {"requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}}}
# what spreadsheets and HTTP clients label a CSV file with ("" for no body at all, refused later as empty)
CSV_TYPES = ("text/csv", "text/plain", "text/tab-separated-values", "application/csv", "application/vnd.ms-excel",
             "application/octet-stream", "")


def _csv_body(files: dict):
    """The uploaded file's stream or the raw body's, unread; a JSON or form body is 415."""
    if "file" in files:
        return files["file"].stream
    if request.mimetype == "multipart/form-data":
        raise Invalid(errors={"files": {"file": ["Missing data for required field."]}})
    if request.mimetype not in CSV_TYPES:
        raise UnsupportedMediaType("Send the CSV as a text/csv body or as the multipart field `file`.")
    return request.stream


@blp.route("/ojt-sites")
class Sites(MethodView):
    @blp.arguments(SiteQueryArgsSchema, **QUERY)
    @blp.response(200, SiteSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List OJT sites (public), by prefecture, kind, activity and 医師少数区域."""
        items, total = sites.list_sites(**args)
        return paged(items, total, args)

    @auth_required(ADMIN)
    @idempotent
    @blp.arguments(SiteCreateSchema)
    @blp.response(201, SiteSchema)
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields):
        """Register an OJT site."""
        return sites.create_site(current_actor(), fields)


@blp.route("/ojt-sites/import")
class SiteImports(MethodView):
    @body_limit("OJT_IMPORT_MAX_BYTES")
    @auth_required(ADMIN)
    @idempotent
    @blp.arguments(SiteUploadSchema, location="files", description=IMPORT_FORMAT)
    @blp.doc(**CSV_BODY)
    @blp.response(202, SiteImportSchema)
    @blp.alt_response(413, response="REQUEST_ENTITY_TOO_LARGE")
    @blp.alt_response(415, response="UNSUPPORTED_MEDIA_TYPE")
    def post(self, files):
        """Queue a CSV import of sites (upsert by external code, every row or none); poll its job."""
        job = imports.queue_import(current_actor(), _csv_body(files), current_app.config["OJT_IMPORT_MAX_BYTES"])
        return job, 202, {"Location": url_for("ojt.SiteImportById", import_id=job.id)}


@blp.route("/ojt-site-imports")
class SiteImportList(MethodView):
    @auth_required(ADMIN)
    @blp.arguments(SiteImportQueryArgsSchema, **QUERY)
    @blp.response(200, SiteImportSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List site imports, newest first."""
        items, total = imports.list_imports(**args)
        return paged(items, total, args)


@blp.route("/ojt-site-imports/<id:import_id>")
class SiteImportById(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, SiteImportSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, import_id):
        """A site import's status and progress (done of total lines), counts, and each bad line."""
        return imports.get_import(import_id)


@blp.route("/ojt-sites/<id:site_id>")
class SiteById(MethodView):
    @blp.response(200, SiteSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, site_id):
        """Get an OJT site (public)."""
        return sites.get_site(site_id)

    @auth_required(ADMIN)
    @blp.arguments(SiteUpdateSchema)
    @blp.response(200, SiteSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def patch(self, fields, site_id):
        """Change an OJT site."""
        return sites.update_site(current_actor(), site_id, fields)


@blp.route("/ojt-sites/<id:site_id>/supervisors")
class SiteSupervisors(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, SiteSupervisorSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, site_id):
        """List the site's supervisors (指導医 accounts)."""
        return sites.list_supervisors(site_id)


@blp.route("/placements")
class Placements(MethodView):
    @auth_required(ADMIN, ORG_STAFF, SUPERVISOR, LEARNER)
    @blp.arguments(PlacementQueryArgsSchema, **QUERY)
    @blp.response(200, PlacementSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List the placements the caller may see."""
        items, total = placements.list_placements(current_actor(), **args)
        return paged(items, total, args)

    @auth_required(ADMIN, ORG_STAFF)
    @idempotent
    @blp.arguments(PlacementCreateSchema)
    @blp.response(201, PlacementSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields):
        """Place an active enrolment at a site within one fiscal year; 409 when the site is full."""
        return placements.create_placement(current_actor(), **fields)


@blp.route("/placements/<id:placement_id>")
class PlacementById(MethodView):
    @auth_required(ADMIN, ORG_STAFF, SUPERVISOR, LEARNER)
    @blp.response(200, PlacementSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, placement_id):
        """Get a placement."""
        return placements.get_placement(current_actor(), placement_id)


@blp.route("/placements/<id:placement_id>/cancel")
class PlacementCancel(MethodView):
    @auth_required(ADMIN, ORG_STAFF)
    @blp.arguments(PlacementCancelSchema)
    @blp.response(200, PlacementSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, fields, placement_id):
        """Cancel a placement, freeing its seat."""
        return placements.cancel_placement(current_actor(), placement_id, fields.get("reason"))


@blp.route("/matching-rounds")
class Rounds(MethodView):
    @auth_required(*ANYONE)
    @blp.arguments(RoundQueryArgsSchema, **QUERY)
    @blp.response(200, RoundSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List matching rounds."""
        items, total = rounds.list_rounds(**args)
        return paged(items, total, args)

    @auth_required(ADMIN)
    @idempotent
    @blp.arguments(RoundCreateSchema)
    @blp.response(201, RoundSchema)
    def post(self, fields):
        """Open a matching round for a fiscal year, optionally with regional caps."""
        return rounds.create_round(current_actor(), **fields)


@blp.route("/matching-rounds/<id:round_id>")
class RoundById(MethodView):
    @auth_required(*ANYONE)
    @blp.response(200, RoundSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, round_id):
        """Get a matching round."""
        return rounds.get_round(round_id)


@blp.route("/matching-rounds/<id:round_id>/preferences")
class Preferences(MethodView):
    @auth_required(ADMIN, LEARNER)
    @blp.arguments(PreferenceQueryArgsSchema, **QUERY)
    @blp.response(200, PreferenceSchema(many=True), headers=PAGE_HEADERS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args, round_id):
        """List submitted preferences (a learner sees their own)."""
        items, total = rounds.list_preferences(current_actor(), round_id, **args)
        return paged(items, total, args)

    @auth_required(LEARNER, ADMIN)
    @blp.arguments(PreferenceInSchema)
    @blp.response(200, PreferenceSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def put(self, fields, round_id):
        """Submit an active enrolment's ranked list of sites (at most 20)."""
        return rounds.set_preferences(current_actor(), round_id, **fields)


@blp.route("/matching-rounds/<id:round_id>/rankings/<id:site_id>")
class Rankings(MethodView):
    @auth_required(SUPERVISOR, ADMIN)
    @blp.response(200, RankingSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, round_id, site_id):
        """The site's applicants and the order a run will use."""
        return rounds.get_ranking(current_actor(), round_id, site_id)

    @auth_required(SUPERVISOR, ADMIN)
    @blp.arguments(RankingInSchema)
    @blp.response(200, RankingSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def put(self, fields, round_id, site_id):
        """Rank the site's applicants (its supervisor or an admin); those left out are not acceptable."""
        return rounds.set_ranking(current_actor(), round_id, site_id, fields["enrollment_ids"])


@blp.route("/matching-rounds/<id:round_id>/run")
class RoundRun(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, MatchingResultSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, round_id):
        """Run the matching on the current preferences, rankings and remaining capacities."""
        return round_run.run(current_actor(), round_id)


@blp.route("/matching-rounds/<id:round_id>/results")
class RoundResults(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, MatchingResultSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def get(self, round_id):
        """The current run: counts by site and region, blocking pairs, every enrolment's outcome."""
        return round_run.results(round_id)


@blp.route("/matching-rounds/<id:round_id>/results/me")
class MyRoundResults(MethodView):
    @auth_required(LEARNER)
    @blp.response(200, MyMatchingAssignmentSchema(many=True))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def get(self, round_id):
        """The caller's own outcome in a published round, with why they did not get higher choices."""
        return round_run.my_results(current_actor(), round_id)


@blp.route("/matching-rounds/<id:round_id>/publish")
class RoundPublish(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, PublishResultSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    def post(self, round_id):
        """Create the matched placements in one transaction; publishing again creates nothing."""
        return round_run.publish(current_actor(), round_id)
