"""The map of one office plan: existing offices, the proposed sites numbered in order, the areas they newly cover.

:func:`plan_map` draws the GeoJSON of :func:`routing.planning.plan_geojson` (features with a
``role``: ``new_site``, ``existing_site``, ``newly_covered``, ``uncovered``) in three layers:
the offices (existing ones as green dots, new ones as numbered markers in order of added value),
the areas the new sites bring within the standard, and the areas still beyond it (hidden at
first). Every text from the plan (names, codes) reaches the map as JSON data and is shown with
``textContent`` by ``RujukMap.plan`` (see :mod:`webmap._elements`).
"""

from __future__ import annotations

import folium

from webmap import i18n
from webmap._elements import add, base_map, finish, group, strings, tiles_shown
from webmap.maps import add_outlines

NEW_SITE_COLOUR = "#762a83"
EXISTING_COLOUR = "#1b7837"
NEWLY_COVERED_STYLE: dict[str, object] = {"color": "#2166ac", "weight": 1, "fillColor": "#67a9cf", "fillOpacity": 0.5}
UNCOVERED_STYLE: dict[str, object] = {"color": "#b2182b", "weight": 1, "fillColor": "#ef8a62", "fillOpacity": 0.4}
INDONESIA_CENTRE = (-2.5, 118.0)


def _features(collection: dict, role: str) -> list[dict]:
    return [f for f in collection.get("features") or [] if (f.get("properties") or {}).get("role") == role]


def _site(feature: dict) -> dict:
    p, (lon, lat) = feature["properties"], feature["geometry"]["coordinates"][:2]
    return {
        "rank": p.get("rank"),
        "code": p.get("code"),
        "name": p.get("name"),
        "lon": lon,
        "lat": lat,
        "added_value": p.get("added_value"),
        "added_covered": p.get("added_covered"),
        "redacted": bool(p.get("redacted")),
    }


def _areas(collection: dict, role: str) -> dict:
    return {"type": "FeatureCollection", "features": _features(collection, role)}


def plan_map(collection: dict, lang: str = i18n.DEFAULT_LANGUAGE) -> folium.Map:
    """Return the map of one plan: existing and new offices, newly covered and still uncovered areas.

    Parameters
    ----------
    collection
        The plan as a GeoJSON FeatureCollection (:func:`routing.planning.plan_geojson`),
        parsed; public unless the page is for an authorised user.
    lang
        ``"id"`` (default) or ``"en"``.

    Notes
    -----
    The map zooms to the offices, old and new.
    """
    i18n.check_language(lang)
    m = base_map(lang, location=list(INDONESIA_CENTRE), zoom_start=5)
    if not tiles_shown():  # no base map: the province boundaries give the sites their bearings
        add_outlines(m, lang, "province", data_urls=True, show=True)
    common = {"strings": strings(lang), "lang": lang}
    uncovered_title, newly_title = i18n.t("layer_plan_uncovered", lang), i18n.t("layer_plan_newly_covered", lang)
    add(
        "plan",
        m,
        group(m, uncovered_title, show=False),
        {**common, "title": uncovered_title, "areas": _areas(collection, "uncovered"), "style": UNCOVERED_STYLE},
    )
    add(
        "plan",
        m,
        group(m, newly_title),
        {**common, "title": newly_title, "areas": _areas(collection, "newly_covered"), "style": NEWLY_COVERED_STYLE},
    )
    sites_title = i18n.t("layer_plan_sites", lang)
    sites = [_site(f) for role in ("existing_site", "new_site") for f in _features(collection, role)]
    add(
        "plan",
        m,
        group(m, sites_title),
        {**common, "title": sites_title, "sites": sites, "colours": [EXISTING_COLOUR, NEW_SITE_COLOUR], "fit": True},
    )
    swatch = [
        ("dot", EXISTING_COLOUR, "legend_plan_existing"),
        ("fill", NEW_SITE_COLOUR, "legend_plan_new"),
        ("fill", str(NEWLY_COVERED_STYLE["fillColor"]), "layer_plan_newly_covered"),
        ("fill", str(UNCOVERED_STYLE["fillColor"]), "layer_plan_uncovered"),
    ]
    items = [{"style": style, "colour": colour, "label": i18n.t(key, lang)} for style, colour, key in swatch]
    add("legend", m, m, {"title": i18n.t("legend_title", lang), "sections": [{"title": sites_title, "items": items}]})
    return finish(m, [i18n.t(key, lang) for key in ("attribution_boundaries", "attribution_osm")])
