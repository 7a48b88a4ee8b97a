"""Completion rules and module folding: pure functions, examples and properties."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from lms.progress.rules import (
    MODULE_STATUSES,
    ApprovedLog,
    ModuleEvent,
    ModuleRule,
    ModuleState,
    ProgramRules,
    apply_event,
    evaluate,
    fold_module,
    hours_text,
    module_met_at,
)

T0 = datetime(2026, 4, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
RULES = ProgramRules(
    modules=(ModuleRule("GF05", "在宅医療の基本", True), ModuleRule("GF07", "確認テスト1", True, 70),
             ModuleRule("GF99", "選択モジュール", False)),
    ojt_required_hours=Decimal(80), min_duration_days=180)


def done(at: datetime, score: Decimal | None = None) -> ModuleState:
    return fold_module([ModuleEvent("passed", at, score)], 70 if score is not None else None)


def logs(*pairs) -> list[ApprovedLog]:
    return [ApprovedLog(Decimal(str(h)), at) for h, at in pairs]


def test_everything_met_completes_at_the_time_the_last_rule_was_met():
    modules = {"GF05": done(T0 + timedelta(days=10)), "GF07": done(T0 + timedelta(days=20), Decimal(80))}
    approved = logs((40, T0 + timedelta(days=30)), (40, T0 + timedelta(days=190)), (8, T0 + timedelta(days=200)))
    result = evaluate(RULES, modules, approved, T0, NOW)
    assert result.complete and result.missing == ()
    # the 80th hour was approved on day 190, after the 180 days had passed and the modules were done
    assert result.met_at == T0 + timedelta(days=190)
    assert result.percent == 100 and result.modules_done == 2 == result.modules_required


def test_the_waiting_period_can_be_the_last_rule():
    modules = {"GF05": done(T0), "GF07": done(T0, Decimal(70))}
    result = evaluate(RULES, modules, logs((80, T0 + timedelta(days=5))), T0, NOW)
    assert result.complete and result.met_at == T0 + timedelta(days=180)


def test_missing_is_listed_in_words_a_learner_understands():
    modules = {"GF07": fold_module([ModuleEvent("completed", T0, Decimal(55))], 70)}
    now = T0 + timedelta(days=100)
    result = evaluate(RULES, modules, logs((60, T0), (7.5, T0)), T0, now)
    assert not result.complete and result.met_at is None
    assert result.missing == (
        "必修モジュール『在宅医療の基本』が未修了です",
        "必修モジュール『確認テスト1』が合格基準（70点）に達していません（最高得点 55点）",
        "OJTがあと12.5時間必要です（承認済み 67.5/80時間）",
        "受講開始から180日以上の経過が必要です（あと80日、2026年9月28日以降）",
    )
    assert result.percent == 42  # (0/2 + 67.5/80) / 2


def test_a_completion_without_a_score_does_not_meet_a_minimum_score():
    state = fold_module([ModuleEvent("passed", T0)], 70)
    assert module_met_at(state, 70) is None and module_met_at(state, None) == T0
    result = evaluate(RULES, {"GF05": done(T0), "GF07": state}, logs((80, T0)), T0, NOW)
    assert "必修モジュール『確認テスト1』が合格基準（70点）に達していません（得点の記録がありません）" in result.missing


def test_a_module_is_done_when_both_completion_and_score_are_reached():
    events = [ModuleEvent("failed", T0, Decimal(50)), ModuleEvent("completed", T0 + timedelta(days=1)),
              ModuleEvent("passed", T0 + timedelta(days=3), Decimal(90))]
    state = fold_module(events, 70)
    assert state.status == "passed" and state.best_score == 90
    assert state.first_completed_at == T0 + timedelta(days=1)
    assert module_met_at(state, 70) == T0 + timedelta(days=3)


def test_optional_modules_are_not_required_and_no_ojt_needs_no_hours():
    rules = ProgramRules((ModuleRule("A", "A", True), ModuleRule("B", "B", False)), Decimal(0))
    result = evaluate(rules, {"A": done(T0 + timedelta(hours=1))}, [], T0, NOW)
    assert result.complete and result.met_at == T0 + timedelta(hours=1) and result.percent == 100


def test_never_activated_is_not_complete():
    rules = ProgramRules((), Decimal(0))
    result = evaluate(rules, {}, [], None, NOW)
    assert not result.complete and result.missing == ("受講がまだ開始されていません",)


def test_rest_minutes_are_a_running_total_and_xapi_minutes_add_up():
    state = fold_module([ModuleEvent("in_progress", T0, minutes=30), ModuleEvent("in_progress", T0, minutes=30),
                         ModuleEvent("in_progress", T0, minutes=45)], None)
    assert state.minutes_spent == 45
    state = fold_module([ModuleEvent("in_progress", T0, minutes=20, source="xapi"),
                         ModuleEvent("completed", T0, minutes=15, source="xapi")], None)
    assert state.minutes_spent == 35


def test_hours_text():
    assert [hours_text(Decimal(x)) for x in ("80", "80.0", "67.5", "0.5")] == ["80", "80", "67.5", "0.5"]


# --- properties ---------------------------------------------------------------------------------------

times = st.datetimes(min_value=datetime(2026, 4, 1), max_value=datetime(2026, 11, 30)).map(
    lambda d: d.replace(tzinfo=UTC))
scores = st.none() | st.decimals(min_value=0, max_value=100, places=2)
events = st.builds(ModuleEvent, st.sampled_from(MODULE_STATUSES), times, scores,
                   st.none() | st.integers(0, 600), st.sampled_from(["rest", "xapi"]))
half_hours = st.integers(1, 24).map(lambda n: Decimal(n) / 2)
approved_logs = st.lists(st.builds(ApprovedLog, half_hours, times), max_size=30)
module_rules = st.lists(st.builds(ModuleRule, st.sampled_from("ABCDEFG"), st.just("モジュール"), st.booleans(),
                                  st.none() | st.integers(0, 100)), max_size=6, unique_by=lambda m: m.code)
program_rules = st.builds(ProgramRules, module_rules.map(tuple), st.integers(0, 120).map(Decimal),
                          st.none() | st.integers(0, 200))


@given(program_rules, st.dictionaries(st.sampled_from("ABCDEFG"), st.lists(events, max_size=5)), approved_logs,
       times)
def test_completion_never_happens_with_a_required_module_missing(rules, module_events, approved, activated_at):
    states = {code: fold_module(evs, next((m.min_score for m in rules.modules if m.code == code), None))
              for code, evs in module_events.items()}
    result = evaluate(rules, states, approved, activated_at, NOW)
    for rule in rules.modules:
        if rule.required and module_met_at(states.get(rule.code, ModuleState()), rule.min_score) is None:
            assert not result.complete
            assert any(f"『{rule.title_ja}』" in line for line in result.missing)
    if result.complete:
        assert result.missing == () and activated_at <= result.met_at <= NOW
        for rule in rules.modules:
            if rule.required:
                state = states[rule.code]
                assert state.status in ("completed", "passed")
                assert rule.min_score is None or state.best_score >= rule.min_score


@given(program_rules, approved_logs)
def test_approved_hours_equal_the_sum_of_approved_logs(rules, approved):
    result = evaluate(rules, {}, approved, T0, NOW)
    assert result.ojt_hours_approved == sum((log.hours for log in approved), Decimal(0))
    ojt_missing = any(line.startswith("OJT") for line in result.missing)
    assert ojt_missing == (result.ojt_hours_approved < rules.ojt_required_hours)


@given(st.lists(events, max_size=8), st.none() | st.integers(0, 100), st.randoms())
def test_folding_ignores_order(evs, min_score, rnd):
    shuffled = list(evs)
    rnd.shuffle(shuffled)
    assert fold_module(evs, min_score) == fold_module(shuffled, min_score)


@given(st.lists(events.filter(lambda e: e.source == "rest"), max_size=8), st.none() | st.integers(0, 100))
def test_repeating_rest_reports_changes_nothing(evs, min_score):
    # (xAPI minutes add up per attempt; a repeated statement is recognised by its id before folding)
    assert fold_module(evs + evs, min_score) == fold_module(evs, min_score)


@given(st.lists(events, min_size=1, max_size=8), st.none() | st.integers(0, 100))
def test_the_best_score_and_first_completion_are_kept(evs, min_score):
    state = fold_module(evs, min_score)
    given_scores = [e.score for e in evs if e.score is not None]
    assert state.best_score == (max(given_scores) if given_scores else None)
    completions = [e.occurred_at for e in evs if e.status in ("completed", "passed")]
    assert state.first_completed_at == (min(completions) if completions else None)
    assert apply_event(state, evs[0], min_score).best_score == state.best_score
