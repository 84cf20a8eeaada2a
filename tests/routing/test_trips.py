"""The archipelago's trips the travel issue names, on the real districts, airports and the authored tables."""

from __future__ import annotations

import csv

import pytest

from core import settings
from routing._links import DATA, read_table
from routing.trip import trip


def _published(trip_name: str) -> list[dict]:
    return [row for row in read_table("published_times.csv") if row["trip"].lower().startswith(trip_name.lower())]


def _sourced(label: str) -> dict:
    """The crossing or air route row behind a leg's label, which must carry its source and read date."""
    for row in read_table("crossings.csv"):
        if row["name"] == label:
            return row
    a, b = label.removesuffix(" flight").split("-")
    for row in read_table("air_routes.csv"):
        if {row["from_iata"], row["to_iata"]} == {a, b}:
            return row
    raise AssertionError(f"no sourced row for {label!r}")


def test_wamena_to_jayapura_flies_under_six_hours_door_to_door():
    answer = trip("Wamena", "Kota Jayapura")
    modes = [leg["mode"] for leg in answer["legs"]]
    assert modes == ["road", "flight", "road"]  # the drive to Wamena airport, the flight, the drive from Sentani
    flight = answer["legs"][1]
    assert not flight["estimated"] and _sourced(flight["label"])["source_url"].startswith("http")
    assert flight["time_h"] >= settings.air_check_in_h + settings.air_exit_h  # check-in, the wait and the exit
    assert answer["time_h"] < 6.0


def test_kupang_to_surabaya_flies_when_allowed_and_sails_when_not():
    flying = trip("Kota Kupang", "Kota Surabaya")
    assert "flight" in flying["modes_used"]
    sailing = trip("Kota Kupang", "Kota Surabaya", "road,sea")
    assert "flight" not in sailing["modes_used"] and sailing["modes"] == "road,sea"
    assert {"ferry", "ship", "fast_boat", "sea"} & set(sailing["modes_used"])
    assert sailing["time_h"] > flying["time_h"]


def test_batam_to_tanjungpinang_takes_the_fast_boat_under_three_hours():
    answer = trip("Kota Batam", "Kota Tanjung Pinang", "road,sea")
    boats = [leg for leg in answer["legs"] if leg["mode"] == "fast_boat"]
    assert len(boats) == 1 and _sourced(boats[0]["label"])["source_url"].startswith("http")
    assert answer["time_h"] < 3.0


def test_kalabahi_to_kupang_sails_on_the_kalabahi_kupang_ferry_when_she_may_not_fly():
    answer = trip("Kalabahi", "Kota Kupang", "road,sea")
    sea = [leg for leg in answer["legs"] if leg["mode"] not in ("road", "access")]
    assert [leg["label"] for leg in sea] == ["Kupang (Bolok) - Kalabahi (Alor) ferry"]  # no estimated hops via Pantar
    row = _sourced(sea[0]["label"])
    assert row["source_url"].startswith("http") and sea[0]["time_h"] > float(row["crossing_hours"])  # with the wait


def test_balikpapan_to_penajam_crosses_the_bay():
    answer = trip("Kota Balikpapan", "64.09", "road,sea")
    crossings = [leg for leg in answer["legs"] if leg["mode"] in ("ferry", "fast_boat")]
    assert len(crossings) == 1 and "Penajam" in crossings[0]["label"]
    assert _sourced(crossings[0]["label"])["read_on"]


def test_tenggarong_to_samarinda_is_within_the_calibrated_band_of_the_published_time():
    answer = trip("Tenggarong", "Kota Samarinda")
    assert answer["modes_used"] == ["road"]
    [published] = [row for row in _published("Tenggarong") if row["mode"] == "road"][:1]
    hours = float(published["published_hours"])  # 0.5 h over the bridge (2011); the estimate is about 50 % longer
    assert 0.5 * hours <= answer["time_h"] <= 1.6 * hours


def test_a_trip_names_the_field_of_a_bad_place_or_mode():
    from core.errors import InputError, NotFoundError

    with pytest.raises(NotFoundError) as error:
        trip("Nowhere-at-all", "Kota Kupang")
    assert error.value.field == "from"
    with pytest.raises(InputError) as error:
        trip("Kota Kupang", "Kota Batam", "sea,air")
    assert error.value.field == "modes"


def test_every_authored_travel_row_carries_its_source_and_read_date():
    for name in ("crossings.csv", "air_routes.csv", "roadless.csv", "published_times.csv"):
        with (DATA / name).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows, name
        for row in rows:
            assert row["source_url"].startswith(("http://", "https://")), (name, row)
            assert len(row["read_on"]) == 10, (name, row)
