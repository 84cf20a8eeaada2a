"""Benchmark of routing.roads on the largest real drive network (Balikpapan kota, 1,207 nodes).

Run with the data mirror, e.g.::

    RUJUK_DATA_MIRROR=../shared/data python bench/bench_roads.py --origins 1000 --agencies 20

Figures printed:

* load: read the GraphML, add speeds and travel times, build the CSR matrix and the snap index;
* referral-like queries: for each random origin (within ~200 m of a random node, as geocoded
  addresses are), one call ``matrix(origin, agencies)`` = snap + Dijkstra + distance along the
  fastest paths; median and 95th percentile latency over all origins;
* multi-source nearest from the agencies to every node: scipy ``dijkstra(min_only=True)`` on the
  CSR matrix vs networkx ``multi_source_dijkstra_path_length`` in the same run (best of
  ``--repeat``), and the full ``RoadNetwork.nearest`` call;
* one-to-all from every agency on scipy, and on igraph / rustworkx when they are importable
  (they are not dependencies; install them to compare).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from routing.roads import RoadNetwork

GRAPH = "osm/balikpapan_kota_drive_simplified.graphml"


def seconds_of(run: Callable[[], object], repeat: int) -> float:
    """Return the best wall time of `repeat` runs."""
    best = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best


def near_roads(net: RoadNetwork, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    node = rng.choice(len(net.node_ids), count)
    jitter = rng.uniform(-0.0015, 0.0015, (2, count))
    return net.lon[node] + jitter[0], net.lat[node] + jitter[1]


def bench_referrals(net: RoadNetwork, origins: int, agencies: int, rng: np.random.Generator) -> None:
    lon, lat = near_roads(net, origins, rng)
    agency_lon, agency_lat = near_roads(net, agencies, rng)
    latency = np.empty(origins)
    for i in range(origins):
        start = time.perf_counter()
        net.matrix(lon[i], lat[i], agency_lon, agency_lat)
        latency[i] = time.perf_counter() - start
    batch = seconds_of(lambda: net.matrix(lon, lat, agency_lon, agency_lat), 3)
    print(f"referral queries: {origins} origins x {agencies} agencies, one call per origin (snap + dijkstra + km)")
    print(f"  latency median {np.median(latency) * 1e3:.2f} ms, p95 {np.percentile(latency, 95) * 1e3:.2f} ms")
    print(f"  all {origins} origins in one matrix call: {batch * 1e3:.1f} ms")


def bench_nearest(net: RoadNetwork, agencies: int, repeat: int, rng: np.random.Generator) -> None:
    sources = rng.choice(net.snappable, agencies, replace=False)
    scipy_s = seconds_of(lambda: dijkstra(net.csr_reversed, indices=sources, min_only=True), repeat)
    ids = set(net.node_ids[sources])
    reverse = net.graph.reverse(copy=False)
    networkx_s = seconds_of(lambda: nx.multi_source_dijkstra_path_length(reverse, ids, weight="travel_time"), repeat)
    api_s = seconds_of(lambda: net.nearest(net.lon[sources], net.lat[sources], net.lon, net.lat), repeat)
    print(f"multi-source nearest, {agencies} sources -> all {len(net.node_ids)} nodes (best of {repeat})")
    print(f"  scipy dijkstra(min_only=True)      {scipy_s * 1e3:8.3f} ms")
    print(f"  networkx multi_source_dijkstra     {networkx_s * 1e3:8.3f} ms   ({networkx_s / scipy_s:.0f}x scipy)")
    print(f"  RoadNetwork.nearest (snap + pass)  {api_s * 1e3:8.3f} ms")


def bench_engines(net: RoadNetwork, agencies: int, repeat: int, rng: np.random.Generator) -> None:
    sources = rng.choice(net.snappable, agencies, replace=False)
    coo = net.csr.tocoo()
    runs = {"scipy csgraph": lambda: dijkstra(net.csr, indices=sources)}
    try:
        import igraph

        graph = igraph.Graph(n=net.csr.shape[0], edges=np.column_stack([coo.row, coo.col]).tolist(), directed=True)
        graph.es["weight"] = coo.data
        runs["igraph"] = lambda: graph.distances(source=sources.tolist(), weights="weight")
    except ImportError:
        print("  igraph not installed: skipped")
    try:
        import rustworkx

        digraph = rustworkx.PyDiGraph()
        digraph.add_nodes_from(range(net.csr.shape[0]))
        digraph.add_edges_from(list(zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)))
        runs["rustworkx"] = lambda: [rustworkx.dijkstra_shortest_path_lengths(digraph, int(s), float) for s in sources]
    except ImportError:
        print("  rustworkx not installed: skipped")
    print(f"one-to-all from {agencies} sources (best of {repeat})")
    for name, run in runs.items():
        print(f"  {name:14s} {seconds_of(run, repeat) * 1e3:8.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=1000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    start = time.perf_counter()
    net = RoadNetwork.from_file(GRAPH)
    load_s = time.perf_counter() - start
    print(f"{net.name}: {len(net.node_ids)} nodes, {net.csr.nnz} edges in the CSR matrix, "
          f"{len(net.snappable)} nodes in the largest strongly connected component")
    print(f"load (read GraphML + speeds + travel times + CSR + snap index): {load_s * 1e3:.0f} ms")
    bench_referrals(net, args.origins, args.agencies, rng)
    bench_nearest(net, args.agencies, args.repeat, rng)
    bench_engines(net, args.agencies, args.repeat, rng)


if __name__ == "__main__":
    main()
