"""The embedded SQLite default made safe for concurrent writers.

SQLite has no row locks, so `SELECT ... FOR UPDATE` is a no-op there and two deferred transactions can both
read a count and both insert; and a deferred transaction that read before another committed cannot
write at all ("database is locked"). Every transaction therefore starts with `BEGIN IMMEDIATE`, which takes
the database's write lock up front: transactions run one at a time, each reading what the previous one
committed, so capacities, per-day limits, counters and numbering are exact as on PostgreSQL. Reads that
write (audit records, rate limits) are transactions too, so GET requests are no exception. This trades
read concurrency for exactness on the embedded default; production runs on PostgreSQL.
"""

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_SECONDS = 30


def configure_engine(engine: Engine) -> None:
    """Set once per engine: WAL, a busy timeout, and `BEGIN IMMEDIATE` for every transaction."""
    if engine.dialect.name != "sqlite":
        return
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        # pysqlite's own implicit BEGIN would be deferred; the "begin" event below issues ours instead
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_SECONDS * 1000}")
        if not in_memory:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
