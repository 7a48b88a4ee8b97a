"""The enrolment life cycle: every move, allowed or not, for every role."""

import itertools

import pytest

from lms.enrollments.rules import (
    FINAL,
    ROLE_MOVES,
    STATUSES,
    TRANSITIONS,
    TransitionRefused,
    check_transition,
)

LIFE_CYCLE = {("applied", "active"), ("applied", "rejected"), ("applied", "withdrawn"),
              ("active", "suspended"), ("active", "withdrawn"), ("active", "completed"),
              ("suspended", "active"), ("suspended", "withdrawn")}
EXPECTED = {
    "learner": {("applied", "withdrawn"), ("active", "withdrawn"), ("suspended", "withdrawn")},
    "org_staff": {("applied", "active"), ("applied", "rejected"), ("active", "suspended"), ("suspended", "active")},
    "consortium_admin": LIFE_CYCLE,
    "system": {("active", "completed")},
    "supervisor": set(),
    "prefecture_official": set(),
}


def test_life_cycle_is_the_contract():
    assert {(a, b) for a, bs in TRANSITIONS.items() for b in bs} == LIFE_CYCLE


def test_final_states_have_no_way_out():
    assert FINAL == {"completed", "withdrawn", "rejected"}
    assert not any(TRANSITIONS.get(s) for s in FINAL)


@pytest.mark.parametrize("role", sorted(EXPECTED))
@pytest.mark.parametrize("current,target", list(itertools.product(STATUSES, STATUSES)))
def test_every_move_for_every_role(role, current, target):
    if (current, target) in EXPECTED[role]:
        check_transition(role, current, target)
        return
    with pytest.raises(TransitionRefused) as refused:
        check_transition(role, current, target)
    expected_kind = "conflict" if (current, target) not in LIFE_CYCLE else "forbidden"
    assert refused.value.kind == expected_kind


def test_role_moves_stay_inside_the_life_cycle():
    for moves in ROLE_MOVES.values():
        assert moves <= LIFE_CYCLE
