"""Revocation holds at once under concurrency (API.md: DELETE /xapi/clients/{id} "revokes at once"): of
requests racing a client's DELETE, none that starts after the DELETE has answered is accepted, on both
databases; nothing is a 5xx."""

import threading
import time

from tests.api.xapi_meta.conftest import lrs
from tests.conftest import bearer
from tests.race import Sent, statuses

ACTIVITY = "/api/v1/xapi/activities?activityId=https%3A%2F%2Fexample.jp%2Fa%2F1"


def test_no_request_is_accepted_after_the_revocation_commits(live_server, make_client, admin_token):
    made = make_client()
    headers = lrs(made["key"], made["secret"])
    assert live_server.send(Sent("GET", ACTIVITY, headers=headers)).status == 200
    answers = live_server.race([Sent("DELETE", f"/api/v1/xapi/clients/{made['id']}", headers=bearer(admin_token))]
                               + [Sent("GET", ACTIVITY, headers=headers) for _ in range(12)])
    assert answers[0].status == 204
    assert set(statuses(answers[1:])) <= {200, 401}
    for _ in range(3):
        assert live_server.send(Sent("GET", ACTIVITY, headers=headers)).status == 401


def test_requests_started_after_the_delete_answered_are_all_refused(live_server, make_client, admin_token):
    made = make_client()
    headers = lrs(made["key"], made["secret"])
    log: list[tuple[float, int]] = []
    stop = threading.Event()

    def hammer() -> None:
        while not stop.is_set():
            started = time.monotonic()
            log.append((started, live_server.send(Sent("GET", ACTIVITY, headers=headers)).status))

    threads = [threading.Thread(target=hammer, daemon=True) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    deleted = live_server.send(Sent("DELETE", f"/api/v1/xapi/clients/{made['id']}", headers=bearer(admin_token)))
    answered = time.monotonic()
    time.sleep(0.3)
    stop.set()
    for thread in threads:
        thread.join(10)
    assert deleted.status == 204
    before = [status for started, status in log if started < answered]
    after = [status for started, status in log if started >= answered]
    assert 200 in before and after, "the race did not overlap the revocation"
    assert set(after) == {401}, after
    assert set(before) <= {200, 401}
