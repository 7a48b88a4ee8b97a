"""Matching round glue: default priority, region order, the run's counts and explanations."""

from datetime import UTC, datetime, timedelta

from lms.ojt.round_rules import Applicant, Region, Site, default_priority, region_members, run_round

T0 = datetime(2026, 4, 1, tzinfo=UTC)


def applicant(eid: str, prefecture: str, minutes: int) -> Applicant:
    return Applicant(eid, prefecture, T0 + timedelta(minutes=minutes))


def test_default_priority_same_prefecture_then_earlier_then_id():
    applicants = [applicant("e4", "01", 0), applicant("e3", "13", 5), applicant("e2", "13", 5),
                  applicant("e1", "13", 9)]
    assert default_priority("13", applicants) == ["e2", "e3", "e1", "e4"]


def test_region_members_put_shortage_sites_first_then_prefecture_order():
    sites = {s.id: s for s in [Site("a", "A", "13", False, 1), Site("b", "B", "11", False, 1),
                               Site("c", "C", "13", True, 1), Site("d", "D", "01", True, 1)]}
    assert region_members([Region("kanto", ("13", "11"), 2)], sites) == {"kanto": ["c", "a", "b"]}


def instance():
    sites = {s.id: s for s in [Site("s1", "S1", "13", False, 1), Site("s2", "S2", "01", True, 2)]}
    prefs = {"e1": ["s1", "s2"], "e2": ["s1", "s2"], "e3": ["s1"]}
    applicants = {"e1": applicant("e1", "01", 0), "e2": applicant("e2", "13", 5),
                  "e3": applicant("e3", "01", 1)}
    return prefs, applicants, sites


def test_plain_deferred_acceptance_counts_and_explains():
    prefs, applicants, sites = instance()
    result = run_round("deferred_acceptance", prefs, applicants, sites, {}, [])
    by_id = {a["enrollment_id"]: a for a in result["assignments"]}
    # s1 has no ranking: e2 (same prefecture) first
    assert by_id["e2"]["site_id"] == "s1" and by_id["e2"]["explanation"] == []
    assert by_id["e1"]["site_id"] == "s2" and by_id["e1"]["choice_rank"] == 2
    assert by_id["e1"]["explanation"] == [{"site_id": "s1", "reason": "site_full", "lost_to": ["e2"]}]
    assert by_id["e3"]["outcome"] == "unmatched"
    assert (result["matched"], result["unmatched"], result["blocking_pairs"]) == (2, 1, 0)
    assert result["shortage_area_placements"] == 1


def test_a_submitted_ranking_replaces_the_default():
    prefs, applicants, sites = instance()
    result = run_round("deferred_acceptance", prefs, applicants, sites, {"s1": ["e3", "e1"]}, [])
    by_id = {a["enrollment_id"]: a["site_id"] for a in result["assignments"]}
    assert by_id == {"e1": "s2", "e2": "s2", "e3": "s1"}


def test_regional_cap_is_respected_by_both_mechanisms():
    prefs, applicants, sites = instance()
    regions = [Region("hokkaido", ("01",), 1)]
    for mechanism in ("deferred_acceptance", "flexible_deferred_acceptance"):
        result = run_round(mechanism, prefs, applicants, sites, {}, regions)
        assert result["regions"][0]["matched"] <= 1
        assert result["regions"][0]["target"] == 1
        assert result == run_round(mechanism, prefs, applicants, sites, {}, regions)
