"""What checking a statement batch costs: a 1,000-statement batch of typical statements (the spec's maximum
batch this LMS takes) must be checked well inside the 100 ms a request may take (STYLE: nothing a client sends
takes more than 100 ms to refuse), and so must a batch of the worst statements the size limit lets through."""

import gc
import time
import uuid

from lms.xapi.validation import batch_problems

BUDGET_SECONDS = 0.1


def _typical(i: int) -> dict:
    """A statement as an authoring tool sends it: account actor, ADL verb, module activity with a definition,
    a scored result, a registration and cmi5-style context activities and extensions."""
    return {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "name": "受講者", "account": {"homePage": "https://lms.example.jp",
                                                                     "name": f"L{i:05d}"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed", "ja-JP": "完了"}},
        "object": {"objectType": "Activity", "id": f"https://lms.example.jp/activities/GF-2026/GF{i % 20:02d}",
                   "definition": {"name": {"ja-JP": "在宅医療の基本"}, "type": "http://adlnet.gov/expapi/activities/module"}},
        "result": {"score": {"scaled": 0.8, "raw": 80, "min": 0, "max": 100}, "success": True, "completion": True,
                   "duration": "PT1H2M3.5S"},
        "context": {"registration": str(uuid.uuid4()),
                    "contextActivities": {"parent": [{"id": "https://lms.example.jp/activities/GF-2026"}],
                                          "category": [{"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"}]},
                    "extensions": {"https://w3id.org/xapi/cmi5/context/extensions/sessionid": f"s{i}"}},
        "timestamp": "2026-12-05T10:00:00.123+09:00",
    }


def _cpu_seconds(batch: list) -> tuple[float, dict]:
    gc.collect()
    gc.freeze()
    try:
        started = time.thread_time()
        problems = batch_problems(batch)
        return time.thread_time() - started, problems
    finally:
        gc.unfreeze()


def test_a_batch_of_1000_typical_statements_is_checked_well_within_100_ms():
    batch = [_typical(i) for i in range(1000)]
    seconds, problems = _cpu_seconds(batch)
    assert problems == {}
    print(f"\n1,000 typical statements checked in {seconds * 1000:.1f} ms of CPU time")
    assert seconds < BUDGET_SECONDS / 2, f"{seconds * 1000:.1f} ms"


def test_a_batch_of_1000_broken_statements_is_refused_within_100_ms():
    """Every problem of every statement is collected; that must stay cheap too."""
    broken = []
    for i in range(1000):
        s = _typical(i)
        s["actor"] = {"mbox": "not-an-address", "openid": 1, "member": [{}]}
        s["verb"]["display"] = {"de-419-DE": None, "a-DE": 1}
        s["object"]["definition"]["choices"] = [{"id": "a"}, {"id": "a"}]
        s["result"]["score"] = {"scaled": 2, "raw": "1", "min": 5, "max": 1}
        s["timestamp"] = "2008-09-15T15:53:00.601-00:00"
        broken.append(s)
    seconds, problems = _cpu_seconds(broken)
    assert len({path.split(".")[0] for path in problems}) == 1000
    assert seconds < BUDGET_SECONDS, f"{seconds * 1000:.1f} ms"
