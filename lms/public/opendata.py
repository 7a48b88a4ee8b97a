"""Host institutions as open data: CSV in UTF-8 with a BOM, formula-safe (the statistics' CSV writer)."""

from lms.stats.tables import Table, to_csv_bytes

COLUMNS = [("prefecture_code", "都道府県コード"), ("prefecture_ja", "都道府県名"), ("external_code", "施設コード"),
           ("name", "名称"), ("kind_ja", "種別"), ("secondary_medical_area", "二次医療圏"),
           ("shortage_area", "医師少数区域"), ("activities_ja", "研修内容"), ("annual_capacity", "年間受入可能人数")]


def sites_csv(page: dict) -> bytes:
    rows = [{"prefecture_code": page["prefecture_code"], "prefecture_ja": page["name_ja"],
             "external_code": site["external_code"] or "", "name": site["name"], "kind_ja": site["kind_ja"],
             "secondary_medical_area": site["secondary_medical_area"],
             "shortage_area": "該当" if site["shortage_area"] else "", "activities_ja": "、".join(site["activities_ja"]),
             "annual_capacity": site["annual_capacity"]} for site in page["ojt_sites"]]
    return to_csv_bytes(Table(COLUMNS, rows, f"{page['name_ja']} OJT受入医療機関", page["as_of"]))
