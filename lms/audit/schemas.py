"""Audit event schemas."""

import marshmallow as ma

from lms.http import PageArgsSchema


class AuditEventSchema(ma.Schema):
    id = ma.fields.String()
    occurred_at = ma.fields.DateTime()
    actor_id = ma.fields.String(allow_none=True)
    actor_role = ma.fields.String(allow_none=True)
    action = ma.fields.String()
    object_type = ma.fields.String(allow_none=True)
    object_id = ma.fields.String(allow_none=True)
    ip = ma.fields.String(allow_none=True)
    details = ma.fields.Dict()


class AuditQueryArgsSchema(PageArgsSchema):
    action = ma.fields.String(validate=ma.validate.Length(max=60))
    actor_id = ma.fields.String(validate=ma.validate.Length(max=36))
    object_type = ma.fields.String(validate=ma.validate.Length(max=40))
    object_id = ma.fields.String(validate=ma.validate.Length(max=36))
    since = ma.fields.AwareDateTime()
    until = ma.fields.AwareDateTime()
