"""End-to-end referral latency: ``Referrer.refer`` for random origins, as a caseworker would call it.

Two sets of 1,000 origins: random points inside random districts of the whole country
(national estimated network), and random points inside the largest real road graph
(Balikpapan; road-network times where it covers the agency). Each call resolves the
origin's areas, searches, ranks, classifies jurisdiction and builds routes for the k
results. The directory is the embedded sample, seeded into a temporary SQLite file.

Goal (the issue): the 95th percentile under 10 ms; each row says whether it is met.

Run: ``RUJUK_DATA_MIRROR=../shared/data python bench/bench_referral.py [--origins 1000]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from core import db, settings
from geo import boundaries
from routing.referral import Referrer, road_network
from store.prepare import prepare

GOAL_P95_MS = 10.0


def _points_in_districts(count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    districts = boundaries.load_areas("district")
    chosen = districts.geometry.iloc[rng.integers(0, len(districts), count)].to_numpy()
    points = []
    for polygon in chosen:  # rejection sampling inside each polygon's bounds
        minx, miny, maxx, maxy = polygon.bounds
        while True:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(polygon, x, y):
                points.append((x, y))
                break
    return points


def _points_on_graph(count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    road = road_network(settings.road_networks[0])
    nodes = rng.choice(road.snappable, count)
    jitter = rng.normal(0, 0.001, (count, 2))  # ~100 m off the node
    return [(road.lon[n] + dx, road.lat[n] + dy) for n, (dx, dy) in zip(nodes, jitter, strict=True)]


def _latency(referrer: Referrer, origins: list[tuple[float, float]], needs: list[str]) -> np.ndarray:
    referrer.refer(origins[0], needs)  # warm caches
    times = []
    for origin in origins:
        start = time.perf_counter()
        referrer.refer(origin, needs, k=10)
        times.append(time.perf_counter() - start)
    return np.array(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--origins", type=int, default=1000)
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    with tempfile.TemporaryDirectory() as folder:
        engine = db.get_engine(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        prepare(progress=False, engine=engine)
        start = time.perf_counter()
        referrer = Referrer.from_engine(engine)
        print(
            f"referrer ready (directory, network, {len(settings.road_networks)} road graphs): "
            f"{time.perf_counter() - start:.2f} s, {len(referrer.agencies)} agencies"
        )
        for label, origins in [
            ("national estimated network", _points_in_districts(args.origins, rng)),
            ("Balikpapan road graph (1,207 nodes)", _points_on_graph(args.origins, rng)),
        ]:
            for needs in (["psychological"], ["shelter", "psychological", "legal_aid"]):
                ms = _latency(referrer, origins, needs)
                p95 = np.percentile(ms, 95)
                verdict = "met" if p95 < GOAL_P95_MS else "NOT met"
                print(
                    f"{label:38s} needs={','.join(needs):35s} {len(ms)} referrals: median {np.median(ms):6.2f} ms, "
                    f"p95 {p95:6.2f} ms, max {ms.max():6.1f} ms; goal p95 < {GOAL_P95_MS:.0f} ms: {verdict}"
                )
        engine.dispose()


if __name__ == "__main__":
    main()
