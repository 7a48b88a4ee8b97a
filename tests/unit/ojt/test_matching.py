"""Tests of the pure OJT matching algorithms against the `matching` package, a literal FDA and the paper."""

import random
import warnings
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matching.games import HospitalResident

from lms.ojt.matching import (
    blocking_pairs,
    cap_violations,
    capacity_cutting,
    default_targets,
    deferred_acceptance,
    explain,
    flexible_deferred_acceptance,
)

LearnerPrefs = dict[str, list[str]]
SitePrefs = dict[str, list[str]]
Capacities = dict[str, int]
Matching = Mapping[str, str | None]


# --------------------------------------------------------------------------------------------------------
# Instance generators
# --------------------------------------------------------------------------------------------------------


def random_instance(rng: random.Random, n_learners: int, n_sites: int, max_capacity: int = 3):
    """Return a random instance where sites rank some learners who did not list them and omit others."""
    learners = [f"l{i}" for i in range(n_learners)]
    sites = [f"s{j}" for j in range(n_sites)]
    learner_prefs = {lr: rng.sample(sites, rng.randint(0, n_sites)) for lr in learners}
    site_prefs = {s: rng.sample(learners, rng.randint(0, n_learners)) for s in sites}
    capacities = {s: rng.randint(0, max_capacity) for s in sites}
    return learner_prefs, site_prefs, capacities


def random_regions(rng: random.Random, capacities: Capacities):
    """Partition some sites into ordered regions with caps and valid, randomly drawn targets."""
    sites = list(capacities)
    rng.shuffle(sites)
    regions: dict[str, list[str]] = {}
    for site in sites:
        slot = rng.randint(0, 3)  # slot 3: the site stays outside every region
        if slot < 3:
            regions.setdefault(f"r{slot}", []).append(site)
    caps: dict[str, int] = {}
    targets: dict[str, int] = {}
    for name, members in regions.items():
        caps[name] = rng.randint(0, sum(capacities[s] for s in members) + 1)
        for site in members:
            targets[site] = rng.randint(0, capacities[site])
        while sum(targets[s] for s in members) > caps[name]:
            site = rng.choice([s for s in members if targets[s] > 0])
            targets[site] -= 1
    return targets, regions, caps


seeds = st.integers(min_value=0, max_value=2**32 - 1)


@st.composite
def instances(draw: st.DrawFn):
    """Small random instances; the seed keeps instances reproducible from the printed example."""
    rng = random.Random(draw(seeds))
    return random_instance(rng, draw(st.integers(0, 9)), draw(st.integers(0, 5)))


@st.composite
def regional_instances(draw: st.DrawFn):
    """Small random instances with regions, caps and targets."""
    rng = random.Random(draw(seeds))
    learner_prefs, site_prefs, capacities = random_instance(
        rng, draw(st.integers(0, 12)), draw(st.integers(0, 6)), max_capacity=4
    )
    targets, regions, caps = random_regions(rng, capacities)
    return learner_prefs, site_prefs, capacities, targets, regions, caps


# --------------------------------------------------------------------------------------------------------
# Reference solutions
# --------------------------------------------------------------------------------------------------------


def package_solution(learner_prefs: LearnerPrefs, site_prefs: SitePrefs, capacities: Capacities):
    """Solve with the `matching` package's resident-optimal hospital-resident algorithm.

    The package requires each resident to list only hospitals that rank them, each hospital to rank
    exactly the residents who list it, non-empty lists and capacities of at least one: it warns about
    one-sided rankings and crashes on empty lists or zero capacities. Dropping pairs that are not
    mutually acceptable, zero-capacity hospitals and players left with empty lists does not change the
    stable matchings, since such pairs can never be matched or block; the dropped residents are unmatched.
    """
    usable = {s for s, seats in capacities.items() if seats > 0}
    residents = {
        lr: [s for s in prefs if s in usable and lr in site_prefs.get(s, [])]
        for lr, prefs in learner_prefs.items()
    }
    residents = {lr: prefs for lr, prefs in residents.items() if prefs}
    hospitals = {s: [lr for lr in site_prefs.get(s, []) if s in residents.get(lr, [])] for s in usable}
    hospitals = {s: prefs for s, prefs in hospitals.items() if prefs}
    result: dict[str, str | None] = dict.fromkeys(learner_prefs)
    if not residents:
        return result
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning means the instance was not made consistent
        game = HospitalResident.create_from_dictionaries(residents, hospitals, capacities)
        for hospital, matched in game.solve(optimal="resident").items():
            for resident in matched:
                result[resident.name] = hospital.name
    return result


def literal_fda(
    learner_prefs: LearnerPrefs,
    site_prefs: SitePrefs,
    capacities: Capacities,
    targets: Mapping[str, int],
    regions: Mapping[str, Sequence[str]],
    caps: Mapping[str, int],
) -> dict[str, str | None]:
    """Flexible deferred acceptance written step by step as in the paper, with no incremental shortcuts.

    In each step every rejected learner applies to their next choice; each region then chooses from
    scratch among all holders and applicants of its sites: target-many best per site, then one at a time
    round the sites in region order up to the cap; unconstrained sites keep their capacity-many best.
    """
    ranks = {s: {lr: r for r, lr in enumerate(prefs)} for s, prefs in site_prefs.items()}
    in_region = {s for members in regions.values() for s in members}
    held: dict[str, list[str]] = {s: [] for s in capacities}
    position = dict.fromkeys(learner_prefs, 0)
    applying = [lr for lr, prefs in learner_prefs.items() if prefs]
    while applying:
        pools = {s: list(learners) for s, learners in held.items()}
        for learner in applying:
            site = learner_prefs[learner][position[learner]]
            position[learner] += 1
            if learner in ranks.get(site, {}):
                pools[site].append(learner)
        for site in pools:
            pools[site].sort(key=ranks.get(site, {}).__getitem__)
        held = {s: pools[s][: capacities[s]] for s in capacities if s not in in_region}
        for name, members in regions.items():
            held.update(_region_choice(members, pools, capacities, targets, caps[name]))
        placed = {lr for learners in held.values() for lr in learners}
        applying = [
            lr for lr in learner_prefs if lr not in placed and position[lr] < len(learner_prefs[lr])
        ]
    result: dict[str, str | None] = dict.fromkeys(learner_prefs)
    for site, learners in held.items():
        for learner in learners:
            result[learner] = site
    return result


def _region_choice(members, pools, capacities, targets, cap) -> dict[str, list[str]]:
    """One region's choice: targets first, then round-robin seats in region order up to the cap."""
    chosen = {s: pools[s][: targets[s]] for s in members}
    total = sum(len(learners) for learners in chosen.values())
    progressed = True
    while total < cap and progressed:
        progressed = False
        for site in members:
            taken = len(chosen[site])
            if total < cap and taken < capacities[site] and taken < len(pools[site]):
                chosen[site].append(pools[site][taken])
                total += 1
                progressed = True
    return chosen


def weakly_prefers(prefs: Sequence[str], a: str | None, b: str | None) -> bool:
    """Whether a learner with list ``prefs`` likes ``a`` at least as much as ``b`` (unmatched is worst)."""
    if b is None:
        return True
    if a is None:
        return False
    return prefs.index(a) <= prefs.index(b)


def placed(matching: Matching) -> int:
    """Count matched learners."""
    return sum(site is not None for site in matching.values())


# --------------------------------------------------------------------------------------------------------
# Deferred acceptance
# --------------------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(instances())
def test_deferred_acceptance_equals_the_matching_package_resident_optimum_and_is_stable(instance) -> None:
    learner_prefs, site_prefs, capacities = instance
    result = deferred_acceptance(learner_prefs, site_prefs, capacities)
    assert result == package_solution(learner_prefs, site_prefs, capacities)
    assert blocking_pairs(learner_prefs, site_prefs, capacities, result) == []


@pytest.mark.parametrize("seed", range(10))
def test_deferred_acceptance_equals_the_matching_package_on_medium_instances(seed: int) -> None:
    learner_prefs, site_prefs, capacities = random_instance(random.Random(seed), 150, 25, max_capacity=8)
    result = deferred_acceptance(learner_prefs, site_prefs, capacities)
    assert result == package_solution(learner_prefs, site_prefs, capacities)
    assert blocking_pairs(learner_prefs, site_prefs, capacities, result) == []


def test_deferred_acceptance_respects_capacities_and_mutual_acceptability() -> None:
    learner_prefs, site_prefs, capacities = random_instance(random.Random(7), 80, 10)
    result = deferred_acceptance(learner_prefs, site_prefs, capacities)
    assert cap_violations(result, capacities, {}, {}) == []
    for learner, site in result.items():
        if site is not None:
            assert site in learner_prefs[learner] and learner in site_prefs[site]


def test_deferred_acceptance_textbook_example() -> None:
    learner_prefs = {"a": ["X", "Y"], "b": ["X", "Y"], "c": ["X"]}
    site_prefs = {"X": ["c", "a", "b"], "Y": ["a", "b"]}
    assert deferred_acceptance(learner_prefs, site_prefs, {"X": 1, "Y": 1}) == {"a": "Y", "b": None, "c": "X"}


# --------------------------------------------------------------------------------------------------------
# Blocking pairs
# --------------------------------------------------------------------------------------------------------


def test_blocking_pairs_detects_a_hand_built_unstable_matching() -> None:
    learner_prefs = {"a": ["X", "Y"], "b": ["X", "Y"]}
    site_prefs = {"X": ["a", "b"], "Y": ["a", "b"]}
    capacities = {"X": 1, "Y": 1}
    # X holds b although it prefers a, and a prefers X to Y.
    assert blocking_pairs(learner_prefs, site_prefs, capacities, {"a": "Y", "b": "X"}) == [("a", "X")]
    assert blocking_pairs(learner_prefs, site_prefs, capacities, {"a": "X", "b": "Y"}) == []


def test_blocking_pairs_detects_a_free_seat_and_an_unmatched_learner() -> None:
    learner_prefs = {"a": ["X"], "b": ["Y"]}
    site_prefs = {"X": ["a"], "Y": ["a"]}
    # X has a free seat that a wants; b is unmatched but Y does not rank b, so (b, Y) cannot block.
    assert blocking_pairs(learner_prefs, site_prefs, {"X": 1, "Y": 1}, {"a": None, "b": None}) == [("a", "X")]


# --------------------------------------------------------------------------------------------------------
# Regional caps
# --------------------------------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(regional_instances())
def test_flexible_deferred_acceptance_never_exceeds_caps_or_capacities(instance) -> None:
    learner_prefs, site_prefs, capacities, targets, regions, caps = instance
    result = flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, targets, regions, caps)
    assert cap_violations(result, capacities, regions, caps) == []


@settings(max_examples=200, deadline=None)
@given(regional_instances())
def test_flexible_deferred_acceptance_equals_the_step_by_step_definition(instance) -> None:
    learner_prefs, site_prefs, capacities, targets, regions, caps = instance
    expected = literal_fda(learner_prefs, site_prefs, capacities, targets, regions, caps)
    result = flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, targets, regions, caps)
    assert result == expected


@pytest.mark.parametrize("seed", range(10))
def test_flexible_deferred_acceptance_equals_the_step_by_step_definition_on_medium_instances(seed) -> None:
    rng = random.Random(seed)
    learner_prefs, site_prefs, capacities = random_instance(rng, 150, 20, max_capacity=8)
    targets, regions, caps = random_regions(rng, capacities)
    expected = literal_fda(learner_prefs, site_prefs, capacities, targets, regions, caps)
    result = flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, targets, regions, caps)
    assert result == expected


@settings(max_examples=200, deadline=None)
@given(regional_instances())
def test_flexible_deferred_acceptance_leaves_every_learner_weakly_better_off_than_capacity_cutting(
    instance,
) -> None:
    # Kamada and Kojima (2015) show FDA weakly Pareto-dominates the JRMP mechanism for learners when the
    # targets are the JRMP's cut capacities; fewer placements would contradict it.
    learner_prefs, site_prefs, capacities, targets, regions, caps = instance
    flexible = flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, targets, regions, caps)
    cut = capacity_cutting(learner_prefs, site_prefs, capacities, targets, regions, caps)
    for learner, prefs in learner_prefs.items():
        assert weakly_prefers(prefs, flexible[learner], cut[learner])
    assert placed(flexible) >= placed(cut)


@settings(max_examples=100, deadline=None)
@given(instances())
def test_flexible_deferred_acceptance_is_deferred_acceptance_when_caps_do_not_bind(instance) -> None:
    learner_prefs, site_prefs, capacities = instance
    plain = deferred_acceptance(learner_prefs, site_prefs, capacities)
    assert flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, None, {}, {}) == plain
    regions = {"all": list(capacities)}
    loose = {"all": sum(capacities.values())}
    assert flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, None, regions, loose) == plain


def paper_example() -> tuple[LearnerPrefs, SitePrefs, Capacities, dict[str, list[str]], dict[str, int]]:
    """Kamada and Kojima's first example: one region, cap 10, two hospitals of capacity 10.

    Three learners want only A, seven want only B; the JRMP cuts both to 5 seats.
    """
    learners = [f"d{i}" for i in range(10)]
    learner_prefs = {lr: ["A"] if i < 3 else ["B"] for i, lr in enumerate(learners)}
    site_prefs = {"A": learners, "B": learners}
    return learner_prefs, site_prefs, {"A": 10, "B": 10}, {"r": ["A", "B"]}, {"r": 10}


def test_flexible_deferred_acceptance_fills_popular_sites_up_to_the_cap_unlike_capacity_cutting() -> None:
    learner_prefs, site_prefs, capacities, regions, caps = paper_example()
    assert default_targets(capacities, regions, caps) == {"A": 5, "B": 5}
    cut = capacity_cutting(learner_prefs, site_prefs, capacities, None, regions, caps)
    flexible = flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, None, regions, caps)
    assert placed(cut) == 8  # B is cut to 5 of its 7 applicants while A leaves 2 cut seats empty
    assert placed(flexible) == 10
    assert list(flexible.values()).count("B") == 7


def test_flexible_deferred_acceptance_hands_seats_above_target_round_robin_in_region_order() -> None:
    learners = [f"d{i}" for i in range(8)]
    learner_prefs = {lr: ["A"] if i < 4 else ["B"] for i, lr in enumerate(learners)}
    site_prefs = {"A": learners, "B": learners}
    capacities = {"A": 4, "B": 4}
    targets = {"A": 1, "B": 1}
    # Cap 5: 2 target seats, then extra seats go A, B, A; B's third learner loses the tie on order.
    result = flexible_deferred_acceptance(
        learner_prefs, site_prefs, capacities, targets, {"r": ["A", "B"]}, {"r": 5}
    )
    assert [result[lr] for lr in learners] == ["A", "A", "A", None, "B", "B", None, None]
    reverse = flexible_deferred_acceptance(
        learner_prefs, site_prefs, capacities, targets, {"r": ["B", "A"]}, {"r": 5}
    )
    assert [reverse[lr] for lr in learners] == ["A", "A", None, None, "B", "B", "B", None]


def test_flexible_deferred_acceptance_takes_back_another_sites_extra_seat_for_a_site_below_target() -> None:
    # d0 and d1 fill the cap at A (one above target); d2 applies to B, still under target, so A's extra
    # seat goes back and A's worse holder d1 moves on to B, where the cap leaves no room above target.
    learner_prefs = {"d0": ["A"], "d1": ["A", "B"], "d2": ["B"]}
    site_prefs = {"A": ["d0", "d1"], "B": ["d2", "d1"]}
    result = flexible_deferred_acceptance(
        learner_prefs, site_prefs, {"A": 2, "B": 2}, {"A": 1, "B": 1}, {"r": ["A", "B"]}, {"r": 2}
    )
    assert result == {"d0": "A", "d1": None, "d2": "B"}


def test_cap_violations_reports_sites_over_capacity_and_regions_over_cap() -> None:
    matching = {"a": "X", "b": "X", "c": "Y", "d": None}
    capacities = {"X": 1, "Y": 5}
    assert cap_violations(matching, capacities, {"r": ["X", "Y"]}, {"r": 2}) == [
        "site 'X' holds 2 > capacity 1",
        "region 'r' holds 3 > cap 2",
    ]
    assert cap_violations(matching, {"X": 2, "Y": 1}, {"r": ["X", "Y"]}, {"r": 3}) == []


def test_default_targets_scale_capacities_down_only_where_they_exceed_the_cap() -> None:
    capacities = {"A": 3, "B": 3, "C": 3, "D": 4, "E": 9}
    regions = {"tight": ["A", "B", "C"], "loose": ["D"]}
    targets = default_targets(capacities, regions, {"tight": 7, "loose": 10})
    assert targets == {"A": 2, "B": 2, "C": 2, "D": 4, "E": 9}


# --------------------------------------------------------------------------------------------------------
# Determinism
# --------------------------------------------------------------------------------------------------------


def shuffled(mapping: Mapping, rng: random.Random) -> dict:
    """Return a copy of ``mapping`` with its keys inserted in random order."""
    keys = list(mapping)
    rng.shuffle(keys)
    return {key: mapping[key] for key in keys}


@settings(max_examples=100, deadline=None)
@given(regional_instances(), seeds)
def test_results_are_repeatable_and_independent_of_mapping_insertion_order(instance, seed) -> None:
    # Both mechanisms return the learner-optimal stable outcome, which is unique; region site order is an
    # input (it breaks ties for seats above target) and is kept.
    learner_prefs, site_prefs, capacities, targets, regions, caps = instance
    rng = random.Random(seed)
    da = deferred_acceptance(learner_prefs, site_prefs, capacities)
    fda = flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, targets, regions, caps)
    assert deferred_acceptance(learner_prefs, site_prefs, capacities) == da
    assert flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, targets, regions, caps) == fda
    mixed = (shuffled(learner_prefs, rng), shuffled(site_prefs, rng), shuffled(capacities, rng))
    assert deferred_acceptance(*mixed) == da
    assert flexible_deferred_acceptance(*mixed, shuffled(targets, rng), shuffled(regions, rng), caps) == fda


def test_result_lists_learners_in_input_order() -> None:
    learner_prefs = {"z": ["X"], "a": [], "m": ["X"]}
    assert list(deferred_acceptance(learner_prefs, {"X": ["m", "z"]}, {"X": 1})) == ["z", "a", "m"]


# --------------------------------------------------------------------------------------------------------
# Edge cases and input errors
# --------------------------------------------------------------------------------------------------------


def test_empty_inputs_give_empty_matchings() -> None:
    assert deferred_acceptance({}, {}, {}) == {}
    assert flexible_deferred_acceptance({}, {}, {}, None, {}, {}) == {}
    assert deferred_acceptance({"a": []}, {}, {"X": 3}) == {"a": None}
    assert blocking_pairs({}, {}, {}, {}) == []
    assert explain({}, {}, {}, {}) == {}


def test_zero_capacity_site_takes_nobody_and_learners_fall_through() -> None:
    learner_prefs = {"a": ["X", "Y"]}
    site_prefs = {"X": ["a"], "Y": ["a"]}
    assert deferred_acceptance(learner_prefs, site_prefs, {"X": 0, "Y": 1}) == {"a": "Y"}
    regions, caps = {"r": ["X", "Y"]}, {"r": 0}
    assert flexible_deferred_acceptance(learner_prefs, site_prefs, {"X": 0, "Y": 1}, None, regions, caps) == {
        "a": None
    }


def test_learner_ranking_a_site_that_does_not_rank_them_is_never_placed_there() -> None:
    learner_prefs = {"a": ["X", "Y"], "b": ["X"]}
    site_prefs = {"X": ["b"], "Y": ["a"]}
    assert deferred_acceptance(learner_prefs, site_prefs, {"X": 5, "Y": 5}) == {"a": "Y", "b": "X"}


def test_site_without_preferences_ranks_nobody_and_unknown_learners_in_site_lists_are_ignored() -> None:
    learner_prefs = {"a": ["X", "Y"]}
    assert deferred_acceptance(learner_prefs, {"Y": ["ghost", "a"]}, {"X": 1, "Y": 1}) == {"a": "Y"}


@pytest.mark.parametrize(
    ("learner_prefs", "site_prefs", "capacities", "message"),
    [
        ({"a": ["Nowhere"]}, {}, {"X": 1}, "unknown site"),
        ({"a": ["X", "X"]}, {"X": ["a"]}, {"X": 1}, "twice"),
        ({"a": ["X"]}, {"X": ["a", "a"]}, {"X": 1}, "twice"),
        ({"a": ["X"]}, {"X": ["a"], "Y": ["a"]}, {"X": 1}, "no capacity"),
        ({"a": ["X"]}, {"X": ["a"]}, {"X": -1}, "negative capacity"),
    ],
)
def test_invalid_instances_raise_value_error(learner_prefs, site_prefs, capacities, message) -> None:
    with pytest.raises(ValueError, match=message):
        deferred_acceptance(learner_prefs, site_prefs, capacities)


@pytest.mark.parametrize(
    ("targets", "regions", "caps", "message"),
    [
        ({"X": 1, "Y": 1}, {"r": ["X", "Y"]}, {"r": 1}, "above its cap"),
        ({"X": 3, "Y": 0}, {"r": ["X", "Y"]}, {"r": 5}, "not within"),
        ({"X": 1}, {"r": ["X", "Y"]}, {"r": 5}, "has no target"),
        (None, {"r": ["X"], "q": ["X"]}, {"r": 1, "q": 1}, "more than one region"),
        (None, {"r": ["X", "Nowhere"]}, {"r": 1}, "unknown site"),
        (None, {"r": ["X"]}, {}, "has no cap"),
        (None, {"r": ["X"]}, {"r": -1}, "negative cap"),
    ],
)
def test_invalid_regional_constraints_raise_value_error(targets, regions, caps, message) -> None:
    learner_prefs = {"a": ["X", "Y"]}
    site_prefs = {"X": ["a"], "Y": ["a"]}
    with pytest.raises(ValueError, match=message):
        flexible_deferred_acceptance(learner_prefs, site_prefs, {"X": 2, "Y": 2}, targets, regions, caps)


# --------------------------------------------------------------------------------------------------------
# Explanations
# --------------------------------------------------------------------------------------------------------


def test_explain_names_the_full_sites_and_who_took_their_seats() -> None:
    learner_prefs = {"a": ["X", "Y", "Z"], "b": ["X"], "c": ["Y"], "d": ["Z", "X"]}
    site_prefs = {"X": ["b", "d", "a"], "Y": ["c", "a"], "Z": ["d"]}
    capacities = {"X": 1, "Y": 1, "Z": 1}
    result = deferred_acceptance(learner_prefs, site_prefs, capacities)
    assert result == {"a": None, "b": "X", "c": "Y", "d": "Z"}
    assert explain(learner_prefs, site_prefs, capacities, result) == {
        "a": [
            {"site": "X", "reason": "site_full", "lost_to": ["b"]},
            {"site": "Y", "reason": "site_full", "lost_to": ["c"]},
            {"site": "Z", "reason": "not_ranked", "lost_to": []},
        ],
    }


def test_explain_reports_region_caps_and_instabilities() -> None:
    learner_prefs, site_prefs, capacities, regions, caps = paper_example()
    caps = {"r": 9}
    result = flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, None, regions, caps)
    lost = [lr for lr, site in result.items() if site is None]
    assert lost == ["d9"]
    holders = [lr for lr, site in result.items() if site == "B"]
    assert explain(learner_prefs, site_prefs, capacities, result, regions, caps)["d9"] == [
        {"site": "B", "reason": "region_full", "lost_to": holders}
    ]
    # Without the regions the free seat at B is a blocking pair of a plain matching.
    assert explain(learner_prefs, site_prefs, capacities, result)["d9"][0]["reason"] == "blocking_pair"


@settings(max_examples=100, deadline=None)
@given(instances())
def test_explain_of_deferred_acceptance_never_reports_a_blocking_pair(instance) -> None:
    learner_prefs, site_prefs, capacities = instance
    result = deferred_acceptance(learner_prefs, site_prefs, capacities)
    explanations = explain(learner_prefs, site_prefs, capacities, result)
    for learner, losses in explanations.items():
        assert [loss["site"] for loss in losses] == learner_prefs[learner][: len(losses)]
        assert all(loss["reason"] in ("site_full", "not_ranked") for loss in losses)
    first_choice = {lr for lr, prefs in learner_prefs.items() if prefs and result[lr] == prefs[0]}
    assert set(explanations) == set(learner_prefs) - first_choice


def test_both_algorithms_are_importable_from_lms_ojt_matching_as_the_contract_names_them():
    """API.md: `deferred_acceptance` and `flexible_deferred_acceptance` are in lms/ojt/matching.py."""
    import importlib

    matching = importlib.import_module("lms.ojt.matching")
    assert matching.deferred_acceptance is deferred_acceptance
    assert matching.flexible_deferred_acceptance is flexible_deferred_acceptance
    assert {"deferred_acceptance", "flexible_deferred_acceptance"} <= set(matching.__all__)
