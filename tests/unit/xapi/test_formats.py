"""Statements as returned: `format=ids`, `format=canonical` (Communication 2.1.3), and the properties the LRS
sets on intake (Data 2.4.1, 2.4.6.2, 2.4.7–2.4.10)."""

import pytest

from lms.xapi.formats import (
    choose_language,
    context_activities_as_arrays,
    parse_accept_language,
    to_canonical,
    to_ids,
    with_lrs_fields,
)
from lms.xapi.validation import statement_problems
from tests.unit.xapi.examples import (
    ACCOUNT,
    ACTIVITY,
    ANONYMOUS_GROUP,
    CONTEXT,
    IDENTIFIED_GROUP,
    INTERACTIONS,
    MBOX,
    RESULT,
    statement,
    substatement,
)


def test_ids_format_keeps_only_identifiers():
    """Communication 2.1.3 format=ids: Agents, Activities and Groups by the minimum that identifies them; an
    anonymous Group by its members' identifiers; no verb display (Data 2.4.3 s6.b2)."""
    s = statement(actor=ANONYMOUS_GROUP, object=ACTIVITY, result=RESULT, context=CONTEXT, authority=ACCOUNT)
    ids = to_ids(s)
    assert ids["actor"] == {"objectType": "Group", "member": [
        {"objectType": "Agent", "mbox": "mailto:xapi@adlnet.gov"}, {"objectType": "Agent", "account": ACCOUNT["account"]}]}
    assert ids["verb"] == {"id": s["verb"]["id"]}
    assert ids["object"] == {"objectType": "Activity", "id": ACTIVITY["id"]}
    assert ids["authority"] == {"objectType": "Agent", "account": ACCOUNT["account"]}
    assert ids["context"]["instructor"] == {"objectType": "Agent", "account": CONTEXT["instructor"]["account"]}
    assert ids["context"]["team"] == {"objectType": "Group", "mbox": "mailto:teampb@example.com"}
    assert ids["context"]["contextActivities"]["grouping"] == [
        {"objectType": "Activity", "id": "http://www.example.com/meetings/series"}]
    assert ids["result"] == RESULT and ids["context"]["registration"] == CONTEXT["registration"]
    assert to_ids(statement(object=IDENTIFIED_GROUP))["object"] == {"objectType": "Group",
                                                                    "mbox": "mailto:group@example.com"}
    sub = to_ids(statement(object=substatement(actor=MBOX, object=ACTIVITY)))["object"]
    assert sub["actor"] == {"objectType": "Agent", "mbox": MBOX["mbox"]}
    assert sub["object"] == {"objectType": "Activity", "id": ACTIVITY["id"]}
    assert statement_problems(ids) == {}
    assert s["object"] == ACTIVITY  # the input is left as it was


@pytest.mark.parametrize("header,expected", [
    ("de-DE, en;q=0.8, *;q=0.1", ["de-DE", "en", "*"]),
    ("en;q=0.5, ja", ["ja", "en"]),
    ("fr;q=0, en", ["en"]),
    ("", []),
    (None, []),
    ("en;q=x", []),
])
def test_accept_language_ranges_best_first(header, expected):
    assert parse_accept_language(header) == expected


@pytest.mark.parametrize("ranges,expected", [
    (["ja-JP"], "ja-JP"),
    (["ja"], "ja-JP"),
    (["EN-gb"], "en-GB"),
    (["fr", "en"], "en-GB"),
    (["*"], "ja-JP"),
    (["fr"], "en-US"),
    ([], "en-US"),
])
def test_the_language_chosen_follows_accept_language(ranges, expected):
    """Communication 2.1.3 Canonical Language Process: apply Accept-Language; return one language even without a
    match."""
    assert choose_language({"ja-JP": "a", "en-GB": "b", "en-US": "c"}, ranges) == expected


def test_canonical_format_returns_one_language_per_map():
    """Communication 2.1.3 format=canonical: Activities' and the Verb's language maps carry one language."""
    definition = {"name": {"en-US": "meeting", "ja": "会議"}, "description": {"en-US": "d", "ja": "説明"},
                  **INTERACTIONS["choice"]}
    definition["choices"] = [{"id": "golf", "description": {"en-US": "Golf", "ja": "ゴルフ"}}]
    s = statement(verb={"id": "http://x.com/v", "display": {"en-US": "met", "ja": "会った"}},
                  object={"id": "http://x.com/a", "definition": definition},
                  context={"contextActivities": {"parent": {"id": "http://x.com/p",
                                                            "definition": {"name": {"en": "P", "ja": "親"}}}}},
                  actor={"name": "名前", "mbox": "mailto:a@example.com"})
    out = to_canonical(s, "ja, en;q=0.5")
    assert out["verb"]["display"] == {"ja": "会った"}
    assert out["object"]["definition"]["name"] == {"ja": "会議"}
    assert out["object"]["definition"]["description"] == {"ja": "説明"}
    assert out["object"]["definition"]["choices"][0]["description"] == {"ja": "ゴルフ"}
    assert out["context"]["contextActivities"]["parent"][0]["definition"]["name"] == {"ja": "親"}
    assert out["actor"] == s["actor"]
    english = to_canonical(statement(object=substatement(verb={"id": "http://x.com/v", "display": {
        "ja": "訪問", "en-US": "visited"}})), None)
    assert english["object"]["verb"]["display"] == {"en-US": "visited"}


def test_context_activities_are_returned_as_arrays():
    """Data 2.4.6.2 s4.b3, s4.b4: every value an array; a single Activity an array of length one."""
    s = statement(context={"contextActivities": {"parent": {"id": "http://x.com/p"}, "other": [{"id": "http://x.com/o"}]}},
                  object=substatement(context={"contextActivities": {"category": {"id": "http://x.com/c"}}}))
    out = context_activities_as_arrays(s)
    assert out["context"]["contextActivities"] == {"parent": [{"id": "http://x.com/p"}], "other": [{"id": "http://x.com/o"}]}
    assert out["object"]["context"]["contextActivities"] == {"category": [{"id": "http://x.com/c"}]}
    assert s["context"]["contextActivities"]["parent"] == {"id": "http://x.com/p"}


def test_lrs_fields_on_intake():
    """Data 2.4.1 s2.b1 id generated when missing; 2.4.8 s3.b2 stored overwritten; 2.4.9 s3.b4 authority overwritten;
    2.4.7 s3.b2 timestamp from stored when missing; 2.4.10 s3.b3 version kept, else 1.0.0."""
    authority = {"objectType": "Agent", "account": {"homePage": "https://lms.example.jp", "name": "client-1"}}
    sent = statement(id=..., stored="2000-01-01T00:00:00Z", authority=MBOX)
    out = with_lrs_fields(sent, id="11111111-2222-4333-8444-555555555555", stored="2026-12-05T10:00:00.000Z",
                          authority=authority)
    assert out["id"] == "11111111-2222-4333-8444-555555555555"
    assert out["stored"] == out["timestamp"] == "2026-12-05T10:00:00.000Z"
    assert out["authority"] == authority and out["version"] == "1.0.0"
    kept = with_lrs_fields(statement(version="1.0.3", timestamp="2015-11-18T12:17:00Z"), id="x", stored="s",
                           authority=authority)
    assert kept["id"] == statement()["id"] and kept["version"] == "1.0.3"
    assert kept["timestamp"] == "2015-11-18T12:17:00Z"


def test_an_object_without_object_type_is_stored_as_an_activity():
    """Data 2.4.4 s2: without objectType the object is an Activity; the LRS returns it so."""
    out = with_lrs_fields(statement(object=substatement(object={"id": "http://x.com/a"})), id="x", stored="s",
                          authority=ACCOUNT)
    assert out["object"]["objectType"] == "SubStatement"
    assert out["object"]["object"] == {"objectType": "Activity", "id": "http://x.com/a"}
    assert with_lrs_fields(statement(), id="x", stored="s", authority=ACCOUNT)["object"]["objectType"] == "Activity"
