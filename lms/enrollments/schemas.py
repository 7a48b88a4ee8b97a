"""Enrolment schemas."""

import marshmallow as ma

from lms.enrollments.rules import STATUSES
from lms.http import PageArgsSchema


class EnrollmentCreateSchema(ma.Schema):
    program_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    learner_id = ma.fields.String(validate=ma.validate.Length(max=36),
                                  metadata={"description": "Staff only; a learner applies for themselves"})


class TransitionSchema(ma.Schema):
    to = ma.fields.String(required=True, validate=ma.validate.OneOf(STATUSES))
    reason = ma.fields.String(validate=ma.validate.Length(max=500))


class EnrollmentSchema(ma.Schema):
    id = ma.fields.String()
    learner_id = ma.fields.String()
    program_code = ma.fields.String()
    program_version = ma.fields.Integer(attribute="program_version_number")
    fiscal_year = ma.fields.Integer()
    prefecture_code = ma.fields.String()
    organization_code = ma.fields.String(allow_none=True)
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    status_reason = ma.fields.String(allow_none=True)
    applied_at = ma.fields.DateTime()
    activated_at = ma.fields.DateTime(allow_none=True)
    suspended_at = ma.fields.DateTime(allow_none=True)
    completed_at = ma.fields.DateTime(allow_none=True)
    withdrawn_at = ma.fields.DateTime(allow_none=True)
    rejected_at = ma.fields.DateTime(allow_none=True)
    updated_at = ma.fields.DateTime()


class EnrollmentQueryArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(STATUSES))
    fiscal_year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))
    program_code = ma.fields.String(validate=ma.validate.Length(max=40))
    prefecture_code = ma.fields.String(validate=ma.validate.Regexp(r"^\d{2}$"))
    learner_id = ma.fields.String(validate=ma.validate.Length(max=36))
