"""Indicator endpoints: a prefecture's own officials and the consortium admins."""

from flask import Response
from flask.views import MethodView

from lms.auth.models import ADMIN, OFFICIAL
from lms.auth.permissions import auth_required, current_actor
from lms.http import PAGE_HEADERS, Blueprint, paged
from lms.idempotency import idempotent
from lms.indicators import service
from lms.indicators.export import indicator_table
from lms.indicators.schemas import (
    IndicatorCreateSchema,
    IndicatorQueryArgsSchema,
    IndicatorSchema,
    IndicatorUpdateSchema,
)
from lms.stats.tables import to_csv_bytes, to_xlsx_bytes

blp = Blueprint("indicators", __name__, description="Prefectural indicators (指標) against live values")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CODE = [{"in": "path", "name": "code", "required": True,
          "description": "JIS code (34) or local-government code (340006)",
          "schema": {"type": "string", "pattern": r"^(\d{2}|\d{6})$"}}]
_DOWNLOADS = {"responses": {"200": {"description": "The indicators (JSON), or the whole table as CSV or XLSX",
                                    "content": {
                                        "application/json": {"schema": IndicatorSchema(many=True)},
                                        "text/csv": {"schema": {"type": "string"},
                                                     "example": "\ufeff区分,指標等,目標の考え方,現状値,目標値,指標の出典"},
                                        XLSX: {"schema": {"type": "string", "format": "binary"}}}}}}


def _download(code: str, fmt: str) -> Response:
    prefecture, name_ja, indicators = service.all_indicators(current_actor(), code)
    table = indicator_table(name_ja, indicators)
    if fmt == "csv":
        response = Response(to_csv_bytes(table), mimetype="text/csv")
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    else:
        response = Response(to_xlsx_bytes(table), mimetype=XLSX)
    response.headers["Content-Disposition"] = f'attachment; filename="indicators-{prefecture}.{fmt}"'
    return response


@blp.route("/prefectures/<code>/indicators", parameters=_CODE)
class Indicators(MethodView):
    @auth_required(ADMIN, OFFICIAL)
    @blp.arguments(IndicatorQueryArgsSchema, location="query")
    @blp.response(200, IndicatorSchema(many=True), headers=PAGE_HEADERS)
    @blp.doc(**_DOWNLOADS)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, args, code):
        """List a prefecture's indicators with baseline and current values counted live; `format=csv|xlsx`
        downloads the table in the 医療計画's columns with values like `[R7] 22人`."""
        if args.get("format") in ("csv", "xlsx"):
            return _download(code, args["format"])
        items, total = service.list_indicators(current_actor(), code, page=args["page"], per_page=args["per_page"])
        return paged(items, total, args)

    @auth_required(ADMIN, OFFICIAL)
    @idempotent
    @blp.arguments(IndicatorCreateSchema)
    @blp.response(201, IndicatorSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, fields, code):
        """Add an indicator to the prefecture's table (an official of another prefecture gets 404)."""
        return service.create_indicator(current_actor(), code, fields)


@blp.route("/prefectures/<code>/indicators/<id:indicator_id>", parameters=_CODE)
class IndicatorById(MethodView):
    @auth_required(ADMIN, OFFICIAL)
    @blp.response(200, IndicatorSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, code, indicator_id):
        """Get one indicator with its live values."""
        return service.get_indicator(current_actor(), code, indicator_id)

    @auth_required(ADMIN, OFFICIAL)
    @blp.arguments(IndicatorUpdateSchema)
    @blp.response(200, IndicatorSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def patch(self, fields, code, indicator_id):
        """Change an indicator; the baseline year must stay at or before the target year."""
        return service.update_indicator(current_actor(), code, indicator_id, fields)

    @auth_required(ADMIN, OFFICIAL)
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, code, indicator_id):
        """Delete an indicator."""
        service.delete_indicator(current_actor(), code, indicator_id)
