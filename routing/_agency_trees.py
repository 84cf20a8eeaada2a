"""Shortest-path trees grown from the agencies once, so that a referral is a lookup, not a search.

The national network is symmetric (every edge has the same hours both ways, and so has
every attachment leg), so the hours from a victim's point to an agency equal the hours
from the agency to the point. :class:`AgencyTrees` runs one Dijkstra from every distinct
agency point when the directory or the network changes (about 0.2 s for the sample
directory) and keeps, per tree, the hours to every district node and the predecessors.
A referral then attaches its origin (a few nodes) and reads

``hours(origin -> agency) = min_j ( attach_h[j] + tree_h[agency, node_j] )``

which is the minimum the search from the origin finds, ``min_j min_b (attach_h[j] +
d(node_j, node_b) + agency_attach_h[b])``, taken in the other order; the direct road leg
is compared as before. Walking the agency's predecessors from the chosen ``node_j`` gives
the path in travel order, ending at the agency's attachment node. The test
``tests/routing/test_agency_trees.py`` checks the hours and routes against a full search
from the origin.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse.csgraph import dijkstra

from routing._kernels import path_to_root
from routing._national_legs import Attachment, direct_road_leg, distinct_points
from routing._national_search import direct_route, path_route, route_parts
from routing.travel import Route

if TYPE_CHECKING:
    from routing.national import NationalNetwork


class AgencyTrees:
    """One shortest-path tree per distinct agency point over the national network.

    Parameters
    ----------
    network
        The network (symmetric; its attachments too).
    lon, lat
        The agencies' points, as travel is measured to them.
    attachment
        Their attachment to `network` (:meth:`routing.national.NationalNetwork.attach`).
    """

    def __init__(self, network: NationalNetwork, lon: np.ndarray, lat: np.ndarray, attachment: Attachment) -> None:
        self.network, self.lon, self.lat, self.attachment = network, lon, lat, attachment
        route_parts(network)  # the routes' parts are built with the trees, not by the first referral
        n = len(network.codes)
        if len(lon):
            first, self.tree_of = distinct_points(lon, lat)
            graph, ids = network._extended(attachment.rows(first))
            hours, predecessors = dijkstra(graph, indices=ids, return_predecessors=True)
            # by node: an origin's few attachment nodes are a few rows (a few cache lines each, not one per tree)
            self.hours_by_node = np.ascontiguousarray(hours[:, :n].T)
            self.predecessors = np.where(predecessors[:, :n] >= n, -1, predecessors[:, :n]).astype(np.int32)
        else:
            self.tree_of = np.empty(0, dtype=np.int64)
            self.hours_by_node, self.predecessors = np.empty((n, 0)), np.empty((0, n), dtype=np.int32)

        self.points = list(zip(lon.tolist(), lat.tolist(), strict=True))  # for routes, as Python values
        self.tree_list = self.tree_of.tolist()
        ends = zip(attachment.nodes.tolist(), attachment.hours.tolist(), strict=True)
        self.last_leg = [_fastest_per_node(nodes, hours) for nodes, hours in ends]  # for routes

    def lookup(self, lon: float, lat: float, origin: Attachment) -> TreeLookup:
        """Return the travel from one origin (attached as `origin`, one row) to every agency."""
        return TreeLookup(self, (float(lon), float(lat)), origin)


class TreeLookup:
    """Hours and routes from one origin to every agency of :class:`AgencyTrees`, read from the trees."""

    def __init__(self, trees: AgencyTrees, origin: tuple[float, float], attachment: Attachment) -> None:
        self.trees, self.origin, self.attachment = trees, origin, attachment
        cost = trees.hours_by_node[attachment.nodes[0]].T + attachment.hours[0]  # (trees x origin attachments)
        self._column = cost.argmin(axis=1)
        network_h = cost[np.arange(len(cost)), self._column][trees.tree_of]
        start = attachment
        origin_point = (start.island[0], origin[0], origin[1], start.speed[0])
        target = trees.attachment
        self.direct, self.direct_km = direct_road_leg(
            origin_point, target.island, trees.lon, trees.lat, target.speed, trees.network.land, beat=network_h
        )
        self.network_hours = network_h
        self.hours = np.minimum(network_h, self.direct)
        self._by_tree: dict[int, Route] = {}  # agencies sharing a point share their route

    def routes(self, positions: list[int]) -> list[Route]:
        """Return the route to each agency at `positions` (legs by mode, straight lines between nodes)."""
        trees, by_tree = self.trees, self._by_tree
        missing = {trees.tree_list[i]: i for i in positions if trees.tree_list[i] not in by_tree}
        if missing:
            by_tree.update(zip(missing, self._routes(list(missing.values())), strict=True))
        return [by_tree[trees.tree_list[i]] for i in positions]

    def _routes(self, positions: list[int]) -> list[Route]:
        trees, network, start = self.trees, self.trees.network, self.attachment
        target = trees.attachment
        direct, direct_km, network_hours = (
            v[positions].tolist() for v in (self.direct, self.direct_km, self.network_hours)
        )
        starts = list(zip(start.hours[0].tolist(), start.km[0].tolist(), start.sea[0].tolist(), strict=True))
        result = []
        for i, direct_h, km, network_h in zip(positions, direct, direct_km, network_hours, strict=True):
            destination = trees.points[i]
            if direct_h <= network_h:
                result.append(direct_route(network, self.origin, destination, direct_h, km))
                continue
            if not math.isfinite(network_h):
                result.append(Route(network.name, True))
                continue
            tree = trees.tree_list[i]
            a = int(self._column[tree])
            nodes = path_to_root(trees.predecessors[tree], int(start.nodes[0, a])).tolist()
            b = trees.last_leg[i][nodes[-1]]
            last = (target.hours[i, b], target.km[i, b], target.sea[i, b])
            result.append(path_route(network, self.origin, starts[a], nodes, destination, last))
        return result


def _fastest_per_node(nodes: list[int], hours: list[float]) -> dict[int, int]:
    """Return, per node of an agency's attachment, its fastest leg there (of equal hours, the first)."""
    fastest: dict[int, int] = {}
    for j, (node, time) in enumerate(zip(nodes, hours, strict=True)):
        if node not in fastest or time < hours[fastest[node]]:
            fastest[node] = j
    return fastest
