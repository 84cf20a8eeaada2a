"""The trees grown from the agencies answer as a full search from the origin would (routing._agency_trees)."""

from __future__ import annotations

import numpy as np
import pytest

from geo import boundaries
from routing._agency_trees import AgencyTrees
from routing.national import national_network


def _origins(count: int, seed: int) -> list[tuple[float, float]]:
    """Random points inside random districts of the whole country (as bench/bench_referral.py draws them)."""
    return boundaries.random_points("district", count, np.random.default_rng(seed))


@pytest.fixture(scope="module")
def agencies(referrer):
    public = referrer.variant(referrer.network.modes)[1][False]
    return public.lon, public.lat


@pytest.mark.parametrize("modes", ["road,sea,air", "road,sea"])
def test_tree_lookup_equals_a_full_search_from_the_origin(agencies, modes):
    network = national_network(modes)
    lon, lat = agencies
    attachment = network.attach(lon, lat)
    trees = AgencyTrees(network, lon, lat, attachment)
    for x, y in _origins(40, seed=7):
        search = network.search(x, y)
        expected = search.hours(attachment, lon, lat)
        lookup = trees.lookup(x, y, network.attach(x, y))
        np.testing.assert_allclose(lookup.hours, expected, rtol=1e-12, atol=1e-12)
        reachable = np.flatnonzero(np.isfinite(expected))
        some = reachable[np.argsort(expected[reachable])][[0, len(reachable) // 2, -1]].tolist()
        full = search.routes(attachment.rows(np.asarray(some)), lon[some], lat[some])
        for got, want in zip(lookup.routes(some), full, strict=True):
            assert got.time_h == pytest.approx(want.time_h, rel=1e-12)
            assert got.distance_km == pytest.approx(want.distance_km, rel=1e-9)
            assert [leg.mode for leg in got.legs] == [leg.mode for leg in want.legs]
            assert np.allclose(got.coords[[0, -1]], want.coords[[0, -1]])


def test_each_route_adds_up_to_its_hours(agencies):
    network = national_network()
    lon, lat = agencies
    attachment = network.attach(lon, lat)
    trees = AgencyTrees(network, lon, lat, attachment)
    lookup = trees.lookup(117.0, -0.45, network.attach(117.0, -0.45))  # Samarinda
    positions = np.flatnonzero(np.isfinite(lookup.hours)).tolist()
    routes = lookup.routes(positions)
    np.testing.assert_allclose([route.time_h for route in routes], lookup.hours[positions], rtol=1e-9)
