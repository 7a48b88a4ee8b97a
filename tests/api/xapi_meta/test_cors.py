"""CORS for content in browsers (xAPI Communication 1.3 "Cross Origin Requests"): a preflight is answered before
any authentication, with the headers xAPI requests send and the headers their answers expose; any origin by
default, or only the origins of XAPI_CORS_ORIGINS."""

from tests.api.xapi_meta.conftest import lrs

ACTIVITY = "/api/v1/xapi/activities?activityId=https://example.jp/a/1"
ORIGIN = "https://content.example.com"
PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "PUT",
             "Access-Control-Request-Headers": "Authorization, Content-Type, X-Experience-API-Version, If-Match"}


def test_a_preflight_is_answered_before_authentication_with_the_xapi_headers(client):
    for path in ("/api/v1/xapi/activities", "/api/v1/xapi/agents", "/api/v1/xapi/about",
                 "/api/v1/xapi/statements", "/api/v1/xapi/activities/state"):
        response = client.options(path, headers=PREFLIGHT)
        assert response.status_code == 204, path
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
        assert {"authorization", "content-type", "x-experience-api-version", "if-match",
                "if-none-match"} <= allowed
        methods = {m.strip() for m in response.headers["Access-Control-Allow-Methods"].split(",")}
        assert {"GET", "PUT", "POST", "DELETE"} <= methods
        assert response.headers["X-Experience-API-Version"] == "1.0.3"


def test_answers_expose_the_xapi_headers_to_content(client, all_client):
    response = client.get(ACTIVITY, headers={**lrs(all_client["key"], all_client["secret"]), "Origin": ORIGIN})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in response.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "last-modified", "x-experience-api-consistent-through", "x-experience-api-version"} <= exposed
    refused = client.get(ACTIVITY, headers={"Origin": ORIGIN})
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == "*"


def test_configured_origins_only_are_allowed(app, client, all_client):
    app.config["XAPI_CORS_ORIGINS"] = ["https://content.example.com"]
    try:
        allowed = client.options("/api/v1/xapi/activities", headers=PREFLIGHT)
        assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN and "Origin" in allowed.headers["Vary"]
        other = client.options("/api/v1/xapi/activities", headers={**PREFLIGHT, "Origin": "https://evil.example"})
        assert "Access-Control-Allow-Origin" not in other.headers
        get = client.get(ACTIVITY, headers={**lrs(all_client["key"], all_client["secret"]),
                                            "Origin": "https://evil.example"})
        assert get.status_code == 200 and "Access-Control-Allow-Origin" not in get.headers
    finally:
        app.config["XAPI_CORS_ORIGINS"] = []


def test_the_lms_administration_of_clients_is_not_opened_to_other_origins(client, admin_token):
    response = client.options("/api/v1/xapi/clients", headers=PREFLIGHT)
    assert "Access-Control-Allow-Origin" not in response.headers
