"""Benchmark of routing.coverage: every district x all 13 capabilities, against networkx in the same run.

Run with the data mirror, e.g.::

    RUJUK_DATA_MIRROR=../shared/data python bench/bench_coverage.py --repeat 5

The agencies are the sample directory (``data/directory``) seeded into a temporary SQLite
database. Figures printed (best of ``--repeat``):

* ours: :func:`routing.coverage.district_coverage` for the 13 capabilities without, with and
  with both jurisdiction rules (the full table: passes, masks, frame), and its two
  computational parts: the 13 multi-source passes (``NationalNetwork.nearest_source``, each
  attaching its agencies and adding the direct road legs) and the rules part (one
  ``hours_from_sources`` matrix for all agencies, 13 ``jurisdiction.permitted`` masks and the
  masked minima);
* networkx on the same graph (``with_points`` of all agencies, converted once; the conversion
  is printed, not counted): 13 ``multi_source_dijkstra_path_length`` passes from the capable
  agencies, and for the rules one ``single_source_dijkstra_path_length`` per agency, then the
  same masks; networkx has no direct road legs, so its hours are checked to be >= ours;
* the Dijkstra kernel alone: scipy ``dijkstra(min_only=True)``, 13 passes on the same
  pre-attached graph as networkx (no attachment, no direct legs);
* the ratios networkx / ours.
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

from geo import boundaries, capabilities, directory
from routing import coverage, jurisdiction
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


def capable_rows(agencies: pd.DataFrame) -> np.ndarray:
    """Return a (capabilities x agencies) boolean matrix: who offers what."""
    return np.array([[code in held for held in agencies["capabilities"]] for code in capabilities.CAPABILITIES])


def rules_part(hours: np.ndarray, agencies: pd.DataFrame, agreements: pd.DataFrame, offers: np.ndarray) -> np.ndarray:
    """Return the (capabilities x districts) hours to the nearest permitted capable agency, given the matrix."""
    districts = boundaries.load_areas("district")
    masks = [offers[i][:, None] & jurisdiction.permitted(agencies, districts, agreements, code)
             for i, code in enumerate(capabilities.CAPABILITIES)]  # fmt: skip
    return np.vstack([np.where(mask, hours, np.inf).min(axis=0) for mask in masks])


def ours(net: NationalNetwork, agencies: pd.DataFrame, agreements: pd.DataFrame, repeat: int) -> dict[str, float]:
    lon, lat = agencies["lon"].to_numpy(float), agencies["lat"].to_numpy(float)
    offers = capable_rows(agencies)
    times = {
        f"table, rules={rules}": seconds_of(
            lambda r=rules: coverage.district_coverage(agencies, agreements, rules=r, network=net), repeat
        )
        for rules in coverage.RULES
    }
    times["13 nearest_source passes"] = seconds_of(lambda: [net.nearest_source(lon[c], lat[c]) for c in offers], repeat)
    times["rules: matrix + masks"] = seconds_of(
        lambda: rules_part(net.hours_from_sources(lon, lat), agencies, agreements, offers), repeat
    )
    return times


def networkx_side(
    net: NationalNetwork, agencies: pd.DataFrame, agreements: pd.DataFrame, repeat: int
) -> dict[str, float]:
    lon, lat = agencies["lon"].to_numpy(float), agencies["lat"].to_numpy(float)
    offers = capable_rows(agencies)
    graph, ids = net.with_points(lon, lat)
    start = time.perf_counter()
    digraph = nx.from_scipy_sparse_array(graph, create_using=nx.DiGraph)
    took = time.perf_counter() - start
    print(f"networkx graph from the CSR with {len(ids)} agencies attached: {took:.3f} s (not counted)")
    n = len(net.codes)

    def as_array(lengths: dict) -> np.ndarray:
        hours = np.full(n, np.inf)
        nodes = np.fromiter((node for node in lengths if node < n), dtype=int)
        hours[nodes] = [lengths[node] for node in nodes]
        return hours

    def passes() -> np.ndarray:
        lengths = [nx.multi_source_dijkstra_path_length(digraph, set(ids[c].tolist())) for c in offers]
        return np.vstack([as_array(found) for found in lengths])

    def matrix() -> np.ndarray:
        return np.vstack([as_array(nx.single_source_dijkstra_path_length(digraph, int(i))) for i in ids])

    times = {"13 multi-source passes": seconds_of(passes, repeat)}
    slow_repeat = max(1, repeat // 3)  # a few seconds per run
    times["rules: matrix + masks"] = seconds_of(lambda: rules_part(matrix(), agencies, agreements, offers), slow_repeat)
    ours_hours = np.vstack([net.nearest_source(lon[c], lat[c])[0] for c in offers])
    nx_hours = passes()
    equal = np.isclose(ours_hours, nx_hours, rtol=1e-9) | (np.isinf(ours_hours) & np.isinf(nx_hours))
    assert (ours_hours <= nx_hours + 1e-9).all(), "networkx found a faster path than the coverage passes"
    print(f"check: ours <= networkx everywhere; equal in {equal.mean():.1%} of district x capability cells "
          "(the others are shorter by a direct road leg, which networkx does not model)")  # fmt: skip
    times["scipy kernel: 13 min_only passes"] = seconds_of(
        lambda: [dijkstra(graph, indices=ids[c], min_only=True) for c in offers], repeat
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    net = national_network()
    print(f"national network: {len(net.codes)} district nodes, built in {time.perf_counter() - start:.2f} s")
    agencies, agreements = seeded_directory()
    offers = capable_rows(agencies)
    print(f"{len(agencies)} agencies, {len(agreements)} agreements; capable agencies per capability: "
          f"{dict(zip(capabilities.CAPABILITIES, offers.sum(axis=1).tolist(), strict=True))}")  # fmt: skip
    mine = ours(net, agencies, agreements, args.repeat)
    theirs = networkx_side(net, agencies, agreements, args.repeat)
    print(f"\nall {len(net.codes)} districts x {len(offers)} capabilities, best of {args.repeat} (seconds)")
    for name, seconds in mine.items():
        print(f"  ours      {name:32s} {seconds:8.4f}")
    for name, seconds in theirs.items():
        tool, _, what = name.partition(" kernel: ") if name.startswith("scipy") else ("networkx", "", name)
        print(f"  {tool:8s}  {what:32s} {seconds:8.4f}")
    print("ratios (networkx / ours)")
    print(f"  without rules, 13 multi-source passes (full nearest_source): "
          f"{theirs['13 multi-source passes'] / mine['13 nearest_source passes']:6.1f}x")  # fmt: skip
    print(f"  with rules, matrix + masks:                                  "
          f"{theirs['rules: matrix + masks'] / mine['rules: matrix + masks']:6.1f}x")  # fmt: skip
    both_nx = theirs["13 multi-source passes"] + theirs["rules: matrix + masks"]
    print(f"  both, networkx parts / our whole table (rules=both):         {both_nx / mine['table, rules=both']:6.1f}x")
    print(f"  Dijkstra kernel only, 13 passes on the same graph:           "
          f"{theirs['13 multi-source passes'] / theirs['scipy kernel: 13 min_only passes']:6.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
