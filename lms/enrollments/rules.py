"""The enrolment life cycle as a pure state machine: which moves exist and who may make them."""

STATUSES = ("applied", "active", "suspended", "completed", "withdrawn", "rejected")
FINAL = frozenset({"completed", "withdrawn", "rejected"})
NON_FINAL = ("applied", "active", "suspended")

TRANSITIONS: dict[str, frozenset[str]] = {
    "applied": frozenset({"active", "rejected", "withdrawn"}),
    "active": frozenset({"suspended", "withdrawn", "completed"}),
    "suspended": frozenset({"active", "withdrawn"}),
}

# moves each role may make (besides the life cycle allowing them); the system completes enrolments
ROLE_MOVES: dict[str, frozenset[tuple[str, str]]] = {
    "learner": frozenset({("applied", "withdrawn"), ("active", "withdrawn"), ("suspended", "withdrawn")}),
    "org_staff": frozenset({("applied", "active"), ("applied", "rejected"), ("active", "suspended"),
                            ("suspended", "active")}),
    "consortium_admin": frozenset((a, b) for a, targets in TRANSITIONS.items() for b in targets),
    "system": frozenset({("active", "completed")}),
}

TIMESTAMP_FIELD = {"active": "activated_at", "suspended": "suspended_at", "completed": "completed_at",
                   "withdrawn": "withdrawn_at", "rejected": "rejected_at"}


class TransitionRefused(Exception):
    """A move outside the life cycle (`conflict`) or one the role may not make (`forbidden`)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def is_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check_transition(role: str, current: str, target: str) -> None:
    """Raise TransitionRefused unless `role` may move an enrolment from `current` to `target`."""
    if not is_move(current, target):
        raise TransitionRefused("conflict", f"An enrolment cannot move from {current} to {target}.")
    if (current, target) not in ROLE_MOVES.get(role, frozenset()):
        raise TransitionRefused("forbidden", f"The role {role} cannot move an enrolment from {current} to {target}.")
