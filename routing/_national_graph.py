"""The graph of the national network: which Delaunay edges are kept, and the CSR matrix they and the links make.

See :mod:`routing.national` for the model. :func:`delaunay_edges` keeps the road edges that
stay on land inside one road island (restoring the few a district needs to stay reachable,
:func:`reconnecting`) and the estimated sea edges between land masses that no known crossing
joins; :func:`assemble` joins them with the flights and crossings into one symmetric CSR graph
of hours, with the km, mode, link and direction of every entry in its order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.spatial import Delaunay

from routing._links import Links
from routing._national_legs import great_circle_km
from routing._water import crosses_water
from routing.modes import ROAD, SEA, SEA_MODES


def delaunay_edges(
    lon: np.ndarray, lat: np.ndarray, landmass: np.ndarray, island: np.ndarray, links: Links
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the Delaunay edges kept: ``(tail, head, sea)``, road edges on land within a road island, sea edges.

    Parameters
    ----------
    lon, lat
        Node coordinates.
    landmass, island
        Each node's land mass and road island.
    links
        The flights and crossings: an estimated sea edge between two land masses a crossing joins is dropped.
    """
    triangles = Delaunay(np.column_stack([lon, lat])).simplices
    pairs = np.concatenate([triangles[:, [0, 1]], triangles[:, [1, 2]], triangles[:, [0, 2]]])
    pairs = np.unique(np.sort(pairs, axis=1), axis=0)
    tail, head = pairs[:, 0], pairs[:, 1]
    mass = landmass
    sea = (mass[tail] != mass[head]) | (mass[tail] < 0)
    crossings = links.subset(np.isin(links.mode, SEA_MODES))
    crossed = {(min(a, b), max(a, b)) for a, b in zip(mass[crossings.tail], mass[crossings.head], strict=True)}
    pair_mass = np.column_stack([np.minimum(mass[tail], mass[head]), np.maximum(mass[tail], mass[head])])
    scheduled = np.array([(a, b) in crossed for a, b in pair_mass.tolist()], dtype=bool) & sea
    road = ~sea & (island[tail] == island[head])
    km = great_circle_km(lon[tail], lat[tail], lon[head], lat[head])
    candidate = np.flatnonzero(road)
    wet = crosses_water(lon[tail[candidate]], lat[tail[candidate]], lon[head[candidate]], lat[head[candidate]],
                        km[candidate])  # fmt: skip
    road[candidate[wet]] = False
    road[reconnecting(tail, head, road, candidate[wet][np.argsort(km[candidate[wet]])], len(lon))] = True
    keep = road | (sea & ~scheduled)
    return tail[keep], head[keep], sea[keep]


def reconnecting(tail: np.ndarray, head: np.ndarray, kept: np.ndarray, dropped: np.ndarray, n: int) -> list[int]:
    """Return the `dropped` edges (shortest first) that join road parts the kept edges leave apart.

    A district whose every straight road edge crosses water (a town on a narrow peninsula,
    a coast the simplified polygons cut) keeps its shortest ones: the estimate has no better
    road, and dropping them would leave the district unreachable.
    """
    labels = connected_components(
        csr_matrix((np.ones(kept.sum()), (tail[kept], head[kept])), shape=(n, n)), directed=False
    )[1]
    parent = np.arange(labels.max() + 1)

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    restored = []
    for edge in dropped.tolist():
        a, b = root(labels[tail[edge]]), root(labels[head[edge]])
        if a != b:
            parent[a] = b
            restored.append(edge)
    return restored


@dataclass(frozen=True)
class Graph:
    """The symmetric CSR graph of hours and, per CSR entry, its km, mode, link (-1: a Delaunay edge) and direction.

    ``edge_forward`` is True where the entry runs the link's own way (tail to head);
    ``edge_keys`` are ``row * n + column`` of the entries, sorted, for finding an edge.
    """

    graph: csr_matrix
    edge_km: np.ndarray
    edge_mode: np.ndarray
    edge_link: np.ndarray
    edge_forward: np.ndarray
    edge_keys: np.ndarray
    n_components: int


def assemble(n: int, edges: tuple, road_calibration: float, links: Links) -> Graph:
    """Return the graph of `n` nodes from the Delaunay `edges` ``(tail, head, sea, hours, km)`` and the `links`.

    Road edges are scaled by `road_calibration`; Delaunay edges and links between the same
    two nodes keep the faster one.
    """
    tail, head, sea, hours, km = edges
    hours = np.where(sea, hours, hours * road_calibration)
    km = np.where(sea, km, km * road_calibration)
    tail = np.concatenate([tail, links.tail])
    head = np.concatenate([head, links.head])
    hours = np.concatenate([hours, links.hours])
    km = np.concatenate([km, links.km])
    mode = np.concatenate([np.where(sea, SEA, ROAD), links.mode])
    link = np.concatenate([np.full(len(sea), -1), np.arange(len(links))])
    low, high = np.minimum(tail, head), np.maximum(tail, head)
    order = np.lexsort((hours, high, low))
    first = order[np.r_[True, (low[order][1:] != low[order][:-1]) | (high[order][1:] != high[order][:-1])]]
    tail, head, hours, km, mode, link = (a[first] for a in (tail, head, hours, km, mode, link))
    both = np.concatenate([tail, head]), np.concatenate([head, tail])
    edge_of = csr_matrix((np.arange(1.0, len(both[0]) + 1), both), shape=(n, n))
    edge_of.sort_indices()
    order = edge_of.data.astype(np.int64) - 1  # CSR entry -> position in `both`
    graph = csr_matrix((np.tile(hours, 2)[order], edge_of.indices, edge_of.indptr), shape=(n, n))
    edge_km = np.tile(km, 2)[order]
    return Graph(
        graph=graph,
        edge_km=edge_km,
        edge_mode=np.tile(mode, 2)[order],
        edge_link=np.tile(link, 2)[order],
        edge_forward=(np.arange(2 * len(tail)) < len(tail))[order],
        edge_keys=np.repeat(np.arange(n), np.diff(edge_of.indptr)) * n + edge_of.indices,
        n_components=int(connected_components(graph, directed=False)[0]),
    )
