"""Certificate schemas."""

import marshmallow as ma

from lms.certificates.models import BATCH_STATUSES, CERTIFICATE_STATUSES
from lms.http import PageArgsSchema


class CertificateSchema(ma.Schema):
    id = ma.fields.String()
    enrollment_id = ma.fields.String()
    certificate_number = ma.fields.String(metadata={"example": "RC-2026-000123"})
    revision = ma.fields.Integer()
    verification_code = ma.fields.String()
    status = ma.fields.String(validate=ma.validate.OneOf(CERTIFICATE_STATUSES))
    program_code = ma.fields.String()
    completed_on = ma.fields.Date()
    issued_at = ma.fields.DateTime(allow_none=True)
    sha256 = ma.fields.String(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    revoked_reason = ma.fields.String(allow_none=True)
    replaces_id = ma.fields.String(allow_none=True)


class CertificateQueryArgsSchema(PageArgsSchema):
    enrollment_id = ma.fields.String(validate=ma.validate.Length(max=36))
    status = ma.fields.String(validate=ma.validate.OneOf(CERTIFICATE_STATUSES))
    fiscal_year = ma.fields.Integer(validate=ma.validate.Range(min=2000, max=2100))


class RevokeSchema(ma.Schema):
    reason = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500))


class BatchCreateSchema(ma.Schema):
    program_code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=40))
    fiscal_year = ma.fields.Integer(required=True, validate=ma.validate.Range(min=2000, max=2100))


class BatchSchema(ma.Schema):
    id = ma.fields.String()
    program_code = ma.fields.String()
    fiscal_year = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(BATCH_STATUSES))
    total = ma.fields.Integer()
    done = ma.fields.Integer()
    failed = ma.fields.Integer()
    created_at = ma.fields.DateTime()
    started_at = ma.fields.DateTime(allow_none=True)
    finished_at = ma.fields.DateTime(allow_none=True)


class VerificationSchema(ma.Schema):
    status = ma.fields.String(validate=ma.validate.OneOf(("valid", "revoked", "superseded")))
    certificate_number = ma.fields.String()
    holder_name = ma.fields.String(allow_none=True, metadata={
        "description": "null when the holder's personal data has been erased (the certificate is then revoked)"})
    program_title = ma.fields.String()
    completed_on = ma.fields.Date()
    issued_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    revoked_reason = ma.fields.String(allow_none=True)
    superseded_at = ma.fields.DateTime(allow_none=True)


class FileVerificationSchema(ma.Schema):
    authentic = ma.fields.Boolean(required=True)
    status = ma.fields.String()
    certificate_number = ma.fields.String()


class UploadSchema(ma.Schema):
    file = ma.fields.Raw(required=True, metadata={"type": "string", "format": "binary"})
