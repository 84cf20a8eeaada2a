"""The JSON API on the seeded real database: public data only, errors that name the field."""

from __future__ import annotations

import pytest

from app import create_app


@pytest.fixture(scope="module")
def client(seeded_engine):
    app = create_app(seeded_engine, prepare_data=False)
    app.testing = True
    return app.test_client()


def test_health_reports_the_schema(client):
    answer = client.get("/api/v1/health")
    assert answer.status_code == 200 and answer.json["status"] == "ok"


def test_areas_are_geojson_and_filter_by_parent(client):
    provinces = client.get("/api/v1/areas?level=province").json
    assert provinces["type"] == "FeatureCollection" and len(provinces["features"]) == 38
    kaltim = client.get("/api/v1/areas?level=regency&within=64").json["features"]
    assert {f["properties"]["code"] for f in kaltim} >= {"64.02", "64.09", "64.71"}
    assert all(f["properties"]["code"].startswith("64.") for f in kaltim)


def test_public_agencies_never_carry_a_confidential_point(client, seeded_engine):
    import directory

    true = directory.agencies_frame(seeded_engine).set_index("id")
    body = client.get("/api/v1/agencies").get_data(as_text=True)
    features = {f["properties"]["id"]: f for f in client.get("/api/v1/agencies").json["features"]}
    shelter = features["kemensos-rptc-bambu-apus"]
    assert shelter["properties"]["redacted"] is True
    lon, lat = true.loc["kemensos-rptc-bambu-apus", ["lon", "lat"]]
    assert f"{lon:.4f}" not in body or f"{lat:.4f}" not in body
    assert shelter["geometry"]["coordinates"] != [lon, lat]


def test_agencies_filter_by_capability_and_area(client):
    features = client.get("/api/v1/agencies?capability=psychological&area=64").json["features"]
    ids = {f["properties"]["id"] for f in features}
    assert {"uptd-ppa-kukar", "uptd-ppa-ppu", "uptd-ppa-kaltim"} <= ids
    assert all(f["properties"]["area_code"].startswith("64") for f in features)


def test_case_figures_are_suppressed(client):
    figures = client.get("/api/v1/cases?level=regency").json["figures"]
    paser = [f for f in figures if f["area_code"] == "64.01"]
    assert paser and paser[0]["value"] == "<5" and paser[0]["rate_per_100k"] is None


def test_referral_from_tenggarong_lists_the_agreement_partner(client):
    answer = client.get("/api/v1/referrals?at=Tenggarong&needs=psychological&k=10")
    assert answer.status_code == 200
    statuses = {c["id"]: c["jurisdiction"] for c in answer.json["candidates"]}
    assert statuses["uptd-ppa-ppu"] == "agreement"


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/areas?level=planet", "level"),
        ("/api/v1/referrals?at=Tenggarong&needs=shelterr", "needs"),
        ("/api/v1/referrals?at=Tenggarong&needs=shelter&k=0", "k"),
        ("/api/v1/referrals?at=Tenggarong&needs=shelter&max_time=soon", "max_time"),
        ("/api/v1/referrals?needs=shelter", "at"),
        ("/api/v1/agencies?capability=flying", "capability"),
        ("/api/v1/places?q=", "q"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, url, field):
    answer = client.get(url)
    assert answer.status_code == 400
    assert answer.json["error"]["field"] == field


def test_unknown_area_is_a_404_with_close_codes(client):
    answer = client.get("/api/v1/areas?level=regency&within=64.99")
    assert answer.status_code == 404 and "64.99" in answer.json["error"]["message"]


def test_areas_carry_the_suppressed_figure_of_a_measure_and_the_population(client):
    answer = client.get("/api/v1/areas?level=regency&within=64&measure=police TPPO cases")
    assert answer.status_code == 200 and answer.mimetype == "application/geo+json"
    areas = {f["properties"]["code"]: f["properties"] for f in answer.json["features"]}
    paser, kubar = areas["64.01"], areas["64.07"]
    assert paser["cases"] == "<5" and paser["suppressed"] is True and paser["rate_per_100k"] is None
    assert kubar["cases"] == 7 and kubar["rate_per_100k"] > 0 and kubar["population"] > 0
    assert kubar["case_source"] == "swarakaltim.com" and kubar["case_period_end"] == "2023-06-16"


def test_areas_refuse_a_measure_with_figures_from_several_sources_unless_one_is_named(client):
    measure = "LPSK TPPO protection applications"
    assert client.get(f"/api/v1/areas?level=province&measure={measure}").json["error"]["field"] == "source"
    named = client.get(f"/api/v1/areas?level=province&measure={measure}&source=viva.co.id; lpsk.go.id").json
    ntt = next(f["properties"] for f in named["features"] if f["properties"]["code"] == "53")
    assert ntt["cases"] == 55 and ntt["case_period_start"].startswith("2024")
    assert client.get("/api/v1/areas?level=province&measure=gossip").json["error"]["field"] == "measure"
    assert client.get("/api/v1/areas?source=x").json["error"]["field"] == "source"


def test_coverage_is_public_geojson_per_area(client):
    answer = client.get("/api/v1/coverage?capability=shelter&level=regency&within=64&rules=with")
    features = answer.json["features"]
    assert answer.status_code == 200 and {f["properties"]["code"] for f in features} >= {"64.02", "64.09"}
    properties = features[0]["properties"]
    assert properties["capability"] == "shelter" and "gap_districts_permitted" in properties
    assert "gap_districts_any" not in properties and "lon" not in properties
    assert client.get("/api/v1/coverage?capability=shelterr").json["error"]["field"] == "capability"


def test_hotspots_are_public_and_classified(client):
    answer = client.get("/api/v1/hotspots?measure=police TPPO cases&level=regency")
    features = answer.json["features"]
    assert answer.status_code == 200 and len(features) == 10
    assert {f["properties"]["hotspot_class"] for f in features} <= {"hot", "cold", "not significant"}
    paser = next(f["properties"] for f in features if f["properties"]["code"] == "64.01")
    assert paser["value"] == "<5" and paser["rate_per_100k"] is None
    missing = client.get("/api/v1/hotspots")
    assert missing.status_code == 400 and "police TPPO cases" in missing.json["error"]["message"]


def test_a_misspelt_parameter_is_a_400_listing_the_parameters(client):
    answer = client.get("/api/v1/agencies?capabilty=shelter")
    assert answer.status_code == 400 and answer.json["error"]["field"] == "capabilty"
    assert "capability" in answer.json["error"]["message"]


def test_referral_question_may_come_as_a_json_body(client):
    answer = client.post("/api/v1/referrals", json={"at": "Tenggarong", "needs": ["psychological"], "k": 3})
    assert answer.status_code == 200 and len(answer.json["candidates"]) == 3
    assert client.post("/api/v1/referrals", json={"at": "Tenggarong", "needs": "x", "k": 0}).status_code == 400


def test_openapi_document_describes_every_api_route_and_the_bearer_scheme(client):
    from service.api.openapi import OPERATIONS, api_rules, openapi_path

    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    rules = api_rules(client.application)
    for rule, method in rules:
        operation = document["paths"][openapi_path(rule.rule)][method]
        assert operation["summary"] and ("200" in operation["responses"] or "201" in operation["responses"])
        assert {p["name"] for p in operation["parameters"] if p["in"] == "path"} == set(rule.arguments)
    assert {(rule.rule.removeprefix("/api/v1"), method) for rule, method in rules} == set(OPERATIONS)
    write = document["paths"]["/api/v1/agencies/{agency_id}"]["patch"]
    assert write["x-minimum-role"] == "editor" and {} not in write["security"] and "403" in write["responses"]
    assert {} in document["paths"]["/api/v1/agencies"]["get"]["security"]


def test_errors_outside_the_api_are_not_json(client):
    assert client.get("/no-such-page").mimetype != "application/json"
    assert client.get("/api/v1/no-such-route").json["error"]["status"] == 404


LPSK = {"level": "province", "measure": "LPSK TPPO protection applications", "source": "viva.co.id; lpsk.go.id"}


@pytest.mark.parametrize(("period", "ntt"), [("2023", 179), ("2024", 55), ("2023-01-01/2023-12-31", 179), (None, 55)])
def test_areas_show_the_figures_of_the_period_asked(client, period, ntt):
    query = {**LPSK, "period": period} if period else LPSK
    answer = client.get("/api/v1/areas", query_string=query)
    assert answer.status_code == 200
    shown = next(f["properties"] for f in answer.json["features"] if f["properties"]["code"] == "53")
    assert shown["cases"] == ntt and shown["case_period_start"][:4] == (period or "2024")[:4]


@pytest.mark.parametrize("period", ["2022", "2023-01-01/2023-06-30", "soon", "2023/2024"])
def test_an_unknown_period_is_a_400_listing_the_periods_there_are(client, period):
    error = client.get("/api/v1/areas", query_string={**LPSK, "period": period}).json["error"]
    assert error["status"] == 400 and (error["field"], error["value"]) == ("period", period)
    if period[:4].isdigit() and period != "2023/2024":
        assert "2023-01-01/2023-12-31" in error["message"] and "2024-01-01/2024-12-31" in error["message"]


def test_a_period_needs_a_measure(client):
    error = client.get("/api/v1/areas?level=province&period=2023").json["error"]
    assert (error["status"], error["field"]) == (400, "period")


def test_hotspots_take_a_period_of_their_measure(client):
    query = {"measure": "police TPPO cases", "level": "regency"}
    same = client.get("/api/v1/hotspots", query_string={**query, "period": "2023-06-05/2023-06-16"})
    assert same.status_code == 200 and same.json == client.get("/api/v1/hotspots", query_string=query).json
    error = client.get("/api/v1/hotspots", query_string={**query, "period": "2024"}).json["error"]
    assert (error["field"], error["value"]) == ("period", "2024") and "2023-06-05/2023-06-16" in error["message"]


@pytest.mark.parametrize(
    ("query", "status", "field", "listed"),
    [
        ({"area": "64.99"}, 404, "area", "64.09"),
        ({"area": "64.x"}, 400, "area", "53.71"),
        ({"measure": "gossip"}, 400, "measure", "police TPPO cases"),
        ({"source": "nobody"}, 400, "source", "swarakaltim.com"),
        ({"measure": "police TPPO cases", "source": "keidenesia.tv"}, 400, "source", "swarakaltim.com"),
    ],
)
def test_cases_refuse_an_unknown_area_measure_or_source_like_areas(client, query, status, field, listed):
    error = client.get("/api/v1/cases", query_string=query).json["error"]
    assert (error["status"], error["field"], error["value"]) == (status, field, query[field])
    assert listed in error["message"]


def test_cases_of_the_country_and_of_one_area(client):
    country = client.get("/api/v1/cases?area=ID").json["figures"]
    assert country and {f["area_code"] for f in country} == {"ID"}
    assert {f["area_code"] for f in client.get("/api/v1/cases?area=64.07").json["figures"]} == {"64.07"}


@pytest.mark.parametrize("at", ["nan,nan", "inf,0", "0,-inf", "91,116.8", "-0.4,181"])
def test_coordinates_that_are_no_point_are_a_400_on_at(client, at):
    answer = client.get("/api/v1/referrals", query_string={"at": at, "needs": "shelter"})
    assert answer.status_code == 400 and (answer.json["error"]["field"], answer.json["error"]["value"]) == ("at", at)


def test_coordinates_in_exponent_form_are_a_point(client):
    answer = client.get("/api/v1/referrals", query_string={"at": "-1.265e0,1.1684e2", "needs": "psychological"})
    assert answer.status_code == 200 and answer.json["origin"]["regency_code"] == "64.71"


@pytest.mark.parametrize(
    ("url", "field", "value"),
    [
        ("/api/v1/areas?within=64.99", "within", "64.99"),
        ("/api/v1/coverage?capability=shelter&within=64.99", "within", "64.99"),
        ("/api/v1/agencies?area=64.99", "area", "64.99"),
        ("/api/v1/agreements?area=64.99", "area", "64.99"),
        ("/api/v1/agencies/no-such-agency", "agency_id", "no-such-agency"),
        ("/api/v1/agreements/no-such-agreement", "agreement_id", "no-such-agreement"),
        ("/api/v1/referrals?at=Atlantis&needs=shelter", "at", "Atlantis"),
        ("/api/v1/referrals?at=64.99&needs=shelter", "at", "64.99"),
        ("/api/v1/no-such-route", "path", "/api/v1/no-such-route"),
    ],
)
def test_every_404_names_the_field_and_the_value(client, url, field, value):
    error = client.get(url).json["error"]
    assert (error["status"], error["field"], error["value"]) == (404, field, value)


def test_a_bad_json_body_is_echoed_as_text(client):
    error = client.post("/api/v1/referrals", data=b"{bad", content_type="application/json").json["error"]
    assert (error["field"], error["value"]) == ("body", "{bad") and "b'" not in error["message"]


@pytest.mark.parametrize(("name", "status"), [("at", 400), ("k", 400), ("needs", 400)])
def test_a_long_value_is_cut_in_the_error(client, name, status):
    question = {"at": "Tenggarong", "needs": "shelter", name: "9" * 20_000}
    answer = client.post("/api/v1/referrals", json=question)
    error = answer.json["error"]
    assert answer.status_code == status and error["field"] == name
    assert error["value"] == "9" * 100 + "…" and len(error["message"]) < 2_000 and "9" * 101 not in error["message"]


@pytest.mark.parametrize(
    "at", ["9" * 20_000 + "   ", "Kota Atlantis" + " " * 20_000, " " * 300 + "x" * 150 + " " * 300]
)
def test_long_at_value_is_not_echoed_in_full(client, at):
    for answer in (
        client.post("/api/v1/referrals", json={"at": at, "needs": "shelter"}),
        client.get("/api/v1/referrals", query_string={"at": at, "needs": "shelter"}),
    ):
        error = answer.json["error"]
        assert answer.status_code in (400, 404) and error["field"] == "at"
        assert len(answer.get_data()) < 2_000 and "x" * 101 not in error["message"] and "9" * 101 not in str(error)


def test_a_body_nested_5000_deep_is_a_400_naming_the_body(client):
    answer = client.post("/api/v1/referrals", data="[" * 5_000 + "]" * 5_000, content_type="application/json")
    error = answer.json["error"]
    assert (answer.status_code, error["field"]) == (400, "body") and "nested deeper than 32" in error["message"]


def test_brackets_inside_a_string_do_not_count_as_nesting(client):
    question = {"at": "Tenggarong", "needs": "shelter", "on": '[{"\\' * 100}
    error = client.post("/api/v1/referrals", json=question).json["error"]
    assert (error["field"], error["status"]) == ("on", 400)  # read as JSON: refused as a date, not as the body


@pytest.mark.parametrize("url", ["/api/v1/places?q=Tengga%00rong", "/api/v1/referrals?at=Tenggarong%1b&needs=shelter"])
def test_a_control_character_in_a_parameter_is_a_400_naming_it(client, url):
    error = client.get(url).json["error"]
    assert error["status"] == 400 and error["field"] == url.split("?")[1].split("=")[0]


def test_routes_answer_one_trip_with_its_legs_and_name_a_missing_end(client):
    question = {"from": "Wamena", "to": "Kota Jayapura", "modes": "road,sea,air"}
    answer = client.get("/api/v1/routes", query_string=question)
    assert answer.status_code == 200
    trip = answer.get_json()
    assert trip["modes_used"] == ["flight", "road"] and trip["time_h"] < 6
    assert all({"mode", "time_h", "distance_km", "estimated", "label"} <= set(leg) for leg in trip["legs"])
    missing = client.get("/api/v1/routes", query_string={"from": "Wamena"})
    assert missing.status_code == 400 and missing.get_json()["error"]["field"] == "to"
