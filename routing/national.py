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
from collections import Counter
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from core import settings
from core.errors import InputError
from geo import boundaries, islands
from geo.lookup import coordinates, locate
from routing._kernels import own_ranks, pick_attachments
from routing._links import (
    Links,
    concat,
    crossing_links,
    empty_links,
    flight_links,
    road_islands,
    road_speeds,
    roadless_regencies,
)
from routing._national_graph import assemble, delaunay_edges
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
from routing._water import MAX_SAMPLES, STEP_KM, land_mask
from routing.modes import FAMILY_OF, LEG_MODES, SEA_MODES, parse_modes
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
OWN_TRIED = 4 * ATTACH_K
"""How many of a point's nearest nodes on its road island are tried for attachment (some legs cross water)."""
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

    def __init__(
        self,
        codes: np.ndarray,
        lon: np.ndarray,
        lat: np.ndarray,
        island: np.ndarray,
        *,
        road_island: np.ndarray | None = None,
        speed: np.ndarray | None = None,
        links: Links | None = None,
        modes: frozenset[str] | None = None,
        roadless: frozenset[str] = frozenset(),
    ) -> None:
        lon, lat = coordinates(lon, lat)
        landmass = np.asarray(island, dtype=np.int64)
        if not len(codes) == len(lon) == len(landmass) or len(lon) < 2 * ATTACH_K:
            counts = f"`lon`/`lat` {len(lon)} and `island` {len(landmass)}"
            msg = f"has {len(codes)} values, {counts}; give one of each per node, at least {2 * ATTACH_K} nodes."
            raise InputError("codes", len(codes), msg)
        self.codes, self.lon, self.lat, self.landmass = np.asarray(codes), lon, lat, landmass
        self.island = landmass if road_island is None else np.asarray(road_island, dtype=np.int64)
        self.speed = np.full(len(lon), settings.road_speed_kmh) if speed is None else np.asarray(speed, dtype=float)
        self.modes = parse_modes(None if modes is None else sorted(modes))
        self.roadless = roadless
        self._joined: dict[tuple[bytes, bytes], tuple] = {}
        self._joined_lock = threading.Lock()
        self._tree = cKDTree(unit_vectors(lon, lat))
        self._island_tree = cKDTree(island_space(lon, lat, self.island))
        self._island_of_regency = _main_land_masses(self.codes, landmass)  # then the last one a point was on
        self.land = land_mask()  # of the boundaries this network is built from (read once, not per leg)
        links = empty_links() if links is None else links
        keep = np.array([FAMILY_OF[LEG_MODES[m]] in self.modes for m in links.mode], dtype=bool)
        self.links = links.subset(keep)
        tail, head, sea = delaunay_edges(self.lon, self.lat, self.landmass, self.island, self.links)
        km = great_circle_km(lon[tail], lat[tail], lon[head], lat[head])
        keep = np.where(sea, (km <= MAX_SEA_LEG_KM) & ("sea" in self.modes), True)
        tail, head, sea, km = tail[keep], head[keep], sea[keep], km[keep]
        road_h, road_km = road_leg(km, (self.speed[tail] + self.speed[head]) / 2)
        sea_h, sea_km = sea_leg(km)
        self._edges = (tail, head, sea, np.where(sea, sea_h, road_h), np.where(sea, sea_km, road_km))
        self.road_calibration = road_calibration(lon, lat, self.island, self._edges, self.speed)
        graph = assemble(len(codes), self._edges, self.road_calibration, self.links)
        self.graph, self.n_components = graph.graph, graph.n_components
        self._edge_km, self._edge_mode, self._edge_link = graph.edge_km, graph.edge_mode, graph.edge_link
        self._edge_forward, self._edge_keys = graph.edge_forward, graph.edge_keys

    @classmethod
    def from_districts(cls, modes: frozenset[str] | None = None) -> NationalNetwork:
        """Return the network over the representative points of every district, with the allowed `modes`.

        Districts of a roadless regency (``routing/data/roadless.csv``) form road islands of
        their own; road speeds follow the class of each district's regency (:func:`road_speeds`);
        flights and crossings come from :mod:`routing._links`.
        """
        districts = boundaries.load_areas("district")
        representative = districts.geometry.representative_point().to_numpy()
        lon, lat = shapely.get_x(representative), shapely.get_y(representative)
        codes = districts["code"].to_numpy()
        island = islands.island_of(lon, lat)
        regency = districts["regency_code"].to_numpy()
        speed = road_speeds(regency)
        node_of = {str(code): i for i, code in enumerate(codes)}
        links = concat([flight_links(node_of, lon, lat, speed), crossing_links(node_of, lon, lat)])
        linked = set(regency[links.tail]) | set(regency[links.head])
        roadless = frozenset(roadless_regencies() & linked)  # cut off only where a flight or crossing serves it
        road_island = road_islands(regency, island, roadless)
        return cls(
            codes, lon, lat, island, road_island=road_island, speed=speed, links=links, modes=modes, roadless=roadless
        )

    def edge_values(self, tail: np.ndarray, head: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return hours, km and the mode code of the edges ``tail[i] -> head[i]`` (which must exist)."""
        position = self.edge_positions(tail, head)
        return self.graph.data[position], self._edge_km[position], self._edge_mode[position]

    def edge_positions(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        """Return the CSR entries of the edges ``tail[i] -> head[i]`` (which must exist)."""
        return np.searchsorted(self._edge_keys, np.asarray(tail) * len(self.codes) + head)

    def tree_edge_values(self, predecessors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return km and crossings (0 or 1) of each node's edge from its predecessor; 0 where it has none."""
        node = np.flatnonzero(predecessors >= 0)
        km, sea = np.zeros(len(predecessors)), np.zeros(len(predecessors))
        _, km[node], mode = self.edge_values(predecessors[node], node)
        sea[node] = np.isin(mode, SEA_MODES)
        return km, sea

    def place(
        self, lon: np.ndarray, lat: np.ndarray, regency: Sequence[str | None] | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return each point's land mass, road island and road speed (km/h).

        `regency` gives the points' regency codes where the caller knows them (a referral's
        origin); otherwise they are looked up.
        """
        if not len(lon):
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64), np.empty(0)
        found = locate(lon, lat, "regency") if regency is None else regency
        codes = np.array([None if code is None else str(code) for code in found], dtype=object)
        if len(lon) == 1:  # one point (a referral's origin): its regency's last island is tried first
            mass = islands.island_of(float(lon[0]), float(lat[0]), guess=self._island_of_regency.get(codes[0]))
            if codes[0] is not None and mass[0] >= 0:
                self._island_of_regency[codes[0]] = int(mass[0])
        else:
            mass = islands.island_of(lon, lat)
        return mass, road_islands(codes, mass, self.roadless), road_speeds(codes)

    def attach(self, lon: object, lat: object, regency: Sequence[str | None] | None = None) -> Attachment:
        """Return how each point joins the network: its nearest nodes on its own road island first.

        Nodes reached by a road leg that stays on land (:mod:`routing._water`) come first,
        (of the :data:`OWN_TRIED` nearest), then, if none stays on land, the road island's
        nearest nodes, then the nearest nodes of other land masses by
        estimated sea legs (if sea travel is allowed). A node that no leg may reach is
        attached at ``inf`` hours.

        Raises
        ------
        core.errors.InputError
            If a coordinate is not a finite number in range (field ``lon`` or ``lat``).
        """
        lon, lat = coordinates(lon, lat)
        mass, island, speed = self.place(lon, lat, regency)
        k = min(OWN_TRIED, len(self.codes))
        own_chord, own = self._island_tree.query(island_space(lon, lat, island), k=k)
        own, own_chord = own.reshape(-1, k), own_chord.reshape(-1, k)
        own_lon, own_lat = self.lon[own], self.lat[own]
        own_km = great_circle_km(lon[:, None], lat[:, None], own_lon, own_lat)
        # The farther candidates are tested only where a nearest one crosses water (the first ATTACH_K dry are used);
        # a leg over water counts only when no leg stays on land.
        mask = self.land
        water = (settings.water_check_km, STEP_KM, MAX_SAMPLES)
        own_ok, own_rank, enough = own_ranks(
            lon, lat, own_lon, own_lat, own_chord, island >= 0, own_km, ATTACH_K, ISLAND_SEPARATION / 2, water,
            mask.grid, mask.bits,
        )  # fmt: skip
        if enough:  # the nearest of other land masses would rank after them
            near, other, near_km = np.zeros_like(own), np.zeros(own.shape, dtype=bool), np.zeros(own.shape)
        else:
            _, near = self._tree.query(unit_vectors(lon, lat), k=k)
            near = near.reshape(-1, k)
            other = ((self.landmass[near] != mass[:, None]) | (mass < 0)[:, None]) & ("sea" in self.modes)
            near_km = great_circle_km(lon[:, None], lat[:, None], self.lon[near], self.lat[near])
        # Own-road-island nodes reached on land first, then the others of the road island (a leg over a bay is
        # better than none), then the nearest nodes of other land masses: each group nearest first.
        ranks = own_rank, np.where(other, 2, 3)
        legs = (settings.circuity_factor, settings.ferry_speed_kmh, settings.ferry_wait_h)
        nodes, hours, km, sea = pick_attachments(
            ranks, (own, near), (own_km, near_km), (own_ok, other), (speed, self.speed), ATTACH_K, legs
        )
        return Attachment(nodes, hours, km, sea, island, speed)

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
        set of sources, ask :meth:`sources` once; for the same sources asked again and
        again (coverage of the directory), read the minima of :meth:`Sources.point_hours`.

        Raises
        ------
        core.errors.InputError
            If a coordinate is bad or there are no sources (field ``source_lon``/``source_lat``).
        """
        return self.sources(lon, lat).nearest([np.arange(np.size(lon))])[0]

    def sources(self, lon: object, lat: object) -> Sources:
        """Return the sources attached once, for :meth:`Sources.nearest` per group and :meth:`Sources.point_hours`.

        Each distinct point is attached, added to the graph and joined to every node on its
        land mass by a direct road leg (:class:`routing._national_sources.Sources`). The
        join of the last :data:`JOINED_KEPT` sets of points is kept (the agencies of the
        directory, with and without their public points), with the searches from its points
        once :meth:`Sources.point_hours` has run them: coverage of every request reads them.
        Each call gets its own memo of :meth:`Sources.nearest` passes.

        Raises
        ------
        core.errors.InputError
            If a coordinate is bad or there are no sources (field ``source_lon``/``source_lat``).
        """
        lon, lat = points(lon, lat, "source")
        key = (lon.tobytes(), lat.tobytes())
        joined = self._joined.get(key)
        if joined is None:  # the directory's agencies: joined once, searched once
            first, distinct = distinct_points(lon, lat)
            attached = self.attach(lon[first], lat[first])
            graph, ids = self._extended(attached)
            points_ = (lon[first], lat[first], attached.island, attached.speed)
            direct = direct_legs(points_, (self.lon, self.lat, self.island, self.speed))
            kept = {"lock": threading.Lock()}  # Sources.point_hours: its searches, run once
            with self._joined_lock:
                joined = self._joined.get(key)
                if joined is None:  # not joined by another thread meanwhile
                    while len(self._joined) >= JOINED_KEPT:
                        self._joined.pop(next(iter(self._joined)))
                    joined = self._joined[key] = (distinct, graph, ids, direct, lon[first], lat[first], kept)
        return Sources(self, *joined)

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
        targets = target_lon, target_lat, target.island, target.speed
        direct, direct_source = nearest_by_direct_leg((lon, lat, sources.island, sources.speed), targets)
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


def _main_land_masses(codes: np.ndarray, landmass: np.ndarray) -> dict[str, int]:
    """Return, per regency, the land mass of most of its district nodes: the first guess of :meth:`place`.

    A guess only saves a lookup: a point off the guessed land mass is looked up among all.
    """
    counts: dict[str, Counter[int]] = {}
    for code, mass in zip(codes.tolist(), landmass.tolist(), strict=True):
        if mass >= 0:
            counts.setdefault(str(code)[:5], Counter())[mass] += 1
    return {regency: masses.most_common(1)[0][0] for regency, masses in counts.items()}


@lru_cache(maxsize=4)
def _network(boundaries_stamp: tuple, travel_settings: tuple, modes: frozenset[str]) -> NationalNetwork:
    return NationalNetwork.from_districts(modes)


TRAVEL_SETTINGS: tuple[str, ...] = (
    "circuity_factor",
    "road_speed_kmh",
    "road_speed_city_kmh",
    "road_speed_mountain_kmh",
    "mountain_seat_elevation_m",
    "ferry_speed_kmh",
    "ferry_wait_h",
    "air_speed_kmh",
    "air_overhead_h",
    "air_check_in_h",
    "air_exit_h",
    "crossing_boarding_h",
    "hub_departures_per_day",
    "thin_departures_per_day",
    "water_check_km",
)
"""The settings the network's edges are built from: a change of any gives a new network."""


def national_network(modes: str | frozenset[str] | None = None) -> NationalNetwork:
    """Return the network of the current district boundaries, travel settings and allowed `modes`, built once.

    `modes` are families of :mod:`routing.modes` (default ``settings.travel_modes``). The
    cache is keyed by :func:`geo.boundaries.stamp` of the districts, by
    :data:`TRAVEL_SETTINGS` and by the modes, so rebuilt boundaries or changed settings give
    a new network; the last four are kept.
    """
    allowed = parse_modes(sorted(modes) if isinstance(modes, frozenset) else modes)
    travel_settings = tuple(getattr(settings, name) for name in TRAVEL_SETTINGS)
    return _network(boundaries.stamp(boundaries.artefact_name("district")), travel_settings, allowed)
