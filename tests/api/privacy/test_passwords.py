"""Passwords (ASVS 5.0 §6.2): 12 to 128 characters of any kind, not common or easily guessed, not the e-mail
address; for POST /users, POST /learners/register and `flask lms create-user`."""

import gc
import time

import pytest

from lms.auth.password_policy import COMMON, GUESSABLE, IS_EMAIL, TOO_LONG, TOO_SHORT
from tests.api.privacy.conftest import PERSON
from tests.conftest import bearer

EMAIL = "hanako.sato@example.jp"
REFUSED = [
    ("aaaaaaaaaa", TOO_SHORT),
    (" " * 10, TOO_SHORT),
    ("aaaaaaaaaaaa", GUESSABLE),
    (" " * 12, GUESSABLE),
    ("abcabcabcabcabc", GUESSABLE),
    ("123456789012", GUESSABLE),
    ("qwertyuiopasdf", GUESSABLE),
    ("password1234", COMMON),
    ("1qaz2wsx3edc", COMMON),
    (EMAIL, IS_EMAIL),
    ("Hanako.Sato ", IS_EMAIL),
    ("x" * 129, TOO_LONG),
]
ACCEPTED = ["kawara-no-oni-2026", "にほんごの ながい あいことば です",
            "correct horse battery staple over the misty hills of iwate prefecture at dawn",  # 78 characters
            ("the rain in iwate falls mainly on the rice paddies, 2026; " * 3)[:128]]  # 128 characters


def create_admin(client, admin_token, password, email=EMAIL):
    return client.post("/api/v1/users", json={"email": email, "password": password, "role": "consortium_admin"},
                       headers=bearer(admin_token))


@pytest.mark.parametrize(("password", "message"), REFUSED)
def test_an_admin_with_a_weak_password_is_refused(client, admin_token, password, message):
    response = create_admin(client, admin_token, password)
    assert response.status_code == 422
    [problem] = response.get_json()["errors"]["json"]["password"]
    assert problem.startswith(message)


@pytest.mark.parametrize("password", ACCEPTED)
def test_long_passphrases_of_any_characters_are_accepted(client, admin_token, password):
    assert create_admin(client, admin_token, password).status_code == 201
    login = client.post("/api/v1/auth/token", json={"email": EMAIL, "password": password})
    assert login.status_code == 200


@pytest.mark.parametrize(("password", "message"), [("aaaaaaaaaa", TOO_SHORT), ("password1234", COMMON),
                                                   (PERSON["email"].split("@")[0], IS_EMAIL)])
def test_registration_applies_the_same_rules(client, programs, password, message):
    response = client.post("/api/v1/learners/register", json={**PERSON, "password": password})
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["password"][0].startswith(message)


def test_the_cli_applies_the_same_rules(app):
    runner = app.test_cli_runner()
    args = ["lms", "create-user", "--email", EMAIL, "--role", "consortium_admin", "--password"]
    refused = runner.invoke(args=[*args, " " * 10])
    assert refused.exit_code != 0 and TOO_SHORT in refused.output
    refused = runner.invoke(args=[*args, "aaaaaaaaaaaa"])
    assert refused.exit_code != 0 and GUESSABLE in refused.output
    accepted = runner.invoke(args=[*args, "kawara-no-oni-2026"])
    assert accepted.exit_code == 0, accepted.output


def test_a_password_at_the_body_limit_is_refused_quickly(client, admin_token):
    create_admin(client, admin_token, "warm-up-the-app-2026")
    gc.collect()
    gc.freeze()  # the suite's own heap is not the request's to collect (see test_input_cost._timed)
    try:
        started = time.thread_time()  # CPU time of this thread, which serves the request: load cannot skew it
        response = create_admin(client, admin_token, "ab" * 500_000, email="other@example.jp")
        elapsed = time.thread_time() - started
    finally:
        gc.unfreeze()
    assert response.status_code == 422 and elapsed < 0.1
