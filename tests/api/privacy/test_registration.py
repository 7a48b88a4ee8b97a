"""Registration cannot be used to learn whether a registry number or an address is registered."""

import pytest

from lms.config import Config
from tests.api.privacy.conftest import PASSWORD, PERSON


def register(client, address="203.0.113.7", **overrides):
    return client.post("/api/v1/learners/register", json={**PERSON, "password": PASSWORD, **overrides},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture
def registered(client, programs):
    assert register(client).status_code == 201


def test_every_uniqueness_conflict_gives_the_same_409(client, registered):
    probes = {
        "known e-mail, new number": {"medical_registration_number": "1111111"},
        "known e-mail, known number": {},
        "new e-mail, known number": {"email": "someone.else@example.jp"},
        "known e-mail in capitals, new number": {"email": PERSON["email"].upper(),
                                                 "medical_registration_number": "2222222"},
    }
    answers = {}
    for name, overrides in probes.items():
        response = register(client, **overrides)
        assert response.status_code == 409, name
        body = response.get_json()
        answers[name] = (body["title"], body["detail"], body.get("errors"))
    assert len(set(answers.values())) == 1, answers


def test_registration_is_rate_limited_per_client_address(client, app, registered, monkeypatch):
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", 3)
    # the fixture's registration was the first attempt from this address; two more are allowed
    assert register(client, medical_registration_number="3333333").status_code == 409
    assert register(client, family_name="").status_code == 422
    limited = register(client, email="new.person@example.jp", medical_registration_number="4444444")
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 3600
    # counted before the body is read: a throttled client learns nothing about validation either
    assert register(client, family_name="").status_code == 429
    # another address has its own allowance
    other = register(client, address="198.51.100.9", email="new.person@example.jp",
                     medical_registration_number="4444444")
    assert other.status_code == 201


def test_the_default_limit_is_ten_an_hour(client, app, programs, monkeypatch):
    assert Config().REGISTER_RATE_LIMIT == 10
    monkeypatch.setitem(app.config, "REGISTER_RATE_LIMIT", Config().REGISTER_RATE_LIMIT)
    statuses = [register(client, email=f"p{i}@example.jp", medical_registration_number=f"55{i:05d}").status_code
                for i in range(11)]
    assert statuses == [201] * 10 + [429]
