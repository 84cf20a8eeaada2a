"""A plan as JSON (:data:`routing.planning.schemas.PLAN`), GeoJSON and CSV.

Plans are aggregates: demand per area (estimated cases are shown as ``"<k"`` below the
suppression threshold unless the plan is authorised), sites and hours. Existing sites are
those the plan was computed from: public points of safe houses unless it was authorised, and
:func:`plan_geojson` and :func:`plan_csv` refuse an authorised plan unless told it is for
internal use.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd

from core import files
from core.errors import InputError
from geo import boundaries
from routing.planning.models import nearest_open_h
from routing.planning.planner import UNCOVERED_LISTED, Plan, public_cases
from routing.planning.schemas import PLAN

SITE_CSV_FIELDS: tuple[str, ...] = ("rank", "code", "name", "lon", "lat", "added_value", "added_covered")


def _hours(value: float) -> float | None:
    return round(float(value), 3) if np.isfinite(value) else None


def _areas(plan: Plan, rows: np.ndarray, before: np.ndarray, after: np.ndarray) -> list[dict]:
    areas = plan.demand.areas.iloc[rows]
    shown = public_cases(areas["cases"], plan.authorised).tolist()
    return [
        {
            "code": str(code),
            "name": str(name),
            "population": round(float(population), 1),
            "cases": case,
            "hours_before": _hours(before[row]),
            "hours_after": _hours(after[row]),
        }
        for row, code, name, population, case in zip(
            rows.tolist(), areas["code"], areas["name"], areas["population"], shown, strict=True
        )
    ]


def _figures(plan: Plan, base: dict, hours: np.ndarray) -> dict:
    within = hours <= plan.problem.standard_h
    live = plan.problem.weight > 0
    population = plan.demand.areas["population"].to_numpy(float)
    estimated = plan.demand.areas["cases"].to_numpy(float)
    return {
        "covered": round(float(base["covered"]), 3),
        "covered_share": round(float(base["covered_share"]), 5),
        "covered_population": round(float(population[within].sum()), 1),
        "covered_cases": None if plan.demand.scenario is None else round(float(np.nansum(estimated[within])), 1),
        "mean_h": None if base["mean_h"] is None else round(float(base["mean_h"]), 3),
        "worst_h": None if base["worst_h"] is None else round(float(base["worst_h"]), 3),
        "uncovered_areas": int((live & ~within).sum()),
    }


def _sites(plan: Plan) -> list[dict]:
    problem = plan.problem
    sites: list[dict] = []
    opened: list[int] = []
    for rank, (j, gain) in enumerate(plan.order, start=1):
        before = nearest_open_h(problem, np.array(opened, dtype=int)) <= problem.standard_h
        opened.append(j)
        after = nearest_open_h(problem, np.array(opened, dtype=int)) <= problem.standard_h
        row = plan.candidates.frame.iloc[j]
        newly = after & ~before & (problem.weight > 0)
        sites.append(
            {
                "rank": rank,
                "code": str(row["code"]),
                "name": str(row["name"]),
                "lon": round(float(row["lon"]), 6),
                "lat": round(float(row["lat"]), 6),
                "added_value": round(float(gain), 6),
                "added_covered": round(float(problem.weight[newly].sum()), 3),
                "newly_covered_areas": int(newly.sum()),
            }
        )
    return sites


def _notes(plan: Plan) -> list[str]:
    notes = [plan.demand.method]
    if plan.is_estimate:
        notes.append(f"Travel times come from the {plan.travel_model} model: estimates, not timetables.")
    if plan.inputs["capacity"] is not None:
        notes.append("Covered demand is what the offices can take within the standard and their capacity.")
    if plan.solution.status != "optimal":
        notes.append(f"The solver stopped ({plan.solution.status}): the plan may not be the best one.")
    if not plan.authorised and plan.existing.frame["redacted"].any():
        notes.append("Safe houses count from the public point of their regency, not their true location.")
    return notes


def plan_answer(plan: Plan) -> dict:
    """Return `plan` as JSON-ready data in the shape of :data:`routing.planning.schemas.PLAN`."""
    before_h, after_h = plan.area_hours()
    standard, live = plan.problem.standard_h, plan.problem.weight > 0
    newly = np.flatnonzero(live & (before_h > standard) & (after_h <= standard))
    still = np.flatnonzero(live & (after_h > standard))
    still = still[np.argsort(-plan.problem.weight[still], kind="stable")][:UNCOVERED_LISTED]
    scenario, solution = plan.demand.scenario, plan.solution
    estimated = plan.demand.areas["cases"].to_numpy(float)
    answer = {
        "inputs": dict(plan.inputs),
        "demand": {
            "measure": None if scenario is None else scenario.measure,
            "source": None if scenario is None else scenario.source,
            "period": None if scenario is None else scenario.period,
            "unit": None if scenario is None else scenario.unit,
            "method": plan.demand.method,
            "points": len(plan.demand.areas),
            "total": round(float(plan.problem.weight.sum()), 3),
            "total_population": round(float(plan.demand.areas["population"].sum()), 1),
            "total_cases": None if scenario is None else round(float(np.nansum(estimated)), 1),
        },
        "travel": {"model": plan.travel_model, "is_estimate": plan.is_estimate, "matrix_s": round(plan.matrix_s, 3)},
        "candidates": len(plan.candidates),
        "existing": [
            {
                "code": str(row.code),
                "name": str(row.name),
                "lon": round(float(row.lon), 6),
                "lat": round(float(row.lat), 6),
                "redacted": bool(row.redacted),
            }
            for row in plan.existing.frame.itertuples(index=False)
        ],
        "sites": _sites(plan),
        "before": _figures(plan, plan.before, before_h),
        "after": _figures(plan, plan.after, after_h),
        "newly_covered": _areas(plan, newly, before_h, after_h),
        "uncovered": _areas(plan, still, before_h, after_h),
        "solver": {
            "status": solution.status,
            "objective": round(float(solution.objective), 6) if np.isfinite(solution.objective) else -1.0,
            "mip_gap": float(solution.mip_gap),
            "build_s": round(solution.build_s, 4),
            "solve_s": round(solution.solve_s, 4),
            "variables": int(solution.variables),
            "constraints": int(solution.constraints),
            "nonzeros": int(solution.nonzeros),
        },
        "robustness": [
            {**row, "plan_value": round(float(row["plan_value"]), 6), "best_value": round(float(row["best_value"]), 6)}
            for row in plan.robustness
        ],
        "authorised": plan.authorised,
        "notes": _notes(plan),
    }
    if list(answer) != list(PLAN["properties"]):  # the shape is written once, in schemas.PLAN
        raise RuntimeError("plan_answer and routing.planning.schemas.PLAN disagree; change them together.")
    return answer


def _check_public(plan: Plan, authorised: bool) -> None:
    if plan.authorised and not authorised:
        msg = "was computed from true safe-house points; pass authorised=True for internal use."
        raise InputError("plan", "authorised", msg)


def plan_geojson(plan: Plan, authorised: bool = False) -> str:
    """Return `plan` as a GeoJSON FeatureCollection: new and existing sites, newly covered and uncovered areas.

    Every feature has ``role`` (``new_site``, ``existing_site``, ``newly_covered``,
    ``uncovered``) and the properties of its entry in :func:`plan_answer`; areas have their
    web-simplified polygons.
    """
    _check_public(plan, authorised)
    answer = plan_answer(plan)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [s["lon"], s["lat"]]},
            "properties": {"role": role, **s},
        }
        for role, key in (("new_site", "sites"), ("existing_site", "existing"))
        for s in answer[key]
    ]
    level = plan.inputs["level"]
    areas = boundaries.load_areas(level)
    for role, key in (("newly_covered", "newly_covered"), ("uncovered", "uncovered")):
        rows = pd.DataFrame(answer[key])
        if rows.empty:
            continue
        web = boundaries.web_geometry(areas[areas["code"].isin(rows["code"])], level).set_index("code").geometry
        shapes = gpd.GeoDataFrame(
            rows.assign(role=role), geometry=web.reindex(rows["code"]).to_numpy(), crs="EPSG:4326"
        )
        features.extend(json.loads(shapes.to_json(drop_id=True))["features"])
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def plan_csv(plan: Plan, authorised: bool = False) -> str:
    """Return the new sites of `plan` as CSV (spreadsheet-safe), in order of added value."""
    _check_public(plan, authorised)
    return files.csv_text(plan_answer(plan)["sites"], SITE_CSV_FIELDS)
