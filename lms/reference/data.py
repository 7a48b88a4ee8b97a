"""Reference rows: prefectures from the CSV, blocks, member organisations, specialties; the consortium's name."""

import csv
from pathlib import Path

_CSV = Path(__file__).with_name("prefectures.csv")

BLOCKS = [
    ("hokkaido", "北海道", "Hokkaido"),
    ("tohoku", "東北", "Tohoku"),
    ("kanto-shinetsu", "関東信越", "Kanto-Shinetsu"),
    ("tokai-hokuriku", "東海北陸", "Tokai-Hokuriku"),
    ("kinki", "近畿", "Kinki"),
    ("chugoku", "中国", "Chugoku"),
    ("shikoku", "四国", "Shikoku"),
    ("kyushu", "九州", "Kyushu"),
]

ORGANIZATIONS = [
    ("AJHA", "全日本病院協会", "All Japan Hospital Association"),
    ("JPCA", "日本プライマリ・ケア連合学会", "Japan Primary Care Association"),
    ("JHA", "日本病院会", "Japan Hospital Association"),
    ("JMHA", "全国自治体病院協議会", "Japan Municipal Hospital Association"),
    ("KOKUSHINKYO", "全国国民健康保険診療施設協議会",
     "Japan National Health Insurance Clinics and Hospitals Association"),
    ("ROKEN", "全国老人保健施設協会", "Japan Association of Geriatric Health Services Facilities"),
    ("JGS", "日本老年医学会", "Japan Geriatrics Society"),
]

# The issuer printed on certificates and reports, and its seven member associations in order.
CONSORTIUM_NAME = "総合的な診療能力を持つ医師養成のためのリカレント教育事業 連絡協議会"
MEMBER_ASSOCIATIONS: tuple[str, ...] = tuple(name_ja for _, name_ja, _ in ORGANIZATIONS)

SPECIALTIES = [
    ("internal_medicine", "内科", "Internal medicine"),
    ("pediatrics", "小児科", "Pediatrics"),
    ("dermatology", "皮膚科", "Dermatology"),
    ("psychiatry", "精神科", "Psychiatry"),
    ("surgery", "外科", "Surgery"),
    ("orthopedics", "整形外科", "Orthopedic surgery"),
    ("obstetrics_gynecology", "産婦人科", "Obstetrics and gynecology"),
    ("ophthalmology", "眼科", "Ophthalmology"),
    ("otorhinolaryngology", "耳鼻咽喉科", "Otorhinolaryngology"),
    ("urology", "泌尿器科", "Urology"),
    ("neurosurgery", "脳神経外科", "Neurosurgery"),
    ("radiology", "放射線科", "Radiology"),
    ("anesthesiology", "麻酔科", "Anesthesiology"),
    ("pathology", "病理", "Pathology"),
    ("laboratory_medicine", "臨床検査", "Laboratory medicine"),
    ("emergency_medicine", "救急科", "Emergency medicine"),
    ("plastic_surgery", "形成外科", "Plastic surgery"),
    ("rehabilitation_medicine", "リハビリテーション科", "Rehabilitation medicine"),
    ("general_medicine", "総合診療", "General medicine"),
    ("none", "なし", "None"),
]


def prefecture_rows() -> list[dict]:
    """The 47 prefectures with their block codes."""
    block_by_ja = {name_ja: code for code, name_ja, _ in BLOCKS}
    with _CSV.open(encoding="utf-8") as f:
        return [
            {"code": r["code"], "name_ja": r["name_ja"], "name_en": r["name_en"],
             "block_code": block_by_ja[r["block_ja"]], "lg_code": r["lg_code"]}
            for r in csv.DictReader(f)
        ]


def lg_check_digit(five_digits: str) -> str:
    """Check digit of a 地方公共団体コード (JIS X 0402 style, modulus 11)."""
    total = sum(int(d) * w for d, w in zip(five_digits, (6, 5, 4, 3, 2), strict=True))
    return str((11 - total % 11) % 10)
