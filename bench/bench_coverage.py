"""Benchmark of routing.coverage: every district x all 13 capabilities, against networkx in the same run.

Run with the data mirror, e.g.::

    RUJUK_DATA_MIRROR=../shared/data python bench/bench_coverage.py --repeat 5

The agencies are the sample directory (``data/directory``) seeded into a temporary SQLite
database. Three comparisons, best of ``--repeat`` (networkx's slow matrix: of a third of them):

(a) without rules: ours is the whole computation for the 13 capabilities (agencies attached
    once, one ``min_only`` pass per distinct set of capable agency points, the direct road
    legs); networkx runs ``multi_source_dijkstra_path_length`` from the capable agencies of
    each capability on the same graph (``with_points`` of all agencies, converted once, not
    counted). networkx gets no attachment and no direct legs (in its favour); its hours are
    checked to be ours once the direct legs are applied;
(b) with rules: ours is the (agencies x districts) matrix (one Dijkstra per distinct agency
    point, direct legs), the 13 ``jurisdiction.permitted`` masks of the capable agencies and
    the masked minima; networkx computes the matrix with one ``single_source_dijkstra_path_length``
    per agency, then the same masks and minima (the same code);
(c) the whole table: our ``district_coverage(rules="both")`` (frame included) against
    networkx's (a) + (b) computation (no frame, in its favour).

It also prints the scipy Dijkstra kernel alone (13 ``min_only`` passes on the graph networkx
uses), which bounds what (a) can reach: attaching, direct legs and frames cost on top of it.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
from bench_roads import seconds_of  # this folder is on the path when a bench script runs
from scipy.sparse.csgraph import dijkstra

from geo import capabilities, directory
from routing import coverage
from routing.national import NationalNetwork, national_network


def seeded_directory() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the active agencies and the agreements of the sample directory, via a temporary database."""
    from geo import db
    from geo.prepare import prepare

    with tempfile.TemporaryDirectory() as folder:
        engine = db.get_engine(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        prepare(progress=False, engine=engine)
        frames = directory.agencies_frame(engine), directory.agreements_frame(engine)
        engine.dispose()
    return frames


def capable_rows(agencies: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return, per capability, the boolean mask of the agencies offering it."""
    held = [set(offered) for offered in agencies["capabilities"]]
    return {code: np.array([code in offered for offered in held]) for code in capabilities.CAPABILITIES}


class Networkx:
    """The baseline: networkx Dijkstra on our graph with every agency attached (converted once)."""

    def __init__(self, net: NationalNetwork, agencies: pd.DataFrame) -> None:
        self.n, self.lon, self.lat = len(net.codes), agencies["lon"].to_numpy(float), agencies["lat"].to_numpy(float)
        self.graph, self.ids = net.with_points(self.lon, self.lat)
        start = time.perf_counter()
        self.digraph = nx.from_scipy_sparse_array(self.graph, create_using=nx.DiGraph)
        print(f"networkx graph from the CSR with {len(self.ids)} agencies attached: "
              f"{time.perf_counter() - start:.3f} s (not counted)")  # fmt: skip

    def _array(self, lengths: dict) -> np.ndarray:
        hours = np.full(self.n, np.inf)
        nodes = np.fromiter((node for node in lengths if node < self.n), dtype=int)
        hours[nodes] = [lengths[node] for node in nodes]
        return hours

    def passes(self, offers: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Return network hours (no direct legs) from the capable agencies, one pass per capability."""
        sources = [set(self.ids[capable].tolist()) for capable in offers.values()]
        return [self._array(nx.multi_source_dijkstra_path_length(self.digraph, found)) for found in sources]

    def matrix(self) -> np.ndarray:
        """Return the (agencies x districts) network hours, one single-source search per agency."""
        return np.vstack([self._array(nx.single_source_dijkstra_path_length(self.digraph, int(i))) for i in self.ids])


def check(net: NationalNetwork, agencies: pd.DataFrame, offers: dict[str, np.ndarray], baseline: Networkx) -> None:
    """Assert that networkx's hours with the direct road legs applied are ours, and say how often the legs count."""
    ours = [hours for hours, _ in net.sources(baseline.lon, baseline.lat).nearest(list(offers.values()))]
    direct = net.hours_from_sources(baseline.lon, baseline.lat)  # min(network, direct) per agency
    theirs = baseline.passes(offers)
    nearest_direct = [np.where(c[:, None], direct, np.inf).min(axis=0) for c in offers.values()]
    full = [np.minimum(hours, best) for hours, best in zip(theirs, nearest_direct, strict=True)]
    np.testing.assert_allclose(np.vstack(ours), np.vstack(full), rtol=1e-12)
    same = np.mean([np.mean(a == b) for a, b in zip(ours, theirs, strict=True)])
    print(f"check: ours == networkx + direct road legs everywhere; networkx alone equal in {same:.1%} of cells "
          "(the others are shorter by a direct road leg, which networkx does not model)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    repeat, slow = args.repeat, max(1, args.repeat // 3)

    start = time.perf_counter()
    net = national_network()
    print(f"national network: {len(net.codes)} district nodes, built in {time.perf_counter() - start:.2f} s")
    agencies, agreements = seeded_directory()
    offers = capable_rows(agencies)
    lon, lat = agencies["lon"].to_numpy(float), agencies["lat"].to_numpy(float)
    points = len({*zip(lon.tolist(), lat.tolist(), strict=True)})
    groups = len({frozenset(zip(lon[c].tolist(), lat[c].tolist(), strict=True)) for c in offers.values()})
    print(f"{len(agencies)} agencies at {points} distinct points, {len(agreements)} agreements; "
          f"{groups} distinct sets of capable agency points over {len(offers)} capabilities; capable agencies: "
          f"{ {code: int(c.sum()) for code, c in offers.items()} }")  # fmt: skip
    baseline = Networkx(net, agencies)
    check(net, agencies, offers, baseline)

    def ours_rules() -> object:
        matrix = net.hours_from_sources(lon, lat)
        return coverage._minima_over_matrix(matrix, agencies, agreements, offers, ("permitted",))

    def networkx_rules() -> object:
        return coverage._minima_over_matrix(baseline.matrix(), agencies, agreements, offers, ("permitted",))

    rows = {
        "(a) without rules": (
            seconds_of(lambda: net.sources(lon, lat).nearest(list(offers.values())), repeat),
            seconds_of(lambda: baseline.passes(offers), repeat),
        ),
        "(b) with rules": (seconds_of(ours_rules, repeat), seconds_of(networkx_rules, slow)),
    }
    table = seconds_of(lambda: coverage.district_coverage(agencies, agreements, rules="both", network=net), repeat)
    rows["(c) whole table, both rules"] = (table, rows["(a) without rules"][1] + rows["(b) with rules"][1])
    graph, ids = baseline.graph, baseline.ids
    kernel = seconds_of(lambda: [dijkstra(graph, indices=ids[c], min_only=True) for c in offers.values()], repeat)

    print(f"\nall {len(net.codes)} districts x {len(offers)} capabilities (seconds; networkx / ours)")
    print(f"  {'':30s} {'ours':>8s} {'networkx':>9s} {'ratio':>7s}")
    for name, (mine, theirs) in rows.items():
        print(f"  {name:30s} {mine:8.4f} {theirs:9.4f} {theirs / mine:6.1f}x")
    passes = rows["(a) without rules"][1]
    print(f"  {'Dijkstra kernel, 13 passes':30s} {kernel:8.4f} {passes:9.4f} {passes / kernel:6.1f}x"
          "  (scipy, the same graph and passes as networkx, nothing else)")  # fmt: skip
    for name in ("without", "with"):
        run = lambda r=name: coverage.district_coverage(agencies, agreements, rules=r, network=net)  # noqa: E731
        print(f"  ours, whole table rules={name:8s} {seconds_of(run, repeat):8.4f}")
    print("networkx has no direct road legs and no attachment step (ours includes both). Ours searches once per\n"
          f"distinct agency point ({points} of {len(agencies)}) and once per distinct set of them ({groups} of "
          f"{len(offers)} capabilities);\nnetworkx once per agency and per capability, as a plain implementation would.")


if __name__ == "__main__":
    main()
