"""The "Why the gap" layer of the national map: help too far, or no verified entry in the directory.

For the chosen capability the layer colours each regency by one of
:data:`routing.schemas.GAP_KINDS`, read from its row of the public coverage answer
(:mod:`routing.coverage`, with the jurisdiction rules):

- ``within_standard``: none of its districts is beyond the time standard
  (``gap_districts_permitted == 0``);
- ``no_verified_entry``: some district beyond the standard has no verified entry
  (``no_entry_districts_permitted > 0``): no confirmed office offering the capability in
  its province, nor a confirmed national one within the standard. The gap may be the
  directory's (an office no source has confirmed, or none recorded), not the country's;
- ``too_far``: every other gap: a confirmed office offering it is in the province, but
  beyond the standard.

A district's kind depends on its province only (:mod:`routing._coverage_completeness`),
so the gap districts of one regency share one kind and the regency is named by it.
The browser applies this rule to the answer it fetches (``gapKind`` in
``static/webmap/rujuk-map.js``); :func:`area_gap_kind` is the same rule in Python.

Popups say which, and give the directory's counts: the regency's own rows (regency units:
a provincial office counts in its province) and the province's, which decide between
"too far" and "no verified entry" (``directory_confirmed`` of the province answer).

Data: the regency rows are those the travel-time layer of the capability fetches (one
URL, fetched once, with :data:`GAP_FIELDS` added); the province counts come from the
province answer (:data:`PROVINCE_FIELDS`). With ``data_urls`` both are the public API's
answers whoever views the map; inlined, the same tables. Every text reaches the page as
data and is shown with ``textContent`` (:mod:`webmap._elements`).
"""

from __future__ import annotations

from urllib.parse import urlencode

import folium
import pandas as pd
from sqlalchemy import Engine

from routing import coverage
from routing.schemas import GAP_KINDS
from webmap import i18n
from webmap._elements import API, add, data_source, group, strings

GAP_KIND_COLOURS: dict[str, str] = {
    "within_standard": "#d9f0d3",
    "too_far": "#f1a340",
    "no_verified_entry": "#998ec3",
}
"""Fill of each gap kind (pale green, orange, purple: told apart with the common colour-vision deficiencies)."""
GAP_FIELDS: list[str] = [
    "districts",
    "gap_districts_permitted",
    "no_entry_districts_permitted",
    "directory_rows",
    "directory_confirmed",
]
"""Properties of a regency coverage feature that this layer reads besides the travel-time layer's."""
PROVINCE_FIELDS: list[str] = [
    "name",
    "capability",
    "directory_rows",
    "directory_confirmed",
    "directory_oldest_verified_on",
]
"""Properties of a province coverage feature that the popups read (the province's directory counts)."""


def area_gap_kind(gap_districts: int, no_entry_districts: int) -> str:
    """Return the gap kind of a regency or province from its counts of gap and no-entry districts (module notes)."""
    if not gap_districts > 0:
        return "within_standard"
    return "no_verified_entry" if no_entry_districts > 0 else "too_far"


def province_query(capability: str) -> dict[str, str]:
    """Return the ``/coverage`` parameters of the province directory counts of `capability`."""
    return {
        "capability": capability,
        "level": "province",
        "rules": "with",
        "geometry": "false",
        "fields": ",".join(PROVINCE_FIELDS),
    }


def gap_kind_layer(
    engine: Engine,
    m: folium.Map,
    lang: str,
    capability: str,
    regencies: dict[str, str],
    areas: dict[str, str],
    data_urls: bool,
    authorised: bool,
) -> list[dict]:
    """Add the "Why the gap" layer of `capability` to `m` (hidden at first); return its legend section.

    Parameters
    ----------
    engine
        The database (used only when `data_urls` is False, to inline the province counts).
    m
        The national map.
    lang
        ``"id"`` or ``"en"``.
    capability
        The capability code whose gaps are explained.
    regencies, areas
        Where the browser gets the regency coverage rows (those of the travel-time layer,
        holding :data:`GAP_FIELDS`) and the regency boundaries.
    data_urls, authorised
        As in :func:`webmap.maps.national_map`.
    """
    if not data_urls:
        table = coverage.coverage_table(engine, [capability], level="province", rules="with", authorised=authorised)
        records = pd.DataFrame(table[["code", *PROVINCE_FIELDS]]).to_dict("records")
        features = [{"type": "Feature", "properties": record, "geometry": None} for record in records]
        collection = {"type": "FeatureCollection", "features": features}
        add("register", m, m, {"name": "coverage:province", "data": collection})
    url = f"{API}/coverage?{urlencode(province_query(capability))}"
    label = i18n.vocabulary("capability", lang)[capability]
    title = i18n.t("layer_gap_kinds", lang, capability=label)
    classes = {kind: i18n.t(f"gap_kind_{kind}", lang) for kind in GAP_KINDS}
    add(
        "gap_kinds",
        m,
        group(m, title, show=False),
        {
            "source": regencies,
            "provinces": data_source(data_urls, url, "coverage:province"),
            "areas": areas,
            "capability": capability,
            "capability_label": label,
            "colours": GAP_KIND_COLOURS,
            "classes": classes,
            "notes": {kind: i18n.t(f"gap_kind_note_{kind}", lang) for kind in GAP_KINDS if kind != "within_standard"},
            "lang": lang,
            "strings": strings(lang),
            "title": title,
        },
    )
    items = [{"style": "fill", "colour": GAP_KIND_COLOURS[kind], "label": classes[kind]} for kind in GAP_KINDS]
    items.append({"style": "note", "colour": "", "label": i18n.t("legend_gap_kinds_note", lang)})
    return [{"id": "gap_kinds", "title": i18n.t("legend_gap_kinds", lang, capability=label), "items": items}]
