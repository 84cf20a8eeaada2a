"""The estimated travel model: every district joined to its neighbours by road or by sea.

Where no road network covers a place, travel is estimated on a graph whose nodes are
the representative points of Indonesia's 7,285 districts and whose edges are the
Delaunay triangulation of those points (in lon/lat; the country does not cross the
antimeridian):

* an edge between two points on the same land mass (:func:`geo.islands.island_of`) is a
  **road leg**: great-circle distance x ``settings.circuity_factor`` at
  ``settings.road_speed_kmh``, times one calibration factor (``road_calibration``,
  about 0.96 on the real data) chosen so that over random pairs of nodes on the same
  land mass the median graph time equals the direct estimate: a path through
  neighbouring districts already bends, and must not count the detour twice;
* an edge between two land masses is a **sea leg**: great-circle distance at
  ``settings.ferry_speed_kmh`` plus ``settings.ferry_wait_h``, so every crossing on the
  way (Delaunay joins neighbouring land masses, so a trip from Java to Timor crosses
  several straits) waits once. Sea legs longer than :data:`MAX_SEA_LEG_KM` are dropped:
  no scheduled ferry runs that far in one leg, and the shorter hops between the islands
  in between remain. Real ferries sail from ports, not district points, which the
  waiting time partly stands for.

A point (a victim's location, an agency) is **attached** to its :data:`ATTACH_K`
nearest nodes on its own land mass by direct road legs (uncalibrated); where its land
mass has fewer nodes, or it lies at sea beyond ``settings.lookup_tolerance_km`` (island
-1), the remaining attachments are the nearest other nodes, by sea legs. Travel between
two points is the shortest of

* the path through the network between their attachments, and
* the **direct road leg** between them, when both are on the same land mass (two
  agencies in one town should not be routed through a district point).

Every method follows this rule (:meth:`~NationalNetwork.matrix`, the search behind a
referral, :meth:`~NationalNetwork.nearest` and the coverage passes of
:meth:`~NationalNetwork.sources`), so their numbers agree. Paths never pass through other
attached points. Shortest paths run in ``scipy.sparse.csgraph.dijkstra`` on a CSR matrix
of hours (validating it costs microseconds per call); the graph is symmetric, so
``"to_sources"`` and ``"from_sources"`` give the same answer. Results are always
``is_estimate=True``. :func:`national_network` returns the network of the current
boundaries, built once per process.

Defaults and where they come from
---------------------------------
``circuity_factor`` = 1.4
    Road distance over straight-line distance. Detour-index studies find 1.2-1.4 in
    dense road networks and 1.4-1.6 or more where roads are sparse or follow coasts and
    rivers (Ballou, Rahardja & Sakai 2002, *Transportation Research A* 36: 843-848:
    1.2-1.4 by country; Boscoe, Henry & Zdeb 2012, *The Professional Geographer* 64:
    188-196: US mean 1.417). Indonesia's outer islands are at the high end; 1.4 is a
    middle value. The graph's road edges are calibrated so a path's median time equals
    this direct estimate, not 1.4 times it again.
``road_speed_kmh`` = 40
    Door-to-door average over mixed roads: Indonesian national-road travel surveys put
    inter-city averages at 35-50 km/h, and town traffic is slower.
``ferry_speed_kmh`` = 20
    ASDP ro-ro ferries sail at about 10-15 knots (18-28 km/h); Pelni passenger ships at
    12-18 knots. 20 km/h is a typical ro-ro service speed.
``ferry_wait_h`` = 4
    Waiting, check-in and loading for a crossing, added to every sea leg. Busy straits
    (Merak-Bakauheni, Ketapang-Gilimanuk) sail hourly, but the eastern islands' pioneer
    (*perintis*) and ASDP routes sail a few times a week: 4 h is an optimistic mean that
    the model cannot improve without timetables.
:data:`MAX_SEA_LEG_KM` = 400
    The longest single crossing kept. The longest regular ro-ro legs are a few hundred
    km (e.g. Surabaya-Banjarmasin, about 400 km); longer Delaunay edges span open sea
    between land masses that are reached by shorter hops.

The settings are read when the network is built (edge weights) and when points are
attached or joined directly, so a network must not outlive a change of them: take it
from :func:`national_network` at each request (it is rebuilt when the boundaries or
these settings change) rather than keeping one.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import Delaunay, cKDTree

from core import settings
from core.errors import InputError
from geo import boundaries, islands
from geo.lookup import coordinates
from routing._national_legs import (
    EARTH_RADIUS_KM,
    ISLAND_SEPARATION,
    Attachment,
    direct_legs,
    distinct_points,
    great_circle_km,
    island_space,
    nearest_by_direct_leg,
    road_calibration,
    road_leg,
    sea_leg,
    unit_vectors,
)
from routing._national_search import Search
from routing._national_sources import Sources
from routing.travel import Direction, Nearest, Route, TravelMatrix, check_direction, points

__all__ = [
    "ATTACH_K",
    "EARTH_RADIUS_KM",
    "MAX_SEA_LEG_KM",
    "Attachment",
    "NationalNetwork",
    "Search",
    "great_circle_km",
    "national_network",
    "road_leg",
    "sea_leg",
]

MAX_SEA_LEG_KM = 400.0
ATTACH_K = 3
JOINED_KEPT = 4
"""How many joined sets of source points :meth:`NationalNetwork.sources` keeps."""


class NationalNetwork:
    """The estimated travel model over district points (see the module notes).

    Build it with :meth:`from_districts` or :func:`national_network`; it is immutable and
    safe to share between threads.

    Parameters
    ----------
    codes
        Node labels (district codes).
    lon, lat
        Node coordinates (WGS84).
    island
        Land mass of each node (:func:`geo.islands.island_of`).
    """

    name = "estimated"
    is_estimate = True

    def __init__(self, codes: np.ndarray, lon: np.ndarray, lat: np.ndarray, island: np.ndarray) -> None:
        lon, lat = coordinates(lon, lat)
        island = np.asarray(island, dtype=np.int64)
        if not len(codes) == len(lon) == len(island) or len(lon) < 2 * ATTACH_K:
            counts = f"`lon`/`lat` {len(lon)} and `island` {len(island)}"
            msg = f"has {len(codes)} values, {counts}; give one of each per node, at least {2 * ATTACH_K} nodes."
            raise InputError("codes", len(codes), msg)
        self.codes, self.lon, self.lat, self.island = np.asarray(codes), lon, lat, island
        self._joined: dict[tuple[bytes, bytes], tuple] = {}
        self._joined_lock = threading.Lock()
        self._tree = cKDTree(unit_vectors(lon, lat))
        self._island_tree = cKDTree(island_space(lon, lat, island))
        tail, head, sea = self._delaunay_edges()
        km = great_circle_km(lon[tail], lat[tail], lon[head], lat[head])
        keep = ~sea | (km <= MAX_SEA_LEG_KM)
        tail, head, sea, km = tail[keep], head[keep], sea[keep], km[keep]
        road_h, road_km = road_leg(km)
        sea_h, sea_km = sea_leg(km)
        self._edges = (tail, head, sea, np.where(sea, sea_h, road_h), np.where(sea, sea_km, road_km))
        self.road_calibration = road_calibration(lon, lat, island, self._edges)
        self._assemble()

    @classmethod
    def from_districts(cls) -> NationalNetwork:
        """Return the network over the representative points of every district (about 1 s)."""
        districts = boundaries.load_areas("district")
        representative = districts.geometry.representative_point().to_numpy()
        lon, lat = shapely.get_x(representative), shapely.get_y(representative)
        return cls(districts["code"].to_numpy(), lon, lat, islands.island_of(lon, lat))

    def _delaunay_edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        triangles = Delaunay(np.column_stack([self.lon, self.lat])).simplices
        pairs = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]])
        pairs = np.unique(np.sort(pairs, axis=1), axis=0)
        tail, head = pairs[:, 0], pairs[:, 1]
        sea = (self.island[tail] != self.island[head]) | (self.island[tail] < 0)
        return tail, head, sea

    def _assemble(self) -> None:
        """Build the symmetric CSR graph of hours, with km, sea flags and (row, column) keys in its entry order."""
        tail, head, sea, hours, km = self._edges
        hours = np.where(sea, hours, hours * self.road_calibration)
        km = np.where(sea, km, km * self.road_calibration)
        n = len(self.codes)
        both = np.concatenate([tail, head]), np.concatenate([head, tail])
        edge_of = csr_matrix((np.arange(1.0, len(both[0]) + 1), both), shape=(n, n))
        edge_of.sort_indices()
        order = edge_of.data.astype(np.int64) - 1  # CSR entry -> position in `both`
        self.graph = csr_matrix((np.tile(hours, 2)[order], edge_of.indices, edge_of.indptr), shape=(n, n))
        self._edge_km = np.tile(km, 2)[order]
        self._edge_sea = np.tile(sea, 2)[order]
        self._edge_keys = np.repeat(np.arange(n), np.diff(edge_of.indptr)) * n + edge_of.indices
        moving = self.graph.data > 0
        self.top_speed_kmh = float(np.max(self._edge_km[moving] / self.graph.data[moving], initial=1.0))  # fastest edge
        self.n_components = int(connected_components(self.graph, directed=False)[0])

    def edge_values(self, tail: np.ndarray, head: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return hours, km and the sea flag of the edges ``tail[i] -> head[i]`` (which must exist)."""
        position = np.searchsorted(self._edge_keys, np.asarray(tail) * len(self.codes) + head)
        return self.graph.data[position], self._edge_km[position], self._edge_sea[position]

    def tree_edge_values(self, predecessors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return km and sea legs (0 or 1) of each node's edge from its predecessor; 0 where it has none."""
        node = np.flatnonzero(predecessors >= 0)
        km, sea = np.zeros(len(predecessors)), np.zeros(len(predecessors))
        _, km[node], sea[node] = self.edge_values(predecessors[node], node)
        return km, sea

    def attach(self, lon: object, lat: object) -> Attachment:
        """Return how each point joins the network: its nearest nodes, on its own land mass first.

        Raises
        ------
        core.errors.InputError
            If a coordinate is not a finite number in range (field ``lon`` or ``lat``).
        """
        lon, lat = coordinates(lon, lat)
        island = islands.island_of(lon, lat) if len(lon) else np.empty(0, dtype=np.int64)
        own_chord, own = self._island_tree.query(island_space(lon, lat, island), k=ATTACH_K)
        own_ok = (own_chord < ISLAND_SEPARATION / 2) & (island >= 0)[:, None]
        _, near = self._tree.query(unit_vectors(lon, lat), k=2 * ATTACH_K)
        other = (self.island[near] != island[:, None]) | (island < 0)[:, None]
        candidates = np.concatenate([own.reshape(-1, ATTACH_K), near.reshape(-1, 2 * ATTACH_K)], axis=1)
        usable = np.concatenate([own_ok.reshape(-1, ATTACH_K), other.reshape(-1, 2 * ATTACH_K)], axis=1)
        # Own-land-mass nodes first (nearest first), then the nearest others: a stable sort on "not usable".
        order = np.argsort(~usable, axis=1, kind="stable")[:, :ATTACH_K]
        nodes = np.take_along_axis(candidates, order, axis=1)
        sea = order >= ATTACH_K
        km = great_circle_km(lon[:, None], lat[:, None], self.lon[nodes], self.lat[nodes])
        road_h, road_km = road_leg(km)
        sea_h, sea_km = sea_leg(km)
        return Attachment(nodes, np.where(sea, sea_h, road_h), np.where(sea, sea_km, road_km), sea, island)

    def with_points(self, lon: object, lat: object) -> tuple[csr_matrix, np.ndarray]:
        """Return the graph with an extra node per point and those nodes' ids.

        The extra nodes have edges out to their attachments only (search the graph with
        ``directed=True``, scipy's default), so no path passes through another point.
        """
        return self._extended(self.attach(lon, lat))

    def _extended(self, attached: Attachment) -> tuple[csr_matrix, np.ndarray]:
        n, count, k = len(self.codes), *attached.nodes.shape
        graph = self.graph
        indptr = np.concatenate([graph.indptr, graph.indptr[-1] + k * np.arange(1, count + 1)])
        indices = np.concatenate([graph.indices, attached.nodes.ravel()])
        data = np.concatenate([graph.data, attached.hours.ravel()])
        return csr_matrix((data, indices, indptr), shape=(n + count, n + count)), np.arange(n, n + count)

    def _trees(self, attached: Attachment) -> tuple[np.ndarray, np.ndarray]:
        """Return hours and predecessors (-1 at roots) from every attached point to every node."""
        graph, ids = self._extended(attached)
        hours, predecessors = dijkstra(graph, indices=ids, return_predecessors=True)
        n = len(self.codes)
        return hours[:, :n], np.where(predecessors[:, :n] >= n, -1, predecessors[:, :n])

    def search(self, lon: float, lat: float) -> Search:
        """Run the shortest-path search from one point; ask the result for hours or routes to many places."""
        lons, lats = points(lon, lat, "origin")
        if len(lons) != 1:
            raise InputError("origin_lon", lons.tolist(), "is expected to be one point; search from each in turn.")
        origin = self.attach(lons, lats)
        hours, predecessors = self._trees(origin)
        return Search(self, (float(lons[0]), float(lats[0])), origin, hours[0], predecessors[0])

    def travel(self, origin_lon: float, origin_lat: float, lon: object, lat: object) -> dict[str, np.ndarray]:
        """Return estimated ``hours``, ``km`` and ``sea_legs`` from one origin to many destinations."""
        lon, lat = points(lon, lat, "destination")
        return self.search(origin_lon, origin_lat).travel(self.attach(lon, lat), lon, lat)

    def matrix(
        self, origin_lon: object, origin_lat: object, destination_lon: object, destination_lat: object
    ) -> TravelMatrix:
        """Return estimated hours and km from every origin to every destination (one Dijkstra call)."""
        origin_lon, origin_lat = points(origin_lon, origin_lat, "origin")
        destination_lon, destination_lat = points(destination_lon, destination_lat, "destination")
        origins, destinations = self.attach(origin_lon, origin_lat), self.attach(destination_lon, destination_lat)
        hours, predecessors = self._trees(origins)
        rows = [
            Search(self, (x, y), origins.row(i), hours[i], predecessors[i]).travel(
                destinations, destination_lon, destination_lat
            )
            for i, (x, y) in enumerate(zip(origin_lon.tolist(), origin_lat.tolist(), strict=True))
        ]
        hours, km = (np.vstack([row[key] for row in rows]) for key in ("hours", "km"))
        return TravelMatrix(hours, km, self.name, self.is_estimate)

    def routes(self, origin: tuple[float, float], destinations: list[tuple[float, float]]) -> list[Route]:
        """Return the estimated route to each destination, from one search; legs are straight lines."""
        if not len(destinations):
            return []
        lon, lat = np.array(destinations, dtype=float).reshape(-1, 2).T
        lon, lat = points(lon, lat, "destination")
        return self.search(*origin).routes(self.attach(lon, lat), lon, lat)

    def route(self, origin: tuple[float, float], destination: tuple[float, float]) -> Route:
        """Return the estimated route from `origin` to `destination` (see :meth:`routes`)."""
        return self.routes(origin, [destination])[0]

    def nearest(
        self,
        source_lon: object,
        source_lat: object,
        target_lon: object,
        target_lat: object,
        direction: Direction = "to_sources",
    ) -> Nearest:
        """Return the nearest source of every target in one multi-source Dijkstra (the network is symmetric)."""
        direction = check_direction(direction)
        target_lon, target_lat = points(target_lon, target_lat, "target")
        target = self.attach(target_lon, target_lat)
        hours, source = self._nearest(source_lon, source_lat, target_lon, target_lat, target)
        return Nearest(hours, source, direction, self.name, self.is_estimate)

    def nearest_source(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """Return, for every district node, the hours to the nearest of the given sources and its position.

        One multi-source Dijkstra pass (``min_only=True``), then the direct road legs on the
        same land mass; position -1 where no source is reachable. For many groups of one
        set of sources (coverage per capability), ask :meth:`sources` once instead.

        Raises
        ------
        core.errors.InputError
            If a coordinate is bad or there are no sources (field ``source_lon``/``source_lat``).
        """
        return self.sources(lon, lat).nearest([np.arange(np.size(lon))])[0]

    def sources(self, lon: object, lat: object) -> Sources:
        """Return the sources attached once, for :meth:`Sources.nearest` per group and :meth:`Sources.hours`.

        Each distinct point is attached, added to the graph and joined to every node on its
        land mass by a direct road leg (:class:`routing._national_sources.Sources`). The
        joined graph of the last :data:`JOINED_KEPT` sets of points is kept (the agencies of
        the directory, with and without their public points), so coverage of every request
        reuses it and only searches; each call gets new passes.

        Raises
        ------
        core.errors.InputError
            If a coordinate is bad or there are no sources (field ``source_lon``/``source_lat``).
        """
        lon, lat = points(lon, lat, "source")
        key = (lon.tobytes(), lat.tobytes())
        if key not in self._joined:  # the directory's agencies: joined once, searched per request
            first, distinct = distinct_points(lon, lat)
            attached = self.attach(lon[first], lat[first])
            graph, ids = self._extended(attached)
            direct = direct_legs((lon[first], lat[first], attached.island), (self.lon, self.lat, self.island))
            with self._joined_lock:
                while len(self._joined) >= JOINED_KEPT:
                    self._joined.pop(next(iter(self._joined)))
                self._joined[key] = (distinct, graph, ids, direct, lon[first], lat[first])
        return Sources(self, *self._joined[key])  # new passes every call

    def _nearest(
        self, lon: object, lat: object, target_lon: np.ndarray, target_lat: np.ndarray, target: Attachment
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return hours from each attached target to its nearest source, and that source's position (-1: none)."""
        lon, lat = points(lon, lat, "source")
        sources = self.attach(lon, lat)
        graph, ids = self._extended(sources)
        node_hours, _, nearest = dijkstra(graph, indices=ids, min_only=True, return_predecessors=True)
        n = len(self.codes)
        node_source = np.where(nearest[:n] >= n, nearest[:n] - n, -1)
        cost = node_hours[target.nodes] + target.hours
        column = cost.argmin(axis=1)[:, None]
        hours = np.take_along_axis(cost, column, axis=1)[:, 0]
        source = np.where(np.isfinite(hours), node_source[np.take_along_axis(target.nodes, column, axis=1)[:, 0]], -1)
        targets = target_lon, target_lat, target.island
        direct, direct_source = nearest_by_direct_leg((lon, lat, sources.island), targets)
        shorter = direct < hours
        hours[shorter], source[shorter] = direct[shorter], direct_source[shorter]
        return hours, source

    def hours_from_sources(self, lon: object, lat: object) -> np.ndarray:
        """Return a (sources x district nodes) matrix of hours, for rules that differ per source (:meth:`sources`).

        Raises
        ------
        core.errors.InputError
            If a coordinate is bad or there are no sources (field ``source_lon``/``source_lat``).
        """
        return self.sources(lon, lat).hours()


@lru_cache(maxsize=2)
def _network(boundaries_stamp: tuple, travel_settings: tuple) -> NationalNetwork:
    return NationalNetwork.from_districts()


def national_network() -> NationalNetwork:
    """Return the network of the current district boundaries and travel settings, built once per process.

    The cache is keyed by :func:`geo.boundaries.stamp` of the districts and by the
    settings the edges are built from (``circuity_factor``, ``road_speed_kmh``,
    ``ferry_speed_kmh``, ``ferry_wait_h``), so rebuilt boundaries or changed settings
    give a new network; the last two are kept.
    """
    travel_settings = (
        settings.circuity_factor,
        settings.road_speed_kmh,
        settings.ferry_speed_kmh,
        settings.ferry_wait_h,
    )
    return _network(boundaries.stamp(boundaries.artefact_name("district")), travel_settings)
