"""Statistics endpoints for admins, prefectural officials and organisation staff (JSON, CSV or XLSX)."""

import threading

from flask import Response, current_app, json, request
from flask.views import MethodView

from lms.auth.models import ADMIN, OFFICIAL, ORG_STAFF
from lms.auth.permissions import auth_required, current_actor
from lms.dates import fiscal_year, today_jst
from lms.http import Blueprint
from lms.stats import detail, downloads, service
from lms.stats.schemas import (
    BlockSeriesSchema,
    BlockTableSchema,
    DetailQueryArgsSchema,
    PrefectureDetailSchema,
    PrefectureSeriesSchema,
    PrefectureTableSchema,
    StatsQueryArgsSchema,
)
from lms.stats.tables import to_csv_bytes, to_xlsx_bytes

blp = Blueprint("stats", __name__, description="Prefectural statistics (small cells suppressed by role)")

JSON, CSV = "application/json", "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MEDIA = {"json": JSON, "csv": CSV, "xlsx": XLSX}


def _documented(json_schema, summary: str) -> dict:
    """A 200 response in three media types; the format comes from `format` or else `Accept`."""
    return {"responses": {"200": {"description": summary, "content": {
        JSON: {"schema": json_schema},
        CSV: {"schema": {"type": "string"}, "example": "\ufeff年度,集計単位,コード,名称,..."},
        XLSX: {"schema": {"type": "string", "format": "binary"}},
    }}}}


def _format(args: dict) -> str:
    if args.get("format"):
        return args["format"]
    best = request.accept_mimetypes.best_match([JSON, CSV, XLSX], default=JSON)
    return next(name for name, media in MEDIA.items() if media == best)


# built once: a schema instance costs a deep copy of its fields, and dumping with one is thread-safe
_SCHEMAS = {schema: schema() for schema in (PrefectureTableSchema, PrefectureSeriesSchema, BlockTableSchema,
                                            BlockSeriesSchema, PrefectureDetailSchema)}

# JSON bodies of tables the statistics cache hands out again and again (lms.stats.cache): a cached table is
# one object that nobody changes, so its body is rendered once. Each entry holds its table, so the id cannot
# be reused while the entry lives; at most _RENDERED_MAX entries are kept (the oldest go first).
_RENDERED: dict[tuple[int, type], tuple[dict, str]] = {}
_RENDERED_MAX = 64
_RENDERED_LOCK = threading.Lock()


def _json_body(answer: dict, schema) -> str:
    key = (id(answer), type(schema))
    with _RENDERED_LOCK:
        found = _RENDERED.get(key)
    if found is not None and found[0] is answer:
        return found[1]
    body = json.dumps(schema.dump(answer))
    if current_app.config.get("STATS_CACHE_SECONDS", 0) > 0:  # a fresh table each time is never seen again
        with _RENDERED_LOCK:
            _RENDERED[key] = (answer, body)
            while len(_RENDERED) > _RENDERED_MAX:
                del _RENDERED[next(iter(_RENDERED))]
    return body


def _respond(answer: dict, fmt: str, schema, table, filename: str) -> Response:
    if fmt == "json":
        return Response(_json_body(answer, schema), mimetype=JSON)
    data = to_csv_bytes(table(answer)) if fmt == "csv" else to_xlsx_bytes(table(answer))
    response = Response(data, mimetype=MEDIA[fmt])
    if fmt == "csv":
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _years(args: dict) -> tuple:
    years = service.years_of(args.get("fiscal_year"), args.get("from_fiscal_year"), args.get("to_fiscal_year"))
    series = args.get("from_fiscal_year") is not None
    name = f"{years.start}-{years.stop - 1}" if series else str(years.start)
    return years, series, name


_CODE = [{"in": "path", "name": "code", "required": True,
          "description": "JIS code (13) or local-government code (130001)",
          "schema": {"type": "string", "pattern": r"^(\d{2}|\d{6})$"}}]


@blp.route("/stats/prefectures")
class PrefectureStats(MethodView):
    @auth_required(ADMIN, OFFICIAL, ORG_STAFF)
    @blp.arguments(StatsQueryArgsSchema, location="query")
    @blp.doc(**_documented({"oneOf": [PrefectureTableSchema, PrefectureSeriesSchema]},
                           "One fiscal year's table, or a series (`years`) with from/to."))
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args):
        """Counts per prefecture (47 rows) with block subtotals and the national total.

        Enrolments by the prefecture fixed at application, OJT by the site's prefecture. An official sees
        their own prefecture exactly and small cells of the others suppressed; org_staff see their
        organisation's enrolments only, all rows suppressed alike; admins see everything exactly.
        """
        years, series, name = _years(args)
        answer = service.prefecture_table(current_actor(), years, series=series)
        schema = _SCHEMAS[PrefectureSeriesSchema if series else PrefectureTableSchema]
        return _respond(answer, _format(args), schema, downloads.prefecture_download, f"prefectures-{name}")


@blp.route("/stats/blocks")
class BlockStats(MethodView):
    @auth_required(ADMIN, OFFICIAL, ORG_STAFF)
    @blp.arguments(StatsQueryArgsSchema, location="query")
    @blp.doc(**_documented({"oneOf": [BlockTableSchema, BlockSeriesSchema]},
                           "One fiscal year's blocks, or a series (`years`) with from/to."))
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args):
        """Counts per regional block with the national total (the same cells as the prefecture table)."""
        years, series, name = _years(args)
        answer = service.block_table(current_actor(), years, series=series)
        schema = _SCHEMAS[BlockSeriesSchema if series else BlockTableSchema]
        return _respond(answer, _format(args), schema, downloads.block_download, f"blocks-{name}")


@blp.route("/stats/prefectures/<code>", parameters=_CODE)
class PrefectureStatsDetail(MethodView):
    @auth_required(ADMIN, OFFICIAL, ORG_STAFF)
    @blp.arguments(DetailQueryArgsSchema, location="query")
    @blp.doc(**_documented(PrefectureDetailSchema, "The prefecture's row, breakdowns and OJT sites."))
    @blp.alt_response(404, response="NOT_FOUND")
    @blp.alt_response(422, response="UNPROCESSABLE_ENTITY")
    def get(self, args, code: str):
        """One prefecture in detail: breakdowns by programme, specialty, organisation and secondary medical
        area, and its OJT sites with their placements and approved hours (suppressed unless exact)."""
        year = args.get("fiscal_year") or fiscal_year(today_jst())
        answer = detail.prefecture_detail(current_actor(), code, year)
        return _respond(answer, _format(args), _SCHEMAS[PrefectureDetailSchema], downloads.detail_download,
                        f"prefecture-{answer['prefecture']['prefecture_code']}-{year}")
