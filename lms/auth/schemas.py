"""Auth and user schemas."""

import marshmallow as ma

from lms.auth.models import ROLES
from lms.auth.password_policy import MAX_LENGTH, MIN_LENGTH, password_problems


class LoginSchema(ma.Schema):
    email = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=254))
    password = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=1024), load_only=True)


class TokenSchema(ma.Schema):
    access_token = ma.fields.String(required=True)
    token_type = ma.fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = ma.fields.Integer(required=True, metadata={"description": "Seconds until expiry"})
    role = ma.fields.String(required=True, validate=ma.validate.OneOf(ROLES))


class NewPasswordSchema(ma.Schema):
    """A password being set: the policy's rules, with the e-mail address of the same body."""

    password = ma.fields.String(required=True, load_only=True, metadata={
        "minLength": MIN_LENGTH, "maxLength": MAX_LENGTH,
        "description": f"{MIN_LENGTH}-{MAX_LENGTH} characters, any kind; not a common or easily guessed "
                       "password, not the e-mail address"})

    @ma.validates_schema(skip_on_field_errors=False)
    def _password_policy(self, data, **kwargs):
        if "password" in data:
            problems = password_problems(data["password"], data.get("email"))
            if problems:
                raise ma.ValidationError(problems, "password")


class UserCreateSchema(NewPasswordSchema):
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
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
