"""The service's JSON (service/fast_json.py): Flask's own output, encoded by msgspec, but for dates and non-numbers.

(GeoJSON layers are encoded once per data version and kept: they do not pass through the provider.)
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider
from markupsafe import Markup

from app import create_app
from service.fast_json import FastJSONProvider


@pytest.fixture(scope="module")
def app(seeded_engine):
    return create_app(seeded_engine, prepare_data=False)


@pytest.fixture(scope="module")
def flasks_own():
    provider = DefaultJSONProvider(Flask("flasks_own"))
    provider.ensure_ascii = False
    return provider


def test_the_service_answers_with_the_fast_provider(app):
    assert isinstance(app.json, FastJSONProvider)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/referrals?at=Tenggarong&needs=shelter,psychological",
        "/api/v1/referrals?at=-10.17,123.6&needs=repatriation_domestic&home=53.01&modes=road,sea",
        "/api/v1/referrals?at=Tawau&needs=repatriation_international&home=53.01",
        "/api/v1/routes?from=Wamena&to=Kota Jayapura",
        "/api/v1/places?q=Kupang",
        "/api/v1/cases",
    ],
)
def test_answers_are_byte_for_byte_what_flasks_encoder_writes(app, flasks_own, url):
    with app.test_client() as client:
        response = client.get(url)
    assert response.status_code == 200
    body = response.get_data()
    expected = flasks_own.dumps(json.loads(body), separators=(",", ":")) + "\n"
    assert body.decode("utf-8") == expected and len(body) > 1000


def test_a_date_is_iso_as_the_api_reads_it_and_a_non_number_is_null(app):
    with app.test_request_context():
        text = app.json.dumps({"on": dt.date(2026, 12, 7), "hours": float("inf"), "nan": float("nan")})
    assert json.loads(text) == {"hours": None, "nan": None, "on": "2026-12-07"}
    with app.test_client() as client:
        answer = client.get("/api/v1/referrals?at=Tenggarong&needs=shelter&on=2026-12-07").get_json()
    assert answer["limits"]["on"] == "2026-12-07"


def test_values_msgspec_does_not_know_go_through_flasks_default_and_keys_stay_sorted(app):
    with app.test_request_context():
        text = app.json.dumps({"zeta": Markup("<b>&amp;</b>"), "alpha": {"b": 1, "a": "Bahasa Indonesia: dukungan"}})
    assert text == '{"alpha":{"a":"Bahasa Indonesia: dukungan","b":1},"zeta":"<b>&amp;</b>"}'


def test_debug_output_is_flasks_indented_output(seeded_engine):
    app = create_app(seeded_engine, prepare_data=False)
    app.debug = True
    with app.test_request_context():
        body = app.json.response({"b": 1, "a": [1, 2]}).get_data(as_text=True)
    assert body == '{\n  "a": [\n    1,\n    2\n  ],\n  "b": 1\n}\n'
