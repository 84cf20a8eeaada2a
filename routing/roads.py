"""Travel on an OpenStreetMap drive network: :class:`RoadNetwork`.

The network is read with osmnx (GraphML, OSM XML) or pyrosm (``.osm.pbf``) and given
speeds and travel times by osmnx itself: ``ox.add_edge_speeds`` with
``hwy_speeds=settings.default_speed_kmh_by_highway`` (a ``*_link`` ramp without its own
entry takes its road class's speed; a class absent from the settings gets the mean of the
graph's known speeds, osmnx's rule), then ``ox.add_edge_travel_times``. An edge tagged
``route=ferry`` runs at ``settings.ferry_speed_kmh`` plus ``settings.ferry_boarding_h``;
every reader keeps ferry ways and their ``route`` tag (:mod:`routing._road_files`), and a
route over one is a ``sea`` leg of its own.

A referral runs :meth:`RoadNetwork.search` once per origin (one Dijkstra with
predecessors, :class:`RoadSearch`) and reads from it the hours to every agency and the
routes of the few it lists.

For queries the graph is held as a ``scipy.sparse`` CSR matrix of travel time in seconds
(the fastest of parallel edges; self-loops dropped), with each kept edge's length and
geometry beside it, and shortest paths run in ``scipy.sparse.csgraph.dijkstra``. Distance
is the length of the fastest path, not the shortest distance.

Points are joined to the network by snapping
--------------------------------------------
A point is snapped to the nearest node (a ``cKDTree`` on locally equirectangular km) of
the network's largest strongly connected component, so that every snapped pair has a
route both ways: OSM drive extracts hold small components (one-way stubs cut at the
extract's edge) from which no route leads out, and snapping to one would make a point
next to a main road unreachable. ``snap_to="any"`` snaps to any node instead (then
unreachable pairs are ``inf``). The straight line between the point and its node is an
access leg at ``settings.access_speed_kmh``. A point farther than
``settings.road_snap_max_km`` from its node is outside the network: ``inf``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from core import settings
from core.errors import InputError
from routing._road_files import SUFFIXES, add_travel_times, is_ferry, read_graph
from routing.national import EARTH_RADIUS_KM, great_circle_km
from routing.travel import Direction, Leg, Nearest, Route, TravelMatrix, check_direction, path_legs, points

__all__ = ["SUFFIXES", "RoadNetwork", "RoadSearch", "Snap", "add_travel_times", "is_ferry", "read_graph"]

SnapRule = Literal["largest", "any"]
SNAP_RULES: tuple[str, ...] = ("largest", "any")


@dataclass(frozen=True)
class Snap:
    """Where points join the network: CSR position of their ``node`` and the straight-line ``km``."""

    node: np.ndarray
    km: np.ndarray
    covered: np.ndarray

    @property
    def access_h(self) -> np.ndarray:
        """Hours of the access legs; ``inf`` for points outside the network."""
        return np.where(self.covered, self.km / settings.access_speed_kmh, np.inf)

    def row(self, i: int) -> Snap:
        """Return the snap of point `i` alone."""
        return Snap(self.node[i : i + 1], self.km[i : i + 1], self.covered[i : i + 1])


class RoadNetwork:
    """A travel model on one OSM drive network (see the module notes).

    Parameters
    ----------
    graph
        An osmnx-style MultiDiGraph in EPSG:4326 with edge ``length`` (m); it is copied,
        and speeds and travel times are added to the copy (:attr:`graph`).
    name
        Shown with every result as ``"road:<name>"``.
    snap_to
        ``"largest"`` (default): snap points to the largest strongly connected
        component; ``"any"``: to any node.
    """

    is_estimate = False

    def __init__(self, graph: nx.MultiDiGraph, name: str = "network", snap_to: SnapRule = "largest") -> None:
        if snap_to not in SNAP_RULES:
            raise InputError("snap_to", snap_to, f"is expected to be one of {SNAP_RULES}.")
        if graph.number_of_edges() == 0:
            raise InputError("graph", name, "has no edges; give a drive network.")
        self.name = f"road:{name}"
        self.graph = add_travel_times(graph.copy())
        self.node_ids = np.array(list(self.graph.nodes))
        self.lon = np.array([x for _, x in self.graph.nodes(data="x")], dtype=float)
        self.lat = np.array([y for _, y in self.graph.nodes(data="y")], dtype=float)
        self._build_edges()
        labels = connected_components(self.csr, directed=True, connection="strong")[1]
        largest = labels == np.bincount(labels).argmax()
        self.snappable = np.flatnonzero(largest if snap_to == "largest" else np.ones_like(largest))
        self._lat0 = np.radians(np.mean(self.lat))
        self._tree = cKDTree(self._local_km(self.lon[self.snappable], self.lat[self.snappable]))
        lon, lat = self.lon[self.snappable], self.lat[self.snappable]
        self._bounds = (lon.min(), lat.min(), lon.max(), lat.max())

    def may_cover(self, lon: float, lat: float) -> bool:
        """Return False when the point is surely farther than ``settings.road_snap_max_km`` from the network.

        A cheap test before :meth:`snap` (a tree query): the snappable nodes' bounding box grown by
        that distance, in degrees of latitude, and twice as much in longitude (generous at any
        latitude of Indonesia, where a degree of longitude is at least 0.97 of one of latitude).
        """
        margin = settings.road_snap_max_km / (EARTH_RADIUS_KM * np.pi / 180)
        west, south, east, north = self._bounds
        return bool(south - margin <= lat <= north + margin and west - 2 * margin <= lon <= east + 2 * margin)

    @classmethod
    def from_file(cls, path: str | Path, snap_to: SnapRule = "largest") -> RoadNetwork:
        """Return the network read by :func:`read_graph`, named after the file."""
        name = Path(str(path)).name
        for suffix in sorted(SUFFIXES, key=len, reverse=True):
            name = name.removesuffix(suffix)
        return cls(read_graph(path), name=name.removesuffix("_drive_simplified"), snap_to=snap_to)

    def _build_edges(self) -> None:
        position = {node: i for i, node in enumerate(self.node_ids)}
        edges = [(position[u], position[v], d) for u, v, d in self.graph.edges(data=True) if u != v]
        tail = np.array([u for u, _, _ in edges], dtype=np.int64)
        head = np.array([v for _, v, _ in edges], dtype=np.int64)
        seconds = np.array([d["travel_time"] for *_, d in edges], dtype=float)
        geometry = np.array([d.get("geometry") for *_, d in edges], dtype=object)
        key = tail * len(self.node_ids) + head
        order = np.lexsort((seconds, key))  # fastest of parallel edges first
        first = order[np.r_[True, key[order][1:] != key[order][:-1]]]
        self._key = key[first]
        self._edge_km = np.array([edges[i][2]["length"] for i in first], dtype=float) / 1000
        self._edge_sea = np.array([is_ferry(edges[i][2].get("route")) for i in first], dtype=bool)
        self._edge_coords = self._coordinates(tail[first], head[first], geometry[first])
        n = len(self.node_ids)
        self.csr = csr_matrix((seconds[first], (tail[first], head[first])), shape=(n, n))
        self.csr_reversed = self.csr.T.tocsr()

    def _coordinates(self, tail: np.ndarray, head: np.ndarray, geometry: np.ndarray) -> list[np.ndarray]:
        """Return each edge's lon/lat vertices from its tail node to its head node (geometries oriented).

        Some readers store an edge's geometry running from its head; it is reversed here, once.
        """
        has = np.flatnonzero(geometry != None)  # noqa: E711 - elementwise on an object array
        lines = geometry[has]
        start, end = shapely.get_point(lines, 0), shapely.get_point(lines, -1)
        node = shapely.points(self.lon[tail[has]], self.lat[tail[has]])
        backwards = shapely.distance(end, node) < shapely.distance(start, node)
        lines[backwards] = shapely.reverse(lines[backwards])
        inner: list[np.ndarray] = [np.empty((0, 2))] * len(tail)
        coords, index = shapely.get_coordinates(lines, return_index=True)
        parts = np.split(coords, np.flatnonzero(np.diff(index)) + 1) if len(coords) else []
        for i, part in zip(has, parts, strict=True):
            inner[i] = part
        ends = np.column_stack([self.lon, self.lat])
        return [np.vstack([ends[t], part, ends[h]]) for t, h, part in zip(tail, head, inner, strict=True)]

    def _local_km(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        lon, lat = np.radians(lon), np.radians(lat)
        return EARTH_RADIUS_KM * np.column_stack([lon * np.cos(self._lat0), lat])

    def _edge_position(self, tail: np.ndarray, head: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._key, tail * len(self.node_ids) + head)

    def snap(self, lon: object, lat: object, name: str = "point") -> Snap:
        """Return the node each point is snapped to, the straight-line km to it and whether it is covered."""
        lon, lat = points(lon, lat, name)
        _, nearest = self._tree.query(self._local_km(lon, lat))
        node = self.snappable[nearest]
        km = great_circle_km(lon, lat, self.lon[node], self.lat[node])
        return Snap(node, km, km <= settings.road_snap_max_km)

    def covers(self, lon: object, lat: object) -> np.ndarray:
        """Return whether each point is within ``settings.road_snap_max_km`` of the network."""
        return self.snap(lon, lat).covered

    def matrix(
        self, origin_lon: object, origin_lat: object, destination_lon: object, destination_lat: object
    ) -> TravelMatrix:
        """Return hours and km from every origin to every destination (see :class:`routing.travel.TravelModel`).

        One Dijkstra runs from each distinct snapped origin, or, when there are fewer
        distinct destinations, from each of those on the reversed graph.
        """
        origin = self.snap(origin_lon, origin_lat, "origin")
        destination = self.snap(destination_lon, destination_lat, "destination")
        from_nodes, from_index = np.unique(origin.node, return_inverse=True)
        to_nodes, to_index = np.unique(destination.node, return_inverse=True)
        reverse = len(to_nodes) < len(from_nodes)
        roots, leaves = (to_nodes, from_nodes) if reverse else (from_nodes, to_nodes)
        seconds, predecessors = dijkstra(
            self.csr_reversed if reverse else self.csr, indices=roots, return_predecessors=True
        )
        rows = np.repeat(np.arange(len(roots)), len(leaves))
        km = self._path_km(predecessors, rows, np.tile(leaves, len(roots)), reverse).reshape(len(roots), -1)
        seconds = seconds[:, leaves]
        if reverse:
            seconds, km = seconds.T, km.T
        seconds, km = seconds[from_index][:, to_index], km[from_index][:, to_index]
        hours = origin.access_h[:, None] + seconds / 3600 + destination.access_h[None, :]
        km = np.where(np.isfinite(hours), origin.km[:, None] + km + destination.km[None, :], np.inf)
        return TravelMatrix(hours, km, self.name, self.is_estimate)

    def _path_km(self, predecessors: np.ndarray, rows: np.ndarray, nodes: np.ndarray, reverse: bool) -> np.ndarray:
        """Sum edge km along the shortest-path trees from each ``(row, node)`` back to the tree's root.

        On the reversed graph a tree edge ``node <- predecessor`` is the road ``node -> predecessor``.
        """
        km = np.zeros(len(nodes))
        pending, current = np.arange(len(nodes)), nodes.copy()
        while pending.size:
            previous = predecessors[rows[pending], current[pending]]
            more = previous >= 0
            pending, previous = pending[more], previous[more]
            tail, head = (current[pending], previous) if reverse else (previous, current[pending])
            km[pending] += self._edge_km[self._edge_position(tail, head)]
            current[pending] = previous
        return km

    def search(self, lon: float, lat: float) -> RoadSearch:
        """Return the fastest-path tree from one point (one Dijkstra), for hours and routes to many places.

        Raises
        ------
        core.errors.InputError
            If the coordinates are bad or not one point (field ``origin_lon``/``origin_lat``).
        """
        start = self.snap(lon, lat, "origin")
        if len(start.node) != 1:
            msg = "is expected to be one point; search from each in turn."
            raise InputError("origin_lon", np.ravel(lon).tolist(), msg)
        if not start.covered[0]:
            n = len(self.node_ids)
            return RoadSearch(self, _point(lon, lat), start, np.full(n, np.inf), np.full(n, -9999))
        seconds, predecessors = dijkstra(self.csr, indices=start.node[0], return_predecessors=True)
        return RoadSearch(self, _point(lon, lat), start, seconds, predecessors)

    def route(self, origin: tuple[float, float], destination: tuple[float, float]) -> Route:
        """Return the fastest route with access legs and the road geometry (see :class:`routing.travel.Route`)."""
        return self.search(origin[0], origin[1]).route(destination)

    def _path_legs(self, nodes: np.ndarray, seconds: np.ndarray) -> list[Leg]:
        """Return the road and ferry legs along a node path whose tree `seconds` are given."""
        edge = self._edge_position(nodes[:-1], nodes[1:])
        coords = [self._edge_coords[e] for e in edge]
        return path_legs(coords, np.diff(seconds[nodes]) / 3600, self._edge_km[edge], self._edge_sea[edge])

    def _access_leg(self, point: tuple[float, float], node: int, snap: Snap, to_node: bool) -> Leg | None:
        if snap.km[0] == 0:
            return None
        ends = np.array([tuple(map(float, point)), (self.lon[node], self.lat[node])])
        return Leg("access", float(snap.access_h[0]), float(snap.km[0]), ends if to_node else ends[::-1])

    def nearest(
        self,
        source_lon: object,
        source_lat: object,
        target_lon: object,
        target_lat: object,
        direction: Direction = "to_sources",
    ) -> Nearest:
        """Return the nearest source of every target in one multi-source Dijkstra (``min_only=True``).

        Each source becomes an extra node joined to its snapped node by its access leg, so
        sources at different distances from the network start the search together.
        """
        direction = check_direction(direction)
        source = self.snap(source_lon, source_lat, "source")
        target = self.snap(target_lon, target_lat, "target")
        n, count = len(self.node_ids), len(source.node)
        graph = (self.csr_reversed if direction == "to_sources" else self.csr).tocoo()
        extra = np.arange(n, n + count)[source.covered]
        rows = np.concatenate([graph.row, extra])
        cols = np.concatenate([graph.col, source.node[source.covered]])
        data = np.concatenate([graph.data, source.access_h[source.covered] * 3600])
        augmented = csr_matrix((data, (rows, cols)), shape=(n + count, n + count))
        if extra.size == 0:
            seconds, origin = np.full(n, np.inf), np.full(n, -1)
        else:
            seconds, _, origin = dijkstra(augmented, indices=extra, min_only=True, return_predecessors=True)
        hours = seconds[target.node] / 3600 + target.access_h
        found = np.isfinite(hours)
        return Nearest(hours, np.where(found, origin[target.node] - n, -1), direction, self.name, self.is_estimate)


def _point(lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[float, float]:
    return float(np.ravel(lon)[0]), float(np.ravel(lat)[0])


@dataclass(frozen=True)
class RoadSearch:
    """The fastest-path tree from one origin on a road network, reused for every destination of a referral.

    Build it with :meth:`RoadNetwork.search`; it is the road twin of
    :class:`routing.national.Search`.

    Attributes
    ----------
    network, origin
        The network searched and the ``(lon, lat)`` searched from.
    start
        The origin's :class:`Snap` (one point).
    seconds
        Seconds from the origin's node to every node; ``inf`` where unreachable, and
        everywhere when the origin is outside the network.
    predecessors
        The tree: each node's predecessor, negative at the root and at unreached nodes.
    """

    network: RoadNetwork
    origin: tuple[float, float]
    start: Snap
    seconds: np.ndarray
    predecessors: np.ndarray

    @property
    def covered(self) -> bool:
        """Whether the origin is within ``settings.road_snap_max_km`` of the network."""
        return bool(self.start.covered[0])

    def hours(self, end: Snap) -> np.ndarray:
        """Return door-to-door hours to the snapped points `end` (``inf`` where outside or unreachable)."""
        return self.start.access_h[0] + self.seconds[end.node] / 3600 + end.access_h

    def route(self, destination: tuple[float, float], end: Snap | None = None) -> Route:
        """Return the route to `destination` (``(lon, lat)``; `end` its :class:`Snap` if known).

        Legs: the access leg to the origin's node, one ``road`` leg per run of roads and one
        ``sea`` leg per ferry edge (each crossing waits once), the access leg from the
        destination's node. Not ``reachable`` when either end is outside the network or no
        way leads there.
        """
        net = self.network
        end = end if end is not None else net.snap(destination[0], destination[1], "destination")
        node = int(end.node[0])
        if not (self.covered and end.covered[0] and np.isfinite(self.seconds[node])):
            return Route(net.name, net.is_estimate)
        nodes = [node]
        while self.predecessors[nodes[-1]] >= 0:
            nodes.append(int(self.predecessors[nodes[-1]]))
        path = np.array(nodes[::-1])
        legs = net._path_legs(path, self.seconds) if len(path) > 1 else []
        if not legs:  # origin and destination at one node: a zero-length road leg keeps the route reachable
            point = np.array([[net.lon[node], net.lat[node]]] * 2)
            legs = [Leg("road", 0.0, 0.0, point)]
        first = net._access_leg(self.origin, path[0], self.start, to_node=True)
        last = net._access_leg(destination, path[-1], end, to_node=False)
        return Route(net.name, net.is_estimate, tuple(leg for leg in (first, *legs, last) if leg is not None))
