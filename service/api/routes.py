"""The JSON API under /api/v1: thin routes that parse input, call one function and return JSON or GeoJSON.

This module holds the blueprint, the read-only routes about areas, places, case
figures, referrals, coverage and hot spots, and wires in the directory routes
(:mod:`service.api.directory`) and the OpenAPI document (:mod:`service.api.openapi`),
which also lists every route with its parameters and the role it needs.

Privacy: every answer is the public view (confidential agencies at their regency, case
counts suppressed) except the directory and referrals for a caseworker or higher
(:func:`service.auth.is_authorised`), who see true agency points. Coverage and hot
spots are always public: they are maps meant to be shared.

Weight: coverage and hot spots are kept in-process, compressed, once per data version
(:func:`service.api.cache.answer`) and may leave out their polygons (``geometry=false``: the
map joins the boundaries it has already loaded) and properties (``fields=``, ``rules=``).
District coverage (about 10 MB and 2 s per capability with polygons) takes one capability
from a public caller, up to :data:`DISTRICT_CAPABILITIES` from a caseworker or higher: ask
one capability at a time. Caching headers: :func:`service.api.cache.cache_headers`.

Rate limits (:data:`service.limits.limiter`, 429 with ``Retry-After`` beyond them):
referrals ``settings.referral_rate_limit``, coverage and hot spots together
``settings.map_layer_rate_limit``, areas ``settings.areas_rate_limit``. They are counted per
client address for anonymous callers and per account for signed-in or token callers
(:func:`_client`), so that the staff of an office behind one address do not share a count;
authorised callers are counted, not exempt, since a leaked token must not be a way round.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict

import geopandas as gpd
import numpy as np
import pandas as pd
from flask import Blueprint, jsonify
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import generate_csrf

import cases
from cases import hotspots as hotspot_model
from cases.hotspots import select_figures
from core import settings
from core.errors import InputError
from directory import capabilities
from geo import boundaries, gazetteer
from routing import coverage as coverage_model
from routing import origin
from routing.coverage import to_geojson
from routing.referral import parse_hours, parse_needs
from service import auth
from service.api import cache as _cache
from service.api import directory as api_directory
from service.api import openapi
from service.api.common import (
    API,
    GEOJSON,
    area_param,
    engine,
    flag_param,
    geojson,
    inside,
    int_param,
    looked_up,
    param,
    referrer,
    register_errors,
    renamed,
)
from service.limits import limiter
from store import schema

__all__ = ["API", "DISTRICT_CAPABILITIES", "bp", "register_errors"]

bp = Blueprint("api", __name__, url_prefix=API)
bp.before_request(openapi.check_parameters)
bp.after_app_request(_cache.cache_headers)

DISTRICT_CAPABILITIES = 3
"""Most capabilities of one district-level coverage request by a caseworker or higher (7,285 districts per
capability); a public caller asks for one."""

AREA_FIGURE_COLUMNS: dict[str, str] = {
    "value": "cases",
    "suppressed": "suppressed",
    "suppressed_reason": "suppressed_reason",
    "rate_per_100k": "rate_per_100k",
    "measure": "case_measure",
    "unit": "case_unit",
    "source": "case_source",
    "period_start": "case_period_start",
    "period_end": "case_period_end",
}
"""Columns of :func:`cases.figures.public_figures` joined to each area by ``/areas?measure=``, and their names there."""


def _area_figures(level: str, measure: str, source: str | None) -> dict[str, dict]:
    """Return the published figure of one measure, source and period (``period=``, default the latest) per area."""
    if level not in cases.LEVELS:  # districts are in both; select_figures refuses other levels
        raise InputError("level", level, f"is expected to be one of {list(cases.LEVELS)} with a measure.")
    with _period() as asked:
        chosen = select_figures(engine(), measure, source, level, asked)  # one source and one period, or InputError
    public = cases.public_figures(
        engine(), area_code=list(chosen["area_code"]), measure=measure, source=chosen["source"].iloc[0], level=level
    )
    period = (chosen["period_start"].iloc[0], chosen["period_end"].iloc[0])
    public = public[(public["period_start"] == period[0]) & (public["period_end"] == period[1])]
    shown = public.set_index("area_code")[list(AREA_FIGURE_COLUMNS)].rename(columns=AREA_FIGURE_COLUMNS)
    shown = shown.astype(object).where(shown.notna(), None)
    return {
        code: {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}
        for code, row in shown.to_dict("index").items()
    }


@contextmanager
def _period() -> Iterator[tuple[dt.date, dt.date] | None]:
    """Yield parameter ``period`` as dates (None when absent); an error about it in the block echoes the text given.

    A year (``2023``: 1 January to 31 December) or ``START/END`` dates (``2023-06-05/2023-06-16``),
    the form in which an unknown period's error lists the periods there are.
    """
    text = param("period")
    asked = None
    if text is not None:
        year = re.fullmatch(r"\s*(\d{4})\s*", text)
        parts = (f"{year[1]}-01-01", f"{year[1]}-12-31") if year else text.split("/")
        try:
            start, end = (dt.date.fromisoformat(part.strip()) for part in parts)
        except ValueError:
            message = "is expected to be a year such as 2023 or START/END dates such as 2023-06-05/2023-06-16."
            raise InputError("period", text, message) from None
        asked = (start, end)
    try:
        yield asked
    except InputError as error:
        if error.field != "period":
            raise
        raise renamed(error, "period", text) from None


def _figure_filters(measure: str | None, source: str | None) -> None:
    """Refuse (400) a measure or source that no case figure has, listing those that some have."""
    every = cases.query_figures(engine())
    measures = sorted(pd.unique(every["measure"]))
    if measure is not None and measure not in measures:
        raise InputError("measure", measure, f"has no figures; the measures are {measures}.")
    sources = sorted(pd.unique(every.loc[every["measure"] == measure, "source"] if measure else every["source"]))
    if source is not None and source not in sources:
        of = f" of {measure!r}" if measure else ""
        raise InputError("source", source, f"has no figures{of}; the sources are {sources}.")


def _layer(frame: gpd.GeoDataFrame) -> str:
    """Return a public coverage or hot-spot frame as GeoJSON, shaped by ``fields=`` and ``geometry=``.

    ``fields``: the properties kept (``code`` and ``level`` always are); an unknown one is
    refused (400) with the list of properties. ``geometry=false``: null geometries (the map
    joins the boundaries it has loaded), which also skips simplifying the polygons.
    """
    columns = [column for column in frame.columns if column != "geometry"]
    fields = param("fields")
    if fields is not None:
        wanted = [name.strip() for name in fields.split(",") if name.strip()]
        for name in wanted or [fields]:
            if name not in columns:
                raise InputError("fields", name, f"is not a property of this answer; the properties are {columns}.")
        frame = frame[[name for name in columns if name in wanted or name in ("code", "level")] + ["geometry"]]
    if flag_param("geometry", default=True):
        return to_geojson(frame)
    if frame.attrs.get("authorised", True):  # as to_geojson: never publish true points or raw counts
        raise RuntimeError("An authorised (or unknown) frame reached a public answer.")
    table = pd.DataFrame(frame.drop(columns="geometry"))
    table = table.astype({c: str for c in table.columns if isinstance(table[c].dtype, pd.CategoricalDtype)})
    table = table.replace([np.inf, -np.inf], np.nan).astype(object)
    features = [
        {"type": "Feature", "properties": row, "geometry": None}
        for row in table.where(table.notna(), None).to_dict("records")
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, default=str)


def _client() -> str:
    """Return who a rate limit counts: the account of a signed-in or token caller, else the client address."""
    user = auth.current_user()
    return f"user:{user.id}" if user is not None else get_remote_address()


def _referral_limit() -> str:
    return str(settings.referral_rate_limit)


def _map_layer_limit() -> str:
    return str(settings.map_layer_rate_limit)


def _areas_limit() -> str:
    return str(settings.areas_rate_limit)


_map_layers = limiter.shared_limit(_map_layer_limit, scope="map_layers", key_func=_client)
"""The one count shared by coverage and hot spots."""


def _answer_key(*names: str) -> tuple:
    """Return the request's parameters `names` as given, for a cache key."""
    return tuple(param(name) for name in names)


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
        return jsonify(
            {"status": "ok", "schema_version": schema.SCHEMA_VERSION, "suppress_below": settings.suppress_below}
        )

    @app.get("/me")
    def me():  # type: ignore[no-untyped-def]
        user = auth.current_user()
        answer = {"username": user.username if user else None, "role": auth.current_role(), "auth": auth.auth_method()}
        if auth.auth_method() == "session":
            answer["csrf_token"] = generate_csrf()  # send it back as X-CSRFToken on writes
        return jsonify(answer)

    @app.get("/areas")
    @limiter.limit(_areas_limit, key_func=_client)
    def areas():  # type: ignore[no-untyped-def]
        level = param("level", boundaries.LEVELS, "province")
        within, measure = area_param("within"), param("measure")  # 404 with close codes for an unknown area
        for name in ("source", "period"):
            if param(name) is not None and measure is None:
                raise InputError(name, param(name), "needs a measure: give measure= too.")
        path = boundaries.web_geojson_path(level)
        if within is None and measure is None:
            return geojson(path.read_text(encoding="utf-8"))
        collection = json.loads(path.read_text(encoding="utf-8"))
        features = [f for f in collection["features"] if within is None or inside(f["properties"]["code"], within)]
        if measure is not None:
            figures = _area_figures(level, measure, param("source"))
            empty = dict.fromkeys(AREA_FIGURE_COLUMNS.values())
            for feature in features:
                feature["properties"].update(figures.get(feature["properties"]["code"], empty))
        collection["features"] = features
        return geojson(collection)

    @app.get("/cases")
    def case_figures():  # type: ignore[no-untyped-def]
        level, area = param("level", cases.LEVELS), area_param("area", country=cases.COUNTRY_CODE)
        measure, source = param("measure"), param("source")
        _figure_filters(measure, source)
        frame = cases.public_figures(engine(), area_code=area, measure=measure, source=source, level=level)
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
    @limiter.limit(_referral_limit, key_func=_client)
    def referrals():  # type: ignore[no-untyped-def]

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
        k, max_time_h, needs = int_param("k", 10, 1, 100), parse_hours(param("max_time")), parse_needs(needs)
        with looked_up("at", at):  # an unknown place: 404; a point out of range: 400; both naming `at`
            location = origin.resolve(at)
        referral = referrer().refer(
            location, needs, k=k, max_time_h=max_time_h, on=day, authorised=auth.is_authorised()
        )
        return jsonify(referral.as_dict())

    @app.get("/coverage")
    @_map_layers
    def coverage():  # type: ignore[no-untyped-def]

        codes, level = _capability_list("capability"), param("level", coverage_model.LEVELS, "province")
        most = DISTRICT_CAPABILITIES if auth.is_authorised() else 1
        if level == "district" and (codes is None or len(codes) > most):
            named = "one capability" if most == 1 else f"one to {most} capabilities"
            message = (
                f"must name {named} at level district (7,285 areas each): ask one capability at a time; "
                f"the capabilities are {list(capabilities.CAPABILITIES)}."
            )
            raise InputError("capability", param("capability"), message)
        options = {
            "rules": param("rules", tuple(coverage_model.RULES), "both"),
            "within": area_param("within"),
            "gaps_only": flag_param("gaps_only"),
            "case_source": param("case_source"),
            "case_measure": param("case_measure") or coverage_model.DEFAULT_CASE_MEASURE,
        }
        flag_param("geometry", default=True)  # checked before the work

        def compute() -> str:
            return _layer(coverage_model.coverage_table(engine(), codes, level, authorised=False, **options))

        key = (tuple(codes or ()), level, *options.values(), *_answer_key("fields", "geometry"))
        return _cache.answer("coverage", key, False, compute, GEOJSON)

    @app.get("/hotspots")
    @_map_layers
    def hotspots():  # type: ignore[no-untyped-def]

        measure = param("measure")
        if not measure:
            known = sorted(pd.unique(cases.query_figures(engine())["measure"]))
            raise InputError("measure", measure, f"is required; the measures are {known}.")
        source, level = param("source"), param("level", hotspot_model.LEVELS, "regency")
        flag_param("geometry", default=True)  # checked before the work

        def compute() -> str:
            with _period() as period:
                frame = hotspot_model.hotspots(engine(), measure, source, level, authorised=False, period=period)
            return _layer(frame)

        key = (measure, source, level, *_answer_key("period", "fields", "geometry"))
        return _cache.answer("hotspots", key, False, compute, GEOJSON)


_routes(bp)
api_directory.routes(bp)
openapi.routes(bp)
