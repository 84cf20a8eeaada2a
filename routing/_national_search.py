"""The search over the national network from one origin (the many-source passes are in ``_national_sources``).

:class:`Search` holds one single-source shortest-path tree of
:class:`routing.national.NationalNetwork` (the origin joined to the network by its
attachment legs, so the tree's roots are the attachment nodes actually used). A referral
runs one search and asks it for the hours to every agency, then for the routes of the
few it shows.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from core.errors import InputError
from routing._national_legs import Attachment, direct_road_leg
from routing.modes import LEG_MODES, ROAD
from routing.travel import Leg, Route

if TYPE_CHECKING:
    from routing.national import NationalNetwork


def sum_along_tree(predecessors: np.ndarray, own: np.ndarray) -> np.ndarray:
    """Return each node's sum of `own` over its path from the tree's root.

    Pointer jumping (log-depth array steps, no loop over nodes): ``own[v]`` is the value of
    the edge into `v` (for a root, the value of reaching it).

    Parameters
    ----------
    predecessors
        1-D predecessor array of a shortest-path tree, -1 at roots and unreached nodes.
    own
        Value of each node's own edge.
    """
    total = np.asarray(own, dtype=float).copy()
    ancestor = predecessors.copy()
    while (has := ancestor >= 0).any():
        up = ancestor[has]
        total[has] += total[up]
        ancestor[has] = ancestor[up]
    return total


def _reversed(leg: Leg) -> Leg:
    coords = None if leg.coords is None else leg.coords[::-1]
    return Leg(leg.mode, leg.time_h, leg.distance_km, coords, leg.estimated, leg.label)


def link_legs(network: NationalNetwork, link: int, forward: bool) -> list[Leg]:
    """Return the legs of a link travelled tail to head (`forward`) or back: drive, flight or crossing, drive.

    A crossing's ports are its district points, so it is one leg; a flight has the drives
    to and from its airports around it (:attr:`routing._links.Links.access`).
    """
    links = network.links
    tail, head = int(links.tail[link]), int(links.head[link])
    ends = links.ends[link].reshape(2, 2)
    node_points = np.array([[network.lon[tail], network.lat[tail]], [network.lon[head], network.lat[head]]])
    mode, label, estimated = LEG_MODES[int(links.mode[link])], str(links.label[link]), bool(links.estimated[link])
    main = Leg(mode, float(links.main_h[link]), float(links.main_km[link]), ends, estimated, label)
    if mode != "flight":
        legs = [main]
    else:
        hours_a, km_a, hours_b, km_b = links.access[link].tolist()
        first = Leg("road", hours_a, km_a, np.array([node_points[0], ends[0]]))
        last = Leg("road", hours_b, km_b, np.array([ends[1], node_points[1]]))
        legs = [first, main, last]
    return legs if forward else [_reversed(leg) for leg in reversed(legs)]


@dataclass(frozen=True)
class Search:
    """The shortest-path tree from one origin, reused for every destination of a referral.

    Attributes
    ----------
    network
        The network searched.
    origin
        ``(lon, lat)`` of the origin.
    attachment
        The origin's :class:`routing.national.Attachment` (one row).
    hours_from
        Hours from the origin to every district node through the network (attachment leg
        included; the direct road leg is not); ``inf`` where unreachable.
    predecessors
        The tree: each node's predecessor, -1 at the attachment nodes used (the roots) and
        at unreached nodes.
    """

    network: NationalNetwork
    origin: tuple[float, float]
    attachment: Attachment
    hours_from: np.ndarray
    predecessors: np.ndarray

    def _best(self, target: Attachment, lon: object, lat: object) -> tuple[np.ndarray, ...]:
        """Return network hours to each target, the attachment column used, and the direct leg's hours and km."""
        lon, lat = np.asarray(lon, dtype=float).ravel(), np.asarray(lat, dtype=float).ravel()
        if not len(lon) == len(lat) == len(target.nodes):
            msg = f"has {len(lon)} values but the attachment has {len(target.nodes)} points and `lat` {len(lat)}."
            raise InputError("lon", lon.tolist(), msg)
        cost = self.hours_from[target.nodes] + target.hours
        column = cost.argmin(axis=1)
        hours = np.take_along_axis(cost, column[:, None], axis=1)[:, 0]
        start = self.attachment
        origin = (start.island[0], self.origin[0], self.origin[1], start.speed[0])
        direct, direct_km = direct_road_leg(origin, target.island, lon, lat, target.speed, self.network.land)
        return hours, column, direct, direct_km

    def hours(self, target: Attachment, lon: object, lat: object) -> np.ndarray:
        """Return hours to each attached target (the direct road leg where it is shorter).

        Parameters
        ----------
        target
            The targets' attachment (:meth:`routing.national.NationalNetwork.attach`).
        lon, lat
            The targets' coordinates, in the order they were attached.
        """
        hours, _, direct, _ = self._best(target, lon, lat)
        return np.minimum(hours, direct)

    def travel(self, target: Attachment, lon: object, lat: object) -> dict[str, np.ndarray]:
        """Return ``hours``, ``km`` and ``sea_legs`` to each attached target (``inf`` where unreachable)."""
        network, start = self.network, self.attachment
        hours, column, direct, direct_km = self._best(target, lon, lat)
        rows = np.arange(len(hours))
        node = target.nodes[rows, column]
        own_km, own_sea = network.tree_edge_values(self.predecessors)
        root = self.predecessors[start.nodes[0]] < 0  # the attachment nodes reached by their own leg
        own_km[start.nodes[0][root]], own_sea[start.nodes[0][root]] = start.km[0][root], start.sea[0][root]
        km_from = sum_along_tree(self.predecessors, own_km)
        sea_from = sum_along_tree(self.predecessors, own_sea)
        km = km_from[node] + target.km[rows, column]
        sea_legs = (sea_from[node] + target.sea[rows, column]).astype(np.int64)
        shorter = direct < hours
        hours[shorter], km[shorter], sea_legs[shorter] = direct[shorter], direct_km[shorter], 0
        km[~np.isfinite(hours)] = np.inf
        return {"hours": hours, "km": km, "sea_legs": sea_legs}

    def routes(self, target: Attachment, lon: object, lat: object) -> list[Route]:
        """Return the route to each attached target: legs by mode, straight lines between district points."""
        network, start = self.network, self.attachment
        hours, column, direct, direct_km = self._best(target, lon, lat)
        lon, lat = np.asarray(lon, dtype=float).ravel(), np.asarray(lat, dtype=float).ravel()
        result = []
        for t, destination in enumerate(zip(lon.tolist(), lat.tolist(), strict=True)):
            if direct[t] <= hours[t]:
                result.append(direct_route(network, self.origin, destination, direct[t], direct_km[t]))
            elif not np.isfinite(hours[t]):
                result.append(Route(network.name, True))
            else:
                nodes = self._path(int(target.nodes[t, column[t]]))
                a = int(np.flatnonzero(start.nodes[0] == nodes[0])[0])
                first = (start.hours[0, a], start.km[0, a], start.sea[0, a])
                b = column[t]
                last = (target.hours[t, b], target.km[t, b], target.sea[t, b])
                result.append(path_route(network, self.origin, first, nodes, destination, last))
        return result

    def _path(self, node: int) -> np.ndarray:
        nodes = [node]
        while self.predecessors[nodes[-1]] >= 0:
            nodes.append(int(self.predecessors[nodes[-1]]))
        return np.array(nodes[::-1])


def direct_route(
    network: NationalNetwork, origin: tuple[float, float], destination: tuple[float, float], hours: float, km: float
) -> Route:
    """Return the route of one direct road leg from `origin` to `destination` (both ``(lon, lat)``)."""
    line = [[float(origin[0]), float(origin[1])], [float(destination[0]), float(destination[1])]]
    return Route(network.name, True, (Leg("road", float(hours), float(km), line),))


def path_route(
    network: NationalNetwork,
    origin: tuple[float, float],
    first: tuple[float, float, bool],
    nodes: Sequence[int] | np.ndarray,
    destination: tuple[float, float],
    last: tuple[float, float, bool],
) -> Route:
    """Return the route from `origin` through the node path `nodes` to `destination`.

    `first` and `last` are the ``(hours, km, sea)`` of the attachment legs joining the
    origin to ``nodes[0]`` and the destination to ``nodes[-1]``. Consecutive road legs are
    one leg (a road run's line is a slice of the path's points); each crossing or flight is
    a leg of its own, a flight with the drives to and from its airports (:func:`link_legs`).
    """
    parts = route_parts(network)
    nodes = nodes.tolist() if isinstance(nodes, np.ndarray) else list(nodes)
    points = parts.points
    line = [[float(origin[0]), float(origin[1])], *[points[node] for node in nodes]]
    line.append([float(destination[0]), float(destination[1])])
    legs = _Legs(line)
    legs.attachment(0, *first)
    n, edge = parts.n, parts.edge
    values = [edge[tail * n + head] for tail, head in pairwise(nodes)]  # edge j joins line[j + 1: j + 3]
    j = 0
    while j < len(values):
        hours, km, mode, link, forward = values[j]
        if mode == ROAD:  # a run of road edges: one slice of the line
            stop = j + 1
            while stop < len(values) and values[stop][2] == ROAD:
                stop += 1
            legs.roads(j + 1, values[j:stop])
            j = stop
            continue
        if link < 0:
            legs.other(Leg("sea", hours, km, line[j + 1 : j + 3], True, "estimated crossing"))
        else:
            for leg in parts.link(link, forward):
                if leg.mode == "road":
                    legs.drive(leg)
                else:
                    legs.other(leg)
        j += 1
    legs.attachment(len(nodes), *last)
    return Route(network.name, True, legs.done())


class RouteParts:
    """A network's edges as Python values, so that a route's legs are built without a NumPy call per edge.

    Built once per network (:func:`route_parts`): ``edge[tail * n + head]`` is
    ``(hours, km, mode code, link or -1, forward)``; ``points[node]`` is a node's ``[lon,
    lat]``; the legs of each link (both ways, built with the parts), their lines as lists too. Routes share
    these point lists: nothing may change them in place.
    """

    def __init__(self, network: NationalNetwork) -> None:
        self.network, self.n = network, len(network.codes)
        self.points: list[list[float]] = np.column_stack([network.lon, network.lat]).tolist()
        values = (network.graph.data, network._edge_km, network._edge_mode, network._edge_link, network._edge_forward)
        self.edge = dict(zip(network._edge_keys.tolist(), zip(*(v.tolist() for v in values), strict=True), strict=True))
        # every link's legs both ways, built once (a few hundred links: milliseconds), so no request builds one
        links = np.unique(network._edge_link[network._edge_link >= 0]).tolist()
        self._links: dict[tuple[int, bool], list[Leg]] = {
            (link, forward): [
                leg if leg.coords is None else replace(leg, coords=_as_list(leg.coords))
                for leg in link_legs(network, link, forward)
            ]
            for link in links
            for forward in (True, False)
        }

    def link(self, link: int, forward: bool) -> list[Leg]:
        """Return :func:`link_legs` of `link` (kept: legs are immutable)."""
        return self._links[link, forward]


def _as_list(coords: np.ndarray | list[list[float]]) -> list[list[float]]:
    return coords.tolist() if isinstance(coords, np.ndarray) else coords


_parts_lock = threading.Lock()


def route_parts(network: NationalNetwork) -> RouteParts:
    """Return the :class:`RouteParts` of `network` (built on first use, kept on the network)."""
    parts = network.__dict__.get("_route_parts")
    if parts is None:
        with _parts_lock:
            parts = network.__dict__.setdefault("_route_parts", RouteParts(network))
    return parts


class _Legs:
    """The legs of one route as they are walked: road pieces merge into one leg until a crossing or flight.

    A piece between consecutive points of `line` extends the current slice of it; a drive
    from elsewhere (a flight's airport access) is joined to the run by concatenation.
    """

    def __init__(self, line: list[list[float]]) -> None:
        self.line = line
        self._legs: list[Leg] = []
        self._pieces: list[list[list[float]]] = []
        self._slice: list[int] | None = None
        self._hours = self._km = 0.0

    def attachment(self, j: int, hours: float, km: float, sea: bool) -> None:
        """Add the attachment leg from ``line[j]`` to ``line[j + 1]`` (a sea leg when `sea`)."""
        if sea:
            self.other(Leg("sea", float(hours), float(km), self.line[j : j + 2]))
        else:
            self.roads(j, [(float(hours), float(km))])

    def roads(self, j: int, values: list[tuple]) -> None:
        """Add consecutive road pieces from ``line[j]`` on, one per edge of `values` (``(hours, km, ...)``)."""
        if self._slice is not None and self._slice[1] == j:
            self._slice[1] = j + len(values)
        else:
            self._close_slice()
            self._slice = [j, j + len(values)]
        hours, km = self._hours, self._km
        for value in values:  # in order, one addition at a time (not sum(): its rounding may differ)
            hours += value[0]
            km += value[1]
        self._hours, self._km = hours, km

    def drive(self, leg: Leg) -> None:
        """Add a road leg with its own line."""
        self._close_slice()
        if leg.coords is not None:  # a link's drive: its line is a list (RouteParts.link)
            self._pieces.append(_as_list(leg.coords))
        self._hours += leg.time_h
        self._km += leg.distance_km

    def other(self, leg: Leg) -> None:
        """Add a crossing or flight leg (the road run before it ends)."""
        self._flush()
        self._legs.append(leg)

    def done(self) -> tuple[Leg, ...]:
        """Return the legs."""
        self._flush()
        return tuple(self._legs)

    def _close_slice(self) -> None:
        if self._slice is not None:
            self._pieces.append(self.line[self._slice[0] : self._slice[1] + 1])
            self._slice = None

    def _flush(self) -> None:
        self._close_slice()
        if self._pieces:
            coords = self._pieces[0] if len(self._pieces) == 1 else [p for piece in self._pieces for p in piece]
            self._legs.append(Leg("road", self._hours, self._km, coords))
            self._pieces, self._hours, self._km = [], 0.0, 0.0
