"""Turning a matching round's inputs into a result: default priorities, regions, the run; pure, no database."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from lms.ojt.matching import (
    blocking_pairs,
    capacity_cutting,
    default_targets,
    deferred_acceptance,
    explain,
    flexible_deferred_acceptance,
)


@dataclass(frozen=True)
class Applicant:
    enrollment_id: str
    prefecture_code: str
    applied_at: datetime


@dataclass(frozen=True)
class Site:
    id: str
    name: str
    prefecture_code: str
    shortage_area: bool
    capacity: int  # remaining annual capacity in the round's fiscal year


@dataclass(frozen=True)
class Region:
    name: str
    prefecture_codes: tuple[str, ...]
    cap: int


def default_priority(site_prefecture: str, applicants: list[Applicant]) -> list[str]:
    """A site's order when it submits no ranking: learners whose enrolment prefecture is the site's
    prefecture first, then earlier application, ties by enrolment id."""
    ordered = sorted(applicants, key=lambda a: (a.prefecture_code != site_prefecture, a.applied_at, a.enrollment_id))
    return [a.enrollment_id for a in ordered]


def region_members(regions: list[Region], sites: dict[str, Site]) -> dict[str, list[str]]:
    """Each region's sites in the fixed order that breaks ties for seats above target: shortage-area
    sites first, then the region's prefectures in the order given, then site id."""
    members: dict[str, list[str]] = {}
    for region in regions:
        order = {code: i for i, code in enumerate(region.prefecture_codes)}
        inside = [s for s in sites.values() if s.prefecture_code in order]
        inside.sort(key=lambda s: (not s.shortage_area, order[s.prefecture_code], s.id))
        members[region.name] = [s.id for s in inside]
    return members


def site_priorities(learner_prefs: dict[str, list[str]], applicants: dict[str, Applicant],
                    sites: dict[str, Site], rankings: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every site's order of its applicants: its ranking (restricted to applicants) or the default."""
    applying: dict[str, list[Applicant]] = {site_id: [] for site_id in sites}
    for enrollment_id, site_ids in learner_prefs.items():
        for site_id in site_ids:
            applying[site_id].append(applicants[enrollment_id])
    priorities = {}
    for site_id, site in sites.items():
        if site_id in rankings:
            listed = {a.enrollment_id for a in applying[site_id]}
            priorities[site_id] = [e for e in rankings[site_id] if e in listed]
        else:
            priorities[site_id] = default_priority(site.prefecture_code, applying[site_id])
    return priorities


def run_round(mechanism: str, learner_prefs: dict[str, list[str]], applicants: dict[str, Applicant],
              sites: dict[str, Site], rankings: dict[str, list[str]], regions: list[Region]) -> dict:
    """Match, check and explain. With regions, deferred acceptance runs on capacities cut to the targets
    (the residency match's method) while flexible deferred acceptance lets regions fill up to their caps."""
    site_prefs = site_priorities(learner_prefs, applicants, sites, rankings)
    capacities = {site_id: site.capacity for site_id, site in sites.items()}
    members = region_members(regions, sites)
    caps = {region.name: region.cap for region in regions}
    targets = default_targets(capacities, members, caps)
    if mechanism == "flexible_deferred_acceptance":
        matching = flexible_deferred_acceptance(learner_prefs, site_prefs, capacities, targets, members, caps)
        effective = capacities
    elif regions:
        matching = capacity_cutting(learner_prefs, site_prefs, capacities, targets, members, caps)
        effective = targets
    else:
        matching = deferred_acceptance(learner_prefs, site_prefs, capacities)
        effective = capacities
    losses = explain(learner_prefs, site_prefs, effective, matching, members, caps)
    pairs = sorted(blocking_pairs(learner_prefs, site_prefs, capacities, matching))
    return _summary(learner_prefs, sites, site_prefs, regions, members, targets, matching, losses, pairs)


def _summary(learner_prefs, sites, site_prefs, regions, members, targets, matching, losses, pairs) -> dict:
    matched_at = Counter(site for site in matching.values() if site is not None)
    region_of = {site_id: name for name, ids in members.items() for site_id in ids}
    applicants_at = Counter(site for prefs in learner_prefs.values() for site in prefs)
    assignments = []
    for enrollment_id in sorted(learner_prefs):
        site_id, prefs = matching[enrollment_id], learner_prefs[enrollment_id]
        assignments.append({
            "enrollment_id": enrollment_id,
            "outcome": "matched" if site_id else "unmatched",
            "site_id": site_id,
            "choice_rank": prefs.index(site_id) + 1 if site_id else None,
            "choices": len(prefs),
            "excluded_reason": None,
            "explanation": [{"site_id": loss["site"], "reason": loss["reason"], "lost_to": list(loss["lost_to"])}
                            for loss in losses.get(enrollment_id, [])],
        })
    return {
        "matched": sum(matched_at.values()),
        "unmatched": len(learner_prefs) - sum(matched_at.values()),
        "shortage_area_placements": sum(n for site_id, n in matched_at.items() if sites[site_id].shortage_area),
        "blocking_pairs": len(pairs),
        "blocking_pair_list": [{"enrollment_id": e, "site_id": s} for e, s in pairs],
        "sites": [{"site_id": s.id, "name": s.name, "prefecture_code": s.prefecture_code,
                   "shortage_area": s.shortage_area, "region": region_of.get(s.id), "capacity": s.capacity,
                   "target": targets[s.id], "applicants": applicants_at[s.id], "matched": matched_at[s.id]}
                  for s in sorted(sites.values(), key=lambda s: s.id)],
        "regions": [{"name": r.name, "cap": r.cap,
                     "capacity": sum(sites[s].capacity for s in members[r.name]),
                     "target": sum(targets[s] for s in members[r.name]),
                     "matched": sum(matched_at[s] for s in members[r.name])} for r in regions],
        "assignments": assignments,
    }
