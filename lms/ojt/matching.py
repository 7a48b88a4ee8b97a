"""Pure matching algorithms for OJT placements, as API.md names them: learner-proposing deferred acceptance
and flexible deferred acceptance with regional caps (Kamada and Kojima 2015), with the independent checks of
a result. The algorithms live in matching_core and matching_regional; this module is their one entry point."""

from lms.ojt.matching_checks import Reason, SiteLoss, blocking_pairs, cap_violations, explain
from lms.ojt.matching_core import deferred_acceptance
from lms.ojt.matching_regional import capacity_cutting, default_targets, flexible_deferred_acceptance

__all__ = [
    "Reason",
    "SiteLoss",
    "blocking_pairs",
    "capacity_cutting",
    "cap_violations",
    "default_targets",
    "deferred_acceptance",
    "explain",
    "flexible_deferred_acceptance",
]
