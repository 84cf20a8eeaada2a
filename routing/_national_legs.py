"""Straight legs of the national estimate: road and sea legs, attachments, and direct road legs.

See :mod:`routing.national` for the model. Points are indexed for nearest-neighbour
queries in a 4-D space: the unit vector of the point (chords up to 2) and its island id
times :data:`ISLAND_SEPARATION`, so the nearest neighbour of a point in that space is on
its own land mass whenever there is one there (a distance below ``ISLAND_SEPARATION / 2``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from core import settings
from routing._kernels import first_member, road_legs_on_land
from routing._water import MAX_SAMPLES, STEP_KM, LandMask, crosses_water

EARTH_RADIUS_KM = 6371.0088
ISLAND_SEPARATION = 10.0


def great_circle_km(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike) -> np.ndarray:
    """Return haversine distances in km between paired points (broadcasting)."""
    lam1, phi1, lam2, phi2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    h = np.sin((phi2 - phi1) / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin((lam2 - lam1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def road_leg(km: npt.ArrayLike, speed: npt.ArrayLike | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return (hours, road km) of direct road legs over great-circle distances `km`.

    The compiled loops use :func:`routing._kernels.road_leg`, the same operations for one leg.

    `speed` is the road speed in km/h (broadcasting; default ``settings.road_speed_kmh``).
    """
    road_km = np.asarray(km) * settings.circuity_factor
    return road_km / (settings.road_speed_kmh if speed is None else np.asarray(speed)), road_km


def sea_leg(km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (hours, km) of sea legs over great-circle distances `km`, waiting time included."""
    km = np.asarray(km)
    return km / settings.ferry_speed_kmh + settings.ferry_wait_h, km


CALIBRATION_PAIRS = 400
"""Random pairs of district points on one land mass used to calibrate the road edges."""


def road_calibration(lon: np.ndarray, lat: np.ndarray, island: np.ndarray, edges: tuple, speed: np.ndarray) -> float:
    """Return the factor that makes the median same-island road-graph time equal the direct estimate.

    `edges` are the network's ``(tail, head, sea, hours, km)``. Only road edges are searched,
    so the factor does not depend on the ferry settings.
    """
    rng = np.random.default_rng(0)
    on_land = np.flatnonzero(island >= 0)
    sources = rng.choice(on_land, size=min(CALIBRATION_PAIRS, len(on_land)), replace=False)
    targets = rng.choice(on_land, size=len(sources), replace=False)
    same = (island[sources] == island[targets]) & (sources != targets)
    sources, targets = sources[same], targets[same]
    tail, head, sea, hours, _ = edges
    roads = csr_matrix((hours[~sea], (tail[~sea], head[~sea])), shape=(len(lon), len(lon)))
    graph_h = dijkstra(roads, directed=False, indices=sources)[np.arange(len(sources)), targets]
    km = great_circle_km(lon[sources], lat[sources], lon[targets], lat[targets])
    direct_h, _ = road_leg(km, (speed[sources] + speed[targets]) / 2)
    finite = np.isfinite(graph_h) & (direct_h > 0)
    return float(np.median(direct_h[finite] / graph_h[finite]))


def unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the 3-D unit vectors of points (chord distance grows with great-circle distance)."""
    lon, lat = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def island_space(lon: np.ndarray, lat: np.ndarray, island: np.ndarray) -> np.ndarray:
    """Return the points in the 4-D space of the module notes."""
    return np.column_stack([unit_vectors(lon, lat), island * ISLAND_SEPARATION])


def direct_road_leg(
    origin: tuple[np.ndarray, float, float, float],
    island: np.ndarray,
    lon: npt.ArrayLike,
    lat: npt.ArrayLike,
    speed: np.ndarray,
    mask: LandMask,
    beat: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Return hours and km of direct road legs from one origin to points; ``inf`` between road islands.

    `origin` is ``(road island, lon, lat, road speed)``. A leg that would cross water
    (:func:`on_land`, read from the network's land `mask`) is ``inf`` too. With `beat`
    (hours per point by another way), a leg slower than its `beat` is ``inf`` without its
    water test: the caller takes the minimum of the two, which it cannot change, and the
    water test is most of the cost.
    """
    origin_island, origin_lon, origin_lat, origin_speed = origin
    lon, lat = (np.ascontiguousarray(a, dtype=float).ravel() for a in (lon, lat))
    km = great_circle_km(origin_lon, origin_lat, lon, lat)
    beat = np.full(len(km), np.inf) if beat is None else np.asarray(beat, dtype=float)
    start = (int(origin_island), float(origin_lon), float(origin_lat), float(origin_speed))
    legs = (settings.circuity_factor, settings.water_check_km, STEP_KM, MAX_SAMPLES)
    speeds = np.asarray(speed, dtype=float)
    return road_legs_on_land(start, np.asarray(island), lon, lat, speeds, km, beat, legs, mask.grid, mask.bits)


def on_land(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike, km: np.ndarray
) -> np.ndarray:
    """Return whether each straight leg stays on land: legs up to ``settings.water_check_km`` are tested.

    Longer legs are taken as they are: the estimate's long road legs stand for winding
    roads, and testing every one would cost more than the answer.
    """
    km = np.asarray(km, dtype=float)
    flat_km = km.reshape(-1)
    ok = np.ones(flat_km.shape, dtype=bool)
    check = np.flatnonzero((flat_km <= settings.water_check_km) & (flat_km > 0))
    if len(check):
        x1, y1, x2, y2 = (
            np.broadcast_to(np.asarray(a, dtype=float), km.shape).reshape(-1)[check] for a in (lon1, lat1, lon2, lat2)
        )
        ok[check] = ~crosses_water(x1, y1, x2, y2, flat_km[check])
    return ok.reshape(km.shape)


def nearest_by_direct_leg(
    source: tuple[np.ndarray, ...], target: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """Return hours of each target's nearest source by direct road leg, and its position (-1: none).

    `source` and `target` are ``(lon, lat, road island, speed)`` arrays; only sources on the
    target's road island count, by a leg that stays on land: of the :data:`NEAREST_TRIED`
    nearest, the fastest (one k-d tree query in the 4-D space).
    """
    source_lon, source_lat, source_island, source_speed = source
    target_lon, target_lat, target_island, target_speed = target
    grounded = np.flatnonzero(source_island >= 0)
    hours, position = np.full(len(target_lon), np.inf), np.full(len(target_lon), -1)
    if not len(grounded):
        return hours, position
    tree = cKDTree(island_space(source_lon[grounded], source_lat[grounded], source_island[grounded]))
    k = min(NEAREST_TRIED, len(grounded))
    chord, nearest = tree.query(island_space(target_lon, target_lat, target_island), k=k)
    chord, nearest = chord.reshape(-1, k), nearest.reshape(-1, k)
    source_at = grounded[np.minimum(nearest, len(grounded) - 1)]
    km = great_circle_km(target_lon[:, None], target_lat[:, None], source_lon[source_at], source_lat[source_at])
    found = (chord < ISLAND_SEPARATION / 2) & (target_island >= 0)[:, None]
    found &= on_land(target_lon[:, None], target_lat[:, None], source_lon[source_at], source_lat[source_at], km)
    leg_h = np.where(found, road_leg(km, (target_speed[:, None] + source_speed[source_at]) / 2)[0], np.inf)
    best = leg_h.argmin(axis=1)
    hours = leg_h[np.arange(len(best)), best]
    position = np.where(np.isfinite(hours), source_at[np.arange(len(best)), best], -1)
    return hours, position


NEAREST_TRIED = 4
"""How many of a target's nearest sources :func:`nearest_by_direct_leg` tries (the nearest may be across a bay)."""


def distinct_points(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the first position of each distinct point (ascending) and each point's distinct index.

    ``lon[first][inverse] == lon``: agencies sharing an office are searched from once.
    """
    _, first, inverse = np.unique(np.column_stack([lon, lat]), axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.ravel()]


@dataclass(frozen=True)
class DirectLegs:
    """Direct road legs from points to the nodes on their land mass: one block per land mass with points.

    Build it with :func:`direct_legs`. Block ``(rows, columns, hours)`` holds the hours from
    the points ``rows`` to the nodes ``columns`` of one land mass; every other pair is
    ``inf`` (another land mass, or a point at sea).
    """

    shape: tuple[int, int]
    blocks: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]
    _ranked: tuple[np.ndarray, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Per node of the blocks, its land mass's points in order of hours (of equal hours, the first), so that
        # nearest() stops at a group's first point: a few steps per node for the large groups of a directory.
        columns, counts, rows, hours = [], [], [], []
        for block_rows, block_columns, block in self.blocks:
            order = np.argsort(block, axis=0, kind="stable")
            rows.append(block_rows[order].T.ravel())
            hours.append(np.take_along_axis(block, order, axis=0).T.ravel())
            columns.append(block_columns)
            counts.append(np.full(len(block_columns), len(block_rows)))
        empty = [np.empty(0, dtype=np.int64)]
        start = np.concatenate([[0], np.cumsum(np.concatenate(counts or empty))]).astype(np.int64)
        ranked = (
            np.concatenate(columns or empty),
            start,
            np.concatenate(rows or empty),
            np.concatenate(hours or [np.empty(0)]),
        )
        object.__setattr__(self, "_ranked", ranked)

    def dense(self) -> np.ndarray:
        """Return the (points x nodes) hours, ``inf`` between land masses and at sea."""
        hours = np.full(self.shape, np.inf)
        for rows, columns, block in self.blocks:
            hours[np.ix_(rows, columns)] = block
        return hours

    def nearest(self, member: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return each node's hours to the nearest point where `member` (by direct leg) and that point (-1: none).

        Of points at equal hours, the first.
        """
        columns, start, rows, hours = self._ranked
        return first_member(np.asarray(member, dtype=bool), columns, start, rows, hours, self.shape[1])


def direct_legs(source: tuple[np.ndarray, ...], node: tuple[np.ndarray, ...]) -> DirectLegs:
    """Return the direct road legs from the points `source` to the nodes `node` (each ``(lon, lat, island, speed)``).

    Only the pairs on one land mass are computed, one block per land mass with sources
    (broadcast, so each point's trigonometry is done once), with the arithmetic of
    :func:`direct_road_leg`, so the values are the same to the last bit; legs over water are ``inf``.
    """
    (source_lon, source_lat, source_island, source_speed), (node_lon, node_lat, node_island, node_speed) = source, node
    order = np.argsort(node_island, kind="stable")
    sorted_island = node_island[order]
    blocks = []
    for island in np.unique(source_island[source_island >= 0]):
        rows = np.flatnonzero(source_island == island)
        first, stop = np.searchsorted(sorted_island, island, "left"), np.searchsorted(sorted_island, island, "right")
        columns = order[first:stop]
        if len(columns):
            km = great_circle_km(source_lon[rows, None], source_lat[rows, None], node_lon[columns], node_lat[columns])
            hours = road_leg(km, (source_speed[rows, None] + node_speed[columns]) / 2)[0]
            dry = on_land(source_lon[rows, None], source_lat[rows, None], node_lon[columns], node_lat[columns], km)
            blocks.append((rows, columns, np.where(dry, hours, np.inf)))
    return DirectLegs((len(source_island), len(node_island)), tuple(blocks))


@dataclass(frozen=True)
class Attachment:
    """How points join the network: ``nodes[i, j]`` reached in ``hours[i, j]`` over ``km[i, j]``.

    ``sea[i, j]`` marks a sea leg; ``island[i]`` is the point's road island (-1 at sea) and
    ``speed[i]`` its road speed (km/h).
    """

    nodes: np.ndarray
    hours: np.ndarray
    km: np.ndarray
    sea: np.ndarray
    island: np.ndarray
    speed: np.ndarray

    def row(self, i: int) -> Attachment:
        """Return the attachment of point `i` alone."""
        return self.rows(slice(i, i + 1))

    def rows(self, which: slice | np.ndarray) -> Attachment:
        """Return the attachment of the points `which` selects (a slice or an index array), in that order."""
        return Attachment(*(getattr(self, name)[which] for name in ("nodes", "hours", "km", "sea", "island", "speed")))
