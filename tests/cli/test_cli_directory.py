"""`rujuk agencies list` and `show` say what the pages say: unconfirmed, retired, where, and the notes whole."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import directory
from cli import main
from core import settings


@pytest.fixture
def run(seeded_engine, monkeypatch):
    monkeypatch.setattr(settings, "database_url", seeded_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False, prog_name="rujuk")


def test_the_listing_marks_unconfirmed_offices_and_says_where_each_row_is(run, seeded_engine):
    frame = directory.directory_frame(seeded_engine).set_index("id")
    unconfirmed = set(frame.index[~frame["existence_confirmed"]])
    assert unconfirmed  # the sample has offices no source confirms
    rows = {row["id"]: row for row in json.loads(run("agencies", "list", "--json").output)}
    assert {i for i, row in rows.items() if row["status"] == "unconfirmed"} == unconfirmed
    assert rows["kri-tawau"]["where"] == "abroad: Tawau, MY" and rows["kri-tawau"]["location_kind"] == "abroad"
    assert rows["hotline-polri-110"]["where"].startswith("hotline (no place)")
    assert rows["lpsk-ntt"]["where"] == "53.71" and rows["lpsk-ntt"]["location_kind"] == "office"
    some = sorted(unconfirmed)[0]
    table = run("agencies", "list", "--area", str(frame.loc[some, "area_code"])).output
    line = next(line for line in table.splitlines() if line.strip().startswith(some))
    assert "unconfirmed" in line


def test_show_prints_the_notes_whole_and_the_unconfirmed_warning(run, seeded_engine):
    frame = directory.directory_frame(seeded_engine).set_index("id")
    some = sorted(frame.index[~frame["existence_confirmed"]])[0]
    shown = run("agencies", "show", some).output
    assert "unconfirmed: no source confirms this office exists" in shown
    notes = " ".join(frame.loc[some, "notes"].split())
    assert notes in " ".join(shown.split("  notes:", 1)[1].split())  # every word of the notes, wrapped
    assert f"verified on: {frame.loc[some, 'verified_on']}" in shown and frame.loc[some, "source_url"] in shown
    tawau = run("agencies", "show", "kri-tawau").output
    assert "where: abroad: Tawau, MY" in tawau and "point:" not in tawau and "unconfirmed" not in tawau


def test_show_hides_a_safe_house_unless_authorised_and_names_close_ids(run, seeded_engine):
    shelter = "kemensos-rptc-bambu-apus"
    true = directory.agencies_frame(seeded_engine).set_index("id").loc[shelter]
    public = run("agencies", "show", shelter).output
    assert "confidential: location, contacts and notes hidden" in public and "notes:" not in public
    assert f"{true['lat']:.5f}, {true['lon']:.5f}" not in public
    assert f"{true['lat']:.5f}, {true['lon']:.5f}" in run("agencies", "show", shelter, "--authorised").output
    unknown = run("agencies", "show", "kri-tawa")
    assert unknown.exit_code != 0 and "kri-tawau" in unknown.output


def test_the_report_lists_the_least_confirmed_areas_first_for_editors(run, seeded_engine):
    rows = json.loads(run("agencies", "report", "--json").output)
    shares = [row["confirmed_share"] or 0.0 for row in rows]
    assert shares == sorted(shares) and len(rows) == 38
    assert rows[0]["rows"] == 0 and "shelter" in rows[0]["capabilities_without_confirmed"]
    table = run("agencies", "report", "--level", "regency", "--within", "64", "--limit", "3").output.splitlines()
    assert len(table) == 4 and all(line.split()[0].startswith("64.") for line in table[1:])
    cells = json.loads(
        run("agencies", "report", "--by-capability", "--within", "17", "--capability", "shelter", "--json").output
    )
    assert [(c["code"], c["capability"], c["rows"]) for c in cells] == [("17", "shelter", 0)]
    assert run("agencies", "report", "--within", "99").exit_code != 0
