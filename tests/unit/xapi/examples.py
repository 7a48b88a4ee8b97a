"""Statements to test with, shaped like the ADL conformance suite's templates (test/v1_0_3/templates) and the
spec's own examples (Data Appendix A–C)."""

from copy import deepcopy

ADL = "http://adlnet.gov/expapi/verbs/"
MBOX = {"objectType": "Agent", "name": "xAPI mbox", "mbox": "mailto:xapi@adlnet.gov"}
MBOX_SHA1SUM = {"objectType": "Agent", "mbox_sha1sum": "cd9b00a5611f94eaa7b1661edab976068e364975"}
OPENID = {"objectType": "Agent", "openid": "http://openid.example.org/12345"}
ACCOUNT = {"objectType": "Agent", "account": {"homePage": "http://www.example.com", "name": "xAPI account name"}}
ANONYMOUS_GROUP = {"objectType": "Group", "name": "anonymous", "member": [MBOX, ACCOUNT]}
IDENTIFIED_GROUP = {"objectType": "Group", "name": "identified", "mbox": "mailto:group@example.com",
                    "member": [OPENID]}
VERB = {"id": ADL + "attended", "display": {"en-US": "attended", "en-GB": "attended"}}
ACTIVITY = {"objectType": "Activity", "id": "http://www.example.com/meetings/occurances/34534",
            "definition": {"name": {"en-GB": "example meeting", "en-US": "example meeting"},
                           "description": {"en-US": "An example meeting."},
                           "type": "http://adlnet.gov/expapi/activities/meeting",
                           "moreInfo": "http://virtualmeeting.example.com/345256",
                           "extensions": {"http://example.com/profiles/meetings/extension/room": {"name": "Kilby"}}}}
STATEMENT_REF = {"objectType": "StatementRef", "id": "8f87ccde-bb56-4c2e-ab83-44982ef22df0"}
RESULT = {"score": {"scaled": 0.95, "raw": 95, "min": 0, "max": 100}, "success": True, "completion": True,
          "response": "We agreed on some example actions.", "duration": "PT1H0M0S",
          "extensions": {"http://example.com/profiles/meetings/resultextensions/minuteslocation": "X:\\minutes"}}
CONTEXT = {"registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
           "instructor": {"objectType": "Agent", "name": "Andrew Downes",
                          "account": {"homePage": "http://www.example.com", "name": "13936749"}},
           "team": {"objectType": "Group", "name": "Team PB", "mbox": "mailto:teampb@example.com"},
           "contextActivities": {"parent": [{"id": "http://www.example.com/meetings/series/267",
                                             "objectType": "Activity"}],
                                 "grouping": {"id": "http://www.example.com/meetings/series"},
                                 "category": [{"id": "http://www.example.com/meetings/categories/teammeeting"}],
                                 "other": [{"id": "http://www.example.com/meetings/occurances/34257"}]},
           "revision": "1.0", "platform": "Example virtual meeting software", "language": "tlh",
           "statement": {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"},
           "extensions": {"http://example.com/context/altitude": 1200}}
ATTACHMENT = {"usageType": "http://example.com/attachment-usage/test",
              "display": {"en-US": "A test attachment"}, "description": {"en-US": "A test attachment (description)"},
              "contentType": "text/plain; charset=ascii", "length": 27,
              "sha2": "495395e777cd98da653df9615d09c0fd6bb2f8d4788394cd53c56a3bfdcd848a",
              "fileUrl": "http://over.there.com/file.txt"}

INTERACTIONS = {
    "true-false": {"interactionType": "true-false", "correctResponsesPattern": ["true"]},
    "choice": {"interactionType": "choice", "correctResponsesPattern": ["golf[,]tetris"],
               "choices": [{"id": "golf", "description": {"en-US": "Golf Example"}},
                           {"id": "tetris", "description": {"en-US": "Tetris Example"}}]},
    "fill-in": {"interactionType": "fill-in", "correctResponsesPattern": ["Bob's your uncle"]},
    "long-fill-in": {"interactionType": "long-fill-in",
                     "correctResponsesPattern": ["{case_matters=false}{lang=en}To store learning experiences."]},
    "likert": {"interactionType": "likert", "correctResponsesPattern": ["likert_3"],
               "scale": [{"id": "likert_0", "description": {"en-US": "It's OK"}},
                         {"id": "likert_3", "description": {"en-US": "It's Gonna Change the World"}}]},
    "matching": {"interactionType": "matching", "correctResponsesPattern": ["ben[.]3[,]chris[.]2"],
                 "source": [{"id": "ben", "description": {"en-US": "Ben"}}, {"id": "chris"}],
                 "target": [{"id": "2", "description": {"en-US": "We got Runs"}}, {"id": "3"}]},
    "performance": {"interactionType": "performance", "correctResponsesPattern": ["pong[.]1:[,]dg[.]:10"],
                    "steps": [{"id": "pong", "description": {"en-US": "Net pong matches won"}}, {"id": "dg"}]},
    "sequencing": {"interactionType": "sequencing", "correctResponsesPattern": ["tim[,]mike"],
                   "choices": [{"id": "tim"}, {"id": "mike"}]},
    "numeric": {"interactionType": "numeric", "correctResponsesPattern": ["4[:]"]},
    "other": {"interactionType": "other", "correctResponsesPattern": ["(35.937432,-86.868896)"]},
}


def statement(**changes) -> dict:
    """The smallest valid statement (Data 2.4 s2), with properties replaced or added; a value of ... removes one."""
    out = {"id": "fd41c918-b88b-4b20-a0a5-a4c32391aaa0", "actor": deepcopy(MBOX), "verb": deepcopy(VERB),
           "object": {"id": "http://www.example.com/tincan/activities/default"}}
    for name, value in changes.items():
        if value is ...:
            out.pop(name, None)
        else:
            out[name] = deepcopy(value)
    return out


def substatement(**changes) -> dict:
    """A SubStatement object (Data 2.4.4.3 s8) with properties replaced, added or removed (...)."""
    out = {"objectType": "SubStatement", "actor": deepcopy(ACCOUNT), "verb": {"id": "http://example.com/visited"},
           "object": {"objectType": "Activity", "id": "http://example.com/website"}}
    for name, value in changes.items():
        if value is ...:
            out.pop(name, None)
        else:
            out[name] = deepcopy(value)
    return out


def merged(base: dict, **changes) -> dict:
    out = deepcopy(base)
    for name, value in changes.items():
        if value is ...:
            out.pop(name, None)
        else:
            out[name] = deepcopy(value)
    return out
