"""OJT site and placement schemas: shape checks; reference codes and capacity are checked in the service."""

from datetime import date

import marshmallow as ma
from flask_smorest.fields import Upload

from lms.http import PageArgsSchema
from lms.learners.schemas import PLAIN
from lms.ojt.import_csv import MAX_CAPACITY
from lms.ojt.models import ACTIVITIES, IMPORT_STATUSES, MAX_STORED_ERRORS, PLACEMENT_STATUSES, SITE_KINDS

UUID_PATTERN = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
PREFECTURE = ma.validate.Regexp(r"^\d{2}$", error="must be a 2-digit prefecture code")
DATES = ma.validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31))
FISCAL_YEAR = ma.validate.Range(min=2000, max=2100)


class Id(ma.fields.String):
    """A UUID string, compared in lower case."""

    def __init__(self, **kwargs) -> None:
        super().__init__(validate=ma.validate.Regexp(UUID_PATTERN, error="must be a UUID"),
                         metadata={"format": "uuid", **kwargs.pop("metadata", {})}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip().lower()


class SiteUpdateSchema(ma.Schema):
    name = ma.fields.String(validate=[ma.validate.Length(min=1, max=200), PLAIN])
    kind = ma.fields.String(validate=ma.validate.OneOf(SITE_KINDS))
    prefecture_code = ma.fields.String(validate=PREFECTURE)
    secondary_medical_area = ma.fields.String(validate=[ma.validate.Length(min=1, max=100), PLAIN])
    shortage_area = ma.fields.Boolean(metadata={"description": "医師少数区域 (physician-shortage area)"})
    annual_capacity = ma.fields.Integer(validate=ma.validate.Range(min=0, max=MAX_CAPACITY))
    activities = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(ACTIVITIES)),
                                validate=ma.validate.Length(max=len(ACTIVITIES)))
    external_code = ma.fields.String(validate=[ma.validate.Length(min=1, max=40), PLAIN], allow_none=True,
                                     metadata={"description": "The import key (施設コード)"})

    @ma.post_load
    def _unique_activities(self, data, **kwargs):
        if "activities" in data:
            data["activities"] = list(dict.fromkeys(data["activities"]))
        return data


class SiteCreateSchema(SiteUpdateSchema):
    name = ma.fields.String(required=True, validate=[ma.validate.Length(min=1, max=200), PLAIN])
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(SITE_KINDS))
    prefecture_code = ma.fields.String(required=True, validate=PREFECTURE)
    secondary_medical_area = ma.fields.String(required=True,
                                              validate=[ma.validate.Length(min=1, max=100), PLAIN])
    annual_capacity = ma.fields.Integer(required=True, validate=ma.validate.Range(min=0, max=MAX_CAPACITY))


class SiteSchema(ma.Schema):
    id = ma.fields.String()
    external_code = ma.fields.String(allow_none=True)
    name = ma.fields.String()
    kind = ma.fields.String(validate=ma.validate.OneOf(SITE_KINDS))
    kind_ja = ma.fields.String(metadata={"example": "病院"})
    prefecture_code = ma.fields.String()
    secondary_medical_area = ma.fields.String()
    shortage_area = ma.fields.Boolean()
    annual_capacity = ma.fields.Integer()
    activities = ma.fields.List(ma.fields.String(validate=ma.validate.OneOf(ACTIVITIES)))
    activities_ja = ma.fields.List(ma.fields.String(), metadata={"example": ["外来", "訪問診療"]})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class SiteQueryArgsSchema(PageArgsSchema):
    prefecture_code = ma.fields.String(validate=PREFECTURE)
    kind = ma.fields.String(validate=ma.validate.OneOf(SITE_KINDS))
    activity = ma.fields.String(validate=ma.validate.OneOf(ACTIVITIES))
    shortage_area = ma.fields.Boolean()


class SiteUploadSchema(ma.Schema):
    file = Upload(metadata={"description": "CSV in UTF-8 (with or without BOM) or Shift_JIS (cp932)"})


class SiteImportErrorSchema(ma.Schema):
    line = ma.fields.Integer(metadata={"description": "1 is the header; 0 the whole file"})
    field = ma.fields.String()
    message = ma.fields.String()


class SiteImportSchema(ma.Schema):
    id = ma.fields.String()
    status = ma.fields.String(validate=ma.validate.OneOf(IMPORT_STATUSES))
    size = ma.fields.Integer(metadata={"description": "Bytes received"})
    encoding = ma.fields.String(allow_none=True, metadata={"example": "cp932"})
    total = ma.fields.Integer(metadata={"description": "Data lines in the file (known once the job runs)"})
    done = ma.fields.Integer(metadata={
        "description": "Lines validated and staged; equals total when the job succeeds. Sites change only "
                       "when the whole file has passed, all in one transaction."})
    created = ma.fields.Integer()
    updated = ma.fields.Integer()
    unchanged = ma.fields.Integer()
    error_count = ma.fields.Integer()
    errors = ma.fields.List(ma.fields.Nested(SiteImportErrorSchema), metadata={
        "description": f"Each bad field of each line (the first {MAX_STORED_ERRORS}); any makes the job fail "
                       "with nothing imported"})
    created_at = ma.fields.DateTime()
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)


class SiteImportQueryArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(IMPORT_STATUSES))


class SiteSupervisorSchema(ma.Schema):
    id = ma.fields.String()
    email = ma.fields.String()
    is_active = ma.fields.Boolean()


class PlacementCreateSchema(ma.Schema):
    enrollment_id = Id(required=True)
    site_id = Id(required=True)
    start_date = ma.fields.Date(required=True, validate=DATES)
    end_date = ma.fields.Date(required=True, validate=DATES)

    @ma.validates_schema
    def _period(self, data, **kwargs):
        if "start_date" in data and "end_date" in data and data["end_date"] < data["start_date"]:
            raise ma.ValidationError("must not be before start_date", "end_date")


class PlacementCancelSchema(ma.Schema):
    reason = ma.fields.String(validate=[ma.validate.Length(max=500), PLAIN])


class PlacementSchema(ma.Schema):
    id = ma.fields.String()
    enrollment_id = ma.fields.String()
    site_id = ma.fields.String()
    fiscal_year = ma.fields.Integer()
    start_date = ma.fields.Date()
    end_date = ma.fields.Date()
    status = ma.fields.String(validate=ma.validate.OneOf(PLACEMENT_STATUSES))
    matching_round_id = ma.fields.String(allow_none=True)
    created_at = ma.fields.DateTime()
    cancelled_at = ma.fields.DateTime(allow_none=True)
    cancel_reason = ma.fields.String(allow_none=True)


class PlacementQueryArgsSchema(PageArgsSchema):
    site_id = Id()
    enrollment_id = Id()
    fiscal_year = ma.fields.Integer(validate=FISCAL_YEAR)
    status = ma.fields.String(validate=ma.validate.OneOf(PLACEMENT_STATUSES))
    matching_round_id = Id()
