"""Statistics schemas: every count's definition is written in its field description."""

import marshmallow as ma

MAX_SERIES_YEARS = 10
FORMATS = ("json", "csv", "xlsx")

_NULL = " Null when suppressed (then listed in `suppressed`)."
_STATUS = ("Enrolments of the fiscal year (the year of the application date) in the row's prefecture whose "
           "current status is `{}`.") + _NULL


def _count(description: str) -> ma.fields.Integer:
    return ma.fields.Integer(required=True, allow_none=True, metadata={"description": description})


class EnrolmentCountsSchema(ma.Schema):
    """Enrolment counts, by the enrolment's `prefecture_code`, fixed at application (a learner who moves
    later is still counted where they applied). For org_staff only their organisation's enrolments."""

    applied = _count(_STATUS.format("applied"))
    active = _count(_STATUS.format("active"))
    suspended = _count(_STATUS.format("suspended"))
    completed = _count(_STATUS.format("completed"))
    withdrawn = _count(_STATUS.format("withdrawn") + " Includes enrolments withdrawn after becoming active.")
    rejected = _count(_STATUS.format("rejected"))
    participants = _count(
        "受講者数: enrolments of the fiscal year that ever became active, whatever their current status (so an "
        "enrolment withdrawn after becoming active counts here and under `withdrawn`; a rejected or a "
        "never-approved one does not)." + _NULL)


class StatsRowSchema(EnrolmentCountsSchema):
    """The counts of a row (prefecture, block or nation). OJT figures are by the site's prefecture; for
    org_staff they count only placements of their organisation's enrolments (except `ojt_sites`)."""

    ojt_sites = ma.fields.Integer(required=True, metadata={
        "description": "OJT sites currently registered in the prefecture, whatever the fiscal year. Never "
                       "suppressed: the site register is public."})
    ojt_sites_hosting = ma.fields.Integer(required=True, metadata={
        "description": "Sites in the prefecture with at least one active placement of the fiscal year. Never "
                       "suppressed: which institutions give OJT is public."})
    placements = _count("Active (not cancelled) placements of the fiscal year at sites in the prefecture." + _NULL)
    ojt_hours_approved = ma.fields.Float(required=True, allow_none=True, metadata={
        "description": "Approved hours on the OJT logs of those placements (pending and rejected logs do not "
                       "count). Suppressed wherever `placements` is."})
    suppressed = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "The columns of this row published as null: counts 1 <= n < k, and further cells hidden so "
                       "that no total or subtotal has exactly one hidden cell under it."})


class PrefectureStatsRowSchema(StatsRowSchema):
    prefecture_code = ma.fields.String(required=True, metadata={"example": "13"})
    name_ja = ma.fields.String(required=True, metadata={"example": "東京都"})
    block_code = ma.fields.String(required=True, metadata={"example": "kanto-shinetsu"})
    block_ja = ma.fields.String(required=True, metadata={"example": "関東信越"})


class BlockStatsRowSchema(StatsRowSchema):
    block_code = ma.fields.String(required=True)
    block_ja = ma.fields.String(required=True)
    prefecture_codes = ma.fields.List(ma.fields.String(), required=True)


class _HeaderSchema(ma.Schema):
    as_of = ma.fields.DateTime(required=True, metadata={"description": "When the counts were taken."})
    k = ma.fields.Integer(required=True, metadata={"description": "Suppression threshold (STATS_SUPPRESSION_K)."})
    organization_code = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "For org_staff: the organisation whose enrolments are counted; else null."})
    exact_prefecture_codes = ma.fields.List(ma.fields.String(), required=True, allow_none=True, metadata={
        "description": "Prefectures shown exactly to the caller: null means all (admin); an official's own "
                       "prefecture; none for org_staff. Other rows have small cells suppressed."})


class PrefectureTableSchema(_HeaderSchema):
    fiscal_year = ma.fields.Integer(required=True)
    rows = ma.fields.Nested(PrefectureStatsRowSchema, many=True, required=True,
                            metadata={"description": "Exactly 47 rows, by prefecture code."})
    blocks = ma.fields.Nested(BlockStatsRowSchema, many=True, required=True,
                              metadata={"description": "The eight block subtotals."})
    national = ma.fields.Nested(StatsRowSchema, required=True, metadata={"description": "The national total."})


class BlockTableSchema(_HeaderSchema):
    fiscal_year = ma.fields.Integer(required=True)
    blocks = ma.fields.Nested(BlockStatsRowSchema, many=True, required=True)
    national = ma.fields.Nested(StatsRowSchema, required=True)


class PrefectureSeriesSchema(_HeaderSchema):
    from_fiscal_year = ma.fields.Integer(required=True)
    to_fiscal_year = ma.fields.Integer(required=True)
    years = ma.fields.Nested(PrefectureTableSchema, many=True, required=True,
                             metadata={"description": "One table per fiscal year, oldest first."})


class BlockSeriesSchema(_HeaderSchema):
    from_fiscal_year = ma.fields.Integer(required=True)
    to_fiscal_year = ma.fields.Integer(required=True)
    years = ma.fields.Nested(BlockTableSchema, many=True, required=True)


class EnrolmentBreakdownRowSchema(EnrolmentCountsSchema):
    code = ma.fields.String(required=True)
    name_ja = ma.fields.String(required=True)
    suppressed = ma.fields.List(ma.fields.String(), required=True)


class AreaRowSchema(ma.Schema):
    name = ma.fields.String(required=True, metadata={"description": "Secondary medical area (二次医療圏)."})
    shortage_area = ma.fields.Boolean(required=True, metadata={"description": "A physician-shortage area."})
    ojt_sites = ma.fields.Integer(required=True)
    ojt_sites_hosting = ma.fields.Integer(required=True)
    placements = ma.fields.Integer(required=True, allow_none=True)
    ojt_hours_approved = ma.fields.Float(required=True, allow_none=True)
    suppressed = ma.fields.List(ma.fields.String(), required=True)


class SiteRowSchema(ma.Schema):
    id = ma.fields.String(required=True)
    external_code = ma.fields.String(required=True, allow_none=True)
    name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True)
    kind_ja = ma.fields.String(required=True)
    secondary_medical_area = ma.fields.String(required=True)
    shortage_area = ma.fields.Boolean(required=True)
    annual_capacity = ma.fields.Integer(required=True)
    hosting = ma.fields.Boolean(required=True, metadata={"description": "At least one active placement."})
    placements = ma.fields.Integer(required=True, allow_none=True)
    ojt_hours_approved = ma.fields.Float(required=True, allow_none=True)
    suppressed = ma.fields.List(ma.fields.String(), required=True)


class BreakdownsSchema(ma.Schema):
    programs = ma.fields.Nested(EnrolmentBreakdownRowSchema, many=True, required=True)
    specialties = ma.fields.Nested(EnrolmentBreakdownRowSchema, many=True, required=True, metadata={
        "description": "By the learner's current specialty."})
    organizations = ma.fields.Nested(EnrolmentBreakdownRowSchema, many=True, required=True, metadata={
        "description": "By the enrolment's organisation; `none` for enrolments without one."})
    secondary_medical_areas = ma.fields.Nested(AreaRowSchema, many=True, required=True)


class PrefectureDetailSchema(ma.Schema):
    fiscal_year = ma.fields.Integer(required=True)
    as_of = ma.fields.DateTime(required=True)
    k = ma.fields.Integer(required=True)
    organization_code = ma.fields.String(required=True, allow_none=True)
    exact = ma.fields.Boolean(required=True, metadata={"description": "Whether the caller sees this prefecture "
                                                                      "exactly; if not, small cells are suppressed."})
    prefecture = ma.fields.Nested(PrefectureStatsRowSchema, required=True,
                                  metadata={"description": "The prefecture's row, as in the prefecture table."})
    breakdowns = ma.fields.Nested(BreakdownsSchema, required=True)
    ojt_sites = ma.fields.Nested(SiteRowSchema, many=True, required=True)


_YEAR = ma.validate.Range(min=2000, max=2100)


class DetailQueryArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.RAISE

    fiscal_year = ma.fields.Integer(validate=_YEAR, metadata={"description": "Default: the current fiscal year."})
    format = ma.fields.String(validate=ma.validate.OneOf(FORMATS), metadata={
        "description": "json (default), csv (UTF-8 with BOM) or xlsx; `Accept: text/csv` works too."})


class StatsQueryArgsSchema(DetailQueryArgsSchema):
    from_fiscal_year = ma.fields.Integer(validate=_YEAR, metadata={
        "description": f"With `to_fiscal_year`: a series of at most {MAX_SERIES_YEARS} years, one table per year."})
    to_fiscal_year = ma.fields.Integer(validate=_YEAR)

    @ma.validates_schema
    def _one_year_or_a_series(self, data, **kwargs):
        start, end = data.get("from_fiscal_year"), data.get("to_fiscal_year")
        if (start is None) != (end is None):
            field = "to_fiscal_year" if end is None else "from_fiscal_year"
            raise ma.ValidationError("from_fiscal_year and to_fiscal_year go together", field)
        if start is None:
            return
        if data.get("fiscal_year") is not None:
            raise ma.ValidationError("give fiscal_year or a from/to series, not both", "fiscal_year")
        if end < start:
            raise ma.ValidationError("must not be before from_fiscal_year", "to_fiscal_year")
        if end - start + 1 > MAX_SERIES_YEARS:
            raise ma.ValidationError(f"a series spans at most {MAX_SERIES_YEARS} fiscal years", "to_fiscal_year")
