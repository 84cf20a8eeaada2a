"""plan() on the whole country: LPSK's offices before 2024, the police figures as demand, brute force for small p."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pytest

from core.errors import InputError
from routing.planning import plan_answer, plan_csv, plan_geojson
from routing.planning.models import nearest_open_h
from routing.planning.planner import plan
from routing.planning.schemas import PLAN

POLICE = {"measure": "police TPPO victims", "level": "regency"}


@pytest.fixture(scope="module")
def two_sites(seeded_engine, lpsk_before_2024):
    return plan(seeded_engine, "witness_protection", p=2, standard_h=8, existing=lpsk_before_2024, **POLICE)


def _best_pair(problem) -> float:
    """Brute force over every pair of regency seats: the most demand within the standard."""
    best = 0.0
    base = problem.existing_nearest_h
    within = problem.time_h <= problem.standard_h
    for first in range(problem.time_h.shape[1]):
        covered = (base <= problem.standard_h) | within[:, first]
        gain = (problem.weight[:, None] * (within & ~covered[:, None])).sum(axis=0)
        best = max(best, float(problem.weight[covered].sum() + gain.max()))
    return best


def test_mclp_matches_brute_force_over_every_pair(two_sites):
    assert two_sites.solution.status == "optimal"
    assert two_sites.after["covered"] == pytest.approx(_best_pair(two_sites.problem), rel=1e-9)
    assert two_sites.after["covered"] > two_sites.before["covered"]


def test_one_site_matches_brute_force(seeded_engine, lpsk_before_2024, two_sites):
    single = plan(seeded_engine, "witness_protection", p=1, standard_h=8, existing=lpsk_before_2024, **POLICE)
    problem = single.problem
    scores = [problem.weight[nearest_open_h(problem, np.array([j])) <= 8].sum() for j in range(problem.time_h.shape[1])]
    assert single.after["covered"] == pytest.approx(max(scores), rel=1e-9)
    # the first site in order of added value of the two-site plan adds at least as much as any second one
    assert two_sites.order[0][1] >= two_sites.order[1][1]


def test_answer_has_its_schema_and_adds_up(two_sites):
    answer = plan_answer(two_sites)
    jsonschema.validate(answer, PLAN)
    sites = answer["sites"]
    assert [site["rank"] for site in sites] == [1, 2]
    gained = sum(site["added_value"] for site in sites)
    assert gained == pytest.approx(answer["after"]["covered"] - answer["before"]["covered"], abs=1e-3)
    assert answer["after"]["uncovered_areas"] == answer["before"]["uncovered_areas"] - len(answer["newly_covered"])
    assert answer["demand"]["measure"] == "police TPPO victims" and answer["demand"]["period"] == "2023"
    assert "population" in answer["demand"]["method"]
    assert answer["after"]["mean_h"] <= answer["before"]["mean_h"]
    assert {row["code"] for row in answer["existing"]} == {"lpsk-pusat", "lpsk-diy", "lpsk-sumut"}
    robustness = answer["robustness"]
    assert robustness and all(row["measure"] != "police TPPO victims" for row in robustness)
    assert any(row["weighting"] == "population" for row in robustness)
    assert all(row["best_value"] >= row["plan_value"] - 1e-6 for row in robustness)


def test_same_input_same_answer(seeded_engine, lpsk_before_2024, two_sites):
    again = plan(seeded_engine, "witness_protection", p=2, standard_h=8, existing=lpsk_before_2024, **POLICE)
    first, second = plan_answer(two_sites), plan_answer(again)
    for answer in (first, second):
        answer.pop("solver"), answer.pop("travel")
    assert first == second


def test_exports(two_sites):
    collection = json.loads(plan_geojson(two_sites))
    roles = {feature["properties"]["role"] for feature in collection["features"]}
    assert {"new_site", "existing_site", "newly_covered", "uncovered"} <= roles
    lines = plan_csv(two_sites).splitlines()
    assert lines[0].startswith('"rank","code","name"') and len(lines) == 3


@pytest.mark.parametrize("model", ["pmedian", "pcenter", "setcover"])
def test_other_models_improve_on_the_existing_sites(seeded_engine, lpsk_before_2024, model):
    result = plan(
        seeded_engine,
        "witness_protection",
        p=2,
        model=model,
        standard_h=30,
        existing=lpsk_before_2024,
        robustness=False,
        **POLICE,
    )
    assert result.solution.status == "optimal"
    if model == "setcover":
        assert result.after["covered_share"] == pytest.approx(1.0)
    else:
        assert result.after["mean_h"] <= result.before["mean_h"]
        assert result.after["worst_h"] <= result.before["worst_h"]


def test_bad_requests_are_refused(seeded_engine, engine, lpsk_before_2024):
    common = {"existing": lpsk_before_2024, "robustness": False, **POLICE}
    with pytest.raises(InputError, match="`p` was 515"):
        plan(seeded_engine, "witness_protection", p=515, **common)
    with pytest.raises(InputError, match="`capability` was"):
        plan(seeded_engine, "teleportation", p=1, **common)
    with pytest.raises(InputError, match=r"`standard_h`.*no site"):
        plan(seeded_engine, "witness_protection", p=1, standard_h=0.01, **common)
    with pytest.raises(InputError, match=r"`standard_h`.*cannot be met everywhere"):
        plan(seeded_engine, "witness_protection", model="setcover", standard_h=4, **common)
    with pytest.raises(InputError, match="`measure` was 'police TPPO victims' but has no figures"):
        plan(engine, "witness_protection", p=1, **common)  # a database without case figures: no demand
    with pytest.raises(InputError, match="`period` was '2019-01-01/2019-12-31'"):
        plan(seeded_engine, "witness_protection", p=1, period="2019", **common)
