"""Published statistics tables kept for a short while in each process.

A table costs a handful of queries (sums of summary rows, lms/stats/models.py, and approved hours) and is
read far more often than the counts move. Each table carries `as_of`, the time it was counted, so a reader
always knows how fresh it is. STATS_CACHE_SECONDS sets how long (0 turns the cache off). Scheduled reports
and the prefecture detail count afresh.
"""

import threading
from collections.abc import Callable, Hashable
from typing import Any

from cachetools import TTLCache
from flask import current_app

MAX_ENTRIES = 512  # one entry per viewer scope and year range: officials of 47 prefectures, ~10 orgs
_LOCK = threading.Lock()


def _cache() -> TTLCache | None:
    seconds = current_app.config.get("STATS_CACHE_SECONDS", 0)
    if seconds <= 0:
        return None
    with _LOCK:
        return current_app.extensions.setdefault("lms.stats_cache", TTLCache(MAX_ENTRIES, ttl=seconds))


def cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """The value kept under `key`, else `compute()` kept for STATS_CACHE_SECONDS. Callers must not
    change the value: other requests share it."""
    cache = _cache()
    if cache is None:
        return compute()
    with _LOCK:
        value = cache.get(key)
    if value is None:  # two requests may both count; the later one's table is kept
        value = compute()
        with _LOCK:
            cache[key] = value
    return value
