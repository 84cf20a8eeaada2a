"""Location models as sparse mixed-integer programs for ``scipy.optimize.milp`` (HiGHS).

Every model works on a :class:`Problem`: travel hours from each demand point to each
candidate site (``time_h``, demand x candidates) and to each existing site
(``existing_h``, demand x existing), the demand weights and a standard in hours. Existing
sites are always open; the models choose new sites among the candidates.

Formulations
------------
Let ``x_j`` be 1 when candidate ``j`` opens, ``w_i`` the weight of demand ``i`` and
``e_i`` the hours from ``i`` to its nearest existing site (``inf`` without one).

* **MCLP** (maximal coverage, Church & ReVelle 1974): maximise ``sum_i w_i y_i`` with
  ``y_i <= sum_{j: t_ij <= S} x_j``, ``0 <= y_i <= 1`` and ``sum_j x_j = p``. A demand
  point already within the standard of an existing site is a constant, and one no
  candidate reaches within ``S`` is left out, so the matrix holds one entry per
  (uncovered demand, candidate within the standard) pair. With a **capacity** ``C``
  (cases a year per office, existing offices included) the covered demand is an
  assignment ``u_ij`` in [0, 1] over the same pairs and the existing sites' pairs:
  ``sum_j u_ij <= 1``, ``sum_i w_i u_ij <= C x_j`` (``C`` for an existing site),
  maximising ``sum w_i u_ij`` (a capacitated MCLP: demand an office cannot take stays
  uncovered even within the standard).
* **p-median** (least demand-weighted hours): the radius formulation of Elloumi (2010,
  *INFORMS J. Computing* 22: 294-306) projected on the site variables and solved by row
  generation (Benders cuts in closed form, each master an LP or MIP for HiGHS: see
  :mod:`routing.planning.radius`). For demand ``i`` the levels are the distinct hours
  ``D_i^1 < ... < D_i^K`` to the candidates closer than ``e_i``, and ``D_i^{K+1} = e_i``;
  only candidates closer than the nearest existing site enter, so existing sites prune the
  model, and a point no candidate beats its existing site for is a constant. Without an
  existing site (``e_i = inf``) some reachable candidate must open. With a
  capacity the model is the capacitated p-median: ``u_ij`` over every reachable
  pair, ``sum_j u_ij = 1``, ``sum_i w_i u_ij <= C x_j``.
* **p-center** (least worst hours): the smallest radius ``r`` among the distinct hours
  for which the demand not within ``r`` of an existing site can be covered within ``r``
  by at most ``p`` new sites; a bisection over the sorted radii, each step a sparse set
  covering problem (below) solved by HiGHS. Exact: the worst hours of a plan is one of
  these radii.
* **Set covering** (Toregas et al. 1971): minimise ``sum_j x_j`` with
  ``sum_{j: t_ij <= S} x_j >= 1`` for every demand point not already within the
  standard.

Demand points of zero weight are left out of every model except p-center's worst case,
which counts every point of positive weight. Ties between equally good plans are broken
by HiGHS deterministically: the same input gives the same plan. HiGHS stops at
``settings.plan_time_limit_s``; the status, MIP gap and time are returned with the plan.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from core import settings
from core.errors import InputError
from routing.planning.radius import Radii, pmedian_rows

MODELS: tuple[str, ...] = ("mclp", "pmedian", "pcenter", "setcover")
"""The models :func:`solve` knows."""


@dataclass(frozen=True)
class Problem:
    """The inputs of a location model.

    Attributes
    ----------
    time_h
        Hours from each demand point (rows) to each candidate (columns); ``inf`` unreachable.
    existing_h
        Hours from each demand point to each existing (always open) site; may have no column.
    weight
        Demand weight of each point (cases, people, or a mix), >= 0.
    standard_h
        The service standard in hours (MCLP, set covering; reported by the others).
    capacity
        Cases a year one office can take (None: unlimited); MCLP and p-median only.
    """

    time_h: np.ndarray
    existing_h: np.ndarray
    weight: np.ndarray
    standard_h: float
    capacity: float | None = None

    @property
    def existing_nearest_h(self) -> np.ndarray:
        """Hours from each demand point to its nearest existing site (``inf`` when there is none)."""
        if self.existing_h.shape[1] == 0:
            return np.full(len(self.weight), np.inf)
        return self.existing_h.min(axis=1)


@dataclass(frozen=True)
class Solution:
    """What a model chose and how the solver did.

    Attributes
    ----------
    chosen
        Positions of the candidates opened, ascending.
    objective
        The model's objective: covered weight (MCLP), weighted hours (p-median), worst
        hours (p-center), number of sites (set covering).
    status
        ``"optimal"``, ``"time_limit"`` (a feasible plan, perhaps not the best) or ``"infeasible"``.
    mip_gap
        HiGHS's relative MIP gap at the end (0 when proved optimal; the largest of the steps for p-center).
    build_s, solve_s
        Seconds spent building the sparse model and in HiGHS.
    variables, constraints, nonzeros
        Size of the (largest) program solved.
    """

    chosen: np.ndarray
    objective: float
    status: str
    mip_gap: float
    build_s: float
    solve_s: float
    variables: int
    constraints: int
    nonzeros: int


def _run(
    cost: np.ndarray,
    integrality: np.ndarray,
    bounds: Bounds,
    constraints: list[LinearConstraint],
    built: float,
    presolve: bool = True,
) -> tuple[object, dict]:
    """Run HiGHS; return the result and the size and timing fields of a :class:`Solution`.

    Covering programs run without presolve: on the merged coverage matrix HiGHS's presolve took
    seconds (p = 1 of the national MCLP: 3 s of 3.5) for a program the solver then closes at its root.
    """
    build_s = time.perf_counter() - built
    start = time.perf_counter()
    options = {"time_limit": float(settings.plan_time_limit_s), "disp": False, "mip_rel_gap": 0.0, "presolve": presolve}
    result = milp(cost, integrality=integrality, bounds=bounds, constraints=constraints, options=options)
    size = {
        "build_s": build_s,
        "solve_s": time.perf_counter() - start,
        "variables": len(cost),
        "constraints": sum(c.A.shape[0] for c in constraints),
        "nonzeros": sum(sparse.csr_array(c.A).nnz for c in constraints),
    }
    return result, size


def _status(result: object) -> str:
    status = getattr(result, "status", 4)
    if status == 0:
        return "optimal"
    if status == 1 and getattr(result, "x", None) is not None:
        return "time_limit"
    return "infeasible"


def _chosen(result: object, m: int) -> np.ndarray:
    x = getattr(result, "x", None)
    return np.empty(0, dtype=int) if x is None else np.flatnonzero(np.asarray(x[:m]) > 0.5)


def _gap(result: object) -> float:
    gap = getattr(result, "mip_gap", 0.0)
    return float(gap) if gap is not None and np.isfinite(gap) else 0.0


def _budget(m: int, extra: int, p: int, at_most: bool = False) -> LinearConstraint:
    """Return ``sum_j x_j = p`` (``<= p`` if `at_most`) over the first `m` of ``m + extra`` variables."""
    row = sparse.csr_array((np.ones(m), (np.zeros(m, dtype=int), np.arange(m))), shape=(1, m + extra))
    return LinearConstraint(row, 0 if at_most else p, p)


def _check_p(problem: Problem, p: int) -> None:
    m = problem.time_h.shape[1]
    if not 1 <= p <= m:
        raise InputError("p", p, f"must be between 1 and the number of candidates ({m}).")


def _reduced_cover(reach: np.ndarray, weight: np.ndarray) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """Return the coverage matrix with equal rows merged (weights summed) and dominated candidates dropped.

    Exact for maximal coverage: points covered by the same candidates are one point of their summed
    weight, and a candidate whose points another covers too (a subset; of equal sets, the later) can be
    swapped for it without covering less. Returns the merged matrix (over the kept columns), its
    weights and the positions of the kept candidates.
    """
    packed = np.packbits(reach, axis=1)
    _, first, inverse = np.unique(packed, axis=0, return_index=True, return_inverse=True)
    merged_weight = np.bincount(inverse.ravel(), weights=weight, minlength=len(first))
    matrix = sparse.csr_array(reach[first].astype(np.float64))
    overlap = (matrix.T @ matrix).toarray()
    size = np.diag(overlap)
    inside = overlap >= size[:, None]  # inside[j, k]: every point j covers, k covers too
    equal = inside & inside.T
    earlier = np.tril(np.ones_like(inside, dtype=bool), k=-1).T  # earlier[j, k]: k < j
    dominated = (inside & ~equal).any(axis=1) | (equal & earlier.T).any(axis=1)
    kept = np.flatnonzero(~dominated & (size > 0))
    return sparse.csr_array(matrix[:, kept]), merged_weight, kept


def mclp(problem: Problem, p: int) -> Solution:
    """Return the `p` candidates that cover the most demand within the standard (module notes)."""
    _check_p(problem, p)
    if problem.capacity is not None:
        return _capacitated_mclp(problem, p)
    built = time.perf_counter()
    weight = problem.weight
    covered = problem.existing_nearest_h <= problem.standard_h
    reach = problem.time_h <= problem.standard_h
    open_rows = np.flatnonzero(~covered & (weight > 0) & reach.any(axis=1))
    if not len(open_rows):
        return _filled(problem, np.empty(0, dtype=int), p, built)
    cover, merged_weight, kept = _reduced_cover(reach[open_rows], weight[open_rows])
    r, m = cover.shape
    linking = sparse.hstack([-cover, sparse.identity(r, format="csr")], format="csr")
    cost = np.r_[np.zeros(m), -merged_weight / merged_weight.sum()]  # shares: HiGHS's tolerances are absolute
    integrality = np.r_[np.ones(m), np.zeros(r)]
    constraints = [LinearConstraint(linking, -np.inf, 0.0), _budget(m, r, min(p, m), at_most=True)]
    result, size = _run(cost, integrality, Bounds(0, 1), constraints, built, presolve=False)
    chosen = kept[_chosen(result, m)]
    solution = _filled(problem, chosen, p, None)
    return dataclasses.replace(solution, status=_status(result), mip_gap=_gap(result), **size)


def _filled(problem: Problem, chosen: np.ndarray, p: int, built: float | None) -> Solution:
    """Return a solution of `chosen` completed to `p` sites (a plan of fewer covers no more: see :func:`_fill`)."""
    chosen = _fill(problem, chosen, p)
    elapsed = 0.0 if built is None else time.perf_counter() - built
    return Solution(chosen, covered_weight(problem, chosen), "optimal", 0.0, elapsed, 0.0, 0, 0, 0)


def assigned_weight(problem: Problem, chosen: np.ndarray) -> float:
    """Return the demand weight the open sites (existing and `chosen`) can take within the standard and capacity."""
    chosen = np.asarray(chosen, dtype=int)
    return _capacitated_mclp(problem, len(chosen), fixed=chosen).objective


def _capacitated_mclp(problem: Problem, p: int, fixed: np.ndarray | None = None) -> Solution:
    """Solve the capacitated MCLP; with `fixed`, only the assignment to those candidates (an LP)."""
    built = time.perf_counter()
    m = problem.time_h.shape[1]
    capacity = float(problem.capacity or 0.0)
    hours = np.hstack([problem.time_h, problem.existing_h])
    sites = hours.shape[1]
    live = np.flatnonzero(problem.weight > 0)
    rows, cols = np.nonzero(hours[live] <= problem.standard_h)
    pairs = len(rows)
    w = problem.weight[live][rows]
    u = m + np.arange(pairs)  # assignment variables after the x of the candidates
    one_each = sparse.csr_array((np.ones(pairs), (rows, u)), shape=(len(live), m + pairs))
    load_rows = np.r_[cols, np.arange(m)]
    load_cols = np.r_[u, np.arange(m)]
    load = sparse.csr_array((np.r_[w, -np.full(m, capacity)], (load_rows, load_cols)), shape=(sites, m + pairs))
    upper = np.r_[np.zeros(m), np.full(sites - m, capacity)]
    constraints = [
        LinearConstraint(one_each, -np.inf, 1.0),
        LinearConstraint(load, -np.inf, upper),
        _budget(m, pairs, p),
    ]
    cost = np.r_[np.zeros(m), -w]
    integrality = np.r_[np.ones(m), np.zeros(pairs)]
    lower = np.zeros(m + pairs)
    upper = np.ones(m + pairs)
    if fixed is not None:
        lower[fixed] = 1.0
        upper[:m] = lower[:m]
        integrality[:m] = 0
    result, size = _run(cost, integrality, Bounds(lower, upper), constraints, built)
    objective = -float(getattr(result, "fun", 0.0) or 0.0)
    return Solution(_chosen(result, m), objective, _status(result), _gap(result), **size)


def pmedian(problem: Problem, p: int) -> Solution:
    """Return the `p` candidates that give the least demand-weighted hours (module notes)."""
    _check_p(problem, p)
    if problem.capacity is not None:
        return _capacitated_pmedian(problem, p)
    built = time.perf_counter()
    cap = problem.existing_nearest_h
    reached = np.isfinite(problem.time_h).any(axis=1) | np.isfinite(cap)
    unreachable = np.flatnonzero((problem.weight > 0) & ~reached)
    if len(unreachable):
        raise InputError("demand", str(unreachable[0]), "cannot reach any site: no plan serves it.")
    radii = Radii.of(problem.time_h, cap, problem.weight)
    greedy = _fill(problem, np.empty(0, dtype=int), p)
    build_s = time.perf_counter() - built
    started = time.perf_counter()
    if not len(radii.cap):  # no demand point prefers a candidate to its existing site: any plan is as good
        return Solution(greedy, weighted_hours(problem, greedy), "optimal", 0.0, build_s, 0.0, 0, 0, 0)
    found = pmedian_rows(radii, p, greedy, float(settings.plan_time_limit_s) - build_s)
    chosen, status = found.chosen, "optimal" if found.optimal else "time_limit"
    value = radii.value(chosen)
    gap = 0.0 if found.optimal or value <= 0 else min(1.0, max(0.0, (value - found.lower_bound) / value))
    sizes = (found.variables, found.constraints, found.nonzeros)
    solve_s = time.perf_counter() - started
    return Solution(chosen, weighted_hours(problem, chosen), status, gap, build_s, solve_s, *sizes)


def _capacitated_pmedian(problem: Problem, p: int) -> Solution:
    built = time.perf_counter()
    m = problem.time_h.shape[1]
    capacity = float(problem.capacity or 0.0)
    hours = np.hstack([problem.time_h, problem.existing_h])
    sites = hours.shape[1]
    live = np.flatnonzero(problem.weight > 0)
    total = float(problem.weight[live].sum())
    if capacity * (p + sites - m) < total:
        msg = f"x {p + sites - m} offices is less than the demand ({total:.0f}): no plan can serve it all."
        raise InputError("capacity", capacity, msg)
    rows, cols = np.nonzero(np.isfinite(hours[live]))
    pairs = len(rows)
    w = problem.weight[live][rows]
    u = m + np.arange(pairs)
    one_each = sparse.csr_array((np.ones(pairs), (rows, u)), shape=(len(live), m + pairs))
    load = sparse.csr_array(
        (np.r_[w, -np.full(m, capacity)], (np.r_[cols, np.arange(m)], np.r_[u, np.arange(m)])), shape=(sites, m + pairs)
    )
    upper = np.r_[np.zeros(m), np.full(sites - m, capacity)]
    constraints = [LinearConstraint(one_each, 1.0, 1.0), LinearConstraint(load, -np.inf, upper), _budget(m, pairs, p)]
    cost = np.r_[np.zeros(m), w * hours[live][rows, cols]]
    result, size = _run(cost, np.r_[np.ones(m), np.zeros(pairs)], Bounds(0, 1), constraints, built)
    objective = float(getattr(result, "fun", np.inf) if getattr(result, "x", None) is not None else np.inf)
    return Solution(_chosen(result, m), objective, _status(result), _gap(result), **size)


def _cover(reach: np.ndarray, limit: int | None = None) -> tuple[object, dict]:
    """Solve the set covering of the rows of the boolean `reach` (rows that must be covered x candidates)."""
    built = time.perf_counter()
    r, m = reach.shape
    rows, cols = np.nonzero(reach)
    matrix = sparse.csr_array((np.ones(len(rows)), (rows, cols)), shape=(r, m))
    constraints = [LinearConstraint(matrix, 1.0, np.inf)]
    if limit is not None:
        constraints.append(_budget(m, 0, limit, at_most=True))
    return _run(np.ones(m), np.ones(m), Bounds(0, 1), constraints, built, presolve=False)


def setcover(problem: Problem) -> Solution:
    """Return the fewest candidates that bring every demand point within the standard (module notes).

    Raises
    ------
    InputError
        If some demand point of positive weight has no candidate or existing site within the standard.
    """
    started = time.perf_counter()
    covered = problem.existing_nearest_h <= problem.standard_h
    reach = problem.time_h <= problem.standard_h
    need = ~covered & (problem.weight > 0)
    impossible = np.flatnonzero(need & ~reach.any(axis=1))
    if len(impossible):
        msg = f"leaves {len(impossible)} demand point(s) with no candidate within it (the first: row {impossible[0]})."
        raise InputError("standard_h", problem.standard_h, msg)
    m = problem.time_h.shape[1]
    if not need.any():
        elapsed = time.perf_counter() - started
        return Solution(np.empty(0, dtype=int), 0.0, "optimal", 0.0, elapsed, 0.0, m, 0, 0)
    result, size = _cover(reach[need])
    chosen = _chosen(result, m)
    return Solution(chosen, float(len(chosen)), _status(result), _gap(result), **size)


def nearest_open_h(problem: Problem, chosen: np.ndarray) -> np.ndarray:
    """Return the hours from each demand point to its nearest open site (existing or `chosen`)."""
    chosen = np.asarray(chosen, dtype=int)
    return np.minimum(problem.existing_nearest_h, problem.time_h[:, chosen].min(axis=1, initial=np.inf))


def covered_weight(problem: Problem, chosen: np.ndarray) -> float:
    """Return the demand weight within the standard of an open site (the MCLP objective, without capacity)."""
    return float(problem.weight[nearest_open_h(problem, chosen) <= problem.standard_h].sum())


def weighted_hours(problem: Problem, chosen: np.ndarray) -> float:
    """Return the demand-weighted hours to the nearest open site (the p-median objective, without capacity)."""
    live = problem.weight > 0
    return float((problem.weight[live] * nearest_open_h(problem, chosen)[live]).sum())


def worst_hours(problem: Problem, chosen: np.ndarray) -> float:
    """Return the worst hours of a demand point of positive weight to its nearest open site (p-center)."""
    live = problem.weight > 0
    return float(nearest_open_h(problem, chosen)[live].max()) if live.any() else 0.0


def pcenter(problem: Problem, p: int) -> Solution:
    """Return the `p` candidates that make the worst travel time least (module notes)."""
    _check_p(problem, p)
    started = time.perf_counter()
    live = problem.weight > 0
    time_h, cap = problem.time_h[live], problem.existing_nearest_h[live]
    best_each = np.minimum(cap, time_h.min(axis=1))
    if not np.isfinite(best_each).all():
        raise InputError("demand", "unreachable", "has points no site can reach: no worst time can be bounded.")
    lower = float(best_each.max())
    radii = np.unique(np.r_[time_h[np.isfinite(time_h)], cap[np.isfinite(cap)]])
    radii = radii[radii >= lower]
    low, high = 0, len(radii) - 1  # radii[high] is always feasible: every point's best is within it
    chosen, gap, size_of_largest = None, 0.0, {"variables": 0, "constraints": 0, "nonzeros": 0}
    build_s = solve_s = 0.0
    while low <= high:
        middle = (low + high) // 2
        radius = radii[middle]
        need = cap > radius
        result, size = _cover(time_h[need] <= radius, limit=p) if need.any() else (None, None)
        if size is not None:
            build_s, solve_s = build_s + size.pop("build_s"), solve_s + size.pop("solve_s")
            size_of_largest = max(size_of_largest, size, key=lambda s: s["constraints"])
            gap = max(gap, _gap(result))
        feasible = result is None or _status(result) in ("optimal", "time_limit")
        if feasible:
            chosen = np.empty(0, dtype=int) if result is None else _chosen(result, time_h.shape[1])
            high = middle - 1
        else:
            low = middle + 1
    if chosen is None:  # cannot happen: the largest radius is feasible
        raise RuntimeError("p-center bisection found no feasible radius")
    chosen = _fill(problem, chosen, p)
    build_s += time.perf_counter() - started - build_s - solve_s
    return Solution(chosen, worst_hours(problem, chosen), "optimal", gap, build_s, solve_s, **size_of_largest)


def _fill(problem: Problem, chosen: np.ndarray, p: int) -> np.ndarray:
    """Return `chosen` with sites added up to `p`, each the one that lowers the weighted hours most (ties: first).

    A cover within the best radius may need fewer than `p` sites; the others still open,
    so they are placed where they help the demand most (the worst hours stay the same).
    """
    hours = nearest_open_h(problem, chosen)
    opened = [int(j) for j in chosen]
    while len(opened) < p:
        saved = np.where(problem.time_h < hours[:, None], hours[:, None] - problem.time_h, 0.0)
        gain = (problem.weight[:, None] * saved).sum(axis=0)
        gain[opened] = -1.0
        best = int(np.argmax(gain))
        opened.append(best)
        hours = np.minimum(hours, problem.time_h[:, best])
    return np.sort(np.asarray(opened, dtype=int))


def solve(problem: Problem, model: str, p: int | None = None) -> Solution:
    """Return the solution of `model` (one of :data:`MODELS`) with `p` new sites (not used by set covering).

    Raises
    ------
    InputError
        If `model` is unknown, `p` is missing or out of range, or a capacity is given to
        p-center or set covering.
    """
    if model not in MODELS:
        raise InputError("model", model, f"is expected to be one of {list(MODELS)}.")
    if problem.capacity is not None and model in ("pcenter", "setcover"):
        raise InputError("capacity", problem.capacity, f"applies to mclp and pmedian, not to {model}.")
    if model == "setcover":
        return setcover(problem)
    if p is None:
        raise InputError("p", p, f"is needed by {model}: how many new sites.")
    return {"mclp": mclp, "pmedian": pmedian, "pcenter": pcenter}[model](problem, p)
