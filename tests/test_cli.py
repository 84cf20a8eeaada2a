"""The `rujuk` command line on the real data and a real SQLite database."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from cli import main
from geo import settings


@pytest.fixture
def run(seeded_engine, monkeypatch):
    monkeypatch.setattr(settings, "database_url", seeded_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return invoke


def test_every_command_has_help(run):
    for command in ("data", "areas", "find", "agencies", "agreements", "cases", "refer", "coverage", "serve"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage" in result.output


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


def test_refer_json_is_the_whole_answer(run):
    result = run("refer", "--at", "Kalabahi", "--needs", "witness_protection", "--json")
    answer = json.loads(result.output)
    assert answer["candidates"][0]["id"] == "lpsk-ntt" and answer["candidates"][0]["sea_legs"] >= 1


def test_bad_input_exits_2_naming_the_field(run):
    result = run("refer", "--at", "Tenggarong", "--needs", "shelterr")
    assert result.exit_code == 2 and "`needs` was 'shelterr'" in result.output and "shelter" in result.output
    result = run("areas", "district", "--within", "99")
    assert result.exit_code == 2 and "99" in result.output


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
