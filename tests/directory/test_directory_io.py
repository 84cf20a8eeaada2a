"""Directory import and export: whole-file rejection, seat placement, modes, round trips, redacted exports."""

from __future__ import annotations

import csv
import datetime as dt
import json
import re

import pytest
import shapely
from csv_rows import write_csv
from sqlalchemy import func, select

import directory
from core import settings
from core.db import session_scope
from core.errors import ImportRejectedError, InputError
from directory import io as directory_io
from directory.agencies import Agreement, ServiceLocation
from geo import boundaries, lookup, seats
from store import schema

SAMPLE = directory_io.default_dir()


def sample_rows(name: str = "agencies") -> list[dict[str, str]]:
    with (SAMPLE / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def every_sample_row() -> list[dict[str, str]]:
    """The rows of the three agency files of the sample: offices, missions abroad, hotlines."""
    return sample_rows() + sample_rows("abroad") + sample_rows("hotlines")


def by_id(rows: list[dict[str, str]], *ids: str) -> list[dict[str, str]]:
    index = {row["id"]: row for row in rows}
    return [dict(index[i]) for i in ids]


def exact(row: dict[str, str]) -> dict[str, str]:
    """Return `row` with an `exact` point: the seat of its area from the project's own data (:mod:`geo.seats`).

    The sample has no office coordinates (every row is `regency_seat`); tests of exact points use this point.
    """
    lon, lat = seats.seat_point(row["area_code"])
    return {**row, "lon": repr(lon), "lat": repr(lat), "location_precision": "exact"}


def count(engine, model) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(model))


def rejected(engine, path) -> list[tuple[int, str]]:
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, path)
    return [(error.row, error.field) for error in caught.value.errors]


def test_sample_directory_imports_cleanly(engine):
    report = directory_io.seed_default(engine)
    rows = sample_rows()
    every = every_sample_row()
    assert report["directory_agencies"] == len(every) == count(engine, ServiceLocation)
    assert report["directory_agreements"] == len(sample_rows("agreements")) == 4
    assert report["directory_seeded"] == ["agencies", "abroad", "hotlines", "agreements"]
    assert directory_io.seed_default(engine)["directory_seeded"] == []  # a second call changes nothing
    frame = directory.agencies_frame(engine)
    assert len(frame) == len(rows)  # routing travels to the offices in Indonesia only
    provinces = boundaries.load_areas("province").set_index("code")["name"]
    provincial = frame[frame["jurisdiction_level"] == "province"]
    police = provincial[provincial["agency_type"] == "police_ppa"]
    assert police["area_code"].is_unique
    for code in set(provinces.index) - set(police["area_code"]):  # no Polda of its own: a Polda's notes name it
        assert police["notes"].str.contains(f"{provinces[code]} ({code})", regex=False).any(), code
    uptd = set(provincial.loc[provincial["agency_type"] == "uptd_ppa", "area_code"])
    dp3a = set(provincial.loc[provincial["agency_type"] == "dp3a", "area_code"])
    assert not uptd & dp3a  # a provincial DP3A row only where no UPTD PPA was confirmed
    readme = (SAMPLE / "README.md").read_text(encoding="utf-8")
    gap = re.search(r"No province-level UPTD PPA or DP3A row exists yet for ([^:]*):", readme)
    assert gap and set(provinces.index) - uptd - dp3a == set(re.findall(r"\((\d\d)\)", gap[1]))  # the gap it states
    ppu = frame.set_index("id").loc["uptd-ppa-ppu"]
    assert "shelter" not in ppu["capabilities"] and "psychological" in ppu["capabilities"]
    assert frame["source"].str.len().min() > 0


def test_sample_directory_has_every_office_the_issue_names(engine):
    directory_io.seed_default(engine)
    frame = directory.agencies_frame(engine).set_index("id")
    names = {level: boundaries.load_areas(level).set_index("code")["name"] for level in ("province", "regency")}
    bp3mi = frame[frame["agency_type"] == "bp3mi"]
    bp3mi_provinces = {"52", "21", "36", "31", "35", "14", "12", "74", "13", "72", "71", "65", "53"}
    offices = bp3mi[bp3mi["jurisdiction_level"] == "province"]  # the rest are posts and counters in their towns
    assert bp3mi_provinces <= set(offices["area_code"]) and offices["area_code"].is_unique  # NTB, Kepri, Banten, ...
    assert names["province"]["65"] == "Kalimantan Utara" and names["province"]["74"] == "Sulawesi Tenggara"
    posts = bp3mi[bp3mi["jurisdiction_level"] != "province"]
    assert (posts["jurisdiction_level"] == "regency").all() and posts["area_code"].isin(names["regency"].index).all()
    assert all("migrant_worker_services" in codes for codes in bp3mi["capabilities"])
    lpsk = frame[frame["agency_type"] == "lpsk"]
    assert (lpsk["jurisdiction_level"] == "national").all()
    offices = {
        "lpsk-pusat": "31.75",
        "lpsk-diy": "34.71",
        "lpsk-sumut": "12.71",
        "lpsk-jatim": "35.78",
        "lpsk-jateng": "33.74",
        "lpsk-ntt": "53.71",
    }
    assert lpsk["area_code"].to_dict() == offices
    assert [names["regency"][offices[i]] for i in ("lpsk-diy", "lpsk-sumut", "lpsk-jatim", "lpsk-jateng")] == [
        "Kota Yogyakarta",
        "Kota Medan",
        "Kota Surabaya",
        "Kota Semarang",
    ]
    assert all("witness_protection" in codes for codes in lpsk["capabilities"])
    bp2mi = frame[frame["agency_type"] == "bp2mi"]
    assert list(bp2mi["area_code"]) == ["31.74"] and names["regency"]["31.74"].endswith("Jakarta Selatan")
    assert "repatriation_international" in bp2mi["capabilities"].iloc[0]
    regency_units = frame[(frame["agency_type"] == "uptd_ppa") & (frame["jurisdiction_level"] == "regency")]
    kaltim = regency_units[regency_units["area_code"].str.startswith("64.")]
    expected = {
        "64.01": "Kabupaten Paser",
        "64.02": "Kabupaten Kutai Kartanegara",
        "64.03": "Kabupaten Berau",
        "64.08": "Kabupaten Kutai Timur",
        "64.09": "Kabupaten Penajam Paser Utara",
        "64.71": "Kota Balikpapan",
        "64.72": "Kota Samarinda",
        "64.74": "Kota Bontang",
    }
    assert sorted(kaltim["area_code"]) == sorted(expected)
    assert {code: names["regency"][code] for code in kaltim["area_code"]} == expected
    shelters = frame[frame["capabilities"].map(lambda codes: "shelter" in codes) & (frame["agency_type"] == "kemensos")]
    assert "kemensos-rptc-bambu-apus" in shelters.index and shelters.loc["kemensos-rptc-bambu-apus", "confidential"]
    assert (shelters["jurisdiction_level"] == "national").all()
    secret = frame[frame["confidential"]]  # safe houses only
    assert len(secret) and secret["capabilities"].map(lambda codes: "shelter" in codes).all()


def test_every_sample_row_states_its_source_precision_and_whether_it_is_confirmed():
    rows = sample_rows()
    assert all(row["source"].strip() for row in rows)
    assert {row["location_precision"] for row in rows} <= {"exact", "regency_seat", "approximate"}
    assert {row["existence_confirmed"] for row in rows} == {"true", "false"}  # explicit on every row, never empty
    assert all(row["confidential"] in ("", "true", "false") for row in rows)


def test_seed_default_is_idempotent(engine):
    first = directory_io.seed_default(engine)
    second = directory_io.seed_default(engine)
    assert first["directory_seeded"] == ["agencies", "abroad", "hotlines", "agreements"]
    assert second["directory_seeded"] == []
    assert second["directory_agencies"] == first["directory_agencies"]


def test_import_rejects_whole_file_on_unknown_capability(engine, tmp_path):
    rows = by_id(sample_rows(), "lpsk-ntt", "uptd-ppa-kukar", "bp2mi-pusat")
    rows[1]["capabilities"] = "intake;shelte"
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows))
    [error] = caught.value.errors
    assert (error.row, error.field, error.value) == (2, "capabilities", "shelte")
    assert "'shelter'" in error.message
    assert count(engine, ServiceLocation) == 0


def test_import_rejects_coordinates_outside_indonesia(engine, tmp_path):
    rows = by_id(sample_rows(), "lpsk-ntt", "lpsk-diy")
    rows[0]["lon"], rows[0]["lat"] = "151.2093", "-33.8688"  # Sydney
    rows[1]["lon"], rows[1]["lat"] = "east", "-7.8"
    assert rejected(engine, write_csv(tmp_path / "a.csv", rows)) == [(1, "lon/lat"), (2, "lon/lat")]
    assert count(engine, ServiceLocation) == 0


SINGAPORE = ("103.82", "1.35")


def test_import_rejects_a_point_in_no_province_even_within_the_area_allowance(engine, tmp_path):
    rows = by_id(sample_rows(), "bp3mi-kepri")
    rows[0].update(area_code="21.71", jurisdiction_level="regency", location_precision="approximate")
    rows[0]["lon"], rows[0]["lat"] = SINGAPORE
    lon, lat = map(float, SINGAPORE)
    assert lookup.distance_to_area_km([lon], [lat], ["21.71"])[0] < settings.approximate_location_tolerance_km
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows))
    [error] = caught.value.errors
    assert (error.row, error.field, error.value) == (1, "lon/lat", (lon, lat))
    assert "outside Indonesia: in no province" in error.message
    assert count(engine, ServiceLocation) == 0


def test_row_errors_are_listed_in_row_order(engine, tmp_path):
    rows = [exact(row) for row in by_id(sample_rows(), "lpsk-ntt", "lpsk-diy")]
    rows[0]["area_code"] = "53.01"  # the point is in 53.71: found by the check over all points, after the row checks
    rows[1]["name"] = ""
    assert rejected(engine, write_csv(tmp_path / "a.csv", rows)) == [(1, "lon/lat"), (2, "name")]


def test_unknown_csv_column_rejects_the_file_listing_the_columns(engine, tmp_path):
    rows = by_id(sample_rows(), "lpsk-ntt", "lpsk-diy")
    for row in rows:
        row["phon"] = row.pop("phone")
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows))
    [error] = caught.value.errors
    assert (error.row, error.field) == (0, "phon") and "'phone'" in error.message and "'notes'" in error.message
    assert count(engine, ServiceLocation) == 0
    agreements = sample_rows("agreements")
    agreements[0]["titel"] = "typo"
    with pytest.raises(ImportRejectedError, match="titel"):
        directory_io.import_agreements(engine, write_csv(tmp_path / "b.csv", agreements))


def test_a_public_export_is_refused_with_advice(engine, tmp_path):
    directory_io.seed_default(engine)
    public = directory_io.export_agencies(engine, tmp_path / "public.csv", public=True)
    assert "redacted" in public.splitlines()[0]
    with pytest.raises(ImportRejectedError, match="--full") as caught:
        directory_io.import_agencies(engine, tmp_path / "public.csv")
    assert [(e.row, e.field) for e in caught.value.errors] == [(0, "redacted")]


def test_a_public_geojson_export_is_refused_so_no_true_shelter_point_is_overwritten(engine, tmp_path):
    directory_io.seed_default(engine)
    public = json.loads(directory_io.export_agencies(engine, tmp_path / "public.geojson", fmt="geojson", public=True))
    redacted = [f["properties"]["id"] for f in public["features"] if f["properties"].get("redacted")]
    assert redacted  # the national shelters
    before = directory.agencies_frame(engine).set_index("id").loc[redacted, ["lon", "lat"]]
    with pytest.raises(ImportRejectedError, match="--full") as caught:
        directory_io.import_agencies(engine, tmp_path / "public.geojson")
    assert {e.field for e in caught.value.errors} == {"redacted"} and len(caught.value.errors) == len(redacted)
    after = directory.agencies_frame(engine).set_index("id").loc[redacted, ["lon", "lat"]]
    assert after.equals(before)


def test_empty_or_unreadable_file_is_an_input_error_naming_it(engine, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(InputError, match="no header line") as caught:
        directory_io.import_agencies(engine, empty)
    assert caught.value.value == str(empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,name\nx,Dinas Sosial Kab. Bandung \xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8") as caught:
        directory_io.import_agencies(engine, latin)
    assert caught.value.value == str(latin)


def feature(row: dict[str, str], geometry: object = "point") -> dict[str, object]:
    point = {"type": "Point", "coordinates": [float(row["lon"]), float(row["lat"])]}
    properties = {k: v for k, v in row.items() if k not in ("lon", "lat")}
    return {"type": "Feature", "geometry": point if geometry == "point" else geometry, "properties": properties}


def write_geojson(path, features: list[object]):
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


def test_geojson_with_bad_features_is_rejected_whole_with_row_errors(engine, tmp_path):
    directory_io.seed_default(engine)
    before = comparable(engine)
    diy, ntt, sumut, jatim = map(exact, by_id(sample_rows(), "lpsk-diy", "lpsk-ntt", "lpsk-sumut", "lpsk-jatim"))
    diy["name"] = "Renamed: would be an update"
    features = [
        feature(diy),  # row 1: good
        ["not", "a", "feature"],  # row 2
        feature(ntt, {"type": "Point", "coordinates": [123.6]}),  # row 3
        feature(sumut, {"type": "Point", "coordinates": ["98.67194", "3.57949"]}),  # row 4: strings
        {"type": "Feature", "geometry": None, "properties": "lpsk-jatim"},  # row 5
        feature(jatim, {"type": "LineString", "coordinates": [[112.7, -7.2], [112.8, -7.3]]}),  # row 6
    ]
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, write_geojson(tmp_path / "bad.geojson", features))
    errors = [(e.row, e.field) for e in caught.value.errors]
    assert errors == [
        (2, "feature"),
        (3, "geometry.coordinates"),
        (4, "geometry.coordinates"),
        (5, "properties"),
        (6, "geometry"),
    ]
    assert caught.value.errors[1].value == [123.6] and "two numbers" in caught.value.errors[1].message
    assert str(tmp_path / "bad.geojson") in str(caught.value)
    assert comparable(engine).equals(before)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('{"type": "FeatureCollection", "features": [', "not valid JSON: .* line 1"),
        ('{"type": "FeatureCollection", "features": {}}', "FeatureCollection"),
        ('[{"type": "Feature"}]', "FeatureCollection"),
    ],
)
def test_geojson_that_is_not_a_feature_collection_is_an_input_error_naming_the_file(engine, tmp_path, text, match):
    path = tmp_path / "broken.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match) as caught:
        directory_io.import_agencies(engine, path)
    assert caught.value.field == "file" and caught.value.value == str(path)
    assert count(engine, ServiceLocation) == 0


def test_import_rejects_point_outside_stated_area(engine, tmp_path):
    rows = [exact(row) for row in by_id(sample_rows(), "lpsk-ntt", "lpsk-diy")]
    rows[0]["area_code"] = "53.01"  # Kabupaten Kupang; the office is in Kota Kupang
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows))
    [error] = caught.value.errors
    assert (error.row, error.field) == (1, "lon/lat") and "outside area_code 53.01" in error.message
    assert count(engine, ServiceLocation) == 0


def test_import_lists_every_row_error_and_writes_nothing(engine, tmp_path):
    directory_io.seed_default(engine)
    before = directory.agencies_frame(engine).drop(columns="geometry")
    rows = by_id(sample_rows(), "lpsk-ntt", "lpsk-diy", "uptd-ppa-kukar", "uptd-ppa-ppu", "bp2mi-pusat", "lpsk-sumut")
    rows[5] = exact(rows[5])  # a point of its own, so the unknown area is the row's only error
    rows[0]["name"] = "Renamed, would be an update"
    rows[1]["name"] = " "
    rows[2]["id"] = "lpsk-ntt"
    rows[3]["agency_type"] = "uptd ppa"
    rows[4]["verified_on"] = "17/07/2024"
    rows[5]["area_code"] = "12.99"
    errors = rejected(engine, write_csv(tmp_path / "a.csv", rows))
    assert errors == [(2, "name"), (3, "id"), (4, "agency_type"), (5, "verified_on"), (6, "area_code")]
    after = directory.agencies_frame(engine).drop(columns="geometry")
    assert after.equals(before)


def test_unknown_agency_type_suggests_the_close_code(engine, tmp_path):
    rows = by_id(sample_rows(), "uptd-ppa-ppu")
    rows[0]["agency_type"] = "uptd ppa"
    with pytest.raises(ImportRejectedError, match="Did you mean 'uptd_ppa'"):
        directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows))


def test_regency_seat_rows_without_coordinates_sit_at_the_seat(engine, tmp_path):
    rows = by_id(sample_rows(), "uptd-ppa-kukar", "uptd-ppa-kaltim")
    assert all(row["lon"] == "" and row["location_precision"] == "regency_seat" for row in rows)
    directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows))
    frame = directory.agencies_frame(engine).set_index("id")
    for agency_id, code in (("uptd-ppa-kukar", "64.02"), ("uptd-ppa-kaltim", "64")):  # Tenggarong, Samarinda
        assert tuple(frame.loc[agency_id, ["lon", "lat"]]) == pytest.approx(seats.seat_point(code))


def test_exact_point_without_coordinates_is_rejected(engine, tmp_path):
    rows = [exact(row) for row in by_id(sample_rows(), "lpsk-ntt")]
    rows[0]["lon"] = rows[0]["lat"] = ""
    assert rejected(engine, write_csv(tmp_path / "a.csv", rows)) == [(1, "lon")]


def test_approximate_point_may_lie_farther_outside_its_area(engine, tmp_path):
    kupang = boundaries.area("53.71").geometry
    east = max(shapely.get_coordinates(kupang), key=lambda xy: xy[0])
    lon, lat = east[0] + 0.09, east[1]  # about 10 km east of Kota Kupang
    assert settings.lookup_tolerance_km < 9 and settings.approximate_location_tolerance_km > 11
    rows = [exact(row) for row in by_id(sample_rows(), "lpsk-ntt")]
    rows[0]["lon"], rows[0]["lat"] = str(lon), str(lat)
    assert rejected(engine, write_csv(tmp_path / "a.csv", rows)) == [(1, "lon/lat")]
    rows[0]["location_precision"] = "approximate"
    assert directory_io.import_agencies(engine, write_csv(tmp_path / "b.csv", rows))["added"] == 1


def test_upsert_updates_known_ids_and_keeps_the_others(engine, tmp_path):
    directory_io.seed_default(engine)
    rows = by_id(sample_rows(), "uptd-ppa-ppu")
    rows[0]["capabilities"] += ";shelter"
    rows[0]["capacity"] = "6"
    report = directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows))
    assert report == {"added": 0, "updated": 1, "retired": 0, "warnings": []}
    frame = directory.agencies_frame(engine).set_index("id")
    assert len(frame) == len(sample_rows())
    assert "shelter" in frame.loc["uptd-ppa-ppu", "capabilities"] and frame.loc["uptd-ppa-ppu", "capacity"] == 6


def test_replace_retires_agencies_missing_from_the_file(engine, tmp_path):
    directory_io.seed_default(engine)
    rows = by_id(sample_rows(), "lpsk-ntt", "uptd-ppa-kukar")
    report = directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows), mode="replace")
    assert report["retired"] == len(every_sample_row()) - 2
    assert list(directory.agencies_frame(engine)["id"]) == ["lpsk-ntt", "uptd-ppa-kukar"]
    assert count(engine, ServiceLocation) == len(every_sample_row())  # retired, not deleted
    with pytest.raises(InputError, match="mode"):
        directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows), mode="merge")


def comparable(engine):
    frame = directory.directory_frame(engine, include_retired=True).drop(columns="geometry")
    frame[["lon", "lat"]] = frame[["lon", "lat"]].round(6)
    return frame


def test_round_trip_csv_database_geojson_database(engine, new_database, tmp_path):
    directory_io.seed_default(engine)
    with session_scope(engine) as session:
        directory.retire_agency(session, "uptd-ppa-ppu", on=dt.date(2025, 1, 31))
    geojson = tmp_path / "agencies.geojson"
    directory_io.export_agencies(engine, geojson, public=False, include_retired=True)
    second = new_database("second")
    schema.init_db(second)
    directory_io.import_agencies(second, geojson)
    assert comparable(second).equals(comparable(engine))
    agreements = tmp_path / "agreements.geojson"
    directory_io.export_agreements(engine, agreements)
    directory_io.import_agreements(second, agreements)
    assert directory.agreements_frame(second).equals(directory.agreements_frame(engine))
    csv_path = tmp_path / "again.csv"
    directory_io.export_agencies(second, csv_path, public=False, include_retired=True)
    counts = {"added": 0, "updated": len(every_sample_row()), "retired": 0, "warnings": []}
    assert directory_io.import_agencies(second, csv_path) == counts
    assert comparable(second).equals(comparable(engine))


def test_geojson_export_follows_rfc_7946(engine, tmp_path):
    directory_io.seed_default(engine)
    [ntt] = [exact(row) for row in by_id(sample_rows(), "lpsk-ntt")]
    directory_io.import_agencies(engine, write_csv(tmp_path / "ntt.csv", [ntt]))
    collection = json.loads(directory_io.export_agencies(engine, fmt="geojson"))
    assert collection["type"] == "FeatureCollection" and "crs" not in collection
    lon, lat = next(f for f in collection["features"] if f["id"] == "lpsk-ntt")["geometry"]["coordinates"]
    assert (lon, lat) == pytest.approx((float(ntt["lon"]), float(ntt["lat"])), abs=1e-6)  # [lon, lat], not [lat, lon]


def test_public_export_never_shows_a_confidential_point(engine, tmp_path):
    rows = by_id(sample_rows(), "kemensos-rptc-bambu-apus", "lpsk-ntt")
    secret = ("106.8994", "-6.3103")  # a point in Cipayung, Jakarta Timur
    rows[0].update(lon=secret[0], lat=secret[1], location_precision="exact", address="Jl. Rahasia 1")
    directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows))
    collection = json.loads(directory_io.export_agencies(engine, fmt="geojson", public=True))
    shelter = next(f for f in collection["features"] if f["id"] == "kemensos-rptc-bambu-apus")
    lon, lat = shelter["geometry"]["coordinates"]
    assert (lon, lat) != pytest.approx(tuple(map(float, secret)), abs=1e-3)
    assert shelter["properties"]["redacted"] is True and shelter["properties"]["address"] is None
    assert lookup.locate(lon, lat, "regency")[0] == "31.75"
    public = directory_io.export_agencies(engine, fmt="csv", public=True)
    assert secret[0] not in public and secret[1] not in public and "Rahasia" not in public
    full = directory_io.export_agencies(engine, fmt="csv", public=False)
    assert secret[0] in full and "Rahasia" in full


def test_agreements_load_from_the_sample(engine):
    directory_io.seed_default(engine)
    frame = directory.agreements_frame(engine).set_index("id")
    pks = frame.loc["pks-kukar-ppu-2024"]
    assert (pks["area_a"], pks["area_b"], pks["signed_on"]) == ("64.02", "64.09", dt.date(2024, 7, 17))
    assert sorted(pks["capabilities"]) == ["legal_aid", "medical", "psychological"]
    assert set(frame.loc[frame["area_a"] == "64", "area_b"]) == {"32", "33", "35"}


def test_agreement_import_rejects_mixed_levels_and_unknown_capability(engine, tmp_path):
    rows = sample_rows("agreements")
    rows[0]["area_b"] = "32"  # a province with a regency
    rows[1]["capabilities"] = "repatriation"
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agreements(engine, write_csv(tmp_path / "a.csv", rows))
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "area_b"), (2, "capabilities")]
    assert count(engine, Agreement) == 0


def test_a_public_export_never_includes_retired_agencies(seeded_engine):
    with pytest.raises(InputError) as refused:
        directory_io.export_agencies(seeded_engine, fmt="csv", public=True, include_retired=True)
    assert refused.value.field == "include_retired"
