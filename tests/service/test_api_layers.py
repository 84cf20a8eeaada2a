"""Coverage and hot-spot answers: lighter forms (no polygons, chosen properties), refused heavy ones, the cache."""

from __future__ import annotations

import datetime as dt
import gzip
import random
import string

import pytest

from app import create_app
from service.api import cache as _cache
from store import version

COVERAGE = "/api/v1/coverage?capability=shelter&level=regency&within=64"
MAP_FIELDS = (
    "code,name,capability,standard_h,median_h_permitted,worst_h_permitted,time_class_permitted,gap_share_permitted"
)


@pytest.fixture(scope="module")
def client(seeded_engine):
    app = create_app(seeded_engine, prepare_data=False)
    app.testing = True
    return app.test_client()


def _properties(answer) -> dict[str, dict]:
    assert answer.status_code == 200, answer.json
    return {f["properties"]["code"]: f["properties"] for f in answer.json["features"]}


@pytest.mark.parametrize("url", [COVERAGE, "/api/v1/hotspots?measure=police TPPO cases&level=regency"])
def test_without_geometry_the_properties_are_the_same_and_the_polygons_null(client, url):
    full, light = client.get(url), client.get(url + "&geometry=false")
    assert _properties(light) == _properties(full) and len(_properties(full)) >= 10
    assert all(f["geometry"] is None for f in light.json["features"])
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in full.json["features"])
    assert len(light.get_data()) * 4 < len(full.get_data())
    assert light.mimetype == "application/geo+json"


def test_fields_keep_the_code_and_the_properties_asked(client):
    answer = client.get(f"{COVERAGE}&rules=with&geometry=false&fields={MAP_FIELDS}")
    properties = _properties(answer)
    assert all(set(p) == {*MAP_FIELDS.split(","), "level"} for p in properties.values())
    full = _properties(client.get(COVERAGE + "&rules=with"))
    assert all(full[code][name] == value for code, p in properties.items() for name, value in p.items())
    assert set(_properties(client.get(COVERAGE + "&fields=name")).popitem()[1]) == {"code", "level", "name"}


@pytest.mark.parametrize("fields", ["median_h_any", "name,colour", ",,"])
def test_an_unknown_field_is_a_400_listing_the_properties(client, fields):
    error = client.get(f"{COVERAGE}&rules=with&fields={fields}").json["error"]
    assert error["status"] == 400 and error["field"] == "fields" and "median_h_permitted" in error["message"]


@pytest.mark.parametrize("capability", [None, "shelter,medical"])
def test_district_coverage_needs_one_capability_from_a_public_caller(client, capability):
    query = "" if capability is None else f"&capability={capability}"
    error = client.get(f"/api/v1/coverage?level=district{query}").json["error"]
    assert (error["status"], error["field"], error["value"]) == (400, "capability", capability)
    assert "witness_protection" in error["message"] and "migrant_worker_services" in error["message"]


def test_district_coverage_of_one_capability_is_answered(client):
    answer = client.get("/api/v1/coverage?level=district&capability=shelter&within=64.02&rules=with&geometry=false")
    assert answer.status_code == 200 and {p["level"] for p in _properties(answer).values()} == {"district"}


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_geometry_is_a_flag(client, value):
    error = client.get(f"{COVERAGE}&geometry={value}").json["error"]
    assert (error["status"], error["field"], error["value"]) == (400, "geometry", value)


def test_a_repeated_question_is_answered_from_the_cache(client):
    cache = _cache.answers(client.application)
    url = "/api/v1/coverage?capability=legal_aid&level=province&rules=with&geometry=false"
    first = client.get(url)
    hits, misses = cache.hits, cache.misses
    again = client.get(url)
    assert again.get_data() == first.get_data() and (cache.hits, cache.misses) == (hits + 1, misses)
    other = client.get(url + "&fields=name")
    assert other.get_data() != first.get_data() and cache.misses == misses + 1


def test_the_cache_keeps_at_most_its_compressed_size():
    texts = {key: "".join(random.Random(key).choices(string.ascii_letters, k=400)) for key in range(10)}
    one = len(gzip.compress(texts[0].encode()))  # letters at random barely compress
    cache = _cache.AnswerCache(max_bytes=4 * one + one // 2)
    for key, text in texts.items():
        cache.put(key, text)
    assert cache.size <= cache.max_bytes and len(cache) == 4 and cache.get(0) is None and cache.get(9) == texts[9]
    assert cache.get_or_compute("k", lambda: "z") == cache.get_or_compute("k", lambda: "other")
    assert cache.get("k") == "z"


def test_a_large_answer_is_kept_compressed():
    cache = _cache.AnswerCache(max_bytes=8_000)
    big = '{"type": "Feature", "properties": {"code": "64.02"}}' * 10_000  # 520 KB of GeoJSON-like text
    cache.put("big", big)
    assert cache.get("big") == big and cache.size < 8_000


def test_an_answer_is_sent_gzipped_to_a_client_that_accepts_it(client):
    url = "/api/v1/coverage?capability=medical&level=province&rules=with&geometry=false"
    plain = client.get(url)
    packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate"})
    assert plain.headers.get("Content-Encoding") is None and packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.get_data()) == plain.get_data() and "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.get_data()) * 3 < len(plain.get_data())


def test_the_data_version_follows_the_rows(seeded_engine):
    assert version.data_version(seeded_engine) == version.data_version(seeded_engine)


@pytest.mark.parametrize(
    "write",
    [
        "UPDATE agencies SET phone = '0811' WHERE id = (SELECT min(id) FROM agencies)",
        "DELETE FROM agreements WHERE id = (SELECT min(id) FROM agreements)",
        "UPDATE case_figures SET value = value + 1 WHERE id = (SELECT min(id) FROM case_figures)",
        "INSERT INTO organizations (id, name, version) VALUES ('org-new', 'A new organisation', 1)",
        "UPDATE services SET capability = capability WHERE agency_id = (SELECT min(agency_id) FROM services)",
    ],
)
def test_a_direct_write_to_the_database_changes_the_counted_data_version(seeded_engine, copy_database, write):
    copy = copy_database(seeded_engine, "direct-write")
    before = version.data_version(copy)
    assert before.startswith(dt.date.today().isoformat() + ":")  # the counter, not the digest
    with copy.begin() as connection:
        connection.exec_driver_sql(write)
    assert version.data_version(copy) != before


def test_a_write_is_counted_only_when_it_commits(seeded_engine, copy_database):
    copy = copy_database(seeded_engine, "uncommitted")
    before = version.data_version(copy)
    with copy.connect() as writer:
        writer.exec_driver_sql("UPDATE agencies SET phone = '0811' WHERE id = (SELECT min(id) FROM agencies)")
        assert version.data_version(copy) == before  # another connection: the write is not committed yet
        writer.rollback()
    assert version.data_version(copy) == before


def test_a_database_whose_triggers_are_gone_falls_back_to_the_digest(seeded_engine, copy_database):
    copy = copy_database(seeded_engine, "no-triggers")
    with copy.begin() as connection:
        if copy.dialect.name == "sqlite":
            connection.exec_driver_sql('DROP TRIGGER "count_agencies_update"')
        else:
            connection.exec_driver_sql('DROP TRIGGER "count_agencies" ON agencies')
    digest = version.data_version(copy)
    assert ":" not in digest and len(digest) == 64
    with copy.begin() as connection:
        connection.exec_driver_sql("UPDATE agencies SET phone = '0811' WHERE id = (SELECT min(id) FROM agencies)")
    assert version.data_version(copy) != digest
    with copy.begin() as connection:
        assert version.install_counter(connection)  # what `rujuk data build` runs: the trigger is back
    assert version.data_version(copy).startswith(dt.date.today().isoformat() + ":")


def test_a_database_without_the_counter_gets_the_digest_and_its_connections_stay_usable(seeded_engine, copy_database):
    copy = copy_database(seeded_engine, "no-counter")
    with copy.begin() as connection:  # as a database written before the counter came
        for model in version.COUNTED:
            table = model.__tablename__
            if copy.dialect.name == "sqlite":
                for event in ("insert", "update", "delete"):
                    connection.exec_driver_sql(f'DROP TRIGGER "count_{table}_{event}"')
            else:
                connection.exec_driver_sql(f'DROP TRIGGER "count_{table}" ON "{table}"')
        connection.exec_driver_sql("DROP TABLE data_changes")
    digests = {version.data_version(copy) for _ in range(3)}  # each failed read returns its connection to the pool
    assert len(digests) == 1 and ":" not in next(iter(digests))
    with copy.begin() as connection:  # a pooled connection is not left in a failed transaction
        connection.exec_driver_sql("UPDATE agencies SET phone = '0811' WHERE id = (SELECT min(id) FROM agencies)")
    assert version.data_version(copy) not in digests
    with copy.begin() as connection:
        assert version.install_counter(connection)
    assert version.data_version(copy).startswith(dt.date.today().isoformat() + ":")


@pytest.mark.parametrize(
    ("query", "field", "listed"),
    [
        ("&case_source=nope", "case_source", "katongntt.com"),
        ("&case_measure=gossip", "case_measure", "police TPPO cases"),
    ],
)
def test_coverage_names_the_case_parameter_that_has_no_figures(client, query, field, listed):
    error = client.get(COVERAGE + query).json["error"]
    assert (error["status"], error["field"], error["value"]) == (400, field, query.split("=")[1])
    assert listed in error["message"]


def test_public_coverage_bands_small_gap_cases(client):
    shown = _properties(client.get(COVERAGE + "&case_measure=police TPPO cases&geometry=false"))
    assert shown["64.02"]["cases"] == 5 and shown["64.02"]["gap_cases_permitted"] == "<5"  # 0.5 cases beyond
    assert shown["64.07"]["gap_cases_any"] > 5 and shown["64.07"]["gap_cases_permitted"] > 5  # Kutai Barat: 7 cases
