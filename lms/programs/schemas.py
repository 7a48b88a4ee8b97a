"""Programme schemas."""

import marshmallow as ma


class ModuleSchema(ma.Schema):
    code = ma.fields.String()
    title_ja = ma.fields.String()
    kind = ma.fields.String()
    required = ma.fields.Boolean()
    min_score = ma.fields.Integer(allow_none=True)
    estimated_minutes = ma.fields.Integer()


class ModuleDetailSchema(ModuleSchema):
    body_md = ma.fields.String(metadata={"description": "Module text (Markdown)"})


class ProgramSchema(ma.Schema):
    code = ma.fields.String()
    version = ma.fields.Integer()
    title_ja = ma.fields.String()
    title_en = ma.fields.String()
    description_ja = ma.fields.String()
    ojt_required_hours = ma.fields.Float()
    min_duration_days = ma.fields.Integer(allow_none=True)
    modules = ma.fields.List(ma.fields.Nested(ModuleSchema))


class ProgramQueryArgsSchema(ma.Schema):
    version = ma.fields.Integer(validate=ma.validate.Range(min=1, max=100000))
