"""Latency of a prefecture's public page and its indicators on the national data set, counted afresh and cached.

    .venv/bin/python bench/generate_national.py --database-url postgresql://postgres@127.0.0.1:5432/lms_bench
    .venv/bin/python bench/bench_public.py --database-url postgresql://postgres@127.0.0.1:5432/lms_bench

Upgrades the schema (the indicators table), gives the prefecture one public indicator per measure (once), then
times through the Flask test client: the public page (HTML and JSON), a revalidation with If-None-Match
(304), the indicators list of the prefecture's official, its CSV, and the pamphlet PDF. Each runs with
STATS_CACHE_SECONDS=0 (every request counts the 1M enrolments afresh) and with the cache on (60 s, as in
production). Prints p50 and p99 in milliseconds.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from bench.bench_stats import token_for  # noqa: E402
from lms import create_app  # noqa: E402
from lms.config import Config  # noqa: E402
from lms.dates import fiscal_year, today_jst  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.indicators.models import Indicator  # noqa: E402
from lms.indicators.rules import MEASURES  # noqa: E402


def percentiles(run: Callable[[], object], repeats: int) -> tuple[float, float]:
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, round(0.99 * (len(times) - 1)))]


def seed_indicators(code: str) -> None:
    if db.session.scalar(select(func.count()).select_from(Indicator).where(Indicator.prefecture_code == code)):
        return
    year = fiscal_year(today_jst())
    for measure, (name, _) in MEASURES.items():
        db.session.add(Indicator(prefecture_code=code, category_ja="○", name_ja=name, measure=measure,
                                 rationale_ja="毎年増やします。", baseline_fiscal_year=year - 3,
                                 target_fiscal_year=year + 2, target_value=1000, source_ja="bench", public=True))
    db.session.commit()


def getter(client) -> Callable[..., Callable[[], object]]:
    def get(path: str, headers: dict | None = None, status: int = 200) -> Callable[[], object]:
        def run():
            response = client.get(path, headers=headers or {})
            assert response.status_code == status, (path, response.status_code)
        return run
    return get


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--prefecture", default="13")
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--pamphlet-repeats", type=int, default=8)
    args = parser.parse_args()
    if not args.database_url.startswith(("postgresql", "postgres")):
        sys.exit("refusing: the benchmark needs PostgreSQL (give a postgresql:// URL)")
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        sys.exit("refusing: it adds users and indicators; give a database whose name contains 'bench'")
    url = "postgresql+psycopg://" + args.database_url.split("://", 1)[1]
    subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade", "heads"], cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True)
    code = args.prefecture
    print(f"prefecture {code}; {args.repeats} runs each ({args.pamphlet_repeats} for the pamphlet); ms")
    for cache_seconds in (0, 60):
        config = Config()
        config.SQLALCHEMY_DATABASE_URI = url
        config.STATS_CACHE_SECONDS = cache_seconds
        app = create_app(config)
        client = app.test_client()
        with app.app_context():
            if cache_seconds == 0:
                n = db.session.scalar(text("SELECT count(*) FROM enrollments"))
                sites = db.session.scalar(text("SELECT count(*) FROM ojt_sites WHERE prefecture_code = :c"), {"c": code})
                print(f"enrolments: {n:,}; OJT sites in {code}: {sites:,}")
            seed_indicators(code)
            official = {"Authorization": f"Bearer {token_for('prefecture_official', prefecture_code=code)}"}

        get = getter(client)
        page = f"/public/prefectures/{code}"
        etag = client.get(page).headers["ETag"]
        label = "afresh (STATS_CACHE_SECONDS=0)" if cache_seconds == 0 else "cached (STATS_CACHE_SECONDS=60)"
        print(f"-- {label}")
        for name, run, repeats in (
            (f"GET {page} (HTML)", get(page), args.repeats),
            (f"GET {page} (JSON)", get(page, {"Accept": "application/json"}), args.repeats),
            (f"GET {page} If-None-Match (304)", get(page, {"If-None-Match": etag}, 304), args.repeats),
            (f"GET /api/v1/prefectures/{code}/indicators (official)",
             get(f"/api/v1/prefectures/{code}/indicators", official), args.repeats),
            (f"GET /api/v1/prefectures/{code}/indicators?format=csv",
             get(f"/api/v1/prefectures/{code}/indicators?format=csv", official), args.repeats),
            (f"GET {page}/pamphlet.pdf", get(f"{page}/pamphlet.pdf"), args.pamphlet_repeats),
        ):
            p50, p99 = percentiles(run, repeats)
            print(f"  {name:62} p50 {p50:8.1f}  p99 {p99:8.1f}")


if __name__ == "__main__":
    main()
