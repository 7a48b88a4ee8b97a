"""Report type, schedule and run schemas."""

import marshmallow as ma

from lms.http import PageArgsSchema
from lms.reports.models import FORMATS, RUN_STATUSES

CRON_HELP = ("Five crontab fields in Japan time (Asia/Tokyo): minute hour day-of-month month day-of-week; "
             "0 or 7 is Sunday, e.g. `0 9 * * 1` is every Monday at 09:00.")


class ReportParamSchema(ma.Schema):
    name = ma.fields.String()
    type = ma.fields.String()
    required = ma.fields.Boolean()
    default = ma.fields.Raw(allow_none=True)
    description = ma.fields.String()


class ReportTypeSchema(ma.Schema):
    code = ma.fields.String()
    title_ja = ma.fields.String()
    description = ma.fields.String()
    chart = ma.fields.String(metadata={"description": "The picture in the PDF: tile_map or bar"})
    formats = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(FORMATS)))
    params = ma.fields.List(ma.fields.Nested(ReportParamSchema))


def _unique(values: list[str]) -> None:
    if len(set(values)) != len(values):
        raise ma.ValidationError("Formats must not repeat.")


class _ScheduleFields(ma.Schema):
    name = ma.fields.String(validate=ma.validate.Length(min=1, max=200))
    report_type = ma.fields.String(validate=ma.validate.Length(min=1, max=40),
                                   metadata={"description": "A code from GET /report-types"})
    params = ma.fields.Dict(keys=ma.fields.String(), metadata={
        "description": "Parameters of the report type; `fiscal_year` may be \"current\" or \"previous\", "
                       "resolved when the report runs"})
    cron = ma.fields.String(validate=ma.validate.Length(min=1, max=100), metadata={"description": CRON_HELP})
    formats = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(FORMATS)),
                             validate=[ma.validate.Length(min=1, max=len(FORMATS)), _unique])
    enabled = ma.fields.Boolean()


class ScheduleCreateSchema(_ScheduleFields):
    class Meta:
        unknown = ma.RAISE

    name = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    report_type = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40),
                                   metadata={"description": "A code from GET /report-types"})
    cron = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=100),
                            metadata={"description": CRON_HELP})
    params = ma.fields.Dict(keys=ma.fields.String(), load_default=dict, metadata={
        "description": "Parameters of the report type; `fiscal_year` may be \"current\" or \"previous\""})
    formats = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(FORMATS)),
                             validate=[ma.validate.Length(min=1, max=len(FORMATS)), _unique],
                             load_default=lambda: list(FORMATS))
    enabled = ma.fields.Boolean(load_default=True)


class ScheduleUpdateSchema(_ScheduleFields):
    class Meta:
        unknown = ma.RAISE


class ScheduleSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    report_type = ma.fields.String()
    params = ma.fields.Dict()
    cron = ma.fields.String(metadata={"description": CRON_HELP})
    timezone = ma.fields.Constant("Asia/Tokyo")
    formats = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(FORMATS)))
    enabled = ma.fields.Boolean()
    next_run_at = ma.fields.DateTime(allow_none=True,
                                     metadata={"description": "The next occurrence, if enabled"})
    created_by = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class ScheduleQueryArgsSchema(PageArgsSchema):
    enabled = ma.fields.Boolean()
    report_type = ma.fields.String(validate=ma.validate.Length(max=40))


class RunCreatedSchema(ma.Schema):
    run_id = ma.fields.String()
    status = ma.fields.String(validate=ma.validate.OneOf(RUN_STATUSES))


class ArtifactSchema(ma.Schema):
    format = ma.fields.String(validate=ma.validate.OneOf(FORMATS))
    bytes = ma.fields.Integer()
    sha256 = ma.fields.String()
    created_at = ma.fields.DateTime()
    url = ma.fields.Method("_url")

    def _url(self, artifact) -> str:
        return f"/api/v1/report-runs/{artifact.run_id}/artifacts/{artifact.format}"


class RunSchema(ma.Schema):
    id = ma.fields.String()
    schedule_id = ma.fields.String()
    trigger = ma.fields.String(attribute="origin", validate=ma.validate.OneOf(("schedule", "manual")),
                               metadata={"description": "schedule: a cron occurrence; manual: POST .../run"})
    status = ma.fields.String(validate=ma.validate.OneOf(RUN_STATUSES))
    scheduled_for = ma.fields.DateTime(allow_none=True,
                                       metadata={"description": "The cron occurrence (null for manual runs)"})
    requested_at = ma.fields.DateTime()
    requested_by = ma.fields.String(allow_none=True)
    report_type = ma.fields.String()
    params = ma.fields.Dict()
    resolved_params = ma.fields.Dict(allow_none=True,
                                     metadata={"description": "The parameters as run (fiscal year resolved)"})
    formats = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(FORMATS)))
    attempts = ma.fields.Integer()
    not_before = ma.fields.DateTime(allow_none=True, metadata={"description": "A retry waits until then"})
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)
    error = ma.fields.String(allow_none=True, metadata={"description": "The last attempt's error"})
    artifacts = ma.fields.List(ma.fields.Nested(ArtifactSchema))


class RunQueryArgsSchema(PageArgsSchema):
    schedule_id = ma.fields.String(validate=ma.validate.Length(max=36))
    status = ma.fields.String(validate=ma.validate.OneOf(RUN_STATUSES))
