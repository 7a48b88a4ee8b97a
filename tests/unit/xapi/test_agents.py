"""Agents and groups: identifier keys (Data 2.4.2.3) and what a statement is about, for the `agent`,
`related_agents`, `activity` and `related_activities` query parameters (Communication 2.1.3)."""

import pytest

from lms.xapi.agents import agent_key, agent_problems, ifi_of, statement_activity_ids, statement_agent_keys
from tests.unit.xapi.examples import ACCOUNT, ANONYMOUS_GROUP, IDENTIFIED_GROUP, MBOX, OPENID, statement

MBOX_KEY = "mbox:mailto:xapi@adlnet.gov"
ACCOUNT_KEY = "account:http://www.example.com|xAPI account name"
OPENID_KEY = "openid:http://openid.example.org/12345"
GROUP_KEY = "mbox:mailto:group@example.com"


@pytest.mark.parametrize("agent,key", [
    (MBOX, MBOX_KEY),
    ({"mbox": "mailto:Xapi@ADLNET.gov"}, "mbox:mailto:Xapi@adlnet.gov"),
    ({"mbox_sha1sum": "CD9B00A5611F94EAA7B1661EDAB976068E364975"}, "mbox_sha1sum:cd9b00a5611f94eaa7b1661edab976068e364975"),
    (OPENID, OPENID_KEY),
    (ACCOUNT, ACCOUNT_KEY),
    (IDENTIFIED_GROUP, GROUP_KEY),
    (ANONYMOUS_GROUP, None),
    ({"mbox": "mailto:a@b.c", "openid": "http://x.example.com"}, None),
    ("mailto:a@b.c", None),
])
def test_agent_keys_identify_agents_by_their_one_ifi(agent, key):
    """Data 2.4.2.3 and 2.3.1 b7: equal IFIs mean the same agent; an e-mail domain and a hash's hex digits are case
    insensitive."""
    assert agent_key(agent) == key


def test_ifi_of_is_the_only_identifier():
    assert ifi_of(ACCOUNT) == ("account", ACCOUNT["account"])
    assert ifi_of(ANONYMOUS_GROUP) is None


def test_agent_problems_check_one_agent_at_a_path():
    """Data 2.4.2.1 s2.b1: the same agent checks serve the statement and the document resources' agent parameter."""
    assert agent_problems(MBOX, "agent") == {}
    assert set(agent_problems({"mbox": "x"}, "agent")) == {"agent.mbox"}
    assert set(agent_problems({"objectType": "Group", "member": [MBOX]}, "authority", kind="authority")) == {
        "authority"}


def _statement_with_everyone():
    return statement(
        actor=MBOX, object={"objectType": "SubStatement", "actor": OPENID, "verb": {"id": "http://x.com/v"},
                            "object": {"objectType": "Agent", "mbox": "mailto:sub-object@example.com"},
                            "context": {"instructor": {"mbox": "mailto:sub-instructor@example.com"}}},
        authority={"objectType": "Group", "member": [ACCOUNT, {"mbox": "mailto:user@example.com"}]},
        context={"instructor": {"mbox": "mailto:instructor@example.com"}, "team": IDENTIFIED_GROUP})


def test_statement_agent_keys_are_actor_and_agent_object():
    """Communication 2.1.3 "agent": the Actor or Object of the statement; a Group whose members match counts."""
    assert statement_agent_keys(statement(actor=MBOX), related=False) == {MBOX_KEY}
    assert statement_agent_keys(statement(actor=ANONYMOUS_GROUP, object=IDENTIFIED_GROUP), related=False) == {
        MBOX_KEY, ACCOUNT_KEY, GROUP_KEY, OPENID_KEY}
    assert statement_agent_keys(_statement_with_everyone(), related=False) == {MBOX_KEY}


def test_related_agent_keys_add_authority_instructor_team_and_the_substatement():
    """Communication 2.1.3 "related_agents": Actor, Object, Authority, Instructor, Team, or any of these properties
    in a contained SubStatement."""
    assert statement_agent_keys(_statement_with_everyone(), related=True) == {
        MBOX_KEY, OPENID_KEY, "mbox:mailto:sub-object@example.com", "mbox:mailto:sub-instructor@example.com",
        ACCOUNT_KEY, "mbox:mailto:user@example.com", "mbox:mailto:instructor@example.com", GROUP_KEY}


def test_statement_activity_ids_are_the_object_and_with_related_the_context_activities():
    """Communication 2.1.3 "activity" and "related_activities": the Object; broadly also every context activity
    and the same in a contained SubStatement."""
    s = statement(
        object={"objectType": "SubStatement", "actor": MBOX, "verb": {"id": "http://x.com/v"},
                "object": {"id": "http://x.com/sub"},
                "context": {"contextActivities": {"other": {"id": "http://x.com/sub-other"}}}},
        context={"contextActivities": {"parent": [{"id": "http://x.com/p"}], "grouping": {"id": "http://x.com/g"},
                                       "category": [{"id": "http://x.com/c"}, {"id": "http://x.com/c2"}]}})
    assert statement_activity_ids(s, related=False) == set()
    assert statement_activity_ids(s, related=True) == {
        "http://x.com/sub", "http://x.com/sub-other", "http://x.com/p", "http://x.com/g", "http://x.com/c",
        "http://x.com/c2"}
    plain = statement(object={"id": "http://x.com/a"}, context={"contextActivities": {"parent": {"id": "http://x.com/p"}}})
    assert statement_activity_ids(plain, related=False) == {"http://x.com/a"}
    assert statement_activity_ids(plain, related=True) == {"http://x.com/a", "http://x.com/p"}
    assert statement_activity_ids(statement(object=MBOX), related=True) == set()
