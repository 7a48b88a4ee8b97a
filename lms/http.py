"""API and Blueprint subclasses: problem+json in the spec, page headers, auth documentation, JSON bodies."""

import http
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from flask_smorest import Api as _Api
from flask_smorest import Blueprint as _Blueprint
from flask_smorest.utils import prepare_response
from webargs.flaskparser import FlaskParser
from werkzeug.routing import BaseConverter

from lms.limits import over_limits
from lms.security import NO_BODY, json_body

PROBLEM_JSON = "application/problem+json"
ALWAYS_DOCUMENTED = {400, 401, 403, 404, 409, 413, 422, 429}


class ProblemSchema(ma.Schema):
    """RFC 9457 problem details."""

    type = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    status = ma.fields.Integer(required=True)
    detail = ma.fields.String()
    errors = ma.fields.Dict(metadata={"description": "Invalid fields by location: {json: {field: [msg]}}"})


class Api(_Api):
    """flask-smorest Api whose documented errors are problem+json."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self):
        # lms.errors registers the handlers; the smorest defaults would answer in another shape
        pass

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            # referenced by hand-written docs (auth decorator), so registered even when unused
            self.spec.components.response(status.name, response, lazy=status not in ALWAYS_DOCUMENTED)
        response = {"description": "Error (RFC 9457 problem details)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class PageArgsSchema(ma.Schema):
    """`page` from 1 and `per_page` (default 50, at most 200)."""

    class Meta:
        unknown = ma.RAISE

    page = ma.fields.Integer(load_default=1, validate=ma.validate.Range(min=1, max=1_000_000))
    per_page = ma.fields.Integer(load_default=50, validate=ma.validate.Range(min=1, max=200))


PAGE_HEADERS = {
    "X-Total-Count": {"description": "Total number of items", "schema": {"type": "integer"}},
    "Link": {"description": "RFC 8288 links: first, prev, next, last", "schema": {"type": "string"}},
}


def page_headers(total: int, page: int, per_page: int) -> dict[str, str]:
    """X-Total-Count and an RFC 8288 Link header for a list response."""
    last = max(1, -(-total // per_page))
    rels = {"first": 1, "last": last}
    if page > 1:
        rels["prev"] = min(page - 1, last)
    if page < last:
        rels["next"] = page + 1
    base = request.base_url
    args = {k: v for k, v in request.args.items() if k not in ("page", "per_page")}
    links = []
    for rel, number in rels.items():
        query = urlencode({**args, "page": number, "per_page": per_page})
        links.append(f'<{base}?{query}>; rel="{rel}"')
    return {"X-Total-Count": str(total), "Link": ", ".join(links)}


def paged(items, total: int, args: dict):
    """A view's return value for a page of items."""
    return items, 200, page_headers(total, args["page"], args["per_page"])


class ArgumentsParser(FlaskParser):
    """webargs parser whose JSON is parsed once and held to lms.security's rules (depth, characters, number
    range), and whose JSON integers are whole numbers: marshmallow would truncate 2.5 to 2. The body's presence
    and media type were judged before (lms.security.check_request_body)."""

    def _raw_load_json(self, req):
        value = json_body()
        return ma.missing if value is NO_BODY else value

    def pre_load(self, location_data, *, schema, req, location):
        # lengths and list sizes first: no pattern, item or validator runs on a value already too long
        errors = over_limits(schema, location_data)
        if errors:
            raise ma.ValidationError(errors)
        if location == "json":
            errors = _fractions(schema, location_data)
            if errors:
                raise ma.ValidationError(errors)
        return location_data


def _fractions(schema: ma.Schema, data) -> dict:
    """Errors for fractional numbers given to (non-strict) Integer fields, nested schemas included."""
    if not isinstance(data, dict):
        return {}
    errors: dict = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if key in data:
            error = _field_fractions(field, data[key])
            if error:
                errors[key] = error
    return errors


def _field_fractions(field: ma.fields.Field, value):
    if isinstance(field, ma.fields.Integer) and isinstance(value, float) and not value.is_integer():
        return [field.error_messages["invalid"]]
    if isinstance(field, ma.fields.Nested) and isinstance(field.schema, ma.Schema):
        items = value if field.many and isinstance(value, list) else [value]
        found = {i: e for i, item in enumerate(items) if (e := _fractions(field.schema, item))}
        return (found if field.many else found.get(0)) or None
    if isinstance(field, ma.fields.List) and isinstance(value, list):
        found = {i: e for i, item in enumerate(value) if (e := _field_fractions(field.inner, item))}
        return found or None
    return None


class Blueprint(_Blueprint):
    """The project's blueprint: shared argument parsing; a JSON body is marked on the view, so that its
    presence and media type are judged after authentication, and documented with 400, 413 and 415."""

    ARGUMENTS_PARSER = ArgumentsParser()

    def arguments(self, schema, *, location="json", required=True, **kwargs):
        # an instance, made once: given a class, webargs would build (deep-copy) a schema on every request
        schema = schema() if isinstance(schema, type) else schema
        decorator = super().arguments(schema, location=location, required=required, **kwargs)
        if location == "query":
            return self._query_view(decorator, schema)
        if location != "json":
            return decorator

        def json_arguments(func):
            return self._json_view(decorator(func), required)

        return json_arguments

    def json_body(self, schema: dict, *, required: bool = True):
        """For a view that parses its own JSON body (`lms.security.json_body`): the same marks and docs as
        `arguments`, with `schema` (an OpenAPI schema) as the documented body."""

        def decorator(func):
            func = self.doc(requestBody={"required": required, "content": {"application/json": {"schema": schema}}})(func)
            return self._json_view(func, required)

        return decorator

    @staticmethod
    def _query_view(decorator, schema):
        """Mark the view with the query parameters it declares: any other is refused with 422, on every
        endpoint alike (`lms.security.check_request_body`)."""
        schema = schema() if isinstance(schema, type) else schema
        names = {field.data_key or name for name, field in schema.load_fields.items()}

        def query_arguments(func):
            view = decorator(func)
            view.query_names = frozenset(getattr(func, "query_names", frozenset()) | names)
            return view

        return query_arguments

    def _json_view(self, view, required: bool):
        view.json_body_required = required  # read by lms.security.check_request_body
        documented = view.__dict__.get("_apidoc", {}).get("response", {}).get("responses", {})
        for status in (400, 413, 415):
            if status not in documented:
                view = self.alt_response(status, response=http.HTTPStatus(status).name)(view)
        return view


class IdConverter(BaseConverter):
    """`<id:name>`: a UUID string, so `/learners/me` and `/learners/<id>` cannot be confused."""

    regex = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def to_python(self, value: str) -> str:
        return value.lower()


def id_param_schema(converter) -> dict:
    return {"type": "string", "format": "uuid"}
