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
Only the other nodes, ``U``, are searched again: a Dijkstra on the subgraph of ``U``, each
node of ``U`` seeded with the best known value over its in-edges from resolved nodes (and
from the group's own points), so a path that leaves ``U`` and comes back is still found (its
last resolved node seeds it); one extra root per seeding point joins it to the nodes it
seeds, so the search's nearest root names each node's point. The values are the same
floating-point sums as a full pass, to the last bit. So :meth:`Sources.nearest` first
searches the union of all its groups once (unless a searched set already contains it),
then the other distinct groups, the largest first, each from the searched superset that
leaves it the fewest open nodes (a full pass of a larger group can serve a smaller one
inside it): the open parts side by side in one Dijkstra call, and in full (one
``min_only`` pass) a group that leaves more than :data:`FULL_PASS_SHARE` of the nodes
open (a small group: preparing its subgraph would cost more than it saves). With the
sample directory 13 capabilities cost 8 full passes and one call over about 9,000 open
nodes, instead of 13 full passes.
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
        """Search every new key of `keys` (sets of distinct points): their union in full, then each from a superset."""
        todo = sorted({key for key in keys if key and key not in self._passes}, key=len, reverse=True)
        if not todo:
            return
        union = frozenset().union(*todo)
        if not any(union <= done for done in self._passes):
            self._passes[union] = self._full(np.array(sorted(union)))
        opened = []
        for key in todo:  # the largest first: a full pass of one may leave less open for a smaller one
            if key in self._passes:
                continue
            member = np.zeros(len(self.ids), dtype=bool)
            member[list(key)] = True
            base, free = self._base(key, member)
            if free.sum() > FULL_PASS_SHARE * self.n:
                self._passes[key] = self._full(np.flatnonzero(member))
            else:
                opened.append((key, member, free, base))
        if opened:
            opened_keys, members, free, bases = zip(*opened, strict=True)
            passes = self._open_passes(np.array(members), np.array(free), bases)
            self._passes.update(zip(opened_keys, passes, strict=True))

    def _base(self, key: frozenset, member: np.ndarray) -> tuple[frozenset, np.ndarray]:
        """Return the searched superset of `key` that leaves the fewest nodes open, and those nodes.

        A node stays open when its nearest point of the superset is not in `key`; one no
        point of the superset reaches is unreachable from `key` too.
        """
        best: tuple[frozenset, np.ndarray] | None = None
        for done, (_, point) in self._passes.items():
            if key < done:
                free = (point >= 0) & ~member[np.maximum(point, 0)]
                if best is None or free.sum() < best[1].sum():
                    best = done, free
        assert best is not None  # the union of the keys searched is a superset
        return best

    def _full(self, points: np.ndarray) -> Pass:
        """Return one ``min_only`` pass from the distinct `points` over the whole network."""
        hours, _, nearest = dijkstra(self.graph, indices=self.ids[points], min_only=True, return_predecessors=True)
        point_of = np.full(self.graph.shape[0], -1)
        point_of[self.ids] = np.arange(len(self.ids))
        nearest = nearest[: self.n]
        return hours[: self.n], np.where(nearest >= 0, point_of[np.maximum(nearest, 0)], -1)

    def _open_passes(self, member: np.ndarray, free: np.ndarray, bases: Sequence[frozenset]) -> list[Pass]:
        """Return the passes of groups (rows of `member`) from those of `bases`, searching only their `free` nodes.

        The open nodes of all groups are numbered one after the other, group by group, and
        keep their edges to open nodes of their group. Each open node is seeded with its
        best value over its in-edges from resolved nodes (their hours plus the edge) and
        from the group's own points (their attachments), and the point that value comes
        from; one root per group and seeding point joins it to the nodes it seeds, so one
        ``min_only`` Dijkstra searches all groups and its nearest root names each node's
        point. The district part of the graph is symmetric (each edge has a twin with the
        same hours), so the edges into an open node are read from its own row.
        """
        graph, n, count_points = self.graph, self.n, len(self.ids)
        base_hours = np.array([self._passes[base][0] for base in bases]).ravel()
        base_point = np.array([self._passes[base][1] for base in bases]).ravel()
        group, node = np.nonzero(free)  # the open nodes, group by group: numbered 0 .. len(node) - 1
        number = np.full(free.size, -1)
        number[group * n + node] = np.arange(len(node))
        count = np.diff(graph.indptr)[node]
        first = np.cumsum(count) - count  # each open node's first entry among all its edges
        owner = np.repeat(np.arange(len(node)), count)
        entry = np.arange(len(owner)) + np.repeat(graph.indptr[node] - first, count)
        flat = group[owner] * n + graph.indices[entry]  # the neighbour, in its group's numbering
        inside, weight = number[flat], graph.data[entry]
        inner = inside >= 0
        seed = np.where(inner, np.inf, base_hours[flat] + weight)  # from a resolved neighbour (inf: none)
        best = np.minimum.reduceat(np.append(seed, np.inf), np.minimum(first, len(seed)))
        best[count == 0] = np.inf
        tie = np.flatnonzero(np.isfinite(seed) & (seed == best[owner]))  # of equal values, the first edge's
        tie = tie[np.r_[True, owner[tie][1:] != owner[tie][:-1]]] if len(tie) else tie
        label = np.full(len(node), -1)
        label[owner[tie]] = base_point[flat[tie]]
        self._seed_own_points(member, number, best, label)
        seeded = np.flatnonzero(np.isfinite(best))
        roots, root_of = np.unique(group[seeded] * count_points + label[seeded], return_inverse=True)
        order = np.argsort(root_of, kind="stable")
        indptr = np.r_[0, np.cumsum(np.bincount(owner[inner], minlength=len(node))), 0]
        indptr = np.r_[indptr[:-1], indptr[-2] + np.cumsum(np.bincount(root_of, minlength=len(roots)))]
        heads = np.concatenate([inside[inner], seeded[order]])
        size = len(node) + len(roots)
        subgraph = csr_matrix((np.concatenate([weight[inner], best[seeded[order]]]), heads, indptr), shape=(size, size))
        found, _, source = dijkstra(
            subgraph, indices=len(node) + np.arange(len(roots)), min_only=True, return_predecessors=True
        )
        named = np.where(source >= 0, roots[np.maximum(source - len(node), 0)] % count_points, -1)[: len(node)]
        passes, stops = [], np.cumsum(free.sum(axis=1))
        for j, stop in enumerate(stops):
            opened = slice(stop - free[j].sum(), stop)
            hours_j, point_j = base_hours[j * n : (j + 1) * n].copy(), base_point[j * n : (j + 1) * n].copy()
            hours_j[free[j]] = found[opened]
            point_j[free[j]] = np.where(np.isfinite(found[opened]), named[opened], -1)
            passes.append((hours_j, point_j))
        return passes

    def _seed_own_points(self, member: np.ndarray, number: np.ndarray, best: np.ndarray, label: np.ndarray) -> None:
        """Lower the seeds of open nodes (`best`, `label`) to a group's own points' attachments where shorter.

        Of equal values the neighbour's stays, then the first point's, the first attachment's.
        """
        graph, k = self.graph, _attached(self.graph, self.ids)
        own_group, own_point = np.nonzero(member)
        rows = (graph.indptr[self.ids[own_point]][:, None] + np.arange(k)).ravel()  # each point's attachments
        reached = number[np.repeat(own_group, k) * self.n + graph.indices[rows]]
        joins = np.flatnonzero(reached >= 0)
        seed, target, label_of = 0.0 + graph.data[rows[joins]], reached[joins], np.repeat(own_point, k)[joins]
        order = np.lexsort((seed, target))
        order = order[np.r_[True, target[order][1:] != target[order][:-1]]] if len(order) else order
        shorter = order[seed[order] < best[target[order]]]
        best[target[shorter]], label[target[shorter]] = seed[shorter], label_of[shorter]

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
