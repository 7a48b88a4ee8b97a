"""`flask lms demo-data`: a small, plausible national programme to try the API with.

Everything in it has happened by the time it is loaded: every date lies in the past, and a completed
enrolment did what its programme requires (its modules, with the pass mark where a module has one; OJT hours
logged at a host site and approved by that site's supervisor; the waiting period) and completed when the last
rule was met, as the system completes one. Other enrolments are part of the way through."""

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import click
from flask import current_app
from sqlalchemy import select
from tqdm import tqdm

from lms.auth.models import User
from lms.columns import new_id
from lms.dates import JST, fiscal_year, utcnow
from lms.extensions import db
from lms.indicators.demo import add_demo_publicity

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
STATUS_WEIGHTS = {"applied": 2, "active": 6, "suspended": 1, "completed": 3, "withdrawn": 1, "rejected": 1}
OJT_DAY_HOURS = ("8", "8", "8", "7.5", "6", "4")
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
    supervisors = {}  # site id -> the supervisor (指導医) who reviews OJT logs there
    for i, site in enumerate(sites, start=1):
        email = f"supervisor{i}@demo.example.jp"
        supervisors[site.id] = new_user(email, PASSWORD, "supervisor", site_ids=[site.id])
        accounts.append(("supervisor", email))
    db.session.flush()
    prefectures = sorted(prefecture_codes())
    weights = [PREFECTURE_WEIGHTS.get(p, 1) for p in prefectures]
    specialties = sorted(specialty_codes())
    organizations = [code for code, _, _ in ORGANIZATIONS]
    ojt = Ojt(utcnow(), sites, {site_id: user.id for site_id, user in supervisors.items()})
    _learners(learner_count, rng, prefectures, weights, specialties, organizations, accounts, ojt)
    add_demo_publicity(accounts, PASSWORD)
    db.session.commit()
    return accounts


def _learners(count, rng, prefectures, weights, specialties, organizations, accounts, ojt) -> None:
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
        first_applied = _enrollments(learner, rng, programs, ojt)
        learner.created_at = learner.updated_at = first_applied - timedelta(days=rng.randint(1, 30))
        if i == 0:
            _studies_the_cmi5_demo(learner, programs, ojt.now)


CMI5_DEMO_PROGRAM = "GF-2026"  # its module GF14 is a cmi5 AU (`flask lms cmi5 launch`)


def _studies_the_cmi5_demo(learner, programs, now: datetime) -> None:
    """The demo learner who can log in has an active enrolment in the programme with the demo cmi5 AU: an
    application of theirs is approved a day after it was made, or they enrolled ten days ago."""
    from lms.enrollments.models import Enrollment

    program = next((p for p in programs if p.code == CMI5_DEMO_PROGRAM), None)
    if program is None:
        return
    current = db.session.scalar(select(Enrollment).where(
        Enrollment.learner_id == learner.id, Enrollment.program_code == program.code,
        Enrollment.status.in_(("applied", "active", "suspended"))))
    if current is None:
        applied = now - timedelta(days=10)
        current = Enrollment(id=new_id(), learner_id=learner.id, program_code=program.code,
                             program_version_id=program.id, prefecture_code=learner.workplace_prefecture_code,
                             organization_code=learner.organization_code, status="applied", applied_at=applied,
                             fiscal_year=fiscal_year(applied), updated_at=applied)
        _insert([current])
    if current.status != "active":
        current.status, current.ever_active, current.suspended_at = "active", True, None
        current.activated_at = min(current.applied_at + timedelta(days=1), now - timedelta(hours=1))
        current.updated_at = current.activated_at
        db.session.flush()


def _enrollments(learner, rng, programs, ojt: "Ojt") -> datetime:
    """The learner's enrolments, each with what was done in it; returns when the first was applied for."""
    from lms.enrollments.models import Enrollment

    applied = []
    for program in rng.sample(programs, k=rng.choice([1, 1, 1, 2])):
        status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
        e = Enrollment(id=new_id(), learner_id=learner.id, program_code=program.code, program_version_id=program.id,
                       prefecture_code=learner.workplace_prefecture_code,
                       organization_code=learner.organization_code, status=status)
        placements, rows = [], []  # what was done in it
        if status == "completed" and not _completed(e, program, rng, ojt, placements, rows):
            e.status = "active"  # no OJT seat was left that year: still learning
        if e.status != "completed":
            _under_way(e, program, rng, ojt.now, rows)
        e.fiscal_year = fiscal_year(e.applied_at)
        e.updated_at = max(t for t in (e.applied_at, e.activated_at, e.suspended_at, e.completed_at,
                                       e.withdrawn_at, e.rejected_at) if t is not None)
        applied.append(e.applied_at)
        _insert([e], placements, rows)
    return min(applied)


def _insert(*groups: list) -> None:
    """Insert rows group by group: the models have no relationships, so the ORM would not order their
    inserts by foreign key."""
    for group in groups:
        db.session.add_all(group)
        db.session.flush()


def _completed(e, program, rng, ojt: "Ojt", placements: list, rows: list) -> bool:
    """A completed enrolment: every required module done (and some optional ones), approved OJT hours, the
    waiting period passed; completed when the last rule was met. False when no OJT site had a seat."""
    from lms.progress import rules
    from lms.progress.service import rules_of

    program_rules = rules_of(program.id)
    activated = ojt.now - timedelta(days=rng.randint(240, 900), hours=rng.randint(0, 23))
    approved = ojt.place(e, rng, activated, program_rules.ojt_required_hours, placements, rows)
    if approved is None:
        return False
    e.applied_at = activated - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 12))
    e.activated_at, e.ever_active = activated, True
    modules = [m for m in program.modules if m.required or rng.random() < 0.5]
    study_days = int(0.8 * (program_rules.min_duration_days or 120))
    states = _study(e, modules, rng, activated, activated + timedelta(days=study_days), rows)
    evaluation = rules.evaluate(program_rules, states, approved, activated, ojt.now)
    if not evaluation.complete or evaluation.met_at > ojt.now:
        raise RuntimeError(f"demo enrolment does not meet its rules: {evaluation.missing}")
    e.completed_at = evaluation.met_at
    return True


def _under_way(e, program, rng, now: datetime, rows: list) -> None:
    """An enrolment that has not completed: its dates, and some (never all) of its required modules done."""
    if e.status == "applied":
        e.applied_at = now - timedelta(days=rng.randint(1, 45), hours=rng.randint(0, 23))
        return
    age = rng.randint(20, 900)
    decided = now - timedelta(days=age, hours=rng.randint(0, 23))
    e.applied_at = decided - timedelta(days=rng.randint(3, 20), hours=rng.randint(0, 12))
    if e.status == "rejected":
        e.rejected_at = decided
        return
    e.activated_at, e.ever_active = decided, True
    until = now - timedelta(hours=1)
    if e.status in ("suspended", "withdrawn"):
        until = decided + timedelta(days=rng.randint(10, age - 1))
        setattr(e, f"{e.status}_at", until)
    required = [m for m in program.modules if m.required]
    _study(e, required[:rng.randint(0, len(required) - 1)], rng, decided, until, rows)


def _study(e, modules, rng, start: datetime, end: datetime, rows: list) -> dict:
    """Progress reports that finish each module between `start` and `end` (a quiz passed at its pass mark,
    sometimes after a failed attempt), folded into module summaries as the API folds them."""
    from lms.progress import rules
    from lms.progress.models import ModuleProgress, ModuleProgressUpdate

    states = {}
    span = (end - start).total_seconds()
    for module in modules:
        done_at = start + timedelta(seconds=rng.uniform(0.1, 1.0) * span)
        events = []
        if module.min_score is None:
            minutes = max(10, int(module.estimated_minutes * rng.uniform(0.8, 1.5)))
            events.append(("completed", done_at, None, minutes))
        else:
            if rng.random() < 0.3:
                failed_at = start + (done_at - start) * rng.uniform(0.3, 0.9)
                events.append(("failed", failed_at, rng.randint(max(0, module.min_score - 30), module.min_score - 1),
                               module.estimated_minutes))
            events.append(("passed", done_at, rng.randint(module.min_score, 100), module.estimated_minutes))
        updates = [ModuleProgressUpdate(enrollment_id=e.id, module_code=module.code, status=status,
                                        score=None if score is None else Decimal(score), minutes=minutes,
                                        occurred_at=at, recorded_at=at + timedelta(seconds=rng.randint(1, 50)))
                   for status, at, score, minutes in events]
        state = rules.fold_module([update.as_event() for update in updates], module.min_score)
        summary = ModuleProgress(enrollment_id=e.id, module_code=module.code, updated_at=state.last_activity_at)
        summary.set_state(state, rules.module_met_at(state, module.min_score))
        rows += [*updates, summary]
        states[module.code] = state
    return states


class Ojt:
    """OJT placements within each site's yearly capacity, with logs its supervisor approved."""

    def __init__(self, now: datetime, sites: list, supervisors: dict[str, str]) -> None:
        self.now, self.sites, self.supervisors = now, sites, supervisors
        self.seats: dict[tuple[str, int], int] = {}

    def place(self, e, rng, after: datetime, hours_required: Decimal, placements: list, rows: list) -> list | None:
        """Place the enrolment at a site with a seat a few weeks after `after`, log working days until the
        hours are reached, and approve them; returns the approved logs (None if every site is full)."""
        from lms.ojt.models import Placement
        from lms.progress.models import OjtLog
        from lms.progress.rules import ApprovedLog

        start = (after + timedelta(days=rng.randint(14, 45))).astimezone(JST).date()
        year = fiscal_year(start)
        if date(year + 1, 3, 31) - start < timedelta(days=75):  # too late in the year: start in April
            start, year = date(year + 1, 4, 1), year + 1
        end = min(start + timedelta(days=rng.randint(90, 150)), date(year + 1, 3, 31))
        free = [s for s in self.sites if self.seats.get((s.id, year), 0) < s.annual_capacity]
        if not free:
            return None
        site = rng.choice(free)
        self.seats[(site.id, year)] = self.seats.get((site.id, year), 0) + 1
        placement = Placement(id=new_id(), enrollment_id=e.id, site_id=site.id, fiscal_year=year, start_date=start,
                              end_date=end, status="active",
                              created_at=datetime.combine(start - timedelta(days=14), time(10), JST).astimezone(UTC))
        placements.append(placement)
        approved, day, total = [], start, Decimal(0)
        while total < hours_required:
            if day.weekday() < 5:
                hours = Decimal(rng.choice(OJT_DAY_HOURS))
                logged = datetime.combine(day, time(19), JST).astimezone(UTC)
                reviewed = logged + timedelta(days=rng.randint(1, 7), hours=rng.randint(-8, 2))
                rows.append(OjtLog(placement_id=placement.id, date=day, hours=hours,
                                      activity=rng.choice(site.activities), status="approved",
                                      reviewed_by=self.supervisors[site.id], reviewed_at=reviewed,
                                      created_at=logged, updated_at=reviewed))
                approved.append(ApprovedLog(hours, reviewed))
                total += hours
            day += timedelta(days=1)
        return approved
