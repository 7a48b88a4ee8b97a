"""The document resources' pure rules: preconditions (Communication 3.1), merge (2.2.s7, s8), parameters."""

import json
from datetime import UTC, datetime

import pytest

from lms.xapi import document_rules as rules

ETAG = "a" * 40


@pytest.mark.parametrize(("current", "if_match", "if_none_match", "required", "expected"), [
    (None, None, None, True, None),  # a new profile may be PUT without either header
    (ETAG, None, None, True, rules.CONFLICT),  # 3.1.s4.b13
    (ETAG, None, None, False, None),  # the state resource does not require them (3.1.s3)
    (ETAG, f'"{ETAG}"', None, True, None),  # 3.1.s4.b5
    (ETAG, f'W/"{ETAG}"', None, True, None),
    (ETAG, f'"{"b" * 40}", "{ETAG}"', None, True, None),  # a list of entity tags
    (ETAG, ETAG.upper(), None, True, None),
    (ETAG, '"' + "b" * 40 + '"', None, True, rules.PRECONDITION_FAILED),  # 3.1.s4.b9
    (ETAG, "*", None, True, None),
    (None, "*", None, False, rules.PRECONDITION_FAILED),  # nothing there to match
    (None, f'"{ETAG}"', None, False, rules.PRECONDITION_FAILED),
    (None, None, "*", True, None),  # 3.1.s4.b6: create only
    (ETAG, None, "*", False, rules.PRECONDITION_FAILED),
    (ETAG, None, f'"{ETAG}"', False, rules.PRECONDITION_FAILED),
    (ETAG, None, '"' + "b" * 40 + '"', True, None),
])
def test_precondition_failure_3_1_s4(current, if_match, if_none_match, required, expected):
    assert rules.precondition_failure(current_etag=current, if_match=if_match, if_none_match=if_none_match,
                                      headers_required=required) == expected


def test_merge_replaces_top_level_properties_only_2_2_s7():
    merged = rules.merged(b'{"x": "foo", "y": {"a": 1}}', "application/json",
                          b'{"x": "bash", "y": {"b": 2}, "z": null}', "application/json; charset=utf-8")
    assert json.loads(merged) == {"x": "bash", "y": {"b": 2}, "z": None}


@pytest.mark.parametrize(("stored", "stored_type", "sent", "sent_type"), [
    (b"{}", "text/plain", b"{}", "application/json"),
    (b"{}", "application/json", b"{}", "text/json"),
    (b"[]", "application/json", b"{}", "application/json"),
    (b"{}", "application/json", b"1", "application/json"),
    (b"{}", "application/json", b"\xff", "application/json"),
])
def test_what_cannot_merge_2_2_s8_b1(stored, stored_type, sent, sent_type):
    with pytest.raises(rules.NotMergeable):
        rules.merged(stored, stored_type, sent, sent_type)


def test_etag_is_the_lowercase_sha1_hex_3_1_s4_b2():
    assert rules.etag_of(b"") == "da39a3ee5e6b4b0d3255bfef95601890afd80709"


def test_since_reads_offsets_and_refuses_what_is_not_a_timestamp():
    assert rules.parse_since("2026-04-01T18:00:00+09:00") == datetime(2026, 4, 1, 9, tzinfo=UTC)
    assert rules.parse_since("2026-04-01T09:00:00.123456789Z") == datetime(2026, 4, 1, 9, 0, 0, 123456, tzinfo=UTC)
    for bad in ("yesterday", "2026-02-30T00:00:00Z", "1", ""):
        with pytest.raises(rules.ParameterError):
            rules.parse_since(bad)


def test_registration_is_a_uuid_kept_lowercase():
    assert rules.parse_registration("3FA85F64-5717-4562-B3FC-2C963F66AFA6") == "3fa85f64-5717-4562-b3fc-2c963f66afa6"
    for bad in ("not UUID", "1", "{3fa85f64-5717-4562-b3fc-2c963f66afa6}", "3fa85f6457174562b3fc2c963f66afa6"):
        with pytest.raises(rules.ParameterError):
            rules.parse_registration(bad)


def test_agent_parameter_and_its_key():
    agent, key = rules.parse_agent('{"mbox": "mailto:Taro@Example.JP", "name": "太郎"}')
    assert key == rules.parse_agent('{"objectType": "Agent", "mbox": "mailto:Taro@example.jp"}')[1]
    assert agent["name"] == "太郎"
    for bad in ('{"objectType": "Group", "mbox": "mailto:a@example.jp"}', '{"name": "nobody"}', "[]", "null",
                '{"mbox": "mailto:a@example.jp", "extra": 1}', '{"account": {"homePage": "x", "name": "a"}}'):
        with pytest.raises(rules.ParameterError):
            rules.parse_agent(bad)


@pytest.mark.parametrize("value", [None, "", "x" * 256, "text/plain\nX-Evil: 1"])
def test_content_type_is_stored_as_sent_or_refused(value):
    if value in (None, ""):
        assert rules.stored_content_type(value) == rules.DEFAULT_TYPE
    else:
        with pytest.raises(rules.ParameterError):
            rules.stored_content_type(value)
