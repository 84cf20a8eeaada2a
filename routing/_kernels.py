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
