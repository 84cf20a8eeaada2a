"""Boundaries built from the real upstream dumps: counts, validity, codes, artefacts."""

from __future__ import annotations

import json

import numpy as np
import pytest
import shapely

from core import settings
from core.errors import InputError, NotFoundError
from geo import boundaries, wilayah
from geo._sql import read_inserts

LPSK_NTT = (123.60273, -10.18551)
WEB_LIMIT_BYTES = {"province": 1_000_000, "regency": 2_500_000, "district": 7_000_000}


@pytest.fixture(scope="module")
def built() -> dict:
    return boundaries.build(progress=False)


@pytest.fixture(scope="module")
def areas(built) -> dict:
    return {level: boundaries.load_areas(level) for level in boundaries.LEVELS}


def test_levels_have_the_official_counts(areas):
    assert {level: len(frame) for level, frame in areas.items()} == {
        "province": 38,
        "regency": 514,
        "district": 7285,
    }


def test_every_geometry_is_a_valid_multipolygon(areas):
    for frame in areas.values():
        geometries = frame.geometry.to_numpy()
        assert shapely.is_valid(geometries).all()
        assert set(frame.geom_type) == {"MultiPolygon"}
        assert (frame["area_km2"] > 0).all()


def test_repaired_sorong_stays_polygonal(areas):
    sorong = areas["regency"].set_index("code").loc["96.01"]
    assert sorong.geometry.geom_type == "MultiPolygon" and sorong.geometry.is_valid


def test_columns_are_exactly_the_documented_ones_sorted_by_code(areas):
    for frame in areas.values():
        assert list(frame.columns) == boundaries.COLUMNS
        assert frame["code"].is_monotonic_increasing and frame["code"].is_unique
        assert frame.crs.to_epsg() == 4326
        assert str(frame["population"].dtype) == "Int64"


def test_codes_and_names_match_wilayah_sql(areas):
    codes = wilayah.load_codes()
    for level, frame in areas.items():
        expected = codes[codes["level"] == level].set_index("code")["name"]
        assert frame.set_index("code")["name"].sort_index().equals(expected.sort_index().astype(frame["name"].dtype))


def test_parent_codes_resolve_to_the_level_above(areas):
    provinces = set(areas["province"]["code"])
    regencies = set(areas["regency"]["code"])
    assert all(code is None for code in areas["province"]["parent_code"])
    assert all(code is None for code in areas["province"]["regency_code"])
    assert set(areas["regency"]["parent_code"]) <= provinces
    assert set(areas["district"]["parent_code"]) <= regencies
    assert (areas["regency"]["regency_code"] == areas["regency"]["code"]).all()
    assert (areas["district"]["regency_code"] == areas["district"]["parent_code"]).all()
    assert set(areas["district"]["province_code"]) == provinces


def test_population_is_known_for_regencies_and_unknown_for_districts(areas):
    assert areas["regency"]["population"].notna().all()
    assert areas["district"]["population"].isna().all()
    total = wilayah.load_population()["0"]
    assert areas["province"]["population"].sum() == total


def test_computed_areas_match_official_areas(areas):
    official = wilayah.load_official_area()
    frame = areas["regency"]
    ratio = frame["area_km2"].to_numpy() / official.reindex(frame["code"]).to_numpy()
    assert np.nanmedian(np.abs(ratio - 1)) < 0.01


def test_kota_kupang_contains_the_lpsk_ntt_office(areas):
    regencies = areas["regency"]
    holders = regencies[regencies.contains(shapely.Point(*LPSK_NTT))]
    assert holders["code"].tolist() == ["53.71"]
    assert holders["name"].tolist() == ["Kota Kupang"]


def test_second_build_reuses_the_artefacts(built):
    manifest = built["manifest"]
    before = {name: path.stat().st_mtime_ns for name, path in built.items()}
    again = boundaries.build(progress=False)
    assert again == built
    assert {name: path.stat().st_mtime_ns for name, path in again.items()} == before
    recorded = json.loads(manifest.read_text())
    assert recorded["build_version"] == boundaries.BUILD_VERSION
    assert all(len(sha) == 64 for sha in recorded["inputs"].values())
    assert recorded["outputs"]["districts.parquet"] == built["districts"].stat().st_size


def test_failed_build_leaves_nothing_half_written(tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    monkeypatch.setattr(settings, "web_simplify_tolerance_m", {})  # fails after the provinces are read
    with pytest.raises(KeyError):
        boundaries.build(progress=False)
    leftovers = [p.name for p in (tmp_path / "boundaries").iterdir()]
    assert leftovers == [".build.lock"]


def test_web_geojson_files_are_small_and_carry_the_properties(built, areas):
    for level, frame in areas.items():
        path = boundaries.web_geojson_path(level)
        assert path.stat().st_size < WEB_LIMIT_BYTES[level]
        features = json.loads(path.read_text(encoding="utf-8"))["features"]
        assert [f["properties"]["code"] for f in features] == frame["code"].tolist()
        assert set(features[0]["properties"]) == {"code", "name", "parent_code", "population"}


def test_bad_level_raises_input_error_listing_the_levels():
    with pytest.raises(InputError, match="district") as error:
        boundaries.load_areas("kecamatan")
    assert error.value.field == "level" and error.value.value == "kecamatan"


def test_area_returns_the_row_and_suggests_close_codes(built):
    assert boundaries.area("53.71")["name"] == "Kota Kupang"
    with pytest.raises(NotFoundError, match=r"53\.71"):
        boundaries.area("53.79")
    with pytest.raises(InputError):
        boundaries.area("5371")


def test_area_names_the_callers_field_in_its_errors(built):
    with pytest.raises(NotFoundError) as caught:
        boundaries.area("99")
    assert str(caught.value).startswith("`code` was '99' but no province has that code")
    with pytest.raises(NotFoundError) as caught:
        boundaries.area("99", field="within")
    assert str(caught.value).startswith("`within` was '99' but no province has that code")
    with pytest.raises(InputError) as caught:
        boundaries.area("5371", field="at")
    assert caught.value.field == "at" and str(caught.value).startswith("`at` was '5371'")


def test_sql_reader_handles_escapes_numbers_and_null(tmp_path):
    dump = tmp_path / "dump.sql"
    dump.write_text(
        "/* it's a header */\n-- comment with 'quote\n"
        "INSERT INTO `t` (a, b, c) VALUES ('Ba''u', -1.5e2, NULL), ('x\\'y\\\\z', 7, 'p,(q);');\n"
        "INSERT INTO t (a, b, c) VALUES ('last', 0.25, 'r');",
        encoding="utf-8",
    )
    table = read_inserts(dump)["t"]
    assert table.to_dict("records") == [
        {"a": "Ba'u", "b": -150.0, "c": None},
        {"a": "x'y\\z", "b": 7, "c": "p,(q);"},
        {"a": "last", "b": 0.25, "c": "r"},
    ]
