"""The JSON API under /api/v1: thin routes that parse input, call one function and return JSON or GeoJSON.

This module holds the blueprint, the read-only routes about areas, places, case
figures, referrals, coverage and hot spots, and wires in the directory routes
(:mod:`service.api.directory`) and the OpenAPI document (:mod:`service.api.openapi`),
which also lists every route with its parameters and the role it needs.

Privacy: every answer is the public view (confidential agencies at their regency, case
counts suppressed) except the directory and referrals for a caseworker or higher
(:func:`service.auth.is_authorised`), who see true agency points. Coverage and hot
spots are always public: they are maps meant to be shared.

Weight: boundaries (``/areas``), coverage and hot spots are kept in-process, compressed, once per data
version (:func:`service.api.cache.answer`: the province boundaries are gzipped once, not on every request).
Coverage and hot spots may leave out their polygons (``geometry=false``: the map joins the boundaries it has
already loaded) and properties (``fields=``, ``rules=``).
District coverage (about 10 MB and 2 s per capability with polygons) takes one capability
from a public caller, up to :data:`DISTRICT_CAPABILITIES` from a caseworker or higher: ask
one capability at a time. The cache key holds the parameters as parsed (``geometry=true``, ``True``, ``1``
and ``yes`` are one answer; ``fields`` a sorted set of names; capabilities in vocabulary order; a period as
dates), so respelling a request cannot make the server compute again. Caching headers:
:func:`service.api.cache.cache_headers`.

Rate limits (:data:`service.limits.limiter`, 429 with ``Retry-After`` beyond them):
referrals ``settings.referral_rate_limit`` (one count with the referral page, :data:`referral_limit`), plans
``settings.plan_rate_limit`` (one count with the plan page, :data:`plan_limit`),
coverage and hot spots together ``settings.map_layer_rate_limit``, areas ``settings.areas_rate_limit``. They are
counted per client address for anonymous callers and per account for signed-in or token callers
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
import pandas as pd
from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
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
from routing.coverage import to_geojson
from routing.questions import parse_day, parse_hours, parse_k
from service import auth
from service.api import cache as _cache
from service.api import directory as api_directory
from service.api import openapi
from service.api import plans as api_plans
from service.api.common import (
    API,
    GEOJSON,
    area_param,
    engine,
    flag_param,
    inside,
    int_param,
    param,
    referrer,
    register_errors,
    renamed,
)
from service.limits import limiter
from store import schema

__all__ = ["API", "DISTRICT_CAPABILITIES", "bp", "plan_limit", "referral_limit", "register_errors"]

bp = Blueprint("api", __name__, url_prefix=API)
bp.before_request(openapi.check_parameters)

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


LAYER_KEYS: tuple[str, ...] = ("code", "level")
"""Properties every coverage and hot-spot feature keeps, whatever ``fields=`` asks."""


def _fields() -> tuple[str, ...] | None:
    """Return parameter ``fields`` as the sorted distinct names asked besides :data:`LAYER_KEYS` (None: absent).

    Every spelling of one choice (``name``, ``name,``, ``code,name``, ``name,name``) gives one tuple, so one
    cache entry; the names are checked against the answer's properties by :func:`_layer`.
    """
    fields = param("fields")
    if fields is None:
        return None
    wanted = {name.strip() for name in fields.split(",") if name.strip()} or {fields}  # no name: refused as one
    return tuple(sorted(wanted - set(LAYER_KEYS)))


def _layer(frame: gpd.GeoDataFrame, fields: tuple[str, ...] | None, geometry: bool) -> str:
    """Return a public coverage or hot-spot frame as GeoJSON, shaped by ``fields=`` and ``geometry=``.

    `fields` (:func:`_fields`): the properties kept besides :data:`LAYER_KEYS` (None: all); an unknown one is
    refused (400) with the list of properties. Without `geometry`: null geometries (the map
    joins the boundaries it has loaded), which also skips simplifying the polygons.
    """
    columns = [column for column in frame.columns if column != "geometry"]
    if fields is not None:
        for name in fields:
            if name not in columns:
                raise InputError("fields", name, f"is not a property of this answer; the properties are {columns}.")
        frame = frame[[name for name in columns if name in fields or name in LAYER_KEYS] + ["geometry"]]
    return to_geojson(frame, geometry=geometry)


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
referral_limit = limiter.shared_limit(_referral_limit, scope="referrals", key_func=_client)
"""The one count shared by ``/api/v1/referrals`` and the referral page (:mod:`service.pages.referral`), which does
the same work and draws a map."""
plan_limit = limiter.shared_limit(api_plans.plan_rate_limit, scope="plans", key_func=_client)
"""The one count shared by ``/api/v1/plans`` and the plan page (:mod:`service.pages.plan`)."""


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


@bp.get("/health")
def health() -> ResponseReturnValue:
    return jsonify({"status": "ok", "schema_version": schema.SCHEMA_VERSION, "suppress_below": settings.suppress_below})


@bp.get("/me")
def me() -> ResponseReturnValue:
    user = auth.current_user()
    answer = {"username": user.username if user else None, "role": auth.current_role(), "auth": auth.auth_method()}
    if auth.auth_method() == "session":
        answer["csrf_token"] = generate_csrf()  # send it back as X-CSRFToken on writes
    return jsonify(answer)


@bp.get("/areas")
@limiter.limit(_areas_limit, key_func=_client)
def areas() -> ResponseReturnValue:
    level = param("level", boundaries.LEVELS, "province")
    within, measure = area_param("within"), param("measure")  # 404 with close codes for an unknown area
    for name in ("source", "period"):
        if param(name) is not None and measure is None:
            raise InputError(name, param(name), "needs a measure: give measure= too.")
    path = boundaries.web_geojson_path(level)
    source = param("source")

    def compute() -> str:
        if within is None and measure is None:
            return path.read_text(encoding="utf-8")
        collection = json.loads(path.read_text(encoding="utf-8"))
        features = [f for f in collection["features"] if within is None or inside(f["properties"]["code"], within)]
        if measure is not None:
            figures = _area_figures(level, measure, source)
            empty = dict.fromkeys(AREA_FIGURE_COLUMNS.values())
            for feature in features:
                feature["properties"].update(figures.get(feature["properties"]["code"], empty))
        collection["features"] = features
        return json.dumps(collection, ensure_ascii=False)

    built = path.stat().st_mtime_ns  # a rebuilt boundary file is a new answer
    key = (level, within, measure, source, param("period"), built)
    return _cache.answer("areas", key, False, compute, GEOJSON, level=_cache.GZIP_LEVEL_ONCE)


@bp.get("/cases")
def case_figures() -> ResponseReturnValue:
    level, area = param("level", cases.LEVELS), area_param("area", country=cases.COUNTRY_CODE)
    measure, source = param("measure"), param("source")
    _figure_filters(measure, source)
    frame = cases.public_figures(engine(), area_code=area, measure=measure, source=source, level=level)
    records = json.loads(frame.to_json(orient="records", date_format="iso", force_ascii=False))
    return jsonify({"suppress_below": settings.suppress_below, "figures": records})


@bp.get("/places")
def places() -> ResponseReturnValue:
    query = param("q")
    if not query or not query.strip():
        raise InputError("q", query, "is required: a place name such as Tenggarong.")
    level = param("level", gazetteer.LEVELS)
    limit = int_param("limit", 20, 1, 200)
    return jsonify([asdict(place) for place in gazetteer.find(query, level=level, limit=limit)])


@bp.route("/referrals", methods=["GET", "POST"])
@referral_limit
def referrals() -> ResponseReturnValue:

    at, needs = param("at"), param("needs")
    if not at or not at.strip():
        raise InputError("at", at, "is required: a place name, an area code or LAT,LON.")
    if not needs or not needs.strip():
        raise InputError("needs", needs, "is required: capability codes such as shelter,psychological.")
    day, k, max_time_h = parse_day(param("on")), parse_k(param("k")), parse_hours(param("max_time"))
    # one call: the referrer resolves the place and parses the needs, its errors naming `at` and `needs`
    authorised = auth.is_authorised()
    referral = referrer().refer(
        at, needs, k=k, max_time_h=max_time_h, on=day, authorised=authorised, modes=param("modes"), home=param("home")
    )
    return jsonify(referral.as_dict())


@bp.get("/routes")
@referral_limit
def routes() -> ResponseReturnValue:
    from routing.trip import trip

    ends = []
    for name in ("from", "to"):
        value = param(name)
        if not value or not value.strip():
            raise InputError(name, value, "is required: a place name, an area code or LAT,LON.")
        ends.append(value)
    return jsonify(trip(ends[0], ends[1], param("modes")))


@bp.get("/coverage")
@_map_layers
def coverage() -> ResponseReturnValue:

    codes, level = _capability_list("capability"), param("level", coverage_model.LEVELS, "province")
    codes = None if codes is None else [code for code in capabilities.CAPABILITIES if code in codes]
    most = DISTRICT_CAPABILITIES if auth.is_authorised() else 1
    if level == "district" and (codes is None or len(codes) > most):
        named = "one capability" if most == 1 else f"one to {most} capabilities"
        message = (
            f"must name {named} at level district (7,285 areas each): ask one capability at a time; "
            f"the capabilities are {list(capabilities.CAPABILITIES)}."
        )
        raise InputError("capability", param("capability"), message)
    rules = param("rules", tuple(coverage_model.RULES), "both")
    within, gaps_only = area_param("within"), flag_param("gaps_only")
    case_source = param("case_source")
    case_measure = param("case_measure") or coverage_model.DEFAULT_CASE_MEASURE
    fields, geometry = _fields(), flag_param("geometry", default=True)  # checked before the work

    def compute() -> str:
        frame = coverage_model.coverage_table(
            engine(),
            codes,
            level,
            rules=rules,
            within=within,
            gaps_only=gaps_only,
            case_source=case_source,
            case_measure=case_measure,
            authorised=False,
        )
        return _layer(frame, fields, geometry)

    options = (rules, within, gaps_only, case_source, case_measure)
    key = (tuple(codes or ()), level, *options, fields, geometry)  # parsed: one entry per answer
    return _cache.answer("coverage", key, False, compute, GEOJSON)


@bp.get("/hotspots")
@_map_layers
def hotspots() -> ResponseReturnValue:

    measure = param("measure")
    if not measure:
        known = sorted(pd.unique(cases.query_figures(engine())["measure"]))
        raise InputError("measure", measure, f"is required; the measures are {known}.")
    source, level = param("source"), param("level", hotspot_model.LEVELS, "regency")
    fields, geometry = _fields(), flag_param("geometry", default=True)  # checked before the work
    with _period() as period:  # parsed for the key too: 2023 and 2023-01-01/2023-12-31 are one answer

        def compute() -> str:
            frame = hotspot_model.hotspots(engine(), measure, source, level, authorised=False, period=period)
            return _layer(frame, fields, geometry)

        key = (measure, source, level, period, fields, geometry)
        return _cache.answer("hotspots", key, False, compute, GEOJSON)


api_directory.routes(bp)
api_plans.routes(bp, plan_limit)
openapi.routes(bp)
