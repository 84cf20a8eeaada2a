"""The land mask behind the water test (``routing._water``) against the land polygons it is burnt from."""

from __future__ import annotations

import numpy as np
import shapely

from geo import islands
from routing._national_legs import great_circle_km
from routing._water import CELL_DEG, crosses_water, land_mask
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
