"""The OJT site import at national scale: 8,000 hospitals and 100,000 clinics, end to end.

    .venv/bin/python bench/bench_import.py                                   # SQLite in a temp folder
    .venv/bin/python bench/bench_import.py --database-url postgresql://postgres@127.0.0.1:5432/lms_bench_imports

The database is emptied first (a PostgreSQL name must contain "test" or "bench"). Generates the registry as
an officials' spreadsheet would export it (Japanese headers, extra columns, UTF-8 with BOM), uploads it with
`POST /api/v1/ojt-sites/import` (the body streamed from the file, as a client would send it), then runs the
queued job in a separate worker process (`flask lms ojt process-imports`, what the scheduler calls) and prints
its wall time, rows/s and peak memory (ru_maxrss of that process, next to an idle worker's); then imports the
same file again (every row unchanged) and once more with every capacity changed (every row updated).
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEADER = "施設コード,施設名,種別,都道府県コード,二次医療圏,医師少数区域,年間受入上限,OJT内容,住所,電話番号,備考\r\n"
TOWNS = ["北見", "旭川", "釧路", "青森", "盛岡", "仙台", "秋田", "山形", "福島", "水戸", "宇都宮", "前橋", "さいたま",
         "千葉", "新宿", "横浜", "新潟", "富山", "金沢", "福井", "甲府", "長野", "岐阜", "静岡", "名古屋", "津", "大津",
         "京都", "大阪", "神戸", "奈良", "和歌山", "鳥取", "松江", "岡山", "広島", "山口", "徳島", "高松", "松山", "高知",
         "福岡", "佐賀", "長崎", "熊本", "大分", "宮崎", "鹿児島", "那覇"]
HOSPITAL_ACTIVITIES = ["病棟・救急", "外来、病棟", "病棟、救急、地域包括ケア", "外来、訪問診療、病棟"]
CLINIC_ACTIVITIES = ["外来", "外来、訪問診療", "訪問診療", "外来、地域包括ケア"]


def generate(path: Path, hospitals: int, clinics: int, seed: int, capacity_shift: int = 0) -> int:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        out.write(HEADER)
        for n in range(hospitals + clinics):
            hospital = n < hospitals
            prefecture = rng.randint(1, 47)
            town = TOWNS[prefecture % len(TOWNS)]
            name = f"{town}{'中央' if hospital else ''}{rng.choice('東西南北')}{n}{'病院' if hospital else 'クリニック'}"
            capacity = (rng.randint(1, 10) if hospital else rng.randint(0, 3)) + capacity_shift
            activities = rng.choice(HOSPITAL_ACTIVITIES if hospital else CLINIC_ACTIVITIES)
            out.write(f"{prefecture:02}{1 if hospital else 3}{n:07},{name},{'病院' if hospital else '診療所'},"
                      f"{prefecture:02},{town}圏域{rng.randint(1, 6)},{'○' if rng.random() < 0.3 else '×'},"
                      f"{capacity},\"{activities}\",{town}市{rng.randint(1, 9)}丁目{rng.randint(1, 30)}-{n % 50},"
                      f"0{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)},\r\n")
    return hospitals + clinics


# the worker as `flask lms ojt process-imports`, reporting its own peak RSS when it ends
WORKER = ("import resource, sys\nfrom flask.cli import main\nsys.argv = ['flask', 'lms', 'ojt', 'process-imports']\n"
          "try:\n    main()\nexcept SystemExit:\n    pass\n"
          "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n")


def worker_run(env: dict) -> tuple[float, float]:
    """Run the queued imports in a child process: (seconds, its peak RSS in MiB)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    return seconds, int(done.stderr.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="default: SQLite in a temp folder")
    parser.add_argument("--hospitals", type=int, default=8_000)
    parser.add_argument("--clinics", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    if url.startswith(("postgresql", "postgres")):
        name = urlsplit(url).path.lstrip("/")
        if "test" not in name and "bench" not in name:
            raise SystemExit("The database is emptied: its name must contain 'test' or 'bench'.")

    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from lms import create_app
    from lms.auth.service import create_user
    from lms.config import TestConfig
    from lms.extensions import db
    from lms.ojt.models import OjtSite, SiteImport

    storage = folder / "storage"
    app = create_app(TestConfig(url, str(storage)))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision="heads")
        create_user(None, email="bench-admin@example.jp", password="bench-password-1", role="consortium_admin")
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": "bench-admin@example.jp",
                                                    "password": "bench-password-1"}).get_json()["access_token"]
    env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "STORAGE_DIR": str(storage),
           "FLASK_APP": "wsgi"}
    _, idle_mib = worker_run(env)
    print(f"database: {url.split(':', 1)[0]}; an idle worker's peak RSS: {idle_mib:.0f} MiB")

    csv_path = folder / "sites.csv"
    for label, shift in (("first import (all created)", 0), ("same file again (all unchanged)", 0),
                         ("every capacity changed (all updated)", 1)):
        rows = generate(csv_path, args.hospitals, args.clinics, args.seed, shift)
        size = csv_path.stat().st_size
        started = time.perf_counter()
        with open(csv_path, "rb") as body:
            response = client.post("/api/v1/ojt-sites/import", input_stream=body, content_type="text/csv",
                                   headers={"Authorization": f"Bearer {token}", "Content-Length": str(size)})
        upload_seconds = time.perf_counter() - started
        assert response.status_code == 202, response.get_json()
        seconds, peak_mib = worker_run(env)
        with app.app_context():
            job = db.session.get(SiteImport, response.get_json()["id"])
            sites = db.session.scalar(select(func.count()).select_from(OjtSite))
            assert job.status == "succeeded" and job.done == job.total == rows, (job.status, job.errors[:3])
            counts = f"created {job.created}, updated {job.updated}, unchanged {job.unchanged}"
            job_seconds = (job.finished_at - job.started_at).total_seconds()
            db.session.remove()
        print(f"{label}: {rows:,} rows, {size / 2**20:.1f} MiB; upload (202) {upload_seconds:.2f} s; "
              f"worker process {seconds:.1f} s, the job itself {job_seconds:.1f} s = {rows / job_seconds:,.0f} rows/s; "
              f"worker peak RSS {peak_mib:.0f} MiB "
              f"(+{peak_mib - idle_mib:.0f} over idle); {counts}; {sites:,} sites in the table")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
