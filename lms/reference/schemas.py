"""Reference data schemas."""

import marshmallow as ma


class PrefectureSchema(ma.Schema):
    code = ma.fields.String(metadata={"example": "13"})
    name_ja = ma.fields.String(metadata={"example": "東京都"})
    name_en = ma.fields.String(metadata={"example": "Tokyo"})
    block_ja = ma.fields.String(metadata={"example": "関東信越"})
    block_en = ma.fields.String(metadata={"example": "Kanto-Shinetsu"})
    lg_code = ma.fields.String(metadata={"example": "130001"})


class BlockSchema(ma.Schema):
    code = ma.fields.String()
    name_ja = ma.fields.String()
    name_en = ma.fields.String()
    prefecture_codes = ma.fields.Method("_prefecture_codes", metadata={"type": "array"})

    def _prefecture_codes(self, block) -> list[str]:
        return [p.code for p in block.prefectures]


class OrganizationSchema(ma.Schema):
    code = ma.fields.String()
    name_ja = ma.fields.String()
    name_en = ma.fields.String()


class SpecialtySchema(ma.Schema):
    code = ma.fields.String()
    name_ja = ma.fields.String()
    name_en = ma.fields.String()
