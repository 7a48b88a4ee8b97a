"""Per-process cache of token look-ups that no revocation or deactivation outlives.

Every authenticated request used to pay a database round trip (a connection checkout, the look-up, the
rollback at teardown) to learn who is calling. On PostgreSQL each process keeps what it has looked up, and
forgets all of it whenever anything that decides authentication changes, in any process:

- migration 0026 puts statement-level triggers on `access_tokens`, `users` and `user_sites` that send
  `NOTIFY lms_auth` (a revocation, a deactivation, a change of role, scope or sites, any deletion, a TRUNCATE);
  PostgreSQL delivers a notification when, and only if, its transaction commits;
- each process holds one LISTEN connection and reads what has arrived on it (without waiting) before every
  use of the cache; any notification empties the cache;
- a change committed by this process empties its own cache at the commit (see `_watch_engine`), so the
  process that revoked a token never answers with it again, whatever the notification's delivery;
- if the LISTEN connection fails, notifications may have been missed: the cache is emptied and not used
  until a new LISTEN connection is up; an entry lives at most TOKEN_CACHE_SECONDS, and never past its
  token's expiry.

On SQLite (one process, the embedded default) there is no cache: every request looks its token up.
"""

import os
import threading
import time
import weakref
from collections import OrderedDict
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.engine import Engine

CHANNEL = "lms_auth"
MAX_ENTRIES = 10_000
RECONNECT_SECONDS = 5.0
AUTH_TABLES = ("access_tokens", "users", "user_sites")
_WRITES = ("UPDATE", "DELETE", "INSERT", "TRUNCATE", "update", "delete", "insert", "truncate")

_caches: "weakref.WeakSet[TokenCache]" = weakref.WeakSet()


class TokenCache:
    """digest -> (expires_at, stored_at, value), emptied by every `lms_auth` notification."""

    def __init__(self, conninfo: str, seconds: float) -> None:
        self.conninfo = conninfo
        self.seconds = seconds
        self._entries: OrderedDict[str, tuple[datetime, float, object]] = OrderedDict()
        self._generation = 0  # counts the times the cache was emptied
        self._lock = threading.Lock()
        self._listener = None
        self._pid = os.getpid()
        self._retry_at = 0.0
        _caches.add(self)

    def _forget(self) -> None:
        """Empty the cache; a look-up that started before is not kept afterwards (see `put`)."""
        self._entries.clear()
        self._generation += 1

    def _listening(self) -> bool:
        """Read what has arrived on the LISTEN connection, without waiting; False when the cache may not be
        used (no LISTEN connection). Called with the lock held."""
        from psycopg import pq
        from psycopg.conninfo import make_conninfo

        if self._pid != os.getpid():  # a forked child: the parent's connection and entries are not its own
            self._listener, self._pid = None, os.getpid()
            self._forget()
        conn = self._listener
        if conn is None:
            if time.monotonic() < self._retry_at:
                return False
            self._retry_at = time.monotonic() + RECONNECT_SECONDS
            try:
                # bounded: the lock is held meanwhile; keepalives find a peer that vanished without a word
                conninfo = make_conninfo(self.conninfo, connect_timeout=2, keepalives=1, keepalives_idle=30,
                                         keepalives_interval=10, keepalives_count=3)
                conn = pq.PGconn.connect(conninfo.encode())
                if conn.status != pq.ConnStatus.OK:
                    raise ConnectionError(conn.get_error_message())
                if conn.exec_(f"LISTEN {CHANNEL}".encode()).status != pq.ExecStatus.COMMAND_OK:
                    raise ConnectionError(conn.get_error_message())
                conn.nonblocking = 1
            except Exception:  # noqa: BLE001 - without a listener the cache is simply not used
                return False
            self._listener = conn
            self._forget()  # whatever changed while nobody listened is forgotten
            return True
        try:
            # twice: a server that ends the connection sends its reason first, and the end is seen on the
            # next read (a read with nothing waiting costs a system call, not a round trip)
            conn.consume_input()
            conn.consume_input()
            notified = False
            while conn.notifies() is not None:
                notified = True
            if conn.status != pq.ConnStatus.OK:
                raise ConnectionError("the LISTEN connection is gone")
        except Exception:  # noqa: BLE001 - a lost listener: forget everything, look up until it is back
            self._listener = None
            self._forget()
            _finish(conn)
            return False
        if notified:
            self._forget()
        return True

    def get(self, digest: str, now: datetime) -> tuple[object | None, int | None]:
        """(the kept value or None, the generation to hand to `put`; None when the cache is not usable)."""
        with self._lock:
            if not self._listening():
                return None, None
            entry = self._entries.get(digest)
            if entry is not None:
                expires_at, stored_at, value = entry
                if expires_at > now and time.monotonic() - stored_at <= self.seconds:
                    return value, self._generation
                del self._entries[digest]
            return None, self._generation

    def put(self, digest: str, expires_at: datetime, value: object, generation: int | None) -> None:
        """Keep a look-up that started at `generation`, unless the cache was emptied since: a change
        committed while the look-up ran must not be outlived by its older result."""
        if generation is None:
            return
        with self._lock:
            if not self._listening() or generation != self._generation:
                return
            self._entries[digest] = (expires_at, time.monotonic(), value)
            if len(self._entries) > MAX_ENTRIES:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._forget()

    def close(self) -> None:
        with self._lock:
            self._forget()
            if self._listener is not None:
                _finish(self._listener)
                self._listener = None


def _finish(conn) -> None:
    try:
        conn.finish()
    except Exception:  # noqa: BLE001, S110 - closing a broken connection
        pass


def clear_all() -> None:
    """Empty every cache of this process."""
    for cache in list(_caches):
        cache.clear()


def _writes_auth_tables(statement: str) -> bool:
    return statement.lstrip()[:8].startswith(_WRITES) and any(name in statement for name in AUTH_TABLES)


@event.listens_for(Engine, "after_cursor_execute")
def _note_auth_write(conn, cursor, statement, parameters, context, executemany) -> None:
    if _caches and _writes_auth_tables(statement):
        conn.info["lms_auth_written"] = True


@event.listens_for(Engine, "commit")
def _commit(conn) -> None:
    """A change to the tables of authentication committed by this process: its own caches forget at once
    (the other processes learn it from the notification)."""
    if not conn.invalidated and conn.info.pop("lms_auth_written", False):
        clear_all()


@event.listens_for(Engine, "rollback")
def _rollback(conn) -> None:
    if not conn.invalidated:  # an invalidated connection's info is dropped with it (and reading it would fail)
        conn.info.pop("lms_auth_written", None)
