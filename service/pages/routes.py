"""The HTML pages: the map (home), referral, directory and about; Bahasa Indonesia by default, English by choice.

Routes (thin: parse, call one function, render):

* ``/`` the national map in an iframe of ``/map/national`` (so the page itself stays
  light and the map is one cacheable document), its controls (measure, source,
  period, capability) and the table of the figures shown, small counts suppressed;
* ``/map/national`` the folium map alone (:func:`webmap.maps.national_map`);
* ``/referral`` (:mod:`service.pages.referral`), ``/plan`` (:mod:`service.pages.plan`), ``/directory`` and its
  editor forms (:mod:`service.pages.directory`), ``/about``.

Caseworkers (role ``caseworker`` or higher) see true counts and confidential locations;
everyone else the public view.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
from flask import Blueprint, Response, request

import cases
from cases import hotspots
from core import settings
from core.db import session_scope
from core.errors import InputError
from directory import capabilities
from directory.agencies import list_agencies, list_agreements
from routing import coverage
from service.api.common import engine
from service.pages import directory as pages_directory
from service.pages import plan as pages_plan
from service.pages import referral as pages_referral
from service.pages.common import authorised, install, lang, page
from webmap import assets, maps

bp = Blueprint("pages", __name__, template_folder="templates", static_folder="static", static_url_path="/static/pages")
install(bp)


def _series() -> pd.DataFrame:
    """Return every (measure, source) pair of the case figures with its unit, rows and area rows (not the country)."""
    every = cases.query_figures(engine())
    every["mapped"] = every["level"].isin(hotspots.LEVELS)
    return every.groupby(["measure", "source", "unit"], as_index=False).agg(
        size=("value", "size"), areas=("mapped", "sum")
    )


def _chosen_series(series: pd.DataFrame) -> tuple[str | None, str | None]:
    """Return the measure and source asked for; an empty source is the measure's with most area figures.

    A source of country totals only cannot be mapped (:func:`cases.hotspots.mapped_sources`); when
    the measure has no area figures at all, its source with most rows is taken and the map says so.
    """
    measure = request.args.get("measure") or None
    source = request.args.get("source") or None
    if measure is None:
        measure = coverage.DEFAULT_CASE_MEASURE if (series["measure"] == coverage.DEFAULT_CASE_MEASURE).any() else None
    if measure is not None and source is None:
        mapped = hotspots.mapped_sources(engine(), measure)
        of_measure = series[series["measure"] == measure].sort_values("size", ascending=False)
        source = mapped[0] if mapped else None if of_measure.empty else str(of_measure["source"].iat[0])
    return measure, source


def _periods(measure: str | None, source: str | None) -> list[str]:
    """Return the periods published for the measure and source, latest first, as ``START/END``."""
    if measure is None:
        return []
    every = cases.query_figures(engine(), measure=measure, source=source)
    pairs = every[["period_start", "period_end"]].drop_duplicates().sort_values("period_end", ascending=False)
    return [f"{start}/{end}" for start, end in pairs.itertuples(index=False)]


def _chosen_period(periods: list[str]) -> tuple[dt.date, dt.date] | None:
    """Return the period asked for (``?period=START/END``, one of `periods`); None: the latest."""
    value = request.args.get("period") or None
    if value is None:
        return None
    if value not in periods:
        raise InputError("period", value, f"is expected to be one of {periods} (START/END, ISO dates).")
    start, end = value.split("/")
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


def _capability() -> str | None:
    value = request.args.get("capability") or None
    return None if value is None else capabilities.check("capability", value)


def _figures(measure: str, source: str | None, period: tuple[dt.date, dt.date] | None) -> pd.DataFrame:
    """Return the figures the map shows (one source, level and period), suppressed unless authorised."""
    chosen = hotspots.select_figures(engine(), measure, source, period=period)
    filters = {"measure": measure, "source": chosen["source"].iat[0], "level": chosen["level"].iat[0]}
    if authorised():
        frame = cases.query_figures(engine(), **filters)
        frame["suppressed"] = False
    else:
        frame = cases.public_figures(engine(), **filters)
    same = (frame["period_start"] == chosen["period_start"].iat[0]) & (
        frame["period_end"] == chosen["period_end"].iat[0]
    )
    return frame[same].sort_values("area_name", ignore_index=True)


@bp.get("/")
def home() -> Response:
    """Show the national map, its controls and the table of the figures it shows."""
    series = _series()
    error, figures = None, pd.DataFrame()
    measure, source = _chosen_series(series)
    capability = request.args.get("capability") or None
    periods = _periods(measure, source)
    try:
        capability = _capability()
        period = _chosen_period(periods)
        if measure is not None:
            figures = _figures(measure, source, period)
    except InputError as problem:
        error = problem
    map_args = {
        "lang": lang(),
        "measure": measure,
        "source": source,
        "capability": capability,
        "period": request.args.get("period"),
    }
    return page(
        "map.html",
        400 if error else 200,
        error=error,
        measures=series.loc[series["areas"] > 0, "measure"].unique().tolist(),
        sources=sorted(series.loc[(series["measure"] == measure) & (series["areas"] > 0), "source"]),
        measure=measure,
        source=source,
        capability=capability,
        figures=figures.to_dict("records"),
        map_args={k: v for k, v in map_args.items() if v},
        suppress_below=settings.suppress_below,
        periods=periods,
        period=request.args.get("period") or "",
        measure_label=maps.measure_label,
    )


@bp.get("/map/national")
def national() -> Response:
    """Serve the national folium map alone, for the iframe of the home page (same parameters)."""
    measure, source = _chosen_series(_series())
    folium_map = maps.national_map(
        engine(),
        lang(),
        measure=measure,
        capability=_capability(),
        authorised=authorised(),
        source=source,
        period=_chosen_period(_periods(measure, source)),
    )
    return Response(assets.render(folium_map), mimetype="text/html")


@bp.get("/about")
def about() -> Response:
    """Show the data sources and licences, the suppression rule, how travel times are estimated, the privacy rules."""
    with session_scope(engine()) as session:
        agencies = list_agencies(session, include_retired=True)
        agreements = list_agreements(session, include_ended=True)
        sources = sorted({a.source for a in agencies} | {a.source for a in agreements})
    figure_sources = sorted(_series()["source"].unique())
    return page(
        "about.html",
        settings=settings,
        directory_sources=sources,
        figure_sources=figure_sources,
        suppress_below=settings.suppress_below,
    )


pages_referral.register(bp)
pages_plan.register(bp)
pages_directory.register(bp)
