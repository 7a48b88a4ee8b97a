"""Reading xAPI statements: scores, durations, module codes, comparison, batch checks."""

import uuid
from decimal import Decimal

import marshmallow as ma
import pytest

from lms.errors import BadRequest, Invalid, PayloadTooLarge
from lms.progress.xapi import check_version, duration_minutes, parse_body, score_0_100

ADL = "http://adlnet.gov/expapi/verbs/"


def body(**extra):
    statement = {"actor": {"account": {"homePage": "https://lms.example.jp", "name": "L1"}},
                 "verb": {"id": ADL + "completed"}, "object": {"id": "https://lms.example.jp/a/GF-2026/GF05"},
                 "context": {"registration": str(uuid.uuid4())}}
    statement.update(extra)
    return statement


@pytest.mark.parametrize("score,expected", [
    ({"scaled": 0.855}, "85.50"), ({"scaled": -0.2}, "0.00"), ({"scaled": 1}, "100.00"),
    ({"raw": 7, "min": 0, "max": 10}, "70.00"), ({"raw": 42}, "42.00"), ({"raw": 3, "min": 1, "max": 5}, "50.00"),
    ({"scaled": 0.5, "raw": 1, "min": 0, "max": 10}, "50.00"), ({}, None),
])
def test_scores_become_0_to_100(score, expected):
    assert score_0_100(score) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize("score", [{"raw": 150}, {"raw": 5, "min": 10, "max": 10}, {"raw": 5, "min": 0}])
def test_raw_scores_outside_0_100_need_a_range(score):
    with pytest.raises(ma.ValidationError):
        score_0_100(score)


@pytest.mark.parametrize("duration,minutes", [
    ("PT1H30M", 90), ("PT15M30S", 16), ("PT29S", 0), ("P1D", 1440), ("PT0.5H", 30), ("P1W", 10080), (None, None),
])
def test_durations_in_minutes(duration, minutes):
    assert duration_minutes(duration) == minutes


@pytest.mark.parametrize("duration", ["90 minutes", "P", "PT", "PT1.H", "P2000D", "-PT1H"])
def test_bad_or_implausible_durations_are_invalid(duration):
    with pytest.raises(ma.ValidationError):
        duration_minutes(duration)


def test_module_code_is_the_last_segment_of_the_activity_id():
    for activity in ("https://x.jp/a/GF-2026/GF05", "https://x.jp/a/GF05/", "urn:lms:GF05", "https://x.jp/a#GF05"):
        assert parse_body(body(object={"id": activity}))[0].module_code == "GF05"


def test_comparison_ignores_stored_authority_and_version():
    statement_id = str(uuid.uuid4())
    a = parse_body(body(id=statement_id))[0]
    b = parse_body({**body(id=statement_id), "stored": "2026-06-01T00:00:00Z", "version": "1.0.3"})[0]
    c = parse_body(body(id=statement_id, verb={"id": ADL + "passed"}))[0]
    assert a.content_hash != c.content_hash
    b_same_context = parse_body({**b.raw, "context": a.raw["context"]})[0]
    assert b_same_context.content_hash == a.content_hash


def test_a_batch_with_a_repeated_id_is_400_and_an_empty_one_422():
    statement = body(id=str(uuid.uuid4()))
    with pytest.raises(BadRequest):
        parse_body([statement, statement])
    with pytest.raises(Invalid):
        parse_body([])
    with pytest.raises(Invalid):
        parse_body("a string")


def test_batches_have_a_size_limit():
    with pytest.raises(PayloadTooLarge):
        parse_body([body() for _ in range(1001)])


def test_voiding_needs_a_statement_ref():
    with pytest.raises(Invalid):
        parse_body(body(verb={"id": ADL + "voided"}))
    with pytest.raises(Invalid):
        parse_body(body(object={"objectType": "StatementRef", "id": str(uuid.uuid4())}))
    target = str(uuid.uuid4())
    voiding = parse_body(body(verb={"id": ADL + "voided"}, object={"objectType": "StatementRef", "id": target}))[0]
    assert voiding.is_voiding and voiding.object_id == target and voiding.status is None


@pytest.mark.parametrize("value", [None, "", "0.95", "1.1.0", "2.0"])
def test_version_header_must_be_1_0_x(value):
    with pytest.raises(BadRequest):
        check_version(value)


@pytest.mark.parametrize("value", ["1.0", "1.0.0", "1.0.3"])
def test_version_header_accepted(value):
    check_version(value)


@pytest.mark.parametrize("change", [
    {"verb": {"id": "<script>alert(1)</script>"}}, {"verb": {"id": "completed"}},
    {"object": {"id": "GF05"}}, {"object": {"id": "https://x.jp/a b/GF05"}},
    {"actor": {"account": {"homePage": "lms", "name": "L1"}}},
])
def test_verbs_activities_and_home_pages_are_iris(change):
    with pytest.raises(Invalid):
        parse_body(body(**change))
