"""Benchmark of routing.coverage: every district x all 13 capabilities, against networkx in the same run.

Run with the data mirror, e.g.::

    RUJUK_DATA_MIRROR=../shared/data python bench/bench_coverage.py --repeat 5

The agencies are the sample directory (``directory/sample``) seeded into a temporary SQLite
database. Best of ``--repeat`` (networkx's slow matrix: of a third of them); the goal, printed
with each judged row, is ours at least 30 times faster than networkx, and within 1.2 times the floor:

(a) without rules, the whole table: ``district_coverage(rules="without")`` as the service runs it.
    The directory's agencies are joined to the network once per directory (attached, added as
    nodes, their direct road legs computed) and one Dijkstra per distinct agency point is kept
    with the join (``Sources.point_hours``, searches of the kind the referral's trees run); a request
    reads per capability the least hours over the capable points (one compiled pass) and builds
    the frame. networkx runs ``multi_source_dijkstra_path_length`` from the capable agencies of
    each capability on the same graph (``with_points`` of all agencies, converted once, not
    counted); it gets no direct legs (in its favour); its hours are checked to be ours once the
    direct legs are applied. (a0) is the same request cold (the first after a directory change:
    the join and the kept searches included); (p) is one ``min_only`` pass per capability with
    the direct legs (``Sources.nearest``, the engine of ``nearest_source`` for a set of sources
    searched once);
(b) with rules, the whole table: ``district_coverage(rules="with")`` (the kept searches, the
    ``jurisdiction.Permissions`` masks and masked minima, the frame); networkx computes the
    matrix with one ``single_source_dijkstra_path_length`` per agency, then the same masks
    and minima (the same code). Our permitted hours are checked against a fresh full matrix;
(c) both rules, the whole table: ``district_coverage(rules="both")``, the service's default,
    against networkx's (a) + (b) computation (no frame, in its favour); (c0) the same cold.

The floor is the scipy Dijkstra kernel alone on the same problem: 13 plain ``min_only`` passes
on the graph networkx uses without rules, one full search per distinct agency point with them:
what answering by searching per request would cost before any bookkeeping. Ours searches
nothing per request once the directory's searches are kept, so it can be below the floor.
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

import directory
from directory import capabilities
from geo import boundaries
from routing import coverage, jurisdiction
from routing._coverage_nearest import masked_nearest
from routing.national import NationalNetwork, national_network


def seeded_directory() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the active agencies and the agreements of the sample directory, via a temporary database."""
    from core import db
    from store.prepare import prepare

    with tempfile.TemporaryDirectory() as folder:
        engine = db.get_engine(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        prepare(progress=False, engine=engine)
        frames = directory.agencies_frame(engine), directory.agreements_frame(engine)
        engine.dispose()
    return frames


def capable_rows(agencies: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return, per capability, the boolean mask of the agencies offering it."""
    return capabilities.offer_masks(agencies["capabilities"], capabilities.CAPABILITIES)


class Networkx:
    """The baseline: networkx Dijkstra on our graph with every agency attached (converted once)."""

    def __init__(self, net: NationalNetwork, agencies: pd.DataFrame) -> None:
        self.n, self.lon, self.lat = len(net.codes), agencies["lon"].to_numpy(float), agencies["lat"].to_numpy(float)
        self.graph, self.ids = net.with_points(self.lon, self.lat)
        start = time.perf_counter()
        self.digraph = nx.from_scipy_sparse_array(self.graph, create_using=nx.DiGraph)
        print(
            f"networkx graph from the CSR with {len(self.ids)} agencies attached: "
            f"{time.perf_counter() - start:.3f} s (not counted)"
        )

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
    print(
        f"check: ours == networkx + direct road legs everywhere; networkx alone equal in {same:.1%} of cells "
        "(the others are shorter by a direct road leg, which networkx does not model)"
    )


GOAL = 30.0
"""The issue's goal: coverage at least this many times faster than the networkx baseline."""
FLOOR_GOAL = 1.2
"""The travel issue's goal: coverage within this factor of the bare scipy kernel on the same passes."""


def permitted_minima(matrix: np.ndarray, agencies: pd.DataFrame, agreements: pd.DataFrame, offers: dict) -> list:
    """Return per capability the nearest permitted agency from an (agencies x districts) matrix (masks as ours)."""
    districts = boundaries.load_areas("district")[["code", "regency_code", "province_code"]]
    permissions = jurisdiction.Permissions(agencies[["jurisdiction_level", "area_code"]], districts, agreements)
    found = []
    for capability, capable in offers.items():
        rows = np.flatnonzero(capable)
        found.append(masked_nearest(matrix, rows, permissions.mask(capability, rows)))
    return found


def check_rules(net: NationalNetwork, agencies: pd.DataFrame, agreements: pd.DataFrame) -> None:
    """Assert that our permitted hours are the minima of a fresh full matrix (every search to the end), exactly."""
    table = coverage.district_coverage(agencies, agreements, rules="with", network=net)
    sources = net.sources(agencies["lon"], agencies["lat"])
    fresh = dijkstra(sources.graph, indices=sources.ids)[:, : len(net.codes)]
    matrix = np.minimum(fresh, sources.direct.dense())[sources.distinct]
    exact = permitted_minima(matrix, agencies, agreements, capable_rows(agencies))
    np.testing.assert_array_equal(table["hours_permitted"].to_numpy(), np.concatenate([h for h, _ in exact]))
    print("check: our permitted hours (kept searches, compiled minima) == minima over a fresh full matrix, exactly")


def cold_sources(net: NationalNetwork) -> None:
    """Drop the kept joins and their searches: the next request is the first after a directory change."""
    net._joined.clear()


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
    print(
        f"{len(agencies)} agencies at {points} distinct points, {len(agreements)} agreements; "
        f"{groups} distinct sets of capable agency points over {len(offers)} capabilities; capable agencies: "
        f"{ {code: int(c.sum()) for code, c in offers.items()} }"
    )
    baseline = Networkx(net, agencies)
    check(net, agencies, offers, baseline)
    check_rules(net, agencies, agreements)

    def table(rules: str) -> float:
        return seconds_of(lambda: coverage.district_coverage(agencies, agreements, rules=rules, network=net), repeat)

    def cold_table(rules: str) -> float:
        def run() -> None:
            cold_sources(net)
            coverage.district_coverage(agencies, agreements, rules=rules, network=net)

        return seconds_of(run, max(1, repeat // 2))

    networkx_passes = seconds_of(lambda: baseline.passes(offers), repeat)
    networkx_rules = seconds_of(lambda: permitted_minima(baseline.matrix(), agencies, agreements, offers), slow)
    rows = {
        "(a) without rules, whole table": (table("without"), networkx_passes, True),
        "(a0) without rules, cold: join + kept searches": (cold_table("without"), networkx_passes, False),
        "(p) one min_only pass per capability": (
            seconds_of(lambda: net.sources(lon, lat).nearest(list(offers.values())), repeat),
            networkx_passes,
            False,
        ),
        "(b) with rules, whole table": (table("with"), networkx_rules, True),
        "(c) both rules, whole table": (table("both"), networkx_passes + networkx_rules, True),
        "(c0) both rules, cold: join + kept searches": (
            cold_table("both"),
            networkx_passes + networkx_rules,
            False,
        ),
    }
    graph, ids = baseline.graph, baseline.ids
    kernel = seconds_of(lambda: [dijkstra(graph, indices=ids[c], min_only=True) for c in offers.values()], repeat)
    first = np.unique(np.column_stack([lon, lat]), axis=0, return_index=True)[1]
    point_graph, point_ids = net.with_points(lon[first], lat[first])
    kernel_rules = seconds_of(lambda: dijkstra(point_graph, indices=point_ids), repeat)  # one per distinct point
    both = kernel + kernel_rules
    floors = {"(a)": kernel, "(a0)": kernel, "(p)": kernel, "(b)": kernel_rules, "(c)": both, "(c0)": both}

    print(
        f"\nall {len(net.codes)} districts x {len(offers)} capabilities, best of {repeat} "
        f"(networkx's matrix: of {slow})"
    )
    print(f"goal: ours at least {GOAL:.0f}x faster than networkx on the same multi-source problem")
    print(f"  {'':50s} {'ours s':>8s} {'networkx s':>10s} {'ratio':>7s}  goal")
    for name, (mine, theirs, judged) in rows.items():
        verdict = ("met" if theirs / mine >= GOAL else "NOT met") if judged else "(for comparison)"
        print(f"  {name:50s} {mine:8.4f} {theirs:10.4f} {theirs / mine:6.1f}x  {verdict}")
    print(
        f"  {'scipy kernel alone: 13 plain min_only passes':50s} {kernel:8.4f} {networkx_passes:10.4f} "
        f"{networkx_passes / kernel:6.1f}x  (for comparison: the same graph and passes as networkx)"
    )
    print(
        f"\nagainst the floor, the bare scipy kernel on the same problem: without rules the 13 min_only passes "
        f"({kernel:.4f} s),\nwith rules one full search per distinct agency point ({len(point_ids)}: "
        f"{kernel_rules:.4f} s), both rules the two; goal: within {FLOOR_GOAL}x of it"
    )
    for name, (mine, _, judged) in rows.items():
        floor = floors[name.split(" ")[0]]
        verdict = ("met" if mine / floor <= FLOOR_GOAL else "NOT met") if judged else "(for comparison)"
        print(f"  {name:50s} {mine:8.4f} s = {mine / floor:5.2f}x the floor {floor:.4f} s  {verdict}")
    print(
        "networkx gets no direct road legs and no table (ours includes them); its graph with the agencies is built\n"
        "once, not counted, as our join and kept searches are in (a), (b) and (c) (not in (a0) and (c0)).\n"
        f"Ours: one search per distinct agency point ({points} of {len(agencies)}), kept per directory; per "
        "request one\ncompiled pass of minima per capability. networkx: one pass per capability and one search per "
        "agency,\nas a plain implementation."
    )


if __name__ == "__main__":
    main()
