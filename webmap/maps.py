"""Folium maps of Rujuk: the national overview (case figures, hot spots, agencies, travel times).

:func:`national_map` shows province and regency boundaries, case figures as a
choropleth of rates per 100,000, hot and cold spots (:mod:`cases.hotspots`), the
agencies as clustered markers with a filter by capability and type, and the travel
time to each kind of help (:mod:`routing.coverage`) with the areas beyond the standard
outlined; for a chosen capability also why each regency has a gap (:mod:`webmap.why_gap`).
The area fills (cases, hot spots, travel times, why the gap) are shown one at a time.
With ``data_urls=True`` the heavy layers are fetched by the browser from the
JSON API (boundaries, agencies, coverage and hot spots; lazily, when a layer is first
shown) and only the small case table is inlined; ``data_urls=False`` inlines everything
(tests, offline export). The map of one referral is
:func:`webmap.referral.referral_map`.

Privacy: unless ``authorised``, agencies pass through :func:`directory.agencies.public_view`
(a safe house at its regency's point, no address), case counts through
:func:`cases.figures.public_values` ("<5" or, complementary, "x"; no rate) and hot spots are
computed from the published data only. Every text from data reaches the page as JSON and is shown with
``textContent`` (see :mod:`webmap._elements`). Pages load nothing from another host but
the base-map tiles (``settings.tile_url``); render them with :func:`webmap.assets.render`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlencode

import folium
import numpy as np
import pandas as pd
from sqlalchemy import Engine

import cases
from cases import hotspots
from core import settings
from core.errors import InputError
from directory import capabilities
from directory import io as directory_io
from geo import boundaries
from routing import coverage
from webmap import i18n, why_gap
from webmap._elements import API, add, areas_source, base_map, data_source, finish, group, strings, tiles_shown

Period = tuple[dt.date, dt.date]
CASE_COLOURS: tuple[str, ...] = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
SUPPRESSED_COLOUR = "#cccccc"
NO_FIGURE_COLOUR = "#ffffff"
TIME_COLOURS: dict[str, str] = dict(
    zip(
        coverage.TIME_CLASSES,
        (
            "#1a9850",
            "#91cf60",
            "#d9ef8b",
            "#fee08b",
            "#fc8d59",
            "#d73027",
            "#4d4d4d",
        ),
        strict=True,
    )
)
HOTSPOT_COLOURS: dict[str, str] = {"hot": "#d7191c", "cold": "#2c7bb6", "not significant": "#bbbbbb"}
GAP_COLOUR = "#e7298a"
COVERAGE_LEVEL = "regency"
COVERAGE_FIELDS: list[str] = [
    "code",
    "name",
    "capability",
    "standard_h",
    "median_h_permitted",
    "worst_h_permitted",
    "time_class_permitted",
    "gap_share_permitted",
    "gap_population_share_permitted",
]
"""Properties of a coverage feature that the map reads (``rules="with"`` or ``"both"``)."""
AGENCY_FIELDS: list[str] = [
    "id",
    "name",
    "organization_name",
    "agency_type",
    "capabilities",
    "phone",
    "email",
    "website",
    "address",
    "location_precision",
    "redacted",
]
"""Properties of an agency feature that the map reads (inlined agencies carry only these)."""


def website_text(website: str | None) -> str | None:
    """Return a website without its scheme: shown as text, so the page links to no other host."""
    return re.sub(r"^https?://", "", website or "") or None


def _decimal(value: float, lang: str) -> str:
    """Return `value` with two decimals, a decimal comma in Bahasa Indonesia."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "id" else text


def _register_areas(m: folium.Map, levels: tuple[str, ...]) -> None:
    for level in levels:
        data = json.loads(boundaries.web_geojson_path(level).read_text(encoding="utf-8"))
        add("register", m, m, {"name": f"areas:{level}", "data": data})


def measure_label(measure: str, lang: str) -> str:
    """Return the name of a case-figure measure in `lang` (the measure itself when it has no translation)."""
    return i18n.MEASURE_LABELS.get(measure, {}).get(i18n.check_language(lang), measure)


def add_outlines(m: folium.Map, lang: str, level: str, data_urls: bool, show: bool) -> None:
    title = i18n.t("layer_provinces", lang) if level == "province" else i18n.t("layer_regencies", lang)
    style = {"color": "#333", "weight": 1.5 if level == "province" else 0.6, "fill": False}
    add(
        "outlines",
        m,
        group(m, title, show=show),
        {"source": areas_source(level, data_urls), "style": style, "strings": strings(lang), "title": title},
    )


def _case_classes(rates: pd.Series) -> np.ndarray:
    """Return the upper bounds of up to five quantile classes of the shown rates."""
    shown = rates.dropna().to_numpy(float)
    if shown.size == 0:
        return np.array([])
    return np.unique(np.quantile(shown, np.linspace(0, 1, len(CASE_COLOURS) + 1)[1:]))


def noun(measure: str, unit: str, lang: str) -> str:
    """Return what a figure of `measure` counts, in `lang` ("Victims", "Police reports"): the noun of its rate."""
    nouns = i18n.MEASURE_NOUNS.get(measure) or i18n.UNIT_NOUNS.get(unit) or {}
    return nouns.get(i18n.check_language(lang), unit)


def _case_legend(lang: str, shown_rate: pd.Series, bounds: np.ndarray, reasons: pd.Series) -> list[dict]:
    """Return the legend items of the case fill: the rate classes, suppressed, withheld, and no figure."""
    k = int(settings.suppress_below)
    lower = np.concatenate([[shown_rate.min()], bounds[:-1]]) if bounds.size else np.empty(0)
    items = [
        {"style": "fill", "colour": CASE_COLOURS[i], "label": f"{_decimal(low, lang)} – {_decimal(high, lang)}"}
        for i, (low, high) in enumerate(zip(lower, bounds, strict=True))
    ] + [{"style": "fill", "colour": SUPPRESSED_COLOUR, "label": i18n.t("legend_suppressed", lang, k=k)}]
    if reasons.eq(cases.COMPLEMENTARY).any():
        items.append({"style": "fill", "colour": SUPPRESSED_COLOUR, "label": i18n.t("legend_withheld", lang)})
    items.append({"style": "fill", "colour": NO_FIGURE_COLOUR, "label": i18n.t("legend_no_figure", lang)})
    return items


def _case_layer(
    engine: Engine,
    m: folium.Map,
    lang: str,
    measure: str,
    source: str | None,
    data_urls: bool,
    authorised: bool,
    period: Period | None,
    show: bool,
) -> tuple[pd.DataFrame, list[dict]]:
    if source is None:  # the source with most area figures: one of country totals only cannot be mapped
        source = next(iter(hotspots.mapped_sources(engine, measure)), None)
    figures = hotspots.select_figures(engine, measure, source, period=period)
    level = figures["level"].iat[0]
    k = int(settings.suppress_below)
    none = pd.Series(None, index=figures.index, dtype=object)
    reasons = none if authorised else cases.suppression_reasons(engine, figures)
    suppressed = reasons.notna()
    shown_rate = figures["rate_per_100k"].mask(suppressed)
    bounds = _case_classes(shown_rate)
    colour = [
        SUPPRESSED_COLOUR if pd.isna(rate) else CASE_COLOURS[min(int(np.searchsorted(bounds, rate)), len(bounds) - 1)]
        for rate in shown_rate
    ]
    values = figures["value"] if authorised else cases.public_values(figures["value"], reasons, k)
    period = figures["period_start"].astype(str) + " – " + figures["period_end"].astype(str)
    rows = pd.DataFrame(
        {
            "name": figures["area_name"],
            "value": values,
            "rate": shown_rate,
            "colour": colour,
            "suppressed": suppressed,
            "suppressed_reason": reasons,
            "source": figures["source"],
            "period": period,
        }
    )
    counted = noun(measure, str(figures["unit"].iat[0]), lang)
    title = i18n.t("layer_cases", lang, noun=counted, measure=measure_label(measure, lang))
    add(
        "choropleth",
        m,
        group(m, title, show=show),
        {
            "source": areas_source(level, data_urls),
            "figures": rows.set_index(figures["area_code"]).to_dict("index"),
            "measure": measure_label(measure, lang),
            "lang": lang,
            "strings": strings(lang),
            "title": title,
            "suppressed_note": i18n.t("legend_suppressed", lang, k=k),
            "withheld_note": i18n.t("legend_withheld", lang),
            "no_figure_colour": NO_FIGURE_COLOUR,
            "no_figure_note": i18n.t("legend_no_figure", lang),
        },
    )
    legend_title = f"{i18n.t('legend_cases', lang, noun=counted)}: {measure_label(measure, lang)}"
    return figures, [{"title": legend_title, "items": _case_legend(lang, shown_rate, bounds, reasons)}]


def _hotspot_layer(
    engine: Engine, m: folium.Map, lang: str, figures: pd.DataFrame, data_urls: bool, authorised: bool
) -> list[dict]:
    if len(figures) < hotspots.MIN_AREAS:
        return []
    measure, source, level = figures["measure"].iat[0], figures["source"].iat[0], figures["level"].iat[0]
    period = (figures["period_start"].iat[0], figures["period_end"].iat[0])
    title = i18n.t("layer_hotspots", lang, measure=measure_label(measure, lang))
    if data_urls and not authorised:
        query = {
            "measure": measure,
            "source": source,
            "level": level,
            "period": f"{period[0]}/{period[1]}",
            "geometry": "false",
        }  # the browser joins the boundaries it already has
        data = {"url": f"{API}/hotspots?{urlencode(query)}"}
        significant = None  # known once the browser has the layer (rujuk-map.js adds the note then)
    else:
        try:
            frame = hotspots.hotspots(engine, measure, source, level, authorised=authorised, period=period)
        except InputError:  # e.g. every rate zero: no layer rather than no map
            return []
        add(
            "register",
            m,
            m,
            {"name": "hotspots", "data": json.loads(coverage.to_geojson(frame, authorised=authorised))},
        )
        data = {"ref": "hotspots"}
        significant = bool(frame["hotspot_class"].ne("not significant").any())
    labels = {cls: i18n.t(cls, lang) for cls in hotspots.CLASSES}
    nothing = i18n.t("legend_nothing_significant", lang, alpha=settings.hotspot_alpha)
    add(
        "hotspots",
        m,
        group(m, title, show=False),
        {
            "source": data,
            "areas": areas_source(level, data_urls),
            "colours": HOTSPOT_COLOURS,
            "classes": labels,
            "strings": strings(lang),
            "lang": lang,
            "title": title,
            "legend_section": "hotspots",
            "nothing_significant": nothing,
        },
    )
    items = [{"style": "outline", "colour": HOTSPOT_COLOURS[c], "label": labels[c]} for c in hotspots.CLASSES]
    if significant is False:
        items.append({"style": "note", "colour": "", "label": nothing})
    title = i18n.t("legend_hotspots", lang, alpha=settings.hotspot_alpha)
    return [{"id": "hotspots", "title": title, "items": items}]


def _agency_layer(
    engine: Engine, m: folium.Map, lang: str, capability: str | None, data_urls: bool, authorised: bool
) -> None:
    if data_urls and not authorised:  # the API shows the public view; authorised points are inlined
        data = {"url": f"{API}/agencies"}
    else:
        collection = json.loads(directory_io.export_agencies(engine, None, fmt="geojson", public=not authorised))
        for feature in collection["features"]:  # only what the popups show; a website as text, not a link
            properties = {key: feature["properties"].get(key) for key in AGENCY_FIELDS}
            properties["website"] = website_text(properties["website"])
            feature["properties"] = properties
        add("register", m, m, {"name": "agencies", "data": collection})
        data = {"ref": "agencies"}
    labels = {field: i18n.vocabulary(field, lang) for field in ("capability", "agency_type", "location_precision")}
    title = i18n.t("layer_agencies", lang)
    add(
        "agencies",
        m,
        group(m, title, show=True),
        {
            "source": data,
            "labels": labels,
            "strings": strings(lang),
            "capability": capability,
            "title": title,
        },
    )


def _coverage_url(code: str, fields: list[str]) -> str:
    query = {
        "capability": code,
        "level": COVERAGE_LEVEL,
        "rules": "with",
        "geometry": "false",
        "fields": ",".join(fields),
    }  # only what the popups read: ~0.2 MB, not 2 MB
    return f"{API}/coverage?{urlencode(query)}"


def _coverage_layers(
    engine: Engine, m: folium.Map, lang: str, capability: str | None, data_urls: bool, authorised: bool
) -> list[dict]:
    codes = [capability] if capability else list(capabilities.CAPABILITIES)
    fields = COVERAGE_FIELDS + (why_gap.GAP_FIELDS if capability else [])  # a chosen one explains its gaps too
    areas = areas_source(COVERAGE_LEVEL, data_urls)
    if not data_urls:
        table = coverage.coverage_table(engine, codes, level=COVERAGE_LEVEL, rules="with", authorised=authorised)
        records = pd.DataFrame(table[fields]).astype({"time_class_permitted": str}).to_dict("records")
        features = [{"type": "Feature", "properties": record, "geometry": None} for record in records]
        add("register", m, m, {"name": "coverage", "data": {"type": "FeatureCollection", "features": features}})
    names = i18n.vocabulary("capability", lang)
    for code in codes:
        title = i18n.t("layer_coverage", lang, capability=names[code])
        add(
            "coverage",
            m,
            group(m, title, show=code == capability),
            {
                "source": data_source(data_urls, _coverage_url(code, fields), "coverage"),
                "areas": areas,
                "capability": code,
                "capability_label": names[code],
                "colours": TIME_COLOURS,
                "gap_colour": GAP_COLOUR,
                "lang": lang,
                "classes": {c: i18n.t(f"time_{c}", lang) for c in coverage.TIME_CLASSES},
                "strings": strings(lang),
                "title": title,
            },
        )
    items = [
        {"style": "fill", "colour": TIME_COLOURS[c], "label": i18n.t(f"time_{c}", lang)} for c in coverage.TIME_CLASSES
    ]
    items.append({"style": "outline", "colour": GAP_COLOUR, "label": i18n.t("legend_gap", lang)})
    sections = [{"title": i18n.t("legend_coverage", lang), "items": items}]
    if capability:  # the same regency rows (one fetch), coloured by why they have a gap
        regencies = data_source(data_urls, _coverage_url(capability, fields), "coverage")
        sections += why_gap.gap_kind_layer(engine, m, lang, capability, regencies, areas, data_urls, authorised)
    return sections


def national_map(
    engine: Engine,
    lang: str = i18n.DEFAULT_LANGUAGE,
    measure: str | None = None,
    capability: str | None = None,
    authorised: bool = False,
    data_urls: bool = True,
    source: str | None = None,
    period: Period | None = None,
) -> folium.Map:
    """Return the national map of cases, hot spots, agencies and coverage gaps.

    Parameters
    ----------
    engine
        The database (directory and case figures).
    lang
        ``"id"`` (default) or ``"en"``.
    measure, source, period
        Case figures shown (one measure, one source, one period, at the level with the
        most areas; see :func:`cases.hotspots.select_figures`). None: the default
        measure of :data:`routing.coverage.DEFAULT_CASE_MEASURE` (left out if the
        database has none), the source with most figures, the latest period.
    capability
        Preselect this capability in the agency filter and show its coverage layer only,
        with its "Why the gap" layer (hidden until chosen); None: every capability has a
        coverage layer (hidden until chosen) and none has a "Why the gap" layer.
    authorised
        Show true counts and true agency points (inlined, never fetched from the public
        API). The page must then be served to signed-in caseworkers only.
    data_urls
        Fetch boundaries, agencies, coverage and hot spots from the API (light page);
        False: inline everything.

    Raises
    ------
    InputError
        If `lang` or `capability` is unknown, or `measure` / `source` has no figures.
    """
    i18n.check_language(lang)
    if capability is not None:
        capabilities.check("capability", capability)
    m = base_map(lang, location=[-2.5, 118.0], zoom_start=5, minZoom=4)
    if not data_urls:
        _register_areas(m, ("province", "regency"))
    for level, show in (("province", True), ("regency", False)):
        add_outlines(m, lang, level, data_urls, show)
    sections: list[dict] = []
    try:
        figures, legend = _case_layer(
            engine,
            m,
            lang,
            measure or coverage.DEFAULT_CASE_MEASURE,
            source,
            data_urls,
            authorised,
            period,
            show=capability is None,  # one area fill at a time: a chosen capability shows its travel times
        )
        sections += legend + _hotspot_layer(engine, m, lang, figures, data_urls, authorised)
    except InputError:
        if measure is not None or source is not None or period is not None:
            raise
    sections += _coverage_layers(engine, m, lang, capability, data_urls, authorised)
    sections.append({"title": i18n.t("legend_exclusive", lang), "items": []})
    _agency_layer(engine, m, lang, capability, data_urls, authorised)
    if not tiles_shown():
        sections.append({"title": i18n.t("legend_no_tiles", lang), "items": []})
    add("legend", m, m, {"title": i18n.t("legend_title", lang), "sections": sections})
    texts = [i18n.t(key, lang) for key in ("attribution_boundaries", "attribution_osm", "attribution_cases")]
    return finish(m, texts)
