"""Benchmark of xAPI intake on PostgreSQL: the app's endpoint against a bare one-INSERT-per-statement endpoint.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lms_test_progress .venv/bin/python bench/bench_xapi.py

The database is emptied first (its name must contain "test" or "bench"). Both endpoints are called through
Flask's test client in this process, in batches, one request per batch, after one warm-up batch each.
"""

import argparse
import json
import os
import random
import secrets
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

# Run as a plain script from any directory: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask import Flask, request  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from lms import create_app  # noqa: E402
from lms.config import TestConfig, _normalise_db_url  # noqa: E402
from lms.dates import utcnow  # noqa: E402
from lms.extensions import db  # noqa: E402

SEED = 20260401
ADL = "http://adlnet.gov/expapi/verbs/"
# what e-learning content sends most: progress pings, then completions and quiz results
VERBS = ["progressed"] * 6 + ["completed"] * 2 + ["passed", "failed"]


def setup_app(url: str) -> Flask:
    config = TestConfig(url, tempfile.mkdtemp(prefix="bench-xapi-"))
    config.PUBLIC_BASE_URL = "https://lms.example.jp"  # the learners' home page in the statements below
    app = create_app(config)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision="heads")
        from lms.programs.service import sync_content

        sync_content(Path(app.config["CONTENT_DIR"]))
    return app


def make_learners(app: Flask, count: int, prefix: str = "bench") -> list[tuple[str, str, str, list[str]]]:
    """Learners with a login and an active GF-2026 enrolment: (learner id, enrolment id, token, module codes)."""
    from lms.auth.models import AccessToken
    from lms.auth.permissions import token_digest
    from lms.auth.service import new_user
    from lms.enrollments.models import Enrollment
    from lms.learners.models import Learner
    from lms.programs.service import get_program

    made = []
    with app.app_context():
        program = get_program("GF-2026")
        codes = [m.code for m in program.modules]
        for n in range(count):
            user = new_user(f"{prefix}{n}@example.jp", "bench-password-1", "learner")
            db.session.flush()
            token = secrets.token_urlsafe(24)
            db.session.add(AccessToken(token_hash=token_digest(token), user_id=user.id,
                                       expires_at=utcnow() + timedelta(hours=2)))
            learner = Learner(family_name="ベンチ", given_name="太郎", family_name_kana="ベンチ", given_name_kana="タロウ",
                              email=user.email, medical_registration_number=str((900000 if prefix == "bench" else 800000) + n), license_year=2000,
                              specialty="internal_medicine", workplace_prefecture_code="13",
                              workplace_name="ベンチ病院", organization_code="JPCA", user_id=user.id)
            db.session.add(learner)
            db.session.flush()
            now = utcnow()
            enrollment = Enrollment(learner_id=learner.id, program_code="GF-2026", program_version_id=program.id,
                                    fiscal_year=2026, prefecture_code="13", organization_code="JPCA", status="active",
                                    applied_at=now, activated_at=now, ever_active=True)
            db.session.add(enrollment)
            db.session.flush()
            made.append((learner.id, enrollment.id, token, codes))
        db.session.commit()
    return made


def make_statement(rng: random.Random, learner_id: str, enrollment_id: str, codes: list[str]) -> dict:
    verb = rng.choice(VERBS)
    result: dict = {"duration": f"PT{rng.randint(1, 30)}M{rng.randint(0, 59)}S"}
    if verb in ("passed", "failed"):
        result["score"] = {"scaled": round(rng.random(), 2)}
    when = utcnow() - timedelta(minutes=rng.randint(1, 200_000))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://lms.example.jp", "name": learner_id}},
        "verb": {"id": ADL + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": f"https://lms.example.jp/xapi/activities/GF-2026/{rng.choice(codes)}"},
        "result": result,
        "context": {"registration": enrollment_id},
        "timestamp": when.isoformat(),
    }


def make_batches(rng: random.Random, learners, statements: int, batch_size: int) -> list[tuple[str, list[dict]]]:
    """(token, batch) pairs; each batch comes from one learner, as from one browser's content package."""
    batches = []
    for i in range(-(-statements // batch_size)):
        learner_id, enrollment_id, token, codes = learners[i % len(learners)]
        size = min(batch_size, statements - i * batch_size)
        batches.append((token, [make_statement(rng, learner_id, enrollment_id, codes) for _ in range(size)]))
    return batches


def bare_app(url: str) -> Flask:
    """The floor to compare with: no auth, no validation, one INSERT per statement, one commit per request."""
    engine = create_engine(_normalise_db_url(url))
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_bare_statements"))
        conn.execute(text("CREATE TABLE bench_bare_statements (id varchar(36) PRIMARY KEY, statement json NOT NULL)"))
    app = Flask("bare")
    insert = text("INSERT INTO bench_bare_statements (id, statement) VALUES (:id, :statement)")

    @app.post("/statements")
    def statements():
        body = request.get_json()
        with engine.begin() as conn:
            for statement in body:
                conn.execute(insert, {"id": statement["id"], "statement": json.dumps(statement)})
        return [s["id"] for s in body]

    app.extensions["bench_engine"] = engine
    return app


def run(client, path: str, batches, headers) -> float:
    started = time.perf_counter()
    for token, batch in batches:
        response = client.post(path, json=batch, headers=headers(token))
        if response.status_code != 200:
            raise SystemExit(f"{path}: HTTP {response.status_code} {response.get_data(as_text=True)[:500]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--learners", type=int, default=20)
    args = parser.parse_args()
    url = args.database_url
    if not url or not url.startswith(("postgresql", "postgres")):
        raise SystemExit("Give a PostgreSQL URL (--database-url or BENCH_DATABASE_URL).")
    name = url.rsplit("/", 1)[-1]
    if "test" not in name and "bench" not in name:
        raise SystemExit("The database is emptied: its name must contain 'test' or 'bench'.")

    rng = random.Random(SEED)
    app = setup_app(url)
    learners = make_learners(app, args.learners)
    warm_up = make_batches(rng, learners, args.batch, args.batch)
    batches = make_batches(rng, learners, args.statements, args.batch)

    def app_headers(token):
        return {"Authorization": f"Bearer {token}", "X-Experience-API-Version": "1.0.3"}

    client = app.test_client()
    run(client, "/api/v1/xapi/statements", warm_up, app_headers)
    app_seconds = run(client, "/api/v1/xapi/statements", batches, app_headers)
    with app.app_context():
        stored = db.session.scalar(text("SELECT count(*) FROM xapi_statements"))
        completed = db.session.scalar(text("SELECT count(*) FROM enrollments WHERE status = 'completed'"))
        db.engine.dispose()

    bare = bare_app(url)
    bare_client = bare.test_client()
    run(bare_client, "/statements", make_batches(random.Random(SEED + 1), learners, args.batch, args.batch),
        lambda token: {})
    bare_seconds = run(bare_client, "/statements", batches, lambda token: {})
    with bare.extensions["bench_engine"].begin() as conn:
        bare_stored = conn.execute(text("SELECT count(*) FROM bench_bare_statements")).scalar()
        conn.execute(text("DROP TABLE bench_bare_statements"))
    bare.extensions["bench_engine"].dispose()

    n = args.statements
    print(f"xAPI intake on PostgreSQL: {n} statements in {len(batches)} batches of {args.batch}, "
          f"{args.learners} learners (seed {SEED})")
    print(f"  app   POST /api/v1/xapi/statements: {app_seconds:7.2f} s  {n / app_seconds:8.0f} statements/s  "
          f"({stored - args.batch} stored, module progress folded, {completed} completions)")
    print(f"  bare  one INSERT per statement:     {bare_seconds:7.2f} s  {n / bare_seconds:8.0f} statements/s  "
          f"({bare_stored - args.batch} stored)")
    print(f"  app / bare: {bare_seconds / app_seconds:.2f}")


if __name__ == "__main__":
    main()
