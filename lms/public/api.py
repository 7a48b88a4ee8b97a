"""Public pages of the prefectures (周知): HTML for people, JSON for programs, a pamphlet and open data. No login."""

import hashlib
import json

from flask import Response, current_app, g, render_template, request
from flask.views import MethodView

from lms.errors import NotFound
from lms.http import Blueprint
from lms.indicators import rules
from lms.public import opendata, service
from lms.public.pamphlet import render_pamphlet
from lms.public.schemas import PublicPageArgsSchema, PublicPrefectureSchema
from lms.stats.tables import as_of_ja

blp = Blueprint("public", __name__, description="Prefectures' publicity (周知): public pages, pamphlets, open data",
                template_folder="templates")

HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'"
_CODE = [{"in": "path", "name": "code", "required": True,
          "description": "JIS code (34) or local-government code (340006); anything else is 404",
          "schema": {"type": "string"}}]
_HTML = {"text/html": {"schema": {"type": "string"}}}


def _wants_json() -> bool:
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _page_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/public/prefectures/{code}"


def _content_tag(page: dict, *variant: object) -> str:
    """An ETag of what the page says, leaving out when it was counted: every process (and every expiry of
    the statistics cache) gives the same tag while the counts stay the same, so revalidations get 304."""
    content = {key: value for key, value in page.items() if key != "as_of"}
    digest = hashlib.sha256(json.dumps([content, variant], sort_keys=True, default=str).encode()).hexdigest()
    return digest[:32]


def _cacheable(response: Response, tag: str | None = None) -> Response:
    """A short public max-age and an ETag, so a homepage embed is served from caches, and 304 when unchanged."""
    response.headers["Cache-Control"] = f"public, max-age={current_app.config['PUBLIC_CACHE_SECONDS']}"
    if tag is None:
        response.add_etag()
    else:
        response.set_etag(tag, weak=True)  # the same content; the "as of" time may differ
    return response.make_conditional(request)


def _html(body: str, status: int = 200, *, embed: bool = False) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    origins = current_app.config["PUBLIC_EMBED_ORIGINS"]
    if embed and origins:
        response.headers["Content-Security-Policy"] = f"{HTML_CSP}; frame-ancestors {' '.join(origins)}"
        g.public_framing_allowed = True
    else:
        response.headers["Content-Security-Policy"] = f"{HTML_CSP}; frame-ancestors 'none'"
        response.headers["X-Frame-Options"] = "DENY"
    response.vary.add("Accept")
    return response


@blp.app_template_filter("public_fy")
def _fiscal_year_ja(year: int) -> str:
    return f"令和{year - rules.REIWA_OFFSET}年度（{year}年度）"


@blp.app_template_filter("public_number")
def _number(value) -> str:
    return rules.number_text(value)


@blp.app_template_filter("public_as_of")
def _as_of(moment) -> str:
    return as_of_ja(moment)


@blp.app_template_filter("public_era")
def _era(year: int, value, unit: str) -> str:
    return rules.era_value(year, value, unit)


@blp.app_template_filter("public_current")
def _current(indicator: dict) -> str:
    if indicator["current_fiscal_year"] is None:
        return "—"
    if indicator["current_value"] is None:
        return f"[{rules.reiwa_label(indicator['current_fiscal_year'])}] 少数のため非表示"
    return rules.era_value(indicator["current_fiscal_year"], indicator["current_value"], indicator["unit_ja"])


@blp.after_app_request
def _allow_framing(response: Response) -> Response:
    # Runs after lms.security's headers (registered earlier, so called later): an embed framed by the
    # configured origins must not carry X-Frame-Options, which knows no list of origins.
    if g.get("public_framing_allowed"):
        response.headers.pop("X-Frame-Options", None)
    return response


@blp.route("/public/prefectures")
class PublicIndex(MethodView):
    @blp.doc(responses={"200": {"description": "The index with a tile map of Japan", "content": _HTML}})
    def get(self):
        """The index of the prefectures' public pages: a tile map of Japan linking to each of them."""
        return _cacheable(_html(render_template("public/index.html", embed=False, **service.index_page())))


@blp.route("/public/prefectures/<code>", parameters=_CODE)
class PublicPrefecture(MethodView):
    @blp.arguments(PublicPageArgsSchema, location="query")
    @blp.doc(responses={
        "200": {"description": "The page (HTML), or its content as JSON with `Accept: application/json`",
                "content": {"application/json": {"schema": PublicPrefectureSchema}, **_HTML}},
        "304": {"description": "Not modified (If-None-Match)"},
        "404": {"description": "Unknown prefecture", "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}, **_HTML}},
    })
    def get(self, args, code):
        """A prefecture's public page: its programmes and how to apply, its OJT host institutions (shortage
        areas first), its figures with small counts suppressed, and its public indicators."""
        try:
            page = service.prefecture_page(code)
        except NotFound:
            if _wants_json():
                raise
            return _html(render_template("public/not_found.html", code=code, embed=False), 404)
        if _wants_json():
            response = current_app.response_class(
                current_app.json.dumps(PublicPrefectureSchema().dump(page)), mimetype="application/json")
            response.vary.add("Accept")
            return _cacheable(response, _content_tag(page, "json"))
        body = render_template("public/prefecture.html", page=page, embed=args["embed"],
                               page_url=_page_url(page["prefecture_code"]), figure_labels=service.FIGURE_LABELS)
        return _cacheable(_html(body, embed=args["embed"]), _content_tag(page, "html", args["embed"], _page_url(code)))


@blp.route("/public/prefectures/<code>/pamphlet.pdf", parameters=_CODE)
class PublicPamphlet(MethodView):
    @blp.doc(responses={"200": {"description": "A4 pamphlet", "content": {
        "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}})
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, code):
        """The prefecture's A4 pamphlet (PDF, Japanese) with a QR code of its page."""
        page = service.prefecture_page(code)
        pdf = render_pamphlet(page, _page_url(page["prefecture_code"]))
        response = Response(pdf, mimetype="application/pdf")
        response.headers["Content-Disposition"] = f'inline; filename="pamphlet-{page["prefecture_code"]}.pdf"'
        return _cacheable(response)


@blp.route("/public/prefectures/<code>/ojt-sites.csv", parameters=_CODE)
class PublicSitesCsv(MethodView):
    @blp.doc(responses={"200": {"description": "Open data (UTF-8 with BOM)", "content": {
        "text/csv": {"schema": {"type": "string"}}}}})
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, code):
        """The prefecture's OJT host institutions as open data (CSV, UTF-8 with BOM, formula-safe)."""
        page = service.institutions_page(code)
        response = Response(opendata.sites_csv(page), mimetype="text/csv")
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
        response.headers["Content-Disposition"] = f'attachment; filename="ojt-sites-{page["prefecture_code"]}.csv"'
        return _cacheable(response)
