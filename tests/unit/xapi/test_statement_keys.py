"""The store's reading of a statement: request bodies, related agents and activities, statement comparison."""

import uuid

import pytest

from lms.errors import BadRequest
from lms.xapi.statements import parse_body, same_statement, statement_activity_ids, statement_agent_keys

ADL = "http://adlnet.gov/expapi/verbs/"


def body(**extra):
    statement = {"actor": {"mbox": "mailto:a@example.jp"}, "verb": {"id": ADL + "completed"},
                 "object": {"id": "https://x.jp/a/GF05"}}
    statement.update(extra)
    return statement


def test_a_batch_with_an_empty_list_or_a_non_object_is_400():
    """xAPI 1.0.3 Communication 2.1.2: a request with a bad statement is 400 and stores nothing."""
    for bad in ([], "a string", [body(), 3], [{}]):
        with pytest.raises(BadRequest):
            parse_body(bad)


def test_batches_have_a_size_limit():
    with pytest.raises(BadRequest):
        parse_body([body() for _ in range(1001)])


def test_a_put_takes_one_statement():
    with pytest.raises(BadRequest):
        parse_body([body()], single=True)


def test_voiding_needs_a_statement_ref():
    """xAPI 1.0.3 Data 2.3.2: a voiding statement's object is a StatementRef."""
    with pytest.raises(BadRequest):
        parse_body(body(verb={"id": ADL + "voided"}))
    target = str(uuid.uuid4())
    assert parse_body(body(verb={"id": ADL + "voided"}, object={"objectType": "StatementRef", "id": target}))


@pytest.mark.parametrize("change", [{"id": "not-a-uuid"}, {"version": "0.95"}, {"timestamp": "yesterday"},
                                    {"context": {"registration": "x"}}])
def test_what_the_store_indexes_must_be_well_formed(change):
    with pytest.raises(BadRequest):
        parse_body(body(**change))


def test_related_agents_cover_actor_object_authority_context_and_sub_statements():
    """xAPI 1.0.3 Communication 2.1.3 related_agents: actor, object, authority, instructor, team, and those of a
    SubStatement; `agent` alone matches the actor or an agent object."""
    statement = {
        "actor": {"mbox": "mailto:actor@x.jp"},
        "object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:sub@x.jp"},
                   "verb": {"id": ADL + "completed"}, "object": {"objectType": "Agent", "mbox": "mailto:subobj@x.jp"},
                   "context": {"instructor": {"mbox": "mailto:subinstr@x.jp"}}},
        "authority": {"account": {"homePage": "https://x.jp", "name": "client"}},
        "context": {"instructor": {"mbox": "mailto:instr@x.jp"},
                    "team": {"objectType": "Group", "mbox": "mailto:team@x.jp"}},
    }
    direct, related = statement_agent_keys(statement)
    assert direct == {"mbox:mailto:actor@x.jp"}
    assert related == {"mbox:mailto:actor@x.jp", "mbox:mailto:sub@x.jp", "mbox:mailto:subobj@x.jp",
                       "mbox:mailto:subinstr@x.jp", "account:https://x.jp|client", "mbox:mailto:instr@x.jp",
                       "mbox:mailto:team@x.jp"}
    direct, _ = statement_agent_keys({"actor": {"mbox": "mailto:a@x.jp"},
                                      "object": {"objectType": "Agent", "mbox": "mailto:b@x.jp"}})
    assert direct == {"mbox:mailto:a@x.jp", "mbox:mailto:b@x.jp"}


def test_related_activities_cover_object_context_activities_and_sub_statements():
    """xAPI 1.0.3 Communication 2.1.3 related_activities."""
    statement = {"object": {"id": "https://x.jp/a"}, "context": {"contextActivities": {
        "parent": [{"id": "https://x.jp/p"}], "grouping": {"id": "https://x.jp/g"}, "category": [{"id": "https://x.jp/c"}],
        "other": [{"id": "https://x.jp/o"}]}}}
    assert statement_activity_ids(statement) == ("https://x.jp/a", {"https://x.jp/a", "https://x.jp/p",
                                                                     "https://x.jp/g", "https://x.jp/c",
                                                                     "https://x.jp/o"})
    sub = {"object": {"objectType": "SubStatement", "object": {"id": "https://x.jp/inner"},
                      "context": {"contextActivities": {"parent": [{"id": "https://x.jp/sp"}]}}}}
    assert statement_activity_ids(sub) == (None, {"https://x.jp/inner", "https://x.jp/sp"})


def test_comparison_ignores_what_the_lrs_sets():
    """xAPI 1.0.3 Data 2.3.1 (statement comparison): id, stored, authority and version are not compared."""
    sent = body(id=str(uuid.uuid4()))
    stored = {**sent, "stored": "2026-06-01T00:00:00.000Z", "authority": {"mbox": "mailto:lrs@x.jp"},
              "version": "1.0.0", "timestamp": "2026-06-01T00:00:00.000Z"}
    assert same_statement(stored, sent)
    assert not same_statement(stored, {**sent, "verb": {"id": ADL + "passed"}})
    assert not same_statement(stored, {**sent, "timestamp": "2026-06-02T00:00:00.000Z"})
