"""The best set of agencies that together cover several needs: fewest stops, then least total time.

A small weighted set cover, solved exactly. Agencies that provide the same subset of the
needs (the same *signature*) are interchangeable in a cover, so only the fastest of each
signature can be in an optimal answer; with a handful of needs there are few signatures.
Combinations of those are tried by size, and the first size that covers every need wins
(fewest stops), with the least total travel time at that size.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np


def best_cover(needs: list[str], provides: list[frozenset[str]], hours: np.ndarray) -> tuple[list[int], float] | None:
    """Return the positions of the agencies that together cover `needs`, and their total hours.

    Parameters
    ----------
    needs
        The capability codes asked for.
    provides
        For each candidate agency, the needed capabilities it provides.
    hours
        Travel hours to each candidate; agencies with infinite hours are not used.

    Returns
    -------
    tuple or None
        ``(positions, total_hours)`` of the fewest agencies covering every need
        (ties: least total hours, then lowest positions), or None if none do.
    """
    wanted = frozenset(needs)
    fastest: dict[frozenset[str], int] = {}
    for i in np.argsort(hours, kind="stable"):
        signature = provides[i] & wanted
        if np.isfinite(hours[i]) and signature and signature not in fastest:
            fastest[signature] = int(i)
    pool = sorted(fastest.values(), key=lambda i: (hours[i], i))
    if not pool or frozenset().union(*(provides[i] for i in pool)) < wanted:
        return None
    for size in range(1, len(wanted) + 1):
        covers = [
            (float(sum(hours[i] for i in group)), sorted(group))
            for group in combinations(pool, size)
            if frozenset().union(*(provides[i] for i in group)) >= wanted
        ]
        if covers:
            total, group = min(covers)
            return group, total
    return None
