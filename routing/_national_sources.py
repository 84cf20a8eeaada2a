"""Nearest sources of every node of the national network, for many groups of sources at once (coverage).

:class:`Sources` holds many sources (a directory of agencies) joined to the network once:
their distinct points attached and added to the graph as extra nodes, and their direct
road legs to every node. :meth:`Sources.nearest` answers, per group of sources (the
agencies offering one capability), the nearest source of every node; :meth:`Sources.hours`
the full (sources x nodes) matrix (one Dijkstra per distinct point).

Passes that reuse a larger one
------------------------------
Groups of capable agencies overlap heavily (most units offer intake, case management,
shelter and psychological help). If ``H`` is a set of points already searched and
``G`` a subset of it, every node whose nearest point of ``H`` is in ``G`` has that same
nearest point and hours for ``G`` (a minimum over a subset that contains the argmin).
Only the other nodes, ``U``, are searched again: a Dijkstra on the subgraph of ``U`` from
one extra root joined to each node of ``U`` by the best known value over its in-edges
from resolved nodes (and from the group's own points), so a path that leaves ``U`` and
comes back is still found (its last resolved node seeds it). The values are the same
floating-point sums as a full pass, to the last bit. So :meth:`Sources.nearest` first
searches the union of all its groups once (unless a searched set already contains it),
then every other distinct group from that pass: the open parts of all of them side by
side in one Dijkstra call, and in full (one ``min_only`` pass) a group that leaves more
than :data:`FULL_PASS_SHARE` of the nodes open (a small group: preparing its subgraph
would cost more than it saves). With the sample directory 13 capabilities cost 5 full
passes and one call over about 6,300 open nodes, instead of 13 full passes.
The direct road legs (:class:`routing._national_legs.DirectLegs`) are a minimum over
each land mass's block of the group's points.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing._national_legs import DirectLegs, great_circle_km

if TYPE_CHECKING:
    from routing.national import NationalNetwork

FULL_PASS_SHARE = 0.5
"""A group whose unresolved nodes are more than this share of all nodes is searched in full."""

Pass = tuple[np.ndarray, np.ndarray]  # hours of every district node, nearest distinct point (-1: none)


@dataclass(frozen=True)
class Sources:
    """Sources joined to the network once, for passes from many groups of them (build with ``network.sources``).

    Attributes
    ----------
    network
        The network (its district nodes are the first ``n`` nodes of `graph`).
    distinct
        Each source's distinct point (row of `direct`, entry of `ids`); sources at one
        point share it.
    graph
        The network with one extra node per distinct point (out-edges to its attachments).
    ids
        The extra nodes, per distinct point.
    direct
        The direct road legs from the distinct points to the nodes on their land mass.
    lon, lat
        The distinct points.
    """

    network: NationalNetwork
    distinct: np.ndarray
    graph: csr_matrix
    ids: np.ndarray
    direct: DirectLegs
    lon: np.ndarray
    lat: np.ndarray
    _passes: dict = field(default_factory=dict, repr=False, compare=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        """Number of district nodes."""
        return len(self.network.codes)

    def nearest(self, groups: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Return, per group, hours from every node to its nearest source of the group and that source's position.

        Through the network (searches reusing larger ones, see the module notes) or by
        the direct road leg, the shorter winning as in
        :meth:`~routing.national.NationalNetwork.nearest_source`. Sources at one point count
        once, as the group's first position there (the agency named at such a tie is the
        first listed). Groups with the same distinct points share one search, memoised for
        the life of this object.

        Parameters
        ----------
        groups
            Positions (integer arrays) or boolean masks into the sources; an empty group
            gives ``inf`` hours and position -1 everywhere.

        Returns
        -------
        list of (numpy.ndarray, numpy.ndarray)
            Per group, hours of every district node and the position of its nearest
            source of the group among all the sources (-1: none reachable).
        """
        chosen = []
        for group in groups:
            group = np.asarray(group)
            positions = np.flatnonzero(group) if group.dtype == bool else np.unique(group.astype(np.int64))
            point, at = np.unique(self.distinct[positions], return_index=True)  # the group's first source per point
            chosen.append((frozenset(point.tolist()), point, positions[at]))
        self._search([key for key, *_ in chosen])
        results = []
        for key, point, first in chosen:
            hours, nearest = self._with_direct(key) if key else (np.full(self.n, np.inf), np.full(self.n, -1))
            position_of = np.full(len(self.ids), -1)
            position_of[point] = first
            results.append((hours.copy(), np.where(nearest >= 0, position_of[np.maximum(nearest, 0)], -1)))
        return results

    def _search(self, keys: list[frozenset]) -> None:
        """Search every new key of `keys` (sets of distinct points): their union in full, then each from it."""
        todo = sorted({key for key in keys if key and key not in self._passes}, key=len, reverse=True)
        if not todo:
            return
        union = frozenset().union(*todo)
        base = min((done for done in self._passes if union <= done), key=len, default=None)
        if base is None:
            base = union
            self._passes[union] = self._full(np.array(sorted(union)))
        known_point = self._passes[base][1]
        opened = []
        for key in todo:
            if key == base:
                continue
            member = np.zeros(len(self.ids), dtype=bool)
            member[list(key)] = True
            resolved = (known_point < 0) | member[np.maximum(known_point, 0)]  # unreachable from a superset too
            if (~resolved).sum() > FULL_PASS_SHARE * self.n:
                self._passes[key] = self._full(np.flatnonzero(member))
            else:
                opened.append((key, member, ~resolved))
        if opened:
            opened_keys, members, free = zip(*opened, strict=True)
            passes = self._open_passes(np.array(members), np.array(free), base)
            self._passes.update(zip(opened_keys, passes, strict=True))

    def _full(self, points: np.ndarray) -> Pass:
        """Return one ``min_only`` pass from the distinct `points` over the whole network."""
        hours, _, nearest = dijkstra(self.graph, indices=self.ids[points], min_only=True, return_predecessors=True)
        point_of = np.full(self.graph.shape[0], -1)
        point_of[self.ids] = np.arange(len(self.ids))
        nearest = nearest[: self.n]
        return hours[: self.n], np.where(nearest >= 0, point_of[np.maximum(nearest, 0)], -1)

    def _open_passes(self, member: np.ndarray, free: np.ndarray, base: frozenset) -> list[Pass]:
        """Return the passes of groups (rows of `member`) from the pass of `base`, searching only their `free` nodes.

        Every group's open nodes become a subgraph of their own, numbered one after the
        other, each followed by its root; one Dijkstra searches them all (module notes).
        The district part of the graph is symmetric (each edge has a twin with the same
        hours), so the edges into an open node are read from its own row; the group's own
        points reach the network only through their attachment rows.
        """
        graph, k = self.graph, _attached(self.graph, self.ids)
        hours, point = self._passes[base]
        group, node = np.nonzero(free)  # the open nodes, group by group
        size = np.bincount(group, minlength=len(free)) + 1  # each group's open nodes and its root
        root = np.cumsum(size) - 1
        number = np.full(free.shape, -1)
        number[group, node] = np.arange(len(node)) + group  # skip the roots of the groups before
        count = np.diff(graph.indptr)[node]
        entry = np.repeat(graph.indptr[node] - np.cumsum(count) + count, count) + np.arange(count.sum())
        owner, other, weight = np.repeat(np.arange(len(node)), count), graph.indices[entry], graph.data[entry]
        inside = number[group[owner], other]
        inner = inside >= 0
        known = ~inner & np.isfinite(hours[other])
        own_group, own_point = np.nonzero(member)
        rows = (graph.indptr[self.ids[own_point]][:, None] + np.arange(k)).ravel()  # each point's attachments
        reached = number[np.repeat(own_group, k), graph.indices[rows]]
        joins = reached >= 0
        seed = np.concatenate([hours[other[known]] + weight[known], 0.0 + graph.data[rows[joins]]])
        target = np.concatenate([number[group, node][owner[known]], reached[joins]])
        label = np.concatenate([point[other[known]], np.repeat(own_point, k)[joins]])
        order = np.lexsort((seed, target))
        best = order[np.r_[True, target[order][1:] != target[order][:-1]]] if len(order) else order
        target, seed, label = target[best], seed[best], label[best]
        # CSR rows in node order: each open node's edges to open nodes of its group, then its group's root row.
        degree = np.zeros(int(size.sum()), dtype=np.int64)
        degree[number[group, node]] = np.bincount(owner[inner], minlength=len(node))
        seed_group = np.searchsorted(root, target)
        degree[root] = np.bincount(seed_group, minlength=len(size))
        inner_group = group[owner[inner]]
        seeds_before = np.r_[0, np.cumsum(np.bincount(seed_group, minlength=len(size)))[:-1]]
        edges_upto = np.cumsum(np.bincount(inner_group, minlength=len(size)))  # inner edges up to each group's end
        at_inner = np.arange(inner.sum()) + seeds_before[inner_group]
        at_seed = edges_upto[seed_group] + np.arange(len(target))
        heads, weights = np.empty(len(at_inner) + len(at_seed), dtype=np.int64), np.empty(len(at_inner) + len(at_seed))
        heads[at_inner], weights[at_inner] = inside[inner], weight[inner]
        heads[at_seed], weights[at_seed] = target, seed
        subgraph = csr_matrix((weights, heads, np.r_[0, np.cumsum(degree)]), shape=(len(degree), len(degree)))
        found, predecessors, _ = dijkstra(subgraph, indices=root, min_only=True, return_predecessors=True)
        is_root = np.zeros(len(degree), dtype=bool)
        is_root[root] = True
        first = np.full(len(degree), -1)
        first[target] = label
        top = first[_below_root(predecessors, is_root)]
        passes = []
        for j in range(len(free)):
            opened = number[j][free[j]]
            hours_j, point_j = hours.copy(), point.copy()
            hours_j[free[j]] = found[opened]
            point_j[free[j]] = np.where(np.isfinite(found[opened]), top[opened], -1)
            passes.append((hours_j, point_j))
        return passes

    def _with_direct(self, key: frozenset) -> Pass:
        """Return the pass of `key` with the direct road legs applied where shorter (memoised)."""
        if key in self._cache:
            return self._cache[key]
        member = np.zeros(len(self.ids), dtype=bool)
        member[list(key)] = True
        direct_h, direct_point = self.direct.nearest(member)
        hours, point = self._passes[key]
        shorter = direct_h < hours
        self._cache[key] = np.where(shorter, direct_h, hours), np.where(shorter, direct_point, point)
        return self._cache[key]

    def hours(self, needed: np.ndarray | None = None) -> np.ndarray:
        """Return the (sources x nodes) hours: one Dijkstra per distinct point, the direct leg where shorter.

        Parameters
        ----------
        needed
            (distinct points x nodes) booleans: only these hours are asked for, and a
            point's search stops once they are all exact (:meth:`_bounded`); its other hours
            may then be too long (``inf`` or the direct leg). None: every hour, exact.
        """
        direct = self.direct.dense()
        if needed is None:
            return np.minimum(dijkstra(self.graph, indices=self.ids)[:, : self.n], direct)[self.distinct]
        hours = np.full((len(self.ids), self.n), np.inf)
        bound = self.direct.bound(needed)
        everywhere = np.flatnonzero(needed.all(axis=1))  # national agencies: the whole map, in one call
        if len(everywhere):
            hours[everywhere] = dijkstra(self.graph, indices=self.ids[everywhere])[:, : self.n]
        for p in np.flatnonzero(needed.any(axis=1) & ~needed.all(axis=1)):
            hours[p] = self._bounded(p, needed[p], bound[p], direct[p])
        return np.minimum(hours, direct)[self.distinct]

    def _bounded(self, p: int | np.integer, needed: np.ndarray, bound: float, direct: np.ndarray) -> np.ndarray:
        """Return the network hours from point `p`, exact at the `needed` nodes, searching no farther than it must.

        Dijkstra with ``limit`` settles exactly the nodes within the limit. A needed node
        beyond it is still exact if its direct leg is within the limit (the path is longer
        than the leg). So the search stops at `bound` (the longest direct leg to a needed
        node, when all are on the point's land mass) or, for needed nodes across the sea,
        starts at the longest direct leg on the land mass and doubles the limit until
        every needed node is reached; past :data:`_DOUBLINGS` it searches the whole map.
        """
        if np.isfinite(bound):
            if bound == 0:
                return np.full(self.n, np.inf)
            return dijkstra(self.graph, indices=self.ids[p], limit=bound)[: self.n]
        net = self.network
        fastest = great_circle_km(self.lon[p], self.lat[p], net.lon[needed], net.lat[needed]) / net.top_speed_kmh
        limit = float(fastest.max()) * _FIRST_LIMIT  # no path is shorter than the straight line at top speed
        for _ in range(_GROWTHS):
            hours = dijkstra(self.graph, indices=self.ids[p], limit=limit)[: self.n]
            if (np.isfinite(hours) | (direct <= limit))[needed].all():
                return hours
            limit *= _GROWTH
        return dijkstra(self.graph, indices=self.ids[p])[: self.n]


_FIRST_LIMIT, _GROWTH, _GROWTHS = 2.0, 1.6, 6
"""A search to nodes across the sea first stops at twice their straight-line lower bound, then 1.6 times farther."""


def _attached(graph: csr_matrix, ids: np.ndarray) -> int:
    """Return how many attachment edges each extra node has (the same for all, ``ATTACH_K``)."""
    return int(graph.indptr[ids[0] + 1] - graph.indptr[ids[0]]) if len(ids) else 0


def _below_root(predecessors: np.ndarray, is_root: np.ndarray) -> np.ndarray:
    """Return, for each node of a shortest-path forest, its ancestor whose predecessor is a root (pointer jumping).

    Roots and unreached nodes (negative predecessor) are their own.
    """
    up = np.arange(len(predecessors))
    inner = (predecessors >= 0) & ~is_root[np.maximum(predecessors, 0)]
    up[inner] = predecessors[inner]
    while True:
        higher = up[up]
        if np.array_equal(higher, up):
            return up
        up = higher
