"""Benchmark of the office planner (routing/planning): our sparse HiGHS models against PySAL spopt in the same run.

Run with the data mirror and the ``plan`` extra (spopt), e.g.::

    RUJUK_DATA_MIRROR=../shared/data python bench/bench_plan.py

The problem is the issue's: the 514 regency seats as candidates, the 7,285 districts as demand
(weighted by registered population, each district an equal share of its regency's), LPSK's
offices before 2024 (Jakarta, Yogyakarta, Medan, at their regency seats) as existing sites, a
standard of 8 hours (set covering: 30 hours, since some districts have no seat within 8 hours) and
p = 1, 3, 5. It prints:

* the travel matrix 7,285 x 517, one call of ``national_network().matrix`` (one Dijkstra pass
  from all sites; the network is symmetric), min/median/max of ``--repeat`` runs;
* per model and p: our build and solve seconds (min/median/max of ``--repeat`` runs), spopt's
  (``from_cost_matrix`` and ``solve`` with PuLP's CBC), the ratio of the medians of build +
  solve, and both objectives. spopt's p-median and p-center are full assignment models (one
  PuLP variable per district and site, 3.8 million here): they run on ``--sample`` districts
  (default 100, every 72nd; with 300 CBC took several minutes per p-center run on this machine),
  the size printed, ours on the same sample and, once, on the whole problem.

Goal (the issue): MCLP under 1 second for p = 5, at least 10 times faster than spopt, same optimum.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
import warnings
from collections.abc import Callable

import numpy as np

from core import settings
from geo import seats
from routing.national import national_network
from routing.planning import demand as demand_module
from routing.planning.candidates import regency_seats
from routing.planning.models import Problem, solve
from routing.planning.reference import spopt_solve

LPSK_BEFORE_2024 = ("31.75", "34.71", "12.71")
"""The regency seats where LPSK's directory rows place its head office and the Yogyakarta and Medan offices."""


def spread(values: list[float]) -> str:
    return "/".join(f"{v:.3f}" for v in (min(values), statistics.median(values), max(values)))


def timed(run: Callable[[], object], repeat: int) -> tuple[list[float], object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return times, result


def build_problem(repeat: int) -> Problem:
    network = national_network()
    demand = demand_module.load_demand(None, "district", "population")
    candidates = regency_seats()
    existing = np.array([seats.seat_point(code) for code in LPSK_BEFORE_2024])
    lon = np.r_[candidates.lon, existing[:, 0]]
    lat = np.r_[candidates.lat, existing[:, 1]]
    points = demand.areas["lon"].to_numpy(float), demand.areas["lat"].to_numpy(float)
    times, matrix = timed(lambda: network.matrix(lon, lat, *points), repeat)
    hours = matrix.time_h.T
    print(f"travel matrix {hours.shape[0]:,} x {hours.shape[1]} (one matrix call): {spread(times)} s min/median/max")
    times, _ = timed(lambda: network.hours_from_sources(lon, lat), repeat)
    print(f"  for comparison, NationalNetwork.hours_from_sources (not in the TravelModel interface): {spread(times)} s")
    m = len(candidates)
    return Problem(hours[:, :m], hours[:, m:], demand.weight, 8.0)


def compare(problem: Problem, model: str, p: int | None, repeat: int, label: str) -> None:
    ours_times, ours = timed(lambda: solve(problem, model, p), repeat)
    build = [ours.build_s]
    theirs_times, theirs = timed(lambda: spopt_solve(problem, model, p), repeat)
    ratio = statistics.median(theirs_times) / statistics.median(ours_times)
    goal = ""
    if model == "mclp" and p == 5 and label == "full":
        met = statistics.median(ours_times) < 1 and ratio >= 10 and np.isclose(ours.objective, theirs.objective)
        goal = f"  goal (< 1 s, >= 10x, same optimum): {'met' if met else 'NOT met'}"
    print(
        f"{model:8} p={p!s:4} {label:12} ours {spread(ours_times)} s (build {build[0]:.3f}, status {ours.status})"
        f" | spopt {spread(theirs_times)} s (build {theirs.build_s:.1f}) | x{ratio:.1f}"
        f" | objective ours {ours.objective:.6g} spopt {theirs.objective:.6g}{goal}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sample", type=int, default=100, help="districts for spopt's p-median and p-center")
    parser.add_argument("--models", default="mclp,setcover,pcenter,pmedian")
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)  # PuLP 3 announces its 4.0 API on every variable
    settings.plan_time_limit_s = 600.0
    problem = build_problem(args.repeat)
    step = max(1, len(problem.weight) // args.sample)
    rows = np.arange(0, len(problem.weight), step)[: args.sample]
    sample = Problem(problem.time_h[rows], problem.existing_h[rows], problem.weight[rows], problem.standard_h)
    print(f"problem: {problem.time_h.shape[0]:,} districts x {problem.time_h.shape[1]} candidates, 3 existing, 8 h")
    for model in args.models.split(","):
        for p in (None,) if model == "setcover" else (1, 3, 5):
            if model == "setcover":
                compare(dataclasses.replace(problem, standard_h=30.0), model, p, args.repeat, "full, 30 h")
                continue
            if model == "mclp":
                compare(problem, model, p, args.repeat, "full")
                continue
            compare(sample, model, p, args.repeat, f"{len(rows)} x {problem.time_h.shape[1]}")
            times, ours = timed(lambda model=model, p=p: solve(problem, model, p), 1)
            print(
                f"{model:8} p={p!s:4} {'full':12} ours {times[0]:.3f} s once (status {ours.status}, "
                f"{ours.variables:,} variables); spopt not run: {problem.time_h.size:,} assignment variables"
            )


if __name__ == "__main__":
    main()
