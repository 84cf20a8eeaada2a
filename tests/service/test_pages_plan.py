"""The plan page on the real seeded database: the form in both languages, a plan, two scenarios, errors, exports."""

from __future__ import annotations

import csv
import html
import io
import json
import re

import pytest
from hostile_directory import HOSTILE, PASSWORD, safe_house_traces

from app import create_app

QUERY = "capability=witness_protection&p=2&standard=8h&measure=police+TPPO+victims&period=2023&level=regency"


@pytest.fixture(scope="module")
def engine(pages_engine):
    """The seeded database with a hostile agency, a safe house and users (:mod:`hostile_directory`)."""
    return pages_engine


@pytest.fixture(scope="module")
def app(engine):
    app = create_app(engine, prepare_data=False)
    app.testing = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def _text(answer) -> str:
    return answer.get_data(as_text=True)


def _csrf(client, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', _text(client.get(path))).group(1)


def _site_rows(page: str, scenario: str = "a") -> list[list[str]]:
    section = page.split(f'id="plan-{scenario}"', 1)[1]
    body = re.search(r'<table class="plan-sites">.*?<tbody>(.*?)</tbody>', section, flags=re.S).group(1)
    return [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


@pytest.mark.parametrize(
    ("lang", "title", "label"),
    [
        ("en", "Where should the next office open?", "Witness and victim protection"),
        ("id", "Di mana kantor berikutnya sebaiknya dibuka?", "Perlindungan saksi dan korban"),
    ],
)
def test_the_form_in_both_languages_proposes_a_fast_plan(client, lang, title, label):
    answer = client.get(f"/plan?lang={lang}")
    page = _text(answer)
    assert answer.status_code == 200 and f'<html lang="{lang}">' in page
    assert title in page and label in page
    assert re.search(r'<option value="witness_protection" selected>', page)
    assert re.search(r'<option value="regency" selected>', page) and 'id="p" name="p" value="1"' in page
    assert 'href="/plan" aria-current="page"' in page  # in the site navigation
    assert "plan-sites" not in page  # no plan is computed for the empty form


def test_a_plan_shows_its_sites_figures_areas_solver_and_map(client):
    page = _text(client.get(f"/plan?{QUERY}&lang=en"))
    rows = _site_rows(page)
    assert [row[0] for row in rows] == ["1", "2"]
    plan = json.loads(_text(client.post("/api/v1/plans", json=_question())))
    assert [html.unescape(row[1]) for row in rows] == [site["name"] for site in plan["sites"]]
    assert [row[2] for row in rows] == [site["code"] for site in plan["sites"]]
    share = f"{plan['after']['covered_share'] * 100:,.1f}%"
    assert share in page and f"{plan['before']['covered_share'] * 100:,.1f}%" in page
    assert plan["after"]["covered"] > plan["before"]["covered"]
    newly = re.search(r'class="plan-areas plan-newly_covered".*?</details>', page, flags=re.S).group()
    assert all(html.escape(area["name"]) in newly for area in plan["newly_covered"]) and plan["newly_covered"]
    assert f"Areas newly within the standard ({len(plan['newly_covered'])})" in page
    assert "optimal, gap 0.00%" in page
    frame = html.unescape(re.search(r'<iframe class="map plan-map"[^>]*srcdoc="([^"]*)"', page).group(1))
    assert "RujukMap.plan(" in frame and all(json.dumps(site["code"]) in frame for site in plan["sites"])


def _question(**changes: object) -> dict:
    question = {
        "capability": "witness_protection",
        "p": 2,
        "standard": "8h",
        "measure": "police TPPO victims",
        "period": "2023",
        "level": "regency",
        "robustness": False,
    }
    return {**question, **changes}


def test_the_form_is_posted_with_its_csrf_token_and_compares_two_scenarios(client):
    data = {
        "csrf_token": _csrf(client, "/plan?lang=en"),
        "capability": "witness_protection",
        "p": "1",
        "level": "regency",
        "standard": "8h",
        "compare": "1",
        "b_p": "3",
    }
    answer = client.post("/plan", data=data)
    page = _text(answer)
    assert answer.status_code == 200
    a, b = _site_rows(page, "a"), _site_rows(page, "b")
    assert len(a) == 1 and len(b) == 3 and a[0][2] == b[0][2]  # B adds to A's best first site
    comparison = re.search(r'<table class="plan-comparison">.*?</table>', page, flags=re.S).group()
    assert "Scenario A" in comparison and "Scenario B" in comparison
    assert comparison.count("optimal, gap") == 2
    assert client.post("/plan", data={**data, "csrf_token": "forged"}).status_code == 400


@pytest.mark.parametrize(
    ("query", "field", "value"),
    [
        ("capability=witness_protection&p=0", "p", "0"),
        ("capability=witness_protection&p=many", "p", "many"),
        ("capability=teleportation", "capability", "teleportation"),
        ("capability=witness_protection&standard=soon", "standard", "soon"),
        ("capability=witness_protection&capacity=-3", "capacity", "-3"),
        ("capability=witness_protection&measure=rumours", "measure", "rumours"),
        ("capability=witness_protection&model=nearest", "model", "nearest"),
        ("capability=witness_protection&compare=1&b_p=999", "b_p", "999"),
    ],
)
def test_bad_input_renders_the_form_again_with_400_naming_field_and_value(client, query, field, value):
    answer = client.get(f"/plan?{query}&lang=en")
    page = _text(answer)
    assert answer.status_code == 400
    assert f"Field: {field}; value: {value}" in page
    assert '<form class="plan no-print" method="post"' in page and "plan-sites" not in page
    if field.startswith("b_"):
        assert "The field is one of scenario B&#39;s." in page


def test_exports_answer_geojson_and_csv_as_files(client):
    collection = client.get(f"/plan/export.geojson?{QUERY}")
    assert collection.status_code == 200 and collection.mimetype == "application/geo+json"
    assert (
        collection.headers["Content-Disposition"] == 'attachment; filename="rujuk-plan-witness_protection-p2.geojson"'
    )
    roles = {feature["properties"]["role"] for feature in json.loads(_text(collection))["features"]}
    assert {"new_site", "existing_site", "newly_covered"} <= roles
    table = client.get(f"/plan/export.csv?{QUERY}")
    assert table.mimetype == "text/csv" and table.headers["Content-Disposition"].endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(_text(table))))
    page = _text(client.get(f"/plan?{QUERY}&lang=en"))
    assert [row["code"] for row in rows] == [row[2] for row in _site_rows(page)]
    links = re.findall(r'href="(/plan/export\.(?:geojson|csv)\?[^"]+)"', page)
    assert len(links) == 2 and all(client.get(html.unescape(link)).status_code == 200 for link in links)
    assert client.get(f"/plan/export.xlsx?{QUERY}").status_code == 400


def test_the_public_plan_uses_the_safe_house_public_point_and_a_caseworker_the_true_one(app):
    public = app.test_client()
    query = "capability=shelter&p=1&level=regency&standard=8h"
    exported = json.loads(_text(public.get(f"/plan/export.geojson?{query}")))
    points = {f["properties"]["code"]: f for f in exported["features"] if f["properties"]["role"] == "existing_site"}
    caseworker = app.test_client()
    login = caseworker.post(
        "/login", data={"username": "citra.caseworker", "password": PASSWORD, "csrf_token": _csrf(caseworker, "/login")}
    )
    assert login.status_code == 302
    inside = json.loads(_text(caseworker.get(f"/plan/export.geojson?{query}")))
    true_points = {f["properties"]["code"]: f for f in inside["features"] if f["properties"]["role"] == "existing_site"}
    safe = "test-safe-house"
    assert points[safe]["properties"]["redacted"] is True and true_points[safe]["properties"]["redacted"] is False
    assert points[safe]["geometry"] != true_points[safe]["geometry"]
    public_page = _text(public.get(f"/plan?{query}&lang=en"))
    assert safe_house_traces(public_page) == [] and safe_house_traces(json.dumps(exported)) == []
    assert safe_house_traces(json.dumps(true_points[safe]))  # the caseworker's plan has the true point
    assert "Computed from the true locations" in _text(caseworker.get(f"/plan?{query}&lang=en"))


def test_the_page_shares_the_api_plan_rate_limit(app, monkeypatch):
    from core import settings

    monkeypatch.setattr(settings, "plan_rate_limit", "2 per minute")
    client = app.test_client()
    assert client.post("/api/v1/plans", json=_question(p=1)).status_code == 200
    assert client.get("/plan?lang=en").status_code == 200
    refused = client.get("/plan?lang=en")
    assert refused.status_code == 429 and refused.headers.get("Retry-After")


def test_names_from_the_directory_reach_the_map_as_data_only(client):
    page = _text(client.get("/plan?capability=shelter&p=1&level=regency&standard=8h&lang=en"))
    assert HOSTILE[0] not in page  # the page escapes everything, the srcdoc attribute too
    frame = html.unescape(re.search(r'<iframe class="map plan-map"[^>]*srcdoc="([^"]*)"', page).group(1))
    assert HOSTILE[0] not in frame and "\\u003cimg src=x onerror=alert(1)\\u003e" in frame  # a JSON string
