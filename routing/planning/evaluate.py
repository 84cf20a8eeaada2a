"""Figures of a plan: demand covered, mean and worst hours before and after, marginal value of each site.

The value of a set of open sites is the model's objective made "larger is better": covered
demand (MCLP and set covering), minus the weighted hours (p-median), minus the worst hours
(p-center, ties broken by the weighted hours). With a capacity, covered demand is that of the
capacitated assignment (:func:`routing.planning.models.assigned_weight`).

The **marginal value** orders the chosen sites greedily: first the one that alone adds the
most, then the one that adds the most to it, and so on; each site's added value is the gain
at its turn, so the added values sum to the plan's gain over the existing sites.
"""

from __future__ import annotations

import numpy as np

from routing.planning.models import Problem, assigned_weight, covered_weight, nearest_open_h, weighted_hours


def _key(problem: Problem, model: str, chosen: list[int] | np.ndarray) -> tuple[float, float]:
    """Return (value, tie-break) of opening `chosen`: p-center breaks ties of worst hours by weighted hours."""
    chosen = np.asarray(chosen, dtype=int)
    if model in ("mclp", "setcover"):
        if problem.capacity is not None:
            return assigned_weight(problem, chosen), 0.0
        return covered_weight(problem, chosen), 0.0
    if model == "pmedian":
        return -weighted_hours(problem, chosen), 0.0
    live = problem.weight > 0
    hours = nearest_open_h(problem, chosen)[live]
    return -(float(hours.max()) if len(hours) else 0.0), -weighted_hours(problem, chosen)


def value(problem: Problem, model: str, chosen: list[int] | np.ndarray) -> float:
    """Return the value of opening `chosen` for `model` (larger is better; module notes)."""
    return _key(problem, model, chosen)[0]


def marginal_order(problem: Problem, model: str, chosen: np.ndarray) -> list[tuple[int, float]]:
    """Return the chosen sites in greedy order with the value each adds at its turn (module notes)."""
    left = [int(j) for j in chosen]
    order: list[tuple[int, float]] = []
    current = _key(problem, model, [])
    while left:
        keys = [_key(problem, model, [j for j, _ in order] + [j]) for j in left]
        best = max(range(len(left)), key=lambda k: keys[k])  # ties: the first listed (candidates in their order)
        order.append((left.pop(best), keys[best][0] - current[0]))
        current = keys[best]
    return order


def figures(problem: Problem, chosen: list[int] | np.ndarray) -> dict[str, float | None]:
    """Return covered demand (weight and share), mean and worst hours with `chosen` open (none: before).

    Mean hours are weighted by demand; worst hours are over points of positive weight;
    ``None`` where no point is reachable.
    """
    chosen = np.asarray(chosen, dtype=int)
    live = problem.weight > 0
    hours = nearest_open_h(problem, chosen)
    covered = assigned_weight(problem, chosen) if problem.capacity is not None else covered_weight(problem, chosen)
    total = float(problem.weight[live].sum())
    reach = live & np.isfinite(hours)
    mean = float(np.average(hours[reach], weights=problem.weight[reach])) if reach.any() else None
    worst = float(hours[live].max()) if live.any() and np.isfinite(hours[live]).all() else None
    return {
        "covered": covered,
        "covered_share": covered / total if total > 0 else 0.0,
        "mean_h": mean,
        "worst_h": worst,
    }
