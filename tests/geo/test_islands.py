"""Land masses from the real regency polygons."""

from __future__ import annotations

import numpy as np
import pytest

from geo import boundaries, islands

TOWNS = {
    "Kupang (Timor)": (123.60273, -10.18551),
    "Kalabahi (Alor)": (124.5166, -8.2189),
    "Ende (Flores)": (121.6623, -8.8432),
    "Waingapu (Sumba)": (120.2641, -9.6567),
    "Jakarta (Java)": (106.8456, -6.2088),
    "Tenggarong (Kalimantan)": (116.99, -0.42),
    "Makassar (Sulawesi)": (119.4327, -5.1477),
    "Medan (Sumatra)": (98.6722, 3.5952),
}


@pytest.fixture(scope="module")
def land() -> object:
    boundaries.build(progress=False)
    return islands.load_islands()


def island_at(name: str) -> int:
    return int(islands.island_of(*TOWNS[name])[0])


def test_kupang_and_kalabahi_are_on_different_islands(land):
    assert island_at("Kupang (Timor)") != island_at("Kalabahi (Alor)")


def test_kalimantan_timur_towns_are_on_one_land_mass(land):
    ids = islands.island_of([116.99, 116.83, 117.15], [-0.42, -1.27, -0.50])  # Tenggarong, Balikpapan, Samarinda
    assert len(set(ids)) == 1 and ids[0] >= 0


def test_major_islands_are_distinct_land_masses(land):
    ids = {name: island_at(name) for name in TOWNS}
    assert min(ids.values()) >= 0
    assert len(set(ids.values())) == len(TOWNS), ids


def test_island_ids_follow_area_and_labels_are_unique(land):
    assert land["island_id"].tolist() == list(range(len(land)))
    assert land["area_km2"].is_monotonic_decreasing
    assert land["label"].is_unique and land["label"].notna().all()
    assert land.geometry.is_valid.all()


def test_every_regency_has_land_on_some_island(land):
    on_islands = {code for codes in land["regency_codes"] for code in codes}
    assert on_islands == set(boundaries.load_areas("regency")["code"])


def test_kota_kupang_is_listed_on_its_island(land):
    timor = land.set_index("island_id").loc[island_at("Kupang (Timor)")]
    assert "53.71" in list(timor["regency_codes"]) and "53.01" in list(timor["regency_codes"])


def test_point_far_at_sea_has_no_island(land):
    assert islands.island_of(122.6, -9.8).tolist() == [-1]
    assert islands.island_of(np.array([122.6]), np.array([-9.8])).dtype == np.int64


def test_a_guessed_island_gives_the_same_answer_as_the_lookup_right_or_wrong():
    rng = np.random.default_rng(3)
    lon, lat = rng.uniform(95.0, 141.0, 300), rng.uniform(-11.0, 6.0, 300)  # land, coast and open sea
    expected = islands.island_of(lon, lat)
    wrong = np.roll(expected, 1)
    assert (expected >= 0).sum() > 30 and (expected < 0).sum() > 30 and (wrong != expected).any()
    for x, y, right, other in zip(lon.tolist(), lat.tolist(), expected.tolist(), wrong.tolist(), strict=True):
        for guess in (right, other, -1, 10**9, None):
            assert islands.island_of(x, y, guess=guess).tolist() == [right]
