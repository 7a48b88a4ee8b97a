"""The Python client `tincan` (PyPI, unmodified RemoteLRS) against the live LRS: save a statement with its id
(PUT), retrieve it, query statements and follow `more`, with a learner's bearer token and with a client's Basic
credentials."""

import uuid

from tincan import Activity, Agent, AgentAccount, Context, RemoteLRS, Statement, Verb

from tests.api.xapi.conftest import ACTIVITY, ADL
from tests.conftest import LMS_HOME


def _statement(learner_id: str, enrollment_id: str, verb: str = "experienced", module: str = "GF01") -> Statement:
    return Statement(
        id=str(uuid.uuid4()),
        actor=Agent(account=AgentAccount(home_page=LMS_HOME, name=learner_id)),
        verb=Verb(id=ADL + verb, display={"en-US": verb}),
        object=Activity(id=ACTIVITY + module),
        context=Context(registration=enrollment_id),
    )


def _lrs(live_server, **credentials) -> RemoteLRS:
    return RemoteLRS(endpoint=f"{live_server.url}/api/v1/xapi/", version="1.0.3", **credentials)


def test_tincan_saves_retrieves_and_queries_with_a_learner_token(live_server, learner_enrollment, client):
    learner_id, enrollment_id, token = learner_enrollment()
    lrs = _lrs(live_server, auth=f"Bearer {token}")
    saved = []
    for module in ("GF01", "GF02", "GF03"):
        statement = _statement(learner_id, enrollment_id, "completed", module)
        response = lrs.save_statement(statement)
        assert response.success, (response.response.status, response.data)
        assert response.response.status == 204  # a statement with an id is PUT
        saved.append(str(statement.id))
    got = lrs.retrieve_statement(saved[0])
    assert got.success, got.data
    assert str(got.content.id) == saved[0] and got.content.verb.id == ADL + "completed"
    assert got.content.stored is not None and got.content.authority is not None
    # a statement from the content moves the learner's progress
    progress = client.get(f"/api/v1/enrollments/{enrollment_id}/progress",
                          headers={"Authorization": f"Bearer {token}"}).get_json()
    assert {m["code"] for m in progress["modules"] if m["done"]} >= {"GF01", "GF02", "GF03"}

    first = lrs.query_statements({"registration": enrollment_id, "limit": 2, "ascending": True})
    assert first.success, first.data
    assert [str(s.id) for s in first.content.statements] == saved[:2] and first.content.more
    rest = lrs.more_statements(first.content)
    assert rest.success, rest.data
    assert [str(s.id) for s in rest.content.statements] == saved[2:] and not rest.content.more


def test_tincan_with_a_clients_basic_credentials(live_server, learner_enrollment, admin_token, client):
    learner_id, enrollment_id, _ = learner_enrollment()
    made = client.post("/api/v1/xapi/clients", json={"name": "Authoring tool", "scopes": ["all"]},
                       headers={"Authorization": f"Bearer {admin_token}"}).get_json()
    lrs = _lrs(live_server, username=made["key"], password=made["secret"])
    statement = _statement(learner_id, enrollment_id)
    assert lrs.save_statement(statement).success
    again = lrs.save_statement(statement)  # the same statement again is a no-op
    assert again.success and again.response.status == 204
    found = lrs.query_statements({"verb": Verb(id=ADL + "experienced"), "agent": statement.actor})
    assert found.success, found.data
    assert [str(s.id) for s in found.content.statements] == [str(statement.id)]
    assert found.content.statements[0].authority.account.name == made["key"]
