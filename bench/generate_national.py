"""Load a national-scale data set into PostgreSQL: 300,000 learners, 1,000,000 enrolments, OJT sites, placements.

    .venv/bin/python bench/generate_national.py --database-url postgresql://postgres@127.0.0.1:5432/lms_bench

Creates the schema (`flask db upgrade heads`) and the programmes (`flask lms content sync`) first, then loads
every table with COPY (with the triggers off, so the statistics' summary rows are recounted once at the end,
lms/stats/summaries.py) and runs VACUUM ANALYZE so that index-only scans work. Deterministic for a seed.
"""

import argparse
import os
import random
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psycopg
from tqdm import tqdm

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lms.stats.summaries import SUMMARY_TABLES, recount_statements  # noqa: E402

YEARS = list(range(2020, 2027))
# Uptake grows year by year.
YEAR_WEIGHTS = [6, 9, 12, 15, 17, 20, 21]
# Physicians working in medical facilities per prefecture (2020 survey, rounded to hundreds), 01..47.
PHYSICIANS = [
    13100, 2640, 2540, 5730, 2340, 2550, 3890, 5630, 4600, 4750, 12700, 12900, 46000, 21300, 4700, 2780,
    3470, 2020, 2060, 5000, 4550, 7970, 17200, 4120, 3340, 8700, 25400, 14300, 3450, 2800, 1740, 1970,
    6200, 7400, 3500, 2500, 2700, 3650, 2240, 15900, 2330, 4200, 5200, 3200, 2700, 4400, 3800,
]
PREFECTURES = [f"{n:02}" for n in range(1, 48)]
ORGANIZATIONS = ["AJHA", "JPCA", "JHA", "JMHA", "KOKUSHINKYO", "ROKEN", "JGS"]
ORGANIZATION_WEIGHTS = [22, 25, 18, 14, 8, 8, 5]
# Mid-career physicians coming to general practice: mostly internists and surgeons.
SPECIALTIES = {
    "internal_medicine": 38, "surgery": 12, "pediatrics": 5, "orthopedics": 6, "psychiatry": 4,
    "obstetrics_gynecology": 3, "ophthalmology": 2, "dermatology": 2, "otorhinolaryngology": 2, "urology": 2,
    "neurosurgery": 3, "radiology": 2, "anesthesiology": 3, "pathology": 1, "laboratory_medicine": 1,
    "emergency_medicine": 3, "plastic_surgery": 1, "rehabilitation_medicine": 2, "general_medicine": 4, "none": 4,
}
KINDS, KIND_WEIGHTS = ["hospital", "clinic", "geriatric_facility", "other"], [45, 40, 10, 5]
FINAL = ("completed", "withdrawn", "rejected")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True, help="postgresql://... (SQLite is refused)")
    parser.add_argument("--learners", type=int, default=300_000)
    parser.add_argument("--enrollments", type=int, default=1_000_000)
    parser.add_argument("--sites", type=int, default=4_000)
    parser.add_argument("--placement-share", type=float, default=0.4,
                        help="share of participants placed at an OJT site")
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--reset", action="store_true", help="empty the tables first (destroys their data)")
    return parser.parse_args()


def plain_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


def prepare_schema(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    for args in (["db", "upgrade", "heads"], ["lms", "content", "sync"]):
        subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def moment(rng: random.Random, year: int) -> datetime:
    """A time within fiscal year `year` (April to March)."""
    return datetime(year, 4, 1, 0, tzinfo=UTC) + timedelta(seconds=rng.randrange(365 * 86400))


def enrolment_counts(rng: random.Random, learners: int, enrolments: int) -> list[int]:
    """How many enrolments each learner has (1..14, one per programme and year at most), adding up exactly."""
    counts = rng.choices([1, 2, 3, 4, 5, 6], [20, 20, 18, 17, 14, 11], k=learners)
    total = sum(counts)
    while total != enrolments:
        i = rng.randrange(learners)
        if total < enrolments and counts[i] < 14:
            counts[i], total = counts[i] + 1, total + 1
        elif total > enrolments and counts[i] > 1:
            counts[i], total = counts[i] - 1, total - 1
    return counts


def status_for(rng: random.Random, year: int, last: bool) -> tuple[str, bool]:
    """Current status and whether it was ever active; only a learner's last enrolment in a programme is open."""
    age = YEARS[-1] - year
    if last and age == 0:
        status = rng.choices(["applied", "active", "suspended", "completed", "withdrawn", "rejected"],
                             [12, 58, 5, 10, 9, 6])[0]
    elif last and age == 1:
        status = rng.choices(["active", "suspended", "completed", "withdrawn", "rejected"], [25, 5, 50, 14, 6])[0]
    else:
        status = rng.choices(list(FINAL), [72, 20, 8])[0]
    if status in ("active", "suspended", "completed"):
        return status, True
    return status, status == "withdrawn" and rng.random() < 0.75


def main() -> None:
    args = parse_args()
    if not args.database_url.startswith(("postgresql", "postgres")):
        sys.exit("refusing: the national data set is for PostgreSQL only (give a postgresql:// URL)")
    url = plain_url(args.database_url)
    started = time.perf_counter()
    prepare_schema(url)
    rng = random.Random(args.seed)
    with psycopg.connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # no row triggers during the load
        if args.reset:
            conn.execute("TRUNCATE learners, enrollments, placements, ojt_sites CASCADE")
        elif conn.execute("SELECT EXISTS (SELECT 1 FROM enrollments)").fetchone()[0]:
            sys.exit("refusing: enrollments is not empty (use --reset to empty the tables)")
        versions = dict(conn.execute("SELECT code, id FROM program_versions WHERE is_current").fetchall())
        programs = sorted(versions)
        sites = load_sites(conn, rng, args.sites)
        learner_rows = load_learners(conn, rng, args.learners)
        participants = load_enrollments(conn, rng, learner_rows, args.enrollments, programs, versions)
        load_placements(conn, rng, participants, sites, args.placement_share)
        for statement in recount_statements():
            conn.execute(statement)
    with psycopg.connect(url, autocommit=True) as conn:
        for table in ("learners", "enrollments", "ojt_sites", "placements", *SUMMARY_TABLES):
            conn.execute(f"VACUUM ANALYZE {table}")
    print(f"loaded {args.learners:,} learners, {args.enrollments:,} enrolments, {args.sites:,} sites "
          f"in {time.perf_counter() - started:.1f} s")


def load_sites(conn: psycopg.Connection, rng: random.Random, count: int) -> dict[str, list[str]]:
    """OJT sites spread like physicians, about seven secondary medical areas per prefecture."""
    names = dict(conn.execute("SELECT code, name_ja FROM prefectures").fetchall())
    areas = {p: [(f"{names[p]}第{j}医療圏", rng.random() < 0.3) for j in range(1, rng.randint(4, 11))]
             for p in PREFECTURES}
    by_prefecture: dict[str, list[str]] = {p: [] for p in PREFECTURES}
    now = datetime(2020, 4, 1, tzinfo=UTC)
    columns = ("id, external_code, name, kind, prefecture_code, secondary_medical_area, shortage_area, "
               "annual_capacity, activities, created_at, updated_at")
    with conn.cursor().copy(f"COPY ojt_sites ({columns}) FROM STDIN") as copy:
        for i in tqdm(range(count), desc="OJT sites", unit="site"):
            prefecture = rng.choices(PREFECTURES, PHYSICIANS)[0]
            area, shortage = rng.choice(areas[prefecture])
            site_id = new_uuid(rng)
            by_prefecture[prefecture].append(site_id)
            kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            copy.write_row((site_id, f"B{i:06}", f"ベンチ{kind}{i}", kind, prefecture, area, shortage,
                            rng.randint(1, 12), '["outpatient", "home_visits"]', now, now))
    return by_prefecture


def load_learners(conn: psycopg.Connection, rng: random.Random, count: int) -> list[tuple[str, str, str | None]]:
    rows = []
    specialties, weights = list(SPECIALTIES), list(SPECIALTIES.values())
    now = datetime(2026, 4, 1, tzinfo=UTC)
    columns = ("id, family_name, given_name, family_name_kana, given_name_kana, email, medical_registration_number, "
               "license_year, specialty, workplace_prefecture_code, workplace_name, organization_code, created_at, "
               "updated_at")
    with conn.cursor().copy(f"COPY learners ({columns}) FROM STDIN") as copy:
        for i in tqdm(range(count), desc="learners", unit="learner"):
            learner_id = new_uuid(rng)
            prefecture = rng.choices(PREFECTURES, PHYSICIANS)[0]
            organization = rng.choices(ORGANIZATIONS, ORGANIZATION_WEIGHTS)[0] if rng.random() < 0.93 else None
            copy.write_row((learner_id, "試験", "太郎", "シケン", "タロウ", f"bench{i}@example.jp", str(i + 1),
                            rng.randint(1980, 2012), rng.choices(specialties, weights)[0], prefecture,
                            "ベンチ医療機関", organization, now, now))
            rows.append((learner_id, prefecture, organization))
    return rows


def load_enrollments(conn, rng, learners, total, programs, versions) -> list[tuple[str, int, str]]:
    """Enrolments by year and programme; returns the participants as (enrolment id, fiscal year, prefecture)."""
    participants = []
    slots = [(year, program) for year in YEARS for program in programs]
    slot_weights = [YEAR_WEIGHTS[YEARS.index(year)] for year, _ in slots]
    columns = ("id, learner_id, program_code, program_version_id, fiscal_year, prefecture_code, organization_code, "
               "status, ever_active, applied_at, activated_at, suspended_at, completed_at, withdrawn_at, rejected_at, "
               "updated_at")
    counts = enrolment_counts(rng, len(learners), total)
    with conn.cursor().copy(f"COPY enrollments ({columns}) FROM STDIN") as copy, \
            tqdm(total=total, desc="enrolments", unit="enrolment") as bar:
        for (learner_id, prefecture, organization), n in zip(learners, counts, strict=True):
            chosen = set()
            while len(chosen) < min(n, len(slots)):
                chosen.add(rng.choices(slots, slot_weights)[0])
            ordered = sorted(chosen)
            for index, (year, program) in enumerate(ordered):
                last = all(p != program for _, p in ordered[index + 1:])
                status, ever_active = status_for(rng, year, last)
                # A few learners changed workplace since: the enrolment keeps the prefecture of its application.
                at_application = prefecture if rng.random() > 0.03 else rng.choices(PREFECTURES, PHYSICIANS)[0]
                applied = moment(rng, year)
                activated = applied + timedelta(days=rng.randint(3, 30)) if ever_active else None
                final = (activated or applied) + timedelta(days=rng.randint(20, 300))
                enrolment_id = new_uuid(rng)
                copy.write_row((
                    enrolment_id, learner_id, program, versions[program], year, at_application, organization,
                    status, ever_active, applied, activated, final if status == "suspended" else None,
                    final if status == "completed" else None, final if status == "withdrawn" else None,
                    final if status == "rejected" else None, final,
                ))
                if ever_active:
                    participants.append((enrolment_id, year, at_application))
            bar.update(n)
    return participants


def load_placements(conn, rng, participants, sites, share) -> None:
    """About `share` of participants do OJT in their year, mostly in their own prefecture; a few cancel."""
    everywhere = [site for ids in sites.values() for site in ids]
    now = datetime(2026, 4, 1, tzinfo=UTC)
    columns = "id, enrollment_id, site_id, fiscal_year, start_date, end_date, status, created_at"
    with conn.cursor().copy(f"COPY placements ({columns}) FROM STDIN") as copy:
        for enrolment_id, year, prefecture in tqdm(participants, desc="placements", unit="participant"):
            if rng.random() >= share:
                continue
            local = sites[prefecture]
            site = rng.choice(local) if local and rng.random() < 0.85 else rng.choice(everywhere)
            start = date(year, rng.randint(5, 12), 1)
            status = "active" if rng.random() < 0.95 else "cancelled"
            copy.write_row((new_uuid(rng), enrolment_id, site, year, start, start + timedelta(days=89), status, now))


if __name__ == "__main__":
    main()
