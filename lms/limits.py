"""Input limits judged before anything else reads a value, so that refusing any body within the limit is cheap.

marshmallow runs every validator of a field, and deserialises every item of a list before the list's own
validators run: a pattern would scan a string far past its `Length`, and 50,000 ids would each be parsed
before `maxItems` refused them. `over_limits` applies only the `Length` validators (string lengths, list
and nested-list sizes), top-down, before the schema loads; the parser (lms.http) and the xAPI intake call it.
"""

from collections.abc import Mapping

import marshmallow as ma


def over_limits(schema: ma.Schema, data) -> dict:
    """The `Length` errors of `data` against `schema`, by field (nested as marshmallow nests them); {} if none.
    Costs one `len` per value present, and never looks inside a list that is already too long."""
    if not isinstance(data, Mapping):
        return {}
    errors: dict = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if key not in data:
            continue
        many = isinstance(field, ma.fields.List) or (isinstance(field, ma.fields.Nested) and field.many)
        value = data.getlist(key) if many and hasattr(data, "getlist") else data[key]
        error = _field_over_limits(field, value)
        if error:
            errors[key] = error
    return errors


def _lengths(field: ma.fields.Field, value) -> list[str]:
    messages: list[str] = []
    for validator in field.validators:
        if isinstance(validator, ma.validate.Length):
            try:
                validator(value)
            except ma.ValidationError as exc:
                messages.extend(exc.messages)
    return messages


def _field_over_limits(field: ma.fields.Field, value):
    many = isinstance(field, ma.fields.List) or (isinstance(field, ma.fields.Nested) and field.many)
    if isinstance(value, list if many else str) and (messages := _lengths(field, value)):
        return messages
    if isinstance(field, ma.fields.List) and isinstance(value, list):
        found = {i: e for i, item in enumerate(value) if (e := _field_over_limits(field.inner, item))}
        return found or None
    if isinstance(field, ma.fields.Nested) and isinstance(field.schema, ma.Schema):
        if field.many:
            if not isinstance(value, list):
                return None
            found = {i: e for i, item in enumerate(value) if (e := over_limits(field.schema, item))}
            return found or None
        return over_limits(field.schema, value) or None
    return None


class Unique(ma.validate.Validator):
    """A list without repeated values, in one pass (a `count` per item is quadratic in the list's length)."""

    def __call__(self, values: list) -> list:
        seen: set = set()
        repeated: set = set()
        for value in values:
            (repeated if value in seen else seen).add(value)
        if repeated:
            raise ma.ValidationError(f"listed more than once: {', '.join(sorted(map(str, repeated)))}")
        return values
