"""Benchmark of the module-progress PUT that completes an enrolment, against one that does not.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lms_bench_completion .venv/bin/python bench/bench_completion.py

Each of N learners has an active GF-2026 enrolment with every rule met but its last two required modules. For
each, the benchmark times a PUT of the last module as `in_progress` (nothing completes), a PUT passing the
second-to-last (a module is done, the rules are evaluated, nothing completes), then a PUT passing the last (the
enrolment completes: the completion, its audit records and the pending certificate are written in the same
transaction). The certificate's PDF is rendered afterwards by the certificate worker, which is timed
separately. Requests go through Flask's test client in this process. The database is emptied first (its name
must contain "test" or "bench"); without BENCH_DATABASE_URL a temporary SQLite file is used.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_xapi import make_learners, setup_app  # noqa: E402

from lms.dates import today_jst, utcnow  # noqa: E402
from lms.extensions import db  # noqa: E402


def prepare(app, learners) -> list[tuple[str, str, str]]:
    """Every rule met but the last two required modules: (enrolment id, token, their codes)."""
    from lms.enrollments.models import Enrollment
    from lms.ojt.models import OjtSite, Placement
    from lms.programs.service import get_program
    from lms.progress.models import OjtLog

    client = app.test_client()
    with app.app_context():
        required = [m.code for m in get_program("GF-2026").modules if m.required]
        site = OjtSite(name="ベンチ診療所", kind="clinic", prefecture_code="13", secondary_medical_area="区中央部",
                       shortage_area=False, annual_capacity=100_000, activities=["outpatient"])
        db.session.add(site)
        db.session.flush()
        long_ago = utcnow() - timedelta(days=400)
        for _, enrollment_id, _, _ in learners:
            db.session.get(Enrollment, enrollment_id).activated_at = long_ago
            placement = Placement(enrollment_id=enrollment_id, site_id=site.id, fiscal_year=2026,
                                  start_date=today_jst() - timedelta(days=60), end_date=today_jst(), status="active")
            db.session.add(placement)
            db.session.flush()
            for day in range(10):
                db.session.add(OjtLog(placement_id=placement.id, date=today_jst() - timedelta(days=30 - day),
                                      hours=Decimal(8), activity="outpatient", status="approved",
                                      reviewed_at=utcnow() - timedelta(days=20)))
        db.session.commit()
    when = (utcnow() - timedelta(days=60)).isoformat()
    for _, enrollment_id, token, _ in learners:
        for code in required[:-2]:
            response = client.put(f"/api/v1/enrollments/{enrollment_id}/modules/{code}",
                                  headers={"Authorization": f"Bearer {token}"},
                                  json={"status": "passed", "score": 90, "occurred_at": when})
            assert response.status_code == 200, response.get_json()
    return [(enrollment_id, token, tuple(required[-2:])) for _, enrollment_id, token, _ in learners]


def timed_put(client, enrollment_id: str, token: str, code: str, status: str) -> float:
    body = {"status": status, "score": 90, "occurred_at": (utcnow() - timedelta(days=1)).isoformat()}
    started = time.perf_counter()
    response = client.put(f"/api/v1/enrollments/{enrollment_id}/modules/{code}",
                          headers={"Authorization": f"Bearer {token}"}, json=body)
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, response.get_json()
    return elapsed


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--learners", type=int, default=200)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp(prefix='bench-completion-')}/b.db"
    if not url.startswith("sqlite") and not any(w in url.rsplit("/", 1)[-1] for w in ("test", "bench")):
        raise SystemExit("BENCH_DATABASE_URL must name a database whose name contains 'test' or 'bench'")
    app = setup_app(url) if not url.startswith("sqlite") else _sqlite_app(url)
    work = prepare(app, make_learners(app, args.learners))
    client = app.test_client()
    plain = [timed_put(client, e, t, last, "in_progress") for e, t, (_, last) in work]
    module_done = [timed_put(client, e, t, before, "passed") for e, t, (before, _) in work]
    completing = [timed_put(client, e, t, last, "passed") for e, t, (_, last) in work]
    from lms.certificates.models import Certificate
    from lms.certificates.worker import render_pending_certificates

    with app.app_context():
        pending = db.session.query(Certificate).filter_by(status="pending").count()
        started = time.perf_counter()
        rendered = render_pending_certificates()
        worker_ms = (time.perf_counter() - started) * 1000
    print(f"database: {url.split('://')[0]}; {len(work)} learners, one PUT of each kind per learner")
    kinds = (("in_progress PUT", plain), ("module done, not completing", module_done), ("completing PUT", completing))
    for name, values in kinds:
        print(f"{name:>28}: p50 {percentile(values, .5):7.2f} ms  p99 {percentile(values, .99):7.2f} ms  "
              f"mean {statistics.fmean(values):7.2f} ms")
    for name, values in kinds[:2]:
        ratio = percentile(completing, .99) / percentile(values, .99)
        print(f"completing / {name} at p99: {ratio:.2f}x (target <= 2x)")
    print(f"certificate worker, off the request path: {rendered} of {pending} pending certificates rendered, "
          f"{worker_ms / max(rendered, 1):.1f} ms each")


def _sqlite_app(url: str):
    from flask_migrate import upgrade

    from lms import create_app
    from lms.config import TestConfig
    from lms.programs.service import sync_content

    app = create_app(TestConfig(url, tempfile.mkdtemp(prefix="bench-completion-storage-")))
    with app.app_context():
        upgrade(revision="heads")
        sync_content(Path(app.config["CONTENT_DIR"]))
    return app


if __name__ == "__main__":
    main()
