"""Missions abroad and hotlines: imported and checked, stored without a point, never routed to; the schema 4 upgrade."""

from __future__ import annotations

import csv
import json

import pytest
from csv_rows import write_csv
from sqlalchemy import func, inspect, select

import directory
from core import db
from core.errors import ImportRejectedError
from directory import io as directory_io
from directory.agencies import Service, ServiceLocation
from store import schema

SAMPLE = directory_io.default_dir()

VERSION_3_TABLES = (
    """CREATE TABLE agencies (
    id VARCHAR(80) NOT NULL, organization_id VARCHAR(80) NOT NULL, name TEXT NOT NULL,
    agency_type VARCHAR(40) NOT NULL, jurisdiction_level VARCHAR(20) NOT NULL, area_code VARCHAR(13) NOT NULL,
    address TEXT, lon FLOAT NOT NULL, lat FLOAT NOT NULL, location_precision VARCHAR(20) NOT NULL,
    confidential BOOLEAN NOT NULL, phone TEXT, email TEXT, opening_hours TEXT, languages TEXT, capacity INTEGER,
    source TEXT NOT NULL, source_url TEXT, verified_on DATE, existence_confirmed BOOLEAN NOT NULL, retired_on DATE,
    notes TEXT, version INTEGER DEFAULT 1 NOT NULL, PRIMARY KEY (id),
    FOREIGN KEY(organization_id) REFERENCES organizations (id))""",
    "CREATE INDEX ix_agencies_area_code ON agencies (area_code)",
    "CREATE INDEX ix_agencies_organization_id ON agencies (organization_id)",
    """CREATE TABLE services (
    agency_id VARCHAR(80) NOT NULL, capability VARCHAR(40) NOT NULL, PRIMARY KEY (agency_id, capability),
    FOREIGN KEY(agency_id) REFERENCES agencies (id) ON DELETE CASCADE)""",
)
"""The two tables as schema version 3 created them (``sqlite3 .schema`` of a version 3 database)."""


def sample_rows(name: str) -> list[dict[str, str]]:
    with (SAMPLE / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def one(name: str, agency_id: str) -> dict[str, str]:
    return next(row for row in sample_rows(name) if row["id"] == agency_id)


def errors_of(engine, path) -> list[tuple[int, str, object]]:
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, path)
    return [(error.row, error.field, error.value) for error in caught.value.errors]


def test_a_mission_abroad_and_a_hotline_are_stored_without_a_point_and_never_routed_to(engine, tmp_path):
    tawau, sapa = one("abroad", "kri-tawau"), one("hotlines", "hotline-sapa-129")
    directory_io.import_agencies(engine, write_csv(tmp_path / "abroad.csv", [tawau]))
    directory_io.import_agencies(engine, write_csv(tmp_path / "hotline.csv", [sapa]))
    assert directory.agencies_frame(engine).empty  # nothing to travel to
    remote = directory.remote_services_frame(engine).set_index("id")
    assert list(remote.index) == ["hotline-sapa-129", "kri-tawau"]  # hotlines first
    assert remote.loc["kri-tawau", ["location_kind", "country", "country_name", "city", "area_code"]].tolist() == [
        "abroad",
        "MY",
        "Malaysia",
        "Tawau",
        None,
    ]
    assert "repatriation_international" in remote.loc["kri-tawau", "capabilities"]
    assert remote.loc["hotline-sapa-129", ["location_kind", "country", "phone"]].tolist() == [
        "hotline",
        "ID",
        sapa["phone"],
    ]
    frame = directory.directory_frame(engine).set_index("id")
    assert frame["geometry"].isna().all() and frame["lon"].isna().all()  # no point is ever made up


def test_the_full_export_of_missions_abroad_and_hotlines_reads_back_unchanged(engine, tmp_path):
    rows = sample_rows("abroad")[:3] + sample_rows("hotlines")
    directory_io.import_agencies(engine, write_csv(tmp_path / "remote.csv", rows))
    text = directory_io.export_agencies(engine, tmp_path / "remote.geojson", public=False)
    features = json.loads(text)["features"]
    assert [f["geometry"] for f in features] == [None] * len(rows)
    assert {f["properties"]["id"]: f["properties"]["country"] for f in features}["kbri-abu-dhabi"] == "AE"
    again = db.get_engine(f"sqlite:///{tmp_path / 'again.sqlite'}")
    schema.init_db(again)
    directory_io.import_agencies(again, tmp_path / "remote.geojson")
    directory_io.export_agencies(again, tmp_path / "again.csv", public=False)
    assert directory_io.import_agencies(again, tmp_path / "again.csv")["updated"] == len(rows)
    assert directory.remote_services_frame(again).equals(directory.remote_services_frame(engine))
    again.dispose()


def test_rows_that_mix_up_abroad_hotline_and_office_are_rejected_naming_field_and_value(engine, tmp_path):
    tawau, sapa = one("abroad", "kri-tawau"), one("hotlines", "hotline-sapa-129")
    office = {**one("agencies", "lpsk-ntt"), "city": "", "country": ""}
    rows = [
        {**tawau, "area_code": "65.03"},  # a mission abroad has no Kemendagri code
        {**tawau, "id": "t2", "city": ""},  # nor can it lack its city
        {**tawau, "id": "t3", "country": "Malaysia"},  # a name, not a code
        {**tawau, "id": "t4", "country": "my"},
        {**tawau, "id": "t5", "location_precision": "regency_seat"},
        {**tawau, "id": "t6", "confidential": "true"},
        {**sapa, "id": "h2", "lon": "106.8", "lat": "-6.2", "city": "", "country": ""},  # a hotline has no place
        {**sapa, "id": "h3", "location_precision": "regency_seat", "city": "", "country": ""},
        {**office, "id": "o2", "location_precision": "abroad"},  # abroad needs a country outside Indonesia
        {**tawau, "id": "t7", "lon": "118.1", "lat": "95"},
    ]
    found = errors_of(engine, write_csv(tmp_path / "bad.csv", rows))
    assert (1, "area_code", "65.03") in found
    assert (2, "city", "") in found
    assert (3, "country", "Malaysia") in found and (4, "country", "my") in found
    assert (5, "location_precision", "regency_seat") in found
    assert (6, "confidential", "true") in found
    assert (7, "lon/lat", ("106.8", "-6.2")) in found
    assert (8, "location_precision", "regency_seat") in found
    assert (9, "location_precision", "abroad") in found
    assert (10, "lon/lat", (118.1, 95.0)) in found
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, write_csv(tmp_path / "name.csv", [{**tawau, "country": "Malaysia"}]))
    assert "'Malaysia' is 'MY'" in str(caught.value) and "ISO 3166-1 alpha-2" in str(caught.value)
    assert directory.directory_frame(engine).empty  # nothing written


def test_a_mission_abroad_keeps_a_point_its_source_gives(engine, tmp_path):
    row = {**one("abroad", "kri-tawau"), "lon": "117.9", "lat": "4.25"}
    directory_io.import_agencies(engine, write_csv(tmp_path / "point.csv", [row]))
    stored = directory.directory_frame(engine).set_index("id").loc["kri-tawau"]
    assert (stored["lon"], stored["lat"]) == (117.9, 4.25)
    assert directory.agencies_frame(engine).empty  # still abroad: not travelled to by the referral engine


def test_a_version_3_database_is_upgraded_with_every_agency_kept_and_data_build_adds_the_missions(
    seeded_engine, tmp_path
):
    old = db.get_engine(f"sqlite:///{tmp_path / 'v3.sqlite'}")
    kept = [t for t in db.Base.metadata.sorted_tables if t.name not in ("agencies", "services")]
    columns = "id, organization_id, name, agency_type, jurisdiction_level, area_code, address, lon, lat, "
    columns += "location_precision, confidential, phone, email, opening_hours, languages, capacity, source, "
    columns += "source_url, verified_on, existence_confirmed, retired_on, notes, version"
    with seeded_engine.connect() as source:
        offices = source.exec_driver_sql(f"SELECT {columns} FROM agencies WHERE country = 'ID' AND lon IS NOT NULL")
        agencies = [tuple(row) for row in offices]
        services = [tuple(row) for row in source.execute(select(db.table_of(Service)))]
        organizations = [tuple(row) for row in source.execute(select(db.table_of(directory.Organization)))]
    with old.begin() as connection:
        db.Base.metadata.create_all(connection, tables=kept)
        for statement in VERSION_3_TABLES:
            connection.exec_driver_sql(statement)
        connection.exec_driver_sql(f"INSERT INTO organizations VALUES ({', '.join('?' * 6)})", organizations)
        connection.exec_driver_sql(f"INSERT INTO agencies ({columns}) VALUES ({', '.join('?' * 23)})", agencies)
        offered = [(a, c) for a, c in services if a in {row[0] for row in agencies}]
        connection.exec_driver_sql("INSERT INTO services VALUES (?, ?)", offered)
        connection.execute(db.table_of(schema.SchemaInfo).insert().values(id=1, version=3))
    routed_before = directory.agencies_frame(seeded_engine, include_retired=True)

    assert schema.init_db(old) == schema.SCHEMA_VERSION == 4
    nullable = {c["name"]: c["nullable"] for c in inspect(old).get_columns("agencies")}
    assert nullable["area_code"] and nullable["lon"] and nullable["lat"] and not nullable["country"]
    with db.session_scope(old) as session:
        assert session.scalar(select(func.count()).select_from(Service)) == len(offered)  # no cascade ran
        assert set(session.scalars(select(ServiceLocation.country))) == {"ID"}
    assert (
        directory.agencies_frame(old, include_retired=True)
        .drop(columns="geometry")
        .equals(routed_before.drop(columns="geometry"))
    )  # every value, version and capability kept
    report = directory_io.seed_default(old)  # what `rujuk data build` runs after the upgrade
    # the offices are kept (no agreement was copied)
    assert report["directory_seeded"] == ["abroad", "hotlines", "agreements"]
    assert len(directory.remote_services_frame(old)) == len(sample_rows("abroad")) + len(sample_rows("hotlines"))
    old.dispose()
