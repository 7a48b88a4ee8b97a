"""The report types: their parameters, how relative parameters resolve, and what builds them."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import marshmallow as ma

from lms.dates import fiscal_year as fiscal_year_of
from lms.stats.tables import Table

RELATIVE_YEARS = {"current": 0, "previous": -1}


class FiscalYear(ma.fields.Field):
    """A fiscal year (2000–2100) or "current" / "previous", resolved when the report runs."""

    default_error_messages = {"invalid": 'Use a fiscal year 2000–2100, "current" or "previous".'}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value in RELATIVE_YEARS:
            return value
        if isinstance(value, bool) or not isinstance(value, int) or not 2000 <= value <= 2100:
            raise self.make_error("invalid")
        return value


class _Params(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    fiscal_year = FiscalYear(load_default="current", metadata={
        "type": "integer | string", "description": '年度 (2026 = FY2026) or "current" / "previous" at run time'})


class PrefectureEnrollmentParams(_Params):
    pass


class ProgramProgressParams(_Params):
    program_code = ma.fields.String(validate=ma.validate.Length(min=1, max=40),
                                    metadata={"description": "One programme only (default: all)"})


class OjtActivityParams(_Params):
    prefecture_code = ma.fields.String(
        validate=ma.validate.OneOf([f"{n:02d}" for n in range(1, 48)]),
        metadata={"description": "One prefecture only, JIS code 01–47 (default: all)"})


class CertificatesIssuedParams(_Params):
    program_code = ma.fields.String(validate=ma.validate.Length(min=1, max=40),
                                    metadata={"description": "One programme only (default: all)"})


@dataclass(frozen=True)
class Chart:
    """A picture for the PDF: `tile_map` (values by prefecture code) or `bar` (labelled series)."""

    kind: str
    title_ja: str
    unit_ja: str = ""
    values: dict[str, float] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    series: list[tuple[str, list[float]]] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    """A built report: the published table, a subtitle, and for the PDF a chart and key figures."""

    table: Table
    subtitle_ja: str
    chart: Chart | None = None
    highlights: list[tuple[str, str]] = field(default_factory=list)  # key figures: (label, value as text)


@dataclass(frozen=True)
class ReportType:
    code: str
    title_ja: str
    description: str
    params: type[ma.Schema]
    build: Callable[[dict[str, Any], datetime], Report]
    chart: str


def resolve_params(params: dict[str, Any], at: datetime) -> dict[str, Any]:
    """Fill relative parameters for a run whose occurrence (or request) is at `at`."""
    resolved = dict(params)
    year = resolved.get("fiscal_year", "current")
    if isinstance(year, str):
        resolved["fiscal_year"] = fiscal_year_of(at) + RELATIVE_YEARS[year]
    return resolved


def _registry() -> dict[str, ReportType]:
    from lms.reports import builders

    types = [
        ReportType("prefecture_enrollment", "都道府県別 受講状況", "Enrolments by status, participants and "
                   "OJT per prefecture, with block subtotals and the national total (exact figures).",
                   PrefectureEnrollmentParams, builders.prefecture_enrollment, "tile_map"),
        ReportType("program_progress", "プログラム別 進捗状況", "Per programme: applications, participants, "
                   "active, completed, completion rate, median progress of active learners, approved OJT hours.",
                   ProgramProgressParams, builders.program_progress, "bar"),
        ReportType("ojt_activity", "OJT実施状況", "OJT per prefecture with the sites that hosted learners: "
                   "capacity, placements and approved hours, with prefecture subtotals.",
                   OjtActivityParams, builders.ojt_activity, "tile_map"),
        ReportType("certificates_issued", "修了証 発行状況", "Certificates issued in the fiscal year per "
                   "programme and month (Japan time), with revoked and superseded counts.",
                   CertificatesIssuedParams, builders.certificates_issued, "bar"),
    ]
    return {t.code: t for t in types}


REPORT_TYPES: dict[str, ReportType] = _registry()


def describe(report_type: ReportType) -> dict[str, Any]:
    """A report type as plain values for `GET /report-types`."""
    params = []
    for name, schema_field in report_type.params().fields.items():
        default = schema_field.load_default
        params.append({
            "name": name,
            "type": schema_field.metadata.get("type", "string"),
            "required": schema_field.required,
            "default": None if default is ma.missing else default,
            "description": schema_field.metadata.get("description", ""),
        })
    return {"code": report_type.code, "title_ja": report_type.title_ja, "description": report_type.description,
            "chart": report_type.chart, "formats": ["csv", "xlsx", "pdf"], "params": params}
