r"""Folium elements of the web maps: one call of ``RujukMap.<kind>(map, group, config)`` each.

The data layers are drawn by ``webmap/static/webmap/rujuk-map.js``, which sets every
text from data with ``textContent``. Folium's own ``Popup``, ``Tooltip``,
``GeoJsonPopup`` and ``GeoJsonTooltip`` are not used for data: they insert text into a
JavaScript template literal, where HTML escaping does not stop ``${...}`` from running.
The configuration is JSON made safe for a ``<script>`` block (``<``, ``>``, ``&``
and ``'`` written as ``\u003c`` ...), so data can never close the script.

Data never becomes a template. Branca compiles the text that each element renders as a
Jinja template once more (``MacroElement.render`` wraps it in ``Element(text)``), so a
stored name holding ``{{ ... }}`` would run on the server. Two independent guards:
:class:`RujukLayer` places its script in the page as literal text (:class:`Literal`),
never compiled; and every text from data that reaches any folium element is made inert
first: in the JSON configuration ``{`` and ``}`` inside strings are written
``\u007b`` / ``\u007d`` (:func:`inert_json`), and layer names, which folium's layer
control compiles, have them as HTML character references (:func:`inert_html`). Every
Jinja delimiter (``{{``, ``{%``, ``{#``) starts with ``{``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any
from urllib.parse import urlencode

import folium
import numpy as np
from branca.element import CssLink, Element, Figure, JavascriptLink, MacroElement
from folium.elements import JSCSSMixin
from folium.template import Template
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import escape

from core import settings
from core.values import is_missing
from webmap import assets, i18n

API = "/api/v1"
"""The prefix of the JSON API that the maps fetch their layers from (the service mounts its API there)."""
KINDS: tuple[str, ...] = (
    "register",
    "outlines",
    "choropleth",
    "hotspots",
    "coverage",
    "gap_kinds",
    "agencies",
    "referral",
    "plan",
    "legend",
    "controls",
    "attribution",
)


def plain(value: object) -> object:
    """Return `value` as JSON-ready data: NaN and infinities as None, dates as ISO text, numpy as Python."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if is_missing(value) or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def inert_json(text: str) -> str:
    r"""Return JSON `text` with every ``{`` and ``}`` inside its strings escaped (``\u007b``, ``\u007d``).

    The data is unchanged for a JSON or JavaScript reader, but no Jinja delimiter is left
    in it. Braces outside strings are JSON's own and never start a delimiter: an object
    opens with ``{"`` or ``{}``.
    """
    return _JSON_STRING.sub(lambda m: m.group().replace("{", "\\u007b").replace("}", "\\u007d"), text)


def inert_html(text: str) -> str:
    """Return `text` HTML-escaped, with ``{`` and ``}`` as character references (``&#123;``, ``&#125;``)."""
    return str(escape(text)).replace("{", "&#123;").replace("}", "&#125;")


class Literal(Element):
    """Text placed in a page as it is: rendered without being compiled as a template."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self._text = text

    def render(self, **kwargs: object) -> str:
        """Return the text as given."""
        return self._text


class RujukLayer(JSCSSMixin, MacroElement):
    """Call ``RujukMap.<kind>`` of the map script with the map, the parent group (or null) and `config`."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        RujukMap.{{ this.kind }}({{ this.map_name }},
            {% if this.in_group %}{{ this._parent.get_name() }}{% else %}null{% endif %}, {{ this.config }});
        {% endmacro %}
        """
    )

    def __init__(self, kind: str, m: folium.Map, config: dict, in_group: bool = True) -> None:
        super().__init__()
        if kind not in KINDS:
            msg = f"`kind` was {kind!r} but is expected to be one of {list(KINDS)}."
            raise ValueError(msg)
        self._name = f"RujukLayer_{kind}"
        self.kind = kind
        self.map_name = m.get_name()
        self.in_group = in_group
        self.config = inert_json(str(htmlsafe_json_dumps(plain(config))))
        # per instance, as assets.localize rewrites them (folium declares them as instance attributes)
        self.default_js = [
            ("markerclusterjs", assets.resource_url("markerclusterjs")),
            ("rujuk_map_js", f"{assets.WEBMAP_URL}/rujuk-map.js"),
        ]
        self.default_css = [
            ("markerclustercss", assets.resource_url("markerclustercss")),
            ("markerclusterdefaultcss", assets.resource_url("markerclusterdefaultcss")),
            ("rujuk_map_css", f"{assets.WEBMAP_URL}/rujuk-map.css"),
        ]

    # branca types Element.render as returning the HTML, but a MacroElement (branca's own too) renders
    # into its figure and returns None
    def render(self, **kwargs: object) -> None:  # type: ignore[override]
        """Add the links of the scripts and stylesheets and the call, as literal text, to the page."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            msg = "A RujukLayer can only be rendered inside a folium map's figure."
            raise TypeError(msg)
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        script = self._template.module.__dict__["script"]
        figure.script.add_child(Literal(str(script(self, kwargs))), name=self.get_name())


def base_map(lang: str, **options: Any) -> folium.Map:
    """Return a folium map with the base tiles of ``settings.tile_url`` (none when ``"none"``), zoom and scale."""
    # A maximum zoom is needed by the marker clusters when no tile layer gives one.
    # Zoom buttons and a metric scale come from rujuk-map.js, with titles in the page language.
    m = folium.Map(tiles=None, zoom_control=False, control_scale=False, prefer_canvas=True, maxZoom=18, **options)
    if tiles_shown():
        folium.TileLayer(
            tiles=settings.tile_url, attr=inert_html(settings.tile_attribution), name="tiles", control=False
        ).add_to(m)
    add("controls", m, m, {"strings": strings(lang)})
    return m


def tiles_shown() -> bool:
    """Return False when ``settings.tile_url`` is ``"none"`` (offline: no base map)."""
    return str(settings.tile_url).strip().lower() != "none"


def group(m: folium.Map, name: str, show: bool = True) -> folium.FeatureGroup:
    """Return a layer of the layer control; its `name` is made inert (Leaflet shows it as HTML, folium compiles it)."""
    layer = folium.FeatureGroup(name=inert_html(name), show=show)
    layer.add_to(m)
    return layer


def add(kind: str, m: folium.Map, parent: folium.Map | folium.FeatureGroup, config: dict) -> RujukLayer:
    """Add one ``RujukMap.<kind>`` call to `parent` (the map itself or a layer group)."""
    layer = RujukLayer(kind, m, config, in_group=parent is not m)
    layer.add_to(parent)
    return layer


def finish(m: folium.Map, texts: list[str]) -> folium.Map:
    """Add the data attributions and the layer control, point the assets at local copies; return `m`."""
    add("attribution", m, m, {"texts": texts})
    folium.LayerControl(collapsed=True).add_to(m)
    return assets.localize(m)


def data_source(data_urls: bool, url: str, ref: str) -> dict[str, str]:
    """Return where the browser gets a layer's data: ``{"url": url}`` from the API, or ``{"ref": ref}`` inlined."""
    return {"url": url} if data_urls else {"ref": ref}


def areas_source(level: str, data_urls: bool) -> dict[str, str]:
    """Return the source of the boundaries of `level` (``/areas`` or the inlined ``areas:<level>``)."""
    return data_source(data_urls, f"{API}/areas?{urlencode({'level': level})}", f"areas:{level}")


def strings(lang: str) -> dict[str, str]:
    """Return every map string in `lang` (the browser needs them for popups and controls)."""
    return dict(i18n.STRINGS[i18n.check_language(lang)])
