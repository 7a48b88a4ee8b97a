"""Learner-proposing deferred acceptance and the numbered instance that both algorithms share (the public
entry point is lms.ojt.matching)."""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from heapq import heappush, heapreplace
from typing import Generic, TypeVar

L = TypeVar("L", bound=Hashable)
S = TypeVar("S", bound=Hashable)

# --------------------------------------------------------------------------------------------------------
# Input indexing and validation
# --------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Instance(Generic[L, S]):
    """An instance with integer site and learner numbers, so proposal loops mostly index lists."""

    learners: list[L]
    learner_index: dict[L, int]
    sites: list[S]
    site_index: dict[S, int]
    capacity: list[int]
    # ranked[s][r] is the learner that site s ranks r-th (0 = best), as given.
    ranked: list[list[L]]
    # rank_of[s][learner] is that rank; a learner missing from it is unacceptable to site s. Keyed by the
    # caller's ids rather than learner numbers: translating every site list would cost a second pass.
    rank_of: list[dict[L, int]]
    # choices[l] lists the sites learner l ranks, best first.
    choices: list[list[int]]


def _index_sites(capacities: Mapping[S, int]) -> tuple[list[S], dict[S, int], list[int]]:
    """Number the sites in the capacities mapping and check the capacities."""
    sites = list(capacities)
    capacity = [int(capacities[s]) for s in sites]
    for site, seats in zip(sites, capacity, strict=True):
        if seats < 0:
            raise ValueError(f"negative capacity {seats} for site {site!r}")
    return sites, {s: i for i, s in enumerate(sites)}, capacity


def _index_site_prefs(
    site_prefs: Mapping[S, Sequence[L]], site_index: dict[S, int]
) -> tuple[list[list[L]], list[dict[L, int]]]:
    """Copy each site's ranking and build its rank lookup, rejecting repeated learners."""
    ranked: list[list[L]] = [[] for _ in site_index]
    rank_of: list[dict[L, int]] = [{} for _ in site_index]
    for site, prefs in site_prefs.items():
        s = site_index.get(site)
        if s is None:
            raise ValueError(f"site {site!r} has preferences but no capacity")
        ranked[s] = list(prefs)
        # zip() keeps the per-entry work in C; this runs once per (site, learner) pair.
        rank_of[s] = dict(zip(ranked[s], range(len(ranked[s])), strict=True))
        if len(rank_of[s]) != len(ranked[s]):
            raise ValueError(f"site {site!r} ranks a learner twice")
    return ranked, rank_of


def _index_learner_prefs(learner_prefs: Mapping[L, Sequence[S]], site_index: dict[S, int]) -> list[list[int]]:
    """Translate learners' lists to site numbers, rejecting unknown and repeated sites."""
    choices: list[list[int]] = []
    for learner, prefs in learner_prefs.items():
        try:
            ids = list(map(site_index.__getitem__, prefs))
        except KeyError as error:
            raise ValueError(f"learner {learner!r} ranks unknown site {error.args[0]!r}") from None
        if len(set(ids)) != len(ids):
            raise ValueError(f"learner {learner!r} ranks a site twice")
        choices.append(ids)
    return choices


def index_instance(
    learner_prefs: Mapping[L, Sequence[S]],
    site_prefs: Mapping[S, Sequence[L]],
    capacities: Mapping[S, int],
) -> Instance[L, S]:
    """Validate an instance and number its learners and sites."""
    learners = list(learner_prefs)
    learner_index = {lr: i for i, lr in enumerate(learners)}
    sites, site_index, capacity = _index_sites(capacities)
    ranked, rank_of = _index_site_prefs(site_prefs, site_index)
    choices = _index_learner_prefs(learner_prefs, site_index)
    return Instance(learners, learner_index, sites, site_index, capacity, ranked, rank_of, choices)


def to_matching(instance: Instance[L, S], held: list[list[int]]) -> dict[L, S | None]:
    """Read the final matching off the sites' heaps of negated ranks."""
    result: dict[L, S | None] = dict.fromkeys(instance.learners)
    for s, heap in enumerate(held):
        site, ranked = instance.sites[s], instance.ranked[s]
        for negated_rank in heap:
            result[ranked[-negated_rank]] = site
    return result


# --------------------------------------------------------------------------------------------------------
# Deferred acceptance
# --------------------------------------------------------------------------------------------------------


def _run_deferred_acceptance(instance: Instance[L, S]) -> list[list[int]]:
    """Learner-proposing deferred acceptance; returns each site's heap of negated ranks of holders."""
    learners, learner_index = instance.learners, instance.learner_index
    capacity, ranked, rank_of = instance.capacity, instance.ranked, instance.rank_of
    choices = instance.choices
    # A min-heap of negated ranks keeps the worst holder on top, so a full site compares in O(1).
    held: list[list[int]] = [[] for _ in capacity]
    next_choice = [0] * len(choices)
    free = list(range(len(choices) - 1, -1, -1))
    while free:
        learner = free.pop()
        name = learners[learner]
        mine = choices[learner]
        i = next_choice[learner]
        while i < len(mine):
            site = mine[i]
            i += 1
            rank = rank_of[site].get(name)
            if rank is None:
                continue
            heap = held[site]
            if len(heap) < capacity[site]:
                heappush(heap, -rank)
                break
            if heap and -heap[0] > rank:
                free.append(learner_index[ranked[site][-heapreplace(heap, -rank)]])
                break
        next_choice[learner] = i
    return held


def deferred_acceptance(
    learner_prefs: Mapping[L, Sequence[S]],
    site_prefs: Mapping[S, Sequence[L]],
    capacities: Mapping[S, int],
) -> dict[L, S | None]:
    """Return the learner-optimal stable matching (learner-proposing Gale–Shapley, many-to-one).

    A learner is acceptable to a site only if the site ranks them; learners a site ranks who are not
    keys of ``learner_prefs`` are ignored. A site in a learner's list that is not a key of
    ``capacities``, a site ranked twice, a learner ranked twice, preferences of a site without a
    capacity and negative capacities raise ValueError. Every learner is in the result, None when
    unmatched. The result does not depend on the order of any mapping (the learner-optimal stable
    matching is unique).
    """
    instance = index_instance(learner_prefs, site_prefs, capacities)
    return to_matching(instance, _run_deferred_acceptance(instance))
