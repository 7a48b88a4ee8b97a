"""Indicator schemas: the fields of a 医療計画 indicator row, and the live values that come back with it."""

import marshmallow as ma

from lms.http import PageArgsSchema
from lms.indicators.rules import FIRST_REIWA_FISCAL_YEAR, MEASURES

YEARS = ma.validate.Range(min=FIRST_REIWA_FISCAL_YEAR, max=2100)
MEASURE_HELP = "What is counted, with the definitions of /stats: " + ", ".join(
    f"`{code}` ({name})" for code, (name, _) in MEASURES.items())


class _IndicatorFields(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    category_ja = ma.fields.String(validate=ma.validate.Length(min=1, max=50),
                                   metadata={"description": "区分, e.g. ○ or 目標"})
    name_ja = ma.fields.String(validate=ma.validate.Length(min=1, max=200), metadata={"description": "指標等"})
    measure = ma.fields.String(validate=ma.validate.OneOf(tuple(MEASURES)), metadata={"description": MEASURE_HELP})
    rationale_ja = ma.fields.String(validate=ma.validate.Length(max=1000), metadata={"description": "目標の考え方"})
    baseline_fiscal_year = ma.fields.Integer(strict=True, validate=YEARS,
                                             metadata={"description": "The fiscal year of the baseline (令和 only)"})
    target_fiscal_year = ma.fields.Integer(strict=True, validate=YEARS,
                                           metadata={"description": "The fiscal year of the target, not before "
                                                                    "the baseline year"})
    target_value = ma.fields.Integer(strict=True, validate=ma.validate.Range(min=0, max=1_000_000_000),
                                     metadata={"description": "目標値 in the measure's unit"})
    source_ja = ma.fields.String(validate=ma.validate.Length(max=200), metadata={"description": "指標の出典"})
    public = ma.fields.Boolean(metadata={"description": "Shown on the prefecture's public page and pamphlet"})


class IndicatorCreateSchema(_IndicatorFields):
    category_ja = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=50),
                                   metadata={"description": "区分, e.g. ○ or 目標"})
    name_ja = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200),
                               metadata={"description": "指標等"})
    measure = ma.fields.String(required=True, validate=ma.validate.OneOf(tuple(MEASURES)),
                               metadata={"description": MEASURE_HELP})
    rationale_ja = ma.fields.String(load_default="", validate=ma.validate.Length(max=1000),
                                    metadata={"description": "目標の考え方"})
    baseline_fiscal_year = ma.fields.Integer(required=True, strict=True, validate=YEARS)
    target_fiscal_year = ma.fields.Integer(required=True, strict=True, validate=YEARS)
    target_value = ma.fields.Integer(required=True, strict=True, validate=ma.validate.Range(min=0, max=1_000_000_000))
    source_ja = ma.fields.String(load_default="", validate=ma.validate.Length(max=200),
                                 metadata={"description": "指標の出典"})
    public = ma.fields.Boolean(load_default=False)

    @ma.validates_schema
    def _years_ordered(self, data, **kwargs):
        if data.get("baseline_fiscal_year", 0) > data.get("target_fiscal_year", 10_000):
            raise ma.ValidationError("must not be before baseline_fiscal_year", "target_fiscal_year")


class IndicatorUpdateSchema(_IndicatorFields):
    @ma.validates_schema
    def _not_empty(self, data, **kwargs):
        if not data:
            raise ma.ValidationError("Give at least one field to change.")


class IndicatorSchema(ma.Schema):
    id = ma.fields.String()
    prefecture_code = ma.fields.String()
    category_ja = ma.fields.String()
    name_ja = ma.fields.String()
    measure = ma.fields.String(metadata={"description": MEASURE_HELP})
    measure_ja = ma.fields.String()
    unit_ja = ma.fields.String()
    rationale_ja = ma.fields.String()
    baseline_fiscal_year = ma.fields.Integer()
    target_fiscal_year = ma.fields.Integer()
    target_value = ma.fields.Integer()
    source_ja = ma.fields.String()
    public = ma.fields.Boolean()
    baseline_value = ma.fields.Raw(allow_none=True, metadata={
        "type": "number", "description": "The measure in the baseline year, counted live (null before that year has begun)"})
    current_value = ma.fields.Raw(allow_none=True, metadata={
        "type": "number", "description": "現状値: the measure in the latest fiscal year with data, counted live"})
    current_fiscal_year = ma.fields.Integer(allow_none=True)
    progress = ma.fields.Float(allow_none=True, metadata={"description": "0–1 of the way from baseline to target"})
    on_track = ma.fields.Boolean(allow_none=True, metadata={
        "description": "At or beyond the straight line from the baseline to the target in the current year"})
    created_at = ma.fields.DateTime()
    updated_at = ma.fields.DateTime()


class IndicatorQueryArgsSchema(PageArgsSchema):
    format = ma.fields.String(validate=ma.validate.OneOf(("json", "csv", "xlsx")), metadata={
        "description": "csv or xlsx: the whole table in the 医療計画's columns (pagination ignored)"})
