"""`rujuk agencies|agreements export|import --format`: GeoPackage and HSDS files through the command line."""

from __future__ import annotations

import json
import stat

import pytest
from click.testing import CliRunner

import directory
from cli import main
from core import settings
from directory import _hsds_schema

NEEDS_SCHEMA = pytest.mark.skipif(
    not _hsds_schema.available(),
    reason="the pinned HSDS 3.0 schema (geo/registry.txt) is neither in this data mirror nor downloadable here",
)


@pytest.fixture
def run(monkeypatch):
    runner = CliRunner()

    def invoke(engine, *args: str):
        monkeypatch.setattr(settings, "database_url", engine.url.render_as_string(hide_password=False))
        return runner.invoke(main, list(args), catch_exceptions=False, prog_name="rujuk")

    return invoke


def _frame(engine):
    frame = directory.directory_frame(engine, include_retired=True).drop(columns="geometry")
    frame[["lon", "lat"]] = frame[["lon", "lat"]].round(6)
    return frame


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        pytest.param("directory.hsds.json", None, marks=NEEDS_SCHEMA),
        pytest.param("directory.json", "hsds", marks=NEEDS_SCHEMA),
        ("d.gpkg", None),
    ],
)
def test_a_full_export_imports_into_an_engine_database_through_the_command_line(
    run, seeded_engine, engine, tmp_path, name, fmt
):
    path = tmp_path / name
    named = ["--format", fmt] if fmt else []
    exported = run(seeded_engine, "agencies", "export", str(path), "--full", *named)
    assert exported.exit_code == 0, exported.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    imported = run(engine, "agencies", "import", str(path), *named)
    assert imported.exit_code == 0, imported.output
    assert imported.output.startswith(f"added: {len(_frame(seeded_engine))}, updated: 0")
    assert _frame(engine).equals(_frame(seeded_engine))


@NEEDS_SCHEMA
def test_hsds_goes_to_standard_output(run, seeded_engine):
    printed = run(seeded_engine, "agencies", "export", "--format", "hsds")
    assert printed.exit_code == 0 and {"organization", "service", "location"} <= set(json.loads(printed.output))


def test_a_geopackage_needs_a_file_and_agreements_have_no_hsds_form(run, seeded_engine, tmp_path):
    refused = run(seeded_engine, "agencies", "export", "--format", "gpkg")
    assert refused.exit_code == 2 and "A GeoPackage is written to a file" in refused.output
    hsds = run(seeded_engine, "agreements", "export", str(tmp_path / "a.json"), "--format", "hsds")
    assert hsds.exit_code == 2 and "'hsds' is not one of" in hsds.output
    unknown = run(seeded_engine, "agreements", "export", str(tmp_path / "a.hsds.json"))
    assert unknown.exit_code == 2 and "--format csv|geojson|gpkg" in unknown.output


def test_agreements_round_trip_as_a_geopackage(run, seeded_engine, engine, tmp_path):
    path = tmp_path / "agreements.gpkg"
    assert run(seeded_engine, "agreements", "export", str(path)).exit_code == 0
    imported = run(engine, "agreements", "import", str(path))
    assert imported.exit_code == 0, imported.output
    assert directory.agreements_frame(engine).equals(directory.agreements_frame(seeded_engine))
