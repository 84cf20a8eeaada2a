"""The pages in a real browser (headless Chromium, network cut off): what a person sees and what runs.

The service is the real application on the seeded database plus a hostile agency and a
confidential safe house (:mod:`hostile_directory`), served by waitress. Chromium resolves no
host but localhost, so the pages prove that they need no CDN and no tiles: with the default
OpenStreetMap tile URL the tiles fail and the boundaries, markers and gaps must still show.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.request import urlopen

import browser
import pytest
from browser import COUNT_DRAWN, LEAFLET_MAP, OVERLAYS
from hostile_directory import HOSTILE, PASSWORD, SAFE_HOUSE, safe_house_traces

from app import create_app

pytestmark = pytest.mark.browser

READY = "html[data-rujuk-ready]"
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def engine(pages_engine):
    """The seeded database with a hostile agency, a safe house and users (:mod:`hostile_directory`)."""
    return pages_engine


@pytest.fixture(scope="module")
def base_url(engine):
    with browser.live_server(create_app(engine, prepare_data=False)) as url:
        yield url


class Visit:
    """A fresh browser context: every request and response body, console errors and dialogs are recorded."""

    def __init__(self, chromium, base_url: str) -> None:
        self.base_url = base_url
        self.context = chromium.new_context(viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.bodies: list[tuple[str, str]] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.console: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.on("response", self._keep_body)
        self.page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda message: self.console.append(message.text) if message.type == "error" else None)

    def _keep_body(self, response) -> None:
        if browser.is_local(response.url, self.base_url) and response.request.resource_type in (
            "document",
            "fetch",
            "xhr",
        ):
            with contextlib.suppress(Exception):  # a redirect has no body
                self.bodies.append((response.url, response.text()))

    def open(self, path: str):
        self.page.goto(self.base_url + path)
        return self.page

    def map_frame(self):
        """Wait until the national map in the home page's iframe has drawn its shown layers; return the frame."""
        self.page.locator("iframe.map").wait_for()
        frame = self.page.frame_locator("iframe.map").locator(READY)
        frame.wait_for(state="attached")
        return next(f for f in self.page.frames if "/map/national" in f.url)

    def sign_in(self, username: str) -> None:
        self.open("/login?lang=en")
        self.page.fill("#username", username)
        self.page.fill("#password", PASSWORD)
        self.page.click("form.stack button[type=submit]")
        self.page.wait_for_load_state()
        assert "/login" not in self.page.url

    def outside_requests(self) -> list[str]:
        return [url for url in self.requests if not browser.is_local(url, self.base_url)]


@pytest.fixture
def visit(chromium, base_url):
    visit = Visit(chromium, base_url)
    yield visit
    visit.context.close()


def _public_agencies(base_url: str) -> list[dict]:
    with urlopen(f"{base_url}/api/v1/agencies") as answer:
        return json.load(answer)["features"]


# --- the national map ----------------------------------------------------------------------------------------


def test_the_map_draws_boundaries_cases_and_agency_markers_without_internet(visit):
    visit.open("/?lang=en")
    frame = visit.map_frame()
    assert frame.evaluate(COUNT_DRAWN, "Province boundaries")["paths"] == 38
    assert frame.evaluate(COUNT_DRAWN, "per 100,000 people")["paths"] == 38  # an area without a figure too
    agencies = frame.evaluate(COUNT_DRAWN, "Service agencies")
    placed = [f for f in _public_agencies(visit.base_url) if f["geometry"]]  # hotlines have no point
    assert agencies["markers"] + agencies["paths"] == len(placed)
    assert frame.locator(".marker-cluster, .leaflet-marker-icon").count() > 0
    assert frame.locator(".leaflet-control-scale").count() == 1
    assert "OpenStreetMap" in frame.inner_text(".leaflet-control-attribution")
    assert frame.locator(".rujuk-legend").inner_text().strip() != ""
    # The tiles are the only thing the page asks of another host, and they fail: the map is drawn anyway.
    assert {re.sub(r"/\d+/\d+/\d+\.png$", "", url) for url in visit.outside_requests()} <= {
        "https://tile.openstreetmap.org"
    }
    assert visit.errors == []
    assert not [message for message in visit.console if "Content Security Policy" in message]


def test_the_map_controls_speak_the_page_language_and_the_scale_is_metric(visit):
    visit.open("/?lang=id")
    frame = visit.map_frame()
    assert frame.get_attribute(".leaflet-control-zoom-in", "title") == "Perbesar"
    assert frame.get_attribute(".leaflet-control-zoom-out", "title") == "Perkecil"
    assert frame.get_attribute(".leaflet-control-layers-toggle", "title") == "Lapisan peta"
    scale = frame.inner_text(".leaflet-control-scale")
    assert re.search(r"\d+ k?m", scale) and not re.search(r"\b(mi|ft)\b", scale)
    frame.evaluate(f"void {LEAFLET_MAP}.openPopup('x', [-2.5, 118])")
    assert frame.get_attribute(".leaflet-popup-close-button", "aria-label") == "Tutup"


def test_the_map_loads_nothing_from_another_host_when_tiles_are_off(visit, monkeypatch):
    from core import settings

    monkeypatch.setattr(settings, "tile_url", "none")
    visit.open("/?lang=en&capability=medical")
    frame = visit.map_frame()
    assert visit.outside_requests() == []
    assert frame.evaluate(COUNT_DRAWN, "Province boundaries")["paths"] == 38
    assert "no base map shown" in frame.locator(".rujuk-legend").inner_text().lower()


def test_the_agency_filter_shows_only_agencies_with_the_chosen_capability(visit):
    visit.open("/?lang=en")
    frame = visit.map_frame()
    frame.locator(".rujuk-filter select").first.select_option("witness_protection")
    expected = [
        f
        for f in _public_agencies(visit.base_url)
        if f["geometry"] and "witness_protection" in f["properties"]["capabilities"]
    ]
    drawn = frame.evaluate(COUNT_DRAWN, "Service agencies")
    assert 0 < drawn["markers"] + drawn["paths"] == len(expected)
    frame.locator(".rujuk-filter select").nth(1).select_option("lpsk")
    drawn = frame.evaluate(COUNT_DRAWN, "Service agencies")
    lpsk = [f for f in expected if f["properties"]["agency_type"] == "lpsk"]
    assert drawn["markers"] + drawn["paths"] == len(lpsk) > 0


def test_a_coverage_layer_shown_from_the_layer_control_outlines_the_gaps(visit):
    visit.open("/?lang=en")
    frame = visit.map_frame()
    frame.locator(".leaflet-control-layers").hover()
    label = frame.locator(".leaflet-control-layers-overlays label", has_text="Witness and victim protection").first
    label.locator("input").check()
    frame.wait_for_function(f"() => ({COUNT_DRAWN})('Witness and victim protection').paths > 0")
    gaps = frame.evaluate(
        f"""() => {{ let n = 0;
        const g = Object.entries({OVERLAYS}).find(([k]) => k.includes("Witness and victim protection"))[1];
        const walk = (l) => {{ if (l instanceof L.Path && l.options.color === "#e7298a") n += 1;
                               if (l.getLayers) l.getLayers().forEach(walk); }};
        walk(g); return n; }}"""
    )
    assert gaps > 0  # witness protection (LPSK only) is far from most regencies


def test_a_suppressed_count_shows_as_below_the_threshold_in_table_and_popup(visit):
    page = visit.open("/?measure=police TPPO cases&lang=en")
    assert page.locator("table.figures td.num", has_text=re.compile(r"^<5$")).count() > 0
    frame = visit.map_frame()
    text = frame.evaluate(
        f"""() => {{ const g = Object.entries({OVERLAYS}).find(([k]) => k.includes("per 100,000 people"))[1];
        let target = null;
        const walk = (l) => {{ if (!target && l.feature && l.options.dashArray) target = l;
                               if (l.getLayers) l.getLayers().forEach(walk); }};
        walk(g); target.openPopup(); return document.querySelector(".leaflet-popup-content").innerText; }}"""
    )
    assert "<5" in text
    assert not re.search(r"Value\s+[0-4]\b", text)


def test_the_default_language_is_indonesian_and_english_is_a_switch(visit):
    page = visit.open("/")
    assert page.locator("html").get_attribute("lang") == "id"
    frame = visit.map_frame()
    assert any("Batas provinsi" in name for name in frame.evaluate(f"Object.keys({OVERLAYS})"))
    page.get_by_role("link", name=re.compile("English")).first.click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"


def _overlay(frame, name: str) -> None:
    """Tick the layer whose name contains `name` in the layer control."""
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers-overlays label", has_text=name).first.locator("input").check()


SHOWN = f"""(name) => {{ const e = Object.entries({OVERLAYS}).find(([k]) => k.includes(name));
    return {LEAFLET_MAP}.hasLayer(e[1]); }}"""
TICKED = """(name) => [...document.querySelectorAll(".leaflet-control-layers-overlays label")]
    .filter(l => l.textContent.includes(name)).map(l => l.querySelector("input").checked)[0]"""


def test_an_area_without_a_figure_is_drawn_in_its_own_class_and_says_so(visit):
    visit.open("/?lang=en&measure=police TPPO victims")
    frame = visit.map_frame()
    colours = frame.evaluate(
        f"""() => {{ const g = Object.entries({OVERLAYS}).find(([k]) => k.includes("per 100,000 people"))[1];
        const found = [];
        const walk = (l) => {{ if (l.feature) found.push([l.feature.properties.code, l.options.fillColor]);
                               if (l.getLayers) l.getLayers().forEach(walk); }};
        walk(g); return found; }}"""
    )
    blank = [code for code, colour in colours if colour == "#ffffff"]
    assert len(colours) == 38 and 0 < len(blank) < 38
    legend = frame.locator(".rujuk-legend").inner_text()
    assert "No figure for this area" in legend and "Victims per 100,000 people" in legend


def test_case_fill_and_travel_time_fill_are_never_both_on(visit):
    visit.open("/?lang=en")
    frame = visit.map_frame()
    assert frame.evaluate(SHOWN, "per 100,000 people")
    _overlay(frame, "Travel time to help: Medical care")
    frame.wait_for_function(f"() => !({SHOWN})('per 100,000 people')")
    assert frame.evaluate(SHOWN, "Travel time to help: Medical care")
    assert frame.evaluate(TICKED, "per 100,000 people") is False  # the control unticks it too
    _overlay(frame, "Hot and cold spots")
    frame.wait_for_function(f"() => !({SHOWN})('Travel time to help: Medical care')")
    _overlay(frame, "per 100,000 people")
    frame.wait_for_function(f"() => !({SHOWN})('Hot and cold spots')")
    assert "One area fill at a time" in frame.locator(".rujuk-legend").inner_text()


def test_the_hotspot_legend_says_when_nothing_is_significant(visit, monkeypatch):
    from core import settings

    monkeypatch.setattr(settings, "hotspot_alpha", 0.0005)  # below the smallest p of 999 permutations
    measure, source = "Satgas TPPO police reports", "viva.co.id"
    visit.open(f"/?lang=en&measure={measure}&source={source}")
    frame = visit.map_frame()
    _overlay(frame, "Hot and cold spots")
    frame.wait_for_function(f"() => ({COUNT_DRAWN})('Hot and cold spots').paths > 0")
    query = f"measure={measure}&source={source}&level=province&geometry=false".replace(" ", "%20")
    with urlopen(f"{visit.base_url}/api/v1/hotspots?{query}") as answer:
        classes = {f["properties"]["hotspot_class"] for f in json.load(answer)["features"]}
    assert classes == {"not significant"}
    frame.wait_for_function(
        "() => document.querySelector('.rujuk-legend').innerText.includes('No area is significant')"
    )
    assert "α = 0.0005" in frame.locator(".rujuk-legend").inner_text()


# --- hostile text and confidential places ------------------------------------------------------------------


def test_a_hostile_agency_name_shows_as_text_in_popups_and_pages_and_runs_nothing(visit):
    visit.open("/?lang=en")
    frame = visit.map_frame()
    frame.evaluate(f"void {LEAFLET_MAP}.setView([-10.17890, 123.60012], 17, {{animate: false}})")
    marker = frame.locator(f'img.leaflet-marker-icon[title="{HOSTILE[0]}"]')
    marker.click()
    popup = frame.locator(".leaflet-popup-content")
    assert popup.locator("strong").inner_text() == HOSTILE[0]
    assert HOSTILE[0] in popup.inner_text()
    page = visit.open("/directory?q=img&lang=en")
    assert page.get_by_text(HOSTILE[0]).count() > 0
    page = visit.open("/referral?at=53.71&needs=shelter&lang=en")
    assert page.get_by_text(HOSTILE[0]).count() > 0
    for frame in [*page.frames, *visit.page.frames]:
        assert frame.locator('img[src="x"], img[src$="/x"]').count() == 0
    assert visit.dialogs == [] and visit.errors == []


def test_no_confidential_point_reaches_the_public_browser(visit):
    visit.open("/?lang=en")
    visit.map_frame()
    visit.open("/referral?at=53.71&needs=shelter&lang=en")
    visit.open("/directory?q=rumah&lang=en")
    assert visit.page.get_by_text("Rumah Aman Uji").count() > 0
    leaks = {url: safe_house_traces(body) for url, body in visit.bodies if safe_house_traces(body)}
    assert leaks == {}


def test_a_signed_in_caseworker_sees_the_safe_house(visit):
    visit.sign_in("citra.caseworker")
    page = visit.open("/referral?at=53.71&needs=shelter&lang=en")
    assert page.get_by_text("Rumah Aman Uji").count() > 0
    assert any(SAFE_HOUSE["lon"][:7] in body for _, body in visit.bodies)


# --- referral ------------------------------------------------------------------------------------------------


def test_a_referral_typed_in_from_tenggarong_lists_penajam_paser_utara_by_agreement(visit):
    page = visit.open("/referral?lang=en")
    page.fill("#at", "Tenggar")
    page.wait_for_function("() => document.querySelectorAll('#places option').length > 0")
    assert "Tenggarong" in page.locator("#places option").first.get_attribute("label")
    page.fill("#at", "Tenggarong")
    page.check("input[name=needs][value=psychological]")
    page.click("form.referral button[type=submit]")
    page.wait_for_load_state()
    assert "Tenggarong" not in page.url and "psychological" not in page.url  # posted, not in the history
    rows = page.locator("table.candidates").first.locator("tbody tr")
    ppu = rows.filter(has_text="Penajam Paser Utara")
    assert ppu.count() == 1 and "by cooperation agreement" in ppu.inner_text()
    assert "own area" in rows.filter(has_text="Kutai Kartanegara").first.inner_text()
    frame = next(f for f in page.frames if f != page.main_frame)
    frame.wait_for_selector(".rujuk-rank")
    assert frame.locator(".rujuk-rank").count() == rows.count()
    lines = frame.evaluate(
        f"() => {{ let n = 0; {LEAFLET_MAP}.eachLayer(l => {{ if (l instanceof L.Polyline) n++; }}); return n; }}"
    )
    assert lines >= rows.count()


LINES = f"""() => {{ const map = {LEAFLET_MAP}; const view = map.getBounds(); const lines = [];
    map.eachLayer(l => {{ if (l instanceof L.Polyline) lines.push(
        {{dash: l.options.dashArray || null, colour: l.options.color, opacity: l.options.opacity,
          inside: view.contains(l.getBounds())}}); }});
    return lines; }}"""


def _referral_frame(page):
    frame = next(f for f in page.frames if f != page.main_frame)
    frame.wait_for_selector(".rujuk-rank")
    return frame


def test_the_referral_map_draws_legs_by_mode_with_a_legend(visit):
    page = visit.open("/referral?at=Batam&needs=shelter&lang=en")
    assert "fast boat" in page.locator("table.candidates").first.locator(".legs").first.inner_text()
    frame = _referral_frame(page)
    drawn = frame.evaluate(LINES)
    styles = {(line["colour"], line["dash"]) for line in drawn}
    assert ("#35978f", "4 4") in styles and ("#1b7837", None) in styles  # fast boat dashed, road solid
    assert {line["opacity"] for line in drawn} >= {0.45}  # the estimated road legs are lighter
    legend = frame.locator(".rujuk-legend").inner_text()
    assert "fast boat" in legend and "road" in legend and "estimate" in legend


def test_the_referral_map_zooms_to_every_route(visit):
    # From Penajam the roads to the offices go round Balikpapan Bay, outside the box of the offices and the origin.
    page = visit.open("/referral?at=Penajam&needs=shelter&k=1&lang=en")
    drawn = _referral_frame(page).evaluate(LINES)
    assert drawn and all(line["inside"] for line in drawn)


def test_the_pick_map_shows_the_boundaries_when_no_tile_server_answers(visit):
    page = visit.open("/referral?lang=en")  # the default tile server cannot be resolved here
    page.wait_for_function(
        "() => document.querySelectorAll('#pick-map path.leaflet-interactive, #pick-map path').length >= 38"
    )
    assert any("tile.openstreetmap.org" in url for url in visit.outside_requests())
    assert page.locator("#pick-map path").count() >= 38


def test_clicking_the_pick_map_fills_in_the_coordinates(visit):
    page = visit.open("/referral?lang=en")
    page.locator("#pick-map").click(position={"x": 300, "y": 150})
    assert re.fullmatch(r"-?\d+\.\d{5},-?\d+\.\d{5}", page.input_value("#at"))


def test_the_printed_referral_leaves_out_the_form_and_buttons(visit):
    page = visit.open("/referral?at=Tenggarong&needs=psychological&lang=en")
    page.emulate_media(media="print")
    assert not page.locator("form.referral").is_visible()
    assert not page.locator("[data-print]").is_visible()
    assert page.locator("table.candidates").first.is_visible()


# --- directory -------------------------------------------------------------------------------------------------


def test_an_editor_signs_in_and_sees_a_rejected_import_listed_row_by_row(visit, tmp_path):
    visit.sign_in("eko.editor")
    page = visit.open("/directory/import?lang=en")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "id,name,organization_id,organization_name,agency_type,jurisdiction_level,area_code,capabilities,lon,lat,"
        "location_precision,source\n"
        "x1,,org,Org,ngo,regency,64.09,legal_aid,116.7,-1.2,exact,test\n"
        "x2,Bad Capability,org,Org,ngo,regency,64.09,flying,116.7,-1.2,exact,test\n",
        encoding="utf-8",
    )
    page.set_input_files("input[type=file]", str(bad))
    page.click("main form.stack button[type=submit]")
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "nothing was saved" in text and "flying" in text and "name" in text


# --- the service as `rujuk serve` runs it ----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_rujuk_serve_runs_waitress_on_the_embedded_default_data_and_the_map_works(chromium, tmp_path):
    """The README's run command ends in `rujuk serve`: a fresh database is created and seeded on start."""
    port = _free_port()
    env = {**os.environ, "RUJUK_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite'}", "RUJUK_TILE_URL": "none"}
    rujuk = Path(sys.executable).with_name("rujuk")
    server = subprocess.Popen([str(rujuk), "serve", "--port", str(port)], env=env, stderr=subprocess.PIPE, text=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urlopen(f"{base_url}/api/v1/health") as answer:
                    assert answer.headers["Server"] == "waitress"
                    break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
                time.sleep(0.5)
        assert len(_public_agencies(base_url)) >= 100  # the embedded sample directory was seeded
        visit = Visit(chromium, base_url)
        visit.open("/")
        frame = visit.map_frame()
        assert frame.evaluate(COUNT_DRAWN, "Batas provinsi")["paths"] == 38
        assert visit.outside_requests() == [] and visit.errors == []
        visit.context.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
