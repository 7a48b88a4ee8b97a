"""The Python client `tincan` (PyPI, unmodified) against the live LRS: `about()` works, its Basic credentials
(built by RemoteLRS from username and password) are accepted for a client with scope all and refused once the
client is revoked."""

from tincan import RemoteLRS
from tincan.http_request import HTTPRequest

from tests.conftest import bearer


def _lrs(live_server, key: str, secret: str) -> RemoteLRS:
    return RemoteLRS(endpoint=f"{live_server.url}/api/v1/xapi/", username=key, password=secret)


def _activity(lrs: RemoteLRS):
    """A GET of the Activities resource through RemoteLRS's own transport (its headers, its Basic credentials)."""
    return lrs._send_request(HTTPRequest(method="GET", resource="activities",
                                         query_params={"activityId": "https://example.jp/course/1"}))


def test_tincan_reads_about(live_server, make_client):
    made = make_client()
    response = _lrs(live_server, made["key"], made["secret"]).about()
    assert response.success, response.data
    assert "1.0.3" in response.content.version


def test_tincan_basic_credentials_are_accepted_until_the_client_is_revoked(live_server, client, make_client,
                                                                           admin_token):
    made = make_client(["all"])
    lrs = _lrs(live_server, made["key"], made["secret"])
    accepted = _activity(lrs)
    assert accepted.success and accepted.response.status == 200, accepted.data
    assert client.delete(f"/api/v1/xapi/clients/{made['id']}", headers=bearer(admin_token)).status_code == 204
    refused = _activity(lrs)
    assert not refused.success and refused.response.status == 401
    wrong = _activity(_lrs(live_server, made["key"], "not-the-secret"))
    assert wrong.response.status == 401
