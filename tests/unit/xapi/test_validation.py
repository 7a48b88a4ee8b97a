"""The statement data model (xAPI 1.0.3, Data 2.2–2.6, 4.x): every statement an LRS MUST refuse is refused at the
property that breaks the rule, and every valid variant (the conformance suite's templates and the spec's examples)
is accepted. Each case's id names the requirement it covers."""

import pytest

from lms.xapi.validation import batch_problems, is_language_tag, parse_timestamp, statement_problems
from tests.unit.xapi.examples import (
    ACCOUNT,
    ACTIVITY,
    ADL,
    ANONYMOUS_GROUP,
    ATTACHMENT,
    CONTEXT,
    IDENTIFIED_GROUP,
    INTERACTIONS,
    MBOX,
    MBOX_SHA1SUM,
    OPENID,
    RESULT,
    STATEMENT_REF,
    VERB,
    merged,
    statement,
    substatement,
)

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"
ACT = "http://www.example.com/act"


def activity(**definition) -> dict:
    return {"objectType": "Activity", "id": ACT, "definition": definition}


VALID = [
    pytest.param(statement(), id="Data 2.4 s2 the simplest statement"),
    pytest.param(statement(id=...), id="Data 2.4.1 id is optional (the LRS assigns it)"),
    pytest.param(statement(id="FD41C918-B88B-4B20-A0A5-A4C32391AAA0"), id="Data 4.4 UUID in upper case"),
    pytest.param(statement(actor=MBOX), id="Data 2.4.2.3 actor with mbox"),
    pytest.param(statement(actor=MBOX_SHA1SUM), id="Data 2.4.2.3 actor with mbox_sha1sum"),
    pytest.param(statement(actor=OPENID), id="Data 2.4.2.3 actor with openid"),
    pytest.param(statement(actor=ACCOUNT), id="Data 2.4.2.4 actor with account"),
    pytest.param(statement(actor={"mbox": "mailto:xapi@adlnet.gov"}), id="Data 2.4.2.1 objectType Agent optional"),
    pytest.param(statement(actor=ANONYMOUS_GROUP), id="Data 2.4.2.2 anonymous group actor"),
    pytest.param(statement(actor=IDENTIFIED_GROUP), id="Data 2.4.2.2 identified group actor"),
    pytest.param(statement(actor=merged(IDENTIFIED_GROUP, member=...)), id="Data 2.4.2.2 s5.b4 members optional"),
    pytest.param(statement(verb={"id": ADL + "voided"}, object=STATEMENT_REF), id="Data 2.3.2 voiding statement"),
    pytest.param(statement(verb={"id": "http://example.com/فعل/خواندن"}), id="Data 2.4.3.1 an IRI verb"),
    pytest.param(statement(object=ACTIVITY), id="Data 2.4.4.1 activity with definition"),
    pytest.param(statement(object=merged(ACTIVITY, objectType=...)), id="Data 2.4.4 s2 objectType defaults"),
    pytest.param(statement(object=MBOX), id="Data 2.4.4.2 agent as object"),
    pytest.param(statement(object=IDENTIFIED_GROUP), id="Data 2.4.4.2 group as object"),
    pytest.param(statement(object=STATEMENT_REF), id="Data 2.4.4.3 s4 statement reference"),
    pytest.param(statement(object=substatement()), id="Data 2.4.4.3 s8 substatement"),
    pytest.param(statement(object=substatement(object=STATEMENT_REF, result=RESULT, timestamp="2099-01-01T00:00Z",
                                               context=merged(CONTEXT, revision=..., platform=...))),
                 id="Data 2.4.7 s3.b5 substatement with result context and a future timestamp"),
    pytest.param(statement(object=substatement(object=ACTIVITY, context=CONTEXT)),
                 id="Data 2.4.4.3 substatement context with revision for an activity"),
    pytest.param(statement(result=RESULT), id="Data 2.4.5 full result"),
    pytest.param(statement(result={"score": {"raw": -5, "min": -10, "max": -1}}), id="Data 2.4.5.1 negative scores"),
    pytest.param(statement(result={"score": {"scaled": -1}}), id="Data 2.4.5.1 scaled -1 inclusive"),
    pytest.param(statement(result={"score": {"raw": 0.12123434, "min": 0.1, "max": 45.45}}),
                 id="Data 2.2 s4.b3 floating point scores"),
    pytest.param(statement(result={"extensions": {"http://example.com/null": None}}),
                 id="Data 2.2 s4.b1.b1 null allowed in result extensions"),
    pytest.param(statement(context=CONTEXT), id="Data 2.4.6 full context"),
    pytest.param(statement(context={"extensions": {"http://example.com/null": None}}),
                 id="Data 4.1 s3.b2 null allowed in context extensions"),
    pytest.param(statement(object=activity(extensions={"http://example.com/null": None})),
                 id="Data 4.1 s3.b2 null allowed in activity extensions"),
    pytest.param(statement(context={"instructor": ANONYMOUS_GROUP, "team": ANONYMOUS_GROUP}),
                 id="Data 2.4.6 instructor may be a group"),
    pytest.param(statement(context={"contextActivities": {"parent": {"id": ACT}}}),
                 id="Data 2.4.6.2 s4.b2 single context activity"),
    pytest.param(statement(authority=ACCOUNT), id="Data 2.4.9 authority agent"),
    pytest.param(statement(authority={"objectType": "Group", "member": [
        {"account": {"homePage": "http://example.com/xAPI/OAuth/Token", "name": "oauth_consumer_x75db"}},
        {"mbox": "mailto:bob@example.com"}]}), id="Data 2.4.9 s3.b1 three-legged OAuth authority group"),
    pytest.param(statement(timestamp="2013-05-18T05:32:34.804Z"), id="Data 4.5 timestamp in UTC"),
    pytest.param(statement(timestamp="2015-11-18T12:17:00+00:00"), id="Data 4.5 timestamp with +00:00"),
    pytest.param(statement(timestamp="2015-11-18T12:17:00.123456789-05:30"), id="Data 4.5 timestamp offset"),
    pytest.param(statement(timestamp="20151118T121700Z"), id="Data 4.5 timestamp in ISO 8601 basic format"),
    pytest.param(statement(timestamp="2015-11-18T12:17:00"), id="Data 4.5 s1.b4 time zone is a SHOULD"),
    pytest.param(statement(stored="2013-05-18T05:32:34.804+00:00"), id="Data 2.4.8 stored sent is allowed"),
    pytest.param(statement(version="1.0"), id="Data 2.4.10 version 1.0"),
    pytest.param(statement(version="1.0.9"), id="Data 2.4.10 s3.b1 any 1.0.x version"),
    pytest.param(statement(attachments=[ATTACHMENT]), id="Data 2.4.11 attachment with fileUrl"),
    pytest.param(statement(attachments=[merged(ATTACHMENT, fileUrl=..., description=...)]),
                 id="Data 2.4.11 attachment without optional properties"),
    pytest.param(statement(attachments=[merged(ATTACHMENT, usageType=SIGNATURE,
                                               contentType="application/octet-stream")]),
                 id="Data 2.6 s4.b1 signature attachment"),
] + [
    pytest.param(statement(object=activity(type="http://adlnet.gov/expapi/activities/cmi.interaction",
                                           description={"en-US": kind}, **definition)),
                 id=f"Data 2.4.4.1 Appendix C {kind} interaction")
    for kind, definition in INTERACTIONS.items()
] + [
    pytest.param(statement(verb={"id": ADL + "attended", "display": {tag: "x"}}), id=f"Data 4.2 language tag {tag}")
    for tag in ("de", "i-enochian", "ine", "zh-Hant", "sr-Latn", "zh-cmn-Hans-CN", "sr-Latn-RS", "sl-rozaj-biske",
                "de-CH-1901", "hy-Latn-IT-arevela", "de-DE", "az-Arab-x-AZE-derbend", "x-whatever", "es-419")
] + [
    pytest.param(statement(result={"duration": duration}), id=f"Data 4.6 duration {duration}")
    for duration in ("PT1H0M0.1S", "PT4H35M59.14S", "PT16559.14S", "P3Y1M29DT4H35M59.14S", "P3Y", "P4W", "PT0S",
                     "P1D", "PT1,5S")
]


@pytest.mark.parametrize("valid", VALID)
def test_valid_statements_are_accepted(valid):
    """Data 2.2: an LRS accepts every statement that follows the data model (the conformance suite's templates)."""
    assert statement_problems(valid) == {}


def _with(path_value: dict, **changes) -> dict:
    return merged(path_value, **changes)


INVALID = [
    # Data 2.2 formatting requirements
    pytest.param("not an object", "", id="Data 2.2 a statement is a JSON object"),
    pytest.param(statement(actor=...), "actor", id="Data 2.2 s2.b3 actor is required XAPI-00003"),
    pytest.param(statement(verb=...), "verb", id="Data 2.2 s2.b3 verb is required XAPI-00004"),
    pytest.param(statement(object=...), "object", id="Data 2.2 s2.b3 object is required XAPI-00005"),
    pytest.param(statement(actor=merged(MBOX, name=None)), "actor.name", id="Data 2.2 s4.b1.b1 null actor name"),
    pytest.param(statement(verb={"id": ADL + "x", "display": {"en-US": None}}), 'verb.display["en-US"]',
                 id="Data 2.2 s4.b1.b1 null in a language map"),
    pytest.param(statement(context={"registration": None}), "context.registration",
                 id="Data 2.2 s4.b1.b1 null registration"),
    pytest.param(statement(object=activity(moreInfo=None)), "object.definition.moreInfo",
                 id="Data 2.2 s4.b1.b1 null moreInfo"),
    pytest.param(statement(result={"score": {"max": "one hundred"}}), "result.score.max",
                 id="Data 2.2 s4.b2 string where a number is required"),
    pytest.param(statement(result={"score": {"max": "100"}}), "result.score.max",
                 id="Data 2.2 s4.b2 numeric string where a number is required"),
    pytest.param(statement(result={"success": "We regret"}), "result.success",
                 id="Data 2.2 s4.b2 string where a boolean is required"),
    pytest.param(statement(result={"completion": "false"}), "result.completion",
                 id="Data 2.2 s4.b2 boolean string where a boolean is required"),
    pytest.param(statement(result={"response": 12345}), "result.response",
                 id="Data 2.2 s4.b2 number where a string is required"),
    pytest.param(statement(result={"score": {"raw": True}}), "result.score.raw",
                 id="Data 2.2 s4.b2 boolean where a number is required"),
    pytest.param(statement(id=12345), "id", id="Data 2.2 s4.b4 numeric id"),
    pytest.param(statement(id={"key": "should fail"}), "id", id="Data 2.2 s4.b4 object id"),
    pytest.param(statement(id="AA97B177-9383-4934-8543-0F91A7A028368"), "id", id="Data 4.4 UUID with too many digits"),
    pytest.param(statement(id="MA97B177-9383-4934-8543-0F91A7A02836"), "id", id="Data 4.4 UUID with a non-hex letter"),
    pytest.param(statement(id=""), "id", id="Data 2.2 s4.b4 empty string where a UUID is required"),
    pytest.param(statement(id="fd41c918b88b4b20a0a5a4c32391aaa0"), "id", id="Data 4.4 UUID not in standard form"),
    pytest.param(statement(iD="fd41c918-b88b-4b20-a0a5-a4c32391aaa0"), "iD", id="Data 2.2 s4.b1.b5 key case iD"),
    pytest.param(statement(actor=..., Actor=MBOX), "Actor", id="Data 2.2 s4.b1.b5 key case Actor"),
    pytest.param(statement(verb=..., veRb=VERB), "veRb", id="Data 2.2 s4.b1.b5 key case veRb"),
    pytest.param(statement(RESULT=RESULT), "RESULT", id="Data 2.2 s4.b1.b5 key case RESULT"),
    pytest.param(statement(conText=CONTEXT), "conText", id="Data 2.2 s4.b1.b5 key case conText"),
    pytest.param(statement(timeStamp="2015-11-18T12:17:00Z"), "timeStamp", id="Data 2.2 s4.b1.b5 key case timeStamp"),
    pytest.param(statement(STOred="2015-11-18T12:17:00Z"), "STOred", id="Data 2.2 s4.b1.b5 key case STOred"),
    pytest.param(statement(auTHORity=ACCOUNT), "auTHORity", id="Data 2.2 s4.b1.b5 key case auTHORity"),
    pytest.param(statement(Version="1.0.3"), "Version", id="Data 2.2 s4.b1.b5 key case Version"),
    pytest.param(statement(attachmentS=[ATTACHMENT]), "attachmentS", id="Data 2.2 s4.b1.b5 key case attachmentS"),
    pytest.param(statement(actor=merged(MBOX, MBOX="mailto:a@b.c")), "actor.MBOX", id="Data 2.2 s4.b1.b5 key case mbox"),
    pytest.param(statement(extra=1), "extra", id="Data 2.2 s4.b1 a key the spec does not define"),
    pytest.param(statement(objectType="Statement"), "objectType", id="Data 2.4 objectType is no statement property"),
    # Data 2.4.2 actor
    pytest.param(statement(actor={"objectType": "Agent", "name": "no ifi"}), "actor",
                 id="Data 2.4.2.1 s2.b1 agent without an IFI"),
    pytest.param(statement(actor=merged(MBOX, openid="http://openid.example.org/1")), "actor",
                 id="Data 2.4.2.1 s2.b2 agent with two IFIs"),
    pytest.param(statement(actor=merged(MBOX, objectType=123)), "actor.objectType", id="Data 2.4.2 numeric objectType"),
    pytest.param(statement(actor=merged(MBOX, objectType={"key": "value"})), "actor.objectType",
                 id="Data 2.4.2 object objectType"),
    pytest.param(statement(actor=merged(MBOX, objectType="agent")), "actor.objectType",
                 id="Data 2.2 s4.b1.b6 objectType case agent"),
    pytest.param(statement(actor=merged(MBOX, name=123)), "actor.name", id="Data 2.4.2.1 numeric name"),
    pytest.param(statement(actor=merged(MBOX, name={"key": "value"})), "actor.name", id="Data 2.4.2.1 object name"),
    pytest.param(statement(actor={"mbox": "mailto:should.fail.com"}), "actor.mbox",
                 id="Data 2.4.2.3 mbox without an address"),
    pytest.param(statement(actor={"mbox": "http://should.fail.com"}), "actor.mbox",
                 id="Data 2.4.2.3 mbox not a mailto IRI"),
    pytest.param(statement(actor={"mbox": "xapi@adlnet.gov"}), "actor.mbox", id="Data 2.4.2.3 mbox without mailto"),
    pytest.param(statement(actor={"mbox_sha1sum": "not-a-sha1"}), "actor.mbox_sha1sum",
                 id="Data 2.4.2.3 mbox_sha1sum not a SHA-1"),
    pytest.param(statement(actor={"mbox_sha1sum": 12345}), "actor.mbox_sha1sum",
                 id="Data 2.4.2.3 numeric mbox_sha1sum"),
    pytest.param(statement(actor={"openid": "ab=c://should.fail.com"}), "actor.openid",
                 id="Data 2.4.2.3 openid not a URI"),
    pytest.param(statement(actor={"account": {"homePage": "ab=c://should.fail.com", "name": "n"}}),
                 "actor.account.homePage", id="Data 2.4.2.4 homePage not an IRL"),
    pytest.param(statement(actor={"account": {"name": "n"}}), "actor.account.homePage",
                 id="Data 2.4.2.4 account without homePage"),
    pytest.param(statement(actor={"account": {"homePage": "http://example.com"}}), "actor.account.name",
                 id="Data 2.4.2.4 account without name"),
    pytest.param(statement(actor={"account": {"homePage": "http://example.com", "name": {"key": "value"}}}),
                 "actor.account.name", id="Data 2.4.2.4 account name not a string"),
    pytest.param(statement(actor={"account": {"homePage": "http://example.com", "name": "n", "x": 1}}),
                 "actor.account.x", id="Data 2.4.2.4 unknown account property"),
    pytest.param(statement(actor={"account": "http://example.com/n"}), "actor.account",
                 id="Data 2.4.2.4 account not an object"),
    pytest.param(statement(actor=merged(MBOX, member=[ACCOUNT])), "actor.member",
                 id="XAPI-00035 member only in a group"),
    pytest.param(statement(actor={"objectType": "Group", "name": "no members"}), "actor.member",
                 id="Data 2.4.2.2 s4.b1 anonymous group without members"),
    pytest.param(statement(actor={"objectType": "Group", "member": []}), "actor.member",
                 id="Data 2.4.2.2 s4.b1 anonymous group with no members"),
    pytest.param(statement(actor={"objectType": "Group", "member": {"objectType": "Group"}}), "actor.member",
                 id="Data 2.4.2.2 member is an array"),
    pytest.param(statement(actor={"objectType": "Group", "member": [ANONYMOUS_GROUP]}), "actor.member[0]",
                 id="Data 2.4.2.2 s4.b2 anonymous group containing a group"),
    pytest.param(statement(actor=merged(IDENTIFIED_GROUP, member=[IDENTIFIED_GROUP])), "actor.member[0]",
                 id="Data 2.4.2.2 s5.b2 identified group containing a group"),
    pytest.param(statement(actor=merged(IDENTIFIED_GROUP, openid="http://x.example.com/g")), "actor",
                 id="Data 2.4.2.2 s5.b1 identified group with two IFIs"),
    pytest.param(statement(actor={"objectType": "Group", "member": [{"name": "no ifi"}]}), "actor.member[0]",
                 id="Data 2.4.2.2 members are valid agents"),
    pytest.param(statement(actor="mailto:xapi@adlnet.gov"), "actor", id="Data 2.4.2 actor is an object"),
    pytest.param(statement(actor=merged(MBOX, objectType="Activity")), "actor.objectType",
                 id="Data 2.4.2 actor is an Agent or Group"),
    # Data 2.4.3 verb
    pytest.param(statement(verb={"display": {"en-US": "x"}}), "verb.id", id="Data 2.4.3 verb id is required"),
    pytest.param(statement(verb={"id": "attended"}), "verb.id", id="Data 2.4.3 verb id without a scheme XAPI-00011"),
    pytest.param(statement(verb={"id": ""}), "verb.id", id="Data 2.2 s4.b4 empty verb id"),
    pytest.param(statement(verb={"id": "http://example.com/has space"}), "verb.id", id="Data 4.3 IRI with a space"),
    pytest.param(statement(verb={"id": 12345}), "verb.id", id="Data 2.4.3 numeric verb id"),
    pytest.param(statement(verb={"id": ADL + "x", "display": "attended"}), "verb.display",
                 id="Data 2.4.3 display is a language map"),
    pytest.param(statement(verb={"id": ADL + "x", "display": {"de-419-DE": "besucht"}}), 'verb.display["de-419-DE"]',
                 id="Data 4.2 XAPI-00013 language tag with two regions"),
    pytest.param(statement(verb={"id": ADL + "x", "display": {"a-DE": "x"}}), 'verb.display["a-DE"]',
                 id="Data 4.2 XAPI-00013 singleton primary subtag"),
    pytest.param(statement(verb={"id": ADL + "x", "display": {"ar-a-aaa-b-bbb-a-ccc": "x"}}),
                 'verb.display["ar-a-aaa-b-bbb-a-ccc"]', id="Data 4.2 XAPI-00013 repeated extension singleton"),
    pytest.param(statement(verb={"id": ADL + "x", "display": {"a12345": "x"}}), 'verb.display["a12345"]',
                 id="Data 4.2 invalid language map key"),
    pytest.param(statement(verb={"id": ADL + "x", "Display": {"en": "x"}}), "verb.Display",
                 id="Data 2.2 s4.b1.b5 verb key case"),
    pytest.param(statement(verb={"id": ADL + "voided"}, object={"id": ACT}), "object.objectType",
                 id="Data 2.3.2 s2.b1 voiding statement object must be a StatementRef"),
    pytest.param(statement(verb={"id": ADL + "voided"}, object=MBOX), "object.objectType",
                 id="Data 2.3.2 s2.b1 voiding an agent"),
    # Data 2.4.4 object
    pytest.param(statement(object={"objectType": "Activity"}), "object.id", id="Data 2.4.4.1 activity id required"),
    pytest.param(statement(object={"id": "not an iri"}), "object.id", id="Data 2.4.4.1 activity id is an IRI"),
    pytest.param(statement(object={"id": ACT, "objectType": "activity"}), "object.objectType",
                 id="Data 2.2 s4.b1.b6 objectType case activity"),
    pytest.param(statement(object={"id": ACT, "objectType": "Thing"}), "object.objectType",
                 id="Data 2.4.4 s2 unknown objectType"),
    pytest.param(statement(object={"mbox": "mailto:xapi@adlnet.gov"}), "object.mbox",
                 id="Data 2.4.4.2 s1.b1 agent object without objectType"),
    pytest.param(statement(object="http://example.com/a"), "object", id="Data 2.4.4 object is an object"),
    pytest.param(statement(object=activity(name="example")), "object.definition.name",
                 id="Data 2.4.4.1 s2 name is a language map"),
    pytest.param(statement(object=activity(description={"de-419-DE": "x"})), 'object.definition.description["de-419-DE"]',
                 id="Data 4.2 description with an invalid tag"),
    pytest.param(statement(object=activity(name={"en-US": 12345})), 'object.definition.name["en-US"]',
                 id="Data 4.2 numeric language map value"),
    pytest.param(statement(object=activity(type="meeting")), "object.definition.type",
                 id="Data 2.4.4.1 s2 type is an IRI"),
    pytest.param(statement(object=activity(moreInfo="virtualmeeting")), "object.definition.moreInfo",
                 id="Data 2.4.4.1 s2 moreInfo is an IRL"),
    pytest.param(statement(object=activity(extensions={"room": "Kilby"})), 'object.definition.extensions["room"]',
                 id="Data 4.1 s3.b1 extension keys are IRIs"),
    pytest.param(statement(object=activity(extensions=["http://x.com/e"])), "object.definition.extensions",
                 id="Data 4.1 extensions are an object"),
    pytest.param(statement(object=activity(Name={"en": "x"})), "object.definition.Name",
                 id="Data 2.2 s4.b1.b5 definition key case"),
    pytest.param(statement(object=merged(ACTIVITY, definition="meeting")), "object.definition",
                 id="Data 2.4.4.1 s2 definition is an object"),
    pytest.param(statement(object=merged(ACTIVITY, extra=1)), "object.extra", id="Data 2.4.4.1 unknown activity key"),
    pytest.param(statement(object=STATEMENT_REF | {"id": "not-a-uuid"}), "object.id",
                 id="Data 2.4.4.3 s4.b2 StatementRef id is a UUID"),
    pytest.param(statement(object={"objectType": "StatementRef"}), "object.id",
                 id="Data 2.4.4.3 s4.b2 StatementRef id required"),
    pytest.param(statement(object=STATEMENT_REF | {"definition": {}}), "object.definition",
                 id="Data 2.4.4.3 s4 unknown StatementRef key"),
    pytest.param(statement(object=substatement(objectType=...)), "object.id",
                 id="Data 2.4.4.3 s8.b1 a SubStatement needs its objectType"),
    pytest.param(statement(object=substatement(id="fd41c918-b88b-4b20-a0a5-a4c32391aaa0")), "object.id",
                 id="Data 2.4.4.3 s8.b3 SubStatement with id"),
    pytest.param(statement(object=substatement(stored="2015-11-18T12:17:00Z")), "object.stored",
                 id="Data 2.4.4.3 s8.b3 SubStatement with stored"),
    pytest.param(statement(object=substatement(version="1.0.0")), "object.version",
                 id="Data 2.4.4.3 s8.b3 SubStatement with version"),
    pytest.param(statement(object=substatement(authority=ACCOUNT)), "object.authority",
                 id="Data 2.4.4.3 s8.b3 SubStatement with authority"),
    pytest.param(statement(object=substatement(object=substatement())), "object.object.objectType",
                 id="Data 2.4.4.3 s8.b4 nested SubStatement"),
    pytest.param(statement(object=substatement(actor=...)), "object.actor",
                 id="Data 2.4.4.3 s8.b2 SubStatement validated as a statement: actor"),
    pytest.param(statement(object=substatement(actor=merged(ACCOUNT, objectType=123))), "object.actor.objectType",
                 id="Data 2.4.4.3 s8.b2 SubStatement agent objectType"),
    pytest.param(statement(object=substatement(verb={"id": "http://x.com/v", "display": {"de-419-DE": "x"}})),
                 'object.verb.display["de-419-DE"]', id="Data 2.4.4.3 s8.b2 SubStatement verb display"),
    pytest.param(statement(object=substatement(timestamp="01/011/2015")), "object.timestamp",
                 id="Data 2.4.4.3 s8.b2 SubStatement timestamp"),
    pytest.param(statement(object=substatement(result={"duration": "PA1H0M0S"})), "object.result.duration",
                 id="Data 2.4.4.3 s8.b2 SubStatement result duration"),
    pytest.param(statement(object=substatement(context={"registration": "should fail"})),
                 "object.context.registration", id="Data 2.4.4.3 s8.b2 SubStatement context registration"),
    pytest.param(statement(object=substatement(object=MBOX, context={"revision": "1"})), "object.context.revision",
                 id="Data 2.4.6 s4.b1 SubStatement revision with an agent object"),
    pytest.param(statement(object=substatement(verb={"id": ADL + "voided"})), "object.object.objectType",
                 id="Data 2.3.2 s2.b1 voiding SubStatement needs a StatementRef"),
    # Data 2.4.4.1 interaction activities
    pytest.param(statement(object=activity(interactionType="true-faLse")), "object.definition.interactionType",
                 id="Data 2.2 s4.b1.b6 interactionType case"),
    pytest.param(statement(object=activity(interactionType="Other")), "object.definition.interactionType",
                 id="Data 2.2 s4.b1.b6 interactionType Other"),
    pytest.param(statement(object=activity(interactionType="http://example.com/choice")),
                 "object.definition.interactionType", id="Data 2.4.4.1 s13.b1 interactionType as an IRI"),
    pytest.param(statement(object=activity(interactionType=12345)), "object.definition.interactionType",
                 id="Data 2.4.4.1 s13.b1 numeric interactionType"),
    pytest.param(statement(object=activity(interactionType={"key": "x"})), "object.definition.interactionType",
                 id="Data 2.4.4.1 s13.b1 object interactionType"),
    pytest.param(statement(object=activity(correctResponsesPattern=["true"])), "object.definition.interactionType",
                 id="Data 2.4.4.1 s13.b1 correctResponsesPattern without interactionType"),
    pytest.param(statement(object=activity(interactionType="fill-in", correctResponsesPattern="x")),
                 "object.definition.correctResponsesPattern", id="Data 2.4.4.1 s8 pattern is an array"),
    pytest.param(statement(object=activity(interactionType="numeric", correctResponsesPattern=[4])),
                 "object.definition.correctResponsesPattern", id="Data 2.4.4.1 s8 pattern is an array of strings"),
    pytest.param(statement(object=activity(**merged(INTERACTIONS["likert"], choices=[{"id": "a"}]))),
                 "object.definition.choices", id="Data 2.4.4.1 s15 choices on a likert"),
    pytest.param(statement(object=activity(**merged(INTERACTIONS["true-false"], scale=[{"id": "a"}]))),
                 "object.definition.scale", id="Data 2.4.4.1 s15 no components on true-false"),
    pytest.param(statement(object=activity(**merged(INTERACTIONS["choice"], steps=[{"id": "a"}]))),
                 "object.definition.steps", id="Data 2.4.4.1 s15 steps on a choice"),
    pytest.param(statement(object=activity(**merged(INTERACTIONS["matching"], choices=[{"id": "a"}]))),
                 "object.definition.choices", id="Data 2.4.4.1 s15 choices on a matching"),
    pytest.param(statement(object=activity(choices=[{"id": "a"}])), "object.definition.interactionType",
                 id="Data 2.4.4.1 s13.b1 components without interactionType"),
    pytest.param(statement(object=activity(interactionType="choice", choices=[{"id": "a"}, {"id": "a"}])),
                 "object.definition.choices[1].id", id="Data 2.4.4.1 s16.b1 component ids distinct"),
    pytest.param(statement(object=activity(interactionType="choice", choices=[{"description": {"en": "x"}}])),
                 "object.definition.choices[0].id", id="Data 2.4.4.1 s15 component id required"),
    pytest.param(statement(object=activity(interactionType="choice", choices=[{"id": 1}])),
                 "object.definition.choices[0].id", id="Data 2.4.4.1 s15 component id is a string"),
    pytest.param(statement(object=activity(interactionType="choice", choices=[{"id": "a", "description": "A"}])),
                 "object.definition.choices[0].description", id="Data 2.4.4.1 s15 component description map"),
    pytest.param(statement(object=activity(interactionType="choice", choices=[{"id": "a", "extra": 1}])),
                 "object.definition.choices[0].extra", id="Data 2.4.4.1 s15 unknown component key"),
    pytest.param(statement(object=activity(interactionType="choice", choices={"id": "a"})),
                 "object.definition.choices", id="Data 2.4.4.1 s15 component list is an array"),
    # Data 2.4.5 result
    pytest.param(statement(result="passed"), "result", id="Data 2.4.5 result is an object"),
    pytest.param(statement(result={"score": {"scaled": 1.01}}), "result.score.scaled",
                 id="Data 2.4.5.1 scaled above 1"),
    pytest.param(statement(result={"score": {"scaled": -1.01}}), "result.score.scaled",
                 id="Data 2.4.5.1 scaled below -1"),
    pytest.param(statement(result={"score": {"raw": 101, "min": 0, "max": 100}}), "result.score.raw",
                 id="Data 2.4.5.1 raw above max"),
    pytest.param(statement(result={"score": {"raw": -1, "min": 0, "max": 100}}), "result.score.raw",
                 id="Data 2.4.5.1 raw below min"),
    pytest.param(statement(result={"score": {"raw": 101, "max": 100}}), "result.score.raw",
                 id="Data 2.4.5.1 raw above max without min"),
    pytest.param(statement(result={"score": {"min": 10, "max": 10}}), "result.score.min",
                 id="Data 2.4.5.1 min less than max"),
    pytest.param(statement(result={"score": {"min": 11, "max": 10}}), "result.score.min",
                 id="Data 2.4.5.1 min above max"),
    pytest.param(statement(result={"score": 95}), "result.score", id="Data 2.4.5.1 score is an object"),
    pytest.param(statement(result={"score": {"percent": 95}}), "result.score.percent",
                 id="Data 2.4.5.1 unknown score key"),
    pytest.param(statement(result={"duration": "should fail"}), "result.duration",
                 id="Data 4.6 XAPI-00077 duration invalid string"),
    pytest.param(statement(result={"duration": "PA1H0M0S"}), "result.duration", id="Data 4.6 duration PA1H0M0S"),
    pytest.param(statement(result={"duration": 12345}), "result.duration", id="Data 4.6 numeric duration"),
    pytest.param(statement(result={"duration": {"key": "x"}}), "result.duration", id="Data 4.6 object duration"),
    pytest.param(statement(result={"duration": "P4W1D"}), "result.duration", id="Data 4.6 weeks combined"),
    pytest.param(statement(result={"duration": "P"}), "result.duration", id="Data 4.6 empty duration"),
    pytest.param(statement(result={"duration": "PT"}), "result.duration", id="Data 4.6 empty time part"),
    pytest.param(statement(result={"duration": "P0003-02-01T04:05:06"}), "result.duration",
                 id="Data 4.6 s1.b1 alternative format must not be used"),
    pytest.param(statement(result={"duration": "P1H"}), "result.duration", id="Data 4.6 hours need T"),
    pytest.param(statement(result={"extensions": {"not-an-iri": 1}}), 'result.extensions["not-an-iri"]',
                 id="Data 4.1 s3.b1 result extension key"),
    pytest.param(statement(result={"Success": True}), "result.Success", id="Data 2.2 s4.b1.b5 result key case"),
    # Data 2.4.6 context
    pytest.param(statement(context="ctx"), "context", id="Data 2.4.6 context is an object"),
    pytest.param(statement(context={"registration": "should fail"}), "context.registration",
                 id="Data 2.4.6 registration is a UUID"),
    pytest.param(statement(context={"registration": {"key": "x"}}), "context.registration",
                 id="Data 2.4.6 registration object"),
    pytest.param(statement(context={"instructor": {"key": "should fail"}}), "context.instructor",
                 id="Data 2.4.6 instructor is an Agent"),
    pytest.param(statement(context={"instructor": "should fail"}), "context.instructor",
                 id="Data 2.4.6 instructor string"),
    pytest.param(statement(context={"team": MBOX}), "context.team.objectType", id="Data 2.4.6 team is a Group"),
    pytest.param(statement(context={"team": {"key": "x"}}), "context.team.key", id="Data 2.4.6 team object"),
    pytest.param(statement(context={"team": {"objectType": "Group"}}), "context.team.member",
                 id="Data 2.4.2.2 s4.b1 anonymous team without members"),
    pytest.param(statement(context={"contextActivities": "should fail"}), "context.contextActivities",
                 id="Data 2.4.6.2 contextActivities is an object"),
    pytest.param(statement(context={"contextActivities": {}}), "context.contextActivities",
                 id="Data 2.4.6.2 contextActivities is not empty"),
    pytest.param(statement(context={"contextActivities": {"parents": [{"id": ACT}]}}),
                 "context.contextActivities.parents", id="Data 2.4.6.2 s4.b1 context activity kinds"),
    pytest.param(statement(context={"contextActivities": {"Parent": [{"id": ACT}]}}),
                 "context.contextActivities.Parent", id="Data 2.4.6.2 s4.b1 context activity kind case"),
    pytest.param(statement(context={"contextActivities": {"parent": "http://www.example.com/a"}}),
                 "context.contextActivities.parent", id="Data 2.4.6.2 s4.b2 context activity is an object"),
    pytest.param(statement(context={"contextActivities": {"parent": [{"id": "no iri"}]}}),
                 "context.contextActivities.parent[0].id", id="Data 2.4.6.2 s4.b2 context activity id"),
    pytest.param(statement(context={"contextActivities": {"parent": [{"objectType": "Agent", "id": ACT}]}}),
                 "context.contextActivities.parent[0].objectType", id="Data 2.4.6.2 s4.b2 context activities only"),
    pytest.param(statement(context={"contextActivities": {"other": {"objectType": "Activity"}}}),
                 "context.contextActivities.other.id", id="Data 2.4.6.2 s4.b2 single context activity needs an id"),
    pytest.param(statement(context={"revision": 12345}), "context.revision", id="Data 2.4.6 numeric revision"),
    pytest.param(statement(context={"revision": {"key": "x"}}), "context.revision", id="Data 2.4.6 object revision"),
    pytest.param(statement(context={"platform": 12345}), "context.platform", id="Data 2.4.6 numeric platform"),
    pytest.param(statement(object=MBOX, context={"revision": "1"}), "context.revision",
                 id="Data 2.4.6 s4.b1 revision with an agent object"),
    pytest.param(statement(object=ANONYMOUS_GROUP, context={"revision": "1"}), "context.revision",
                 id="Data 2.4.6 s4.b1 revision with a group object"),
    pytest.param(statement(object=STATEMENT_REF, context={"revision": "1"}), "context.revision",
                 id="Data 2.4.6 s4.b1 revision with a StatementRef object"),
    pytest.param(statement(object=substatement(), context={"revision": "1"}), "context.revision",
                 id="Data 2.4.6 s4.b1 revision with a SubStatement object"),
    pytest.param(statement(object=MBOX, context={"platform": "x"}), "context.platform",
                 id="Data 2.4.6 s4.b2 platform with an agent object"),
    pytest.param(statement(object=STATEMENT_REF, context={"platform": "x"}), "context.platform",
                 id="Data 2.4.6 s4.b2 platform with a StatementRef object"),
    pytest.param(statement(context={"language": "a12345"}), "context.language", id="Data 2.4.6 language RFC 5646"),
    pytest.param(statement(context={"language": 12345}), "context.language", id="Data 2.4.6 numeric language"),
    pytest.param(statement(context={"statement": {"id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}}),
                 "context.statement.objectType", id="Data 2.4.6 statement is a StatementRef"),
    pytest.param(statement(context={"statement": {"objectType": "StatementRef", "id": "x"}}), "context.statement.id",
                 id="Data 2.4.6 statement id is a UUID"),
    pytest.param(statement(context={"statement": substatement()}), "context.statement.actor",
                 id="Data 2.4.6 statement is not a SubStatement"),
    pytest.param(statement(context={"extensions": {"altitude": 1}}), 'context.extensions["altitude"]',
                 id="Data 4.1 s3.b1 context extension key"),
    pytest.param(statement(context={"Registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7"}), "context.Registration",
                 id="Data 2.2 s4.b1.b5 context key case"),
    # Data 2.4.7 timestamp, 2.4.8 stored, 4.5
    pytest.param(statement(timestamp="should fail"), "timestamp", id="Data 4.5 XAPI-00123 timestamp string"),
    pytest.param(statement(timestamp="01/011/2015"), "timestamp", id="Data 4.5 XAPI-00123 timestamp date"),
    pytest.param(statement(timestamp="2008-09-15T15:53:00.601-00"), "timestamp", id="Data 4.5 offset -00"),
    pytest.param(statement(timestamp="2008-09-15T15:53:00.601-0000"), "timestamp", id="Data 4.5 offset -0000"),
    pytest.param(statement(timestamp="2008-09-15T15:53:00.601-00:00"), "timestamp", id="Data 4.5 offset -00:00"),
    pytest.param(statement(timestamp="2015-02-30T12:00:00Z"), "timestamp", id="Data 4.5 no such date"),
    pytest.param(statement(timestamp="2015-11-18T25:00:00Z"), "timestamp", id="Data 4.5 no such hour"),
    pytest.param(statement(timestamp="2015-11-18"), "timestamp", id="Data 4.5 a date is not a timestamp"),
    pytest.param(statement(timestamp=1447849020), "timestamp", id="Data 4.5 numeric timestamp"),
    pytest.param(statement(timestamp=None), "timestamp", id="Data 2.2 s4.b1.b1 null timestamp"),
    pytest.param(statement(stored="should fail"), "stored", id="Data 2.4.8 s3.b2 stored validated"),
    # Data 2.4.9 authority
    pytest.param(statement(authority={"objectType": "Agent", "name": "no ifi"}), "authority",
                 id="Data 2.4.9 authority agent needs an IFI"),
    pytest.param(statement(authority=merged(ACCOUNT, objectType=123)), "authority.objectType",
                 id="Data 2.4.9 authority objectType numeric"),
    pytest.param(statement(authority=merged(ACCOUNT, name=123)), "authority.name", id="Data 2.4.9 authority name"),
    pytest.param(statement(authority={"objectType": "Group", "member": [MBOX, ACCOUNT, OPENID]}), "authority",
                 id="Data 2.4.9 s3.b1 authority group of three"),
    pytest.param(statement(authority={"objectType": "Group", "member": [MBOX]}), "authority",
                 id="Data 2.4.9 s3.b1 authority group of one"),
    pytest.param(statement(authority=IDENTIFIED_GROUP), "authority", id="Data 2.4.9 s3.b1 identified group authority"),
    pytest.param(statement(authority={"objectType": "Group"}), "authority.member",
                 id="Data 2.4.2.2 s4.b1 authority group without members"),
    # Data 2.4.10 version
    pytest.param(statement(version="should fail"), "version", id="Data 2.4.10 s3.b2 version string"),
    pytest.param(statement(version="0.9.9"), "version", id="Data 2.4.10 s3.b2 version 0.9.9"),
    pytest.param(statement(version="1.1.0"), "version", id="Data 2.4.10 s3.b2 version 1.1.0"),
    pytest.param(statement(version=1.0), "version", id="Data 2.4.10 numeric version"),
    # Data 2.4.11 attachments
    pytest.param(statement(attachments=ATTACHMENT), "attachments", id="Data 2.4.11 attachments is an array"),
    pytest.param(statement(attachments=["x"]), "attachments[0]", id="Data 2.4.11 attachment is an object"),
] + [
    pytest.param(statement(attachments=[merged(ATTACHMENT, **{name: ...})]), f"attachments[0].{name}",
                 id=f"Data 2.4.11 s2 attachment {name} required")
    for name in ("usageType", "display", "contentType", "length", "sha2")
] + [
    pytest.param(statement(attachments=[merged(ATTACHMENT, **{name: value})]), f"attachments[0].{name}",
                 id=f"Data 2.4.11 s2 attachment {name} {label}")
    for name, value, label in (
        ("usageType", "test", "not an IRI"), ("display", "A test", "not a language map"),
        ("display", {"de-419-DE": "x"}, "invalid language tag"),
        ("description", {"de-419-DE": "x"}, "invalid language tag"), ("contentType", 12, "not a string"),
        ("contentType", "text", "not a media type"), ("length", "27", "a string"), ("length", 27.5, "a fraction"),
        ("length", -1, "negative"), ("length", True, "a boolean"), ("sha2", 12345, "a number"),
        ("sha2", "not a hash", "not hex"), ("fileUrl", "file.txt", "not an IRL"), ("FileUrl", "http://x.com", "case"))
] + [
    pytest.param(statement(attachments=[merged(ATTACHMENT, usageType=SIGNATURE)]), "attachments[0].contentType",
                 id="Data 2.6 s4.b1 signature attachment content type"),
]


@pytest.mark.parametrize("invalid,path", INVALID)
def test_invalid_statements_are_refused_at_the_property_that_breaks_the_rule(invalid, path):
    """Data 2.2 s4: the LRS rejects (400) a statement that breaks a rule of the data model; the problem is reported
    under the path of the offending property."""
    problems = statement_problems(invalid)
    assert path in problems or any(p.startswith(path + '["') for p in problems), problems


def test_problems_name_the_spec_section():
    """Data 2.6 s5.b2 / Communication 3.2: a rejection carries a message; each names the rule it applies."""
    problems = statement_problems(statement(actor={"mbox": "x"}))
    assert problems == {"actor.mbox": ['must be a mailto IRI: "mailto:" and an e-mail address (Data 2.4.2.3)']}


def test_every_problem_of_a_statement_is_reported_at_once():
    problems = statement_problems(statement(id="x", verb={"id": 1}, result={"success": "yes"}))
    assert {"id", "verb.id", "result.success"} <= set(problems)


def test_a_batch_reports_each_statement_by_index_and_refuses_a_repeated_id():
    """Communication 2.1.2 s2.b6: a batch with two statements of one id is refused (400)."""
    same = "fd41c918-b88b-4b20-a0a5-a4c32391aaa0"
    problems = batch_problems([statement(id=same), statement(id=same.upper(), verb=...), "x"])
    assert set(problems) == {"[1].verb", "[1].id", "[2]"}
    assert batch_problems([statement(), statement(id=...)]) == {}


@pytest.mark.parametrize("tag,valid", [
    ("en", True), ("EN-us", True), ("zh-min-nan", True), ("sgn-BE-FR", True), ("de-DE-u-co-phonebk", True),
    ("en-a-bbb-x-a-ccc", True), ("de-1901-1901", False), ("en-", False), ("-en", False), ("", False),
    ("toolongtag", False), ("en-US-x", False), ("x-", False), ("en--US", False),
])
def test_language_tags_follow_rfc_5646(tag, valid):
    """Data 4.2: language map keys and context.language are RFC 5646 tags (2.1 grammar, 2.2.5 distinct variants,
    2.2.6 distinct extension singletons)."""
    assert is_language_tag(tag) is valid


def test_timestamps_are_read_as_points_in_time():
    """Data 4.5 s1.b5: the same point in time in another zone is the same timestamp."""
    assert parse_timestamp("2015-11-18T12:17:00+09:00") == parse_timestamp("2015-11-18T03:17:00Z")
    assert parse_timestamp("2015-11-18T12:17:00.1234567Z").microsecond == 123456
    assert parse_timestamp("2015-11-18T12:17:00-0530") == parse_timestamp("2015-11-18T17:47:00Z")
    assert parse_timestamp("2015-11-18T12:17:00+24:00") is None
