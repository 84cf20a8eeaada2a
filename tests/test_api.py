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
    from geo import directory

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
