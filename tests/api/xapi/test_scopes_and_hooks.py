"""Scopes of LRS credentials, progress from any sender, the cmi5 statement checks and the stored-statements event,
erasure."""

import hashlib
import uuid

import pytest
from sqlalchemy import func, select

from lms.errors import Invalid
from lms.events import statements_stored
from lms.extensions import db
from lms.hooks import EXTENSION_KEY
from lms.xapi.models import LrsAttachment, LrsStatement, LrsStatementAgent
from tests.api.xapi.conftest import ADL, PATH, learner_actor, lrs, make_statement
from tests.conftest import bearer


def ids_of(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [s["id"] for s in response.get_json()["statements"]]


def test_read_mine_sees_only_what_the_client_stored_and_read_all_sees_everything(client, make_client,
                                                                                   learner_enrollment):
    """statements/read/mine: only statements whose authority is the client; statements/read: all."""
    writer = make_client(["statements/write", "statements/read/mine"])
    other = make_client(["statements/write", "statements/read/mine"])
    reader = make_client(["statements/read"])
    mine, theirs = make_statement("x"), make_statement("y")
    mine["actor"] = {"mbox": "mailto:someone@example.jp"}
    theirs["actor"] = {"mbox": "mailto:someone@example.jp"}
    assert client.post(PATH, json=mine, headers=writer).status_code == 200
    assert client.post(PATH, json=theirs, headers=other).status_code == 200
    assert ids_of(client.get(PATH, headers=writer)) == [mine["id"]]
    assert client.get(f"{PATH}?statementId={theirs['id']}", headers=writer).status_code == 404
    assert ids_of(client.get(PATH, headers=reader)) == [theirs["id"], mine["id"]]


def test_write_and_read_need_their_scopes(client, make_client):
    """A client without statements/write cannot store (403) and without a read scope cannot read (403);
    nothing is stored."""
    reader, writer = make_client(["statements/read"]), make_client(["statements/write"])
    statement = make_statement("x", actor={"mbox": "mailto:someone@example.jp"})
    assert client.post(PATH, json=statement, headers=reader).status_code == 403
    assert client.put(f"{PATH}?statementId={statement['id']}", json=statement, headers=reader).status_code == 403
    assert client.get(PATH, headers=writer).status_code == 403
    assert client.get(PATH, headers=reader).get_json()["statements"] == []


def test_a_client_moves_a_learners_progress_and_unknown_actors_are_stored_only(client, make_client,
                                                                                learner_enrollment, app):
    """Progress reads the LRS however a statement arrived: a client's statement about a learner in their
    enrolment moves the module; one about an mbox agent, or about an enrolment not the actor's, is stored only."""
    learner_id, enrollment_id, token = learner_enrollment()
    other_id, other_enrollment, _ = learner_enrollment()
    headers = make_client(["all"])
    moving = make_statement(learner_id, enrollment_id, "completed", "GF04")
    stranger = make_statement(learner_id, enrollment_id, "completed", "GF05", actor={"mbox": "mailto:a@example.jp"})
    crossed = make_statement(learner_id, other_enrollment, "completed", "GF06")
    response = client.post(PATH, json=[moving, stranger, crossed], headers=headers)
    assert response.status_code == 200, response.get_json()
    modules = {m["code"]: m for m in client.get(f"/api/v1/enrollments/{enrollment_id}/progress",
                                               headers=bearer(token)).get_json()["modules"]}
    assert modules["GF04"]["done"] and modules["GF05"]["status"] is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LrsStatement)) == 3
    assert client.get(f"{PATH}?statementId={crossed['id']}", headers=headers).status_code == 200
    del other_id


def test_statement_checks_run_before_storing_and_can_refuse_the_whole_request(app, client, learner_enrollment):
    """The hooks' statement_checks (cmi5's rules) see every statement with the principal; a refusal stores nothing."""
    learner_id, _, token = learner_enrollment()
    seen = []

    def check(principal, statements):
        seen.append((principal.kind, [s["id"] for s in statements]))
        if any(s["verb"]["id"] == ADL + "failed" for s in statements):
            raise Invalid(field="verb", message="refused by a check")

    hooks = app.extensions[EXTENSION_KEY]
    app.extensions[EXTENSION_KEY] = type(hooks)(**{**hooks.__dict__, "statement_checks": (check,)})
    try:
        ok, refused = make_statement(learner_id), make_statement(learner_id, verb="failed")
        assert client.post(PATH, json=ok, headers=lrs(token)).status_code == 200
        assert client.post(PATH, json=[make_statement(learner_id), refused], headers=lrs(token)).status_code == 422
    finally:
        app.extensions[EXTENSION_KEY] = hooks
    assert seen[0] == ("learner", [ok["id"]])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LrsStatement)) == 1


def test_statements_stored_is_published_in_the_transaction_with_the_stored_statements(app, client,
                                                                                        learner_enrollment):
    learner_id, _, token = learner_enrollment()
    received = []

    def receiver(sender, principal, statements):
        received.append((sender, principal.kind, statements))
        # inside the storing transaction: the statements are there, not yet committed
        assert db.session.scalar(select(func.count()).select_from(LrsStatement)) == len(statements)

    statements_stored.connect(receiver)
    try:
        sent = make_statement(learner_id)
        assert client.post(PATH, json=sent, headers=lrs(token)).status_code == 200
        assert client.post(PATH, json=sent, headers=lrs(token)).status_code == 200  # a no-op: not published
    finally:
        statements_stored.disconnect(receiver)
    assert len(received) == 1
    sender, kind, statements = received[0]
    assert sender == "lrs" and kind == "learner" and [s["id"] for s in statements] == [sent["id"]]
    assert {"stored", "authority", "version", "timestamp"} <= statements[0].keys()


def test_a_learner_cannot_void_someone_elses_statement(client, learner_enrollment):
    learner_id, _, token = learner_enrollment()
    other_id, _, other_token = learner_enrollment()
    theirs = make_statement(other_id)
    client.post(PATH, json=theirs, headers=lrs(other_token))
    voiding = {"actor": learner_actor(learner_id), "verb": {"id": ADL + "voided"},
               "object": {"objectType": "StatementRef", "id": theirs["id"]}}
    assert client.post(PATH, json=voiding, headers=lrs(token)).status_code == 404
    assert client.get(f"{PATH}?statementId={theirs['id']}", headers=lrs(other_token)).status_code == 200


def test_a_voiding_statement_that_arrives_first_voids_its_target_when_it_comes(client, make_client):
    """Data 2.3.2: a statement is voided iff the LRS also holds a voiding statement referring to it."""
    headers = make_client(["all"])
    target = make_statement("x", actor={"mbox": "mailto:someone@example.jp"})
    voiding = {"id": str(uuid.uuid4()), "actor": {"mbox": "mailto:someone@example.jp"}, "verb": {"id": ADL + "voided"},
               "object": {"objectType": "StatementRef", "id": target["id"]}}
    assert client.post(PATH, json=voiding, headers=headers).status_code == 200
    assert client.post(PATH, json=target, headers=headers).status_code == 200
    assert client.get(f"{PATH}?statementId={target['id']}", headers=headers).status_code == 404
    assert client.get(f"{PATH}?voidedStatementId={target['id']}", headers=headers).status_code == 200


def _mixed(statement: dict, content: bytes) -> tuple[str, bytes]:
    boundary = "abcABC0123'()+_,-./:=?"
    body = (f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode() + __import__("json").dumps(
        statement).encode() + f"\r\n--{boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\n"
        f"X-Experience-API-Hash: {hashlib.sha256(content).hexdigest()}\r\n\r\n".encode() + content +
        f"\r\n--{boundary}--\r\n".encode())
    return f'multipart/mixed; boundary="{boundary}"', body


def _with_attachment(learner_id: str, content: bytes) -> dict:
    return make_statement(learner_id, attachments=[{
        "usageType": "https://lms.example.jp/xapi/attachments/certificate", "display": {"en-US": "notes"},
        "contentType": "text/plain", "length": len(content), "sha2": hashlib.sha256(content).hexdigest()}])


def test_attachments_arrive_as_multipart_and_come_back_with_attachments_true(client, learner_enrollment):
    """Communication 1.5.2: an attachment without fileUrl comes as a part of a multipart/mixed request; a GET with
    attachments=true answers multipart/mixed with the statement first and the part's content."""
    learner_id, _, token = learner_enrollment()
    content = "学習メモ".encode()
    statement = _with_attachment(learner_id, content)
    content_type, body = _mixed(statement, content)
    response = client.put(f"{PATH}?statementId={statement['id']}", data=body, content_type=content_type,
                          headers=lrs(token))
    assert response.status_code == 204, response.get_json()
    got = client.get(f"{PATH}?statementId={statement['id']}&attachments=true", headers=lrs(token))
    assert got.status_code == 200 and got.mimetype == "multipart/mixed"
    assert content in got.data and statement["id"].encode() in got.data
    plain = client.get(f"{PATH}?statementId={statement['id']}", headers=lrs(token))
    assert plain.mimetype == "application/json"


def test_an_attachment_without_its_part_or_file_url_is_400(client, learner_enrollment, app):
    learner_id, _, token = learner_enrollment()
    statement = _with_attachment(learner_id, b"missing")
    assert client.post(PATH, json=statement, headers=lrs(token)).status_code == 400
    content_type, body = _mixed(statement, b"other content")
    assert client.post(PATH, data=body, content_type=content_type, headers=lrs(token)).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LrsStatement)) == 0


def test_erasure_deletes_the_learners_statements_and_their_attachments(client, learner_enrollment, admin_token,
                                                                       app, make_client):
    """Erasure: every statement about the learner (as actor, instructor, or by their e-mail address) is gone from
    the LRS with its attachment content; other statements stay."""
    learner_id, enrollment_id, token = learner_enrollment()
    content = b"private notes"
    own = _with_attachment(learner_id, content)
    content_type, body = _mixed(own, content)
    assert client.post(PATH, data=body, content_type=content_type, headers=lrs(token)).status_code == 200
    headers = make_client(["all"])
    with app.app_context():
        from lms.learners.models import Learner

        email = db.session.get(Learner, learner_id).email
    taught = make_statement("x", actor={"mbox": "mailto:teacher@example.jp"},
                            context={"instructor": learner_actor(learner_id)})
    by_mail = make_statement("x", actor={"mbox": f"mailto:{email}"})
    unrelated = make_statement("x", actor={"mbox": "mailto:teacher@example.jp"})
    assert client.post(PATH, json=[taught, by_mail, unrelated], headers=headers).status_code == 200
    assert client.post(f"/api/v1/learners/{learner_id}/erase", headers=bearer(admin_token)).status_code == 200
    with app.app_context():
        assert db.session.scalars(select(LrsStatement.id)).all() == [unrelated["id"]]
        assert db.session.scalar(select(func.count()).select_from(LrsAttachment)) == 0
        assert db.session.scalar(select(func.count()).select_from(LrsStatementAgent)) == 2  # actor, authority
    del enrollment_id


@pytest.mark.parametrize("scopes", [["statements/read/mine", "statements/write"]])
def test_a_client_with_read_mine_cannot_find_others_by_filter(client, make_client, scopes):
    first, second = make_client(scopes), make_client(scopes)
    statement = make_statement("x", actor={"mbox": "mailto:a@example.jp"})
    client.post(PATH, json=statement, headers=first)
    assert ids_of(client.get(f"{PATH}?verb={ADL}completed", headers=second)) == []


def test_a_cmi5_session_writes_about_its_learner_only_and_never_voids(app, client, learner_enrollment):
    """An AU's session token: statements about its own learner only (403 otherwise); it may never void (403);
    it reads its learner's statements only."""
    from datetime import timedelta

    from lms.dates import utcnow
    from lms.xapi import clients

    learner_id, enrollment_id, token = learner_enrollment()
    other_id, _, _ = learner_enrollment()
    with app.app_context():
        session = clients.issue_session_token(session_id=str(uuid.uuid4()), learner_id=learner_id,
                                              registration=enrollment_id, activity_id=make_statement("x")["object"]["id"],
                                              expires_at=utcnow() + timedelta(hours=1))
        db.session.commit()
    headers = {"Authorization": f"Basic {session}", "X-Experience-API-Version": "1.0.3"}
    own = make_statement(learner_id, enrollment_id, "completed", "GF02")
    assert client.post(PATH, json=own, headers=headers).status_code == 200
    assert client.post(PATH, json=make_statement(other_id), headers=headers).status_code == 403
    voiding = {"actor": learner_actor(learner_id), "verb": {"id": ADL + "voided"},
               "object": {"objectType": "StatementRef", "id": own["id"]}}
    assert client.post(PATH, json=voiding, headers=headers).status_code == 403
    assert ids_of(client.get(PATH, headers=headers)) == [own["id"]]
    assert client.get(f"{PATH}?statementId={own['id']}", headers=lrs(token)).status_code == 200
