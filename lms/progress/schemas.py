"""Progress schemas: module progress, the progress summary, OJT hour logs."""

import marshmallow as ma

from lms.http import PageArgsSchema
from lms.ojt.models import ACTIVITIES
from lms.progress.models import OJT_LOG_STATUSES
from lms.progress.rules import MODULE_STATUSES


class ModuleProgressUpdateSchema(ma.Schema):
    status = ma.fields.String(required=True, validate=ma.validate.OneOf(MODULE_STATUSES))
    score = ma.fields.Float(validate=ma.validate.Range(0, 100), metadata={"description": "0–100"})
    minutes_spent = ma.fields.Integer(validate=ma.validate.Range(0, 60_000),
                                      metadata={"description": "Total minutes on the module so far"})
    occurred_at = ma.fields.AwareDateTime(required=True)


class ModuleProgressSchema(ma.Schema):
    """A module of the enrolment's programme version and the learner's progress in it."""

    code = ma.fields.String()
    title_ja = ma.fields.String()
    kind = ma.fields.String()
    required = ma.fields.Boolean()
    min_score = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(allow_none=True, validate=ma.validate.OneOf(MODULE_STATUSES),
                              metadata={"description": "null when nothing was reported"})
    best_score = ma.fields.Float(allow_none=True)
    first_completed_at = ma.fields.DateTime(allow_none=True)
    minutes_spent = ma.fields.Integer()
    last_activity_at = ma.fields.DateTime(allow_none=True)
    done = ma.fields.Boolean(metadata={"description": "Completed or passed, with the minimum score where set"})
    done_at = ma.fields.DateTime(allow_none=True)


class ProgressSchema(ma.Schema):
    enrollment_id = ma.fields.String()
    status = ma.fields.String(metadata={"description": "The enrolment's status"})
    completed_at = ma.fields.DateTime(allow_none=True)
    modules_required = ma.fields.Integer()
    modules_done = ma.fields.Integer(metadata={"description": "Required modules done"})
    ojt_hours_required = ma.fields.Float()
    ojt_hours_approved = ma.fields.Float()
    ojt_hours_pending = ma.fields.Float()
    min_duration_days = ma.fields.Integer(allow_none=True)
    percent = ma.fields.Integer(metadata={"description": "Required modules and OJT hours, weighed equally"})
    completion_ready = ma.fields.Boolean(metadata={"description": "Every completion rule is met"})
    missing = ma.fields.List(ma.fields.String(), metadata={"description": "What is still needed, in Japanese"})
    modules = ma.fields.List(ma.fields.Nested(ModuleProgressSchema))


def _check_hours(value: float) -> None:
    if not 0.5 <= value <= 12 or (value * 2) != int(value * 2):
        raise ma.ValidationError("between 0.5 and 12, in steps of 0.5")


class OjtLogCreateSchema(ma.Schema):
    date = ma.fields.Date(required=True, metadata={"description": "The day of training (Japan)"})
    hours = ma.fields.Float(required=True, validate=_check_hours, metadata={"description": "0.5–12 in 0.5 steps"})
    activity = ma.fields.String(required=True, validate=ma.validate.OneOf(ACTIVITIES))
    note = ma.fields.String(validate=ma.validate.Length(max=1000))


class OjtLogUpdateSchema(ma.Schema):
    date = ma.fields.Date()
    hours = ma.fields.Float(validate=_check_hours, metadata={"description": "0.5–12 in 0.5 steps"})
    activity = ma.fields.String(validate=ma.validate.OneOf(ACTIVITIES))
    note = ma.fields.String(allow_none=True, validate=ma.validate.Length(max=1000))


class OjtReviewSchema(ma.Schema):
    decision = ma.fields.String(required=True, validate=ma.validate.OneOf(["approved", "rejected"]))
    comment = ma.fields.String(validate=ma.validate.Length(max=1000))


class OjtLogSchema(ma.Schema):
    id = ma.fields.String()
    placement_id = ma.fields.String()
    date = ma.fields.Date()
    hours = ma.fields.Float()
    activity = ma.fields.String(validate=ma.validate.OneOf(ACTIVITIES))
    status = ma.fields.String(validate=ma.validate.OneOf(OJT_LOG_STATUSES))
    note = ma.fields.String(allow_none=True)
    review_comment = ma.fields.String(allow_none=True)
    reviewed_by = ma.fields.String(allow_none=True)
    reviewed_at = ma.fields.DateTime(allow_none=True)
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class OjtLogQueryArgsSchema(PageArgsSchema):
    status = ma.fields.String(validate=ma.validate.OneOf(OJT_LOG_STATUSES))
    placement_id = ma.fields.String(validate=ma.validate.Length(max=36))

