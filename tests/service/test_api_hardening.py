"""Fixes of a security review of the JSON API, each tested against a real app on a copy of the seeded database."""

from __future__ import annotations

import pytest

import directory
from core.db import session_scope
from service import headers as response_headers
from service.api import cache as _cache

PASSWORD = "sambal matah 2024"
AGENCIES = "/api/v1/agencies"
AGREEMENTS = "/api/v1/agreements"


def _stored(engine, model: type, identifier: str) -> dict[str, object]:
    with session_scope(engine) as session:
        found = session.get(model, identifier)
        return {column.name: getattr(found, column.name) for column in model.__table__.columns}


def _properties(client, url: str, editor: dict) -> dict[str, object]:
    """The record of `url` as a POST body: its properties and point, without what only an answer carries."""
    feature = client.get(url, headers=editor).json
    record = {k: v for k, v in feature["properties"].items() if k not in ("version", "redacted")}
    if (feature.get("geometry") or {}).get("type") == "Point":
        record["lon"], record["lat"] = feature["geometry"]["coordinates"]
    return record


@pytest.mark.parametrize(
    ("kind", "identifier", "padded", "change"),
    [
        (AGENCIES, "lpsk-diy", " lpsk-diy", {"phone": "0274-666", "confidential": True}),
        (AGENCIES, "lpsk-diy", "lpsk-diy\n", {"email": "palsu@example.org"}),
        (AGREEMENTS, "pks-kukar-ppu-2024", "pks-kukar-ppu-2024 ", {"title": "Palsu"}),
        (AGREEMENTS, "pks-kukar-ppu-2024", "\tpks-kukar-ppu-2024", {"title": "Palsu"}),
    ],
)
def test_post_with_a_padded_existing_id_is_refused_and_changes_nothing(live, kind, identifier, padded, change):
    app, engine, editor = live
    client = app.test_client()
    model = directory.ServiceLocation if kind == AGENCIES else directory.Agreement
    before = _stored(engine, model, identifier)
    record = {**_properties(client, f"{kind}/{identifier}", editor), **change, "id": padded}
    answer = client.post(kind, json=record, headers=editor)
    assert answer.status_code == 422, answer.json
    assert {row["field"] for row in answer.json["error"]["rows"]} == {"id"}
    assert _stored(engine, model, identifier) == before


def test_post_with_a_padded_id_of_a_retired_agency_does_not_revive_it(live):
    app, engine, editor = live
    client = app.test_client()
    url = f"{AGENCIES}/lpsk-diy"
    retired = client.post(f"{url}/retire", json={"on": "2020-01-01"}, headers={**editor, "If-Match": '"1"'})
    assert retired.status_code == 200
    before = _stored(engine, directory.ServiceLocation, "lpsk-diy")
    record = {**_properties(client, url, editor), "id": "lpsk-diy ", "retired_on": None}
    assert client.post(AGENCIES, json=record, headers=editor).status_code == 422
    assert _stored(engine, directory.ServiceLocation, "lpsk-diy") == before
    assert before["retired_on"] is not None


def test_an_etag_from_a_compressed_answer_is_accepted_as_if_match(live):
    app, engine, editor = live
    client = app.test_client()
    url = f"{AGENCIES}/lpsk-diy"
    notes = "Layanan pendampingan saksi dan korban. " * 60  # large enough to be compressed (settings: 1 kB)
    assert client.patch(url, json={"notes": notes}, headers={**editor, "If-Match": '"1"'}).status_code == 200
    compressed = {**editor, "Accept-Encoding": "gzip, br"}
    read = client.get(url, headers=compressed)
    tag = read.headers["ETag"]
    assert read.headers.get("Content-Encoding") == "br" and tag == '"2:br"'  # as Flask-Compress sends it
    changed = client.patch(url, json={"phone": "0274-555"}, headers={**compressed, "If-Match": tag})
    assert changed.status_code == 200, changed.json
    assert _stored(engine, directory.ServiceLocation, "lpsk-diy")["phone"] == "0274-555"
    assert changed.headers["ETag"] == '"3:br"'
    stale = client.patch(url, json={"phone": "0274-444"}, headers={**compressed, "If-Match": tag})
    assert stale.status_code == 412  # still a version: the old one is refused
    for foreign in ('"3:rot13"', '"3:"', '"3:br:br"'):
        assert client.patch(url, json={}, headers={**editor, "If-Match": foreign}).status_code == 400


@pytest.mark.parametrize(
    ("route", "spellings"),
    [
        (
            "/api/v1/coverage?capability=shelter&level=province&rules=with",
            [
                "&geometry=false&fields=name",
                "&geometry=False&fields=name,",
                "&geometry=0&fields=code,name",
                "&geometry=no&fields=name,name,level",
                "&geometry= false &fields= name , code ",
            ],
        ),
        (
            "/api/v1/hotspots?measure=police TPPO cases&level=regency",
            ["&geometry=true", "&geometry=True", "&geometry=1", "&geometry=yes", ""],
        ),
    ],
)
def test_equivalent_spellings_of_a_layer_request_share_one_cache_entry(live, route, spellings):
    app, _, _ = live
    client = app.test_client()
    kept = _cache.answers(app)
    answers = [client.get(route + spelling) for spelling in spellings]
    assert [answer.status_code for answer in answers] == [200] * len(spellings), answers[0].json
    assert (kept.misses, len(kept)) == (1, 1)
    assert len({answer.get_data() for answer in answers}) == 1
    assert client.get(route + "&geometry=false&fields=code").status_code == 200
    assert (kept.misses, len(kept)) == (2, 2)  # another answer is another entry: the count can fail


def test_a_place_search_is_never_stored_by_a_browser_or_proxy(live):
    app, _, _ = live
    answer = app.test_client().get("/api/v1/places?q=Tenggarong")
    assert answer.status_code == 200 and answer.json
    assert answer.headers["Cache-Control"] == response_headers.PRIVATE == "private, no-store"


def test_an_unknown_body_field_name_is_echoed_cut(live):
    app, _, editor = live
    long_name = "Q" * 5_000
    answer = app.test_client().post(AGENCIES, json={long_name: 1}, headers=editor)
    assert answer.status_code == 422
    named = [row for row in answer.json["error"]["rows"] if row["field"].startswith("QQQ")]
    assert len(named) == 1 and len(named[0]["field"]) <= 100 and len(str(named[0]["value"])) <= 101
    assert len(answer.get_data()) < 3_000


def test_an_unknown_query_parameter_name_is_echoed_cut(live):
    app, _, _ = live
    answer = app.test_client().get("/api/v1/cases?" + "Q" * 5_000 + "=1")
    assert answer.status_code == 400
    error = answer.json["error"]
    assert len(error["field"]) <= 100 and error["field"].startswith("QQQ") and "Q" * 101 not in error["message"]
    assert len(answer.get_data()) < 1_500


@pytest.mark.parametrize("field", ["source_url", "website"])
@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "https://",
        "lpsk.go.id",
        "http://ok.example/ javascript:x",
    ],
)
def test_a_link_that_is_not_a_web_address_is_a_row_error_naming_its_field(live, field, link):
    app, _, editor = live
    client = app.test_client()
    url = f"{AGENCIES}/uptd-ppa-aceh"  # its own organization: one row may change its website
    answer = client.patch(url, json={field: link}, headers={**editor, "If-Match": '"1"'})
    assert answer.status_code == 422
    assert [(row["field"], row["value"]) for row in answer.json["error"]["rows"]] == [(field, link)]
    assert client.get(url).headers["ETag"] == '"1"'  # nothing written
    address = "https://dp3a.acehprov.go.id/berita?id=1#a"
    fine = client.patch(url, json={field: address}, headers={**editor, "If-Match": '"1"'})
    assert fine.status_code == 200, fine.json


@pytest.mark.parametrize("link", ["javascript:alert(1)", "ftp://lpsk.go.id/"])
def test_an_agreements_source_url_must_be_a_web_address(live, link):
    app, _, editor = live
    url = f"{AGREEMENTS}/pks-kukar-ppu-2024"
    answer = app.test_client().patch(url, json={"source_url": link}, headers={**editor, "If-Match": '"1"'})
    assert answer.status_code == 422
    assert [row["field"] for row in answer.json["error"]["rows"]] == ["source_url"]


@pytest.mark.parametrize("features", [{}, "x", None, 1, "missing"])
def test_a_feature_collection_whose_features_is_not_a_list_is_refused(live, features):
    app, _, editor = live
    client = app.test_client()
    url = f"{AGREEMENTS}/pks-kukar-ppu-2024"
    body = (
        {"type": "FeatureCollection"} if features == "missing" else {"type": "FeatureCollection", "features": features}
    )
    answer = client.patch(url, json=body, headers={**editor, "If-Match": '"1"'})
    assert answer.status_code == 400 and answer.json["error"]["field"] == "body"
    assert client.post(AGREEMENTS, json=body, headers=editor).status_code == 400
    assert client.get(url).headers["ETag"] == '"1"'
