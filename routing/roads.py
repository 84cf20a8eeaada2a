"""Travel on an OpenStreetMap drive network: :class:`RoadNetwork`.

The network is read with osmnx (GraphML, OSM XML) or pyrosm (``.osm.pbf``) and given
speeds and travel times by osmnx itself: ``ox.add_edge_speeds`` with
``hwy_speeds=settings.default_speed_kmh_by_highway`` (a ``*_link`` ramp without its own
entry takes its road class's speed; a class absent from the settings gets the mean of the
graph's known speeds, osmnx's rule), then ``ox.add_edge_travel_times``. An edge tagged
``route=ferry`` runs at ``settings.ferry_speed_kmh`` plus ``settings.ferry_boarding_h``.

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
import osmnx as ox
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from geo import settings
from geo._errors import DataUnavailableError, InputError
from geo.sources import fetch, registry
from routing.national import EARTH_RADIUS_KM, great_circle_km
from routing.travel import Direction, Leg, Nearest, Route, TravelMatrix, check_direction, line_through, points

SUFFIXES: tuple[str, ...] = (".graphml", ".osm", ".xml", ".osm.pbf")
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


def read_graph(path: str | Path) -> nx.MultiDiGraph:
    """Return the drive network in `path`, unprojected (EPSG:4326).

    Parameters
    ----------
    path
        A pinned file of ``geo/registry.txt`` (``"osm/balikpapan_kota_drive_simplified.graphml"``)
        or a local file ending in one of :data:`SUFFIXES`.

    Raises
    ------
    geo._errors.InputError
        If `path` is neither, or its format is not supported.
    """
    local = fetch(path) if str(path) in registry() else Path(path).expanduser()
    if not local.is_file():
        pinned = [name for name in registry() if name.startswith("osm/")]
        msg = f"is neither an existing file nor a pinned road network; the pinned ones are {pinned}."
        raise InputError("path", str(path), msg)
    name = local.name.lower()
    if name.endswith(".graphml"):
        graph = ox.load_graphml(local)
    elif name.endswith(".osm.pbf"):
        graph = _read_pbf(local)
    elif name.endswith((".osm", ".xml")):
        graph = ox.graph_from_xml(local, retain_all=True)
    else:
        raise InputError("path", str(path), f"has a format that is not supported; use a file ending in {SUFFIXES}.")
    if not ox.projection.is_projected(graph.graph.get("crs", "epsg:4326")):
        return graph
    return ox.projection.project_graph(graph, to_latlong=True)


def _read_pbf(path: Path) -> nx.MultiDiGraph:
    try:
        import pyrosm
    except ImportError:
        msg = f"Reading {path} needs pyrosm: `pip install pyrosm`, or convert it to .osm XML with osmium."
        raise DataUnavailableError(msg) from None
    osm = pyrosm.OSM(str(path))
    nodes, edges = osm.get_network(network_type="driving", nodes=True)
    if edges is None or len(edges) == 0:
        raise InputError("path", str(path), "holds no drivable roads; give an extract with highway ways.")
    return osm.to_graph(nodes, edges, graph_type="networkx")


def add_travel_times(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Add ``speed_kph`` and ``travel_time`` (seconds) to every edge of `graph`, in place.

    Speeds come from osmnx's ``add_edge_speeds`` with the settings' speeds per highway
    class; ferry edges (``route=ferry``) get ``settings.ferry_speed_kmh`` and their travel
    time ``settings.ferry_boarding_h`` more.
    """
    speeds = dict(settings.default_speed_kmh_by_highway)
    speeds |= {f"{road}_link": speed for road, speed in speeds.items() if f"{road}_link" not in speeds}
    ox.add_edge_speeds(graph, hwy_speeds=speeds)
    ferries = [(u, v, k) for u, v, k, route in graph.edges(keys=True, data="route") if route == "ferry"]
    nx.set_edge_attributes(graph, {edge: settings.ferry_speed_kmh for edge in ferries}, "speed_kph")
    ox.add_edge_travel_times(graph)
    boarding_s = settings.ferry_boarding_h * 3600
    nx.set_edge_attributes(graph, {e: graph.edges[e]["travel_time"] + boarding_s for e in ferries}, "travel_time")
    return graph


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
        self._edge_geometry = self._oriented(tail[first], geometry[first])
        n = len(self.node_ids)
        self.csr = csr_matrix((seconds[first], (tail[first], head[first])), shape=(n, n))
        self.csr_reversed = self.csr.T.tocsr()

    def _oriented(self, tail: np.ndarray, geometry: np.ndarray) -> np.ndarray:
        """Return the edge geometries each running from its tail node (some readers store them reversed)."""
        has = np.flatnonzero(geometry != None)  # noqa: E711 - elementwise on an object array
        lines = geometry[has]
        start, end = shapely.get_point(lines, 0), shapely.get_point(lines, -1)
        node = shapely.points(self.lon[tail[has]], self.lat[tail[has]])
        backwards = shapely.distance(end, node) < shapely.distance(start, node)
        geometry[has[backwards]] = shapely.reverse(lines[backwards])
        return geometry

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

    def route(self, origin: tuple[float, float], destination: tuple[float, float]) -> Route:
        """Return the fastest route with access legs and the road geometry (see :class:`routing.travel.Route`)."""
        start = self.snap(origin[0], origin[1], "origin")
        end = self.snap(destination[0], destination[1], "destination")
        if not (start.covered[0] and end.covered[0]):
            return Route(self.name, self.is_estimate)
        seconds, predecessors = dijkstra(self.csr, indices=start.node[0], return_predecessors=True)
        if not np.isfinite(seconds[end.node[0]]):
            return Route(self.name, self.is_estimate)
        nodes = [int(end.node[0])]
        while predecessors[nodes[-1]] >= 0:
            nodes.append(int(predecessors[nodes[-1]]))
        nodes = np.array(nodes[::-1])
        road = Leg("road", float(seconds[nodes[-1]] / 3600), self._path_km_of(nodes), self._path_geometry(nodes))
        first = self._access_leg(origin, nodes[0], start, to_node=True)
        last = self._access_leg(destination, nodes[-1], end, to_node=False)
        return Route(self.name, self.is_estimate, tuple(leg for leg in (first, road, last) if leg is not None))

    def _path_km_of(self, nodes: np.ndarray) -> float:
        return float(self._edge_km[self._edge_position(nodes[:-1], nodes[1:])].sum())

    def _path_geometry(self, nodes: np.ndarray) -> shapely.LineString:
        geometry = self._edge_geometry[self._edge_position(nodes[:-1], nodes[1:])]
        parts = [np.column_stack([self.lon[nodes[:1]], self.lat[nodes[:1]]])]
        for tail, head, line in zip(nodes[:-1], nodes[1:], geometry, strict=True):
            coords = shapely.get_coordinates(line) if line is not None else [[self.lon[tail], self.lat[tail]]]
            parts += [coords, [[self.lon[head], self.lat[head]]]]
        return line_through(parts)

    def _access_leg(self, point: tuple[float, float], node: int, snap: Snap, to_node: bool) -> Leg | None:
        if snap.km[0] == 0:
            return None
        ends = [tuple(map(float, point)), (self.lon[node], self.lat[node])]
        line = shapely.LineString(ends if to_node else ends[::-1])
        return Leg("access", float(snap.access_h[0]), float(snap.km[0]), line)

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
