"""Load: the app under gunicorn on PostgreSQL against a bare Flask endpoint, measured with wrk.

Prepares the database given by --database-url (PostgreSQL on this machine only; its name must contain
"bench", because the schema is dropped): `flask db upgrade heads`, the course content, and a few thousand
learners with users and tokens, enrolments, OJT sites and placements (module progress grows under load).
Then it starts two gunicorn servers with the same settings (the production gunicorn.conf.py, whose threads keep
a worker serving while it waits on PostgreSQL, and -w 2: two processes for the two cores),
one for the app (bench/floor_app.py: the app plus an authentication-only endpoint) and one for
bench/bare_app.py, and measures each endpoint next to the bare one in the same run, after a warm-up:

  GET /bench/floor                          (admin token)         target: >= 30 % of the bare GET's rps
                                                                  (authentication alone: the ceiling of any
                                                                  authenticated endpoint, bench/floor_app.py)
  GET /api/v1/enrollments?per_page=20       (admin token)         target: >= 15 % of the bare GET's rps
  PUT /api/v1/enrollments/{id}/modules/{m}  (random learners)     target: >= 12 % of the bare PUT's rps
  GET /api/v1/stats/prefectures (cached)    (prefecture official) target: >= 20 % of the bare GET's rps

Every row must also keep p99 under 100 ms and answer no error (wrk's non-2xx count), and each app worker's
resident memory must stay flat (at most MEMORY_GROWTH_MIB more at the end of the measured runs, 60 s of load
with the defaults, than at their start, after one warm-up run of every scenario). Each row prints its figure next to its target and PASS or FAIL.
Everything stays on 127.0.0.1 and every wrk run is bounded by --duration. One command (about 3 minutes):

    .venv/bin/python bench/bench_load.py --database-url postgresql://postgres@127.0.0.1:5432/lms_bench_load
"""

import argparse
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

VENV_BIN = Path(sys.executable).parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
# the production settings (gunicorn.conf.py: worker class, threads) for both servers, two workers for the two
# cores; --gunicorn replaces them
GUNICORN = ["-c", str(ROOT / "gunicorn.conf.py"), "-w", "2"]
# issue 17: each endpoint's rate as a share of the bare endpoint's, measured back to back in the same run
TARGETS = {"floor": 0.30, "enrollments": 0.15, "progress": 0.12, "stats": 0.20}
P99_LIMIT_MS = 100.0
MEMORY_GROWTH_MIB = 5.0  # "flat": what a worker may gain over the measured runs (allocator noise)


def refuse(message: str) -> None:
    print(f"bench_load: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_tools() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        refuse("wrk is not installed; install it from Debian with: apt-get install -y wrk")
    return wrk


def check_database_url(url: str) -> None:
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        refuse("a PostgreSQL --database-url is required (SQLite is not what production runs)")
    if parts.hostname not in LOOPBACK:
        refuse("the database must be on this machine (127.0.0.1)")
    if "bench" not in parts.path.rsplit("/", 1)[-1]:
        refuse("the database name must contain 'bench': its schema is dropped")


# --- the data -----------------------------------------------------------------------------------------


def prepare_database(url: str, learners: int, env: dict) -> dict:
    """Fresh schema, content and data; returns the tokens and the (token, enrolment) pairs for the PUTs."""
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    flask = [str(VENV_BIN / "flask"), "--app", "wsgi"]
    subprocess.run([*flask, "db", "upgrade", "heads"], cwd=ROOT, env=env, check=True, capture_output=True)
    subprocess.run([*flask, "lms", "content", "sync"], cwd=ROOT, env=env, check=True, capture_output=True)
    os.environ.update(env)
    from lms import create_app

    app = create_app()
    with app.app_context():
        return _fill(learners)


def _fill(n_learners: int) -> dict:
    from sqlalchemy import insert

    from lms.auth.models import AccessToken, User
    from lms.auth.passwords import hash_password
    from lms.auth.permissions import token_digest
    from lms.columns import new_id
    from lms.dates import fiscal_year, utcnow
    from lms.enrollments.models import Enrollment
    from lms.extensions import db
    from lms.learners.models import Learner
    from lms.ojt.models import OjtSite, Placement
    from lms.programs.service import get_program
    from lms.reference.data import ORGANIZATIONS, SPECIALTIES

    rng = __import__("random").Random(20260401)
    now = utcnow()
    year = fiscal_year(now)
    started = datetime(year, 4, 2, tzinfo=UTC)
    password = hash_password("bench-password-1")  # one hash for everybody: hashing is not what is measured
    gf, ojt = get_program("GF-2026"), get_program("OJT-2026")
    orgs = [code for code, *_ in ORGANIZATIONS]
    specialties = [code for code, *_ in SPECIALTIES]
    prefectures = [f"{n:02d}" for n in range(1, 48)]
    users, tokens, learners, enrollments, sites, placements = [], [], [], [], [], []
    expires = now + timedelta(days=1)
    pairs = []

    def user(role: str, **scope) -> str:
        uid, token = new_id(), secrets.token_urlsafe(32)
        users.append({"id": uid, "email": f"{role}-{uid[:8]}@bench.example.jp", "password_hash": password,
                      "role": role, "is_active": True, "created_at": now, **scope})
        tokens.append({"id": new_id(), "token_hash": token_digest(token), "user_id": uid, "created_at": now,
                       "expires_at": expires})
        return token

    admin = user("consortium_admin")
    official = user("prefecture_official", prefecture_code="13")
    for n in range(300):
        sites.append({"id": new_id(), "name": f"研修病院{n}", "kind": rng.choice(["hospital", "clinic"]),
                      "prefecture_code": rng.choice(prefectures), "secondary_medical_area": f"圏域{n % 9}",
                      "shortage_area": n % 4 == 0, "annual_capacity": 20, "activities": ["outpatient", "ward"],
                      "created_at": now, "updated_at": now})
    for n in range(n_learners):
        token = user("learner")
        uid = users[-1]["id"]
        lid = new_id()
        prefecture = rng.choice(prefectures)
        org = rng.choice(orgs)
        learners.append({"id": lid, "user_id": uid, "family_name": "山田", "given_name": f"太郎{n}",
                         "family_name_kana": "ヤマダ", "given_name_kana": "タロウ", "email": users[-1]["email"],
                         "medical_registration_number": str(1_000_000 + n), "license_year": 1990 + n % 30,
                         "specialty": rng.choice(specialties), "workplace_prefecture_code": prefecture,
                         "workplace_name": "ベンチ病院", "organization_code": org, "created_at": now, "updated_at": now})
        eid = new_id()
        applied = started + timedelta(minutes=n)
        enrollments.append({"id": eid, "learner_id": lid, "program_code": gf.code, "program_version_id": gf.id,
                            "fiscal_year": year, "prefecture_code": prefecture, "organization_code": org,
                            "status": "active", "ever_active": True, "applied_at": applied, "activated_at": applied,
                            "updated_at": now})
        pairs.append((token, eid))
        if n % 3 == 0:
            status = rng.choice(["applied", "active", "withdrawn", "rejected"])
            enrollments.append({"id": new_id(), "learner_id": lid, "program_code": ojt.code,
                                "program_version_id": ojt.id, "fiscal_year": year, "prefecture_code": prefecture,
                                "organization_code": org, "status": status, "ever_active": status == "active",
                                "applied_at": applied, "updated_at": now})
        if n % 2 == 0:
            placements.append({"id": new_id(), "enrollment_id": eid, "site_id": sites[n % len(sites)]["id"],
                               "fiscal_year": year, "start_date": date(year, 4, 1), "end_date": date(year + 1, 3, 31),
                               "status": "active", "created_at": now})
    for model, rows in ((User, users), (AccessToken, tokens), (OjtSite, sites), (Learner, learners),
                        (Enrollment, enrollments), (Placement, placements)):
        for start in range(0, len(rows), 2000):
            db.session.execute(insert(model), rows[start:start + 2000])
    db.session.commit()
    db.session.execute(__import__("sqlalchemy").text("ANALYZE"))
    db.session.commit()
    counts = {"users": len(users), "learners": len(learners), "enrolments": len(enrollments), "sites": len(sites),
              "placements": len(placements)}
    return {"admin": admin, "official": official, "pairs": pairs, "year": year, "counts": counts}


# --- servers ------------------------------------------------------------------------------------------


def start_gunicorn(target: str, port: int, env: dict, chdir: Path, log: Path) -> subprocess.Popen:
    command = [str(VENV_BIN / "gunicorn"), *GUNICORN, "-b", f"127.0.0.1:{port}", "--chdir", str(chdir),
               "--graceful-timeout", "5", target]
    return subprocess.Popen(command, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def wait_ready(url: str, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            refuse(f"the server for {url} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310 - loopback only
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    refuse(f"{url} did not answer within {seconds:.0f} s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def workers(master: int) -> list[int]:
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                children.append(int(entry.name))
    return sorted(children)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of the processes so far (from /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def postgres_backends(url: str) -> list[int]:
    """Server processes serving the benchmark database (PostgreSQL runs on this machine)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return [pid for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")]


def measure(wrk: str, url: str, script: str, args, env: dict, server: subprocess.Popen, database_url: str | None):
    """One wrk run, plus the CPU the server's workers (and PostgreSQL's backends) spent per request: unlike
    requests per second, that does not depend on what else the machine is doing."""
    pids = workers(server.pid)
    backends = postgres_backends(database_url) if database_url else []
    before = cpu_seconds(pids), cpu_seconds(backends)
    result = run_wrk(wrk, url, script, args.duration, args.connections, args.threads, env)
    after = cpu_seconds(pids), cpu_seconds(backends)
    requests = max(1, result["requests"])
    result["cpu_ms"] = (after[0] - before[0]) * 1000 / requests
    result["db_cpu_ms"] = (after[1] - before[1]) * 1000 / requests
    return result


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# --- wrk ----------------------------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def run_wrk(wrk: str, url: str, script: str, seconds: int, connections: int, threads: int, env: dict) -> dict:
    command = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "--latency",
               "-s", str(ROOT / "bench" / "wrk" / script), url]
    output = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True,
                            timeout=seconds + 60).stdout
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
              "requests": int(re.search(r"(\d+) requests in", output).group(1)),
              "non_2xx": int(m.group(1)) if (m := re.search(r"Non-2xx or 3xx responses: (\d+)", output)) else 0,
              "socket_errors": sum(map(int, m.groups())) if (m := re.search(
                  r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)) else 0,
              "statuses": dict(re.findall(r"status (\d+): (\d+)", output))}
    for percent in ("50", "99"):
        value, unit = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M).groups()
        result[f"p{percent}"] = float(value) * _UNITS[unit]
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--learners", type=int, default=3000)
    parser.add_argument("--duration", type=int, default=15, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured load before each run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--app-port", type=int, default=8701)
    parser.add_argument("--bare-port", type=int, default=8702)
    parser.add_argument("--gunicorn", default=" ".join(GUNICORN),
                        help="worker settings, the same for both servers (default: %(default)s)")
    args = parser.parse_args()
    GUNICORN[:] = args.gunicorn.split()
    wrk = check_tools()
    check_database_url(args.database_url)

    storage = Path(tempfile.mkdtemp(prefix="lms-bench-"))
    env = {**os.environ, "DATABASE_URL": args.database_url, "STORAGE_DIR": str(storage),
           "SECRET_KEY": secrets.token_hex(32), "PYTHONPATH": str(ROOT)}
    print(f"preparing {args.database_url} with {args.learners} learners ...", flush=True)
    started = time.monotonic()
    data = prepare_database(args.database_url, args.learners, env)
    print(f"  {data['counts']} in {time.monotonic() - started:.1f} s", flush=True)
    pairs_file = storage / "pairs.txt"
    pairs_file.write_text("".join(f"{token} {eid}\n" for token, eid in data["pairs"]))

    app_log, bare_log = storage / "gunicorn-app.log", storage / "gunicorn-bare.log"
    app = start_gunicorn("floor_app:app", args.app_port, env, ROOT / "bench", app_log)
    bare = start_gunicorn("bare_app:app", args.bare_port, env, ROOT / "bench", bare_log)
    app_url, bare_url = f"http://127.0.0.1:{args.app_port}", f"http://127.0.0.1:{args.bare_port}"
    rows = []
    load_before = os.getloadavg()[0]
    try:
        wait_ready(f"{app_url}/healthz", app)
        wait_ready(f"{bare_url}/bare", bare)
        scenarios = [
            ("floor", "GET /bench/floor (authentication only)", f"{app_url}/bench/floor", "get.lua",
             {"BENCH_TOKEN": data["admin"]}, "GET /bare", f"{bare_url}/bare", "get.lua", {}),
            ("enrollments", "GET /api/v1/enrollments?per_page=20", f"{app_url}/api/v1/enrollments?per_page=20",
             "get.lua", {"BENCH_TOKEN": data["admin"]}, "GET /bare", f"{bare_url}/bare", "get.lua", {}),
            ("progress", "PUT /api/v1/enrollments/{id}/modules/{code}", app_url, "put_progress.lua",
             {"BENCH_DATA": str(pairs_file)}, "PUT /bare", bare_url, "put_progress.lua",
             {"BENCH_DATA": str(pairs_file), "BENCH_PATH": "/bare"}),
            ("stats", f"GET /api/v1/stats/prefectures?fiscal_year={data['year']}",
             f"{app_url}/api/v1/stats/prefectures?fiscal_year={data['year']}", "get.lua",
             {"BENCH_TOKEN": data["official"]}, "GET /bare", f"{bare_url}/bare", "get.lua", {}),
        ]
        # every scenario once before the memory is first read: what a worker keeps by design (compiled
        # statements, the token look-ups of the learners, the statistics tables) is in place; "flat" is then
        # whatever the measured runs add
        for _, _, url, script, extra, _, bare_target, bare_script, bare_extra in scenarios:
            run_wrk(wrk, url, script, args.warmup, args.connections, args.threads, extra)
            run_wrk(wrk, bare_target, bare_script, args.warmup, args.connections, args.threads, bare_extra)
        memory_start = {name: {pid: rss_mib(pid) for pid in workers(p.pid)} for name, p in (("app", app),
                                                                                          ("bare", bare))}
        for key, label, url, script, extra, bare_label, bare_target, bare_script, bare_extra in scenarios:
            print(f"measuring {label} ...", flush=True)
            run_wrk(wrk, url, script, args.warmup, args.connections, args.threads, extra)
            measured = measure(wrk, url, script, args, extra, app, args.database_url)
            baseline = measure(wrk, bare_target, bare_script, args, bare_extra, bare, None)
            rows.append((key, label, measured, bare_label, baseline))
        memory_end = {name: {pid: rss_mib(pid) for pid in workers(p.pid)} for name, p in (("app", app),
                                                                                        ("bare", bare))}
    finally:
        stop(app)
        stop(bare)
    print(f"machine load average (1 min): {load_before:.1f} before, {os.getloadavg()[0]:.1f} after the runs "
          f"on {os.cpu_count()} cores (anything else running skews both columns)")
    return report(rows, memory_start, memory_end, args)


def report(rows, memory_start, memory_end, args) -> int:
    print()
    print(f"gunicorn {' '.join(GUNICORN)} for both; wrk -t{args.threads} -c{args.connections} "
          f"-d{args.duration}s after {args.warmup} s of warm-up; PostgreSQL at 127.0.0.1")
    print(f"statistics tables are kept STATS_CACHE_SECONDS={os.environ.get('STATS_CACHE_SECONDS', '60 (default)')} s "
          "per worker, as in production; bench_stats.py measures a table counted afresh")
    header = (f"{'endpoint':<50} {'rps':>7} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7} {'vs bare':>7} "
              f"{'target':>7} {'cpu ms/req':>10} {'db cpu':>6}  verdict")
    print(header)
    print("-" * len(header))
    failed = False
    for key, label, measured, bare_label, baseline in rows:
        ratio = measured["rps"] / baseline["rps"] if baseline["rps"] else 0.0
        target = TARGETS.get(key, 0.0)
        errors = measured["non_2xx"] + measured["socket_errors"] + baseline["non_2xx"] + baseline["socket_errors"]
        misses = [name for name, bad in (("share", ratio < target), ("p99", measured["p99"] >= P99_LIMIT_MS),
                                         ("errors", errors > 0)) if bad]
        failed |= bool(misses)
        verdict = "PASS" if not misses else "FAIL (" + ", ".join(misses) + ")"
        print(f"{label:<50} {measured['rps']:>7.0f} {measured['p50']:>7.1f} {measured['p99']:>7.1f} "
              f"{measured['non_2xx']:>7} {ratio:>7.1%} {'>= ' + format(target, '.0%'):>7} "
              f"{measured['cpu_ms']:>10.2f} {measured['db_cpu_ms']:>6.2f}  {verdict}")
        print(f"{'  ' + bare_label:<50} {baseline['rps']:>7.0f} {baseline['p50']:>7.1f} {baseline['p99']:>7.1f} "
              f"{baseline['non_2xx']:>7} {'':>7} {'':>7} {baseline['cpu_ms']:>10.2f}")
        for result in (measured, baseline):
            if result["statuses"] or result["socket_errors"]:
                print(f"    errors: statuses {result['statuses']}, socket errors {result['socket_errors']}")
    print(f"targets: share of the bare endpoint's rps as shown, p99 < {P99_LIMIT_MS:.0f} ms, no error")
    print("cpu ms/req: CPU time of the gunicorn workers per request; db cpu: of the PostgreSQL backends. Their")
    print("ratio to the bare endpoint's is the rps ratio a machine with nothing else to do would reach at best.")
    print()
    print(f"worker resident memory (MiB), start -> end of the measured runs (app target: at most "
          f"+{MEMORY_GROWTH_MIB:.0f} MiB):")
    for name in ("app", "bare"):
        for pid, start in sorted(memory_start[name].items()):
            end = memory_end[name].get(pid)
            if end is None:
                print(f"  {name} worker {pid}: {start:.1f} -> (gone: the worker was replaced)  FAIL")
                failed = True
                continue
            grown = end - start
            verdict = ""
            if name == "app":
                verdict = "  PASS" if grown <= MEMORY_GROWTH_MIB else "  FAIL"
                failed |= grown > MEMORY_GROWTH_MIB
            print(f"  {name} worker {pid}: {start:.1f} -> {end:.1f} ({grown:+.1f}){verdict}")
    print("RESULT:", "PASS: all targets met, no errors" if not failed else "FAIL: a target was missed or a request failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
