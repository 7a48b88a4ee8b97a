"""Daily maintenance jobs, listed in one place so the scheduler process runs them without knowing each domain."""

import importlib
from collections.abc import Callable

# name -> "module:function"; the function takes `now=` (an aware UTC datetime), does its work in the current
# app context, commits, and returns how many things it handled.
DAILY_JOBS: dict[str, str] = {
    "prune-idempotency-records": "lms.idempotency:prune_expired",
    "complete-due-enrollments": "lms.progress.service:complete_due",
    "abandon-stale-cmi5-sessions": "lms.cmi5.service:abandon_stale",
}

# queues the scheduler polls (as often as its report queue): same contract, called with `worker=` as well
QUEUE_JOBS: dict[str, str] = {
    "ojt-site-imports": "lms.ojt.imports:run_pending_imports",
    "cmi5-statements": "lms.cmi5.service:deliver_pending",
}


def _load(targets: dict[str, str]) -> dict[str, Callable[..., int]]:
    jobs = {}
    for name, target in targets.items():
        module, _, function = target.partition(":")
        jobs[name] = getattr(importlib.import_module(module), function)
    return jobs


def daily_jobs() -> dict[str, Callable[..., int]]:
    """The daily jobs by name, imported (a wrong entry fails when the scheduler starts, not at 03:30)."""
    return _load(DAILY_JOBS)


def queue_jobs() -> dict[str, Callable[..., int]]:
    """The polled queues by name, imported."""
    return _load(QUEUE_JOBS)
