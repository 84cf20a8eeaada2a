"""The national estimated travel network: every district joined to its neighbours by road or by sea.

Where no road network covers a place, travel is estimated on a graph whose nodes are
the representative points of Indonesia's 7,285 districts and whose edges are the
Delaunay triangulation of those points:

* an edge between two points on the same land mass (:func:`geo.islands.island_of`) is a
  road leg: great-circle distance x ``settings.circuity_factor`` at
  ``settings.road_speed_kmh``, scaled once by a calibration factor so that over random
  pairs on the same island the median graph time equals the direct estimate (a path
  through neighbouring districts already bends, and must not count the detour twice);
* an edge between two land masses is a sea leg: great-circle distance at
  ``settings.ferry_speed_kmh`` plus ``settings.ferry_wait_h``; sea legs longer than
  ``MAX_SEA_LEG_KM`` are dropped (no scheduled ferry runs that far in one leg).

A point (a victim's location, an agency) is attached to its ``ATTACH_K`` nearest nodes
on its own land mass by a direct road leg; a point at sea or on an islet without a
district node is attached by a sea leg. Travel between two points is the shortest path
through their attachments, or the direct road leg when both are on the same land mass
and that is shorter. Shortest paths use ``scipy.sparse.csgraph.dijkstra``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import Delaunay, cKDTree

from geo import boundaries, islands, settings
from geo.lookup import coordinates

EARTH_RADIUS_KM = 6371.0088
MAX_SEA_LEG_KM = 400.0
ATTACH_K = 3
_CALIBRATION_PAIRS = 400


def great_circle_km(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> np.ndarray:
    """Return haversine distances in km between paired points (broadcasting)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(a, dtype=float)) for a in (lon1, lat1, lon2, lat2))
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def road_leg(km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (hours, road km) of direct road legs over great-circle distances `km`."""
    road_km = np.asarray(km) * settings.circuity_factor
    return road_km / settings.road_speed_kmh, road_km


def sea_leg(km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return (hours, km) of sea legs over great-circle distances `km`, waiting time included."""
    km = np.asarray(km)
    return km / settings.ferry_speed_kmh + settings.ferry_wait_h, km


def _unit_vectors(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon, lat = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


@dataclass(frozen=True)
class Attachment:
    """How points join the network: ``nodes[i, j]`` reached in ``hours[i, j]`` over ``km[i, j]``."""

    nodes: np.ndarray
    hours: np.ndarray
    km: np.ndarray
    sea: np.ndarray
    island: np.ndarray


class NationalNetwork:
    """The estimated travel network over district points (see the module notes).

    Build it with :meth:`from_districts`; it is immutable and safe to share.
    """

    name = "estimated"
    is_estimate = True

    def __init__(self, codes: np.ndarray, lon: np.ndarray, lat: np.ndarray, island: np.ndarray) -> None:
        self.codes, self.lon, self.lat, self.island = codes, lon, lat, island
        self._tree = cKDTree(_unit_vectors(lon, lat))
        tail, head, sea = self._delaunay_edges()
        km = great_circle_km(lon[tail], lat[tail], lon[head], lat[head])
        keep = ~sea | (km <= MAX_SEA_LEG_KM)
        tail, head, sea, km = tail[keep], head[keep], sea[keep], km[keep]
        road_h, road_km = road_leg(km)
        sea_h, sea_km = sea_leg(km)
        self._edges = (tail, head, sea, np.where(sea, sea_h, road_h), np.where(sea, sea_km, road_km))
        self.road_calibration = 1.0
        self._assemble()
        self.road_calibration = self._calibrate()
        self._assemble()

    @classmethod
    def from_districts(cls) -> NationalNetwork:
        """Return the network over the representative points of every district."""
        districts = boundaries.load_areas("district")
        points = districts.geometry.representative_point()
        lon, lat = shapely.get_x(points.to_numpy()), shapely.get_y(points.to_numpy())
        return cls(districts["code"].to_numpy(), lon, lat, islands.island_of(lon, lat))

    def _delaunay_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        triangles = Delaunay(np.column_stack([self.lon, self.lat])).simplices
        pairs = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]])
        pairs = np.unique(np.sort(pairs, axis=1), axis=0)
        tail, head = pairs[:, 0], pairs[:, 1]
        sea = (self.island[tail] != self.island[head]) | (self.island[tail] < 0)
        return tail, head, sea

    def _assemble(self) -> None:
        tail, head, sea, hours, km = self._edges
        hours = np.where(sea, hours, hours * self.road_calibration)
        km = np.where(sea, km, km * self.road_calibration)
        n = len(self.codes)
        both_tail, both_head = np.concatenate([tail, head]), np.concatenate([head, tail])
        self.graph = csr_matrix((np.concatenate([hours, hours]), (both_tail, both_head)), shape=(n, n))
        keys = both_tail * n + both_head
        order = np.argsort(keys)
        self._edge_keys = keys[order]
        self._edge_km = np.concatenate([km, km])[order]
        self._edge_sea = np.concatenate([sea, sea]).astype(float)[order]
        self.n_components = connected_components(self.graph, directed=False)[0]

    def _calibrate(self) -> float:
        """Return the factor that makes median same-island graph time equal the direct estimate."""
        rng = np.random.default_rng(0)
        on_land = np.flatnonzero(self.island >= 0)
        sources = rng.choice(on_land, size=min(_CALIBRATION_PAIRS, len(on_land)), replace=False)
        targets = rng.choice(on_land, size=len(sources), replace=False)
        same = (self.island[sources] == self.island[targets]) & (sources != targets)
        sources, targets = sources[same], targets[same]
        graph_h = dijkstra(self.graph, indices=sources)[np.arange(len(sources)), targets]
        direct_h, _ = road_leg(
            great_circle_km(self.lon[sources], self.lat[sources], self.lon[targets], self.lat[targets])
        )
        finite = np.isfinite(graph_h) & (direct_h > 0)
        return float(np.median(direct_h[finite] / graph_h[finite]))

    def attach(self, lon: object, lat: object) -> Attachment:
        """Return how each point joins the network: its nearest nodes, preferring its own land mass."""
        lon, lat = coordinates(lon, lat)
        island = islands.island_of(lon, lat)
        query = min(len(self.codes), 24)
        _, candidates = self._tree.query(_unit_vectors(lon, lat), k=query)
        candidates = np.atleast_2d(candidates)
        same = self.island[candidates] == island[:, None]
        same &= island[:, None] >= 0
        # Own-island nodes first (nearest first), then the rest: a stable sort on "not same island".
        order = np.argsort(~same, axis=1, kind="stable")[:, :ATTACH_K]
        nodes = np.take_along_axis(candidates, order, axis=1)
        sea = ~np.take_along_axis(same, order, axis=1)
        km = great_circle_km(lon[:, None], lat[:, None], self.lon[nodes], self.lat[nodes])
        road_h, road_km = road_leg(km)
        sea_h, sea_km = sea_leg(km)
        return Attachment(nodes, np.where(sea, sea_h, road_h), np.where(sea, sea_km, road_km), sea, island)

    def travel(self, origin_lon: float, origin_lat: float, lon: object, lat: object) -> dict[str, np.ndarray]:
        """Return estimated travel from one origin to many destinations.

        Returns
        -------
        dict
            ``hours``, ``km`` and ``sea_legs`` (sea legs on the way) per destination;
            ``inf`` where no path exists.
        """
        origin = self.attach([origin_lon], [origin_lat])
        target = self.attach(lon, lat)
        hours_from, predecessors = dijkstra(self.graph, indices=origin.nodes[0], return_predecessors=True)
        km_from = self._sum_along_tree(predecessors, self._edge_km)
        sea_from = self._sum_along_tree(predecessors, self._edge_sea)
        count, k = target.nodes.shape
        # cost[t, i, j]: origin attachment i -> network -> attachment j of target t
        cost = origin.hours[0][None, :, None] + hours_from[:, target.nodes].transpose(1, 0, 2) + target.hours[:, None, :]
        pick = cost.reshape(count, -1).argmin(axis=1)
        i, j = np.divmod(pick, k)
        t = np.arange(count)
        node = target.nodes[t, j]
        hours = cost[t, i, j]
        km = origin.km[0][i] + km_from[i, node] + target.km[t, j]
        sea_legs = origin.sea[0][i].astype(np.int64) + sea_from[i, node].astype(np.int64) + target.sea[t, j]
        direct_hours, direct_km = self._direct_same_island(origin, target, origin_lon, origin_lat, lon, lat)
        shorter = direct_hours < hours
        hours[shorter], km[shorter], sea_legs[shorter] = direct_hours[shorter], direct_km[shorter], 0
        km[~np.isfinite(hours)] = np.inf
        return {"hours": hours, "km": km, "sea_legs": sea_legs}

    def _direct_same_island(
        self, origin: Attachment, target: Attachment, origin_lon: float, origin_lat: float, lon: object, lat: object
    ) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = coordinates(lon, lat)
        hours, road_km = road_leg(great_circle_km(origin_lon, origin_lat, lon, lat))
        same = (target.island == origin.island[0]) & (origin.island[0] >= 0)
        return np.where(same, hours, np.inf), np.where(same, road_km, np.inf)

    def _edge_values(self, tail: np.ndarray, head: np.ndarray, values: np.ndarray) -> np.ndarray:
        position = np.searchsorted(self._edge_keys, tail * len(self.codes) + head)
        return values[np.minimum(position, len(values) - 1)]

    def _sum_along_tree(self, predecessors: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Sum an edge attribute from each tree's root to every node, by pointer jumping (log depth steps)."""
        nodes = np.broadcast_to(np.arange(predecessors.shape[1]), predecessors.shape)
        ancestor = np.where(predecessors >= 0, predecessors, -1)
        total = np.where(ancestor >= 0, self._edge_values(np.maximum(ancestor, 0), nodes, values), 0.0)
        while (ancestor >= 0).any():
            has = ancestor >= 0
            safe = np.maximum(ancestor, 0)
            total = total + np.where(has, np.take_along_axis(total, safe, axis=1), 0.0)
            ancestor = np.where(has, np.take_along_axis(ancestor, safe, axis=1), -1)
        return total

    def with_points(self, lon: object, lat: object) -> tuple[csr_matrix, np.ndarray]:
        """Return the graph with extra nodes for the given points (attached as in :meth:`attach`) and their ids."""
        attached = self.attach(lon, lat)
        n, count = len(self.codes), len(attached.nodes)
        ids = np.arange(n, n + count)
        extra_tail = np.repeat(ids, attached.nodes.shape[1])
        extra_head = attached.nodes.ravel()
        coo = self.graph.tocoo()
        rows = np.concatenate([coo.row, extra_tail, extra_head])
        cols = np.concatenate([coo.col, extra_head, extra_tail])
        data = np.concatenate([coo.data, attached.hours.ravel(), attached.hours.ravel()])
        return csr_matrix((data, (rows, cols)), shape=(n + count, n + count)), ids

    def nearest_source(self, lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
        """Return, for every district node, the hours to the nearest of the given sources and its position.

        One multi-source Dijkstra pass (``min_only=True``); position -1 where none is reachable.
        """
        graph, ids = self.with_points(lon, lat)
        hours, _, sources = dijkstra(graph, indices=ids, min_only=True, return_predecessors=True)
        n = len(self.codes)
        return hours[:n], np.where(sources[:n] >= 0, sources[:n] - n, -1)

    def hours_from_sources(self, lon: object, lat: object) -> np.ndarray:
        """Return a (sources x district nodes) matrix of hours, for rules that differ per source."""
        graph, ids = self.with_points(lon, lat)
        return dijkstra(graph, indices=ids)[:, : len(self.codes)]
