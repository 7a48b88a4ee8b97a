"""xAPI Communication 3.3 "Versioning": every response carries X-Experience-API-Version 1.0.3; every request
but to `about` must send 1.0 or 1.0.x (taken as 1.0.3); a missing one, one before 1.0.0 or from 1.1.0 on is
400 with a short description; judged after the credentials (API.md order of checks), before the rest."""

import pytest

from tests.api.xapi_meta.conftest import basic
from tests.conftest import bearer

ACTIVITY = "/api/v1/xapi/activities?activityId=https://example.jp/a/1"


@pytest.mark.parametrize("version", ["1.0.3", "1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.9"])
def test_3_3_the_lrs_accepts_1_0_and_any_1_0_x(client, all_client, version):
    response = client.get(ACTIVITY, headers={**basic(all_client["key"], all_client["secret"]),
                                             "X-Experience-API-Version": version})
    assert response.status_code == 200 and response.headers["X-Experience-API-Version"] == "1.0.3"


@pytest.mark.parametrize("version", [None, "", "0.9", "0.95", "1.1", "1.1.0", "2.0.0", "1", "1.0.", "1.0.3a",
                                     "one", "1.0.3, 1.0.2", "1.0.\u0663"])
def test_3_3_the_lrs_rejects_a_missing_or_unsupported_version_with_400(client, all_client, version):
    headers = basic(all_client["key"], all_client["secret"])
    if version is not None:
        headers["X-Experience-API-Version"] = version
    for url in (ACTIVITY, "/api/v1/xapi/agents?agent=not-json"):
        response = client.get(url, headers=headers)
        assert response.status_code == 400, (version, url)
        assert "X-Experience-API-Version" in response.get_json()["detail"]
        assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_3_3_the_version_is_judged_after_the_credentials(client, make_client):
    """An anonymous caller learns nothing else: 401 before the version header's 400."""
    response = client.get(ACTIVITY)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == 'Basic realm="LRS"'
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    reader = make_client(["statements/read"])
    # a client with the scope but no version header: 400 before the parameters are judged (none given here)
    assert client.get("/api/v1/xapi/activities", headers=basic(reader["key"], reader["secret"])).status_code == 400


def test_3_3_about_needs_no_version_header_and_every_xapi_response_carries_it(client, admin_token):
    about = client.get("/api/v1/xapi/about")
    assert about.status_code == 200 and about.headers["X-Experience-API-Version"] == "1.0.3"
    assert client.get("/api/v1/xapi/about", headers={"X-Experience-API-Version": "0.9"}).status_code == 200
    assert client.get("/api/v1/xapi/no-such-resource").headers["X-Experience-API-Version"] == "1.0.3"
    assert client.get("/api/v1/xapi/clients", headers=bearer(admin_token)).headers[
        "X-Experience-API-Version"] == "1.0.3"
    assert "X-Experience-API-Version" not in client.get("/api/v1/prefectures").headers


def test_2_8_about_lists_the_versions_it_speaks(client):
    """Communication 2.8: `version` is an array of the 1.0.x versions supported; `extensions` an object."""
    body = client.get("/api/v1/xapi/about").get_json()
    assert body["version"] == ["1.0.0", "1.0.1", "1.0.2", "1.0.3"] and body["extensions"] == {}
