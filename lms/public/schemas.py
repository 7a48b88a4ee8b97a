"""Public page schemas: the JSON of a prefecture's page (API.md's field names)."""

import marshmallow as ma

from lms.indicators.schemas import IndicatorSchema


class PublicPageArgsSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # links shared on the web carry tracking parameters; they change nothing

    embed = ma.fields.Boolean(load_default=False, metadata={
        "description": "1: a frameless version for the prefecture's homepage (framing allowed only for "
                       "PUBLIC_EMBED_ORIGINS)"})


class PublicProgramSchema(ma.Schema):
    code = ma.fields.String()
    title_ja = ma.fields.String()
    description_ja = ma.fields.String()
    ojt_required_hours = ma.fields.Raw(metadata={"type": "number"})
    modules = ma.fields.Integer(metadata={"description": "Number of modules"})
    how_to_apply_ja = ma.fields.String()


class PublicSiteSchema(ma.Schema):
    name = ma.fields.String()
    kind = ma.fields.String()
    kind_ja = ma.fields.String()
    secondary_medical_area = ma.fields.String()
    shortage_area = ma.fields.Boolean(metadata={"description": "In a physician-shortage area (医師少数区域)"})
    activities = ma.fields.List(ma.fields.String())
    annual_capacity = ma.fields.Integer()


class PublicFiguresSchema(ma.Schema):
    fiscal_year = ma.fields.Integer()
    participants = ma.fields.Integer(allow_none=True)
    completed = ma.fields.Integer(allow_none=True)
    ojt_sites_hosting = ma.fields.Integer(allow_none=True)
    placements = ma.fields.Integer(allow_none=True)
    suppressed = ma.fields.List(ma.fields.String(), metadata={
        "description": "Figures published as null: a small count (1 ≤ n < STATS_SUPPRESSION_K) or one that "
                       "would reveal one"})


class PublicIndicatorSchema(IndicatorSchema):
    class Meta:
        exclude = ("id", "created_at", "updated_at", "public")


class PublicPrefectureSchema(ma.Schema):
    prefecture_code = ma.fields.String()
    name_ja = ma.fields.String()
    lg_code = ma.fields.String()
    programs = ma.fields.List(ma.fields.Nested(PublicProgramSchema))
    ojt_sites = ma.fields.List(ma.fields.Nested(PublicSiteSchema), metadata={
        "description": "Host institutions, those in physician-shortage areas first"})
    figures = ma.fields.Nested(PublicFiguresSchema)
    indicators = ma.fields.List(ma.fields.Nested(PublicIndicatorSchema), metadata={
        "description": "The prefecture's public indicators, values published like the figures"})
    as_of = ma.fields.DateTime(metadata={"description": "When the figures were counted"})
