"""Statement comparison (Data 2.3.1 "Statement Comparison Requirements"): differences the exceptions to
immutability could have caused are ignored (s9.b1); every other difference counts (s9.b2)."""

import pytest

from lms.xapi.compare import same_statement
from tests.unit.xapi.examples import ACTIVITY, ANONYMOUS_GROUP, ATTACHMENT, CONTEXT, MBOX, RESULT, statement

BASE = statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T12:17:00.123Z")

SAME = [
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T12:17:00.123Z",
                           authority={"mbox": "mailto:lrs@example.com"}, stored="2020-01-01T00:00:00Z",
                           version="1.0.0"), id="2.3.1 b1 authority stored version assigned by the LRS"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, id=...,
                           timestamp="2015-11-18T12:17:00.123Z"), id="2.3.1 b1 id assigned when missing"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT), id="2.3.1 b1 timestamp assigned"),
    pytest.param(statement(object={**ACTIVITY, "definition": {"name": {"fr": "autre"}}}, result=RESULT,
                           context=CONTEXT, timestamp="2015-11-18T12:17:00.123Z"),
                 id="2.3.1 b2 activity definition not part of the statement"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T12:17:00.123Z",
                           verb={"id": "http://adlnet.gov/expapi/verbs/attended", "display": {"fr": "assisté"}}),
                 id="2.3.1 b3 verb display not part of the statement"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T21:17:00.123+09:00"),
                 id="2.3.1 b4 timestamp in another zone"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T12:17:00.1234Z"),
                 id="Data 4.5 s1.b7 timestamp beyond milliseconds"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T12:17:00.123Z",
                           attachments=[ATTACHMENT]), id="2.3.1 b6 attachments"),
    pytest.param(statement(object={"id": ACTIVITY["id"]}, result=RESULT, timestamp="2015-11-18T12:17:00.123Z",
                           context={**CONTEXT, "registration": CONTEXT["registration"].upper(),
                                    "contextActivities": {**CONTEXT["contextActivities"],
                                                          "grouping": [CONTEXT["contextActivities"]["grouping"]]}},
                           actor={"mbox": "mailto:xapi@ADLNET.GOV", "name": "xAPI mbox"}),
                 id="2.3.1 b7 case of UUIDs and e-mail domains, default objectType, context activity as array"),
    pytest.param(statement(object=ACTIVITY, result={**RESULT, "duration": "PT1H0M0.004S"}, context=CONTEXT,
                           timestamp="2015-11-18T12:17:00.123Z"),
                 id="Data 4.6 s1.b5 duration precision beyond 0.01 s"),
]


@pytest.mark.parametrize("other", SAME)
def test_differences_the_exceptions_allow_are_ignored(other):
    """Data 2.3.1 s9.b1."""
    assert same_statement(BASE, other)
    assert same_statement(other, BASE)


def test_group_member_order_is_ignored():
    """Data 2.3.1 b5: the members of a Group are an unordered list."""
    reordered = {**ANONYMOUS_GROUP, "member": list(reversed(ANONYMOUS_GROUP["member"]))}
    assert same_statement(statement(actor=ANONYMOUS_GROUP), statement(actor=reordered))


DIFFERENT = [
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T12:17:00.124Z"),
                 id="another point in time"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T12:17:00.123Z",
                           id="fd41c918-b88b-4b20-a0a5-a4c32391aaa1"), id="another id"),
    pytest.param(statement(object=ACTIVITY, result={**RESULT, "duration": "PT3600S"}, context=CONTEXT,
                           timestamp="2015-11-18T12:17:00.123Z"), id="2.3.1 b8 duration is compared as a string"),
    pytest.param(statement(object=ACTIVITY, result={**RESULT, "duration": "PT1H0M0.01S"}, context=CONTEXT,
                           timestamp="2015-11-18T12:17:00.123Z"), id="Data 4.6 s1.b5 hundredths of a second count"),
    pytest.param(statement(object=ACTIVITY, result={**RESULT, "success": False}, context=CONTEXT,
                           timestamp="2015-11-18T12:17:00.123Z"), id="another result"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T12:17:00.123Z",
                           verb={"id": "http://adlnet.gov/expapi/verbs/completed"}), id="another verb"),
    pytest.param(statement(object={"id": "http://www.example.com/other"}, result=RESULT, context=CONTEXT,
                           timestamp="2015-11-18T12:17:00.123Z"), id="another activity"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context={**CONTEXT, "platform": "other"},
                           timestamp="2015-11-18T12:17:00.123Z"), id="another context"),
    pytest.param(statement(object=ACTIVITY, result=RESULT, context=CONTEXT, timestamp="2015-11-18T12:17:00.123Z",
                           actor={**MBOX, "mbox": "mailto:XAPI@adlnet.gov"}), id="the local part of an e-mail"),
    pytest.param(statement(object=ACTIVITY, context=CONTEXT, timestamp="2015-11-18T12:17:00.123Z"),
                 id="a result left out"),
]


@pytest.mark.parametrize("other", DIFFERENT)
def test_other_differences_count(other):
    """Data 2.3.1 s9.b2."""
    assert not same_statement(BASE, other)
    assert not same_statement(other, BASE)


def test_non_objects_are_never_the_same():
    assert not same_statement(BASE, "x")
