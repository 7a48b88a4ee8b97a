"""Module progress folding and the completion rules, as pure functions over plain values."""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal

from lms.dates import western_date_ja

MODULE_STATUSES = ("in_progress", "failed", "completed", "passed")
DONE_STATUSES = frozenset({"completed", "passed"})
# a module's shown status never moves backwards: a later "progressed" does not undo a pass
_RANK = {status: rank for rank, status in enumerate(MODULE_STATUSES)}


@dataclass(frozen=True)
class ModuleEvent:
    """One report about a module: a REST update or an xAPI statement."""

    status: str
    occurred_at: datetime
    score: Decimal | None = None
    minutes: int | None = None
    source: str = "rest"  # "rest": minutes is the running total; "xapi": minutes of that attempt


@dataclass(frozen=True)
class ModuleState:
    """What the events of one module add up to."""

    status: str | None = None
    best_score: Decimal | None = None
    first_completed_at: datetime | None = None
    score_met_at: datetime | None = None
    minutes_reported: int = 0
    minutes_tracked: int = 0
    last_activity_at: datetime | None = None

    @property
    def minutes_spent(self) -> int:
        # REST clients report a running total, xAPI statements one attempt each; both bound the truth below
        return max(self.minutes_reported, self.minutes_tracked)


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else min(a, b)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def apply_event(state: ModuleState, event: ModuleEvent, min_score: int | None) -> ModuleState:
    """Fold one event into a module's state; order does not matter and repeats change nothing."""
    status = event.status if state.status is None or _RANK[event.status] > _RANK[state.status] else state.status
    best = state.best_score
    if event.score is not None and (best is None or event.score > best):
        best = event.score
    completed_at = state.first_completed_at
    if event.status in DONE_STATUSES:
        completed_at = _earliest(completed_at, event.occurred_at)
    score_met_at = state.score_met_at
    if min_score is not None and event.score is not None and event.score >= min_score:
        score_met_at = _earliest(score_met_at, event.occurred_at)
    reported, tracked = state.minutes_reported, state.minutes_tracked
    if event.minutes is not None:
        if event.source == "xapi":
            tracked += event.minutes
        else:
            reported = max(reported, event.minutes)
    return replace(state, status=status, best_score=best, first_completed_at=completed_at,
                   score_met_at=score_met_at, minutes_reported=reported, minutes_tracked=tracked,
                   last_activity_at=_latest(state.last_activity_at, event.occurred_at))


def fold_module(events: Iterable[ModuleEvent], min_score: int | None) -> ModuleState:
    state = ModuleState()
    for event in events:
        state = apply_event(state, event, min_score)
    return state


def module_met_at(state: ModuleState, min_score: int | None) -> datetime | None:
    """When the module became done: completed or passed, and the minimum score reached where set."""
    if state.first_completed_at is None:
        return None
    if min_score is None:
        return state.first_completed_at
    if state.score_met_at is None:
        return None
    return max(state.first_completed_at, state.score_met_at)


@dataclass(frozen=True)
class ModuleRule:
    code: str
    title_ja: str
    required: bool
    min_score: int | None = None


@dataclass(frozen=True)
class ProgramRules:
    """The completion requirements of one programme version."""

    modules: tuple[ModuleRule, ...]
    ojt_required_hours: Decimal
    min_duration_days: int | None = None

    def module(self, code: str) -> ModuleRule | None:
        return next((m for m in self.modules if m.code == code), None)


@dataclass(frozen=True)
class ApprovedLog:
    hours: Decimal
    reviewed_at: datetime


@dataclass(frozen=True)
class Evaluation:
    complete: bool
    met_at: datetime | None  # when the last rule was met, if all are
    missing: tuple[str, ...]
    modules_required: int
    modules_done: int
    ojt_hours_required: Decimal
    ojt_hours_approved: Decimal
    percent: int
    done_modules: frozenset[str]


def hours_text(hours: Decimal) -> str:
    """80 -> "80", 67.5 -> "67.5"."""
    hours = Decimal(hours)
    return str(int(hours)) if hours == hours.to_integral_value() else f"{hours.quantize(Decimal('0.1'))}"


def score_text(score: Decimal) -> str:
    return hours_text(Decimal(score).quantize(Decimal("0.1")))


def ojt_met_at(logs: Sequence[ApprovedLog], required: Decimal) -> datetime | None:
    """When approved hours first reached `required`: hours count from their review, so review order decides."""
    total = Decimal(0)
    for log in sorted(logs, key=lambda log: log.reviewed_at):
        total += log.hours
        if total >= required:
            return log.reviewed_at
    return None


def _module_missing(rule: ModuleRule, state: ModuleState) -> str:
    label = "必修モジュール" if rule.required else "モジュール"
    if state.first_completed_at is None:
        return f"{label}『{rule.title_ja}』が未修了です"
    best = "得点の記録がありません" if state.best_score is None else f"最高得点 {score_text(state.best_score)}点"
    return f"{label}『{rule.title_ja}』が合格基準（{rule.min_score}点）に達していません（{best}）"


def evaluate(rules: ProgramRules, modules: Mapping[str, ModuleState], approved: Sequence[ApprovedLog],
             activated_at: datetime | None, now: datetime) -> Evaluation:
    """Whether an enrolment meets every completion rule at `now`, since when, and what is missing."""
    missing: list[str] = []
    met_times: list[datetime] = []
    done: set[str] = set()
    required = [m for m in rules.modules if m.required]
    for rule in rules.modules:
        state = modules.get(rule.code, ModuleState())
        met = module_met_at(state, rule.min_score)
        if met is not None:
            done.add(rule.code)
            if rule.required:
                met_times.append(met)
        elif rule.required:
            missing.append(_module_missing(rule, state))
    required_hours = Decimal(rules.ojt_required_hours)
    approved_hours = sum((log.hours for log in approved), Decimal(0))
    if required_hours > 0:
        ojt_met = ojt_met_at(approved, required_hours)
        if ojt_met is None:
            missing.append(f"OJTがあと{hours_text(required_hours - approved_hours)}時間必要です"
                           f"（承認済み {hours_text(approved_hours)}/{hours_text(required_hours)}時間）")
        else:
            met_times.append(ojt_met)
    if activated_at is None:
        missing.append("受講がまだ開始されていません")
    else:
        met_times.append(activated_at)
        if rules.min_duration_days:
            due = activated_at + timedelta(days=rules.min_duration_days)
            if due > now:
                days_left = math.ceil((due - now) / timedelta(days=1))
                missing.append(f"受講開始から{rules.min_duration_days}日以上の経過が必要です"
                               f"（あと{days_left}日、{western_date_ja(due)}以降）")
            else:
                met_times.append(due)
    complete = not missing
    modules_done = sum(1 for m in required if m.code in done)
    return Evaluation(
        complete=complete, met_at=max(met_times) if complete else None, missing=tuple(missing),
        modules_required=len(required), modules_done=modules_done, ojt_hours_required=required_hours,
        ojt_hours_approved=approved_hours,
        percent=_percent(modules_done, len(required), approved_hours, required_hours),
        done_modules=frozenset(done),
    )


def _percent(done: int, required: int, approved: Decimal, required_hours: Decimal) -> int:
    """Work done: required modules and OJT hours weigh equally; the waiting period is not work."""
    parts = []
    if required:
        parts.append(Decimal(done) / required)
    if required_hours > 0:
        parts.append(min(Decimal(1), approved / required_hours))
    if not parts:
        return 100
    return int(sum(parts) / len(parts) * 100)
