"""The p-median's row generation (routing/planning/radius.py) against brute force on real inputs (NTT, Jambi)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from planning_inputs import brute_force

from routing.planning.models import Problem, solve, weighted_hours
from routing.planning.radius import Radii, pmedian_rows

JAMBI_CITY = "15.71"
"""Kota Jambi, the seat of Jambi province (code 15): the existing office of one of the MIP-phase cases."""


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


@pytest.fixture(scope="module")
def jambi_hours():
    """Jambi's 144 districts (weighted by population) x its 11 regency seats, hours on the national network."""
    from routing.national import national_network
    from routing.planning.candidates import Sites, regency_seats
    from routing.planning.demand import load_demand
    from routing.planning.planner import travel_hours

    demand = load_demand(None, "district", "population")
    seats = regency_seats().frame
    seats = seats[seats["code"].str.startswith("15.")].reset_index(drop=True)
    hours, _ = travel_hours(national_network(), demand, Sites(seats))
    inside = demand.areas["province_code"].to_numpy() == "15"
    return hours[inside], demand.weight[inside], seats["code"].to_numpy()


@pytest.mark.parametrize(("existing", "p", "least_mip_rounds"), [(None, 5, 2), (JAMBI_CITY, 3, 1)])
def test_mip_phase_matches_brute_force(jambi_hours, existing, p, least_mip_rounds):
    """The MIP phase (an LP optimum that is not integral) finds the plan brute force finds, and proves it optimal.

    No parameter forces the phase: on these real inputs the radius formulation's LP relaxation is fractional,
    so the LP phase ends on a fractional optimum and the master is solved as a MIP, with cuts added until its
    plan violates none (``mip_rounds`` counts those masters: at least two without an existing site, so the
    phase's cut loop runs too). NTT's police figures (the other tests) never get there: their LP optimum is
    integral for every p from 1 to 21, with or without LPSK's offices. The phase is checked for any starting
    plan (here the first `p` seats) and through :func:`solve` (its greedy start).
    """
    hours, weight, codes = jambi_hours
    opens = codes == existing
    problem = Problem(hours[:, ~opens], hours[:, opens], weight, 8.0)
    radii = Radii.of(problem.time_h, problem.existing_nearest_h, problem.weight)
    found = pmedian_rows(radii, p, np.arange(p), time_limit_s=60.0)
    assert found.mip_rounds >= least_mip_rounds, "the LP phase ended integral: this case no longer tests the MIP phase"
    assert found.optimal
    assert len(found.chosen) == p
    best = brute_force(problem, "pmedian", p)
    assert weighted_hours(problem, found.chosen) == pytest.approx(best, rel=1e-9)
    assert found.lower_bound == pytest.approx(radii.value(found.chosen), rel=1e-9)  # the bound is attained
    solution = solve(problem, "pmedian", p)
    assert (solution.status, solution.mip_gap) == ("optimal", 0.0)
    assert solution.objective == pytest.approx(best, rel=1e-9)
