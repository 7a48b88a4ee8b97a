"""Auth and user schemas."""

import marshmallow as ma

from lms.auth.models import ROLES


class LoginSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=254))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024), load_only=True)


class TokenSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "Seconds until expiry"})
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))


class UserCreateSchema(ma.Schema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    password = ma.fields.String(required=True, load_only=True, validate=ma.validate.Length(min=10, max=256))
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))
    organization_code = ma.fields.String(validate=ma.validate.Length(max=20))
    prefecture_code = ma.fields.String(validate=ma.validate.Regexp(r"^\d{2}$"))
    site_ids = ma.fields.List(ma.fields.String(validate=ma.validate.Length(max=36)),
                              validate=ma.validate.Length(max=100))


class UserSchema(ma.Schema):
    id = ma.fields.String()
    email = ma.fields.String()
    role = ma.fields.String()
    organization_code = ma.fields.String(allow_none=True)
    prefecture_code = ma.fields.String(allow_none=True)
    site_ids = ma.fields.List(ma.fields.String())
    is_active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()
