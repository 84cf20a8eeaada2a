"""The "Why the gap" layer in a real browser (headless Chromium, network cut off).

The service is the real application on the seeded database (plus the hostile agency and safe house of
:mod:`hostile_directory`), served by waitress as in ``test_browser.py``; Chromium resolves no host but localhost.
The layer is shown from the layer control as a person would; what it draws is checked against the public
coverage answers that anyone can fetch.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode
from urllib.request import urlopen

import pytest

from routing.schemas import GAP_KINDS
from webmap import i18n, why_gap

pytestmark = pytest.mark.browser

READY = "html[data-rujuk-ready]"
TIMEOUT_MS = 30_000
CAPABILITY = "shelter"  # the seeded directory gives shelter all three kinds of regency

# The folium map object and its layer control, found by the names folium gives them.
LEAFLET_MAP = "Object.keys(window).filter(k => /^map_[0-9a-f]+$/.test(k)).map(k => window[k])[0]"
OVERLAYS = "Object.keys(window).filter(k => /^layer_control_[0-9a-f]+_layers$/.test(k)).map(k => window[k])[0].overlays"
GROUP = f"(name) => Object.entries({OVERLAYS}).find(([key]) => key.includes(name))[1]"
SHOWN = f"(name) => {LEAFLET_MAP}.hasLayer(({GROUP})(name))"
TICKED = """(name) => [...document.querySelectorAll(".leaflet-control-layers-overlays label")]
    .filter(l => l.textContent.includes(name)).map(l => l.querySelector("input").checked)[0]"""
FILLS = f"""(name) => {{ const found = {{}};
    const walk = (l) => {{ if (l.feature) found[l.feature.properties.code] = l.options.fillColor;
                           if (l.getLayers) l.getLayers().forEach(walk); }};
    walk(({GROUP})(name)); return found; }}"""
POPUP = f"""([name, code]) => {{ let target = null;
    const walk = (l) => {{ if (!target && l.feature && l.feature.properties.code === code) target = l;
                           if (l.getLayers) l.getLayers().forEach(walk); }};
    walk(({GROUP})(name)); target.openPopup(); return document.querySelector(".leaflet-popup-content").innerText; }}"""


class Visit:
    """A fresh browser context and its page; the page's script errors are recorded."""

    def __init__(self, chromium) -> None:
        self.context = chromium.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))


@pytest.fixture
def visit(chromium):
    visit = Visit(chromium)
    yield visit
    visit.context.close()


def _public(base_url: str, level: str, fields: list[str]) -> dict[str, dict]:
    """Return the public coverage answer of `level` for the capability: ``{code: properties}``."""
    query = {"capability": CAPABILITY, "level": level, "rules": "with", "geometry": "false", "fields": ",".join(fields)}
    with urlopen(f"{base_url}/api/v1/coverage?{urlencode(query)}") as answer:
        return {f["properties"]["code"]: f["properties"] for f in json.load(answer)["features"]}


def _kind(row: dict) -> str:
    return why_gap.area_gap_kind(row["gap_districts_permitted"], row["no_entry_districts_permitted"])


def _show_why_the_gap(page, base_url: str, lang: str):
    """Open the home page with the capability chosen, tick "Why the gap" in the layer control; return the map frame."""
    page.goto(f"{base_url}/?lang={lang}&capability={CAPABILITY}")
    page.frame_locator("iframe.map").locator(READY).wait_for(state="attached")
    frame = next(f for f in page.frames if "/map/national" in f.url)
    label = i18n.vocabulary("capability", lang)[CAPABILITY]
    name = i18n.t("layer_gap_kinds", lang, capability=label)
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text=name).first.locator("input").check()
    frame.wait_for_function(f"(name) => Object.keys(({FILLS})(name)).length > 0", arg=name)
    return frame, name, i18n.t("layer_coverage", lang, capability=label)


def test_the_layer_colours_each_regency_by_its_gap_kind_and_hides_the_travel_time_fill(visit, base_url):
    frame, name, travel = _show_why_the_gap(visit.page, base_url, "en")
    frame.wait_for_function(f"(name) => !({SHOWN})(name)", arg=travel)  # one area fill at a time
    assert frame.evaluate(SHOWN, name)
    assert frame.evaluate(TICKED, travel) is False and frame.evaluate(TICKED, name) is True
    rows = _public(base_url, "regency", ["gap_districts_permitted", "no_entry_districts_permitted"])
    drawn = frame.evaluate(FILLS, name)
    assert drawn == {code: why_gap.GAP_KIND_COLOURS[_kind(row)] for code, row in rows.items() if code in drawn}
    assert len(drawn) >= 0.95 * len(rows)  # a regency without a boundary of its own is the only one left out
    assert set(drawn.values()) == set(why_gap.GAP_KIND_COLOURS.values())  # all three kinds on the map
    section = frame.locator(".rujuk-legend [data-section=gap_kinds]")
    assert section.locator(".rujuk-legend-title").inner_text() == i18n.t("legend_gap_kinds", "en", capability="Shelter")
    swatches = section.locator(".rujuk-legend-row")
    assert [swatches.nth(i).inner_text().strip() for i in range(swatches.count())] == [
        i18n.t(f"gap_kind_{kind}", "en") for kind in GAP_KINDS
    ]
    # ticking the travel time again hides this layer in turn
    frame.locator(".leaflet-control-layers-overlays label", has_text=travel).first.locator("input").check()
    frame.wait_for_function(f"(name) => !({SHOWN})(name)", arg=name)
    assert visit.errors == []


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_a_popup_says_why_and_gives_the_directory_counts(visit, base_url, lang):
    rows = _public(base_url, "regency", ["gap_districts_permitted", "no_entry_districts_permitted", "districts"])
    provinces = _public(base_url, "province", ["directory_rows", "directory_confirmed"])
    code = min(code for code, row in rows.items() if _kind(row) == "no_verified_entry")
    frame, name, _ = _show_why_the_gap(visit.page, base_url, lang)
    text = frame.evaluate(POPUP, [name, code])
    row, province = rows[code], provinces[code.split(".")[0]]
    assert i18n.t("gap_kind_no_verified_entry", lang) in text
    assert i18n.t("gap_kind_note_no_verified_entry", lang) in text
    count = i18n.t("count_of", lang, n=row["gap_districts_permitted"], total=row["districts"])
    assert f"{i18n.t('gap_districts', lang)}\t{count}" in text
    counts = f"{province['directory_confirmed']} / {province['directory_rows']}"
    assert f"{i18n.t('directory_province', lang)}\t{counts}" in text
    assert province["directory_confirmed"] == 0  # what made the gap "no verified entry"
    assert i18n.t("directory_here", lang) in text
    other = i18n.LANGUAGES[1 - i18n.LANGUAGES.index(lang)]
    assert i18n.t("gap_kind", other) not in text
    assert visit.errors == []
