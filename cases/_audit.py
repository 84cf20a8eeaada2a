"""Interval audit of suppressed figures: what a reader can bound by combining every relation at once.

The model (one (measure, source) series; cells 0..n-1 with true values v; H the hidden cells, S ⊂ H the small ones):

* variables x_i, one per cell; a shown cell is the constant x_i = v_i; a small cell 0 <= x_i <= k - 1;
  a complementary cell x_i >= k (it replaced a shown value, and shown values are >= k);
* an area relation per total t and its child areas c for the same period:
  x_t = sum x_c when every child area of t in the Kemendagri list has a figure (the parts *cover* t),
  x_t >= sum x_c otherwise;
* a period relation per total t and each maximal chain C of non-overlapping periods of the same area inside t's
  period (chains of the maximal such periods; nested ones have their own relation): x_t = sum over C when C
  partitions t's period, x_t >= sum over C otherwise;
* a relation is kept only as far as the true figures obey it: "=" when they add up, ">=" when the parts sum to less
  (a total that also counts victims with no known regency), none when the parts sum to more (sources that
  disagree: a reader assuming it reaches a value that is not the true one).

A small cell i is *protected* when min x_i = 0 and max x_i = k - 1 over that polytope, i.e. a reader learns nothing
beyond "<k". The bounds are those of the linear relaxation (scipy's HiGHS); integer solutions can in principle be
narrower where the relations are not totally unimodular (three or more crossed hierarchies).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

MAX_CHAINS = 64
"""Chains of non-overlapping periods enumerated per total; more only arise with many overlapping sub-periods."""
_TOLERANCE = 1e-6


def _chains(spans: list[tuple[int, int, int]]) -> list[list[int]]:
    """Return the maximal chains of non-overlapping spans (start, end, position), as lists of positions."""
    spans = sorted(spans)
    found: list[list[int]] = []

    def extend(after: int, chain: list[int]) -> None:
        if len(found) >= MAX_CHAINS:
            return
        later = [span for span in spans if span[0] > after]
        if not later:
            found.append(chain)
            return
        # A maximal chain goes on with a span that starts before every later span ends (else one would fit before it).
        first_end = min(end for _, end, _ in later)
        for start, end, position in later:
            if start <= first_end:
                extend(end, [*chain, position])

    extend(-(10**9), [])
    return found


def relations(
    cells: pd.DataFrame, groups: list[tuple[int, np.ndarray]], children: Mapping[str | None, int]
) -> list[tuple[int, np.ndarray, bool]]:
    """Return the relations a reader can use: (total, parts, True for "=" or False for ">="), obeyed by the values.

    `groups` are those of :func:`cases._suppression.groups` for the same `cells`; `children` is how many areas
    lie directly inside each area code in the Kemendagri list (what a reader knows a total is made of).
    """
    table = cells.reset_index(drop=True)
    codes = table["area_code"].to_numpy(object)
    starts = pd.to_datetime(table["period_start"]).to_numpy("datetime64[D]").astype(np.int64)
    ends = pd.to_datetime(table["period_end"]).to_numpy("datetime64[D]").astype(np.int64)
    values = table["value"].to_numpy(np.int64)
    candidates: list[tuple[int, list[int], bool]] = []
    for total, parts in groups:
        if codes[parts[0]] != codes[total]:  # child areas for the same period
            candidates.append((total, list(parts), len(parts) == children.get(codes[total], 0)))
            continue
        inside = [(starts[p], ends[p], p) for p in parts]
        maximal = [s for s in inside if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in inside)]
        for chain in _chains(maximal):
            days = sum(int(ends[p] - starts[p] + 1) for p in chain)
            candidates.append((total, chain, days == ends[total] - starts[total] + 1))
    kept = []
    for total, members, covers in candidates:
        rest = values[total] - values[members].sum()
        if rest >= 0:
            kept.append((total, np.asarray(members, dtype=np.int64), bool(covers and rest == 0)))
    return kept


def components(relations_: list[tuple[int, np.ndarray, bool]], n: int) -> np.ndarray:
    """Return a label per cell: cells share a label when a chain of relations links them (else they never interact)."""
    pairs = [(total, part) for total, parts, _ in relations_ for part in parts]
    rows, columns = np.array(pairs, dtype=np.int64).reshape(-1, 2).T
    graph = sparse.coo_array((np.ones(len(rows)), (rows, columns)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def _matrix(relations_: list[tuple[int, np.ndarray, bool]], n: int, equal: bool) -> sparse.csr_array:
    """Rows total - sum(parts) for the relations of one kind ("=" if `equal`, else ">=", as parts - total <= 0)."""
    chosen = [(total, parts) for total, parts, is_equal in relations_ if is_equal == equal]
    sign = 1 if equal else -1
    rows = np.concatenate([np.full(len(parts) + 1, r) for r, (_, parts) in enumerate(chosen)] or [np.empty(0, int)])
    columns = np.concatenate([np.append(parts, total) for total, parts in chosen] or [np.empty(0, int)])
    entries = np.concatenate([np.append(np.full(len(parts), -sign), sign) for _, parts in chosen] or [np.empty(0)])
    return sparse.csr_array((entries, (rows, columns)), shape=(len(chosen), n))


def exposed(
    values: np.ndarray,
    hidden: np.ndarray,
    small: np.ndarray,
    relations_: list[tuple[int, np.ndarray, bool]],
    k: int,
    cells: np.ndarray | None = None,
    first_only: bool = False,
) -> np.ndarray:
    """Return the small cells a reader can bound more tightly than [0, k - 1].

    Parameters
    ----------
    values, hidden, small
        Per cell: true value, hidden in public, hidden as small (primary).
    relations_
        From :func:`relations`.
    k
        The threshold.
    cells
        The small cells to check, in the order to check them; default every small cell by position.
    first_only
        Stop at the first exposed cell of `cells` (the cells before it are then all protected).

    Returns
    -------
    numpy.ndarray
        Positions of the exposed cells, in the order of `cells`.

    Notes
    -----
    Each LP solution certifies every checked cell it puts on a bound (0 or k - 1). Batches come first: the least,
    then the greatest sum of the cells not yet certified, again while a batch certifies some; then one LP per bound
    still open. Usually a handful of LPs settle a whole series.

    Raises
    ------
    RuntimeError
        If HiGHS fails (it cannot be infeasible: the true values satisfy every relation kept).
    """
    n = len(values)
    cells = np.flatnonzero(small) if cells is None else np.asarray(cells, dtype=np.int64)
    free, shown = np.flatnonzero(hidden), np.flatnonzero(~hidden)  # shown cells are constants: moved to the right
    problem = {}
    for name, equal in (("eq", True), ("ub", False)):
        matrix = _matrix(relations_, n, equal)
        problem[f"A_{name}"], problem[f"b_{name}"] = matrix[:, free], -(matrix[:, shown] @ values[shown])
    bounds = np.column_stack([np.where(small[free], 0, k), np.where(small[free], k - 1, np.inf)])
    column = np.searchsorted(free, cells)
    at_low, at_high = np.zeros(n, bool), np.zeros(n, bool)

    def solve(chosen: np.ndarray, sign: int) -> None:
        objective = np.zeros(len(free))
        objective[np.searchsorted(free, chosen)] = sign
        # Small LPs solved many times: HiGHS's presolve costs more than it saves (a third of the time on 741 cells).
        result = linprog(objective, bounds=bounds, method="highs", options={"presolve": False}, **problem)
        if result.status != 0:
            msg = f"the interval audit's LP failed ({result.message}); the figures cannot be published safely."
            raise RuntimeError(msg)
        at_low[cells] |= result.x[column] <= _TOLERANCE
        at_high[cells] |= result.x[column] >= k - 1 - _TOLERANCE

    for sign, settled in ((1, at_low), (-1, at_high)):
        while not settled[cells].all():
            before = settled[cells].sum()
            solve(cells[~settled[cells]], sign)
            if settled[cells].sum() == before:
                break
    found = []
    for cell in cells:
        for sign, settled in ((1, at_low), (-1, at_high)):
            if not settled[cell]:
                solve(np.array([cell]), sign)
        if not (at_low[cell] and at_high[cell]):
            found.append(cell)
            if first_only:
                break
    return np.array(found, dtype=np.int64)
