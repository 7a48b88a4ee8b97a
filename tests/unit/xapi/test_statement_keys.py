"""The store's reading of a request body, and statement comparison."""

import uuid

import pytest

from lms.errors import BadRequest
from lms.xapi.statements import parse_body, same_statement

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


def test_comparison_ignores_what_the_lrs_sets():
    """xAPI 1.0.3 Data 2.3.1 (statement comparison): id, stored, authority and version are not compared."""
    sent = body(id=str(uuid.uuid4()))
    stored = {**sent, "stored": "2026-06-01T00:00:00.000Z", "authority": {"mbox": "mailto:lrs@x.jp"},
              "version": "1.0.0", "timestamp": "2026-06-01T00:00:00.000Z"}
    assert same_statement(stored, sent)
    assert not same_statement(stored, {**sent, "verb": {"id": ADL + "passed"}})
    assert not same_statement(stored, {**sent, "timestamp": "2026-06-02T00:00:00.000Z"})
