"""`rujuk plan` on the seeded database: the table, --json in the plan's schema, --geojson, candidates and errors."""

from __future__ import annotations

import json

import jsonschema
import pytest
from click.testing import CliRunner

from cli import main
from core import settings
from routing.planning.schemas import PLAN

BASE = ("plan", "--capability", "witness_protection", "--standard", "8h", "--level", "regency")


@pytest.fixture
def run(seeded_engine, monkeypatch):
    monkeypatch.setattr(settings, "database_url", seeded_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, list(args), catch_exceptions=False)


def test_table_names_the_sites_the_figures_and_the_solver(run):
    result = run(*BASE, "--p", "2", "--demand", "police TPPO victims:2023", "--no-robustness")
    assert result.exit_code == 0, result.output
    assert "police TPPO victims (katongntt.com, 2023)" in result.output
    for label in ("demand covered", "mean hours", "worst hours", "areas beyond standard", "solver: optimal"):
        assert label in result.output
    assert "note: Cases estimated from the published figures" in result.output


def test_json_follows_the_schema_and_geojson_has_sites_and_areas(run):
    answer = json.loads(run(*BASE, "--p", "1", "--demand", "police TPPO victims", "--json").output)
    jsonschema.validate(answer, PLAN)
    assert len(answer["sites"]) == 1 and answer["robustness"]
    collection = json.loads(run(*BASE, "--p", "1", "--no-robustness", "--geojson").output)
    roles = {feature["properties"]["role"] for feature in collection["features"]}
    assert {"new_site", "existing_site"} <= roles


def test_candidates_file_limits_the_choice(run, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text("code,name\n53.71,\n53.10,\n", encoding="utf-8")  # Kota Kupang, Sikka (Maumere)
    answer = json.loads(run(*BASE, "--p", "1", "--candidates", str(path), "--no-robustness", "--json").output)
    assert answer["candidates"] == 2
    assert answer["sites"][0]["code"] in {"53.71", "53.10"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--p", "600"), "`p` was 600"),
        (("--standard", "soon"), "`standard` was 'soon'"),
        (("--demand", "rumours"), "`measure` was 'rumours' but has no figures"),
        (("--model", "setcover", "--standard", "1h"), "cannot be met everywhere"),
    ],
)
def test_bad_input_exits_2_with_the_field(run, args, message):
    result = run(*BASE, "--no-robustness", *args)
    assert result.exit_code == 2
    assert message in result.output
