"""The sparse HiGHS models against brute-force enumeration and against PySAL spopt, on real NTT inputs."""

from __future__ import annotations

import dataclasses
from itertools import combinations

import numpy as np
import pytest
from planning_inputs import brute_force

from core.errors import InputError
from routing.planning import models
from routing.planning.models import Problem, nearest_open_h, solve


@pytest.mark.parametrize("model", ["mclp", "pmedian", "pcenter"])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_models_match_brute_force(ntt_problem, model, p):
    problem, _ = ntt_problem
    solution = solve(problem, model, p)
    assert solution.status == "optimal"
    assert len(solution.chosen) == p
    assert solution.objective == pytest.approx(brute_force(problem, model, p), rel=1e-9)


def test_set_cover_is_the_fewest_sites(ntt_problem):
    problem, _ = ntt_problem
    solution = solve(problem, "setcover")
    need = (problem.existing_nearest_h > problem.standard_h) & (problem.weight > 0)
    assert need.any()  # LPSK before 2024 had no office within 8 h of much of NTT
    hours = nearest_open_h(problem, solution.chosen)
    assert (hours[problem.weight > 0] <= problem.standard_h).all()
    fewer = len(solution.chosen) - 1
    for chosen in combinations(range(problem.time_h.shape[1]), fewer):
        assert (nearest_open_h(problem, np.array(chosen))[need] > problem.standard_h).any()


@pytest.mark.parametrize(("model", "p"), [("mclp", 1), ("mclp", 3), ("pmedian", 2), ("pcenter", 2), ("setcover", None)])
def test_models_match_spopt(ntt_problem, model, p):
    pytest.importorskip("spopt")
    from routing.planning.reference import spopt_solve

    problem, _ = ntt_problem
    ours, theirs = solve(problem, model, p), spopt_solve(problem, model, p)
    assert ours.objective == pytest.approx(theirs.objective, rel=1e-6)


def test_capacity_limits_what_is_covered(ntt_problem):
    problem, _ = ntt_problem
    free = solve(problem, "mclp", 2)
    roomy = solve(dataclasses.replace(problem, capacity=1e9), "mclp", 2)
    assert roomy.objective == pytest.approx(free.objective, rel=1e-9)
    capacity = 20.0
    tight = dataclasses.replace(problem, capacity=capacity)
    solution = solve(tight, "mclp", 2)
    offices = 2 + problem.existing_h.shape[1]
    assert solution.objective <= capacity * offices + 1e-6
    assert solution.objective < free.objective
    best = max(models.assigned_weight(tight, np.array(c)) for c in combinations(range(problem.time_h.shape[1]), 2))
    assert solution.objective == pytest.approx(best, rel=1e-7)


def test_capacitated_pmedian_serves_everyone_within_capacity(ntt_problem):
    problem, _ = ntt_problem
    total = float(problem.weight.sum())
    solution = solve(dataclasses.replace(problem, capacity=total / 2), "pmedian", 2)
    assert solution.status == "optimal"
    assert solution.objective >= solve(problem, "pmedian", 2).objective - 1e-6
    with pytest.raises(InputError, match="capacity"):
        solve(dataclasses.replace(problem, capacity=total / 100), "pmedian", 1)


def test_bad_inputs_are_refused(ntt_problem):
    problem, _ = ntt_problem
    with pytest.raises(InputError, match="`p` was 99"):
        solve(problem, "mclp", 99)
    with pytest.raises(InputError, match="`p` was 0"):
        solve(problem, "pmedian", 0)
    with pytest.raises(InputError, match="`model` was 'nearest'"):
        solve(problem, "nearest", 1)
    with pytest.raises(InputError, match=r"`standard_h` was 0\.5"):
        solve(dataclasses.replace(problem, standard_h=0.5), "setcover")
    with pytest.raises(InputError, match="`capacity`"):
        solve(dataclasses.replace(problem, capacity=10.0), "pcenter", 1)


def test_same_input_same_answer(ntt_problem):
    problem, _ = ntt_problem
    for model in ("mclp", "pmedian", "pcenter"):
        first, second = solve(problem, model, 2), solve(problem, model, 2)
        assert first.chosen.tolist() == second.chosen.tolist()
        assert first.objective == second.objective


def test_zero_weight_points_do_not_count():
    hours = np.array([[1.0, 9.0], [9.0, 1.0], [9.0, 9.0]])
    problem = Problem(hours, np.empty((3, 0)), np.array([1.0, 0.0, 0.0]), 2.0)
    assert solve(problem, "setcover").chosen.tolist() == [0]
    assert solve(problem, "pcenter", 1).objective == 1.0
