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
* per model and p, on the whole problem: our build and solve seconds (min/median/max of
  ``--repeat`` runs) next to spopt's own attempt at the same problem (``from_cost_matrix`` and
  ``solve`` with PuLP's CBC) in a child process with a wall-clock limit (``--spopt-limit``
  seconds) and an address-space limit (``--spopt-memory`` GB, ``RLIMIT_AS``, inherited by CBC).
  spopt's p-median and p-center are full assignment models (one PuLP variable per district and
  site, 3.8 million here): the row says whether spopt finished, ran out of time (in its build or
  solve phase) or out of memory; then the ratio is a lower bound (``>=``). spopt runs once per row
  (``--spopt-repeat``), its runs being the long ones;
* p-median and p-center once more on ``--sample`` districts (default 100, every 72nd), where
  spopt finishes, to show both objectives equal;
* a summary table: model, p, ours, spopt, ratio, both objectives and which goal is met.

Goal (the issue): MCLP under 1 second for p = 5, at least 10 times faster than spopt, same optimum.
"""

from __future__ import annotations

import argparse
import dataclasses
import multiprocessing
import os
import resource
import signal
import statistics
import time
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection

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

    def fresh_hours_from_sources() -> np.ndarray:
        network._joined.clear()  # the join and its searches are kept per set of points: time them anew
        return network.hours_from_sources(lon, lat)

    times, _ = timed(fresh_hours_from_sources, repeat)
    print(
        f"  for comparison, NationalNetwork.hours_from_sources, joined anew (not in the TravelModel interface): "
        f"{spread(times)} s"
    )
    m = len(candidates)
    return Problem(hours[:, :m], hours[:, m:], demand.weight, 8.0)


@dataclasses.dataclass
class Attempt:
    """spopt's attempt at one problem in a child process: its answer, or why it has none."""

    seconds: float
    objective: float | None = None
    build_s: float | None = None
    failure: str = ""


def _spopt_child(problem: Problem, model: str, p: int | None, memory_gb: float, pipe: Connection) -> None:
    os.setpgrp()  # its own process group: CBC, PuLP's solver process, is ended with it
    limit = int(memory_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warnings.simplefilter("ignore", DeprecationWarning)
    try:
        answer = spopt_solve(problem, model, p, on_built=lambda build_s: pipe.send(("built", build_s)))
        pipe.send(("done", answer.objective, answer.build_s, answer.solve_s))
    except MemoryError:
        pipe.send(("memory",))
    except Exception as error:  # reported in the row (CBC out of memory shows as a PuLP error)
        pipe.send(("error", f"{type(error).__name__}: {str(error)[:120]}"))


def spopt_attempt(problem: Problem, model: str, p: int | None, limit_s: float, memory_gb: float) -> Attempt:
    """Run spopt on `problem` in a child process stopped after `limit_s` seconds or at `memory_gb` of address space."""
    receive, send = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(target=_spopt_child, args=(problem, model, p, memory_gb, send))
    started = time.perf_counter()
    child.start()
    send.close()
    build_s, message = None, None
    while message is None:
        left = limit_s - (time.perf_counter() - started)
        if left <= 0 or not receive.poll(left):
            break
        try:
            got = receive.recv()
        except EOFError:  # the child died without a word (killed by the kernel, a crash in CBC's loader)
            message = ("died", child.exitcode)
            break
        if got[0] == "built":
            build_s = got[1]
        else:
            message = got
    seconds = time.perf_counter() - started
    if message is None:
        os.killpg(child.pid, signal.SIGKILL)
    child.join()
    phase = "build phase" if build_s is None else f"solve phase, built in {build_s:.0f} s"
    if message is None:
        return Attempt(seconds, build_s=build_s, failure=f"did not finish in {limit_s:.0f} s ({phase})")
    if message[0] == "done":
        return Attempt(message[2] + message[3], message[1], message[2])
    if message[0] == "memory":
        return Attempt(seconds, build_s=build_s, failure=f"ran out of the {memory_gb:g} GB memory limit ({phase})")
    return Attempt(seconds, build_s=build_s, failure=f"failed after {seconds:.0f} s ({phase}): {message[1]}")


SUMMARY: list[dict] = []


def compare(problem: Problem, model: str, p: int | None, args: argparse.Namespace, label: str) -> None:
    ours_times, ours = timed(lambda: solve(problem, model, p), args.repeat)
    theirs = [spopt_attempt(problem, model, p, args.spopt_limit, args.spopt_memory) for _ in range(args.spopt_repeat)]
    finished = [a for a in theirs if not a.failure]
    ours_median = statistics.median(ours_times)
    if finished:
        theirs_s = statistics.median(a.seconds for a in finished)
        ratio, spopt_text = f"x{theirs_s / ours_median:.1f}", f"{spread([a.seconds for a in finished])} s"
        theirs_objective = f"{finished[0].objective:.6g}"
        same = bool(np.isclose(ours.objective, finished[0].objective, rtol=1e-6))
    else:
        least = min(a.seconds for a in theirs)
        ratio, spopt_text, theirs_objective, same = f">= x{least / ours_median:.1f}", theirs[0].failure, "none", False
    goal = "-"
    if model == "mclp" and p == 5 and label == "full":
        met = ours_median < 1 and finished and theirs_s / ours_median >= 10 and same
        goal = f"< 1 s, >= 10x, same optimum: {'met' if met else 'NOT met'}"
    elif finished:
        goal = f"same optimum: {'yes' if same else 'NO'}"
    print(
        f"{model:8} p={p!s:4} {label:12} ours {spread(ours_times)} s (build {ours.build_s:.3f}, status {ours.status},"
        f" {ours.variables:,} variables) | spopt {spopt_text} | {ratio}"
        f" | objective ours {ours.objective:.6g} spopt {theirs_objective} | {goal}",
        flush=True,
    )
    SUMMARY.append(
        {
            "model": model,
            "p": p,
            "size": label,
            "ours": spread(ours_times),
            "spopt": spopt_text,
            "ratio": ratio,
            "ours_obj": f"{ours.objective:.6g}",
            "spopt_obj": theirs_objective,
            "goal": goal,
        }
    )


def print_summary() -> None:
    columns = ["model", "p", "size", "ours", "spopt", "ratio", "ours_obj", "spopt_obj", "goal"]
    heads = ["model", "p", "problem", "ours s (min/med/max)", "spopt", "ratio", "objective ours", "spopt", "goal"]
    widths = [max(len(h), *(len(str(row[c])) for row in SUMMARY)) for c, h in zip(columns, heads, strict=True)]
    print("\nsummary")
    print(" | ".join(h.ljust(w) for h, w in zip(heads, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in SUMMARY:
        print(" | ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours (and of the travel matrix)")
    parser.add_argument("--spopt-repeat", type=int, default=1, help="runs of spopt per row")
    parser.add_argument("--spopt-limit", type=float, default=300.0, help="seconds before spopt's child is stopped")
    parser.add_argument("--spopt-memory", type=float, default=6.0, help="GB of address space for spopt's child")
    parser.add_argument("--sample", type=int, default=100, help="districts of the sampled p-median and p-center rows")
    parser.add_argument("--models", default="mclp,setcover,pcenter,pmedian")
    args = parser.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)  # PuLP 3 announces its 4.0 API on every variable
    settings.plan_time_limit_s = 600.0
    problem = build_problem(args.repeat)
    step = max(1, len(problem.weight) // args.sample)
    rows = np.arange(0, len(problem.weight), step)[: args.sample]
    sample = Problem(problem.time_h[rows], problem.existing_h[rows], problem.weight[rows], problem.standard_h)
    print(f"problem: {problem.time_h.shape[0]:,} districts x {problem.time_h.shape[1]} candidates, 3 existing, 8 h")
    print(
        f"spopt: {args.spopt_repeat} run(s) per row, in a child stopped after {args.spopt_limit:.0f} s or at "
        f"{args.spopt_memory:g} GB of address space"
    )
    for model in args.models.split(","):
        if model == "setcover":
            compare(dataclasses.replace(problem, standard_h=30.0), model, None, args, "full, 30 h")
            continue
        for p in (1, 3, 5):
            compare(problem, model, p, args, "full")
        if model in ("pmedian", "pcenter"):
            for p in (1, 3, 5):
                compare(sample, model, p, args, f"{len(rows)} x {problem.time_h.shape[1]}")
    print_summary()


if __name__ == "__main__":
    main()
