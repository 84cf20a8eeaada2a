"""An attacker of published case figures: bounds each "<k" cell from the public values alone, by integer programming.

Independent of :mod:`cases` (no group, relation or audit code of it is used). What the attacker assumes:

* counts are whole numbers, a "<k" cell is in [0, k - 1] and an "x" cell at least k (it replaced a shown count);
* areas add up: an area's figure is at least the sum of the figures of its child areas (Kemendagri list, read from
  :func:`geo.wilayah.load_codes`) for the same period, and equal to it when every child area has a figure;
* periods add up: each area has a cumulative count F(day), non-decreasing, and a figure for days s..e is
  F(e + 1) - F(s); this holds for every figure of the area at once, overlapping periods included.

Each small cell is then minimised and maximised with :func:`scipy.optimize.milp` (integer solutions).
"""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from geo import wilayah


def _children() -> Counter:
    codes = wilayah.load_codes(("province", "regency", "district"))
    return Counter(codes["parent_code"].fillna("ID"))


def _parent(code: str) -> str | None:
    return None if code == "ID" else ("ID" if "." not in code else code[: code.rindex(".")])


def _series_intervals(rows: pd.DataFrame, k: int, children: Counter) -> dict[tuple, tuple[int, int]]:
    n = len(rows)
    key = list(zip(rows["area_code"], rows["period_start"], rows["period_end"], strict=True))
    days = {(a, s, e): (pd.Timestamp(s).toordinal(), pd.Timestamp(e).toordinal() + 1) for a, s, e in key}
    nodes = sorted({(a, d) for a, s, e in key for d in days[(a, s, e)]})  # potentials F(area, day)
    column = {node: n + i for i, node in enumerate(nodes)}
    width = n + len(nodes)
    eq: list[dict[int, float]] = []
    ge: list[dict[int, float]] = []
    for i, (area, start, end) in enumerate(key):
        parts = [j for j, (a, s, e) in enumerate(key) if _parent(a) == area and (s, e) == (start, end)]
        if parts:
            (eq if len(parts) == children[area] else ge).append({i: 1.0, **dict.fromkeys(parts, -1.0)})
        first, last = days[(area, start, end)]
        eq.append({i: 1.0, column[(area, last)]: -1.0, column[(area, first)]: 1.0})
    for (area, day), (next_area, next_day) in itertools.pairwise(nodes):
        if area == next_area:
            ge.append({column[(next_area, next_day)]: 1.0, column[(area, day)]: -1.0})
    low, high = np.zeros(width), np.full(width, np.inf)
    for i, value in enumerate(rows["value"]):
        low[i], high[i] = (0, k - 1) if value == f"<{k}" else (k, np.inf) if value == "x" else (value, value)
    firsts = {}
    for area, day in nodes:
        firsts.setdefault(area, column[(area, day)])
    high[list(firsts.values())] = 0  # F is counted from each area's first day
    constraints = [
        LinearConstraint(_matrix(rows_, width), lb, ub) for rows_, lb, ub in ((eq, 0, 0), (ge, 0, np.inf)) if rows_
    ]
    found = {}
    for i in np.flatnonzero(rows["value"].to_numpy(object) == f"<{k}"):
        ends = []
        for sign in (1, -1):
            objective = np.zeros(width)
            objective[i] = sign
            result = milp(objective, constraints=constraints, bounds=Bounds(low, high), integrality=np.ones(width))
            assert result.status == 0, result.message
            ends.append(round(result.x[i]))
        found[key[i]] = (ends[0], ends[1])
    return found


def _matrix(rows: list[dict[int, float]], width: int) -> sparse.csr_array:
    entries = [(r, c, v) for r, row in enumerate(rows) for c, v in row.items()]
    r, c, v = zip(*entries, strict=True)
    return sparse.csr_array((v, (r, c)), shape=(len(rows), width))


def intervals(public: pd.DataFrame, k: int) -> dict[tuple, tuple[int, int]]:
    """Return, per "<k" cell (area code, period start, period end, measure, source), the least and greatest value
    the published figures allow."""
    children = _children()
    found = {}
    for (measure, source), rows in public.groupby(["measure", "source"]):
        series = _series_intervals(rows.reset_index(drop=True), k, children)
        found.update({(*cell, measure, source): bounds for cell, bounds in series.items()})
    return found


def exposed(public: pd.DataFrame, k: int) -> dict[tuple, tuple[int, int]]:
    """Return the "<k" cells the attacker bounds more tightly than [0, k - 1], with their bounds."""
    return {cell: bounds for cell, bounds in intervals(public, k).items() if bounds != (0, k - 1)}
