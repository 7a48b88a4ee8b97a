"""The OJT site CSV parser: encodings, Japanese and English headers, every bad row with its line."""

import codecs

import pytest

from lms.ojt.import_csv import parse_sites_csv

JA_HEADER = "施設コード,施設名,種別,都道府県コード,二次医療圏,医師少数区域,年間受入上限,OJT内容"
JA_ROWS = [
    "1310001,東京総合病院,病院,13,区中央部,0,5,外来、病棟",
    "0110002,北見診療所,診療所,1,北網,○,2,訪問診療・地域包括ケア",
    "2710003,なにわ老健,介護老人保健施設,27,大阪市,いいえ,３,地域包括ケア",
]


def ja_text(rows=JA_ROWS) -> str:
    return "\r\n".join([JA_HEADER, *rows]) + "\r\n"


def test_utf8_with_japanese_headers_and_labels():
    parsed = parse_sites_csv(ja_text().encode("utf-8"))
    assert parsed.errors == [] and parsed.encoding == "utf-8"
    first, second, third = (row.fields for row in parsed.rows)
    assert first == {"external_code": "1310001", "name": "東京総合病院", "kind": "hospital",
                     "prefecture_code": "13", "secondary_medical_area": "区中央部", "shortage_area": False,
                     "annual_capacity": 5, "activities": ["outpatient", "ward"]}
    assert second["prefecture_code"] == "01" and second["shortage_area"] is True
    assert second["activities"] == ["home_visits", "community_care"] and second["kind"] == "clinic"
    assert third["kind"] == "geriatric_facility" and third["annual_capacity"] == 3  # full-width digit
    assert [row.line for row in parsed.rows] == [2, 3, 4]


def test_utf8_bom_is_detected_and_stripped():
    parsed = parse_sites_csv(codecs.BOM_UTF8 + ja_text().encode("utf-8"))
    assert parsed.errors == [] and parsed.encoding == "utf-8-sig"
    assert parsed.rows[0].fields["external_code"] == "1310001"


def test_shift_jis_is_detected():
    parsed = parse_sites_csv(ja_text().encode("cp932"))
    assert parsed.errors == [] and parsed.encoding == "cp932"
    assert parsed.rows[0].fields["name"] == "東京総合病院"


def test_english_headers_and_codes():
    text = ("external_code,name,kind,prefecture_code,secondary_medical_area,shortage_area,annual_capacity,activities\n"
            "X1,Clinic A,clinic,47,Miyako,true,4,home_visits;outpatient\n")
    parsed = parse_sites_csv(text.encode())
    assert parsed.errors == []
    assert parsed.rows[0].fields["activities"] == ["home_visits", "outpatient"]
    assert parsed.rows[0].fields["shortage_area"] is True


def test_optional_columns_may_be_absent_and_extra_columns_are_ignored():
    text = "施設コード,施設名,種別,都道府県コード,二次医療圏,年間受入上限,備考\nA,病院A,病院,13,区西部,1,メモ\n"
    parsed = parse_sites_csv(text.encode())
    assert parsed.errors == []
    assert set(parsed.rows[0].fields) == {"external_code", "name", "kind", "prefecture_code",
                                          "secondary_medical_area", "annual_capacity"}


def test_every_bad_row_is_reported_with_line_and_field():
    rows = [
        "1310001,東京総合病院,病院,13,区中央部,0,5,外来",
        "1310002,,薬局,48,区中央部,たぶん,-1,外来、散歩",
        "1310001,重複病院,病院,13,区中央部,0,5,",
        "",
        '1310004,"改行の\n病院",病院,13,区中央部,0,many,',
        "1310005,最後の病院,病院,13,区中央部,0,x,",
    ]
    parsed = parse_sites_csv(ja_text(rows).encode("cp932"))
    found = {(e.line, e.field) for e in parsed.errors}
    assert found == {(3, "name"), (3, "kind"), (3, "prefecture_code"), (3, "shortage_area"),
                     (3, "annual_capacity"), (3, "activities"), (4, "external_code"), (6, "name"), (6, "annual_capacity"),
                     (8, "annual_capacity")}
    duplicate = next(e for e in parsed.errors if e.line == 4)
    assert "line 2" in duplicate.message
    assert [row.line for row in parsed.rows] == [2]


def test_missing_and_repeated_columns_are_header_errors():
    parsed = parse_sites_csv("施設名,name,種別\nA,B,病院\n".encode())
    fields = {e.field for e in parsed.errors if e.line == 1}
    assert {"name", "external_code", "prefecture_code", "secondary_medical_area", "annual_capacity"} <= fields


@pytest.mark.parametrize("data", [b"", b"\xff\xfe\xfa\x00\x81", bytes(range(128, 256))])
def test_empty_or_undecodable_files_are_errors_not_exceptions(data):
    parsed = parse_sites_csv(data)
    assert parsed.errors and parsed.rows == []


def test_control_characters_are_refused():
    text = JA_HEADER + "\nA,病院\u202e名,病院,13,区中央部,0,1,\n"
    parsed = parse_sites_csv(text.encode())
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "name")]


def test_capacity_is_bounded():
    parsed = parse_sites_csv((JA_HEADER + "\nA,病院,病院,13,区中央部,0,100000,\n").encode())
    assert [(e.line, e.field) for e in parsed.errors] == [(2, "annual_capacity")]
