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

from routing._kernels import fastest_by_signature


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
    wanted = list(dict.fromkeys(needs))
    bits = [sum(1 << bit for bit, need in enumerate(wanted) if need in offered) for offered in provides]
    signatures = np.array(bits, dtype=np.int64)
    return cover_by_signature(signatures, np.asarray(hours, dtype=float), len(wanted))


def cover_by_signature(signatures: np.ndarray, hours: np.ndarray, count: int) -> tuple[list[int], float] | None:
    """Return :func:`best_cover` for agencies given by their signatures: bit ``b`` set when it offers need ``b``.

    `count` is the number of needs (bits); the agencies' arrays are aligned.
    """
    slots = fastest_by_signature(np.asarray(signatures, dtype=np.int64), np.asarray(hours, dtype=float), 1 << count)
    fastest = {bits: int(slots[bits]) for bits in np.flatnonzero(slots >= 0).tolist()}
    time = {i: float(hours[i]) for i in fastest.values()}
    pool = sorted(fastest.values(), key=lambda i: (time[i], i))  # fastest first, then by position
    signature = {i: bits for bits, i in fastest.items()}
    everything = (1 << count) - 1
    union = 0
    for bits in fastest:
        union |= bits
    if union != everything:
        return None
    for size in range(1, count + 1):
        best: tuple[float, list[int]] | None = None
        for group in combinations(pool, size):
            union, total = 0, 0.0
            for i in group:  # the hours added in the group's order, one at a time
                union |= signature[i]
                total += time[i]
            if union == everything and (best is None or (total, sorted(group)) < best):
                best = total, sorted(group)
        if best is not None:
            return best[1], best[0]
    return None
