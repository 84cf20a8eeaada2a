"""Nearest sources of every node of the national network (coverage and ``nearest_source``).

:class:`Sources` holds many sources (a directory of agencies) joined to the network once:
their distinct points attached and added to the graph as extra nodes, and their direct
road legs to every node. :meth:`Sources.point_hours` is the exact (points x nodes) matrix,
one Dijkstra per distinct point, computed once and kept with the join: coverage reads its
minima per request (:mod:`routing._coverage_nearest`). :meth:`Sources.nearest` answers,
per group of sources, the nearest source of every node by one ``min_only`` pass over the
group's points, with the direct road legs (:class:`routing._national_legs.DirectLegs`)
applied where shorter: for a set of sources searched once, where a matrix would cost one
search per point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from routing._national_legs import DirectLegs

if TYPE_CHECKING:
    from routing.national import NationalNetwork

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
    kept
        What is kept with the join, shared by every ``Sources`` of it: the hours of
        :meth:`point_hours` once computed, and the lock under which they are.
    """

    network: NationalNetwork
    distinct: np.ndarray
    graph: csr_matrix
    ids: np.ndarray
    direct: DirectLegs
    lon: np.ndarray
    lat: np.ndarray
    kept: dict = field(repr=False, compare=False)
    _passes: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def n(self) -> int:
        """Number of district nodes."""
        return len(self.network.codes)

    def nearest(self, groups: Sequence[np.ndarray]) -> list[tuple[np.ndarray, np.ndarray]]:
        """Return, per group, hours from every node to its nearest source of the group and that source's position.

        Through the network (one ``min_only`` pass from the group's points) or by the direct
        road leg, the shorter winning as in
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
        results = []
        for group in groups:
            group = np.asarray(group)
            positions = np.flatnonzero(group) if group.dtype == bool else np.unique(group.astype(np.int64))
            point, at = np.unique(self.distinct[positions], return_index=True)  # the group's first source per point
            key = frozenset(point.tolist())
            if key not in self._passes:
                self._passes[key] = self._pass(point) if key else (np.full(self.n, np.inf), np.full(self.n, -1))
            hours, nearest = self._passes[key]
            position_of = np.full(len(self.ids), -1)
            position_of[point] = positions[at]
            results.append((hours.copy(), np.where(nearest >= 0, position_of[np.maximum(nearest, 0)], -1)))
        return results

    def _pass(self, points: np.ndarray) -> Pass:
        """Return one ``min_only`` pass from the distinct `points`, the direct road legs applied where shorter."""
        hours, _, nearest = dijkstra(self.graph, indices=self.ids[points], min_only=True, return_predecessors=True)
        point_of = np.full(self.graph.shape[0], -1)
        point_of[self.ids] = np.arange(len(self.ids))
        hours, nearest = hours[: self.n], nearest[: self.n]
        point = np.where(nearest >= 0, point_of[np.maximum(nearest, 0)], -1)
        member = np.zeros(len(self.ids), dtype=bool)
        member[points] = True
        direct_h, direct_point = self.direct.nearest(member)
        shorter = direct_h < hours
        return np.where(shorter, direct_h, hours), np.where(shorter, direct_point, point)

    def point_hours(self) -> np.ndarray:
        """Return the exact (distinct points x nodes) hours: one Dijkstra per point, the direct leg where shorter.

        Computed on first use and kept with the join (:attr:`kept`): for the directory's agencies that is once
        per directory change (about 0.15 s for the sample directory), after which every request reads it. The
        kept matrix is read-only: every request shares it.
        """
        matrix = self.kept.get("point_hours")
        if matrix is None:
            with self.kept["lock"]:  # one search of every point, whoever asks first; the others wait for it
                matrix = self.kept.get("point_hours")
                if matrix is None:
                    matrix = self._searched()
                    matrix.flags.writeable = False
                    self.kept["point_hours"] = matrix
        return matrix

    def hours(self) -> np.ndarray:
        """Return the (sources x nodes) hours (sources at one point share a row), a new array.

        From :meth:`point_hours` when kept; otherwise searched for this call only (a set of
        sources asked once is not kept: its matrix may be large).
        """
        matrix = self.kept.get("point_hours")
        return (self._searched() if matrix is None else matrix)[self.distinct]

    def _searched(self) -> np.ndarray:
        return np.minimum(dijkstra(self.graph, indices=self.ids)[:, : self.n], self.direct.dense())
