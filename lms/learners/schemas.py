"""Learner schemas: shape checks; reference codes and uniqueness are checked in the service."""

from datetime import date

import marshmallow as ma

from lms.auth.schemas import NewPasswordSchema
from lms.http import PageArgsSchema

# kana letters, with the long-vowel mark, the middle dot and spaces, at least one letter. Written so that it
# cannot backtrack: the look-ahead meets the first letter once, then one character class runs to the end
# (the old `[…]*[letter][…]*$` tried every split of a long run: time grew with the square of the length).
KANA = (r"^(?=[\u30FC\u30FB\u3000 ]*[\u3041-\u3096\u30A1-\u30FA])"
        r"[\u3041-\u3096\u30A1-\u30FA\u30FC\u30FB\u3000 ]*$")
NAME = ma.validate.Length(min=1, max=50)


def _kana(**kwargs) -> ma.fields.String:
    return ma.fields.String(validate=[ma.validate.Length(min=1, max=100),
                                      ma.validate.Regexp(KANA, error="must be written in katakana or hiragana")],
                            **kwargs)


def _license_year(value: int) -> None:
    if not 1950 <= value <= date.today().year:
        raise ma.ValidationError(f"must be between 1950 and {date.today().year}")


class _NoControlCharacters:
    """Names are printed on certificates: refuse control and bidi-override characters."""

    def __call__(self, value: str) -> str:
        if any(ord(c) < 32 or 0x7F <= ord(c) < 0xA0 or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069
               for c in value):
            raise ma.ValidationError("must not contain control or bidirectional formatting characters")
        return value


PLAIN = _NoControlCharacters()


class LearnerUpdateSchema(ma.Schema):
    """Fields a learner may change about themselves."""

    family_name = ma.fields.String(validate=[NAME, PLAIN])
    given_name = ma.fields.String(validate=[NAME, PLAIN])
    family_name_kana = _kana()
    given_name_kana = _kana()
    license_year = ma.fields.Integer(validate=_license_year)
    specialty = ma.fields.String(validate=ma.validate.Length(max=40))
    workplace_prefecture_code = ma.fields.String(validate=ma.validate.Regexp(r"^\d{2}$"))
    workplace_name = ma.fields.String(validate=[ma.validate.Length(max=200), PLAIN], allow_none=True)


class LearnerCreateSchema(LearnerUpdateSchema):
    family_name = ma.fields.String(required=True, validate=[NAME, PLAIN])
    given_name = ma.fields.String(required=True, validate=[NAME, PLAIN])
    family_name_kana = _kana(required=True)
    given_name_kana = _kana(required=True)
    email = ma.fields.Email(required=True, validate=ma.validate.Length(max=254))
    medical_registration_number = ma.fields.String(
        required=True, validate=ma.validate.Regexp(r"^\d{1,7}$", error="must be 1 to 7 digits"))
    license_year = ma.fields.Integer(required=True, validate=_license_year)
    specialty = ma.fields.String(required=True, validate=ma.validate.Length(max=40))
    workplace_prefecture_code = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{2}$"))
    organization_code = ma.fields.String(validate=ma.validate.Length(max=20), allow_none=True)


class LearnerRegisterSchema(LearnerCreateSchema, NewPasswordSchema):
    """A learner's own registration: the profile and a password for the login."""


class LearnerSchema(ma.Schema):
    id = ma.fields.String()
    family_name = ma.fields.String()
    given_name = ma.fields.String()
    family_name_kana = ma.fields.String()
    given_name_kana = ma.fields.String()
    email = ma.fields.String()
    medical_registration_number = ma.fields.String(allow_none=True)
    license_year = ma.fields.Integer(allow_none=True)
    specialty = ma.fields.String()
    workplace_prefecture_code = ma.fields.String()
    workplace_name = ma.fields.String(allow_none=True)
    organization_code = ma.fields.String(allow_none=True)
    has_login = ma.fields.Method("_has_login", metadata={"type": "boolean"})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()
    erased_at = ma.fields.DateTime(allow_none=True)

    def _has_login(self, learner) -> bool:
        return learner.user_id is not None


class LearnerQueryArgsSchema(PageArgsSchema):
    organization_code = ma.fields.String(validate=ma.validate.Length(max=20))
    workplace_prefecture_code = ma.fields.String(validate=ma.validate.Regexp(r"^\d{2}$"))
    specialty = ma.fields.String(validate=ma.validate.Length(max=40))


class ExportSchema(ma.Schema):
    """Everything held about the caller, by kind of record."""

    exported_at = ma.fields.DateTime()
    account = ma.fields.Dict()
    profile = ma.fields.Dict()
    records = ma.fields.Dict(metadata={"description": "Lists of records by kind: enrollments, progress, ..."})
