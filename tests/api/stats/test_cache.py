"""The statistics endpoints keep a table for STATS_CACHE_SECONDS; `as_of` says when it was counted."""

import time

import pytest

from tests.api.stats.conftest import FY, rows_by_code
from tests.conftest import bearer

URL = f"/api/v1/stats/prefectures?fiscal_year={FY}"


@pytest.fixture
def caching(app, monkeypatch):
    monkeypatch.setitem(app.config, "STATS_CACHE_SECONDS", 1)
    yield
    app.extensions.pop("lms.stats_cache", None)


def tokyo_active(client, token) -> tuple[int, str]:
    body = client.get(URL, headers=bearer(token)).get_json()
    return rows_by_code(body)["13"]["active"], body["as_of"]


def test_a_table_is_served_from_the_cache_until_it_expires(client, admin_token, enrol, caching):
    enrol("13", "active")
    first = tokyo_active(client, admin_token)
    enrol("13", "active")
    assert tokyo_active(client, admin_token) == first  # the same table, counted at the same time
    time.sleep(1.1)
    count, as_of = tokyo_active(client, admin_token)
    assert count == 2 and as_of > first[1]


def test_each_viewer_scope_has_its_own_table(client, admin_token, official, enrol, caching):
    enrol("13", "active")
    enrol("13", "active")
    enrol("14", "active")
    admin = client.get(URL, headers=bearer(admin_token)).get_json()
    tokyo_official = client.get(URL, headers=bearer(official("13"))).get_json()
    assert admin["exact_prefecture_codes"] is None and tokyo_official["exact_prefecture_codes"] == ["13"]
    assert rows_by_code(admin)["14"]["active"] == 1
    assert rows_by_code(tokyo_official)["14"]["active"] is None  # a small cell of another prefecture


def test_the_blocks_endpoint_leaves_the_cached_prefecture_rows_alone(client, admin_token, enrol, caching):
    enrol("13", "active")
    blocks = client.get(f"/api/v1/stats/blocks?fiscal_year={FY}", headers=bearer(admin_token)).get_json()
    assert "rows" not in blocks
    body = client.get(URL, headers=bearer(admin_token)).get_json()
    assert len(body["rows"]) == 47 and rows_by_code(body)["13"]["active"] == 1


def test_without_the_cache_every_request_counts(client, admin_token, enrol):
    enrol("13", "active")
    assert tokyo_active(client, admin_token)[0] == 1
    enrol("13", "active")
    assert tokyo_active(client, admin_token)[0] == 2
