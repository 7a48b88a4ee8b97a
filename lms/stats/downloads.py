"""The statistics answers as download tables: Japanese headers, one row per prefecture, block or nation."""

from lms.stats.publish import COLUMNS, ENROLMENT_COLUMNS
from lms.stats.tables import Table, suppression_note

LABELS = {
    "applied": "申請中",
    "active": "受講中",
    "suspended": "休止中",
    "completed": "修了",
    "withdrawn": "辞退",
    "rejected": "不承認",
    "participants": "受講者数",
    "ojt_sites": "OJT登録施設数",
    "ojt_sites_hosting": "OJT受入施設数",
    "placements": "OJT受入人数",
    "ojt_hours_approved": "OJT承認時間",
}
SUPPRESSED = ("suppressed", "秘匿した項目")
COUNTS = [(column, LABELS[column]) for column in COLUMNS]

DEFINITIONS = (
    "申請中〜不承認: その年度（申請日の年度）の受講申請のうち、現在その状態にある件数。都道府県は申請時の勤務地（後に異動しても変わらない）。",
    "受講者数: その年度の受講申請のうち、一度でも受講中になったもの（その後に辞退・修了したものを含む）。",
    "OJT登録施設数: 都道府県内に登録されているOJT施設数（年度によらず現在の登録）。",
    "OJT受入施設数・受入人数: その年度の有効なOJT配置がある施設数と配置数（施設の所在都道府県による）。",
    "OJT承認時間: それらの配置のOJT記録のうち承認された時間の合計。",
)


def _notes(answer: dict, *, suppressed: bool) -> list[str]:
    notes = list(DEFINITIONS)
    if answer.get("organization_code"):
        notes.append(f"所属団体 {answer['organization_code']} の受講申請（とその配置）のみを集計しています。")
    if suppressed:
        notes.append(suppression_note(answer["k"]))
    return notes


def _is_suppressed(answer: dict) -> bool:
    return answer.get("exact_prefecture_codes") is not None or answer.get("exact") is False


def _years(answer: dict) -> list[dict]:
    return answer["years"] if "years" in answer else [answer]


def _span(answer: dict) -> str:
    if "years" in answer:
        return f"{answer['from_fiscal_year']}〜{answer['to_fiscal_year']}年度"
    return f"{answer['fiscal_year']}年度"


def _counts(row: dict) -> dict:
    return {column: row[column] for column in COLUMNS} | {"suppressed": row["suppressed"]}


def prefecture_download(answer: dict) -> Table:
    """47 prefectures, then the block subtotals and the national total, for each year."""
    columns = [("fiscal_year", "年度"), ("level", "集計単位"), ("code", "コード"), ("name_ja", "名称"),
               ("block_ja", "ブロック"), *COUNTS, SUPPRESSED]
    rows = []
    for table in _years(answer):
        year = table["fiscal_year"]
        rows += [{"fiscal_year": year, "level": "都道府県", "code": r["prefecture_code"], "name_ja": r["name_ja"],
                  "block_ja": r["block_ja"], **_counts(r)} for r in table["rows"]]
        rows += _block_rows(table)
    return Table(columns, rows, f"都道府県別 受講者数・OJT実施状況（{_span(answer)}）", answer["as_of"],
                 _notes(answer, suppressed=_is_suppressed(answer)))


def _block_rows(table: dict) -> list[dict]:
    year = table["fiscal_year"]
    rows = [{"fiscal_year": year, "level": "ブロック", "code": b["block_code"], "name_ja": b["block_ja"],
             "block_ja": b["block_ja"], **_counts(b)} for b in table["blocks"]]
    rows.append({"fiscal_year": year, "level": "全国", "code": "00", "name_ja": "全国", "block_ja": "",
                 **_counts(table["national"])})
    return rows


def block_download(answer: dict) -> Table:
    """The eight blocks and the national total, for each year."""
    columns = [("fiscal_year", "年度"), ("level", "集計単位"), ("code", "コード"), ("name_ja", "名称"), *COUNTS,
               SUPPRESSED]
    rows = [row for table in _years(answer) for row in _block_rows(table)]
    return Table(columns, rows, f"ブロック別 受講者数・OJT実施状況（{_span(answer)}）", answer["as_of"],
                 _notes(answer, suppressed=_is_suppressed(answer)))


SECTIONS = {"programs": "プログラム別", "specialties": "基本領域別", "organizations": "所属団体別"}


def detail_download(answer: dict) -> Table:
    """The prefecture's row, its breakdowns and its OJT sites, one section after another."""
    columns = [("section", "区分"), ("code", "コード"), ("name_ja", "名称"), ("shortage_area", "医師少数区域"),
               *COUNTS, SUPPRESSED]
    blank = dict.fromkeys(COLUMNS)
    p = answer["prefecture"]
    rows = [{"section": "合計", "code": p["prefecture_code"], "name_ja": p["name_ja"], "shortage_area": "",
             **_counts(p)}]
    for key, section in SECTIONS.items():
        rows += [{"section": section, "code": r["code"], "name_ja": r["name_ja"], "shortage_area": "", **blank,
                  **{c: r[c] for c in ENROLMENT_COLUMNS}, "suppressed": r["suppressed"]}
                 for r in answer["breakdowns"][key]]
    for area in answer["breakdowns"]["secondary_medical_areas"]:
        rows.append({"section": "二次医療圏別", "code": "", "name_ja": area["name"],
                     "shortage_area": "該当" if area["shortage_area"] else "", **blank,
                     **{c: area[c] for c in ("ojt_sites", "ojt_sites_hosting", "placements", "ojt_hours_approved")},
                     "suppressed": area["suppressed"]})
    for site in answer["ojt_sites"]:
        rows.append({"section": "OJT施設", "code": site["external_code"] or "", "name_ja": site["name"],
                     "shortage_area": "該当" if site["shortage_area"] else "", **blank, "ojt_sites": 1,
                     "ojt_sites_hosting": int(site["hosting"]), "placements": site["placements"],
                     "ojt_hours_approved": site["ojt_hours_approved"], "suppressed": site["suppressed"]})
    title = f"{p['name_ja']} 受講者数・OJT実施状況の内訳（{answer['fiscal_year']}年度）"
    return Table(columns, rows, title, answer["as_of"], _notes(answer, suppressed=not answer["exact"]))
