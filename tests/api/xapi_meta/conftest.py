"""LRS clients made through the API, and the headers of an xAPI request."""

import base64

import pytest

from tests.conftest import bearer

VERSION = {"X-Experience-API-Version": "1.0.3"}


def basic(key: str, secret: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def lrs(key: str, secret: str) -> dict[str, str]:
    """The headers of an xAPI request with a client's credentials."""
    return {**basic(key, secret), **VERSION}


@pytest.fixture
def make_client(client, admin_token):
    """Factory: make_client(scopes=["all"], name=...) -> the 201 body {id, key, secret, ...}."""

    def _make(scopes=("all",), name: str = "Storyline course") -> dict:
        response = client.post("/api/v1/xapi/clients", json={"name": name, "scopes": list(scopes)},
                               headers=bearer(admin_token))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return _make


@pytest.fixture
def all_client(make_client) -> dict:
    return make_client()
