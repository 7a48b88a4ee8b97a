"""Login throttle and rate limits under concurrency: attempts are counted before the work, in one statement."""

import threading

import pytest

from lms.auth import service as auth_service
from tests.race import Sent, statuses

PASSWORD = "correct-horse-1"


@pytest.fixture
def verifications(monkeypatch):
    """Count the passwords really checked by the running server (it runs in this process)."""
    checked: list[bool] = []
    lock = threading.Lock()
    real = auth_service.verify_password

    def counting(password_hash, password):
        with lock:
            checked.append(True)
        return real(password_hash, password)

    monkeypatch.setattr(auth_service, "verify_password", counting)
    return checked


def login(email: str, password: str) -> Sent:
    return Sent("POST", "/api/v1/auth/token", json={"email": email, "password": password})


def test_a_hundred_parallel_wrong_passwords_check_at_most_the_limit(app, live_server, make_user, verifications):
    make_user("learner", email="target@example.jp", password=PASSWORD)
    limit = app.config["LOGIN_MAX_FAILURES"]
    answers = live_server.race([login("target@example.jp", f"guess-{i}") for i in range(100)])
    print(f"100 parallel wrong passwords: {len(verifications)} checked, statuses {sorted(set(statuses(answers)))}")
    assert len(verifications) <= limit
    assert statuses(answers) == [401] * len(verifications) + [429] * (100 - len(verifications))
    assert all(int(a.headers["retry-after"]) >= 1 for a in answers if a.status == 429)


def test_a_burst_of_wrong_passwords_then_the_right_one_is_429(app, live_server, make_user, verifications):
    make_user("learner", email="burst@example.jp", password=PASSWORD)
    answers = live_server.race([login("burst@example.jp", f"guess-{i}") for i in range(30)])
    assert 500 not in statuses(answers) and statuses(answers).count(401) <= app.config["LOGIN_MAX_FAILURES"]
    right = live_server.send(login("burst@example.jp", PASSWORD))
    assert right.status == 429 and "access_token" not in right.json()
    assert len(verifications) <= app.config["LOGIN_MAX_FAILURES"]


def test_racing_verifications_allow_exactly_the_rate_limit(app, live_server):
    app.config["VERIFY_RATE_LIMIT"] = 5
    try:
        answers = live_server.race([Sent("GET", "/verify/ABCDABCDABCDABCD", headers={"Accept": "application/json"})
                                    for _ in range(30)])
    finally:
        app.config["VERIFY_RATE_LIMIT"] = 60
    assert statuses(answers) == [404] * 5 + [429] * 25
