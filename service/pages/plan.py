"""The plan page: where new offices would serve the most need, one scenario or two side by side, with a map.

``GET /plan`` without inputs shows the form; with ``capability`` (a link or bookmark) or
``POST`` (the form, with its CSRF token) it shows the answer of :func:`routing.planning.plan`:
the proposed sites in order of added value, demand covered and mean and worst hours before
and after, the areas newly covered and those still beyond the standard, the solver's status,
gap and time, and :func:`webmap.plan.plan_map` in an ``iframe srcdoc``. A second set of inputs
(``b_capability``, ``b_p``, ... with ``compare``) is scenario B: each of its fields left blank
takes scenario A's value, and both are shown in columns. ``/plan/export.geojson`` and
``/plan/export.csv`` answer the plan of the same query as a file to download; the page has a
print button (the print stylesheet leaves the form out).

A plan is an aggregate, so the page is public; a caseworker or higher gets a plan computed
from the true points of confidential agencies, as the API does. It shares the API's rate limit
(:data:`service.api.routes.plan_limit`). The default inputs (MCLP over regencies, one new site,
no robustness) answer in well under a second once the travel matrix is built. Bad input
renders the form again with the message (field and value) and status 400.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from flask import Blueprint, Response, request

import cases
from core.errors import InputError, NotFoundError
from routing import planning
from routing.planning.demand import LEVELS, WEIGHTINGS
from routing.planning.models import MODELS
from routing.questions import parse_hours
from service.api.common import engine
from service.api.plans import MAX_P, parse_capacity
from service.api.routes import plan_limit
from service.pages.common import authorised, lang, page, t
from webmap import assets
from webmap.plan import plan_map

FIELDS: tuple[str, ...] = (
    "capability",
    "p",
    "model",
    "standard",
    "measure",
    "source",
    "period",
    "weighting",
    "level",
    "capacity",
)
"""The inputs of one scenario; scenario B's are the same names with ``b_`` in front."""
DEFAULTS: dict[str, str] = {"capability": "witness_protection", "p": "1", "model": "mclp", "level": "regency"}
"""What the empty form proposes: a fast plan (MCLP over the 514 regencies, one new site)."""
EXPORTS: dict[str, tuple[str, str]] = {"geojson": ("application/geo+json", "geojson"), "csv": ("text/csv", "csv")}
"""Export format -> (content type, file extension)."""
_PLAIN = re.compile(r"[^A-Za-z0-9_-]+")


class ScenarioError(InputError):
    """A bad input of one scenario: the field is named as in the form (``b_p`` for scenario B's ``p``)."""

    def __init__(self, which: str, problem: InputError) -> None:
        super().__init__(problem.field if which == "a" else f"b_{problem.field}", problem.value, problem.reason)


def _values() -> Mapping[str, str]:
    return request.form if request.method == "POST" else request.args


def _form() -> dict[str, object]:
    """Return the form's values as the visitor gave them (to fill the form again), defaults for an empty form."""
    values = _values()
    asked = any(values.get(name) for name in FIELDS) or request.method == "POST"
    form: dict[str, object] = {name: values.get(name, "" if asked else DEFAULTS.get(name, "")) for name in FIELDS}
    form.update({f"b_{name}": values.get(f"b_{name}", "") for name in FIELDS})
    form["compare"] = values.get("compare", "") in ("1", "on", "true", "yes")
    form["robustness"] = values.get("robustness", "") in ("1", "on", "true", "yes")
    form["asked"] = asked
    return form


def scenario(form: Mapping[str, object], which: str = "a") -> dict[str, str]:
    """Return the inputs of scenario `which` (``"a"`` or ``"b"``); a blank field of B takes A's value."""
    own = {name: str(form.get(name) or "").strip() for name in FIELDS}
    if which == "a":
        return own
    return {name: str(form.get(f"b_{name}") or "").strip() or own[name] for name in FIELDS}


def _choice(field: str, value: str, allowed: tuple[str, ...], default: str | None) -> str | None:
    if not value:
        return default
    if value not in allowed:
        raise InputError(field, value, f"is expected to be one of {list(allowed)}.")
    return value


def _whole(field: str, value: str, low: int, high: int) -> int:
    if not re.fullmatch(r"\s*[0-9]{1,9}\s*", value) or not low <= int(value) <= high:
        raise InputError(field, value, f"is expected to be a whole number from {low} to {high}.")
    return int(value)


def compute(inputs: Mapping[str, str], robustness: bool = False) -> planning.Plan:
    """Return the plan of one scenario's `inputs` (texts of :data:`FIELDS`), for the visitor's role."""
    if not inputs["capability"]:
        raise InputError("capability", "", t("error_plan_capability"))
    model = _choice("model", inputs["model"], MODELS, "mclp") or "mclp"
    return planning.plan(
        engine(),
        inputs["capability"],
        p=_whole("p", inputs["p"] or "1", 1, MAX_P),
        model=model,
        standard_h=parse_hours(inputs["standard"] or None, "standard"),
        level=_choice("level", inputs["level"], LEVELS, "regency") or "regency",
        weighting=_choice("weighting", inputs["weighting"], WEIGHTINGS, None),
        measure=inputs["measure"] or None,
        period=inputs["period"] or None,
        source=inputs["source"] or None,
        capacity=parse_capacity(inputs["capacity"]),
        robustness=robustness,
        authorised=authorised(),
    )


def _answer(form: Mapping[str, object], which: str) -> dict:
    """Return one scenario's plan as JSON-ready data, with its export query and the rendered map."""
    inputs = scenario(form, which)
    try:
        result = compute(inputs, bool(form["robustness"]))
    except InputError as problem:
        raise ScenarioError(which, problem) from problem
    answer = planning.plan_answer(result)
    collection = json.loads(planning.plan_geojson(result, authorised=result.authorised))
    answer["map_html"] = assets.render(plan_map(collection, lang()))
    answer["query"] = {name: value for name, value in inputs.items() if value}
    answer["scenario"] = which
    return answer


def _series() -> dict[str, list[str]]:
    """Return the case measures and sources that can weight the demand (for the form's lists)."""
    figures = cases.query_figures(engine())
    return {"measures": sorted(figures["measure"].unique()), "sources": sorted(figures["source"].unique())}


def _download(inputs: Mapping[str, str], output: str) -> Response:
    result = compute(inputs)
    mimetype, extension = EXPORTS[output]
    text = planning.plan_geojson(result, authorised=result.authorised)
    if output == "csv":
        text = planning.plan_csv(result, authorised=result.authorised)
    name = "-".join(_PLAIN.sub("", part) for part in ("rujuk-plan", inputs["capability"], f"p{result.inputs['p']}"))
    answer = Response(text, mimetype=mimetype)
    answer.headers["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return answer


def register(bp: Blueprint) -> None:
    """Add the plan page and its exports to the pages blueprint `bp`."""

    @bp.route("/plan", methods=["GET", "POST"])
    @plan_limit
    def plan_page() -> Response:
        form = _form()
        answers, error, status = [], None, 200
        if form["asked"]:
            try:
                answers.append(_answer(form, "a"))
                if form["compare"]:
                    answers.append(_answer(form, "b"))
            except (InputError, NotFoundError) as problem:
                error, status = problem, 400 if isinstance(problem, InputError) else 404
                answers = []
        return page(
            "plan.html",
            status,
            form=form,
            answers=answers,
            error=error,
            models=MODELS,
            levels=LEVELS,
            weightings=WEIGHTINGS,
            series=_series(),
        )

    @bp.get("/plan/export.<output>")
    @plan_limit
    def plan_export(output: str) -> Response:
        if output not in EXPORTS:
            raise InputError("format", output, f"is expected to be one of {list(EXPORTS)}.")
        return _download(scenario(request.args), output)
