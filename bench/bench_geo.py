"""Benchmark of the geo layer: boundary build (cold and warm), artefact sizes, point lookup vs geopandas.sjoin.

Run with the data mirror, e.g.::

    RUJUK_DATA_MIRROR=../shared/data python bench/bench_geo.py --points 100000

The cold build goes into a temporary data dir (the project's own artefacts are not
touched). Lookup throughput is the best of ``--repeat`` runs over the same random
points, for points on land and points anywhere in Indonesia's bounding box (mostly
sea, so most of them take the nearest-within-tolerance path).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd
import numpy as np
import shapely

from core import settings
from geo import boundaries, islands, lookup

BBOX = (94.9, -11.2, 141.1, 6.1)  # lon min, lat min, lon max, lat max


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def random_points(n: int, rng: np.random.Generator, on_land: bool) -> tuple[np.ndarray, np.ndarray]:
    if not on_land:
        return rng.uniform(BBOX[0], BBOX[2], n), rng.uniform(BBOX[1], BBOX[3], n)
    land = shapely.STRtree(boundaries.load_areas("province").geometry.to_numpy())
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x, y = rng.uniform(BBOX[0], BBOX[2], 4 * n), rng.uniform(BBOX[1], BBOX[3], 4 * n)
        hit = np.unique(land.query(shapely.points(x, y), predicate="intersects")[0])
        lon, lat = np.concatenate([lon, x[hit]]), np.concatenate([lat, y[hit]])
    return lon[:n], lat[:n]


def megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.2f} MB"


def bench_build() -> None:
    saved = settings.data_dir
    with tempfile.TemporaryDirectory() as folder:
        settings.data_dir = Path(folder)
        try:
            start = time.perf_counter()
            paths = boundaries.build(progress=False)
            cold = time.perf_counter() - start
            warm = best_of(3, lambda: boundaries.build(progress=False))
            print(f"build: cold {cold:.1f} s, warm (reuse) {warm * 1000:.1f} ms")
            for name, path in paths.items():
                print(f"  {name:<14} {megabytes(path)}")
        finally:
            settings.data_dir = saved


def bench_lookup(n: int, repeat: int, level: str) -> None:
    boundaries.build(progress=False)
    start = time.perf_counter()
    index = lookup.AreaIndex(boundaries.load_areas(level))
    print(f"lookup index of {level}s: built in {time.perf_counter() - start:.2f} s")
    areas = boundaries.load_areas(level)[["code", "geometry"]]
    rng = np.random.default_rng(42)
    for where in ("land", "bbox"):
        lon, lat = random_points(n, rng, on_land=where == "land")
        ours = best_of(repeat, lambda lon=lon, lat=lat: index.locate(lon, lat))
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        baseline = best_of(repeat, lambda points=points: gpd.sjoin(points, areas, predicate="intersects", how="left"))
        found = np.mean(index.locate(lon, lat) != None)  # noqa: E711 - elementwise
        print(
            f"  {n:,} points over {where}: AreaIndex.locate {n / ours:,.0f} pts/s ({ours:.3f} s, {found:.1%} found); "
            f"geopandas.sjoin {n / baseline:,.0f} pts/s ({baseline:.3f} s, from a GeoDataFrame of points, "
            f"no tie-break or sea rule); sjoin time / locate time = {baseline / ours:.2f}"
        )


def bench_gazetteer(repeat: int) -> None:
    """Time name searches of the gazetteer (exact, prefixed, fuzzy), the index already built."""
    from geo import gazetteer

    gazetteer.find("kupang")  # builds the index once
    queries = ["Kupang", "Kab. Kupang", "Tenggarong", "kutai kartanegara", "Tengarong", "Sumba Barat Daya"]
    seconds = best_of(repeat, lambda: [gazetteer.find(query) for query in queries for _ in range(20)])
    per_query_ms = seconds * 1000 / (20 * len(queries))
    print(
        f"gazetteer: {per_query_ms:.2f} ms per query over {len(queries)} names (goal: well under 10 ms): "
        f"{'met' if per_query_ms < 10 else 'NOT met'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--level", default="district", choices=boundaries.LEVELS)
    parser.add_argument("--skip-build", action="store_true", help="skip the cold build into a temporary dir")
    args = parser.parse_args()
    if not args.skip_build:
        bench_build()
    bench_lookup(args.points, args.repeat, args.level)
    bench_gazetteer(args.repeat)
    print(f"islands: {len(islands.load_islands()):,} land masses")


if __name__ == "__main__":
    main()
