"""Concurrent writers on both databases: a statement id PUT at once by many is stored once, and `more` paging
stays exact while statements keep arriving."""

import json

from sqlalchemy import func, select

from lms.extensions import db
from lms.progress.models import ModuleProgress
from lms.xapi.models import LrsStatement, LrsStatementAgent
from tests.api.xapi.conftest import ADL, PATH, lrs, make_statement
from tests.race import Sent, statuses


def test_the_same_statement_put_by_20_at_once_is_stored_once(live_server, learner_enrollment, app):
    """Communication 2.1.1: the same id with the same content is a no-op (204), never a second statement or a
    5xx, however many send it at once; its progress counts once."""
    learner_id, enrollment_id, token = learner_enrollment()
    statement = make_statement(learner_id, enrollment_id, "completed", "GF01", result={"duration": "PT10M"})
    put = Sent("PUT", f"{PATH}?statementId={statement['id']}", json=statement, headers=lrs(token))
    answers = live_server.race([put] * 20)
    assert statuses(answers) == [204] * 20, [a.body[:200] for a in answers if a.status != 204]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LrsStatement)) == 1
        assert db.session.scalar(select(func.count()).select_from(LrsStatementAgent)) == 2  # actor, authority
        row = db.session.scalar(select(ModuleProgress).where(ModuleProgress.enrollment_id == enrollment_id))
        assert row.minutes_tracked == 10


def test_the_same_id_with_different_content_at_once_stores_one_and_the_rest_are_409(live_server, learner_enrollment,
                                                                                    app):
    learner_id, _, token = learner_enrollment()
    base = make_statement(learner_id)
    variants = [{**base, "result": {"response": f"answer {i}"}} for i in range(10)]
    answers = live_server.race([Sent("PUT", f"{PATH}?statementId={base['id']}", json=v, headers=lrs(token))
                                for v in variants])
    assert statuses(answers) == [204] + [409] * 9
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LrsStatement)) == 1


def test_more_pages_stay_exact_while_statements_are_posted_concurrently(live_server, learner_enrollment):
    """Communication 2.1.3: following `more` gives each statement of the first query once, whatever is stored
    between the pages."""
    learner_id, _, token = learner_enrollment()
    first = [make_statement(learner_id) for _ in range(12)]
    assert live_server.send(Sent("POST", PATH, json=first, headers=lrs(token))).status == 200
    expected = [s["id"] for s in reversed(first)]
    seen, url = [], f"{PATH}?limit=5"
    while url:
        page = live_server.send(Sent("GET", url, headers=lrs(token)))
        assert page.status == 200
        body = json.loads(page.body)
        seen += [s["id"] for s in body["statements"]]
        url = body["more"]
        answers = live_server.race([Sent("POST", PATH, json=[make_statement(learner_id) for _ in range(3)],
                                         headers=lrs(token)) for _ in range(4)])
        assert statuses(answers) == [200] * 4
    assert seen == expected
    ascending, url = [], f"{PATH}?limit=7&ascending=true&verb={ADL}completed"
    total = json.loads(live_server.send(Sent("GET", f"{PATH}?limit=0", headers=lrs(token))).body)["statements"]
    while url:
        page = json.loads(live_server.send(Sent("GET", url, headers=lrs(token))).body)
        ascending += [s["id"] for s in page["statements"]]
        url = page["more"]
        live_server.race([Sent("POST", PATH, json=make_statement(learner_id), headers=lrs(token))] * 1)
    assert ascending == [s["id"] for s in reversed(total)]
