"""Demo indicators and Hiroshima's host institutions, so a fresh `make run` shows the guideline's three roles."""

from lms.dates import fiscal_year, today_jst
from lms.extensions import db
from lms.indicators.models import Indicator

HIROSHIMA_SITES = [
    ("備北", True, "hospital", "庄原赤十字病院（デモ）", ["outpatient", "ward", "home_visits"]),
    ("広島中央", False, "hospital", "東広島医療センター（デモ）", ["outpatient", "ward", "emergency"]),
    ("備北", True, "clinic", "三次地区医療センター附属診療所（デモ）", ["outpatient", "home_visits", "community_care"]),
]


def add_demo_publicity(accounts: list[tuple[str, str]], password: str) -> None:
    """A Hiroshima official, three Hiroshima host institutions, and indicators for Hiroshima and Tokyo."""
    from lms.auth.service import new_user
    from lms.ojt.models import OjtSite

    email = "official-hiroshima@demo.example.jp"
    new_user(email, password, "prefecture_official", prefecture_code="34")
    accounts.append(("prefecture_official 34", email))
    for i, (area, shortage, kind, name, activities) in enumerate(HIROSHIMA_SITES, start=1):
        db.session.add(OjtSite(external_code=f"DEMO-34-{i:02}", name=name, kind=kind, prefecture_code="34",
                               secondary_medical_area=area, shortage_area=shortage, annual_capacity=4,
                               activities=activities))
    year = fiscal_year(today_jst())
    rows = [
        ("34", "○", "リカレント教育の受講者数", "participants", "毎年2人ずつ増やします。", 4, True),
        ("34", "○", "医師少数区域でOJTを受けた医師数", "shortage_area_placements",
         "医師少数区域の医療機関でのOJTを毎年1人ずつ増やします。", 3, True),
        ("34", "参考", "リカレント教育の修了者数", "completed", "受講者の半数以上の修了を目指します。", 3, False),
        ("13", "○", "リカレント教育の受講者数", "participants", "受講者数を3年間で倍増させます。", 30, True),
        ("13", "○", "OJT受入医療機関数", "ojt_sites_hosting", "島しょ部を含めて受入機関を増やします。", 2, True),
    ]
    for code, category, name, measure, rationale, target, public in rows:
        db.session.add(Indicator(prefecture_code=code, category_ja=category, name_ja=name, measure=measure,
                                 rationale_ja=rationale, baseline_fiscal_year=year - 2, target_fiscal_year=year + 1,
                                 target_value=target, source_ja="リカレント教育LMS（本システム）", public=public))
