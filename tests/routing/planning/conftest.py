"""Shared inputs of the planning tests: LPSK's offices before 2024 and a small real problem (NTT)."""

from __future__ import annotations

import pytest

LPSK_BEFORE_2024 = ("lpsk-pusat", "lpsk-diy", "lpsk-sumut")
"""LPSK's head office (Jakarta) and its Yogyakarta and Medan offices, open before 2024 (directory rows and their
sources; DOMAIN.md: Medan confirmed in 2022, Yogyakarta by ANTARA). Kupang is not among them: the directory row's
sources (lpsk.go.id, May 2025; ANTARA, Aug 2025) date the NTT office to 2025, after the 179 applications of 2023."""


@pytest.fixture(scope="session")
def lpsk_before_2024(seeded_engine):
    import directory
    from routing.planning.candidates import agencies_as_sites

    agencies = directory.public_view(directory.agencies_frame(seeded_engine))
    chosen = agencies[agencies["id"].isin(LPSK_BEFORE_2024)]
    assert sorted(chosen["id"]) == sorted(LPSK_BEFORE_2024)
    return agencies_as_sites(chosen)


@pytest.fixture(scope="session")
def ntt_problem(seeded_engine, lpsk_before_2024):
    """NTT's districts (police TPPO victims 2023 spread by population) x NTT's regency seats, LPSK before 2024 open."""
    from routing.national import national_network
    from routing.planning.candidates import Sites, regency_seats
    from routing.planning.demand import load_demand
    from routing.planning.models import Problem
    from routing.planning.planner import travel_hours

    demand = load_demand(seeded_engine, "district", "cases", "police TPPO victims")
    inside = demand.areas["province_code"].to_numpy() == "53"
    seats = regency_seats().frame
    candidates = seats[seats["code"].str.startswith("53.")].reset_index(drop=True)
    import pandas as pd

    sites = Sites(pd.concat([candidates, lpsk_before_2024.frame], ignore_index=True))
    hours, _ = travel_hours(national_network(), demand, sites)
    m = len(candidates)
    return Problem(hours[inside, :m], hours[inside, m:], demand.weight[inside], 8.0), candidates
