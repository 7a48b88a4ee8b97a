"""Scheduled report endpoints (consortium admin)."""

from flask import current_app, send_file
from flask.views import MethodView

from lms.auth.models import ADMIN
from lms.auth.permissions import auth_required, current_actor
from lms.http import PAGE_HEADERS, Blueprint, paged
from lms.idempotency import idempotent
from lms.reports import service
from lms.reports.schemas import (
    ReportTypeSchema,
    RunCreatedSchema,
    RunQueryArgsSchema,
    RunSchema,
    ScheduleCreateSchema,
    ScheduleQueryArgsSchema,
    ScheduleSchema,
    ScheduleUpdateSchema,
)

blp = Blueprint("reports", __name__, description="Scheduled reports, their runs and files (admin)")

FILE_RESPONSE = {"200": {"description": "The file", "content": {
    media_type.split(";")[0]: {"schema": {"type": "string", "format": "binary"}}
    for media_type in service.MEDIA_TYPES.values()}}}


@blp.route("/report-types")
class ReportTypes(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, ReportTypeSchema(many=True))
    def get(self):
        """List the report types and their parameters."""
        return service.report_types()


@blp.route("/report-schedules")
class Schedules(MethodView):
    @auth_required(ADMIN)
    @blp.arguments(ScheduleQueryArgsSchema, location="query")
    @blp.response(200, ScheduleSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List report schedules."""
        items, total = service.list_schedules(**args)
        return paged(items, total, args)

    @auth_required(ADMIN)
    @idempotent
    @blp.arguments(ScheduleCreateSchema)
    @blp.response(201, ScheduleSchema)
    def post(self, fields):
        """Create a report schedule (cron in Asia/Tokyo); a bad cron or parameter is 422 with the reason."""
        return service.create_schedule(current_actor(), **fields)


@blp.route("/report-schedules/<id:schedule_id>")
class ScheduleById(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, ScheduleSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, schedule_id):
        """Get a report schedule."""
        return service.get_schedule(schedule_id)

    @auth_required(ADMIN)
    @blp.arguments(ScheduleUpdateSchema)
    @blp.response(200, ScheduleSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, fields, schedule_id):
        """Change a report schedule; the scheduler applies it at its next reconciliation."""
        return service.update_schedule(current_actor(), schedule_id, fields)

    @auth_required(ADMIN)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, schedule_id):
        """Delete a report schedule; its run history and files stay."""
        service.delete_schedule(current_actor(), schedule_id)


@blp.route("/report-schedules/<id:schedule_id>/run")
class ScheduleRun(MethodView):
    @auth_required(ADMIN)
    @idempotent
    @blp.response(202, RunCreatedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(409, response="CONFLICT")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def post(self, schedule_id):
        """Queue a run of the schedule now; the scheduler process runs it."""
        run = service.request_run(current_actor(), schedule_id)
        return {"run_id": run.id, "status": run.status}


@blp.route("/report-runs")
class Runs(MethodView):
    @auth_required(ADMIN)
    @blp.arguments(RunQueryArgsSchema, location="query")
    @blp.response(200, RunSchema(many=True), headers=PAGE_HEADERS)
    def get(self, args):
        """List report runs, newest first."""
        items, total = service.list_runs(**args)
        return paged(items, total, args)


@blp.route("/report-runs/<id:run_id>")
class RunById(MethodView):
    @auth_required(ADMIN)
    @blp.response(200, RunSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, run_id):
        """Get a report run: status, attempts, error and artifacts."""
        return service.get_run(run_id)


@blp.route("/report-runs/<id:run_id>/artifacts/<any(csv, xlsx, pdf):fmt>")
class RunArtifact(MethodView):
    @auth_required(ADMIN)
    @blp.doc(responses=FILE_RESPONSE)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, run_id, fmt):
        """Download a run's file in one format."""
        path, name, media_type = service.artifact_file(run_id, fmt, current_app.config["STORAGE_DIR"])
        response = send_file(path, mimetype=media_type, as_attachment=True, download_name=name)
        response.content_type = media_type  # as it is: a mimetype gets a second charset from Werkzeug
        return response
