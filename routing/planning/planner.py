"""Office planning: where new offices would serve the most unmet need (:func:`plan`).

Given a capability, the existing agencies that offer it (always open), candidate places,
demand points weighted by a case series or population (:mod:`routing.planning.demand`) and
a standard in hours, :func:`plan` builds the demand x site travel matrix with one call of the
travel model's ``matrix`` (the national network by default: one Dijkstra pass from all sites,
as the network is symmetric the trip from a district to an office takes the same time),
solves the chosen model (:mod:`routing.planning.models`) and returns a :class:`Plan`: the new
sites in order of added value, demand covered, mean and worst hours before and after, the
areas still beyond the standard, the solver's status, gap and times, and how the choice holds
under the other case series (robustness). :mod:`routing.planning.answer` writes it as JSON
(:data:`routing.planning.schemas.PLAN`), GeoJSON and CSV.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import pandas as pd
from sqlalchemy import Engine

import cases
from core import settings
from core.errors import InputError
from directory import capabilities as vocabulary
from routing.national import national_network
from routing.planning import demand as demand_module
from routing.planning.candidates import Sites, existing_sites, regency_seats
from routing.planning.demand import Demand, Scenario
from routing.planning.evaluate import figures, marginal_order, value
from routing.planning.models import MODELS, Problem, Solution, nearest_open_h, solve
from routing.travel import TravelModel

UNCOVERED_LISTED = 200
"""At most this many areas still beyond the standard are listed (the most demand first); all are counted."""


@functools.lru_cache(maxsize=4)
def _matrix(model: Hashable, site_points: bytes, demand_points: bytes) -> tuple[np.ndarray, float]:
    sites = np.frombuffer(site_points).reshape(2, -1)
    points = np.frombuffer(demand_points).reshape(2, -1)
    started = time.perf_counter()
    hours = cast(TravelModel, model).matrix(sites[0], sites[1], points[0], points[1]).time_h.T
    hours.setflags(write=False)
    return hours, time.perf_counter() - started


def travel_hours(model: TravelModel, demand: Demand, sites: Sites) -> tuple[np.ndarray, float]:
    """Return hours from every demand point to every site (demand x sites) and the seconds it took to build.

    One call of ``model.matrix`` from the sites to the demand points (module notes); the
    last four matrices are kept, so a second plan over the same points reuses it (0 s).
    """
    demand_points = np.vstack([demand.areas["lon"].to_numpy(float), demand.areas["lat"].to_numpy(float)])
    site_points = np.vstack([sites.lon, sites.lat])
    hits = _matrix.cache_info().hits
    hours, seconds = _matrix(cast(Hashable, model), site_points.tobytes(), demand_points.tobytes())
    return hours, (0.0 if _matrix.cache_info().hits > hits else seconds)


@dataclass(frozen=True)
class Plan:
    """A plan and the figures that explain it (build with :func:`plan`; :meth:`as_dict` for JSON).

    Attributes
    ----------
    inputs
        The request as understood: capability, model, p, standard, capacity, level, weighting.
    demand, candidates, existing
        What the plan was computed over.
    problem, solution
        The model's inputs and the solver's answer.
    order
        The chosen candidates (positions) in order of added value, with the value each adds.
    before, after
        :func:`routing.planning.evaluate.figures` without and with the new sites.
    robustness
        Per other case series: the sites it would choose and how the plan does under it.
    matrix_s
        Seconds spent on the travel matrix (0 when reused).
    travel_model, is_estimate
        The travel model's name and whether its times are estimates.
    authorised
        Computed from true points of confidential agencies: not for publication.
    """

    inputs: dict
    demand: Demand
    candidates: Sites
    existing: Sites
    problem: Problem
    solution: Solution
    order: list[tuple[int, float]]
    before: dict
    after: dict
    robustness: list[dict] = field(default_factory=list)
    matrix_s: float = 0.0
    travel_model: str = ""
    is_estimate: bool = True
    authorised: bool = False

    @property
    def chosen_codes(self) -> list[str]:
        """Codes of the new sites, in order of added value."""
        return [str(self.candidates.frame["code"].iloc[j]) for j, _ in self.order]

    def area_hours(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the hours of every demand point to its nearest open site, before and after."""
        chosen = np.array([j for j, _ in self.order], dtype=int)
        return nearest_open_h(self.problem, np.empty(0, dtype=int)), nearest_open_h(self.problem, chosen)


def _check_inputs(capability: str, model: str, p: int | None, standard_h: float, capacity: float | None) -> None:
    vocabulary.check_capabilities([capability])
    if model not in MODELS:
        raise InputError("model", model, f"is expected to be one of {list(MODELS)}.")
    if model != "setcover" and (p is None or isinstance(p, bool) or not isinstance(p, int | np.integer)):
        raise InputError("p", p, f"must be a whole number of new sites for {model}.")
    if not (isinstance(standard_h, int | float) and np.isfinite(standard_h) and standard_h > 0):
        raise InputError("standard_h", standard_h, "must be a positive number of hours.")
    if capacity is not None and not (np.isfinite(capacity) and capacity > 0):
        raise InputError("capacity", capacity, "must be a positive number of cases a year per office.")


def plan(
    engine: Engine | None,
    capability: str,
    p: int | None = 1,
    model: str = "mclp",
    standard_h: float | None = None,
    level: str = "district",
    weighting: str | None = None,
    measure: str | None = None,
    period: str | None = None,
    source: str | None = None,
    candidates: Sites | None = None,
    existing: Sites | None = None,
    capacity: float | None = None,
    robustness: bool = True,
    authorised: bool = False,
    travel: TravelModel | None = None,
) -> Plan:
    """Return where `p` new offices offering `capability` would serve the demand best under `model`.

    Parameters
    ----------
    engine
        The database of agencies and case figures (None: give `existing` and weight by population).
    capability
        The capability code the offices offer (``"witness_protection"``).
    p
        New sites to open (not used by set covering, which finds how many are needed).
    model
        ``"mclp"`` (most demand within the standard), ``"pmedian"`` (least weighted hours),
        ``"pcenter"`` (least worst hours) or ``"setcover"`` (fewest sites to bring every
        point within the standard).
    standard_h
        Service standard in hours; default ``settings.coverage_standard_h[capability]``.
    level, weighting, measure, period, source
        The demand (:func:`routing.planning.demand.load_demand`); `weighting` defaults to
        ``"cases"`` when a measure is given, else ``"population"``; `period` is a year
        (``"2023"``) or ``START/END`` dates.
    candidates
        Candidate sites; default the 514 regency seats.
    existing
        Existing sites kept open; default the active agencies offering `capability`
        (public points unless `authorised`).
    capacity
        Cases a year one office can take (MCLP and p-median; existing offices too).
    robustness
        Also solve the same model under every other case series (and population) and compare.
    authorised
        Use true points of confidential agencies: the plan must not be published.
    travel
        The travel model; default the national network (``routing.national.national_network()``).

    Raises
    ------
    InputError
        For an unknown capability or model, `p` missing, below 1 or above the number of
        candidates, a standard or capacity that is not positive, an unknown case series, no
        demand, a standard no site can meet, or a capacity below the demand (capacitated p-median).
    """
    standard_h = float(settings.coverage_standard_h.get(capability, 24.0) if standard_h is None else standard_h)
    _check_inputs(capability, model, p, standard_h, capacity)
    weighting = weighting or ("cases" if measure is not None else "population")
    asked_period = demand_module.parse_period(period)
    demand = demand_module.load_demand(engine, level, weighting, measure, asked_period, source)
    candidates = regency_seats() if candidates is None else candidates
    if existing is None:
        if engine is None:
            raise InputError("existing", None, "must be given when there is no database to read agencies from.")
        existing = existing_sites(engine, capability, authorised)
    if model != "setcover" and not 1 <= int(p or 0) <= len(candidates):
        raise InputError("p", p, f"must be between 1 and the number of candidates ({len(candidates)}).")
    travel = national_network() if travel is None else travel
    both = Sites(pd.concat([candidates.frame, existing.frame], ignore_index=True))
    hours, matrix_s = travel_hours(travel, demand, both)
    m = len(candidates)
    problem = Problem(hours[:, :m], hours[:, m:], demand.weight, standard_h, capacity)
    _check_reachable(problem, model, standard_h, demand.areas)
    solution = solve(problem, model, p)
    order = marginal_order(problem, model, solution.chosen)
    inputs = {
        "capability": capability,
        "model": model,
        "p": int(p) if model != "setcover" and p is not None else len(solution.chosen),
        "standard_h": standard_h,
        "capacity": capacity,
        "level": level,
        "weighting": weighting,
    }
    result = Plan(
        inputs,
        demand,
        candidates,
        existing,
        problem,
        solution,
        order,
        figures(problem, []),
        figures(problem, solution.chosen),
        matrix_s=matrix_s,
        travel_model=str(travel.name),
        is_estimate=bool(travel.is_estimate),
        authorised=authorised,
    )
    if robustness and engine is not None:
        result.robustness.extend(_robustness(result, engine))
    return result


def _check_reachable(problem: Problem, model: str, standard_h: float, areas: pd.DataFrame) -> None:
    """Refuse a standard that no site meets for any point of demand (for set covering: for some point)."""
    live = problem.weight > 0
    within = (problem.time_h <= standard_h).any(axis=1) | (problem.existing_nearest_h <= standard_h)
    if model == "setcover" and (live & ~within).any():
        missed = areas.loc[live & ~within, "name"].astype(str).tolist()
        listed = ", ".join(missed[:5]) + (f" and {len(missed) - 5} more" if len(missed) > 5 else "")
        msg = f"cannot be met everywhere: no site is within it of {len(missed)} area(s) ({listed}); allow more time."
        raise InputError("standard_h", standard_h, msg)
    if model in ("mclp", "setcover") and not within[live].any():
        fastest = float(np.nanmin(np.minimum(problem.time_h[live].min(axis=1), problem.existing_nearest_h[live])))
        msg = f"is met by no site for any point of demand: the best is {fastest:.1f} h; allow more time."
        raise InputError("standard_h", standard_h, msg)


def _robustness(result: Plan, engine: Engine) -> list[dict]:
    """Return, per other case series (and population), the sites its optimum chooses and the plan's share of it."""
    own = result.demand.scenario
    others: list[Scenario | None] = [s for s in demand_module.scenarios(engine) if s != own]
    if result.demand.weighting != "population":
        others.insert(0, None)
    model, p = result.inputs["model"], result.inputs["p"]
    chosen = np.array([j for j, _ in result.order], dtype=int)
    rows = []
    for scenario in others:
        try:
            other = demand_module.reweighted(result.demand, engine, scenario)
        except InputError:  # a series that gives no demand at these points
            continue
        problem = Problem(
            result.problem.time_h,
            result.problem.existing_h,
            other.weight,
            result.problem.standard_h,
            result.problem.capacity,
        )
        best = solve(problem, model, p)
        mine, theirs = value(problem, model, chosen), value(problem, model, best.chosen)
        codes = [str(result.candidates.frame["code"].iloc[j]) for j in best.chosen]
        rows.append(
            {
                "weighting": other.weighting,
                "measure": None if scenario is None else scenario.measure,
                "source": None if scenario is None else scenario.source,
                "period": None if scenario is None else scenario.period,
                "sites": codes,
                "same_sites": sorted(codes) == sorted(result.chosen_codes),
                "shared_sites": len(set(codes) & set(result.chosen_codes)),
                "plan_value": mine,
                "best_value": theirs,
                "status": best.status,
            }
        )
    return rows


def public_cases(values: pd.Series, authorised: bool) -> pd.Series:
    """Return estimated cases per area rounded to one decimal, small ones shown as ``"<k"`` unless `authorised`."""
    rounded = values.astype(float).round(1)
    if authorised:
        return rounded.astype(object).where(rounded.notna(), None)
    shown = rounded.astype(object)
    small = rounded.notna() & (rounded < settings.suppress_below)
    if small.any():
        shown[small] = cases.suppress(rounded[small])
    return shown.where(rounded.notna(), None)
