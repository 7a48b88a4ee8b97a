"""Benchmark of the OJT matching algorithms at national scale and against the `matching` package."""

import os
import random
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

# Run as a plain script from any directory: make the project importable without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.games import HospitalResident  # noqa: E402

from lms.ojt.matching import (  # noqa: E402
    capacity_cutting,
    default_targets,
    deferred_acceptance,
    flexible_deferred_acceptance,
)

SEED = 20250401
REPEATS = 3
T = TypeVar("T")

Instance = tuple[dict[str, list[str]], dict[str, list[str]], dict[str, int]]


def make_instance(rng: random.Random, n_learners: int, n_sites: int, list_length: int) -> Instance:
    """Uniform random lists over UUID ids; sites rank all who listed them; capacities sum to learners."""
    learners = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n_learners)]
    sites = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(n_sites)]
    learner_prefs = {learner: rng.sample(sites, list_length) for learner in learners}
    site_prefs: dict[str, list[str]] = {site: [] for site in sites}
    for learner, prefs in learner_prefs.items():
        for site in prefs:
            site_prefs[site].append(learner)
    for prefs in site_prefs.values():
        rng.shuffle(prefs)
    base, remainder = divmod(n_learners, n_sites)
    bigger = set(rng.sample(sites, remainder))
    capacities = {site: base + (site in bigger) for site in sites}
    return learner_prefs, site_prefs, capacities


def make_regions(
    rng: random.Random, capacities: dict[str, int], n_regions: int, cap_share: float
) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Split all sites into regions in random order, each capped at a share of its total capacity."""
    sites = list(capacities)
    rng.shuffle(sites)
    regions = {f"region-{k}": sites[k::n_regions] for k in range(n_regions)}
    caps = {name: int(cap_share * sum(capacities[s] for s in members)) for name, members in regions.items()}
    return regions, caps


def timed(run: Callable[[], T]) -> tuple[float, float, T]:
    """Run once; return wall seconds, CPU seconds and the result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = run()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def best_of(run: Callable[[], T], repeats: int = REPEATS) -> tuple[float, float, T]:
    """Return the best wall time, the CPU time of that run and its result."""
    runs = [timed(run) for _ in range(repeats)]
    return min(runs, key=lambda item: item[0])


def placed(matching: dict[str, str | None]) -> int:
    """Count matched learners."""
    return sum(site is not None for site in matching.values())


def package_solve(instance: Instance) -> tuple[float, float, dict[str, str | None]]:
    """Build and solve with the `matching` package; return build seconds, solve seconds and the matching.

    The package deep-copies its player graph recursively, which overflows the default recursion limit
    and thread stack at this size, so it runs in a thread with a large stack.
    """
    learner_prefs, site_prefs, capacities = instance
    outcome: list[tuple[float, float, dict[str, str | None]]] = []

    def run() -> None:
        start = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(learner_prefs, site_prefs, capacities)
        built = time.perf_counter()
        solution = game.solve(optimal="resident")
        solved = time.perf_counter()
        result: dict[str, str | None] = dict.fromkeys(learner_prefs)
        for hospital, residents in solution.items():
            for resident in residents:
                result[resident.name] = hospital.name
        outcome.append((built - start, solved - built, result))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1_000_000)
    previous_stack = threading.stack_size(1024 * 1024 * 1024)
    try:
        worker = threading.Thread(target=run)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(previous_stack)
        sys.setrecursionlimit(limit)
    return outcome[0]


def national_scale(rng: random.Random) -> None:
    """40,000 learners x 3,000 sites x 20-long lists; plain DA, flexible DA with 8 capped regions, JRMP."""
    n_learners, n_sites, length = 40_000, 3_000, 20
    instance = make_instance(rng, n_learners, n_sites, length)
    regions, caps = make_regions(rng, instance[2], n_regions=8, cap_share=0.9)
    targets = default_targets(instance[2], regions, caps)
    print(f"[1] {n_learners:,} learners x {n_sites:,} sites x {length}-long lists, "
          f"total capacity {sum(instance[2].values()):,}; best of {REPEATS} (wall / CPU)")
    wall, cpu, da = best_of(lambda: deferred_acceptance(*instance))
    print(f"    deferred_acceptance            {wall:6.3f} s / {cpu:6.3f} s   placed {placed(da):,}")
    wall, cpu, fda = best_of(lambda: flexible_deferred_acceptance(*instance, targets, regions, caps))
    print(f"    flexible_deferred_acceptance   {wall:6.3f} s / {cpu:6.3f} s   placed {placed(fda):,} "
          f"(8 regions, caps = 90% of capacity, total {sum(caps.values()):,})")
    wall, cpu, cut = timed(lambda: capacity_cutting(*instance, targets, regions, caps))
    print(f"    capacity_cutting (JRMP), 1 run {wall:6.3f} s / {cpu:6.3f} s   placed {placed(cut):,}")


def against_package(rng: random.Random) -> None:
    """6,000 learners x 300 sites x 20-long lists: this module versus the `matching` package."""
    n_learners, n_sites, length = 6_000, 300, 20
    instance = make_instance(rng, n_learners, n_sites, length)
    print(f"[2] {n_learners:,} learners x {n_sites:,} sites x {length}-long lists")
    ours, ours_cpu, matching = best_of(lambda: deferred_acceptance(*instance))
    print(f"    deferred_acceptance, best of {REPEATS}     {ours:7.3f} s (CPU {ours_cpu:.3f} s)")
    build, solve, theirs = package_solve(instance)
    print(f"    matching package, 1 run: build {build:7.3f} s + solve {solve:7.3f} s")
    print(f"    same matching: {matching == theirs}")
    print(f"    ratio package solve / ours {solve / ours:8.1f}x; package build+solve / ours "
          f"{(build + solve) / ours:8.1f}x")


def main() -> None:
    """Print the benchmark figures."""
    print(f"Python {sys.version.split()[0]}, seed {SEED}, load average {os.getloadavg()[0]:.2f} "
          f"on {os.cpu_count()} CPUs")
    rng = random.Random(SEED)
    national_scale(rng)
    against_package(rng)


if __name__ == "__main__":
    main()
