"""The web maps on the seeded real data: offline assets, escaping, privacy, suppression and both languages."""

from __future__ import annotations

import itertools
import json
import re

import folium
import numpy as np
import pytest
from flask import Flask
from folium import plugins

import cases
import directory
from core import settings
from core.db import session_scope
from core.errors import DataUnavailableError, InputError
from webmap import assets, i18n, maps
from webmap import referral as route_maps

URL = re.compile(r"https?://[^\s\"'<>()\\]+")
SAFE_HOUSE = (123.612345, -10.176543)  # an exact point in Kota Kupang that nothing else uses
HOSTILE = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"]


def _calls(html: str, kind: str) -> list[dict]:
    """Return the configuration of every ``RujukMap.<kind>(map, group, config)`` call of a page."""
    found = []
    for match in re.finditer(rf"RujukMap\.{kind}\([^,]+,\s*[^,]+,\s*", html):
        found.append(json.JSONDecoder().raw_decode(html, match.end())[0])
    return found


def _nearest_pair_deg(html: str, lon: float, lat: float) -> float:
    """Return the distance in degrees from (lon, lat) to the nearest ``[x, y]`` number pair written in a page."""
    pairs = np.array(re.findall(r"\[(-?\d+\.\d+),\s*(-?\d+\.\d+)\]", html), dtype=float).reshape(-1, 2)
    return float(np.hypot(pairs[:, 0] - lon, pairs[:, 1] - lat).min()) if len(pairs) else np.inf


def _external(html: str) -> set[str]:
    return set(URL.findall(html)) - {settings.tile_url}


@pytest.fixture(scope="module")
def pages(seeded_engine):
    """The rendered national maps (API URLs and inlined, both languages)."""
    return {
        (lang, data_urls): assets.render(maps.national_map(seeded_engine, lang=lang, data_urls=data_urls))
        for lang in i18n.LANGUAGES
        for data_urls in (True, False)
    }


@pytest.fixture(scope="module")
def hostile_engine(tmp_path_factory):
    """A seeded real database with an agency and a measure whose names are script payloads."""
    from core import db
    from store.prepare import prepare

    engine = db.get_engine(f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'rujuk.sqlite'}")
    prepare(progress=False, engine=engine)
    with session_scope(engine) as session:
        template = directory.get_agency(session, "lpsk-ntt")
        hostile = directory.ServiceLocation(
            id="hostile",
            organization_id=template.organization_id,
            name=HOSTILE[0],
            agency_type="ngo",
            jurisdiction_level="regency",
            area_code="53.71",
            address=HOSTILE[1],
            lon=123.6,
            lat=-10.17,
            location_precision="exact",
            phone="${alert(2)}",
            source=HOSTILE[1],
        )
        hostile.services = [directory.Service(capability="shelter")]
        house = directory.ServiceLocation(
            id="safe-house",
            organization_id=template.organization_id,
            name="Rumah aman",
            agency_type="ngo",
            jurisdiction_level="regency",
            area_code="53.71",
            address="Jl. Rahasia 1",
            lon=SAFE_HOUSE[0],
            lat=SAFE_HOUSE[1],
            location_precision="exact",
            confidential=True,
            source="test",
        )
        house.services = [directory.Service(capability="shelter")]
        session.add_all([hostile, house])
    figures = tmp_path_factory.mktemp("figures") / "hostile.csv"
    rows = [
        f'{code},2023-01-01,2023-12-31,"{HOSTILE[1]}",cases,{value},"{HOSTILE[0]}"'
        for code, value in [("12", 40), ("14", 3), ("21", 20), ("33", 8)]
    ]
    figures.write_text("area_code,period_start,period_end,measure,unit,value,source\n" + "\n".join(rows) + "\n")
    cases.import_csv(engine, figures)
    yield engine
    engine.dispose()


def test_vendored_libraries_are_installed():
    assert assets.missing_files() == [], "run `make assets` (npm ci + python -m webmap.assets)"


def test_every_map_loads_nothing_from_another_host(pages, referrer):
    referral = assets.render(route_maps.referral_map(referrer.refer("Kalabahi", ["witness_protection"], k=3).as_dict()))
    for html in [*pages.values(), referral]:
        assert _external(html) == set()
        local = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
        assert any("leaflet.js" in path for path in local) and any("rujuk-map.js" in path for path in local)


def test_the_assets_blueprint_serves_every_script_and_stylesheet_of_a_page(pages):
    app = Flask(__name__)
    app.register_blueprint(assets.bp)
    client = app.test_client()
    for path in set(re.findall(r'(?:src|href)="(/static/[^"]+)"', pages[("id", True)])):
        assert client.get(path).status_code == 200, path
    assert client.get(assets.vendor_url("leaflet", "dist/images/marker-icon.png")).status_code == 200


def test_without_tiles_the_map_has_no_external_url_and_keeps_its_layers(seeded_engine, monkeypatch):
    monkeypatch.setattr(settings, "tile_url", "none")
    html = assets.render(maps.national_map(seeded_engine, data_urls=False))
    assert URL.findall(html) == [] and "L.tileLayer" not in html
    for kind in ("outlines", "choropleth", "agencies", "coverage", "legend"):
        assert _calls(html, kind), kind


def test_a_plugin_without_a_local_copy_is_refused():
    m = folium.Map(tiles=None)
    plugins.Fullscreen().add_to(m)
    with pytest.raises(DataUnavailableError, match="fullscreen"):
        assets.localize(m)


def test_hostile_names_reach_the_page_only_escaped(hostile_engine):
    measure = HOSTILE[1]
    html = assets.render(maps.national_map(hostile_engine, measure=measure, source=HOSTILE[0], data_urls=False))
    for payload in HOSTILE:
        assert payload not in html
    assert "\\u003cimg src=x onerror=alert(1)\\u003e" in html  # in the JSON the script shows with textContent
    # Layer names are HTML-escaped (Leaflet's layer control parses them as HTML), then JSON-escaped by folium.
    assert "\\u0026lt;script\\u0026gt;alert(1)\\u0026lt;/script\\u0026gt;" in html
    agencies = _calls(html, "register")
    names = {f["properties"]["name"] for c in agencies if c["name"] == "agencies" for f in c["data"]["features"]}
    assert HOSTILE[0] in names  # decoded, the name is intact (shown as text)
    referral = {
        "origin": {"lon": 123.6, "lat": -10.2, "label": HOSTILE[1]},
        "candidates": [
            {
                "rank": 1,
                "name": HOSTILE[0],
                "organization": "${alert(3)}",
                "location": {"lon": 123.61, "lat": -10.17},
                "contact": {"phone": HOSTILE[1]},
                "route": None,
            }
        ],
    }
    page = assets.render(route_maps.referral_map(referral, lang="en"))
    assert all(payload not in page for payload in HOSTILE) and "`${alert" not in page


def test_public_map_never_carries_a_confidential_true_point(hostile_engine):
    lon, lat = SAFE_HOUSE
    for lang in i18n.LANGUAGES:
        html = assets.render(maps.national_map(hostile_engine, lang=lang, data_urls=False))
        assert _nearest_pair_deg(html, lon, lat) > 0.001  # no [lon, lat] within about 100 m
        inline = next(c for c in _calls(html, "register") if c["name"] == "agencies")["data"]
        house = next(f for f in inline["features"] if f["properties"]["id"] == "safe-house")
        assert house["properties"]["redacted"] is True and house["properties"]["address"] is None
    authorised = assets.render(maps.national_map(hostile_engine, authorised=True))
    assert _nearest_pair_deg(authorised, lon, lat) < 1e-5  # the check does find a true point where allowed


def test_suppressed_counts_show_as_less_than_k_without_a_rate(seeded_engine):
    html = assets.render(maps.national_map(seeded_engine, measure="police TPPO cases", data_urls=False))
    figures = _calls(html, "choropleth")[0]["figures"]
    assert figures["64.72"]["value"] == f"<{settings.suppress_below}" and figures["64.72"]["rate"] is None
    assert figures["64.07"]["value"] == 7 and figures["64.07"]["rate"] > 0
    authorised = assets.render(
        maps.national_map(seeded_engine, measure="police TPPO cases", authorised=True, data_urls=False)
    )
    assert _calls(authorised, "choropleth")[0]["figures"]["64.72"]["value"] == 1


def test_each_language_renders_its_own_strings(pages):
    for lang, other in (("id", "en"), ("en", "id")):
        html = pages[(lang, True)]
        for key in ("layer_agencies", "layer_provinces", "legend_title", "attribution_boundaries"):
            assert json.dumps(i18n.t(key, lang), ensure_ascii=False)[1:-1] in html.replace("\\u0026", "&")
        assert i18n.t("layer_agencies", other) not in html
        legend = _calls(html, "legend")[0]
        assert legend["title"] == i18n.t("legend_title", lang)


def test_string_tables_have_the_same_keys_in_both_languages():
    assert set(i18n.STRINGS["id"]) == set(i18n.STRINGS["en"])
    assert all(i18n.STRINGS[lang][key].strip() for lang in i18n.LANGUAGES for key in i18n.STRINGS[lang])
    assert i18n.t("hours", "en", hours="2,5") == "2,5 h" and i18n.t("layer_agencies") == "Lembaga layanan"
    with pytest.raises(InputError, match="lang"):
        i18n.t("layer_agencies", "fr")
    with pytest.raises(KeyError, match="layer_agencies"):
        i18n.translate(i18n.STRINGS, "layer_agency", "en")


def test_national_map_page_is_light_with_data_urls(pages):
    assert len(pages[("id", True)].encode()) < 300_000  # the 3 MB budget is for the whole page and its data
    urls = {c["source"].get("url") for kind in ("outlines", "agencies") for c in _calls(pages[("id", True)], kind)}
    assert {"/api/v1/areas?level=province", "/api/v1/areas?level=regency", "/api/v1/agencies"} <= urls


def _shown(html: str, kind: str) -> list[bool]:
    """Return, per ``RujukMap.<kind>`` call of a page, whether its layer group is on the map when the page opens."""
    groups = re.findall(rf"RujukMap\.{kind}\(\w+,\s*(\w+)", html)
    return [bool(re.search(rf"\b{group}\.addTo\(", html)) for group in groups]


def test_lpsk_applications_with_the_automatic_source_map_the_province_figures(seeded_engine, live_app):
    measure = "LPSK TPPO protection applications"  # one source of country totals (more rows), one of NTT
    assert cases.hotspots.mapped_sources(seeded_engine, measure) == ["viva.co.id; lpsk.go.id"]
    html = assets.render(maps.national_map(seeded_engine, lang="en", measure=measure, data_urls=False))
    assert set(_calls(html, "choropleth")[0]["figures"]) == {"53"}
    client = live_app[0].test_client()
    page = client.get(f"/?measure={measure}&lang=en")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "has no area figures" not in text and "Nusa Tenggara Timur" in text
    assert client.get(f"/map/national?measure={measure}&lang=en").status_code == 200
    # A measure of country totals only cannot be mapped: it is not offered.
    assert 'value="Simfoni-PPA TPPO cases"' not in text and f'value="{measure}"' in text


def test_the_legend_names_what_the_measure_counts(seeded_engine):
    expected = {
        ("police TPPO victims", "en"): "Victims per 100,000 people",
        ("police TPPO victims", "id"): "Korban per 100.000 penduduk",
        ("police TPPO cases", "en"): "Cases per 100,000 people",
        ("LPSK TPPO protection applications", "id"): "Permohonan per 100.000 penduduk",
        ("Satgas TPPO police reports", "en"): "Police reports per 100,000 people",
    }
    for (measure, lang), title in expected.items():
        html = assets.render(maps.national_map(seeded_engine, lang=lang, measure=measure, data_urls=False))
        legend = _calls(html, "legend")[0]["sections"][0]["title"]
        assert legend.startswith(f"{title}: {maps.measure_label(measure, lang)}"), legend
        assert _calls(html, "choropleth")[0]["title"].startswith(title)


def test_areas_without_a_figure_have_their_own_legend_class(seeded_engine):
    for lang in i18n.LANGUAGES:
        html = assets.render(maps.national_map(seeded_engine, lang=lang, data_urls=False))
        config = _calls(html, "choropleth")[0]
        items = _calls(html, "legend")[0]["sections"][0]["items"]
        no_figure = [item for item in items if item["label"] == i18n.t("legend_no_figure", lang)]
        assert no_figure == [{"style": "fill", "colour": maps.NO_FIGURE_COLOUR, "label": config["no_figure_note"]}]
        assert maps.NO_FIGURE_COLOUR not in {item["colour"] for item in items if item is not no_figure[0]}
        assert len(config["figures"]) < 38  # the default measure has figures for a few provinces only


def test_the_hotspot_legend_says_when_nothing_is_significant(seeded_engine, monkeypatch):
    measure, source = "Satgas TPPO police reports", "viva.co.id"
    for alpha in (0.0005, 0.5):  # below the smallest p of 999 permutations (0.001), and a loose level
        monkeypatch.setattr(settings, "hotspot_alpha", alpha)
        frame = cases.hotspots.hotspots(seeded_engine, measure, source, "province")
        html = assets.render(maps.national_map(seeded_engine, lang="en", measure=measure, data_urls=False))
        section = next(s for s in _calls(html, "legend")[0]["sections"] if s.get("id") == "hotspots")
        notes = [item["label"] for item in section["items"] if item["style"] == "note"]
        nothing = frame["hotspot_class"].eq("not significant").all()
        assert notes == ([i18n.t("legend_nothing_significant", "en", alpha=alpha)] if nothing else [])
        assert nothing == (alpha < 0.001)
        hotspot_layer = _calls(html, "hotspots")[0]  # the browser adds the same note when it fetches the layer
        assert hotspot_layer["legend_section"] == "hotspots" and hotspot_layer["nothing_significant"]


def test_case_and_travel_time_fills_are_never_both_shown_at_first(seeded_engine):
    plain = assets.render(maps.national_map(seeded_engine, lang="en"))
    assert _shown(plain, "choropleth") == [True] and not any(_shown(plain, "coverage"))
    chosen = assets.render(maps.national_map(seeded_engine, lang="en", capability="medical"))
    assert _shown(chosen, "choropleth") == [False] and _shown(chosen, "coverage") == [True]
    assert not any(_shown(chosen, "hotspots"))
    section = _calls(chosen, "legend")[0]["sections"]
    assert any(s["title"] == i18n.t("legend_exclusive", "en") for s in section)


def test_each_leg_carries_its_place_in_the_route_line(referrer):
    answer = referrer.refer("Batam", ["shelter"], k=5).as_dict()
    routed = [c for c in answer["candidates"] if c["route"]]
    assert routed
    for candidate in routed:
        coords = candidate["route"]["coordinates"]
        spans = [leg["vertices"] for leg in candidate["legs"]]
        assert spans[0][0] == 0 and spans[-1][1] == len(coords) - 1
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))  # each leg starts where one ends
    redacted = [c for c in answer["candidates"] if c["route"] is None and c["legs"]]
    assert all(leg["vertices"] is not None for c in redacted for leg in c["legs"])  # indices only: no place


def test_referral_map_draws_each_leg_by_its_mode_with_a_legend(referrer):
    for place, need, modes in (
        ("Batam", "shelter", {"road", "fast_boat"}),
        ("Kalabahi", "witness_protection", {"flight"}),
    ):
        referral = referrer.refer(place, [need], k=3).as_dict()
        for lang in i18n.LANGUAGES:
            config = _calls(assets.render(route_maps.referral_map(referral, lang=lang)), "referral")[0]
            assert [c["rank"] for c in config["candidates"]] == [1, 2, 3]
            drawn = set()
            for drawn_candidate, candidate in zip(config["candidates"], referral["candidates"], strict=True):
                segments = drawn_candidate["segments"]
                if candidate["route"] is None:
                    assert [s["kind"] for s in segments] == ["straight"]
                    continue
                assert [s["kind"] for s in segments] == [leg["mode"] for leg in candidate["legs"]]
                assert [s["estimated"] for s in segments] == [leg["estimated"] for leg in candidate["legs"]]
                joined = [point for s in segments for point in s["coordinates"]]
                route = [[lat, lon] for lon, lat in candidate["route"]["coordinates"]]
                assert (
                    joined[0] == route[0] and joined[-1] == route[-1] and len(joined) == len(route) + len(segments) - 1
                )
                drawn |= {s["kind"] for s in segments}
                assert drawn_candidate["legs"] == i18n.legs_line(candidate["legs"], lang)
            assert modes <= drawn
            assert set(config["styles"]) >= {*drawn, "straight"}
            labels = [
                item["label"]
                for item in _calls(assets.render(route_maps.referral_map(referral, lang=lang)), "legend")[0][
                    "sections"
                ][0]["items"]
            ]
            assert {i18n.mode_label(kind, lang) for kind in drawn} <= set(labels)
            assert i18n.t("legend_estimated", lang) in labels  # the national model's roads are estimates
    assert i18n.mode_label("fast_boat", "id") == "kapal cepat" and i18n.mode_label("flight", "en") == "flight"


def test_every_leg_mode_has_a_style_and_a_name_in_both_languages():
    from routing.modes import LEG_MODES

    for mode in (*LEG_MODES, "access"):
        assert mode in route_maps.MODE_STYLES
        assert i18n.MODE_LABELS[mode]["id"] and i18n.MODE_LABELS[mode]["en"]
        assert i18n.mode_label(mode, "id") != i18n.mode_label(mode, "en")


def test_the_referral_page_lists_each_route_leg_by_leg(live_app):
    client = live_app[0].test_client()
    text = client.get("/referral?at=Batam&needs=shelter&lang=en").get_data(as_text=True)
    assert re.search(r'class="legs">by road \d+h\d\d &gt; fast boat \d+h\d\d \(Batam \(Telaga Punggur\)', text)
    text = client.get("/referral?at=Batam&needs=shelter&lang=id").get_data(as_text=True)
    assert re.search(r'class="legs">melalui jalan darat \d+h\d\d &gt; kapal cepat', text)
