"""Road speed of the estimated model, calibrated against the OpenStreetMap road graphs of the data mirror.

The estimated model drives a straight line times ``settings.circuity_factor`` at a speed per
class of area (:func:`routing._links.road_speeds`). For every OSM drive graph pinned in
``geo/registry.txt`` (all four are city graphs: Balikpapan and Jakarta), this script draws
random pairs of nodes in the graph's main component at least 1 km apart, routes them on the
graph (its OSM speeds, ``settings.default_speed_kmh_by_highway`` where OSM gives none) and
prints, per graph, the speed the estimate would need to give the same time: ``great-circle
km x circuity / graph hours`` (median and quartiles), and the graph's own circuity (road km
over great-circle km). The city speed of the estimate, ``settings.road_speed_city_kmh``, is
the rounded median over the four graphs; the mirror has no rural or mountain graph, so those
classes keep their stated defaults (see the README).

Run: ``RUJUK_DATA_MIRROR=../shared/data python bench/calibrate_roads.py [--pairs 2000]``
"""

from __future__ import annotations

import argparse

import numpy as np

from core import settings
from geo import sources
from routing._national_legs import great_circle_km
from routing.roads import RoadNetwork


def calibrate(path: str, pairs: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Return the needed straight-line speeds (km/h) and circuities of random node pairs of one graph."""
    road = RoadNetwork.from_file(sources.fetch(path))
    nodes = road.snappable
    a, b = rng.choice(nodes, pairs), rng.choice(nodes, pairs)
    crow = great_circle_km(road.lon[a], road.lat[a], road.lon[b], road.lat[b])
    keep = crow >= 1.0
    a, b, crow = a[keep], b[keep], crow[keep]
    matrix = road.matrix(road.lon[a], road.lat[a], road.lon[b], road.lat[b])
    hours, km = np.diag(matrix.time_h), np.diag(matrix.distance_km)
    ok = np.isfinite(hours) & (hours > 0)
    return crow[ok] * settings.circuity_factor / hours[ok], km[ok] / crow[ok]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=600)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    medians = []
    for path in sources.files_under("osm/"):
        speed, circuity = calibrate(path, args.pairs, rng)
        q1, median, q3 = np.percentile(speed, [25, 50, 75])
        medians.append(median)
        print(
            f"{path.removeprefix('osm/'):48s} pairs {len(speed):4d}  speed the estimate needs: median {median:5.1f} "
            f"km/h (quartiles {q1:.1f}-{q3:.1f}); graph circuity median {np.median(circuity):.2f}"
        )
    print(
        f"city graphs, median of medians: {np.median(medians):.1f} km/h (settings.road_speed_city_kmh = "
        f"{settings.road_speed_city_kmh:g})"
    )


if __name__ == "__main__":
    main()
