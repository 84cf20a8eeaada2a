"""The JSON API under /api/v1: thin routes that parse input, call one function and return JSON or GeoJSON.

This module holds the blueprint, the read-only routes about areas, places, case
figures, referrals, coverage and hot spots, and wires in the directory routes
(:mod:`service.api_directory`) and the OpenAPI document (:mod:`service.openapi`),
which also lists every route with its parameters and the role it needs.

Privacy: every answer is the public view (confidential agencies at their regency, case
counts suppressed) except the directory and referrals for a caseworker or higher
(:func:`service.auth.is_authorised`), who see true agency points. Coverage and hot
spots are always public: they are maps meant to be shared.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict

import pandas as pd
from flask import Blueprint, jsonify
from flask_wtf.csrf import generate_csrf

from geo import boundaries, capabilities, cases, db, gazetteer, settings
from geo._errors import InputError
from service import api_directory, auth, openapi
from service.api_common import (
    API,
    engine,
    flag_param,
    geojson,
    inside,
    int_param,
    param,
    referrer,
    register_errors,
)

__all__ = ["API", "bp", "register_errors"]

bp = Blueprint("api", __name__, url_prefix=API)
bp.before_request(openapi.check_parameters)

AREA_FIGURE_COLUMNS: dict[str, str] = {
    "value": "cases", "suppressed": "suppressed", "rate_per_100k": "rate_per_100k", "measure": "case_measure",
    "unit": "case_unit", "source": "case_source", "period_start": "case_period_start", "period_end": "case_period_end",
}  # fmt: skip
"""Columns of :func:`geo.cases.public_figures` joined to each area by ``/areas?measure=``, and their names there."""


def _area_figures(level: str, measure: str, source: str | None) -> dict[str, dict]:
    """Return the published figure of one measure, source and period (the latest) per area code of `level`."""
    from routing.hotspots import select_figures

    if level not in cases.LEVELS:  # districts are in both; select_figures refuses other levels
        raise InputError("level", level, f"is expected to be one of {list(cases.LEVELS)} with a measure.")
    chosen = select_figures(engine(), measure, source, level)  # one source and the latest period, or InputError
    public = cases.public_figures(
        engine(), area_code=list(chosen["area_code"]), measure=measure, source=chosen["source"].iloc[0], level=level
    )
    period = (chosen["period_start"].iloc[0], chosen["period_end"].iloc[0])
    public = public[(public["period_start"] == period[0]) & (public["period_end"] == period[1])]
    shown = public.set_index("area_code")[list(AREA_FIGURE_COLUMNS)].rename(columns=AREA_FIGURE_COLUMNS)
    shown = shown.astype(object).where(shown.notna(), None)
    return {code: {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
            for code, row in shown.to_dict("index").items()}  # fmt: skip


def _capability_list(name: str) -> list[str] | None:
    """Return the comma-separated capability codes of parameter `name`, each checked (None when absent)."""
    value = param(name)
    if value is None:
        return None
    codes = [code.strip() for code in value.replace(";", ",").split(",") if code.strip()]
    if not codes:
        raise InputError(name, value, "is expected to be capability codes such as shelter,psychological.")
    for code in codes:
        problem = capabilities.problem("capability", code)
        if problem:
            raise InputError(name, code, problem)
    return codes


def _routes(app: Blueprint) -> None:
    @app.get("/health")
    def health():  # type: ignore[no-untyped-def]
        return jsonify({"status": "ok", "schema_version": db.SCHEMA_VERSION, "suppress_below": settings.suppress_below})

    @app.get("/me")
    def me():  # type: ignore[no-untyped-def]
        user = auth.current_user()
        answer = {"username": user.username if user else None, "role": auth.current_role(), "auth": auth.auth_method()}
        if auth.auth_method() == "session":
            answer["csrf_token"] = generate_csrf()  # send it back as X-CSRFToken on writes
        return jsonify(answer)

    @app.get("/areas")
    def areas():  # type: ignore[no-untyped-def]
        level = param("level", boundaries.LEVELS, "province")
        within, measure, source = param("within"), param("measure"), param("source")
        if within is not None:
            boundaries.area(within)  # raises NotFoundError for an unknown code
        if source is not None and measure is None:
            raise InputError("source", source, "needs a measure: give measure= too.")
        path = boundaries.web_geojson_path(level)
        if within is None and measure is None:
            return geojson(path.read_text(encoding="utf-8"))
        collection = json.loads(path.read_text(encoding="utf-8"))
        features = [f for f in collection["features"] if within is None or inside(f["properties"]["code"], within)]
        if measure is not None:
            figures = _area_figures(level, measure, source)
            empty = dict.fromkeys(AREA_FIGURE_COLUMNS.values())
            for feature in features:
                feature["properties"].update(figures.get(feature["properties"]["code"], empty))
        collection["features"] = features
        return geojson(collection)

    @app.get("/cases")
    def case_figures():  # type: ignore[no-untyped-def]
        level = param("level", cases.LEVELS)
        frame = cases.public_figures(
            engine(), area_code=param("area"), measure=param("measure"), source=param("source"), level=level
        )
        records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
        return jsonify({"suppress_below": settings.suppress_below, "figures": records})

    @app.get("/places")
    def places():  # type: ignore[no-untyped-def]
        query = param("q")
        if not query or not query.strip():
            raise InputError("q", query, "is required: a place name such as Tenggarong.")
        level = param("level", gazetteer.LEVELS)
        limit = int_param("limit", 20, 1, 200)
        return jsonify([asdict(place) for place in gazetteer.find(query, level=level, limit=limit)])

    @app.route("/referrals", methods=["GET", "POST"])
    def referrals():  # type: ignore[no-untyped-def]
        from routing.referral import parse_hours

        at, needs = param("at"), param("needs")
        if not at or not at.strip():
            raise InputError("at", at, "is required: a place name, an area code or LAT,LON.")
        if not needs or not needs.strip():
            raise InputError("needs", needs, "is required: capability codes such as shelter,psychological.")
        on = param("on")
        try:
            day = dt.date.fromisoformat(on) if on else None
        except ValueError:
            raise InputError("on", on, "is expected to be a date YYYY-MM-DD.") from None
        referral = referrer().refer(
            at, needs, k=int_param("k", 10, 1, 100), max_time_h=parse_hours(param("max_time")), on=day,
            authorised=auth.is_authorised(),
        )  # fmt: skip
        return jsonify(referral.as_dict())

    @app.get("/coverage")
    def coverage():  # type: ignore[no-untyped-def]
        from routing import coverage as model

        frame = model.coverage_table(
            engine(),
            capabilities=_capability_list("capability"),
            level=param("level", model.LEVELS, "province"),
            rules=param("rules", tuple(model.RULES), "both"),
            within=param("within"),
            gaps_only=flag_param("gaps_only"),
            case_measure=param("case_measure") or model.DEFAULT_CASE_MEASURE,
            case_source=param("case_source"),
            authorised=False,
        )
        return geojson(model.to_geojson(frame))

    @app.get("/hotspots")
    def hotspots():  # type: ignore[no-untyped-def]
        from routing import hotspots as model
        from routing.coverage import to_geojson

        measure = param("measure")
        if not measure:
            known = sorted(pd.unique(cases.query_figures(engine())["measure"]))
            raise InputError("measure", measure, f"is required; the measures are {known}.")
        level = param("level", model.LEVELS, "regency")
        frame = model.hotspots(engine(), measure=measure, source=param("source"), level=level, authorised=False)
        return geojson(to_geojson(frame))


_routes(bp)
api_directory.routes(bp)
openapi.routes(bp)
