"""The `rujuk` command line on the real data and a real SQLite database."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil

import click
import pytest
from click.testing import CliRunner

from cli import main
from core import settings


@pytest.fixture
def run(seeded_engine, monkeypatch):
    monkeypatch.setattr(settings, "database_url", seeded_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False, prog_name="rujuk")

    return invoke


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand under `group`, walked from click's own tree."""
    paths = []
    for name, command in group.commands.items():
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


def test_every_command_and_subcommand_has_help(run):
    paths = command_paths(main)
    assert {("data", "build"), ("agencies", "import"), ("cases", "list"), ("users", "token"), ("refer",)} <= set(paths)
    for path in paths:
        result = run(*path, "--help")
        assert result.exit_code == 0, path
        assert f"Usage: rujuk {' '.join(path)} " in result.output and "--help" in result.output, path


def artefact_rows(output: str) -> dict[str, list[str]]:
    return {line.split()[0]: line.split()[1:] for line in output.splitlines() if line.startswith("  ")}


def test_data_build_lists_every_artefact_with_its_size_and_reuse(run):
    from geo import boundaries

    result = run("data", "build", "--quiet")
    assert result.exit_code == 0
    rows = artefact_rows(result.output)
    paths = boundaries.artefact_paths()
    assert len(rows) == len(paths) == 8
    folder = boundaries.boundaries_dir()
    for path in paths.values():
        size, unit, state = rows[str(path.relative_to(folder))]
        assert (unit, state) == ("MB", "reused") and float(size) == pytest.approx(path.stat().st_size / 1e6, abs=0.005)
    assert "artefacts: 8" not in result.output and "schema_version" in result.output


def test_data_build_says_which_artefacts_were_built(tmp_path, monkeypatch):
    from cli.data import artefact_lines, artefact_states
    from geo import boundaries

    shutil.copytree(boundaries.boundaries_dir(), tmp_path / "boundaries")
    monkeypatch.setattr(settings, "data_dir", tmp_path)
    before = artefact_states()
    web = boundaries.artefact_paths()["web_province"]
    shutil.copy(web, tmp_path / "new.geojson")
    os.replace(tmp_path / "new.geojson", web)  # written anew and moved into place, as a build does
    rows = artefact_rows("\n".join(f"  {line}" for line in artefact_lines(before)))
    assert rows.pop("web/provinces.geojson")[2] == "built"
    assert {state for _, _, state in rows.values()} == {"reused"}
    (tmp_path / "boundaries" / "islands.parquet").unlink()
    assert artefact_rows("\n".join(f"  {line}" for line in artefact_lines(before)))["islands.parquet"] == [
        "-",
        "missing",
    ]


def test_find_lists_every_candidate_for_an_ambiguous_name(run):
    result = run("find", "kupang")
    assert result.exit_code == 0 and "53.71" in result.output and "53.01" in result.output


def test_areas_within_a_province(run):
    result = run("areas", "regency", "--within", "64", "--format", "json")
    codes = {row["code"] for row in json.loads(result.output)}
    assert {"64.02", "64.09", "64.71"} <= codes and all(code.startswith("64.") for code in codes)


def test_refer_prints_the_jurisdiction_of_each_agency(run):
    result = run("refer", "--at", "Tenggarong", "--needs", "psychological", "--k", "10")
    assert result.exit_code == 0
    assert "own area" in result.output and "by cooperation agreement" in result.output


def test_refer_prints_the_jurisdiction_per_need_where_the_needs_differ(run):
    result = run("refer", "--at", "Penajam", "--needs", "shelter,psychological", "--k", "30")
    line = next(part for part in result.output.split("\n\n") if "(uptd-ppa-kukar)" in part or "uptd-ppa-kukar" in part)
    assert "by cooperation agreement for psychological" in line
    assert "cross-border: coordination needed for shelter" in line


def test_refer_json_is_the_whole_answer(run):
    result = run("refer", "--at", "Kalabahi", "--needs", "witness_protection", "--modes", "road,sea", "--json")
    answer = json.loads(result.output)
    assert answer["candidates"][0]["id"] == "lpsk-ntt" and answer["candidates"][0]["sea_legs"] >= 1
    assert answer["limits"]["modes"] == "road,sea"


def test_route_prints_the_legs_in_a_line_and_json_has_them_all(run):
    result = run("route", "Wamena", "Kota Jayapura")
    assert result.exit_code == 0 and "flight" in result.output and "DJJ-WMX flight" in result.output
    answer = json.loads(run("route", "Kota Batam", "Kota Tanjung Pinang", "--modes", "road,sea", "--json").output)
    assert [leg["mode"] for leg in answer["legs"]].count("fast_boat") == 1 and answer["modes"] == "road,sea"
    bad = run("route", "Kota Batam", "Kota Tanjung Pinang", "--modes", "air")
    assert bad.exit_code == 2 and "`modes`" in bad.output


def test_bad_input_exits_2_naming_the_field(run):
    result = run("refer", "--at", "Tenggarong", "--needs", "shelterr")
    assert result.exit_code == 2 and "`needs` was 'shelterr'" in result.output and "shelter" in result.output
    result = run("areas", "district", "--within", "99")
    assert result.exit_code == 2 and "`within` was '99' but no province has that code" in result.output


def test_areas_names_its_argument_level_and_lists_the_levels(run):
    result = run("areas", "foo")
    assert result.exit_code == 2
    assert "Invalid value for 'LEVEL': 'foo'" in result.output and "'province', 'regency', 'district'" in result.output
    assert "Usage: rujuk areas [OPTIONS] LEVEL" in run("areas", "--help").output


def test_agencies_list_refuses_an_unknown_area_with_close_codes(run):
    result = run("agencies", "list", "--area", "64.99")
    assert (
        result.exit_code == 2
        and "'64.99'" in result.output
        and "64.09 (Kabupaten Penajam Paser Utara)" in result.output
    )
    result = run("agencies", "list", "--area", "99")
    assert result.exit_code == 2 and "`area` was '99' but no province has that code" in result.output
    result = run("agreements", "list", "--area", "64.99")
    assert result.exit_code == 2 and "`area` was '64.99'" in result.output and "64.09" in result.output
    assert "uptd-ppa-kukar" in run("agencies", "list", "--area", "64.02").output


def test_find_without_a_match_exits_1_with_a_message(run):
    result = run("find", "zzzz")
    assert result.exit_code == 1 and "No place matches 'zzzz'" in result.output
    result = run("find", "zzzz", "--json")
    assert result.exit_code == 1 and result.output.startswith("[")
    assert run("find", "tenggarong").exit_code == 0


def test_cases_list_suppresses_small_counts(run):
    result = run("cases", "list", "--level", "regency")
    assert result.exit_code == 0 and "<5" in result.output


def test_agency_import_rejects_a_bad_file_whole(run, tmp_path):
    exported = run("agencies", "export", "--format", "csv", "--full").output
    header, *rows = exported.splitlines()
    good = rows[0].replace(rows[0].split(",")[0], "new-unit", 1)  # a new id: would be added
    broken = next(row for row in rows if "intake;" in row).replace("intake;", "intakee;", 1)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([header, good, broken]) + "\n")
    before = run("agencies", "list", "--json").output
    result = run("agencies", "import", str(bad))
    assert result.exit_code == 2 and "rejected" in result.output and "intakee" in result.output
    assert run("agencies", "list", "--json").output == before


def test_imports_of_huge_numbers_are_row_errors_not_tracebacks(run, tmp_path):
    exported = run("agencies", "export", "--format", "csv", "--full").output
    rows = list(csv.DictReader(io.StringIO(exported, newline="")))  # every text cell of an export is quoted
    row = next(row for row in rows if row["id"] == "uptd-ppa-ppu")
    row["capacity"] = huge = "99999999999999999999"
    agencies = tmp_path / "agencies.csv"
    with agencies.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    result = run("agencies", "import", str(agencies))
    assert result.exit_code == 2 and f"row 1: `capacity` was '{huge}' but is more than" in result.output
    figures = tmp_path / "figures.csv"
    figures.write_text(
        "area_code,period_start,period_end,measure,unit,value,source\n"
        f"53.71,2023-01-01,2023-12-31,police TPPO victims,victims,{huge},test\n"
    )
    result = run("cases", "import", str(figures))
    assert result.exit_code == 2 and f"row 1: `value` was '{huge}' but is more than" in result.output


@pytest.mark.parametrize("command", [["agencies", "list"], ["coverage", "--capability", "shelter"], ["users", "list"]])
def test_a_missing_database_says_to_run_data_build(command, tmp_path, monkeypatch):
    from core import settings

    monkeypatch.setattr(settings, "database_url", f"sqlite:///{tmp_path / 'missing.sqlite'}")
    result = CliRunner().invoke(main, command)
    assert result.exit_code != 0 and "rujuk data build" in result.output
