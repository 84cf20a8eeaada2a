"""The "Why the gap" layer of the national map on the seeded real data: classes, legend, data and privacy."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from routing import coverage
from routing.schemas import GAP_KINDS
from webmap import assets, i18n, maps, why_gap

CAPABILITY = "shelter"  # the seeded directory gives shelter all three kinds of regency


def _calls(html: str, kind: str) -> list[dict]:
    """Return the configuration of every ``RujukMap.<kind>(map, group, config)`` call of a page."""
    return [
        json.JSONDecoder().raw_decode(html, match.end())[0]
        for match in re.finditer(rf"RujukMap\.{kind}\([^,]+,\s*[^,]+,\s*", html)
    ]


def _shown(html: str, kind: str) -> list[bool]:
    """Return, per ``RujukMap.<kind>`` call, whether its layer group is on the map when the page opens."""
    groups = re.findall(rf"RujukMap\.{kind}\(\w+,\s*(\w+)", html)
    return [bool(re.search(rf"\b{group}\.addTo\(", html)) for group in groups]


@pytest.fixture(scope="module")
def pages(seeded_engine):
    """The national map with the capability chosen: ``{(lang, data_urls): html}``."""
    return {
        (lang, data_urls): assets.render(
            maps.national_map(seeded_engine, lang=lang, capability=CAPABILITY, data_urls=data_urls)
        )
        for lang in i18n.LANGUAGES
        for data_urls in (True, False)
    }


@pytest.fixture(scope="module")
def regencies(seeded_engine):
    return coverage.coverage_table(seeded_engine, [CAPABILITY], level="regency", rules="with")


def test_the_area_rule_names_a_regency_by_its_gap_districts():
    assert why_gap.area_gap_kind(0, 0) == "within_standard"
    assert why_gap.area_gap_kind(3, 0) == "too_far"
    assert why_gap.area_gap_kind(3, 3) == "no_verified_entry"
    assert set(why_gap.GAP_KIND_COLOURS) == set(GAP_KINDS)
    assert len(set(why_gap.GAP_KIND_COLOURS.values())) == len(GAP_KINDS)


def test_the_gap_districts_of_a_regency_share_the_kind_the_layer_gives_it(seeded_engine, regencies):
    districts = coverage.coverage_table(seeded_engine, [CAPABILITY], level="district", rules="with")
    gaps = districts[districts["gap_permitted"].astype(bool)]
    kinds = gaps.groupby("regency_code")["gap_kind_permitted"].agg(lambda k: set(k.astype(str)))
    assert kinds.map(len).eq(1).all()  # one kind per regency: the colour names every gap district of it
    for row in regencies.itertuples():
        expected = kinds[row.code].pop() if row.code in kinds.index else "within_standard"
        assert why_gap.area_gap_kind(row.gap_districts_permitted, row.no_entry_districts_permitted) == expected


def test_a_chosen_capability_adds_the_layer_hidden_with_a_legend_of_three_classes(pages):
    for lang in i18n.LANGUAGES:
        html = pages[(lang, True)]
        (layer,) = _calls(html, "gap_kinds")
        label = i18n.vocabulary("capability", lang)[CAPABILITY]
        assert layer["title"] == i18n.t("layer_gap_kinds", lang, capability=label) and layer["capability"] == CAPABILITY
        assert _shown(html, "gap_kinds") == [False] and _shown(html, "coverage") == [True]  # one fill at a time
        section = next(s for s in _calls(html, "legend")[0]["sections"] if s.get("id") == "gap_kinds")
        assert section["title"] == i18n.t("legend_gap_kinds", lang, capability=label)
        fills = [(item["colour"], item["label"]) for item in section["items"] if item["style"] == "fill"]
        assert fills == [(why_gap.GAP_KIND_COLOURS[k], i18n.t(f"gap_kind_{k}", lang)) for k in GAP_KINDS]
        assert layer["classes"] == {k: i18n.t(f"gap_kind_{k}", lang) for k in GAP_KINDS}
        assert set(layer["notes"]) == {"too_far", "no_verified_entry"}
    assert i18n.t("layer_gap_kinds", "en", capability="Shelter") == "Why the gap: Shelter"
    assert i18n.t("layer_gap_kinds", "id", capability="Rumah aman").startswith("Penyebab kesenjangan")


def test_without_a_chosen_capability_there_is_no_layer_and_the_coverage_urls_are_unchanged(seeded_engine):
    html = assets.render(maps.national_map(seeded_engine, lang="en"))
    assert _calls(html, "gap_kinds") == []
    for layer in _calls(html, "coverage"):
        fields = parse_qs(urlsplit(layer["source"]["url"]).query)["fields"][0].split(",")
        assert fields == maps.COVERAGE_FIELDS


def test_the_layer_reads_the_public_coverage_answers_the_travel_time_layer_fetches(pages, live_app):
    html = pages[("en", True)]
    (layer,) = _calls(html, "gap_kinds")
    (travel,) = _calls(html, "coverage")
    assert layer["source"] == travel["source"]  # one URL: the browser fetches the regency rows once
    client = live_app[0].test_client()  # anonymous: the public answers
    answer = client.get(layer["source"]["url"])
    assert answer.status_code == 200
    rows = [f["properties"] for f in answer.get_json()["features"]]
    assert rows and all(set(why_gap.GAP_FIELDS) <= set(row) for row in rows)
    provinces = client.get(layer["provinces"]["url"])
    assert provinces.status_code == 200
    counts = {f["properties"]["code"]: f["properties"] for f in provinces.get_json()["features"]}
    assert len(counts) == 38 and all(set(why_gap.PROVINCE_FIELDS) <= set(row) for row in counts.values())
    kinds = {why_gap.area_gap_kind(r["gap_districts_permitted"], r["no_entry_districts_permitted"]) for r in rows}
    assert kinds == set(GAP_KINDS)
    for row in rows:  # the popup's province count is what decides between the two kinds of gap
        kind = why_gap.area_gap_kind(row["gap_districts_permitted"], row["no_entry_districts_permitted"])
        if kind != "within_standard":
            confirmed = counts[row["code"].split(".")[0]]["directory_confirmed"]
            assert (kind == "too_far") == (confirmed > 0), row["code"]


def test_a_signed_in_map_still_fetches_the_public_answers(seeded_engine):
    html = assets.render(maps.national_map(seeded_engine, lang="en", capability=CAPABILITY, authorised=True))
    (layer,) = _calls(html, "gap_kinds")
    assert set(layer["source"]) == {"url"} and set(layer["provinces"]) == {"url"}
    assert not [c for c in _calls(html, "register") if c["name"].startswith("coverage")]


def test_inlined_the_layer_carries_the_same_rows_as_the_public_table(pages, seeded_engine, regencies):
    html = pages[("id", False)]
    (layer,) = _calls(html, "gap_kinds")
    assert layer["source"] == {"ref": "coverage"} and layer["provinces"] == {"ref": "coverage:province"}
    registered = {c["name"]: c["data"] for c in _calls(html, "register")}
    inlined = {f["properties"]["code"]: f["properties"] for f in registered["coverage"]["features"]}
    for row in regencies.itertuples():
        shown = inlined[row.code]
        assert (shown["gap_districts_permitted"], shown["no_entry_districts_permitted"]) == (
            row.gap_districts_permitted,
            row.no_entry_districts_permitted,
        )
        assert (shown["directory_rows"], shown["directory_confirmed"]) == (row.directory_rows, row.directory_confirmed)
    provinces = coverage.coverage_table(seeded_engine, [CAPABILITY], level="province", rules="with")
    inlined_provinces = {f["properties"]["code"]: f["properties"] for f in registered["coverage:province"]["features"]}
    assert {code: p["directory_confirmed"] for code, p in inlined_provinces.items()} == dict(
        zip(provinces["code"], provinces["directory_confirmed"].astype(int), strict=True)
    )
