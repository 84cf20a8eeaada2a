"""The p-median by row generation over the radius cuts (Benders), each master solved by HiGHS.

The radius formulation of Elloumi (2010) is exact but, at the national size (7,285 districts x
514 seats: 309,000 levels), HiGHS spends about 100 s in its root LP alone. Its projection on the
site variables is a Benders decomposition with cuts in closed form (Duran-Mateluna, Ales and
Elloumi 2023, *EJOR* 306: 1086-1099): for demand ``i`` with levels ``D_i^1 < ... < D_i^K`` (the
distinct hours to the candidates closer than its nearest existing site) and ``D_i^{K+1} = e_i``
(the hours to that site), and any level ``D`` among them,

    theta_i >= D - sum_{j: t_ij < D} (D - t_ij) x_j

is valid (if an open site is nearer than ``D`` the right side is at most its hours, otherwise
at most ``D``) and, for integer ``x``, tight at the level of the nearest open site. The master
minimises ``sum_i w_i theta_i`` with ``D_i^1 <= theta_i <= e_i`` and ``sum_j x_j = p`` over the
cuts found so far:

1. LP phase: solve the master's LP relaxation with HiGHS's dual simplex; separate the most
   violated cut of every demand point at a stabilised point (in-out: halfway between the LP
   optimum and a core point that follows it, Ben-Ameur and Neto 2007) and at the LP optimum;
   keep only the cuts binding at the optimum; stop when the LP optimum violates no cut. Its
   value is then that of the radius formulation's LP relaxation. The first master holds the
   cuts at ``D = e_i`` and the tight cuts of the greedy plan.
2. If that LP optimum is integral it is the optimal plan (its value is a lower bound and the
   value of a plan). Otherwise the master is solved as a MIP (``mip_rel_gap`` 0), the cuts its
   plan violates added, until it violates none: the master's optimum is then a lower bound
   attained by its plan.

A demand point with no existing site within reach (``e_i = inf``) has no cut at ``e_i``; the
master requires a reachable candidate to open for it instead.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

TOLERANCE = 1e-9
"""Relative violation below which a cut counts as satisfied."""


@dataclass(frozen=True)
class Radii:
    """The pairs (demand row, candidate closer than the row's nearest existing site), sorted by row and hours."""

    row: np.ndarray
    col: np.ndarray
    hours: np.ndarray
    start: np.ndarray
    end: np.ndarray
    cap: np.ndarray
    weight: np.ndarray
    m: int

    @classmethod
    def of(cls, time_h: np.ndarray, cap: np.ndarray, weight: np.ndarray) -> Radii:
        """Return the pairs of the demand rows of positive `weight` with a candidate closer than `cap`.

        The other rows keep their `cap` (or weigh nothing) whatever opens: they are left out.
        """
        keep = (weight > 0) & ((time_h < cap[:, None]) & np.isfinite(time_h)).any(axis=1)
        time_h, cap, weight = time_h[keep], cap[keep], weight[keep]
        rows, cols = np.nonzero((time_h < cap[:, None]) & np.isfinite(time_h))
        hours = time_h[rows, cols]
        order = np.lexsort((hours, rows))
        rows, cols, hours = rows[order], cols[order], hours[order]
        start = np.searchsorted(rows, np.arange(len(cap)))
        end = np.r_[start[1:], len(rows)]
        return cls(rows, cols, hours, start, end, cap, weight, time_h.shape[1])

    def separate(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return, per demand row, the largest cut right side at `x`, its support end (a pair index) and level."""
        cum_x = np.r_[0.0, np.cumsum(x[self.col])]
        cum_hx = np.r_[0.0, np.cumsum(self.hours * x[self.col])]
        before_x = cum_x[:-1] - cum_x[self.start][self.row]  # over the earlier pairs of the row
        before_hx = cum_hx[:-1] - cum_hx[self.start][self.row]
        new_level = np.r_[True, (self.row[1:] != self.row[:-1]) | (self.hours[1:] != self.hours[:-1])]
        value = np.where(new_level, self.hours * (1.0 - before_x) + before_hx, -np.inf)
        best = np.maximum.reduceat(value, self.start)
        index = np.where(value >= best[self.row], np.arange(len(value)), len(value))
        best_at = np.minimum.reduceat(index, self.start)
        all_x = cum_x[self.end] - cum_x[self.start]
        all_hx = cum_hx[self.end] - cum_hx[self.start]
        with np.errstate(invalid="ignore"):
            at_cap = np.where(np.isfinite(self.cap), self.cap * (1.0 - all_x) + all_hx, -np.inf)
        use_cap = at_cap > best
        level = np.where(use_cap, self.cap, self.hours[np.minimum(best_at, len(self.hours) - 1)])
        return np.where(use_cap, at_cap, best), np.where(use_cap, self.end, best_at), level

    def value(self, chosen: np.ndarray) -> float:
        """Return the weighted hours of the rows to their nearest open site with `chosen` open."""
        x = np.zeros(self.m)
        x[chosen] = 1.0
        return float((self.weight * self.separate(x)[0]).sum()) if len(self.cap) else 0.0

    def cuts(self, rows: np.ndarray, end: np.ndarray, level: np.ndarray) -> tuple[sparse.csr_array, np.ndarray]:
        """Return the cuts ``theta_i + sum (D - t_ij) x_j >= D`` of `rows` (support: pairs up to `end`)."""
        lengths = end[rows] - self.start[rows]
        cut = np.repeat(np.arange(len(rows)), lengths)
        pair = np.repeat(self.start[rows] - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(lengths.sum())
        bound = level[rows]
        values = np.r_[bound[cut] - self.hours[pair], np.ones(len(rows))]
        entries = (np.r_[cut, np.arange(len(rows))], np.r_[self.col[pair], self.m + rows])
        return sparse.csr_array((values, entries), shape=(len(rows), self.m + len(self.cap))), bound


@dataclass(frozen=True)
class Outcome:
    """What :func:`pmedian_rows` found: the plan, proved optimal or not, the best bound, the last master's size.

    ``rounds`` counts the masters solved, ``mip_rounds`` those of them solved as a MIP (0 when the LP phase's
    optimum was integral or the time ran out before the MIP phase).
    """

    chosen: np.ndarray
    optimal: bool
    lower_bound: float
    variables: int
    constraints: int
    nonzeros: int
    rounds: int
    mip_rounds: int


def _violated(radii: Radii, x: np.ndarray, theta: np.ndarray) -> tuple[sparse.csr_array | None, np.ndarray, int]:
    value, end, level = radii.separate(x)
    rows = np.flatnonzero(value > theta + TOLERANCE * np.maximum(1.0, np.abs(value)))
    if not len(rows):
        return None, np.empty(0), 0
    matrix, bound = radii.cuts(rows, end, level)
    return matrix, bound, len(rows)


def pmedian_rows(radii: Radii, p: int, start: np.ndarray, time_limit_s: float) -> Outcome:
    """Return the optimal `p` candidates for the demand rows of `radii` (module notes); `start`: a plan of `p`."""
    deadline = time.perf_counter() + time_limit_s
    m, n = radii.m, len(radii.cap)
    cost = np.r_[np.zeros(m), radii.weight]
    lower = np.r_[np.zeros(m), radii.hours[radii.start]]
    upper = np.r_[np.ones(m), radii.cap]
    budget = sparse.csr_array((np.ones(m), (np.zeros(m, dtype=int), np.arange(m))), shape=(1, m + n))
    unserved = np.flatnonzero(~np.isfinite(radii.cap))  # no existing site: some reachable candidate opens
    pairs = np.isin(radii.row, unserved)
    reach = sparse.csr_array(
        (np.ones(int(pairs.sum())), (np.searchsorted(unserved, radii.row[pairs]), radii.col[pairs])),
        shape=(len(unserved), m + n),
    )
    start_x = np.zeros(m)
    start_x[start] = 1.0
    found = [_violated(radii, np.zeros(m), np.full(n, -np.inf)), _violated(radii, start_x, np.full(n, -np.inf))]
    matrix = sparse.vstack([f[0] for f in found if f[0] is not None] + [reach], format="csr")
    bound = np.concatenate([f[1] for f in found] + [np.ones(len(unserved))])
    core, rounds, mip_rounds, x, best = np.full(m, p / m), 0, 0, start_x, -np.inf

    def outcome(chosen: np.ndarray, optimal: bool) -> Outcome:  # with the bound and the master as they are now
        return Outcome(chosen, optimal, best, m + n, matrix.shape[0] + 1, matrix.nnz, rounds, mip_rounds)

    while time.perf_counter() < deadline:  # LP phase
        rounds += 1
        options = {"time_limit": max(deadline - time.perf_counter(), 1.0)}
        result = linprog(
            cost,
            A_ub=-matrix,
            b_ub=-bound,
            A_eq=budget,
            b_eq=[p],
            bounds=np.c_[lower, upper],
            method="highs-ds",
            options=options,
        )
        if result.status != 0:
            return outcome(start, False)
        x, theta, best = result.x[:m], result.x[m:], max(best, float(result.fun))
        binding = matrix @ result.x - bound <= TOLERANCE * np.maximum(1.0, np.abs(bound))
        binding[len(bound) - len(unserved) :] = True
        matrix, bound = matrix[binding], bound[binding]
        core = (core + x) / 2
        added = [_violated(radii, (core + x) / 2, theta), _violated(radii, x, theta)]
        new = [a for a in added if a[0] is not None]
        if new:
            matrix = sparse.vstack([a[0] for a in new] + [matrix], format="csr")
            bound = np.concatenate([a[1] for a in new] + [bound])
        if added[1][2] == 0:
            break
    else:
        return outcome(start, False)
    if np.all(np.abs(x - np.round(x)) <= TOLERANCE):
        return outcome(np.flatnonzero(x > 0.5), True)
    integrality = np.r_[np.ones(m), np.zeros(n)]
    while time.perf_counter() < deadline:  # MIP phase
        rounds, mip_rounds = rounds + 1, mip_rounds + 1
        options = {"time_limit": max(deadline - time.perf_counter(), 1.0), "mip_rel_gap": 0.0}
        constraints = [LinearConstraint(matrix, bound, np.inf), LinearConstraint(budget, p, p)]
        bounds = Bounds(lower, upper)
        result = milp(cost, integrality=integrality, bounds=bounds, constraints=constraints, options=options)
        if result.x is None or result.status != 0:
            return outcome(start, False)
        x, best = np.round(result.x[:m]), max(best, float(result.mip_dual_bound))
        cut, more, count = _violated(radii, x, result.x[m:])
        if not count:
            return outcome(np.flatnonzero(x > 0.5), True)
        matrix, bound = sparse.vstack([cut, matrix], format="csr"), np.r_[more, bound]
    return outcome(start, False)
