"""Benchmark of the LRS's statement store on PostgreSQL at scale: queries at 1M statements, and the intake rate.

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/lms_test_lrs_statements .venv/bin/python bench/bench_lrs.py

The database is emptied first (its name must contain "test" or "bench"). The store is filled with `--fill`
statements (default 1,000,000) by COPY, in the shape the intake writes (the JSON as returned, its indexed
columns, the related agents and activities), then ANALYZEd. Through the real app (Flask's test client in this
process, a client with scope "all" by Basic credentials), each common query is timed `--runs` times with random
values: p50 and p99 in milliseconds. Last, the intake: `--statements` statements POSTed in batches by learners
(progress folded, as bench_xapi.py does) against a bare endpoint doing one INSERT per statement into a table of
the same rows; the ratio is statements per second of the app over the bare endpoint's.
"""

import argparse
import base64
import csv
import io
import json
import os
import random
import secrets
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_xapi import bare_app, make_batches, make_learners, run  # noqa: E402
from flask import Flask  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import text  # noqa: E402

from lms import create_app  # noqa: E402
from lms.config import TestConfig  # noqa: E402
from lms.dates import utcnow  # noqa: E402
from lms.extensions import db  # noqa: E402

SEED = 20261205
HOME = "https://lms.example.jp"
ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = [ADL + v for v in ("progressed", "progressed", "progressed", "experienced", "completed", "passed",
                           "failed", "attempted", "answered", "interacted")]
PER_REGISTRATION = 20
PER_AGENT = 100
ACTIVITIES = 2000


def setup_app(url: str) -> Flask:
    config = TestConfig(url, "/tmp/bench-lrs-storage")
    config.PUBLIC_BASE_URL = HOME
    app = create_app(config)
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(revision="heads")
        from lms.programs.service import sync_content

        sync_content(Path(app.config["CONTENT_DIR"]))
    return app


def make_client_headers(app: Flask) -> tuple[dict[str, str], dict]:
    """A client with scope "all" made through the API by an admin: its request headers and its authority."""
    from lms.auth.models import AccessToken
    from lms.auth.permissions import token_digest
    from lms.auth.service import new_user

    with app.app_context():
        admin = new_user("bench-admin@example.jp", "bench-password-1", "consortium_admin")
        db.session.flush()
        token = secrets.token_urlsafe(24)
        db.session.add(AccessToken(token_hash=token_digest(token), user_id=admin.id,
                                   expires_at=utcnow() + timedelta(hours=2)))
        db.session.commit()
    made = app.test_client().post("/api/v1/xapi/clients", json={"name": "bench", "scopes": ["all"]},
                                  headers={"Authorization": f"Bearer {token}"}).get_json()
    basic = base64.b64encode(f"{made['key']}:{made['secret']}".encode()).decode()
    authority = {"objectType": "Agent", "name": "bench",
                 "account": {"homePage": HOME + "/api/v1/xapi/clients", "name": made["key"]}}
    return {"Authorization": f"Basic {basic}", "X-Experience-API-Version": "1.0.3"}, authority


def fill(app: Flask, count: int, authority: dict, rng: random.Random) -> dict:
    """COPY `count` statements with their index rows; returns sample values for the queries."""
    from lms.xapi import agents
    from lms.xapi.models import key_of

    registrations = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count // PER_REGISTRATION)]
    mailboxes = [f"mailto:learner{n}@example.jp" for n in range(count // PER_AGENT)]
    activities = [f"{HOME}/xapi/activities/course-{n // 50}/unit-{n}" for n in range(ACTIVITIES)]
    authority_key = key_of(agents.agent_key(authority))
    mailbox_keys = [key_of(agents.agent_key({"mbox": m})) for m in mailboxes]
    verb_keys = {v: key_of(v) for v in set(VERBS)}
    activity_keys = [key_of(a) for a in activities]
    parents = sorted({a.rsplit("/", 1)[0] for a in activities})
    parent_keys = {p: key_of(p) for p in parents}
    start = utcnow() - timedelta(days=365)
    step = timedelta(days=365) / count
    ids, started = [], time.perf_counter()
    with app.app_context():
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            chunk = 50_000
            for first in range(0, count, chunk):
                statements, agent_rows, activity_rows = io.StringIO(), io.StringIO(), io.StringIO()
                s_out, g_out, a_out = csv.writer(statements), csv.writer(agent_rows), csv.writer(activity_rows)
                for seq in range(first + 1, min(first + chunk, count) + 1):
                    statement_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    if seq % 997 == 0:
                        ids.append(statement_id)
                    agent = rng.randrange(len(mailboxes))
                    registration = registrations[rng.randrange(len(registrations))]
                    verb = VERBS[rng.randrange(len(VERBS))]
                    activity = rng.randrange(ACTIVITIES)
                    parent = activities[activity].rsplit("/", 1)[0]
                    stored = start + step * seq
                    stored_text = stored.isoformat(timespec="milliseconds").replace("+00:00", "Z")
                    statement = {
                        "id": statement_id, "actor": {"objectType": "Agent", "mbox": mailboxes[agent]},
                        "verb": {"id": verb, "display": {"en-US": verb.rsplit("/", 1)[-1]}},
                        "object": {"objectType": "Activity", "id": activities[activity]},
                        "result": {"duration": f"PT{rng.randint(1, 30)}M"},
                        "context": {"registration": registration,
                                    "contextActivities": {"parent": [{"id": parent}]}},
                        "timestamp": stored_text, "stored": stored_text, "authority": authority, "version": "1.0.0"}
                    s_out.writerow((seq, statement_id, json.dumps(statement, separators=(",", ":")), verb_keys[verb],
                                    activity_keys[activity], mailbox_keys[agent], authority_key, registration, "",
                                    "f", "f", stored.isoformat(), stored.isoformat()))
                    g_out.writerow((mailbox_keys[agent], seq, "t"))
                    g_out.writerow((authority_key, seq, "f"))
                    a_out.writerow((activity_keys[activity], seq, "t"))
                    a_out.writerow((parent_keys[parent], seq, "f"))
                for table, columns, buffer in (
                        ("lrs_statements", "seq, id, statement, verb_key, activity_key, actor_key, authority_key, "
                                           "registration, ref_target, voiding, voided, stored, timestamp", statements),
                        ("lrs_statement_agents", "agent_key, statement_seq, direct", agent_rows),
                        ("lrs_statement_activities", "activity_key, statement_seq, direct", activity_rows)):
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '')") as copy:
                        copy.write(buffer.getvalue())
                raw.commit()
                print(f"  filled {min(first + chunk, count):>9,} statements "
                      f"({time.perf_counter() - started:5.0f} s)", flush=True)
            cursor.execute("SELECT setval(pg_get_serial_sequence('lrs_statements', 'seq'), %s)", (count,))
            for table in ("lrs_statements", "lrs_statement_agents", "lrs_statement_activities"):
                cursor.execute(f"ANALYZE {table}")  # as autovacuum would soon; committed below
            raw.commit()
        finally:
            raw.close()
    print(f"  fill: {count:,} statements by COPY in {time.perf_counter() - started:.0f} s", flush=True)
    return {"registrations": registrations, "mailboxes": mailboxes, "ids": ids, "verbs": sorted(set(VERBS)),
            "activities": activities}


def timed_queries(app: Flask, headers: dict, samples: dict, runs: int, rng: random.Random) -> dict[str, list[float]]:
    client = app.test_client()
    since = (utcnow() - timedelta(days=7)).isoformat().replace("+00:00", "Z")

    def agent():
        return json.dumps({"mbox": rng.choice(samples["mailboxes"])})

    kinds = {
        "by registration": lambda: {"registration": rng.choice(samples["registrations"])},
        "by agent (limit 100)": lambda: {"agent": agent()},
        "by agent + related": lambda: {"agent": agent(), "related_agents": "true", "limit": "25"},
        "by verb + since (7 days)": lambda: {"verb": rng.choice(samples["verbs"]), "since": since},
        "by activity + related": lambda: {"activity": rng.choice(samples["activities"]).rsplit("/", 1)[0],
                                          "related_activities": "true", "limit": "25"},
        "single by statementId": lambda: {"statementId": rng.choice(samples["ids"])},
        "newest 100 (no filter)": lambda: {},
    }
    results: dict[str, list[float]] = {}
    for label, params in kinds.items():
        times = []
        for i in range(runs + 5):
            started = time.perf_counter()
            response = client.get("/api/v1/xapi/statements", query_string=params(), headers=headers)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise SystemExit(f"{label}: HTTP {response.status_code} {response.get_data(as_text=True)[:300]}")
            if i >= 5:  # warm-up
                times.append(elapsed)
        results[label] = times
    # the second page of an agent's statements, through its `more` URL
    times = []
    for i in range(runs + 5):
        first = client.get("/api/v1/xapi/statements", query_string={"agent": agent(), "limit": "20"},
                           headers=headers).get_json()
        started = time.perf_counter()
        response = client.get(first["more"], headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or not first["more"]:
            raise SystemExit(f"more: HTTP {response.status_code}")
        if i >= 5:
            times.append(elapsed)
    results["a more page (agent, limit 20)"] = times
    return results


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--fill", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--statements", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--learners", type=int, default=20)
    parser.add_argument("--intake-only", action="store_true",
                        help="measure the intake only, on the store a previous run filled (not emptied)")
    args = parser.parse_args()
    url = args.database_url
    if not url or not url.startswith(("postgresql", "postgres")):
        raise SystemExit("Give a PostgreSQL URL (--database-url or BENCH_DATABASE_URL).")
    name = url.rsplit("/", 1)[-1]
    if "test" not in name and "bench" not in name:
        raise SystemExit("The database is emptied: its name must contain 'test' or 'bench'.")

    rng = random.Random(SEED)
    begun = time.perf_counter()
    if args.intake_only:
        config = TestConfig(url, "/tmp/bench-lrs-storage")
        config.PUBLIC_BASE_URL = HOME
        app = create_app(config)
        with app.app_context():
            args.fill = db.session.scalar(text("SELECT count(*) FROM lrs_statements"))
        learners = make_learners(app, args.learners, prefix=f"intake{secrets.token_hex(3)}-")
    else:
        app = setup_app(url)
        headers, authority = make_client_headers(app)
        print(f"LRS statements on PostgreSQL: fill {args.fill:,}, {args.runs} runs per query (seed {SEED})",
              flush=True)
        samples = fill(app, args.fill, authority, rng)
        results = timed_queries(app, headers, samples, args.runs, rng)
        print(f"  queries through GET /api/v1/xapi/statements at {args.fill:,} statements (ms):")
        for label, times in results.items():
            print(f"    {label:32} p50 {percentile(times, 50) * 1000:7.1f}   p99 {percentile(times, 99) * 1000:7.1f}")
        learners = make_learners(app, args.learners)
    warm_up = make_batches(rng, learners, args.batch, args.batch)
    batches = make_batches(rng, learners, args.statements, args.batch)

    def app_headers(token):
        return {"Authorization": f"Bearer {token}", "X-Experience-API-Version": "1.0.3"}

    client = app.test_client()
    run(client, "/api/v1/xapi/statements", warm_up, app_headers)
    app_seconds = run(client, "/api/v1/xapi/statements", batches, app_headers)
    with app.app_context():
        completed = db.session.scalar(text("SELECT count(*) FROM enrollments WHERE status = 'completed'"))
        db.engine.dispose()
    bare = bare_app(url)
    bare_client = bare.test_client()
    run(bare_client, "/statements", make_batches(random.Random(SEED + 1), learners, args.batch, args.batch),
        lambda token: {})
    bare_seconds = run(bare_client, "/statements", batches, lambda token: {})
    with bare.extensions["bench_engine"].begin() as conn:
        conn.execute(text("DROP TABLE bench_bare_statements"))
    bare.extensions["bench_engine"].dispose()
    n = args.statements
    print(f"  intake at {args.fill:,} stored: {n:,} statements in batches of {args.batch} by {args.learners} learners")
    print(f"    app   POST /api/v1/xapi/statements: {app_seconds:7.2f} s  {n / app_seconds:8.0f} statements/s  "
          f"(LRS rows, index rows, module progress folded, {completed} completions)")
    print(f"    bare  one INSERT per statement:     {bare_seconds:7.2f} s  {n / bare_seconds:8.0f} statements/s")
    print(f"    app / bare: {bare_seconds / app_seconds:.2f}")
    print(f"  total {time.perf_counter() - begun:.0f} s")


if __name__ == "__main__":
    main()
