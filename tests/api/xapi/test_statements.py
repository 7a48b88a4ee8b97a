"""The statement resource (xAPI 1.0.3, Communication 2.1): PUT, POST, GET single and queries, voiding, more."""

import json
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from lms.extensions import db
from lms.xapi.models import LrsStatement
from tests.api.xapi.conftest import ADL, PATH, learner_actor, lrs, make_statement
from tests.conftest import LMS_HOME

# what a learner's (and a session's) statements carry as authority: the LMS vouches for them
LMS_AUTHORITY = {"objectType": "Agent", "name": "LMS", "account": {"homePage": LMS_HOME, "name": "lms"}}


def put(client, token, statement, statement_id=None, **kwargs):
    statement_id = statement_id or statement.get("id")
    return client.put(f"{PATH}?statementId={statement_id}", json=statement, headers=lrs(token), **kwargs)


def get(client, token, **params):
    query = "&".join(f"{k}={quote(v if isinstance(v, str) else json.dumps(v))}" for k, v in params.items())
    return client.get(f"{PATH}?{query}", headers=lrs(token))


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(LrsStatement))


@pytest.fixture
def learner(learner_enrollment):
    return learner_enrollment()


def test_put_stores_a_statement_with_its_id_and_get_returns_it_with_what_the_lrs_sets(client, learner):
    """Communication 2.1.1 (PUT 204), 2.1.3 (GET statementId); Data 2.4.8 stored, 2.4.9 authority, 2.4.10
    version ("1.0.0" when not sent), 2.4.7 timestamp (= stored when not sent); Last-Modified and
    X-Experience-API-Consistent-Through on the GET."""
    learner_id, enrollment_id, token = learner
    statement = make_statement(learner_id, enrollment_id, "experienced")
    before = datetime.now(UTC) - timedelta(seconds=1)
    response = put(client, token, statement)
    assert response.status_code == 204 and response.data == b""
    assert response.headers["X-Experience-API-Version"] == "1.0.3"
    got = get(client, token, statementId=statement["id"])
    assert got.status_code == 200
    body = got.get_json()
    assert {k: body[k] for k in statement} == statement
    assert body["version"] == "1.0.0" and body["authority"] == LMS_AUTHORITY
    stored = datetime.fromisoformat(body["stored"].replace("Z", "+00:00"))
    assert before <= stored <= datetime.now(UTC) and body["timestamp"] == body["stored"]
    assert parsedate_to_datetime(got.headers["Last-Modified"]) == stored.replace(microsecond=0)
    assert datetime.fromisoformat(got.headers["X-Experience-API-Consistent-Through"].replace("Z", "+00:00"))


def test_a_sent_version_and_timestamp_are_kept_and_a_sent_authority_or_stored_is_replaced(client, learner):
    learner_id, _, token = learner
    statement = make_statement(learner_id, version="1.0.3", timestamp="2026-01-02T03:04:05.678Z",
                               stored="2000-01-01T00:00:00Z", authority={"mbox": "mailto:boss@example.jp"})
    assert put(client, token, statement).status_code == 204
    body = get(client, token, statementId=statement["id"]).get_json()
    assert body["version"] == "1.0.3" and body["timestamp"] == "2026-01-02T03:04:05.678Z"
    assert body["stored"] != "2000-01-01T00:00:00Z" and body["authority"] == LMS_AUTHORITY


def test_put_again_with_the_same_content_is_204_and_with_other_content_409(client, learner, app):
    """Communication 2.1.1: an existing id with other content is 409 Conflict; statements are immutable."""
    learner_id, _, token = learner
    statement = make_statement(learner_id)
    assert put(client, token, statement).status_code == 204
    assert put(client, token, statement).status_code == 204
    changed = {**statement, "verb": {"id": ADL + "passed"}}
    assert put(client, token, changed).status_code == 409
    assert count(app) == 1
    assert get(client, token, statementId=statement["id"]).get_json()["verb"] == statement["verb"]


def test_put_needs_a_statement_id_that_matches_the_body(client, learner):
    learner_id, _, token = learner
    statement = make_statement(learner_id)
    assert client.put(PATH, json=statement, headers=lrs(token)).status_code == 400
    assert put(client, token, statement, statement_id="not-a-uuid").status_code == 400
    assert put(client, token, statement, statement_id=str(uuid.uuid4())).status_code == 400
    assert put(client, token, [statement], statement_id=statement["id"]).status_code == 400
    without_id = {k: v for k, v in statement.items() if k != "id"}
    assert put(client, token, without_id, statement_id=statement["id"]).status_code == 204


def test_post_stores_one_or_an_array_and_returns_the_ids_assigning_missing_ones(client, learner):
    """Communication 2.1.2: POST returns the array of statement ids, in order; the LRS assigns missing ids."""
    learner_id, _, token = learner
    with_id, without_id = make_statement(learner_id), make_statement(learner_id)
    del without_id["id"]
    response = client.post(PATH, json=[with_id, without_id], headers=lrs(token))
    assert response.status_code == 200
    ids = response.get_json()
    assert ids[0] == with_id["id"] and uuid.UUID(ids[1])
    assert get(client, token, statementId=ids[1]).get_json()["id"] == ids[1]


def test_a_batch_with_one_bad_statement_stores_nothing(client, learner, app):
    """Communication 2.1.2: the LRS rejects the whole batch (400) when one statement is invalid."""
    learner_id, _, token = learner
    bad = make_statement(learner_id)
    del bad["verb"]
    response = client.post(PATH, json=[make_statement(learner_id), bad], headers=lrs(token))
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert count(app) == 0


def test_voiding_hides_the_target_from_queries_and_statement_id_but_not_from_voided_statement_id(client, learner):
    """Data 2.3.2 / Communication 2.1.4: a voided statement is returned only through voidedStatementId; the
    voiding statement itself is an ordinary statement; voidedStatementId of a statement not voided is 404."""
    learner_id, _, token = learner
    target, other = make_statement(learner_id, verb="experienced"), make_statement(learner_id, verb="attempted")
    client.post(PATH, json=[target, other], headers=lrs(token))
    assert get(client, token, voidedStatementId=target["id"]).status_code == 404
    voiding = {"id": str(uuid.uuid4()), "actor": learner_actor(learner_id), "verb": {"id": ADL + "voided"},
               "object": {"objectType": "StatementRef", "id": target["id"]}}
    assert client.post(PATH, json=voiding, headers=lrs(token)).status_code == 200
    assert get(client, token, statementId=target["id"]).status_code == 404
    assert get(client, token, voidedStatementId=target["id"]).get_json()["id"] == target["id"]
    assert get(client, token, statementId=voiding["id"]).status_code == 200
    ids = [s["id"] for s in get(client, token).get_json()["statements"]]
    assert ids == [voiding["id"], other["id"]]


def test_a_voiding_statement_cannot_be_voided(client, learner, app):
    """Data 2.3.2: voiding a voiding statement is rejected (400) and nothing is stored."""
    learner_id, _, token = learner
    target = make_statement(learner_id)
    voiding = {"id": str(uuid.uuid4()), "actor": learner_actor(learner_id), "verb": {"id": ADL + "voided"},
               "object": {"objectType": "StatementRef", "id": target["id"]}}
    client.post(PATH, json=[target, voiding], headers=lrs(token))
    again = {**voiding, "id": str(uuid.uuid4()), "object": {"objectType": "StatementRef", "id": voiding["id"]}}
    assert client.post(PATH, json=again, headers=lrs(token)).status_code == 400
    assert count(app) == 2


@pytest.mark.parametrize("params", [
    {"statementId": "{id}", "verb": ADL + "completed"}, {"statementId": "{id}", "voidedStatementId": "{id}"},
    {"voidedStatementId": "{id}", "limit": "1"}, {"statementId": "nope"}, {"limit": "-1"}, {"limit": "x"},
    {"agent": "not json"}, {"agent": {"name": "no identifier"}}, {"since": "yesterday"}, {"until": "2026-13-01"},
    {"format": "xml"}, {"ascending": "yes"}, {"related_agents": "1"}, {"registration": "nope"}, {"verb": "not an iri"},
    {"cursor": "%%%"},
])
def test_invalid_parameters_are_400(client, learner, params):
    """Communication 2.1.3: statementId/voidedStatementId with other filters, and malformed values, are 400."""
    learner_id, _, token = learner
    statement = make_statement(learner_id)
    put(client, token, statement)
    params = {k: (v.replace("{id}", statement["id"]) if isinstance(v, str) else v) for k, v in params.items()}
    response = get(client, token, **params)
    assert response.status_code == 400, (params, response.get_json())
    assert response.mimetype == "application/problem+json"


def test_3_2_an_unrecognised_query_parameter_is_400(client, learner):
    """Communication 3.2.s3.b7: the LRS rejects a request with a parameter it does not recognise with 400."""
    _, _, token = learner
    response = client.get(f"{PATH}?colour=red", headers=lrs(token))
    assert response.status_code == 400
    assert "colour" in response.get_json()["errors"]["query"]


def test_queries_filter_by_agent_verb_activity_registration_and_their_related_forms(client, learner_enrollment):
    """Communication 2.1.3: agent (actor or object), verb, activity (the object), registration; related_agents
    and related_activities widen agent and activity to context, authority and sub-statements."""
    learner_id, enrollment_id, token = learner_enrollment()
    colleague = {"objectType": "Agent", "mbox": "mailto:colleague@example.jp"}
    parent = "https://lms.example.jp/xapi/activities/GF-2026"
    a = make_statement(learner_id, enrollment_id, "experienced", "GF01",
                       context={"registration": enrollment_id, "instructor": colleague,
                                "contextActivities": {"parent": [{"id": parent}]}})
    b = make_statement(learner_id, None, "attempted", "GF02")
    c = make_statement(learner_id, None, "experienced", "GF03")
    for s in (a, b, c):
        assert put(client, token, s).status_code == 204

    def ids(**params):
        response = get(client, token, **params)
        assert response.status_code == 200, response.get_json()
        return [s["id"] for s in response.get_json()["statements"]]

    assert ids() == [c["id"], b["id"], a["id"]]
    assert ids(verb=ADL + "experienced") == [c["id"], a["id"]]
    assert ids(activity=a["object"]["id"]) == [a["id"]]
    assert ids(activity=parent) == []
    assert ids(activity=parent, related_activities="true") == [a["id"]]
    assert ids(registration=enrollment_id) == [a["id"]]
    assert ids(agent=learner_actor(learner_id)) == [c["id"], b["id"], a["id"]]
    assert ids(agent=colleague) == []
    assert ids(agent=colleague, related_agents="true") == [a["id"]]
    assert ids(agent=learner_actor(learner_id), verb=ADL + "experienced", ascending="true") == [a["id"], c["id"]]


def test_since_and_until_filter_by_stored(client, learner, app):
    """Communication 2.1.3: since (exclusive) and until (inclusive) compare the stored time."""
    learner_id, _, token = learner
    first, second = make_statement(learner_id), make_statement(learner_id)
    put(client, token, first)
    put(client, token, second)
    with app.app_context():
        db.session.execute(LrsStatement.__table__.update().where(LrsStatement.id == first["id"]).values(
            stored=datetime(2026, 1, 1, tzinfo=UTC)))
        db.session.commit()
    assert [s["id"] for s in get(client, token, since="2026-01-01T00:00:00Z").get_json()["statements"]] == \
        [second["id"]]
    assert [s["id"] for s in get(client, token, until="2026-01-01T00:00:00Z").get_json()["statements"]] == \
        [first["id"]]


def test_more_pages_through_every_statement_once_even_while_new_ones_arrive(client, learner):
    """Communication 2.1.3 / Data 2.5 StatementResult: `more` is a relative URL of the same resource that gives
    the next page; with statements stored between pages, every statement of the first query comes once."""
    learner_id, _, token = learner
    sent = [make_statement(learner_id)["id"] for _ in range(7)]
    client.post(PATH, json=[make_statement(learner_id, id=i) for i in sent], headers=lrs(token))
    for ascending in ("false", "true"):
        expected = list(sent)
        seen, url = [], f"{PATH}?limit=3&ascending={ascending}"
        pages = 0
        while url:
            response = client.get(url, headers=lrs(token))
            assert response.status_code == 200
            body = response.get_json()
            assert len(body["statements"]) <= 3
            seen += [s["id"] for s in body["statements"]]
            url = body["more"]
            assert url == "" or url.startswith(PATH + "?")
            meanwhile = make_statement(learner_id)
            assert client.post(PATH, json=meanwhile, headers=lrs(token)).status_code == 200
            sent.append(meanwhile["id"])
            pages += 1
        assert pages == -(-len(expected) // 3)
        assert seen == (expected if ascending == "true" else expected[::-1])


def test_limit_zero_is_the_servers_maximum_and_an_exact_page_has_no_more(client, learner):
    learner_id, _, token = learner
    client.post(PATH, json=[make_statement(learner_id) for _ in range(3)], headers=lrs(token))
    assert len(get(client, token, limit="0").get_json()["statements"]) == 3
    assert get(client, token, limit="3").get_json()["more"] == ""


def test_format_ids_reduces_agents_verbs_and_activities_to_identifiers(client, learner):
    """Communication 2.1.3 format=ids: agents, activities and verbs by their identifiers only."""
    learner_id, _, token = learner
    statement = make_statement(learner_id)
    statement["actor"] = {**statement["actor"], "name": "山田 太郎"}
    statement["object"]["definition"] = {"name": {"ja-JP": "総合診療"}}
    put(client, token, statement)
    body = get(client, token, statementId=statement["id"], format="ids").get_json()
    assert body["actor"] == learner_actor(learner_id)
    assert body["verb"] == {"id": statement["verb"]["id"]} and "definition" not in body["object"]


def test_a_learner_reads_only_statements_about_themselves(client, learner_enrollment):
    """statements/read/mine: a learner's token sees the statements whose actor is that learner."""
    mine_id, _, mine = learner_enrollment()
    theirs_id, _, theirs = learner_enrollment()
    own, other = make_statement(mine_id), make_statement(theirs_id)
    put(client, mine, own)
    put(client, theirs, other)
    assert [s["id"] for s in get(client, mine).get_json()["statements"]] == [own["id"]]
    assert get(client, mine, statementId=other["id"]).status_code == 404
    assert get(client, mine, agent=learner_actor(theirs_id)).get_json()["statements"] == []


def test_the_version_header_is_required_on_every_request(client, learner):
    learner_id, _, token = learner
    headers = {"Authorization": lrs(token)["Authorization"]}
    assert client.get(PATH, headers=headers).status_code == 400
    assert client.put(f"{PATH}?statementId={uuid.uuid4()}", json=make_statement(learner_id),
                      headers=headers).status_code == 400


def test_no_credentials_is_401_before_anything_is_read(client):
    assert client.get(f"{PATH}?limit=nope").status_code == 401
    assert client.post(PATH, data=b"{nope", content_type="application/json").status_code == 401


def ref(learner_id, target_id, verb="commented", **extra) -> dict:
    """A statement of the learner whose object is a StatementRef to `target_id`."""
    return {"id": str(uuid.uuid4()), "actor": learner_actor(learner_id), "verb": {"id": ADL + verb},
            "object": {"objectType": "StatementRef", "id": target_id}, **extra}


def test_statements_targeting_a_statement_that_meets_the_filters_meet_them_along_a_chain(client, learner):
    """Communication 2.1.3 (Filter Conditions for StatementRefs): a statement whose object is a StatementRef
    meets the agent/verb/activity/registration filters when its target does, recursively (a -> b -> c); a
    StatementRef in context does not count; since/until apply to the targeting statement itself; a single
    GET by statementId is unaffected."""
    learner_id, enrollment_id, token = learner
    a = make_statement(learner_id, enrollment_id, "experienced", "GF01")
    b = ref(learner_id, a["id"])
    c = ref(learner_id, b["id"], "shared")
    d = make_statement(learner_id, None, "attempted", "GF02")
    e = make_statement(learner_id, None, "commented", "GF03",
                       context={"statement": {"objectType": "StatementRef", "id": a["id"]}})
    for statement in (a, b, c, d, e):
        assert put(client, token, statement).status_code == 204, statement

    def ids(**params):
        response = get(client, token, **params)
        assert response.status_code == 200, response.get_json()
        return [s["id"] for s in response.get_json()["statements"]]

    chain = [c["id"], b["id"], a["id"]]
    assert ids(registration=enrollment_id) == chain
    assert ids(activity=a["object"]["id"]) == chain
    assert ids(verb=ADL + "experienced") == chain
    assert ids(verb=ADL + "experienced", registration=enrollment_id, ascending="true") == chain[::-1]
    assert ids(verb=ADL + "commented") == [e["id"], c["id"], b["id"]]
    assert ids(activity=d["object"]["id"]) == [d["id"]]
    assert ids(agent={"mbox": "mailto:nobody@example.jp"}) == []
    stored_a = get(client, token, statementId=a["id"]).get_json()["stored"]
    assert ids(registration=enrollment_id, since=stored_a) == [c["id"], b["id"]]
    assert ids(registration=enrollment_id, until=stored_a) == [a["id"]]
    assert get(client, token, statementId=b["id"]).get_json()["id"] == b["id"]


def test_statements_targeting_a_voided_statement_still_meet_its_filters(client, learner):
    """Communication 2.1.4 (MUST still return any Statements targeting the voided Statement, following 2.1.3,
    including the voiding statement) and 2.1.4 (the voided statement itself is not returned)."""
    learner_id, enrollment_id, token = learner
    target = make_statement(learner_id, enrollment_id, "experienced")
    comment = ref(learner_id, target["id"])
    voiding = ref(learner_id, target["id"], "voided")
    for statement in (target, comment, voiding):
        assert put(client, token, statement).status_code == 204, statement
    body = get(client, token, registration=enrollment_id).get_json()
    assert [s["id"] for s in body["statements"]] == [voiding["id"], comment["id"]]
    assert get(client, token, registration=enrollment_id, verb=ADL + "experienced").get_json()["statements"][-1][
        "id"] == comment["id"]


def test_statement_ref_filters_end_on_a_cycle_of_references(client, learner):
    """Communication 2.1.3: the recursion along StatementRefs ends when two statements target each other."""
    learner_id, enrollment_id, token = learner
    first_id = str(uuid.uuid4())
    second = ref(learner_id, first_id, context={"registration": enrollment_id})
    first = ref(learner_id, second["id"], "shared", id=first_id)
    for statement in (second, first):
        assert put(client, token, statement).status_code == 204, statement
    got = get(client, token, registration=enrollment_id).get_json()["statements"]
    assert [s["id"] for s in got] == [first_id, second["id"]]
    assert get(client, token, verb=ADL + "shared").get_json()["statements"][-1]["id"] == second["id"]


def test_more_pages_through_statements_that_meet_a_filter_through_their_statement_ref(client, learner):
    """Communication 2.1.3 (Filter Conditions for StatementRefs) with `more`: direct and targeting matches
    come once each, in order, over pages of one, while new ones arrive."""
    learner_id, enrollment_id, token = learner
    a = make_statement(learner_id, enrollment_id, "experienced", "GF01")
    b = ref(learner_id, a["id"])
    other = make_statement(learner_id, None, "attempted", "GF02")
    c = make_statement(learner_id, enrollment_id, "completed", "GF01")
    d = ref(learner_id, c["id"], "shared")
    for statement in (a, b, other, c, d):
        assert put(client, token, statement).status_code == 204, statement
    seen, url = [], f"{PATH}?registration={enrollment_id}&limit=1"
    while url:
        body = client.get(url, headers=lrs(token)).get_json()
        seen += [s["id"] for s in body["statements"]]
        url = body["more"]
        late = make_statement(learner_id, enrollment_id, "experienced", "GF03")
        assert put(client, token, late).status_code == 204
        assert put(client, token, ref(learner_id, late["id"])).status_code == 204
    assert seen == [d["id"], c["id"], b["id"], a["id"]]


def test_a_learner_sees_no_one_elses_statement_targeting_their_own(client, learner_enrollment):
    """Communication 2.1.3 (Filter Conditions for StatementRefs) widens the filters, not what a learner may
    read: another learner's statement targeting theirs stays hidden from them, and is returned to its author."""
    learner_id, enrollment_id, token = learner_enrollment()
    other_id, _, other_token = learner_enrollment()
    target = make_statement(learner_id, enrollment_id, "experienced")
    assert put(client, token, target).status_code == 204
    theirs = ref(other_id, target["id"])
    assert put(client, other_token, theirs).status_code == 204
    assert [s["id"] for s in get(client, token, registration=enrollment_id).get_json()["statements"]] == [
        target["id"]]
    assert [s["id"] for s in get(client, other_token, registration=enrollment_id).get_json()["statements"]] == [
        theirs["id"]]
