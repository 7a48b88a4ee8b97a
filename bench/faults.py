"""Faults under load: a gunicorn worker killed with SIGKILL in the middle of progress writes, and PostgreSQL
restarted while requests run. Prints what happened, with counts, and exits non-zero if anything was lost.

1. Worker killed: client threads PUT module progress, every body unique (its own occurred_at), while a
   worker is killed with SIGKILL twice (gunicorn starts a new one). Afterwards every acknowledged write
   (200) must be in the database exactly once; a write cut off by the kill may be there once or not at all
   (never twice); and no half-written transaction is left (each progress report has its module summary
   and each summary has its reports).
2. PostgreSQL restarted (`pg_ctlcluster --skip-systemctl-redirect <version> main restart`) under reads and
   writes: while it is down every failure must be a 503 problem+json with Retry-After, never a 500 or a
   hung request, and the same app processes must serve again shortly after (pool_pre_ping), with every
   acknowledged write kept. The server at 127.0.0.1:5432 is shared, so its restart waits for a moment
   when no other database has a session (other test suites); if none comes, the same scenario runs against
   a private PostgreSQL started for the purpose (initdb in a temporary folder, port 55432, `pg_ctl
   restart`), which shows the same thing without disturbing anyone.

The kill of the certificate batch worker is tested in tests/api/certificates/test_batches.py, and the kill
of a report run belongs to the reports domain's tests. Loopback only, bounded in time:

    .venv/bin/python bench/faults.py --database-url postgresql://postgres@127.0.0.1:5432/lms_bench_load
"""

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_load import (  # noqa: E402
    ROOT,
    check_database_url,
    prepare_database,
    start_gunicorn,
    stop,
    wait_ready,
    workers,
)

MODULES = [f"GF{n:02d}" for n in range(1, 9)]


@dataclass
class Outcomes:
    """What the clients saw: acknowledged writes, writes without an answer, answers by status."""

    acknowledged: list[tuple] = field(default_factory=list)
    unanswered: list[tuple] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    bad_errors: list[str] = field(default_factory=list)
    timeline: list[tuple[float, int]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client(threading.Thread):
    """One keep-alive connection making PUTs (and, if asked, GETs) until told to stop."""

    def __init__(self, port: int, pairs: list, admin: str, outcomes: Outcomes, stop_at: threading.Event,
                 clock: list[int], *, reads: bool = False) -> None:
        super().__init__(daemon=True)
        self.port, self.pairs, self.admin, self.outcomes, self.stop_at = port, pairs, admin, outcomes, stop_at
        self.clock, self.reads, self.started = clock, reads, time.monotonic()
        self.rng = random.Random()

    def _connection(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)

    def run(self) -> None:
        connection = self._connection()
        while not self.stop_at.is_set():
            if self.reads and self.rng.random() < 0.3:
                request = ("GET", "/api/v1/enrollments?per_page=5", None, self.admin, None)
            else:
                token, enrollment_id = self.rng.choice(self.pairs)
                module = self.rng.choice(MODULES)
                with self.outcomes.lock:
                    self.clock[0] += 1
                    tick = self.clock[0]
                # a distinct time for every request makes each write identifiable in the database
                at = datetime(2026, 4, 2, tzinfo=UTC) + timedelta(seconds=tick, microseconds=tick % 997)
                body = {"status": self.rng.choice(["in_progress", "completed"]), "minutes_spent": tick % 600,
                        "occurred_at": at.isoformat()}
                key = (enrollment_id, module, at, body["status"], body["minutes_spent"])
                request = ("PUT", f"/api/v1/enrollments/{enrollment_id}/modules/{module}", body, token, key)
            method, path, body, token, key = request
            try:
                connection.request(method, path, body=json.dumps(body) if body else None, headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                answer = connection.getresponse()
                payload = answer.read()
                status = answer.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = self._connection()
                self._note(key, None, "", b"", None)
                time.sleep(0.05)
                continue
            self._note(key, status, answer.getheader("Content-Type", ""), payload, answer.getheader("Retry-After"))
            if answer.getheader("Connection", "").lower() == "close":
                connection.close()
                connection = self._connection()
        connection.close()

    def _note(self, key, status, content_type, payload, retry_after) -> None:
        with self.outcomes.lock:
            self.outcomes.statuses["no answer" if status is None else status] += 1
            self.outcomes.timeline.append((time.monotonic(), status or 0))
            if key is not None:
                if status == 200:
                    self.outcomes.acknowledged.append(key)
                elif status is None or status >= 500:
                    self.outcomes.unanswered.append(key)
            if status is not None and status >= 500:
                problem = content_type.startswith("application/problem+json")
                if status != 503 or not problem or not retry_after:
                    self.outcomes.bad_errors.append(f"{status} {content_type} {payload[:120]!r}")


def _progress_tables():
    """The table of REST progress reports and the module summaries, found from the metadata."""
    from lms.extensions import db

    summaries = db.metadata.tables["module_progress"]
    for table in db.metadata.sorted_tables:
        names = set(table.c.keys())
        if table is not summaries and {"enrollment_id", "module_code", "occurred_at", "status",
                                       "minutes"} <= names:
            return table, summaries
    raise SystemExit("faults: no table of module progress reports in the metadata")


def verify(app, outcomes: Outcomes) -> dict:
    """Acknowledged writes present once, cut-off writes at most once, reports and summaries consistent."""
    from sqlalchemy import func, select

    from lms.extensions import db

    with app.app_context():
        reports, summaries = _progress_tables()
        rows = Counter(
            (e, m, at, s, n) for e, m, at, s, n in db.session.execute(select(
                reports.c.enrollment_id, reports.c.module_code, reports.c.occurred_at, reports.c.status,
                reports.c.minutes)))
        report_keys = {(e, m) for e, m, *_ in rows}
        summary_keys = set(db.session.execute(select(summaries.c.enrollment_id, summaries.c.module_code)).all())
        result = {
            "acknowledged": len(outcomes.acknowledged),
            "acknowledged missing": sum(1 for key in outcomes.acknowledged if rows[key] == 0),
            "acknowledged duplicated": sum(1 for key in outcomes.acknowledged if rows[key] > 1),
            "cut off": len(outcomes.unanswered),
            "cut off but stored": sum(1 for key in outcomes.unanswered if rows[key] == 1),
            "cut off and duplicated": sum(1 for key in outcomes.unanswered if rows[key] > 1),
            "reports without summary": len(report_keys - summary_keys),
            "summaries without report": len(summary_keys - report_keys),
            "report rows": db.session.scalar(select(func.count()).select_from(reports)),
        }
        db.session.remove()
    return result


# one clock for all scenarios, so no two requests of a run send the same report
_CLOCK = [int(time.time()) % 100_000 * 10]


def _clients(port, data, *, reads, count=6):
    outcomes, stop_at = Outcomes(), threading.Event()
    threads = [Client(port, data["pairs"], data["admin"], outcomes, stop_at, _CLOCK, reads=reads)
               for _ in range(count)]
    for thread in threads:
        thread.start()
    return outcomes, stop_at, threads


def worker_kill(app, server, port: int, data: dict, seconds: float) -> bool:
    print(f"\n== 1. SIGKILL a gunicorn worker during progress writes ({seconds:.0f} s) ==", flush=True)
    outcomes, stop_at, threads = _clients(port, data, reads=False)
    killed = []
    for moment in (seconds / 3, seconds / 3):
        time.sleep(moment)
        victim = random.choice(workers(server.pid))
        os.kill(victim, signal.SIGKILL)
        killed.append(victim)
        print(f"  killed worker {victim} at {len(outcomes.acknowledged)} acknowledged writes", flush=True)
    time.sleep(seconds / 3)
    stop_at.set()
    for thread in threads:
        thread.join(20)
    result = verify(app, outcomes)
    print(f"  answers: {dict(outcomes.statuses)}; workers now {workers(server.pid)}")
    for name, value in result.items():
        print(f"  {name:<28} {value}")
    ok = (result["acknowledged"] > 0 and result["acknowledged missing"] == 0
          and result["acknowledged duplicated"] == 0 and result["cut off and duplicated"] == 0
          and result["reports without summary"] == 0 and result["summaries without report"] == 0)
    print("  RESULT:", "nothing lost, nothing duplicated, no partial rows" if ok else "FAILED")
    return ok


def _other_sessions(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return [row[0] for row in conn.execute(
            "SELECT DISTINCT datname FROM pg_stat_activity WHERE backend_type = 'client backend' "
            "AND pid <> pg_backend_pid() AND datname IS NOT NULL AND datname <> current_database()")]


def postgres_restart(app, server, port: int, data: dict, restart: list[str], seconds: float) -> bool:
    print(f"\n== 2. PostgreSQL restarted under load ({seconds:.0f} s): {' '.join(restart)} ==", flush=True)
    outcomes, stop_at, threads = _clients(port, data, reads=True)
    time.sleep(seconds / 4)
    began = time.monotonic()
    # no pipes: a restarted server keeps whatever output it inherits open
    restart = subprocess.run(restart, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, timeout=120)
    restarted = time.monotonic()
    print(f"  restart: exit {restart.returncode} after {restarted - began:.1f} s", flush=True)
    time.sleep(seconds * 3 / 4)
    stop_at.set()
    for thread in threads:
        thread.join(30)
    failures = [t for t, status in outcomes.timeline if status != 200 and t >= began]
    recovered = [t for t, status in outcomes.timeline if status == 200 and t >= restarted]
    first_ok = min(recovered) - restarted if recovered else None
    last_failure = max(failures) - began if failures else None
    result = verify(app, outcomes)
    print(f"  answers: {dict(outcomes.statuses)}")
    print(f"  failures after the restart began: {len(failures)}, the last {last_failure and round(last_failure, 2)} s in")
    print(f"  first success {first_ok and round(first_ok, 2)} s after the restart returned (same app processes)")
    print(f"  errors that were not 503 problem+json with Retry-After: {len(outcomes.bad_errors)}")
    for sample in outcomes.bad_errors[:5]:
        print(f"    {sample}")
    for name in ("acknowledged", "acknowledged missing", "acknowledged duplicated", "cut off", "cut off but stored",
                 "reports without summary", "summaries without report"):
        print(f"  {name:<28} {result[name]}")
    healthy = urllib_get(f"http://127.0.0.1:{port}/healthz")
    print(f"  /healthz afterwards: {healthy}")
    ok = (restart.returncode == 0 and not outcomes.bad_errors and first_ok is not None and first_ok < 10
          and result["acknowledged missing"] == 0 and result["acknowledged duplicated"] == 0
          and result["reports without summary"] == 0 and healthy == 200 and server.poll() is None)
    print("  RESULT:", "clean 503s while down, recovered without a restart of the app" if ok else "FAILED")
    return ok


def shared_server_is_quiet(url: str, wait_quiet: float) -> bool:
    deadline = time.monotonic() + wait_quiet
    while (others := _other_sessions(url)) and time.monotonic() < deadline:
        time.sleep(2)
    if others:
        print(f"\nthe PostgreSQL at 127.0.0.1:5432 is in use by {', '.join(sorted(others))}: it is not restarted; "
              f"a private PostgreSQL is started for the restart scenario instead", flush=True)
    return not others


class PrivatePostgres:
    """A throwaway PostgreSQL cluster in a temporary folder, owned by the postgres user, on 127.0.0.1."""

    PORT = 55432

    def __init__(self, port: int = PORT) -> None:
        self.PORT = port
        version = sorted(os.listdir("/usr/lib/postgresql"))[-1]
        self.bin = Path("/usr/lib/postgresql") / version / "bin"
        self.folder = Path(tempfile.mkdtemp(prefix="lms-faults-pg-"))
        shutil.chown(self.folder, "postgres", "postgres")
        self.data = self.folder / "data"
        self.url = f"postgresql://postgres@127.0.0.1:{self.PORT}/lms_bench_faults"

    def _pg_ctl(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.data), *args]

    def start(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "initdb"), "-D", str(self.data),
                        "-A", "trust", "-U", "postgres", "--no-sync"], check=True, capture_output=True)
        subprocess.run(self._pg_ctl("-o", f"-p {self.PORT} -k {self.folder} -c listen_addresses=127.0.0.1 "
                                          "-c fsync=off", "-l", str(self.folder / "log"), "-w", "start"),
                       check=True, capture_output=True, timeout=60)
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "createdb"), "-h", "127.0.0.1", "-p",
                        str(self.PORT), "lms_bench_faults"], check=True, capture_output=True)

    def restart_command(self) -> list[str]:
        # the log file is not remembered across a restart: without it the server would write to our pipe
        return self._pg_ctl("-m", "fast", "-l", str(self.folder / "log"), "-w", "restart")

    def stop(self) -> None:
        subprocess.run(self._pg_ctl("-m", "immediate", "-w", "stop"), capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def urllib_get(url: str) -> int | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback only
            return answer.status
    except OSError as exc:
        return getattr(exc, "code", None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=12, help="length of each scenario")
    parser.add_argument("--port", type=int, default=8711)
    parser.add_argument("--skip-postgres-restart", action="store_true")
    parser.add_argument("--wait-quiet", type=float, default=120,
                        help="seconds to wait for PostgreSQL to have no other sessions before restarting it")
    parser.add_argument("--private-postgres", action="store_true",
                        help="never restart the shared server: restart a private PostgreSQL instead")
    parser.add_argument("--private-port", type=int, default=PrivatePostgres.PORT,
                        help="port of the private PostgreSQL (default: %(default)s)")
    args = parser.parse_args()
    check_database_url(args.database_url)
    results = {"worker killed": run_scenario(args, args.database_url, args.port, "kill")}
    if not args.skip_postgres_restart:
        if not args.private_postgres and shared_server_is_quiet(args.database_url, args.wait_quiet):
            version = sorted(os.listdir("/etc/postgresql"))[-1]
            restart = ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"]
            results["PostgreSQL restarted"] = run_scenario(args, args.database_url, args.port, restart)
        else:
            private = PrivatePostgres(args.private_port)
            try:
                private.start()
                results["PostgreSQL restarted (private server)"] = run_scenario(
                    args, private.url, args.port + 1, private.restart_command())
            finally:
                private.stop()
    print("\nsummary:", ", ".join(f"{name}: {'ok' if ok else 'FAILED'}" for name, ok in results.items()))
    return 0 if all(results.values()) else 1


def run_scenario(args, database_url: str, port: int, fault) -> bool:
    """Prepare the database, start gunicorn, inject the fault under load, verify, stop."""
    storage = Path(tempfile.mkdtemp(prefix="lms-faults-"))
    env = {**os.environ, "DATABASE_URL": database_url, "STORAGE_DIR": str(storage),
           "SECRET_KEY": secrets.token_hex(32), "PYTHONPATH": str(ROOT)}
    print(f"\npreparing {database_url} with {args.learners} learners ...", flush=True)
    data = prepare_database(database_url, args.learners, env)
    from lms import create_app

    app = create_app()
    server = start_gunicorn("wsgi:app", port, env, ROOT, storage / "gunicorn.log")
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", server)
        if fault == "kill":
            return worker_kill(app, server, port, data, args.seconds)
        return postgres_restart(app, server, port, data, fault, args.seconds)
    finally:
        stop(server)
        with app.app_context():
            from lms.extensions import db

            db.engine.dispose()
        print(f"  gunicorn log: {storage / 'gunicorn.log'}")


if __name__ == "__main__":
    raise SystemExit(main())
