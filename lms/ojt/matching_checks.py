"""Checks and explanations of a matching, independent of the algorithms in lms.ojt.matching: blocking pairs
and cap violations by direct check of their definitions, and why each learner is not at a site they ranked
higher."""

from collections.abc import Hashable, Mapping, Sequence
from typing import Generic, Literal, TypedDict, TypeVar

L = TypeVar("L", bound=Hashable)
S = TypeVar("S", bound=Hashable)

Reason = Literal["not_ranked", "site_full", "region_full", "blocking_pair"]


class SiteLoss(TypedDict, Generic[L, S]):
    """Why a learner is not at a site they ranked above their result."""

    site: S
    reason: Reason
    # Learners held by the site whom the site ranks above this learner, best first.
    lost_to: list[L]


def _holders(matching: Mapping[L, S | None]) -> dict[S, list[L]]:
    """Group a matching by site."""
    by_site: dict[S, list[L]] = {}
    for learner, site in matching.items():
        if site is not None:
            by_site.setdefault(site, []).append(learner)
    return by_site


def _ranks(site_prefs: Mapping[S, Sequence[L]]) -> dict[S, dict[L, int]]:
    """Return each site's rank lookup."""
    return {site: {lr: r for r, lr in enumerate(prefs)} for site, prefs in site_prefs.items()}


def _sites_above(prefs: Sequence[S], site: S | None) -> Sequence[S]:
    """Return the sites a learner ranks above ``site`` (all of them when unmatched or off-list)."""
    if site is None or site not in prefs:
        return prefs
    return prefs[: list(prefs).index(site)]


def blocking_pairs(
    learner_prefs: Mapping[L, Sequence[S]],
    site_prefs: Mapping[S, Sequence[L]],
    capacities: Mapping[S, int],
    matching: Mapping[L, S | None],
) -> list[tuple[L, S]]:
    """Return the pairs (learner, site) that block ``matching``, by direct check of the definition.

    (l, s) blocks when l ranks s above their match (or is unmatched), s ranks l, and s either has a free
    seat or ranks l above its worst holder. Deliberately shares no code with the algorithms.
    """
    ranks = _ranks(site_prefs)
    by_site = _holders(matching)
    pairs: list[tuple[L, S]] = []
    for learner, prefs in learner_prefs.items():
        for site in _sites_above(prefs, matching.get(learner)):
            site_ranks = ranks.get(site, {})
            if learner not in site_ranks:
                continue
            holders = by_site.get(site, [])
            free_seat = len(holders) < capacities.get(site, 0)
            worst = max((site_ranks.get(h, len(site_ranks)) for h in holders), default=-1)
            if free_seat or site_ranks[learner] < worst:
                pairs.append((learner, site))
    return pairs


def cap_violations(
    matching: Mapping[L, S | None],
    capacities: Mapping[S, int],
    regions: Mapping[str, Sequence[S]],
    caps: Mapping[str, int],
) -> list[str]:
    """Describe every site above capacity and every region above its cap; empty when feasible."""
    counts = {site: len(learners) for site, learners in _holders(matching).items()}
    problems = [
        f"site {site!r} holds {n} > capacity {capacities.get(site, 0)}"
        for site, n in counts.items()
        if n > capacities.get(site, 0)
    ]
    for name, members in regions.items():
        total = sum(counts.get(site, 0) for site in members)
        if total > caps[name]:
            problems.append(f"region {name!r} holds {total} > cap {caps[name]}")
    return problems


def _loss(
    learner: L,
    site: S,
    site_ranks: dict[L, int],
    holders: list[L],
    free_seat: bool,
    region_full: bool,
) -> SiteLoss[L, S]:
    """Classify why ``learner`` is not at ``site``."""
    if learner not in site_ranks:
        return {"site": site, "reason": "not_ranked", "lost_to": []}
    mine = site_ranks[learner]
    better = sorted((h for h in holders if site_ranks.get(h, mine + 1) < mine), key=site_ranks.__getitem__)
    reason: Reason
    if not free_seat and len(better) == len(holders):
        reason = "site_full"
    elif region_full and len(better) == len(holders):
        reason = "region_full"
    else:
        reason = "blocking_pair"
    return {"site": site, "reason": reason, "lost_to": better}


def explain(
    learner_prefs: Mapping[L, Sequence[S]],
    site_prefs: Mapping[S, Sequence[L]],
    capacities: Mapping[S, int],
    matching: Mapping[L, S | None],
    regions: Mapping[str, Sequence[S]] | None = None,
    caps: Mapping[str, int] | None = None,
) -> dict[L, list[SiteLoss[L, S]]]:
    """Explain, for each learner unmatched or below their first choice, each site they ranked higher.

    Per site, in the learner's order: "not_ranked" (the site did not rank them), "site_full" (no free
    seat; ``lost_to`` lists the holders, all ranked above the learner), "region_full" (a free seat, but the
    site's region is at its cap; only when ``regions`` and ``caps`` are given) or "blocking_pair" (the
    matching is not stable at this pair). Learners matched to their first choice are omitted.
    """
    ranks = _ranks(site_prefs)
    by_site = _holders(matching)
    region_full = _full_regions(by_site, regions or {}, caps or {})
    result: dict[L, list[SiteLoss[L, S]]] = {}
    for learner, prefs in learner_prefs.items():
        match = matching.get(learner)
        if prefs and match == prefs[0]:
            continue
        result[learner] = [
            _loss(
                learner,
                site,
                ranks.get(site, {}),
                by_site.get(site, []),
                len(by_site.get(site, [])) < capacities.get(site, 0),
                site in region_full,
            )
            for site in _sites_above(prefs, match)
        ]
    return result


def _full_regions(
    by_site: Mapping[S, list[L]], regions: Mapping[str, Sequence[S]], caps: Mapping[str, int]
) -> set[S]:
    """Return the sites whose region holds as many learners as its cap."""
    full: set[S] = set()
    for name, members in regions.items():
        if sum(len(by_site.get(site, [])) for site in members) >= caps[name]:
            full.update(members)
    return full
