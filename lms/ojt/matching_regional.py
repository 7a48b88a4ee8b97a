"""Matching under regional caps: targets per site, capacity cutting, and flexible deferred acceptance
(Kamada and Kojima 2015), on the numbered instance of lms.ojt.matching."""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from heapq import heappop, heappush, heapreplace
from typing import TypeVar

from lms.ojt.matching_core import Instance, deferred_acceptance, index_instance, to_matching

L = TypeVar("L", bound=Hashable)
S = TypeVar("S", bound=Hashable)

__all__ = ["capacity_cutting", "default_targets", "flexible_deferred_acceptance"]


def _check_regions(
    capacities: Mapping[S, int], regions: Mapping[str, Sequence[S]], caps: Mapping[str, int]
) -> None:
    """Check that regions list known sites, none twice, and have non-negative caps."""
    seen: set[S] = set()
    for name, members in regions.items():
        if name not in caps:
            raise ValueError(f"region {name!r} has no cap")
        if caps[name] < 0:
            raise ValueError(f"negative cap {caps[name]} for region {name!r}")
        for site in members:
            if site not in capacities:
                raise ValueError(f"region {name!r} lists unknown site {site!r}")
            if site in seen:
                raise ValueError(f"site {site!r} is listed in more than one region (or twice)")
            seen.add(site)


def _check_targets(
    capacities: Mapping[S, int],
    targets: Mapping[S, int],
    regions: Mapping[str, Sequence[S]],
    caps: Mapping[str, int],
) -> None:
    """Check 0 <= target <= capacity for regional sites and that targets fit each region's cap."""
    for name, members in regions.items():
        total = 0
        for site in members:
            if site not in targets:
                raise ValueError(f"site {site!r} in region {name!r} has no target")
            if not 0 <= targets[site] <= capacities[site]:
                raise ValueError(f"target {targets[site]} of site {site!r} is not within 0..capacity")
            total += targets[site]
        if total > caps[name]:
            raise ValueError(f"targets of region {name!r} sum to {total}, above its cap {caps[name]}")


def default_targets(
    capacities: Mapping[S, int], regions: Mapping[str, Sequence[S]], caps: Mapping[str, int]
) -> dict[S, int]:
    """Return per-site targets: capacities, scaled down (floored) in regions whose capacity exceeds the cap.

    Sites outside every region keep their capacity. Flooring guarantees each region's targets fit its cap.
    """
    _check_regions(capacities, regions, caps)
    targets = {site: int(seats) for site, seats in capacities.items()}
    for name, members in regions.items():
        total = sum(capacities[s] for s in members)
        if total > caps[name]:
            for site in members:
                targets[site] = capacities[site] * caps[name] // total
    return targets


def _resolve_targets(
    capacities: Mapping[S, int],
    targets: Mapping[S, int] | None,
    regions: Mapping[str, Sequence[S]],
    caps: Mapping[str, int],
) -> Mapping[S, int]:
    """Validate regions and targets, filling in default targets when none are given."""
    _check_regions(capacities, regions, caps)
    if targets is None:
        return default_targets(capacities, regions, caps)
    _check_targets(capacities, targets, regions, caps)
    return targets


def capacity_cutting(
    learner_prefs: Mapping[L, Sequence[S]],
    site_prefs: Mapping[S, Sequence[L]],
    capacities: Mapping[S, int],
    targets: Mapping[S, int] | None,
    regions: Mapping[str, Sequence[S]],
    caps: Mapping[str, int],
) -> dict[L, S | None]:
    """Return the JRMP-style matching: regional sites' capacities cut to their targets, then plain DA.

    Arguments are those of ``flexible_deferred_acceptance``; ``targets=None`` means ``default_targets``.
    """
    chosen = _resolve_targets(capacities, targets, regions, caps)
    cut = dict(capacities)
    for members in regions.values():
        for site in members:
            cut[site] = chosen[site]
    return deferred_acceptance(learner_prefs, site_prefs, cut)


class _Region:
    """Seat accounting of one capped region during flexible deferred acceptance.

    Seats above target are handed out round-robin in the region's fixed site order, so the k-th extra
    seat of the site at position p is granted in turn (k, p), coded k * width + p. When the cap binds, the
    seat to take back is the latest turn in use; a lazy max-heap of each site's latest turn finds it.
    """

    __slots__ = ("cap", "filled", "latest", "members", "turns", "width")

    def __init__(self, cap: int, members: list[int]) -> None:
        self.cap = cap
        self.filled = 0
        self.members = members
        self.width = max(len(members), 1)
        # Negated turn codes; a code is stale once its site's extra seat count has changed.
        self.turns: list[int] = []
        # The latest turn in use, -1 when no site is above target; read on every application at the cap.
        self.latest = -1

    def grant(self, position: int, extra: int) -> None:
        """Record that the site at ``position`` now holds ``extra`` seats above its target."""
        code = extra * self.width + position
        heappush(self.turns, -code)
        if code > self.latest:
            self.latest = code

    def release_latest(self, held: list[list[int]], target: list[int]) -> tuple[int, int]:
        """Take back the latest extra seat from its site's worst holder; return (site, holder's rank)."""
        if self.latest < 0:
            raise RuntimeError("regional targets exceed the cap")
        position = self.latest % self.width
        site = self.members[position]
        worst = -heappop(held[site])
        extra = len(held[site]) - target[site]
        if extra > 0:
            heappush(self.turns, -(extra * self.width + position))
        self._refresh(held, target)
        return site, worst

    def _refresh(self, held: list[list[int]], target: list[int]) -> None:
        """Drop stale codes from the top of the heap and reset ``latest``."""
        turns, width, members = self.turns, self.width, self.members
        while turns:
            extra, position = divmod(-turns[0], width)
            site = members[position]
            if len(held[site]) - target[site] == extra:
                self.latest = -turns[0]
                return
            heappop(turns)
        self.latest = -1


@dataclass(slots=True)
class _Regional:
    """Integer-indexed regional data: each site's region (None when unconstrained), target and position."""

    region_of: list[_Region | None]
    target: list[int]
    position: list[int]


def _index_regions(
    instance: Instance[L, S],
    targets: Mapping[S, int],
    regions: Mapping[str, Sequence[S]],
    caps: Mapping[str, int],
) -> _Regional:
    """Translate validated regions, caps and targets to integer-indexed arrays."""
    n_sites = len(instance.sites)
    regional = _Regional([None] * n_sites, [0] * n_sites, [0] * n_sites)
    for name, members in regions.items():
        ids = [instance.site_index[s] for s in members]
        region = _Region(int(caps[name]), ids)
        for position, s in enumerate(ids):
            regional.region_of[s] = region
            regional.target[s] = int(targets[members[position]])
            regional.position[s] = position
    return regional


def _run_flexible(instance: Instance[L, S], regional: _Regional) -> list[list[int]]:
    """Flexible deferred acceptance, one application at a time; returns the sites' heaps of negated ranks."""
    learners, learner_index = instance.learners, instance.learner_index
    capacity, ranked, rank_of = instance.capacity, instance.ranked, instance.rank_of
    choices = instance.choices
    region_of, target, position = regional.region_of, regional.target, regional.position
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
            n = len(heap)
            region = region_of[site]
            # At its cap a region chooses again among its holders plus the applicant, which moves at most
            # one seat: a site within target must grow, taking back the latest extra turn in use; above
            # target it grows only if its next extra turn comes before that one.
            if n < capacity[site] and (
                region is None
                or region.filled < region.cap
                or n < target[site]
                or region.latest > (n + 1 - target[site]) * region.width + position[site]
            ):
                if region is not None:
                    if region.filled < region.cap:
                        region.filled += 1
                    else:
                        loser, worst = region.release_latest(held, target)
                        free.append(learner_index[ranked[loser][worst]])
                    if n >= target[site]:
                        region.grant(position[site], n + 1 - target[site])
                heappush(heap, -rank)
                break
            # Otherwise the site's seat count stays: the applicant competes with its worst holder only.
            if n and -heap[0] > rank:
                free.append(learner_index[ranked[site][-heapreplace(heap, -rank)]])
                break
        next_choice[learner] = i
    return held


def flexible_deferred_acceptance(
    learner_prefs: Mapping[L, Sequence[S]],
    site_prefs: Mapping[S, Sequence[L]],
    capacities: Mapping[S, int],
    targets: Mapping[S, int] | None,
    regions: Mapping[str, Sequence[S]],
    caps: Mapping[str, int],
) -> dict[L, S | None]:
    """Return the flexible deferred acceptance matching of Kamada and Kojima (2015, AER).

    ``regions`` maps a region to its sites in the fixed order that breaks ties for seats above target;
    ``caps`` bounds the learners placed in each region; ``targets`` (None: ``default_targets``) must
    satisfy 0 <= target <= capacity and sum to at most the cap in each region. Sites in no region are
    limited by their capacity only. Whenever a site receives applicants, its region tentatively keeps,
    at each site, the target-many best applicants and holders, then hands the remaining seats up to the
    cap one at a time round the sites in region order, each site taking its next best if below capacity;
    the rest are rejected and apply to their next choice.

    Applications are processed one at a time: the region's choice is substitutable and satisfies the law
    of aggregate demand, so the result equals the paper's step-by-step run whatever the application
    order, and does not depend on the order of the learner or site mappings. Input errors raise
    ValueError as in ``deferred_acceptance``, plus regions listing unknown sites or overlapping, regions
    without a cap and targets out of range.
    """
    instance = index_instance(learner_prefs, site_prefs, capacities)
    chosen = _resolve_targets(capacities, targets, regions, caps)
    regional = _index_regions(instance, chosen, regions, caps)
    return to_matching(instance, _run_flexible(instance, regional))
