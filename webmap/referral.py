"""The map of one referral: the origin, the numbered agencies and their routes drawn leg by leg, by mode.

Each candidate of :meth:`routing.referral.Referral.as_dict` carries its route as one
GeoJSON line and its ``legs`` (:data:`routing.schemas.LEG`): mode, hours, whether the leg
is a model's estimate, its label (a flight or a crossing) and ``vertices``, the first and
last index of its points in the route line. :func:`referral_map` cuts the line at those
indices and draws each piece in the style of its mode (:data:`MODE_STYLES`): road solid,
crossings dashed in blues, flights dotted straight lines, estimated legs lighter; the
legend lists the modes the map shows. A candidate without a route line (a confidential
agency seen by the public) is joined to the origin by a grey dotted straight line.
:func:`webmap.i18n.legs_line` writes the legs in one line ("road 0h14 > flight 0h55 (WMX-DJJ) > ...")
for the popups and the referral page.
"""

from __future__ import annotations

import folium

from webmap import i18n
from webmap._elements import add, base_map, finish, group, strings, tiles_shown
from webmap.maps import add_outlines, website_text

MODE_STYLES: dict[str, dict[str, object]] = {
    "road": {"color": "#1b7837", "weight": 3},
    "access": {"color": "#1b7837", "weight": 2, "dashArray": "1 5"},
    "ferry": {"color": "#2166ac", "weight": 3, "dashArray": "8 6"},
    "fast_boat": {"color": "#35978f", "weight": 3, "dashArray": "4 4"},
    "ship": {"color": "#053061", "weight": 3, "dashArray": "14 6"},
    "sea": {"color": "#4393c3", "weight": 3, "dashArray": "8 6"},
    "flight": {"color": "#762a83", "weight": 3, "dashArray": "2 7"},
    "route": {"color": "#1b7837", "weight": 3},
    "straight": {"color": "#777777", "weight": 2, "dashArray": "2 6"},
}
"""Leaflet path options by leg mode (:data:`routing.modes.LEG_MODES` and ``access``), for a route whose legs
are not known (``route``) and for the straight line to an agency without a route (``straight``)."""
SWATCHES: dict[str, str] = {"road": "line", "route": "line", "access": "dot", "flight": "dot", "straight": "dot"}
"""Legend swatch of a mode (``line``, ``dash`` or ``dot``); a mode not listed is a crossing, ``dash``."""
OPACITY, ESTIMATED_OPACITY = 0.9, 0.45
"""Opacity of a leg; an estimated leg (a model's estimate, not a timetable or a mapped road) is drawn lighter."""
ORIGIN_COLOUR = "#ef8a62"


def _leg_segment(leg: dict, points: list, lang: str) -> dict:
    return {
        "kind": leg["mode"],
        "estimated": bool(leg.get("estimated")),
        "text": i18n.legs_line([leg], lang),
        "coordinates": [[lat, lon] for lon, lat in points],
    }


def _segments(origin: dict, candidate: dict, lang: str) -> list[dict]:
    """Return the route of a candidate as one segment per leg, or one ``straight`` line, as ``[lat, lon]`` lists."""
    route, location = candidate.get("route") or {}, candidate.get("location") or {}
    coords = route.get("coordinates") if route.get("type") == "LineString" else None
    if not coords or len(coords) < 2:
        if location.get("lon") is None or location.get("lat") is None:
            return []
        line = [[origin["lat"], origin["lon"]], [location["lat"], location["lon"]]]
        return [{"kind": "straight", "estimated": True, "text": None, "coordinates": line}]
    legs = candidate.get("legs") or []
    if not legs or any(leg.get("vertices") is None for leg in legs):  # legs unknown: the line as it is
        return [{"kind": "route", "estimated": False, "text": None, "coordinates": [[y, x] for x, y in coords]}]
    pieces = [(leg, coords[leg["vertices"][0] : leg["vertices"][1] + 1]) for leg in legs]
    return [_leg_segment(leg, points, lang) for leg, points in pieces if len(points) >= 2]


def _candidate(origin: dict, c: dict, lang: str) -> dict:
    contact, location = c.get("contact") or {}, c.get("location") or {}
    label = c.get("jurisdiction_label")
    jurisdiction = label.get(lang) if isinstance(label, dict) else c.get("jurisdiction")
    names, precision = i18n.vocabulary("capability", lang), i18n.vocabulary("location_precision", lang)
    model, code = c.get("model"), c.get("location_precision")
    return {
        "rank": int(c.get("rank") or 0),
        "name": c.get("name"),
        "organization": c.get("organization"),
        "needs": ", ".join(names.get(code, code) for code in c.get("capabilities_matched") or []),
        "travel_time_h": c.get("travel_time_h"),
        "distance_km": c.get("distance_km"),
        "legs": i18n.legs_line(c.get("legs"), lang) or None,
        "jurisdiction": jurisdiction,
        "coordination_needed": bool(c.get("coordination_needed")),
        "model": f"{model} ({i18n.t('estimate', lang)})" if model and c.get("is_estimate") else model,
        "phone": contact.get("phone"),
        "email": contact.get("email"),
        "website": website_text(contact.get("website")),
        "address": contact.get("address"),
        "lon": location.get("lon"),
        "lat": location.get("lat"),
        "location_precision": precision.get(code, code) if code is not None else None,
        "segments": _segments(origin, c, lang),
    }


def _legend_items(candidates: list[dict], lang: str) -> list[dict]:
    """Return the legend items of the modes drawn (in the order of :data:`MODE_STYLES`), estimates and the origin."""
    drawn = {segment["kind"] for c in candidates for segment in c["segments"]}
    items = [
        {"style": SWATCHES.get(kind, "dash"), "colour": style["color"], "label": i18n.mode_label(kind, lang)}
        for kind, style in MODE_STYLES.items()
        if kind in drawn
    ]
    if any(s["estimated"] and s["kind"] != "straight" for c in candidates for s in c["segments"]):
        colour = str(MODE_STYLES["road"]["color"])
        items.append(
            {"style": "line", "colour": colour, "opacity": ESTIMATED_OPACITY, "label": i18n.t("legend_estimated", lang)}
        )
    items.append({"style": "fill", "colour": ORIGIN_COLOUR, "label": i18n.t("origin", lang)})
    return items


def referral_map(referral: dict, lang: str = i18n.DEFAULT_LANGUAGE) -> folium.Map:
    """Return the map of one referral: the origin, the numbered candidates and their routes, leg by leg.

    Parameters
    ----------
    referral
        :meth:`routing.referral.Referral.as_dict` (already public-safe: for a public caller,
        confidential agencies are drawn at their regency's representative point, without
        route, address or contact: every field :func:`directory.agencies.public_view` redacts).
    lang
        ``"id"`` (default) or ``"en"``.

    Notes
    -----
    The map zooms to the origin, the agencies and every point of their routes.
    """
    i18n.check_language(lang)
    origin = referral["origin"]
    m = base_map(lang, location=[origin["lat"], origin["lon"]], zoom_start=8)
    candidates = [_candidate(origin, c, lang) for c in referral.get("candidates") or []]
    if not tiles_shown():  # no base map: the province boundaries give the route its bearings
        add_outlines(m, lang, "province", data_urls=True, show=True)
    title = i18n.t("layer_route", lang)
    add(
        "referral",
        m,
        group(m, title),
        {
            "origin": {"lon": origin["lon"], "lat": origin["lat"], "label": origin.get("label")},
            "candidates": candidates,
            "styles": MODE_STYLES,
            "opacity": OPACITY,
            "estimated_opacity": ESTIMATED_OPACITY,
            "strings": strings(lang),
            "lang": lang,
            "title": title,
        },
    )
    sections = [{"title": title, "items": _legend_items(candidates, lang)}]
    add("legend", m, m, {"title": i18n.t("legend_title", lang), "sections": sections})
    return finish(m, [i18n.t(key, lang) for key in ("attribution_boundaries", "attribution_osm")])
