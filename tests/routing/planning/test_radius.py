"""The p-median's row generation (routing/planning/radius.py) against brute force on real NTT inputs."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from planning_inputs import brute_force

from routing.planning.models import Problem, solve


def without_existing(problem: Problem) -> Problem:
    return dataclasses.replace(problem, existing_h=np.empty((len(problem.weight), 0)))


@pytest.mark.parametrize("p", [1, 2, 3, 4])
def test_pmedian_without_existing_sites_matches_brute_force(ntt_problem, p):
    problem = without_existing(ntt_problem[0])
    assert not np.isfinite(problem.existing_nearest_h).any()  # every point needs a candidate: no cut at e_i
    solution = solve(problem, "pmedian", p)
    assert solution.status == "optimal"
    assert solution.mip_gap == 0.0
    assert solution.objective == pytest.approx(brute_force(problem, "pmedian", p), rel=1e-9)
