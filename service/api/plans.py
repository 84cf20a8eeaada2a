"""``POST /api/v1/plans``: where new offices would serve the most need (:func:`routing.planning.plan`).

The question comes as a JSON body (:data:`PLAN_FIELDS`); the answer is the plan as JSON
(:data:`routing.planning.schemas.PLAN`), or its sites and areas as GeoJSON or its sites as CSV
(``format``). A plan is an aggregate, so anyone may ask; a caseworker or higher gets a plan
computed from the true points of confidential agencies (``authorised`` in the answer), everyone
else one from their public points. Planning takes seconds (a travel matrix, kept in the process
for the next plan, and one program per case series for the robustness), so it has its own rate
limit, ``settings.plan_rate_limit``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify
from flask.typing import ResponseReturnValue

from core import settings
from core.errors import InputError
from routing import planning
from routing.planning.demand import LEVELS, WEIGHTINGS
from routing.planning.models import MODELS
from routing.questions import parse_hours
from service import auth
from service.api.common import GEOJSON, engine, flag_param, int_param, param, source

FORMATS: tuple[str, ...] = ("json", "geojson", "csv")
MAX_P = 50
"""The most new sites one request may ask for (the models solve more, but a plan of more is not a plan)."""

PLAN_FIELDS: dict[str, dict[str, Any]] = {
    "capability": {"type": "string", "description": "What the offices offer.", "examples": ["witness_protection"]},
    "p": {"type": "integer", "minimum": 1, "maximum": MAX_P, "default": 1, "description": "New offices."},
    "model": {"type": "string", "enum": list(MODELS), "default": "mclp", "description": "The location model."},
    "standard": {
        "type": "string",
        "description": "Standard such as `8h` (default: the capability's).",
        "examples": ["8h"],
    },
    "measure": {"type": "string", "description": "Case measure weighting the demand (default: population)."},
    "period": {"type": "string", "description": "A year (`2023`) or `START/END` dates; default the latest."},
    "source": {"type": "string", "description": "Source of the measure, when it has several."},
    "weighting": {"type": "string", "enum": list(WEIGHTINGS), "description": "Default: cases with a measure."},
    "level": {"type": "string", "enum": list(LEVELS), "default": "district", "description": "Demand points."},
    "capacity": {"type": "number", "exclusiveMinimum": 0, "description": "Cases a year one office can take."},
    "robustness": {"type": "boolean", "default": True, "description": "Compare with the other case series."},
    "format": {"type": "string", "enum": list(FORMATS), "default": "json", "description": "The answer's form."},
}
"""The fields of a plan question (the OpenAPI document's ``PlanQuestion``)."""


def plan_rate_limit() -> str:
    """Return ``settings.plan_rate_limit`` (read per request, so that a changed setting applies)."""
    return str(settings.plan_rate_limit)


def parse_capacity(text: str | None) -> float | None:
    """Return a capacity (cases a year one office can take) from text; None or blank: no capacity."""
    if text is None or not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise InputError("capacity", text, "is expected to be a positive number of cases a year.")
    return value


def _robustness() -> bool:
    """Return ``robustness``: a JSON boolean, or true/false text (as in a query string)."""
    given = source().get("robustness")
    return given if isinstance(given, bool) else flag_param("robustness", default=True)


def plans() -> ResponseReturnValue:
    """Answer one plan question (module notes)."""
    capability = param("capability")
    if not capability:
        raise InputError("capability", capability, "is required: the capability code the new offices offer.")
    model = param("model", MODELS, "mclp")
    output = param("format", FORMATS, "json")
    authorised = auth.is_authorised()
    result = planning.plan(
        engine(),
        capability,
        p=int_param("p", 1, 1, MAX_P),
        model=model,
        standard_h=parse_hours(param("standard"), "standard"),
        level=param("level", LEVELS, "district"),
        weighting=param("weighting", WEIGHTINGS),
        measure=param("measure"),
        period=param("period"),
        source=param("source"),
        capacity=parse_capacity(param("capacity")),
        robustness=_robustness(),
        authorised=authorised,
    )
    if output == "geojson":
        return Response(planning.plan_geojson(result, authorised=authorised), mimetype=GEOJSON)
    if output == "csv":
        return Response(planning.plan_csv(result, authorised=authorised), mimetype="text/csv")
    return jsonify(planning.plan_answer(result))


def routes(app: Blueprint, limit: Callable[[Callable], Callable]) -> None:
    """Add ``POST /plans`` to the API blueprint `app` under the rate limit decorator `limit`.

    `limit` is :data:`service.api.routes.plan_limit`, the count the plan page shares.
    """
    app.add_url_rule("/plans", "plans", limit(plans), methods=["POST"])
