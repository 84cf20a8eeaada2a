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
    x: float, y: float, grid: tuple[float, float, float, int, int], bits: np.ndarray
) -> bool:  # pragma: no cover - compiled
    """Return whether the point's cell of a packed land grid is land (off the grid: at sea).

    `grid` is ``(west, north, cell, width, height)`` of the packed land cells `bits`.
    """
    west, north, cell, width, height = grid
    col = np.floor((x - west) / cell)
    row = np.floor((north - y) / cell)
    if not (0 <= col < width and 0 <= row < height):
        return False
    at = np.int64(row) * width + np.int64(col)
    return (bits[at >> 3] & (128 >> (at & 7))) > 0


@njit(cache=True)
def cells_are_land(
    x: np.ndarray, y: np.ndarray, grid: tuple[float, float, float, int, int], bits: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """Return :func:`cell_is_land` of each point."""
    land = np.empty(len(x), dtype=np.bool_)
    for i in range(len(x)):
        land[i] = cell_is_land(x[i], y[i], grid, bits)
    return land


@njit(cache=True)
def leg_crosses_water(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    km: float,
    step_km: float,
    most: int,
    grid: tuple[float, float, float, int, int],
    bits: np.ndarray,
) -> bool:  # pragma: no cover - compiled
    """Return whether two consecutive points of a straight leg, `step_km` apart, are at sea.

    A leg of `km` is sampled at ``j / steps`` of its length for ``j = 1 .. steps - 1``, with
    ``steps = ceil(km / step_km)`` between 1 and `most` (0 km when not finite), looked up in
    the land grid as by :func:`cell_is_land`.
    """
    length = km if np.isfinite(km) else 0.0
    steps = min(max(np.ceil(length / step_km), 1.0), float(most))
    wet = False
    for j in range(1, int(steps)):
        t = j / steps
        if cell_is_land(x1 + (x2 - x1) * t, y1 + (y2 - y1) * t, grid, bits):
            wet = False
        elif wet:
            return True
        else:
            wet = True
    return False


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
    """Return :func:`leg_crosses_water` of each leg."""
    crosses = np.zeros(len(km), dtype=np.bool_)
    for i in range(len(km)):
        crosses[i] = leg_crosses_water(lon1[i], lat1[i], lon2[i], lat2[i], km[i], step_km, most, grid, bits)
    return crosses


@njit(cache=True)
def dry_and_wet(
    lon: np.ndarray,
    lat: np.ndarray,
    node_lon: np.ndarray,
    node_lat: np.ndarray,
    usable: np.ndarray,
    km: np.ndarray,
    first: int,
    water: tuple[float, float, int],
    grid: tuple[float, float, float, int, int],
    bits: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Return which candidate legs of each point stay on land (dry), and which may cross water (wet).

    Point ``i``'s candidates are the nodes at ``node_lon[i, j]``, ``node_lat[i, j]``,
    ``km[i, j]`` away, nearest first; only the `usable` ones count. Legs up to
    ``water[0]`` km are tested (:func:`leg_crosses_water`, ``water[1:]`` its step and most
    samples), the `first` nearest always, the others only when one of the `first` is wet.
    A usable leg is wet only when none of the point's legs is dry.
    """
    check_km, step_km, most = water
    n, k = km.shape
    dry = usable.copy()
    wet = np.zeros((n, k), dtype=np.bool_)
    for i in range(n):
        for j in range(k):
            if j >= first and dry[i, :first].all():
                break
            if usable[i, j] and km[i, j] <= check_km:
                dry[i, j] = not leg_crosses_water(
                    lon[i], lat[i], node_lon[i, j], node_lat[i, j], km[i, j], step_km, most, grid, bits
                )
        if not dry[i].any():
            wet[i] = usable[i]
    return dry, wet


@njit(cache=True)
def own_ranks(
    lon: np.ndarray,
    lat: np.ndarray,
    node_lon: np.ndarray,
    node_lat: np.ndarray,
    chord: np.ndarray,
    on_island: np.ndarray,
    km: np.ndarray,
    first: int,
    separation: float,
    water: tuple[float, float, int],
    grid: tuple[float, float, float, int, int],
    bits: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, bool]:  # pragma: no cover - compiled
    """Return which of each point's own candidates are usable, their rank, and whether every point has `first`.

    A candidate is usable when its `chord` (in the space of :func:`routing._national_legs.island_space`)
    is under `separation` (it is on the point's road island) and the point is `on_island`. Its rank is
    0 when its leg stays on land, 1 when it may cross water, 3 otherwise (:func:`dry_and_wet`); the
    last value says whether every point has at least `first` candidates of rank 0 or 1.
    """
    n, k = km.shape
    usable = np.empty((n, k), dtype=np.bool_)
    for i in range(n):
        for j in range(k):
            usable[i, j] = chord[i, j] < separation and on_island[i]
    dry, wet = dry_and_wet(lon, lat, node_lon, node_lat, usable, km, first, water, grid, bits)
    rank = np.full((n, k), 3, dtype=np.int64)
    enough = True
    for i in range(n):
        count = 0
        for j in range(k):
            if dry[i, j]:
                rank[i, j] = 0
                count += 1
            elif wet[i, j]:
                rank[i, j] = 1
                count += 1
        enough = enough and count >= first
    return usable, rank, enough


@njit(cache=True)
def road_leg(km: float, speed_a: float, speed_b: float, circuity: float) -> tuple[float, float]:  # pragma: no cover
    """Return hours and road km of a straight leg of `km` between places of two road speeds.

    As :func:`routing._national_legs.road_leg` does for arrays: ``km * circuity`` long, at the
    mean of the two speeds (the same operations in the same order, so the same values).
    """
    length = km * circuity
    return length / ((speed_a + speed_b) / 2), length


@njit(cache=True)
def pick_attachments(
    ranks: tuple[np.ndarray, np.ndarray],
    nodes: tuple[np.ndarray, np.ndarray],
    km: tuple[np.ndarray, np.ndarray],
    usable: tuple[np.ndarray, np.ndarray],
    speed: tuple[np.ndarray, np.ndarray],
    count: int,
    legs: tuple[float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Return the first `count` candidates of each point by rank, then position: nodes, hours, km and sea.

    Each pair holds the point's own candidates (reached by road) and the others (by sea),
    ``(points x k)`` each; `speed` is the points' road speed and the nodes' (km/h); `legs`
    is ``(circuity, sea km/h, sea wait h)``. A road leg is :func:`road_leg`; a sea leg
    ``km / sea speed + wait``; a candidate
    that is not usable takes ``inf``.
    """
    circuity, sea_speed, sea_wait = legs
    n, k = ranks[0].shape
    chosen_nodes = np.zeros((n, count), dtype=nodes[0].dtype)
    hours, chosen_km = np.full((n, count), np.inf), np.zeros((n, count))
    sea = np.zeros((n, count), dtype=np.bool_)
    for i in range(n):
        taken = 0
        for rank in range(4):
            for side in range(2):
                for j in range(k):
                    if taken == count or ranks[side][i, j] != rank:
                        continue
                    node, length = nodes[side][i, j], km[side][i, j]
                    chosen_nodes[i, taken], sea[i, taken] = node, side == 1
                    if side == 0:
                        time, chosen_km[i, taken] = road_leg(length, speed[0][i], speed[1][node], circuity)
                        if usable[side][i, j]:
                            hours[i, taken] = time
                    else:
                        chosen_km[i, taken] = length
                        if usable[side][i, j]:
                            hours[i, taken] = length / sea_speed + sea_wait
                    taken += 1
    return chosen_nodes, hours, chosen_km, sea


@njit(cache=True)
def road_legs_on_land(
    origin: tuple[int, float, float, float],
    island: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    speed: np.ndarray,
    km: np.ndarray,
    beat: np.ndarray,
    legs: tuple[float, float, float, int],
    grid: tuple[float, float, float, int, int],
    bits: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Return hours and km of direct road legs from one origin to points, ``inf`` where there is none.

    `origin` is ``(road island, lon, lat, road speed)``; a point ``km[i]`` away on another
    road island, or whose leg takes longer than ``beat[i]``, or crosses water (legs up to
    ``legs[1]`` km tested: :func:`leg_crosses_water` with step ``legs[2]`` and at most
    ``legs[3]`` samples) has none. A leg is :func:`road_leg` with circuity ``legs[0]``.
    """
    origin_island, x, y, origin_speed = origin
    circuity, check_km, step_km, most = legs
    hours, road_km = np.full(len(km), np.inf), np.full(len(km), np.inf)
    for i in range(len(km)):
        time, length = road_leg(km[i], origin_speed, speed[i], circuity)
        if island[i] != origin_island or origin_island < 0 or not time <= beat[i]:
            continue
        if 0 < km[i] <= check_km and leg_crosses_water(x, y, lon[i], lat[i], km[i], step_km, most, grid, bits):
            continue
        hours[i], road_km[i] = time, length
    return hours, road_km


@njit(cache=True)
def path_to_root(predecessors: np.ndarray, node: int) -> np.ndarray:  # pragma: no cover - compiled
    """Return the nodes from `node` up a shortest-path tree to its root (predecessor -1), in that order."""
    count, at = 1, node
    while predecessors[at] >= 0:
        at = predecessors[at]
        count += 1
    path = np.empty(count, dtype=np.int64)
    path[0], at = node, node
    for j in range(1, count):
        at = predecessors[at]
        path[j] = at
    return path


@njit(cache=True)
def nearest_rows(
    matrix: np.ndarray, rows: np.ndarray, allowed: np.ndarray, masked: bool
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Return per column the least ``matrix[rows[j], column]`` and its ``j`` (``inf`` and -1: none).

    Only where ``allowed[j, column]`` when `masked` (`allowed` is then ``len(rows)`` x columns); of
    equal values the first ``j``. One pass over the rows, in memory order.
    """
    n = matrix.shape[1]
    best = np.full(n, np.inf)
    which = np.full(n, -1, dtype=np.int64)
    for j in range(len(rows)):
        row = rows[j]
        for column in range(n):
            hours = matrix[row, column]
            if hours < best[column] and (not masked or allowed[j, column]):
                best[column] = hours
                which[column] = j
    return best, which


@njit(cache=True)
def fastest_by_signature(signatures: np.ndarray, hours: np.ndarray, slots: int) -> np.ndarray:  # pragma: no cover
    """Return per signature ``0 .. slots - 1`` the position of its fastest agency (of equal hours, the first), or -1.

    Signature 0 (no need offered) and agencies at ``inf`` hours are never chosen.
    """
    fastest = np.full(slots, -1, dtype=np.int64)
    for i in range(len(signatures)):
        bits = signatures[i]
        if bits > 0 and hours[i] < np.inf and (fastest[bits] < 0 or hours[i] < hours[fastest[bits]]):
            fastest[bits] = i
    return fastest
