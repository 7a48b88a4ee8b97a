"""`flask lms demo-data`: a small, plausible national programme to try the API with."""

import random
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from sqlalchemy import select
from tqdm import tqdm

from lms.auth.models import User
from lms.extensions import db

PASSWORD = "demo-pass-2026"
FAMILY = [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"),
          ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"),
          ("吉田", "ヨシダ"), ("山田", "ヤマダ"), ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト")]
GIVEN = [("健一", "ケンイチ"), ("誠", "マコト"), ("浩", "ヒロシ"), ("直子", "ナオコ"), ("美穂", "ミホ"), ("大輔", "ダイスケ"),
         ("裕子", "ユウコ"), ("隆", "タカシ"), ("恵", "メグミ"), ("修", "オサム"), ("陽子", "ヨウコ"), ("剛", "ツヨシ")]
SITES = [
    ("13", "区中央部", False, "hospital", "東京都立総合医療センター（デモ）", ["outpatient", "ward", "emergency"]),
    ("13", "島しょ", True, "clinic", "大島町立診療所（デモ）", ["outpatient", "home_visits"]),
    ("01", "根室", True, "hospital", "根室市立病院（デモ）", ["outpatient", "ward", "home_visits"]),
    ("01", "札幌", False, "geriatric_facility", "札幌介護老人保健施設（デモ）", ["community_care"]),
    ("02", "西北五地域", True, "hospital", "つがる総合病院（デモ）", ["outpatient", "ward"]),
    ("03", "宮古", True, "hospital", "岩手県立宮古病院（デモ）", ["outpatient", "ward", "emergency"]),
    ("15", "魚沼", True, "hospital", "魚沼基幹病院（デモ）", ["ward", "emergency"]),
    ("20", "木曽", True, "clinic", "木曽町診療所（デモ）", ["outpatient", "home_visits", "community_care"]),
    ("27", "大阪市", False, "hospital", "大阪市立総合医療センター（デモ）", ["outpatient", "ward"]),
    ("32", "雲南", True, "hospital", "雲南市立病院（デモ）", ["outpatient", "home_visits", "community_care"]),
    ("39", "幡多", True, "hospital", "高知県立幡多けんみん病院（デモ）", ["outpatient", "ward", "emergency"]),
    ("46", "熊毛", True, "clinic", "屋久島町立診療所（デモ）", ["outpatient", "home_visits"]),
    ("47", "宮古", True, "hospital", "沖縄県立宮古病院（デモ）", ["outpatient", "ward", "emergency"]),
]
# weights: more learners where there are more physicians
PREFECTURE_WEIGHTS = {"13": 12, "27": 6, "14": 6, "23": 5, "01": 4, "40": 4, "11": 4, "28": 4, "12": 3}


def register(group: click.Group) -> None:
    @group.command("demo-data")
    @click.option("--learners", "learner_count", default=300, show_default=True)
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    @click.option("--seed", default=2026, show_default=True)
    def demo_data(learner_count, if_empty, seed):
        """Fill an empty database with demo data and print the accounts."""
        if db.session.scalar(select(User.id).limit(1)):
            if if_empty:
                click.echo("Demo data: the database already has users; nothing loaded.")
                return
            raise click.ClickException("the database is not empty")
        accounts = load_demo_data(learner_count, seed)
        click.echo(f"\nDemo accounts (password for all: {PASSWORD}):")
        for role, email in accounts:
            click.echo(f"  {role:20} {email}")


def load_demo_data(learner_count: int, seed: int) -> list[tuple[str, str]]:
    from pathlib import Path

    from lms.auth.service import new_user
    from lms.ojt.models import OjtSite
    from lms.programs.service import sync_content
    from lms.reference.data import ORGANIZATIONS
    from lms.reference.service import prefecture_codes, specialty_codes

    rng = random.Random(seed)
    result, _ = sync_content(Path(current_app.config["CONTENT_DIR"]))
    if result.problems:
        raise click.ClickException("course_content/ has problems; run `flask lms content validate`")
    accounts = [("consortium_admin", "admin@demo.example.jp")]
    new_user("admin@demo.example.jp", PASSWORD, "consortium_admin")
    for code, _, _ in ORGANIZATIONS:
        email = f"staff-{code.lower()}@demo.example.jp"
        new_user(email, PASSWORD, "org_staff", organization_code=code)
        accounts.append(("org_staff " + code, email))
    for code, name in (("13", "tokyo"), ("01", "hokkaido")):
        email = f"official-{name}@demo.example.jp"
        new_user(email, PASSWORD, "prefecture_official", prefecture_code=code)
        accounts.append(("prefecture_official " + code, email))
    sites = []
    for i, (pref, area, shortage, kind, name, activities) in enumerate(SITES, start=1):
        site = OjtSite(external_code=f"DEMO-{i:03}", name=name, kind=kind, prefecture_code=pref,
                       secondary_medical_area=area, shortage_area=shortage, annual_capacity=rng.choice([3, 4, 6, 8]),
                       activities=activities)
        db.session.add(site)
        sites.append(site)
    db.session.flush()
    for i, site in enumerate(sites[:3], start=1):
        email = f"supervisor{i}@demo.example.jp"
        new_user(email, PASSWORD, "supervisor", site_ids=[site.id])
        accounts.append(("supervisor", email))
    prefectures = sorted(prefecture_codes())
    weights = [PREFECTURE_WEIGHTS.get(p, 1) for p in prefectures]
    specialties = sorted(specialty_codes())
    organizations = [code for code, _, _ in ORGANIZATIONS]
    _learners(learner_count, rng, prefectures, weights, specialties, organizations, accounts)
    from lms.indicators.demo import add_demo_publicity

    add_demo_publicity(accounts, PASSWORD)
    db.session.commit()
    return accounts


def _learners(count, rng, prefectures, weights, specialties, organizations, accounts) -> None:
    from lms.auth.service import new_user
    from lms.learners.models import Learner
    from lms.programs.service import list_programs

    programs = list_programs()
    for i in tqdm(range(count), desc="demo learners", unit="learner"):
        family, family_kana = rng.choice(FAMILY)
        given, given_kana = rng.choice(GIVEN)
        learner = Learner(
            family_name=family, given_name=given, family_name_kana=family_kana, given_name_kana=given_kana,
            email=f"learner{i:04}@demo.example.jp", medical_registration_number=str(300000 + i * 7),
            license_year=rng.randint(1985, 2012), specialty=rng.choice(specialties),
            workplace_prefecture_code=rng.choices(prefectures, weights)[0],
            workplace_name="デモ医療機関", organization_code=rng.choice(organizations),
        )
        if i == 0:
            user = new_user(learner.email, PASSWORD, "learner")
            db.session.flush()
            learner.user_id = user.id
            accounts.append(("learner", learner.email))
        db.session.add(learner)
        db.session.flush()
        _enrollments(learner, rng, programs)


def _enrollments(learner, rng, programs) -> None:
    from lms.dates import fiscal_year
    from lms.enrollments.models import Enrollment

    for program in rng.sample(programs, k=rng.choice([1, 1, 1, 2])):
        applied = datetime(rng.choice([2024, 2025, 2026]), rng.randint(4, 12), rng.randint(1, 28), 1, tzinfo=UTC)
        applied = min(applied, datetime(2026, 11, 1, tzinfo=UTC))
        status = rng.choices(["applied", "active", "suspended", "completed", "withdrawn", "rejected"],
                             [2, 6, 1, 3, 1, 1])[0]
        e = Enrollment(learner_id=learner.id, program_code=program.code, program_version_id=program.id,
                       fiscal_year=fiscal_year(applied), prefecture_code=learner.workplace_prefecture_code,
                       organization_code=learner.organization_code, status=status, applied_at=applied)
        step = timedelta(days=rng.randint(3, 20))
        if status == "rejected":
            e.rejected_at = applied + step
        elif status != "applied":
            e.activated_at, e.ever_active = applied + step, True
            later = e.activated_at + timedelta(days=rng.randint(30, 200))
            if status == "suspended":
                e.suspended_at = later
            elif status == "completed":
                e.completed_at = later
            elif status == "withdrawn":
                e.withdrawn_at = later
        db.session.add(e)
