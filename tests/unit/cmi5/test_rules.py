"""cmi5's LMS-side statement rules and moveOn, as pure functions; each test names the cmi5 section it covers."""

from dataclasses import replace
from decimal import Decimal
from itertools import product

import pytest

from lms.cmi5 import rules
from lms.cmi5.rules import (
    CATEGORY,
    COMPLETED,
    FAILED,
    INITIALIZED,
    MASTERY_SCORE,
    MOVEON_CATEGORY,
    PASSED,
    SESSION_ID,
    TERMINATED,
    Refused,
    RegistrationState,
    SessionState,
    check_session_statements,
    move_on_met,
    satisfaction,
)

SESSION = SessionState(id="s-1", registration="r-1", activity_id="https://lms.example.jp/cmi5/au/abc",
                       publisher_id="https://vendor.example.jp/au/1", mastery_score=Decimal("0.8"))
ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example.jp", "name": "L1"}}


def statement(verb: str, *, result: dict | None = None, defined: bool = True, **changes) -> dict:
    category = [{"id": CATEGORY}] if defined else []
    if result and ("success" in result or "completion" in result):
        category.append({"id": MOVEON_CATEGORY})
    s = {"actor": ACTOR, "verb": {"id": verb}, "object": {"objectType": "Activity", "id": SESSION.activity_id},
         "context": {"registration": "r-1", "extensions": {SESSION_ID: "s-1"},
                     "contextActivities": {"grouping": [{"id": SESSION.publisher_id}], "category": category}}}
    if result is not None:
        s["result"] = result
    s.update(changes)
    return s


INIT = statement(INITIALIZED)
DONE = statement(COMPLETED, result={"completion": True, "duration": "PT5M"})
PASS = statement(PASSED, result={"success": True, "duration": "PT5M", "score": {"scaled": 0.9}})
PASS["context"]["extensions"][MASTERY_SCORE] = 0.8
FAIL = statement(FAILED, result={"success": False, "duration": "PT5M", "score": {"scaled": 0.5}})
FAIL["context"]["extensions"][MASTERY_SCORE] = 0.8
END = statement(TERMINATED, result={"duration": "PT9M"})
STARTED = replace(SESSION, initialized=True, verbs=frozenset({INITIALIZED}))


def refused(section: str, session=SESSION, registration=RegistrationState(), *batch) -> Refused:
    with pytest.raises(Refused) as caught:
        check_session_statements(session, registration, list(batch))
    assert caught.value.section == section, caught.value
    return caught.value


def test_the_whole_session_is_accepted_and_recorded():
    session, registration = check_session_statements(SESSION, RegistrationState(), [INIT, DONE, PASS, END])
    assert session.initialized and session.terminated
    assert registration == RegistrationState(completed=True, passed=True)


def test_6_3_an_au_can_never_void():
    voiding = statement(rules.VOIDED, object={"objectType": "StatementRef", "id": "x"})
    assert refused("6.3", STARTED, RegistrationState(), voiding).forbidden


def test_9_3_2_initialized_must_be_first_and_only_once():
    refused("9.3.2", SESSION, RegistrationState(), DONE)
    refused("9.3.2", SESSION, RegistrationState(), statement("https://example.jp/verbs/read", defined=False))
    refused("9.3.2", STARTED, RegistrationState(), INIT)
    refused("9.3.2", SESSION, RegistrationState(), INIT, INIT)


def test_9_3_8_nothing_after_terminated():
    ended = replace(STARTED, terminated=True)
    refused("9.3.8", ended, RegistrationState(), DONE)
    refused("9.3.8", STARTED, RegistrationState(), END, statement("https://example.jp/verbs/read", defined=False))


def test_9_3_6_nothing_for_an_abandoned_session():
    refused("9.3.6", replace(STARTED, abandoned=True), RegistrationState(), DONE)


def test_9_3_3_completed_only_once_per_registration():
    refused("9.3.3", STARTED, RegistrationState(completed=True), DONE)


def test_9_3_4_passed_only_once_per_registration_and_9_3_failed_not_after_passed():
    refused("9.3.4", STARTED, RegistrationState(passed=True), PASS)
    refused("9.3", STARTED, RegistrationState(passed=True), FAIL)
    # failed first, then passed in a later session, is fine
    _, registration = check_session_statements(STARTED, RegistrationState(failed=True), [PASS])
    assert registration.passed


def test_9_3_verbs_are_not_duplicated_in_a_session_and_one_of_passed_failed():
    refused("9.3", replace(STARTED, verbs=STARTED.verbs | {FAILED}), RegistrationState(), FAIL)
    refused("9.3", STARTED, RegistrationState(), FAIL, PASS)


@pytest.mark.parametrize("mode", ["Browse", "Review"])
def test_10_0_no_completion_data_in_browse_or_review_mode(mode):
    session = replace(STARTED, launch_mode=mode)
    for judged in (DONE, PASS, FAIL):
        refused("10.0", session, RegistrationState(), judged)
    assert check_session_statements(session, RegistrationState(), [END])[0].terminated


def test_9_3_4_and_9_3_5_scores_must_agree_with_the_mastery_score():
    low_pass = statement(PASSED, result={"success": True, "duration": "PT1M", "score": {"scaled": 0.79}})
    low_pass["context"]["extensions"][MASTERY_SCORE] = 0.8
    refused("9.3.4", STARTED, RegistrationState(), low_pass)
    high_fail = statement(FAILED, result={"success": False, "duration": "PT1M", "score": {"scaled": 0.8}})
    high_fail["context"]["extensions"][MASTERY_SCORE] = 0.8
    refused("9.3.5", STARTED, RegistrationState(), high_fail)
    # exactly the mastery score passes
    at = statement(PASSED, result={"success": True, "duration": "PT1M", "score": {"scaled": 0.8}})
    at["context"]["extensions"][MASTERY_SCORE] = 0.8
    assert check_session_statements(STARTED, RegistrationState(), [at])[1].passed


def test_9_6_3_2_a_scored_pass_carries_the_mastery_score():
    bare = statement(PASSED, result={"success": True, "duration": "PT1M", "score": {"scaled": 0.9}})
    refused("9.6.3.2", STARTED, RegistrationState(), bare)


def test_9_6_3_1_and_9_6_1_session_id_and_registration_are_required():
    missing = statement(COMPLETED, result={"completion": True, "duration": "PT1M"})
    del missing["context"]["extensions"][SESSION_ID]
    refused("9.6.3.1", STARTED, RegistrationState(), missing)
    other = statement(COMPLETED, result={"completion": True, "duration": "PT1M"})
    other["context"]["extensions"][SESSION_ID] = "s-2"
    refused("9.6.3.1", STARTED, RegistrationState(), other)
    unregistered = statement(COMPLETED, result={"completion": True, "duration": "PT1M"})
    del unregistered["context"]["registration"]
    refused("9.6.1", STARTED, RegistrationState(), unregistered)


def test_9_6_2_1_a_cmi5_verb_without_the_cmi5_category_is_refused():
    refused("9.6.2.1", STARTED, RegistrationState(),
            statement(COMPLETED, result={"completion": True, "duration": "PT1M"}, defined=False))


def test_7_1_3_cmi5_allowed_statements_pass_between_initialized_and_terminated():
    allowed = statement("http://adlnet.gov/expapi/verbs/answered", defined=False, result={"success": True})
    session, registration = check_session_statements(STARTED, RegistrationState(), [allowed])
    assert session == STARTED and registration == RegistrationState()


def test_9_3_lms_verbs_are_not_for_the_au():
    for verb in (rules.LAUNCHED, rules.SATISFIED, rules.WAIVED, rules.ABANDONED):
        assert refused("9.3", STARTED, RegistrationState(), statement(verb)).forbidden


def test_9_4_the_object_is_the_launched_activity_and_9_2_the_actor_an_agent_with_account():
    refused("9.4", STARTED, RegistrationState(),
            statement(COMPLETED, result={"completion": True, "duration": "PT1M"},
                      object={"id": SESSION.publisher_id}))
    refused("9.2", STARTED, RegistrationState(),
            statement(COMPLETED, result={"completion": True, "duration": "PT1M"},
                      actor={"mbox": "mailto:a@example.jp"}))


def test_9_6_2_3_the_publisher_id_grouping_is_kept():
    lost = statement(COMPLETED, result={"completion": True, "duration": "PT1M"})
    lost["context"]["contextActivities"]["grouping"] = []
    refused("9.6.2.3", STARTED, RegistrationState(), lost)


def test_9_5_result_properties_per_verb():
    refused("9.5.1", STARTED, RegistrationState(),
            statement(COMPLETED, result={"completion": True, "duration": "PT1M", "score": {"scaled": 1}}))
    refused("9.5.2", STARTED, RegistrationState(), statement(PASSED, result={"success": False, "duration": "PT1M"}))
    refused("9.5.2", STARTED, RegistrationState(), statement(TERMINATED, result={"success": True, "duration": "P"}))
    refused("9.5.3", STARTED, RegistrationState(), statement(COMPLETED, result={"completion": False,
                                                                                 "duration": "PT1M"}))
    refused("9.5.4.1", STARTED, RegistrationState(), statement(COMPLETED, result={"completion": True}))
    refused("9.5.4.1", STARTED, RegistrationState(), statement(TERMINATED))


def test_9_6_2_2_the_moveon_category_only_with_success_or_completion():
    without = statement(COMPLETED, result={"completion": True, "duration": "PT1M"})
    without["context"]["contextActivities"]["category"] = [{"id": CATEGORY}]
    refused("9.6.2.2", STARTED, RegistrationState(), without)
    extra = statement(TERMINATED, result={"duration": "PT1M"})
    extra["context"]["contextActivities"]["category"].append({"id": MOVEON_CATEGORY})
    refused("9.6.2.2", STARTED, RegistrationState(), extra)


def test_9_3_order_is_the_timestamps():
    early = dict(INIT, timestamp="2026-12-05T19:00:00+09:00")  # 10:00 UTC, though it sorts after as text
    late = dict(DONE, timestamp="2026-12-05T10:05:00Z")
    session, _ = check_session_statements(SESSION, RegistrationState(), [late, early])
    assert session.initialized and COMPLETED in session.verbs
    # without timestamps to compare, the order sent
    refused("9.3.2", SESSION, RegistrationState(), DONE, INIT)


def test_13_1_4_move_on_against_an_independent_table():
    oracle = {"NotApplicable": lambda c, p: True, "Passed": lambda c, p: p, "Completed": lambda c, p: c,
              "CompletedAndPassed": lambda c, p: c and p, "CompletedOrPassed": lambda c, p: c or p}
    for (name, expected), completed, passed in product(oracle.items(), (False, True), (False, True)):
        assert move_on_met(name, completed=completed, passed=passed) is expected(completed, passed)
    with pytest.raises(ValueError):
        move_on_met("Finished", completed=True, passed=True)


def test_9_3_7_a_waived_au_is_satisfied():
    assert RegistrationState(waived=True).met("Passed")


def test_9_3_9_blocks_and_the_course_are_satisfied_when_all_their_aus_are():
    aus = {"a1": "Completed", "a2": "Passed", "a3": "NotApplicable"}
    blocks = {"b1": ("a1", "a3"), "b2": ("a2",)}
    first = satisfaction(aus, blocks, {"a1": RegistrationState(completed=True)})
    assert first == rules.Satisfaction(frozenset({"a1", "a3"}), frozenset({"b1"}), False)
    everything = satisfaction(aus, blocks, {"a1": RegistrationState(completed=True),
                                            "a2": RegistrationState(passed=True)})
    assert everything.course and everything.blocks == {"b1", "b2"}
