"""The same models in PySAL spopt (``pip install 'rujuk[plan]'``): the reference the tests and the bench compare with.

spopt builds its programs with PuLP from the dense demand x site matrix and solves them with
CBC (PuLP's bundled solver). Existing sites are its predefined facilities, appended as the last
columns, so its ``p_facilities`` counts them too. Its p-median and p-center are full
assignment models (one variable per demand and site): use them on small problems only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from routing.planning.models import Problem


@dataclass(frozen=True)
class Reference:
    """spopt's answer: the candidates it opened (positions), its objective as Rujuk states it, and timings."""

    chosen: np.ndarray
    objective: float
    build_s: float
    solve_s: float


def spopt_solve(
    problem: Problem, model: str, p: int | None = None, on_built: Callable[[float], None] | None = None
) -> Reference:
    """Return spopt's solution of `model` for `problem` with `p` new sites (not for set covering).

    The objective is in Rujuk's terms: covered weight (MCLP), weighted hours (p-median),
    worst hours (p-center), number of new sites (set covering). `on_built` is called with the
    build seconds before the solve starts (the bench uses it to tell the phase a run stopped in).
    """
    import pulp
    from spopt.locate import LSCP, MCLP, PCenter, PMedian

    m, e = problem.time_h.shape[1], problem.existing_h.shape[1]
    live = problem.weight > 0
    cost = np.hstack([problem.time_h, problem.existing_h])[live]
    cost = np.where(np.isfinite(cost), cost, 1e9)
    weight = problem.weight[live]
    predefined = np.r_[np.zeros(m, dtype=int), np.ones(e, dtype=int)] if e else None
    started = time.perf_counter()
    if model == "mclp":
        built = MCLP.from_cost_matrix(
            cost, weight, problem.standard_h, int(p or 0) + e, predefined_facilities_arr=predefined
        )
    elif model == "pmedian":
        built = PMedian.from_cost_matrix(cost, weight, int(p or 0) + e, predefined_facilities_arr=predefined)
    elif model == "pcenter":
        built = PCenter.from_cost_matrix(cost, int(p or 0) + e, predefined_facilities_arr=predefined)
    else:
        built = LSCP.from_cost_matrix(cost, problem.standard_h, predefined_facilities_arr=predefined)
    build_s = time.perf_counter() - started
    if on_built is not None:
        on_built(build_s)
    started = time.perf_counter()
    built = built.solve(pulp.PULP_CBC_CMD(msg=False))
    solve_s = time.perf_counter() - started
    opened = np.array([j for j, var in enumerate(built.fac_vars) if (var.value() or 0) > 0.5], dtype=int)
    chosen = opened[opened < m]
    value = float(pulp.value(built.problem.objective))
    objective = {"mclp": value, "pmedian": value, "pcenter": value, "setcover": value - e}[model]
    return Reference(chosen, objective, build_s, solve_s)
