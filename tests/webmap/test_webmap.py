"""The web maps on the seeded real data: offline assets, escaping, privacy, suppression and both languages."""

from __future__ import annotations

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
    referral = assets.render(maps.referral_map(referrer.refer("Kalabahi", ["witness_protection"], k=3).as_dict()))
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
    page = assets.render(maps.referral_map(referral, lang="en"))
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


def test_referral_map_numbers_candidates_and_marks_sea_crossings(referrer):
    referral = referrer.refer("Kalabahi", ["witness_protection"], k=3).as_dict()
    html = assets.render(maps.referral_map(referral, lang="en"))
    config = _calls(html, "referral")[0]
    assert [c["rank"] for c in config["candidates"]] == [1, 2, 3]
    kinds = {s["kind"] for c in config["candidates"] for s in c["segments"]}
    assert {"road", "sea"} <= kinds  # Alor to Timor crosses the sea
    first = config["candidates"][0]["segments"]
    assert first[0]["coordinates"][0] == pytest.approx([referral["origin"]["lat"], referral["origin"]["lon"]], abs=0.5)
