"""Point lookup on the real boundaries: containment, overlaps, sea points, hierarchy, input checks."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely

from core import settings
from core.errors import InputError
from geo import boundaries, lookup
from geo.lookup import AreaIndex

LPSK_NTT = (123.60273, -10.18551)
TELUK_KUPANG = (123.60273, -10.14)  # in the bay, about 1 km north of Kota Kupang's coast
SAWU_SEA = (122.6, -9.8)  # open sea between Sumba, Sabu and Timor
OFF_KUPANG = (123.60273, -10.10)  # in the bay north of Kupang, about 5 km from Kabupaten Kupang's coast
GEOD = pyproj.Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def regencies() -> gpd.GeoDataFrame:
    boundaries.build(progress=False)
    return boundaries.load_areas("regency")


def geodesic_km(point: tuple[float, float], geometry) -> float:
    """Distance from a point to the nearest vertex-or-edge point of `geometry`, in km."""
    end = shapely.shortest_line(shapely.Point(point), geometry).coords[1]
    return GEOD.inv(point[0], point[1], end[0], end[1])[2] / 1000


def test_lpsk_ntt_office_is_in_kota_kupang_at_every_level(regencies):
    assert lookup.locate(*LPSK_NTT, level="regency").tolist() == ["53.71"]
    row = lookup.locate_hierarchy(*LPSK_NTT).iloc[0]
    assert row["regency_code"] == "53.71" and row["province_code"] == "53"
    assert row["district_code"].startswith("53.71.")


def test_sea_point_near_kupang_goes_to_the_nearest_regency(regencies):
    point = shapely.Point(TELUK_KUPANG)
    assert not regencies.intersects(point).any()
    distances = regencies.geometry.map(lambda geometry: geodesic_km(TELUK_KUPANG, geometry))
    nearest = regencies["code"][distances.idxmin()]
    assert distances.min() < min(2.0, settings.lookup_tolerance_km)
    assert lookup.locate(*TELUK_KUPANG, level="regency").tolist() == [nearest]


def test_point_far_at_sea_is_in_no_area(regencies):
    distances = regencies.geometry.map(lambda geometry: geodesic_km(SAWU_SEA, geometry))
    assert distances.min() > 30
    assert lookup.locate(*SAWU_SEA, level="regency").tolist() == [None]
    assert lookup.locate_hierarchy(*SAWU_SEA).iloc[0].isna().all()


def test_point_5_km_offshore_is_in_no_area_at_3_km_and_in_the_nearest_at_6_km(regencies):
    distances = regencies.geometry.map(lambda geometry: geodesic_km(OFF_KUPANG, geometry))
    nearest = regencies["code"][distances.idxmin()]
    assert nearest == "53.01" and 4.5 < distances.min() < 5.5  # Kabupaten Kupang, not Kota Kupang
    assert settings.lookup_tolerance_km == 3
    assert lookup.locate(*OFF_KUPANG, level="regency").tolist() == [None]
    assert AreaIndex(regencies, tolerance_km=3).locate(*OFF_KUPANG).tolist() == [None]
    assert AreaIndex(regencies, tolerance_km=6).locate(*OFF_KUPANG).tolist() == ["53.01"]


def test_distance_to_area_is_zero_inside_and_geodesic_outside(regencies):
    km = lookup.distance_to_area_km([LPSK_NTT[0], OFF_KUPANG[0]], [LPSK_NTT[1], OFF_KUPANG[1]], ["53.71", "53.01"])
    expected = geodesic_km(OFF_KUPANG, regencies.set_index("code").geometry["53.01"])
    assert km[0] == 0 and km[1] == pytest.approx(expected, rel=1e-6)


def test_tolerance_zero_leaves_the_bay_point_unassigned(regencies):
    assert AreaIndex(regencies, tolerance_km=0).locate(*TELUK_KUPANG).tolist() == [None]


def test_overlap_point_goes_to_the_area_it_is_deepest_in(regencies):
    pair = regencies[regencies["code"].isin(["96.01", "96.04"])]
    point = shapely.intersection(*pair.geometry).representative_point()
    depth = shapely.distance(pair.geometry.boundary.to_numpy(), point)  # degrees, as the index compares
    assert depth.min() > 0  # inside both
    expected = pair["code"].to_numpy()[np.argmax(depth)]
    shuffled = regencies.sample(frac=1, random_state=1)
    assert AreaIndex(regencies).locate(point.x, point.y).tolist() == [expected]
    assert AreaIndex(shuffled).locate(point.x, point.y).tolist() == [expected]


def test_equal_depth_goes_to_the_smallest_code(regencies):
    kupang = regencies[regencies["code"] == "53.71"]
    twins = gpd.GeoDataFrame({"code": ["b", "a"]}, geometry=[kupang.geometry.iloc[0]] * 2, crs=4326)
    assert AreaIndex(twins).locate(*LPSK_NTT).tolist() == ["a"]


def test_hierarchy_follows_the_district_code_on_land(regencies):
    rng = np.random.default_rng(7)
    points = regencies.sample_points(3, rng=rng).explode()
    table = lookup.locate_hierarchy(points.x.to_numpy(), points.y.to_numpy())
    assert table["district_code"].notna().mean() > 0.99
    found = table.dropna()
    assert (found["regency_code"] == found["district_code"].str[:5]).all()
    assert (found["province_code"] == found["district_code"].str[:2]).all()


def test_locate_agrees_with_sjoin_where_a_point_is_in_one_district(regencies):
    districts = boundaries.load_areas("district")
    rng = np.random.default_rng(3)
    points = gpd.GeoDataFrame(geometry=regencies.sample_points(20, rng=rng).explode().to_numpy(), crs=4326)
    joined = gpd.sjoin(points, districts[["code", "geometry"]], predicate="intersects")
    single = joined[~joined.index.duplicated(keep=False)]
    ours = lookup.locate(points.geometry.x, points.geometry.y)
    assert len(single) > 0.9 * len(points)
    assert (ours[single.index] == single["code"].to_numpy()).all()


@pytest.mark.parametrize(("lon", "lat", "field"), [(np.nan, -10.0, "lon"), (123.6, [np.inf], "lat"), (200, 0, "lon")])
def test_bad_coordinates_raise_input_error_naming_the_field(lon, lat, field):
    with pytest.raises(InputError) as error:
        lookup.locate(lon, lat)
    assert error.value.field == field


def test_unknown_level_raises_input_error():
    with pytest.raises(InputError, match="province"):
        lookup.locate(123.6, -10.2, level="village")


def test_few_and_many_points_get_the_same_areas():
    # Small batches query a tree of the areas, large ones a tree of the points: both must agree.
    rng = np.random.default_rng(7)
    lon = rng.uniform(95.0, 141.0, 300)
    lat = rng.uniform(-11.0, 6.0, 300)
    in_bulk = lookup.locate(lon, lat, "district")
    one_by_one = np.concatenate([lookup.locate(lon[i : i + 1], lat[i : i + 1], "district") for i in range(300)])
    assert list(in_bulk) == list(one_by_one)
    assert sum(code is not None for code in in_bulk) > 30  # the sample reaches land, not only sea


def test_one_point_alone_gets_the_area_of_the_bulk_rules_inside_overlaps_and_borders_too():
    # A single point in exactly one area takes a short path; in several (overlaps) or none, the general rules.
    points = boundaries.random_points("district", 300, np.random.default_rng(11))
    lon, lat = (np.array([p[i] for p in points]) for i in (0, 1))
    index = lookup.area_index("district")
    in_bulk = index.locate_index(lon, lat)
    alone = [int(index.locate_index(x, y)[0]) for x, y in points]
    assert alone == in_bulk.tolist()
    hits = [len(index._candidates(shapely.points([x], [y]), "intersects")[0]) for x, y in points]
    assert 1 in hits and any(h != 1 for h in hits)  # both paths are taken
