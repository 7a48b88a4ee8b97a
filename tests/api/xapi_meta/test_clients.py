"""LRS clients (API.md "Learning record store"): created by an admin with scopes, listed in pages, revoked at
once; audited on creation and revocation, the secret shown once and never stored, logged or audited."""

import json
import logging

from sqlalchemy import select

from lms.audit.models import AuditEvent
from lms.extensions import db
from lms.xapi.clients import LrsClient
from tests.api.xapi_meta.conftest import lrs
from tests.conftest import bearer

ACTIVITY = "/api/v1/xapi/activities?activityId=https://example.jp/a/1"


def test_an_admin_creates_a_client_whose_basic_credentials_work(client, admin_token):
    response = client.post("/api/v1/xapi/clients", json={"name": "Storyline", "scopes": ["all"]},
                           headers=bearer(admin_token))
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) >= {"id", "key", "secret"} and body["scopes"] == ["all"] and body["revoked_at"] is None
    assert client.get(ACTIVITY, headers=lrs(body["key"], body["secret"])).status_code == 200
    assert client.get(ACTIVITY, headers=lrs(body["key"], body["secret"] + "x")).status_code == 401


def test_the_secret_is_kept_only_as_a_digest_and_never_audited_or_logged(app, client, admin_token, caplog):
    caplog.set_level(logging.DEBUG)
    body = client.post("/api/v1/xapi/clients", json={"name": "iSpring", "scopes": ["statements/write", "state"]},
                       headers=bearer(admin_token)).get_json()
    with app.app_context():
        stored = db.session.get(LrsClient, body["id"])
        assert body["secret"] not in (stored.secret_hash, stored.key) and len(stored.secret_hash) == 64
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_id == body["id"])).all()
        assert [e.action for e in events] == ["xapi_client.create"]
        assert body["secret"] not in json.dumps(events[0].details)
        assert events[0].details["scopes"] == ["state", "statements/write"]
    assert body["secret"] not in caplog.text
    listed = client.get("/api/v1/xapi/clients", headers=bearer(admin_token))
    assert body["secret"] not in listed.get_data(as_text=True)


def test_the_list_is_paged_with_total_and_links(client, admin_token, make_client):
    for n in range(3):
        make_client(name=f"client {n}")
    response = client.get("/api/v1/xapi/clients?per_page=2", headers=bearer(admin_token))
    assert response.status_code == 200 and len(response.get_json()) == 2
    assert response.headers["X-Total-Count"] == "3" and 'rel="next"' in response.headers["Link"]
    assert [c["name"] for c in response.get_json()] == ["client 2", "client 1"]
    assert "secret" not in response.get_json()[0]


def test_delete_revokes_at_once_and_is_audited(app, client, admin_token, all_client):
    headers = lrs(all_client["key"], all_client["secret"])
    assert client.get(ACTIVITY, headers=headers).status_code == 200
    assert client.delete(f"/api/v1/xapi/clients/{all_client['id']}", headers=bearer(admin_token)).status_code == 204
    refused = client.get(ACTIVITY, headers=headers)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == 'Basic realm="LRS"'
    assert client.delete(f"/api/v1/xapi/clients/{all_client['id']}", headers=bearer(admin_token)).status_code == 404
    listed = client.get("/api/v1/xapi/clients", headers=bearer(admin_token)).get_json()
    assert listed[0]["revoked_at"] is not None
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.object_id == all_client["id"])
                                     .order_by(AuditEvent.occurred_at)).all()
        assert actions == ["xapi_client.create", "xapi_client.revoke"]


def test_scopes_are_all_alone_or_a_subset_of_the_named_ones(client, admin_token):
    for scopes in ([], ["all", "state"], ["statements/everything"], ["state", "state"], "all"):
        response = client.post("/api/v1/xapi/clients", json={"name": "x", "scopes": scopes},
                               headers=bearer(admin_token))
        assert response.status_code == 422, scopes
    assert client.post("/api/v1/xapi/clients", json={"name": "", "scopes": ["all"]},
                       headers=bearer(admin_token)).status_code == 422


def test_only_an_admin_manages_clients(client, make_user, make_learner, all_client):
    _, staff = make_user("org_staff", organization_code="JPCA")
    _, learner = make_learner()
    for token in (staff, learner):
        assert client.get("/api/v1/xapi/clients", headers=bearer(token)).status_code == 403
        assert client.post("/api/v1/xapi/clients", json={"name": "x", "scopes": ["all"]},
                           headers=bearer(token)).status_code == 403
        assert client.delete(f"/api/v1/xapi/clients/{all_client['id']}", headers=bearer(token)).status_code == 403
    assert client.get("/api/v1/xapi/clients").status_code == 401
    # a client's own credentials manage nothing
    assert client.get("/api/v1/xapi/clients", headers=lrs(all_client["key"], all_client["secret"])).status_code == 401


def test_an_idempotency_key_replays_the_creation(client, admin_token):
    headers = {**bearer(admin_token), "Idempotency-Key": "create-client-1"}
    first = client.post("/api/v1/xapi/clients", json={"name": "Captivate", "scopes": ["all"]}, headers=headers)
    again = client.post("/api/v1/xapi/clients", json={"name": "Captivate", "scopes": ["all"]}, headers=headers)
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    assert client.get("/api/v1/xapi/clients", headers=bearer(admin_token)).headers["X-Total-Count"] == "1"
    other = client.post("/api/v1/xapi/clients", json={"name": "Other", "scopes": ["all"]}, headers=headers)
    assert other.status_code == 422
