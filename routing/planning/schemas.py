"""The shape of a plan's answer, as JSON Schema: written once, used by the answer builder and the API.

:data:`PLAN` is what :func:`routing.planning.answer.plan_answer` returns (``POST /api/v1/plans``,
``rujuk plan --json``); the OpenAPI document takes it from here and a test validates real answers
against it, in the style of :mod:`routing.schemas`.
"""

from __future__ import annotations

from typing import Any

from routing.schemas import _TEXT, _TEXT_OR_NULL, _object

_NUMBER: dict[str, Any] = {"type": "number"}
_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}
_ESTIMATE_SHOWN: dict[str, Any] = {
    "type": ["number", "string", "null"],
    "description": 'estimated cases; in public "<k" when below the suppression threshold',
}


FIGURES: dict[str, Any] = _object(
    {
        "covered": {**_NUMBER, "description": "demand weight within the standard (and capacity)"},
        "covered_share": _NUMBER,
        "covered_population": _NUMBER,
        "covered_cases": _NUMBER_OR_NULL,
        "mean_h": {**_NUMBER_OR_NULL, "description": "demand-weighted mean hours to the nearest open site"},
        "worst_h": {**_NUMBER_OR_NULL, "description": "worst hours of a point with demand (null: unreachable)"},
        "uncovered_areas": {"type": "integer", "minimum": 0},
    }
)
"""Demand covered and hours, before or after the new sites."""

SITE: dict[str, Any] = _object(
    {
        "rank": {"type": "integer", "minimum": 1},
        "code": _TEXT,
        "name": _TEXT,
        "lon": _NUMBER,
        "lat": _NUMBER,
        "added_value": {**_NUMBER, "description": "the model's gain at this site's turn (marginal value)"},
        "added_covered": {**_NUMBER, "description": "demand weight newly within the standard at its turn"},
        "newly_covered_areas": {"type": "integer", "minimum": 0},
    }
)
"""One new site, in order of added value."""

EXISTING: dict[str, Any] = _object(
    {"code": _TEXT, "name": _TEXT, "lon": _NUMBER, "lat": _NUMBER, "redacted": {"type": "boolean"}}
)
"""One existing site kept open (a safe house at its public point unless authorised: ``redacted``)."""

AREA: dict[str, Any] = _object(
    {
        "code": _TEXT,
        "name": _TEXT,
        "population": _NUMBER,
        "cases": _ESTIMATE_SHOWN,
        "hours_before": _NUMBER_OR_NULL,
        "hours_after": _NUMBER_OR_NULL,
    }
)
"""An area newly within the standard or still beyond it."""

ROBUSTNESS: dict[str, Any] = _object(
    {
        "weighting": {"enum": ["cases", "population", "both"]},
        "measure": _TEXT_OR_NULL,
        "source": _TEXT_OR_NULL,
        "period": _TEXT_OR_NULL,
        "sites": {"type": "array", "items": _TEXT},
        "same_sites": {"type": "boolean"},
        "shared_sites": {"type": "integer", "minimum": 0},
        "plan_value": _NUMBER,
        "best_value": _NUMBER,
        "status": _TEXT,
    }
)
"""The same model under another case series: the sites it would choose, the plan's value against its best."""

PLAN: dict[str, Any] = _object(
    {
        "inputs": _object(
            {
                "capability": _TEXT,
                "model": {"enum": ["mclp", "pmedian", "pcenter", "setcover"]},
                "p": {"type": "integer", "minimum": 0},
                "standard_h": _NUMBER,
                "capacity": _NUMBER_OR_NULL,
                "level": {"enum": ["district", "regency"]},
                "weighting": {"enum": ["cases", "population", "both"]},
            }
        ),
        "demand": _object(
            {
                "measure": _TEXT_OR_NULL,
                "source": _TEXT_OR_NULL,
                "period": _TEXT_OR_NULL,
                "unit": _TEXT_OR_NULL,
                "method": _TEXT,
                "points": {"type": "integer"},
                "total": _NUMBER,
                "total_population": _NUMBER,
                "total_cases": _NUMBER_OR_NULL,
            }
        ),
        "travel": _object({"model": _TEXT, "is_estimate": {"type": "boolean"}, "matrix_s": _NUMBER}),
        "candidates": {"type": "integer", "minimum": 1},
        "existing": {"type": "array", "items": EXISTING},
        "sites": {"type": "array", "items": SITE},
        "before": FIGURES,
        "after": FIGURES,
        "newly_covered": {"type": "array", "items": AREA},
        "uncovered": {"type": "array", "items": AREA, "description": "the areas with the most demand first"},
        "solver": _object(
            {
                "status": {"enum": ["optimal", "time_limit", "infeasible"]},
                "objective": _NUMBER,
                "mip_gap": _NUMBER,
                "build_s": _NUMBER,
                "solve_s": _NUMBER,
                "variables": {"type": "integer"},
                "constraints": {"type": "integer"},
                "nonzeros": {"type": "integer"},
            }
        ),
        "robustness": {"type": "array", "items": ROBUSTNESS},
        "authorised": {"type": "boolean", "description": "computed from true safe-house points: not for publication"},
        "notes": {"type": "array", "items": _TEXT},
    }
)
"""A whole plan (``POST /api/v1/plans``, ``rujuk plan --json``)."""
