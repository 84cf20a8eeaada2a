"""GeoPackage import and export: the same records back, the same whole-file rejection and privacy as CSV."""

from __future__ import annotations

import stat

import geopandas as gpd
import pyogrio
import pytest
import shapely
from enriched_sample import RETIRED, SECRET, SHELTER, enrich
from sqlalchemy import func, select

import directory
from core import db
from core.db import session_scope
from core.errors import ImportRejectedError, InputError
from directory import io as directory_io
from directory.agencies import ServiceLocation
from store import schema


@pytest.fixture
def sample(engine, tmp_path):
    return enrich(engine, tmp_path)


def comparable(engine):
    frame = directory.directory_frame(engine, include_retired=True).drop(columns="geometry")
    frame[["lon", "lat"]] = frame[["lon", "lat"]].round(6)
    return frame


def fresh(tmp_path, name: str = "second"):
    engine = db.get_engine(f"sqlite:///{tmp_path / f'{name}.sqlite'}")
    schema.init_db(engine)
    return engine


def count(engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(ServiceLocation))


def test_a_full_geopackage_export_imports_back_to_the_same_records(sample, tmp_path):
    path = tmp_path / "directory.gpkg"
    assert directory_io.export_agencies(sample, path, public=False, include_retired=True) == str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    layer = pyogrio.read_info(path, layer="agencies")
    assert layer["geometry_type"] == "Point" and layer["crs"] == "EPSG:4326" and layer["features"] == count(sample)
    second = fresh(tmp_path)
    counts = directory_io.import_agencies(second, path)
    assert (counts["added"], counts["updated"]) == (count(sample), 0)
    before, after = comparable(sample), comparable(second)
    assert before.equals(after), before.compare(after)
    agreements = tmp_path / "agreements.gpkg"
    directory_io.export_agreements(sample, agreements)
    assert pyogrio.read_info(agreements, layer="agreements")["geometry_type"] == "LineString"
    directory_io.import_agreements(second, agreements)
    assert directory.agreements_frame(second).equals(directory.agreements_frame(sample))
    second.dispose()


def test_missions_abroad_and_hotlines_have_null_geometries_and_come_back(sample, tmp_path):
    path = tmp_path / "directory.gpkg"
    directory_io.export_agencies(sample, path, public=False)
    layer = pyogrio.read_dataframe(path, layer="agencies").set_index("id")
    assert layer.loc["hotline-polri-110"].geometry is None and layer.loc["kri-tawau"].geometry is None
    assert (layer.loc["kri-tawau", "city"], layer.loc["kri-tawau", "country"]) == ("Tawau", "MY")
    second = fresh(tmp_path)
    directory_io.import_agencies(second, path)
    kinds = directory.directory_frame(second).set_index("id")
    assert directory.location_kind(*kinds.loc["kri-tawau", ["agency_type", "country"]]) == "abroad"
    assert directory.location_kind(*kinds.loc["hotline-polri-110", ["agency_type", "country"]]) == "hotline"


def test_a_public_geopackage_hides_the_safe_house_and_cannot_be_imported(sample, tmp_path):
    path = tmp_path / "public.gpkg"
    directory_io.export_agencies(sample, path)
    layer = pyogrio.read_dataframe(path, layer="agencies").set_index("id")
    shelter = layer.loc[SHELTER]
    assert (shelter.geometry.x, shelter.geometry.y) != pytest.approx(SECRET, abs=1e-3)
    assert shelter["address"] is None or shelter["address"] != shelter["address"]  # empty
    assert bool(shelter["redacted"]) and RETIRED not in layer.index
    assert b"Rahasia" not in path.read_bytes()
    second = fresh(tmp_path)
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(second, path)
    assert [(e.row, e.field) for e in caught.value.errors] == [(0, "redacted")]
    assert "--full" in caught.value.errors[0].message and count(second) == 0


def test_a_geopackage_with_bad_rows_is_rejected_whole_naming_field_and_value(sample, tmp_path):
    path = tmp_path / "directory.gpkg"
    directory_io.export_agencies(sample, path, public=False)
    layer = pyogrio.read_dataframe(path, layer="agencies")
    layer.loc[1, "capabilities"] = "repatriation"
    layer.loc[2, "geometry"] = shapely.Point(151.2, -33.9)  # Sydney: lon/lat outside Indonesia
    layer.loc[3, "geometry"] = shapely.LineString([(110, -7), (111, -7)])
    bad = tmp_path / "bad.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame(layer, crs="EPSG:4326"), bad, layer="agencies")
    second = fresh(tmp_path)
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(second, bad)
    assert [(e.row, e.field) for e in caught.value.errors] == [(4, "geometry")]  # the file's shape first
    layer.loc[3, "geometry"] = None
    pyogrio.write_dataframe(gpd.GeoDataFrame(layer, crs="EPSG:4326"), bad, layer="agencies")
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(second, bad)
    found = [(e.row, e.field, e.value) for e in caught.value.errors]
    assert found[0] == (2, "capabilities", "repatriation")
    assert found[1][:2] == (3, "lon/lat") and found[1][2] == pytest.approx((151.2, -33.9))
    assert count(second) == 0


def test_a_layer_in_another_crs_is_reprojected(sample, tmp_path):
    path = tmp_path / "directory.gpkg"
    directory_io.export_agencies(sample, path, public=False)
    layer = pyogrio.read_dataframe(path, layer="agencies").to_crs("EPSG:3857")
    mercator = tmp_path / "mercator.gpkg"
    pyogrio.write_dataframe(layer, mercator, layer="agencies")
    second = fresh(tmp_path)
    directory_io.import_agencies(second, mercator)
    before, after = comparable(sample).set_index("id"), comparable(second).set_index("id")
    assert (before[["lon", "lat"]] - after[["lon", "lat"]]).abs().max().max() < 1e-6


def test_a_file_that_is_no_geopackage_or_lacks_the_layer_is_an_input_error_naming_it(sample, tmp_path):
    text = tmp_path / "text.gpkg"
    text.write_text("not a geopackage", encoding="utf-8")
    with pytest.raises(InputError, match="not a GeoPackage"):
        directory_io.import_agencies(sample, text)
    agreements = tmp_path / "agreements.gpkg"
    directory_io.export_agreements(sample, agreements)
    with pytest.raises(InputError, match=r"no layer 'agencies' \(its layers: \['agreements'\]\)"):
        directory_io.import_agencies(sample, agreements)
    with pytest.raises(InputError, match="required for a GeoPackage"):
        directory_io.export_agencies(sample, None, fmt="gpkg")


def test_an_empty_table_exports_a_layer_with_every_column(engine, tmp_path):
    path = tmp_path / "none.gpkg"
    directory_io.export_agreements(engine, path)
    info = pyogrio.read_info(path, layer="agreements")
    assert info["features"] == 0 and list(info["fields"]) == list(directory.AGREEMENT_FIELDS)
    assert directory_io.import_agreements(engine, path) == {"added": 0, "updated": 0, "deleted": 0, "warnings": []}
