"""The land mask behind the water test (``routing._water``) against the land polygons it is burnt from."""

from __future__ import annotations

import numpy as np
import shapely

from geo import islands
from routing._national_legs import great_circle_km
from routing._water import CELL_DEG, MAX_SAMPLES, STEP_KM, crosses_water, land_mask
from routing.national import national_network
from routing.origin import resolve


def test_land_mask_agrees_with_the_polygons_away_from_the_coast():
    land = shapely.union_all(islands.load_islands().geometry.to_numpy())
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(94, 142, 20_000), rng.uniform(-12, 7, 20_000)
    far = shapely.distance(shapely.boundary(land), shapely.points(lon, lat)) > CELL_DEG  # beyond half a diagonal
    assert far.sum() > 15_000
    expected = shapely.contains_xy(land, lon[far], lat[far])
    assert expected.any() and not expected.all()
    np.testing.assert_array_equal(land_mask().on_land(lon[far], lat[far]), expected)


def test_land_mask_puts_points_off_the_grid_at_sea():
    assert not land_mask().on_land(np.array([0.0, 179.0]), np.array([0.0, -80.0])).any()


def test_balikpapan_bay_is_water_and_the_way_inland_is_not():
    ends = [resolve(name) for name in ("Balikpapan", "Penajam", "Samarinda")]
    lon, lat = np.array([e.lon for e in ends]), np.array([e.lat for e in ends])
    km = great_circle_km(lon[0], lat[0], lon[1:], lat[1:])
    np.testing.assert_array_equal(crosses_water(lon[0], lat[0], lon[1:], lat[1:], km), [True, False])


def _sampled_crossings(mask, lon1, lat1, lon2, lat2, km) -> np.ndarray:
    """The water rule written out with NumPy: every sample of every leg, then two wet samples in a row."""
    steps = np.clip(np.ceil(np.where(np.isfinite(km), km, 0.0) / STEP_KM), 1, MAX_SAMPLES).astype(np.int64)
    leg = np.repeat(np.arange(len(km)), steps - 1)
    t = np.concatenate([np.arange(1, s) / s for s in steps])
    x, y = lon1[leg] + (lon2 - lon1)[leg] * t, lat1[leg] + (lat2 - lat1)[leg] * t
    col = np.floor((x - mask.west) / mask.cell).astype(np.int64)
    row = np.floor((mask.north - y) / mask.cell).astype(np.int64)
    inside = (col >= 0) & (col < mask.width) & (row >= 0) & (row < mask.height)
    cells = np.unpackbits(mask.bits)[np.where(inside, row * mask.width + col, 0)]
    wet = ~(inside & (cells == 1))
    twice = wet[1:] & wet[:-1] & (leg[1:] == leg[:-1])
    return np.bincount(leg[1:][twice], minlength=len(km)) > 0


def test_the_compiled_water_test_is_the_rule_sample_by_sample():
    rng = np.random.default_rng(11)
    centre = rng.integers(0, 7285, 3000)  # legs of up to ~80 km around district points: coasts, bays, straits
    net = national_network()
    lon1, lat1 = net.lon[centre], net.lat[centre]
    lon2, lat2 = lon1 + rng.uniform(-0.5, 0.5, 3000), lat1 + rng.uniform(-0.5, 0.5, 3000)
    km = great_circle_km(lon1, lat1, lon2, lat2)
    km[:5] = [np.inf, np.nan, 0.0, 0.2, 500.0]  # no samples, one step, and the most samples
    crosses = crosses_water(lon1, lat1, lon2, lat2, km)
    assert 0.1 < crosses.mean() < 0.9
    np.testing.assert_array_equal(crosses, _sampled_crossings(land_mask(), lon1, lat1, lon2, lat2, km))
