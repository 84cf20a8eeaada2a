"""Compiled loops (Numba) for the few steps of a request that NumPy cannot do in a handful of calls.

A referral attaches one point and a coverage request scans each node's few nearest points:
arrays of a dozen to a few thousand values, where NumPy's cost per call (a few microseconds)
is most of the cost and a loop that stops early does far less work than a whole-array
operation. These kernels do only comparisons and the four arithmetic operations, which give
the same IEEE results compiled as in NumPy (no fused multiply-add: Numba's default), so the
answers are the same to the last bit; trigonometry stays in NumPy, whose functions may
differ from the C library's by one unit in the last place.

Compiled on first use and cached beside this file (``cache=True``), so a process after the
first loads them in a fraction of a second.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def first_member(
    member: np.ndarray, columns: np.ndarray, start: np.ndarray, rows: np.ndarray, hours: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Return per node the hours and row of its first ranked point where `member`; ``inf`` and -1 for none.

    Node ``columns[c]`` ranks its points ``rows[start[c]:start[c + 1]]`` in order of ``hours``
    (of equal hours, the first); a point at ``inf`` hours reaches no node.
    """
    found_hours = np.full(n, np.inf)
    found_row = np.full(n, -1, dtype=np.int64)
    for c in range(len(columns)):
        for j in range(start[c], start[c + 1]):
            if member[rows[j]]:
                if hours[j] < np.inf:
                    found_hours[columns[c]] = hours[j]
                    found_row[columns[c]] = rows[j]
                break
    return found_hours, found_row


@njit(cache=True)
def cell_is_land(
    x: float, y: float, west: float, north: float, cell: float, width: int, height: int, bits: np.ndarray
) -> bool:  # pragma: no cover - compiled
    """Return whether the point's cell of a packed land grid is land (off the grid: at sea)."""
    col = np.floor((x - west) / cell)
    row = np.floor((north - y) / cell)
    if not (0 <= col < width and 0 <= row < height):
        return False
    at = np.int64(row) * width + np.int64(col)
    return (bits[at >> 3] & (128 >> (at & 7))) > 0


@njit(cache=True)
def cells_are_land(
    x: np.ndarray, y: np.ndarray, west: float, north: float, cell: float, width: int, height: int, bits: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """Return :func:`cell_is_land` of each point."""
    land = np.empty(len(x), dtype=np.bool_)
    for i in range(len(x)):
        land[i] = cell_is_land(x[i], y[i], west, north, cell, width, height, bits)
    return land


@njit(cache=True)
def legs_cross_water(
    lon1: np.ndarray,
    lat1: np.ndarray,
    lon2: np.ndarray,
    lat2: np.ndarray,
    km: np.ndarray,
    step_km: float,
    most: int,
    grid: tuple[float, float, float, int, int],
    bits: np.ndarray,
) -> np.ndarray:  # pragma: no cover - compiled
    """Return per straight leg whether two consecutive points of it, `step_km` apart, are at sea.

    A leg of `km` is sampled at ``j / steps`` of its length for ``j = 1 .. steps - 1``, with
    ``steps = ceil(km / step_km)`` between 1 and `most` (0 km when not finite); `grid` is
    ``(west, north, cell, width, height)`` of the packed land cells `bits`.
    """
    west, north, cell, width, height = grid
    crosses = np.zeros(len(km), dtype=np.bool_)
    for i in range(len(km)):
        length = km[i] if np.isfinite(km[i]) else 0.0
        steps = min(max(np.ceil(length / step_km), 1.0), float(most))
        wet = False
        for j in range(1, int(steps)):
            t = j / steps
            x = lon1[i] + (lon2[i] - lon1[i]) * t
            y = lat1[i] + (lat2[i] - lat1[i]) * t
            if cell_is_land(x, y, west, north, cell, width, height, bits):
                wet = False
            elif wet:
                crosses[i] = True
                break
            else:
                wet = True
    return crosses
