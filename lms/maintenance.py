"""Daily maintenance jobs, listed in one place so the scheduler process runs them without knowing each domain."""

import importlib
from collections.abc import Callable

# name -> "module:function"; the function takes `now=` (an aware UTC datetime), does its work in the current
# app context, commits, and returns how many things it handled.
DAILY_JOBS: dict[str, str] = {
    "prune-idempotency-records": "lms.idempotency:prune_expired",
    "complete-due-enrollments": "lms.progress.service:complete_due",
}


def daily_jobs() -> dict[str, Callable[..., int]]:
    """The daily jobs by name, imported (a wrong entry fails when the scheduler starts, not at 03:30)."""
    jobs = {}
    for name, target in DAILY_JOBS.items():
        module, _, function = target.partition(":")
        jobs[name] = getattr(importlib.import_module(module), function)
    return jobs
