"""The API for every role and credential, on its own copy of the seeded database (these tests write to it)."""

from __future__ import annotations

import json
import logging

import pytest

import directory
from accounts import users
from app import create_app
from core import db
from service import headers as response_headers
from service.api import cache as _cache
from service.api.openapi import api_rules, openapi_path

PASSWORD = "sambal matah 2024"
SHELTER = "kemensos-rptc-bambu-apus"
WHO = ("anonymous", "public", "caseworker", "editor", "admin", "disabled", "bad", "revoked")


@pytest.fixture(scope="module")
def roles_engine(seeded_engine, databases):
    engine = databases.copy(seeded_engine, "roles")
    yield engine
    databases.drop(engine)


@pytest.fixture(scope="module")
def app(roles_engine):
    app = create_app(roles_engine, prepare_data=False)
    app.testing = True
    return app


@pytest.fixture(scope="module")
def headers(roles_engine) -> dict[str, dict[str, str]]:
    """Authorization headers per caller of :data:`WHO`."""
    tokens = {}
    for role in users.ROLES:
        users.create_user(roles_engine, f"{role}-user", PASSWORD, role)
        tokens[role] = users.create_token(roles_engine, f"{role}-user", "tests")
    users.create_user(roles_engine, "gone-user", PASSWORD, "admin")
    tokens["disabled"] = users.create_token(roles_engine, "gone-user", "tests")
    users.disable_user(roles_engine, "gone-user")
    tokens["revoked"] = users.create_token(roles_engine, "editor-user", "old")
    users.revoke_token(roles_engine, "editor-user", "old")
    tokens["bad"] = users.TOKEN_PREFIX + "not-a-token-at-all"
    return {"anonymous": {}, **{who: {"Authorization": f"Bearer {token}"} for who, token in tokens.items()}}


@pytest.fixture
def client(app):
    return app.test_client()


def _feature(collection: dict, identifier: str) -> dict:
    return next(f for f in collection["features"] if f["properties"]["id"] == identifier)


def _if_match(client, url: str, headers: dict[str, str]) -> dict[str, str]:
    """Return `headers` with If-Match set to the ETag that GET `url` answers now."""
    return {**headers, "If-Match": client.get(url, headers=headers).headers["ETag"]}


def _point_in(regency: str) -> tuple[float, float]:
    points = directory.representative_points("district")
    code = next(code for code in points.index if code.startswith(regency + "."))
    return round(float(points.loc[code, "lon"]), 5), round(float(points.loc[code, "lat"]), 5)


def _agency(identifier: str, **fields: object) -> dict:
    lon, lat = _point_in("64.02")
    return {
        "id": identifier,
        "name": "Rumah Aman Uji",
        "agency_type": "uptd_ppa",
        "jurisdiction_level": "regency",
        "area_code": "64.02",
        "capabilities": ["shelter", "psychological"],
        "lon": lon,
        "lat": lat,
        "location_precision": "exact",
        "confidential": True,
        "address": "Jl. Rahasia 7",
        "source": "test",
        **fields,
    }


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", "public"),
        ("public", "public"),
        ("caseworker", "caseworker"),
        ("editor", "editor"),
        ("admin", "admin"),
        ("disabled", 401),
        ("bad", 401),
        ("revoked", 401),
    ],
)
def test_me_names_the_role_of_each_credential(client, headers, who, status):
    answer = client.get("/api/v1/me", headers=headers[who])
    if status == 401:
        assert answer.status_code == 401 and "invalid_token" in answer.headers["WWW-Authenticate"]
    else:
        assert answer.status_code == 200 and answer.json["role"] == status


@pytest.fixture(scope="module")
def documented(app) -> dict[tuple[str, str], set[int]]:
    """The statuses the OpenAPI document gives per (Flask rule, method)."""
    paths = app.test_client().get("/api/v1/openapi.json").json["paths"]
    return {
        (rule.rule, method): {int(status) for status in paths[openapi_path(rule.rule)][method]["responses"]}
        for rule, method in api_rules(app)
    }


@pytest.mark.parametrize("who", WHO)
def test_every_write_route_is_closed_below_editor(app, client, headers, documented, who):
    expected = {"anonymous": 401, "public": 403, "caseworker": 403, "disabled": 401, "bad": 401, "revoked": 401}
    reads = ("/api/v1/referrals", "/api/v1/plans")  # questions posted in a body, not writes
    writes = [(r, m) for r, m in api_rules(app) if m != "get" and r.rule not in reads]
    assert len(writes) == 8
    for rule, method in writes:
        url = rule.rule.replace("<agency_id>", SHELTER).replace("<agreement_id>", "no-such-agreement")
        answer = client.open(url, method=method.upper(), json=[], headers=headers[who])
        if who in expected:
            assert answer.status_code == expected[who], (url, method)
            assert answer.json["error"]["message"]
        else:  # editor and admin pass the gate and stop at the empty body, the unknown agreement or If-Match
            assert answer.status_code in (400, 404, 428), (url, method, answer.json)
        assert answer.status_code in documented[(rule.rule, method)], (url, method, answer.status_code)


def test_public_answers_never_carry_the_true_point_of_a_safe_house(client, headers):
    true = directory.agencies_frame(client.application.config["RUJUK_ENGINE"]).set_index("id").loc[SHELTER]
    for who in ("anonymous", "public"):
        body = client.get("/api/v1/agencies", headers=headers[who]).json
        shelter = _feature(body, SHELTER)
        assert shelter["properties"]["redacted"] is True and shelter["properties"]["address"] is None
        assert shelter["geometry"]["coordinates"] != pytest.approx([true["lon"], true["lat"]], abs=1e-4)
    for who in ("caseworker", "editor", "admin"):
        shelter = _feature(client.get("/api/v1/agencies", headers=headers[who]).json, SHELTER)
        assert shelter["properties"]["redacted"] is False
        assert shelter["geometry"]["coordinates"] == pytest.approx([true["lon"], true["lat"]], abs=1e-5)


def test_a_new_safe_house_is_hidden_from_the_public_in_geojson_and_referrals(client, headers, caplog):
    caplog.set_level(logging.DEBUG)
    record = _agency("rumah-aman-uji")
    assert client.post("/api/v1/agencies", json=record, headers=headers["editor"]).status_code == 201
    lon, lat = record["lon"], record["lat"]
    public = client.get("/api/v1/agencies?area=64.02").get_data(as_text=True)
    assert f"{lon:.4f}" not in public and f"{lat:.4f}" not in public and "Jl. Rahasia" not in public
    carer = client.get("/api/v1/agencies/rumah-aman-uji", headers=headers["caseworker"]).json
    assert carer["geometry"]["coordinates"] == pytest.approx([lon, lat]) and carer["properties"]["address"]

    question = {"at": "Tenggarong", "needs": "shelter", "k": 20}
    public = client.post("/api/v1/referrals", json=question)
    assert public.status_code == 200 and "rumah-aman-uji" in public.get_data(as_text=True)
    assert f"{lon:.4f}" not in public.get_data(as_text=True) and "Jl. Rahasia" not in public.get_data(as_text=True)
    carer = client.post("/api/v1/referrals", json=question, headers=headers["caseworker"]).json
    found = next(c for c in carer["candidates"] if c["id"] == "rumah-aman-uji")
    assert found["redacted"] is False and found["location"]["lon"] == pytest.approx(lon, abs=1e-4)
    assert f"{lon:.4f}" not in caplog.text and "Jl. Rahasia" not in caplog.text


def test_editor_create_update_retire_round_trip(client, headers):
    editor = headers["editor"]
    record = _agency("uji-siklus", confidential=False, name="Unit Uji")
    created = client.post("/api/v1/agencies", json=record, headers=editor)
    assert created.status_code == 201 and created.headers["Location"] == "/api/v1/agencies/uji-siklus"
    assert _feature(client.get("/api/v1/agencies").json, "uji-siklus")["properties"]["name"] == "Unit Uji"

    change, url = {"name": "Unit Uji Baru", "capacity": 12}, "/api/v1/agencies/uji-siklus"
    assert client.patch(url, json=change, headers=_if_match(client, url, editor)).status_code == 200
    shown = client.get("/api/v1/agencies/uji-siklus").json["properties"]
    assert (shown["name"], shown["capacity"]) == ("Unit Uji Baru", 12)
    assert shown["capabilities"] == ["shelter", "psychological"]  # PATCH keeps the fields not given

    replaced = client.put(url, json={**record, "capabilities": "legal_aid"}, headers=_if_match(client, url, editor))
    assert replaced.status_code == 200
    shown = client.get("/api/v1/agencies/uji-siklus").json["properties"]
    assert (shown["name"], shown["capacity"], shown["capabilities"]) == ("Unit Uji", None, ["legal_aid"])

    retired = client.post(f"{url}/retire", json={"on": "2020-01-01"}, headers=_if_match(client, url, editor))
    assert retired.status_code == 200
    assert "uji-siklus" not in {f["properties"]["id"] for f in client.get("/api/v1/agencies").json["features"]}
    listed = client.get("/api/v1/agencies?include_retired=true", headers=editor).json
    assert _feature(listed, "uji-siklus")["properties"]["retired_on"] == "2020-01-01"
    answer = client.get("/api/v1/referrals?at=Tenggarong&needs=legal_aid&k=50").get_data(as_text=True)
    assert "uji-siklus" not in answer


def test_a_bad_body_is_a_422_listing_every_row_and_writes_nothing(client, headers):
    before = client.get("/api/v1/agencies?include_retired=true", headers=headers["editor"]).json["features"]
    rows = [
        _agency("baris-baik", confidential=False),
        _agency("baris-buruk", capabilities=["shelterr"], lon=120.0, lat=-10.0),
        {**_agency("baris-tanpa-nama"), "name": "", "area_code": "64.99"},
        _agency(SHELTER),
    ]
    answer = client.post("/api/v1/agencies", json=rows, headers=headers["editor"])
    assert answer.status_code == 422
    errors = {(e["row"], e["field"]) for e in answer.json["error"]["rows"]}
    assert {(2, "capabilities"), (2, "lon/lat"), (3, "name"), (3, "area_code"), (4, "id")} <= errors
    assert not any(row == 1 for row, _ in errors)
    assert client.get("/api/v1/agencies?include_retired=true", headers=headers["editor"]).json["features"] == before


AGREEMENT = {
    "id": "uji-pks-lain",
    "area_a": "64.01",
    "area_b": "64.03",
    "capabilities": ["shelter"],
    "title": "PKS uji",
    "source": "test",
}


@pytest.mark.parametrize(
    ("method", "url", "body", "listed"),
    [
        ("post", "/api/v1/agencies", {"id": "uji-bogus", "name": "Unit Uji", "bogus": 1}, "opening_hours"),
        ("patch", f"/api/v1/agencies/{SHELTER}", {"type": "Feature", "properties": {"bogus": 1}}, "opening_hours"),
        ("post", "/api/v1/agreements", {**AGREEMENT, "bogus": 1}, "signed_on"),
        (
            "put",
            "/api/v1/agreements/pks-kukar-ppu-2024",
            {**AGREEMENT, "id": "pks-kukar-ppu-2024", "bogus": 1},
            "signed_on",
        ),
    ],
)
def test_an_unknown_field_in_a_body_is_a_422_listing_the_fields(client, headers, method, url, body, listed):
    directory_urls = ("/api/v1/agencies?include_retired=true", "/api/v1/agreements")
    before = [client.get(each, headers=headers["editor"]).json for each in directory_urls]
    tagged = _if_match(client, url, headers["editor"]) if method != "post" else headers["editor"]
    answer = getattr(client, method)(url, json=body, headers=tagged)
    assert answer.status_code == 422
    bogus = [row for row in answer.json["error"]["rows"] if row["field"] == "bogus"]
    assert bogus and bogus[0]["value"] == "bogus" and listed in bogus[0]["message"]
    assert [client.get(each, headers=headers["editor"]).json for each in directory_urls] == before  # nothing written


def test_put_cannot_change_an_id_and_unknown_ids_are_404(client, headers):
    editor = headers["editor"]
    tagged = _if_match(client, f"/api/v1/agencies/{SHELTER}", editor)
    answer = client.put(f"/api/v1/agencies/{SHELTER}", json=_agency("another-id"), headers=tagged)
    assert answer.status_code == 400 and answer.json["error"]["field"] == "id"
    missing = client.patch("/api/v1/agencies/no-such-agency", json={"name": "x"}, headers=editor)
    assert missing.status_code == 404 and "no-such-agency" in missing.json["error"]["message"]
    assert client.post("/api/v1/agencies/no-such-agency/retire", headers=editor).status_code == 404


def test_editor_agreement_create_update_delete_round_trip(client, headers):
    editor = headers["editor"]
    record = {
        "id": "uji-pks",
        "area_a": "64.01",
        "area_b": "64.03",
        "capabilities": "shelter;medical",
        "signed_on": "2024-08-01",
        "title": "PKS uji",
        "source": "test",
    }
    assert client.post("/api/v1/agreements", json=record, headers=editor).status_code == 201
    feature = client.get("/api/v1/agreements/uji-pks").json
    assert feature["properties"]["capabilities"] == ["shelter", "medical"]
    feature["properties"]["title"] = "PKS uji diubah"
    url = "/api/v1/agreements/uji-pks"
    assert client.put(url, json=feature, headers=_if_match(client, url, editor)).status_code == 200
    ending = {"ended_on": "2030-01-01"}
    assert client.patch(url, json=ending, headers=_if_match(client, url, editor)).status_code == 200
    shown = client.get("/api/v1/agreements?area=64.03").json
    assert _feature(shown, "uji-pks")["properties"]["title"] == "PKS uji diubah"
    assert _feature(shown, "uji-pks")["properties"]["ended_on"] == "2030-01-01"
    bad = client.post("/api/v1/agreements", json={**record, "id": "uji-pks-2", "area_b": "64"}, headers=editor)
    assert bad.status_code == 422 and bad.json["error"]["rows"][0]["field"] == "area_b"
    assert client.delete(url, headers=_if_match(client, url, editor)).status_code == 200
    assert client.get("/api/v1/agreements/uji-pks").status_code == 404


GARBAGE_BODIES = [
    b"\xff\xfe{not json",
    b'[1, {"a": [{}]}]',
    b'{"id": {"x": 1}, "lon": "nan", "lat": [1]}',
    b'{"type": "FeatureCollection", "features": "no"}',
    b'"text"',
    b"null",
    b"[]",
    b'{"on": 20200101}',
    b'{"at": [1], "needs": {"x": 1}, "k": "1e9", "on": true}',
]
GARBAGE_VALUES = ["%00", "..", "-1", "1e999", "%ff%fe", ";;,,", "64.", "2024-13-45", "x" * 500, "nan", "[]"]


def test_garbage_to_every_route_is_never_a_500(app, client, headers, documented):
    from service.api.openapi import OPERATIONS

    rules = api_rules(app)
    assert len(rules) >= 20
    for rule, method in rules:
        params = [p["name"] for p in OPERATIONS[(rule.rule.removeprefix("/api/v1"), method)]["params"]]
        queries = ["&".join(f"{name}={value}" for name in params) for value in GARBAGE_VALUES] + ["undocumented=1"]
        for identifier in (SHELTER, "..", "%00", "x" * 300) if rule.arguments else ("",):
            url = rule.rule.replace("<agency_id>", identifier).replace("<agreement_id>", identifier)
            asks = [(f"{url}?{query}", None) for query in queries] if method == "get" else []
            asks += [(url, payload) for payload in GARBAGE_BODIES] if method != "get" else []
            for target, payload in asks:
                answer = client.open(
                    target,
                    method=method.upper(),
                    data=payload,
                    content_type="application/json",
                    headers=headers["editor"],
                )
                assert answer.status_code < 500, (method, target, payload, answer.get_data()[:300])
                assert answer.status_code < 400 or answer.json["error"]["message"]
                assert answer.status_code in documented[(rule.rule, method)], (method, target, answer.status_code)
                if answer.status_code in (400, 404):
                    assert {"field", "value"} <= set(answer.json["error"]), (method, target, answer.json)


@pytest.mark.parametrize(
    ("who", "method", "url", "expected"),
    [
        ("anonymous", "GET", "/api/v1/agencies", response_headers.PUBLIC),
        ("anonymous", "GET", "/api/v1/areas?level=province", response_headers.PUBLIC),
        ("anonymous", "GET", "/api/v1/hotspots?measure=police TPPO cases", response_headers.PUBLIC),
        ("public", "GET", "/api/v1/agencies", response_headers.PRIVATE),
        ("caseworker", "GET", "/api/v1/agencies", response_headers.PRIVATE),
        ("caseworker", "GET", f"/api/v1/agencies/{SHELTER}", response_headers.PRIVATE),
        ("caseworker", "GET", "/api/v1/hotspots?measure=police TPPO cases", response_headers.PRIVATE),
        ("anonymous", "GET", "/api/v1/referrals?at=Tenggarong&needs=shelter", response_headers.PRIVATE),
        ("anonymous", "POST", "/api/v1/referrals?at=Tenggarong&needs=shelter", response_headers.PRIVATE),
        ("anonymous", "GET", "/api/v1/me", response_headers.PRIVATE),
        ("anonymous", "GET", "/api/v1/health", response_headers.PRIVATE),
        ("anonymous", "GET", "/api/v1/areas?level=planet", response_headers.PRIVATE),
        ("anonymous", "GET", "/api/v1/no-such-route", response_headers.PRIVATE),
        ("bad", "GET", "/api/v1/agencies", response_headers.PRIVATE),
        ("editor", "PATCH", "/api/v1/agencies/no-such-agency", response_headers.PRIVATE),
    ],
)
def test_caching_headers_keep_confidential_answers_out_of_caches(client, headers, who, method, url, expected):
    answer = client.open(url, method=method, headers=headers[who], json={} if method == "PATCH" else None)
    assert answer.headers["Cache-Control"] == expected, answer.status_code
    assert {"Cookie", "Authorization"} <= {value.strip() for value in answer.headers["Vary"].split(",")}


def test_an_editors_change_is_seen_by_the_next_coverage_answer(client, headers):
    url = "/api/v1/coverage?capability=witness_protection&level=province&within=64&rules=without&geometry=false"
    before = client.get(url).json["features"][0]["properties"]
    assert client.get(url).json["features"][0]["properties"] == before  # from the cache
    record = _agency(
        "uji-lpsk-kaltim",
        confidential=False,
        capabilities=["witness_protection"],
        agency_type="lpsk",
        jurisdiction_level="national",
    )
    created = client.post("/api/v1/agencies", json=record, headers=headers["editor"])
    assert created.status_code == 201, created.json
    after = client.get(url).json["features"][0]["properties"]
    assert after["median_h_any"] < before["median_h_any"]


def test_a_change_made_outside_the_api_is_seen_by_the_next_hotspot_answer(app, client, roles_engine):
    from sqlalchemy import update

    from cases.figures import CaseFigure

    url = "/api/v1/hotspots?measure=police TPPO cases&level=regency&geometry=false&fields=value"
    kubar = {f["properties"]["code"]: f["properties"]["value"] for f in client.get(url).json["features"]}["64.07"]
    hits = _cache.answers(app).hits
    client.get(url)
    assert _cache.answers(app).hits == hits + 1
    change = update(CaseFigure).where(CaseFigure.area_code == "64.07", CaseFigure.measure == "police TPPO cases")
    with db.session_scope(roles_engine) as session:  # as `rujuk cases import` in another process would
        session.execute(change.values(value=kubar + 40))
    try:
        shown = {f["properties"]["code"]: f["properties"]["value"] for f in client.get(url).json["features"]}
        assert shown["64.07"] == kubar + 40
    finally:
        with db.session_scope(roles_engine) as session:
            session.execute(change.values(value=kubar))


@pytest.mark.parametrize(
    ("url", "change", "field"),
    [
        ("/api/v1/agencies", {"capabilities": False}, "capabilities"),
        ("/api/v1/agencies", {"capabilities": 0}, "capabilities"),
        ("/api/v1/agencies", {"languages": 0}, "languages"),
        ("/api/v1/agencies", {"languages": True}, "languages"),
        ("/api/v1/agencies", {"name": {"id": "x"}}, "name"),
        ("/api/v1/agencies", {"name": "Unit\x00Uji"}, "name"),
        ("/api/v1/agencies", {"id": "uji-\x07"}, "id"),
        ("/api/v1/agencies", {"organization_id": "org\x1b[31m"}, "organization_id"),
        ("/api/v1/agencies", {"name": "Unit \u202eijU"}, "name"),
        ("/api/v1/agreements", {"capabilities": False}, "capabilities"),
        ("/api/v1/agreements", {"title": "PKS\x0buji"}, "title"),
        ("/api/v1/agreements", {"capabilities": "shelter\x00"}, "capabilities"),
    ],
)
def test_a_bad_type_or_control_character_is_a_422_naming_the_field(client, headers, url, change, field):
    record = {**(_agency("uji-tipe") if url.endswith("agencies") else AGREEMENT), **change}
    answer = client.post(url, json=record, headers=headers["editor"])
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    rows = [row for row in answer.json["error"]["rows"] if row["field"] == field]
    assert rows and rows[0]["value"] in (change[field], json.dumps(change[field])), answer.json  # objects as JSON


def test_notes_may_hold_tabs_and_line_breaks_but_no_other_control_character(client, headers):
    fine = client.post(
        "/api/v1/agencies", json=_agency("uji-catatan", notes="Baris 1\r\n\tBaris 2"), headers=headers["editor"]
    )
    assert fine.status_code == 201 and fine.json["features"][0]["properties"]["notes"] == "Baris 1\n\tBaris 2"
    bad = client.post("/api/v1/agencies", json=_agency("uji-catatan-2", notes="a\x00b"), headers=headers["editor"])
    assert bad.status_code == 422 and bad.json["error"]["rows"][0]["field"] == "notes"


def test_a_retired_agency_is_shown_to_editors_only(client, headers):
    editor, url = headers["editor"], "/api/v1/agencies/uji-pensiun"
    record = _agency("uji-pensiun", confidential=False, name="Unit Pensiun", address="Jl. Lama 1")
    assert client.post("/api/v1/agencies", json=record, headers=editor).status_code == 201
    assert client.post(f"{url}/retire", json={}, headers=_if_match(client, url, editor)).status_code == 200
    for who in ("anonymous", "public", "caseworker"):
        listed = client.get("/api/v1/agencies?include_retired=true", headers=headers[who])
        assert listed.status_code == 403 and listed.json["error"]["field"] == "include_retired"
        assert listed.json["error"]["value"] == "true"
        one = client.get(url, headers=headers[who])
        assert one.status_code == 404 and one.json["error"]["field"] == "agency_id"
        assert "Jl. Lama" not in one.get_data(as_text=True)
        near = client.get("/api/v1/agencies/uji-pensiu", headers=headers[who]).json["error"]["message"]
        assert "uji-pensiun" not in near  # the close ids offered are active ones
        assert "uji-pensiun" not in client.get("/api/v1/agencies", headers=headers[who]).get_data(as_text=True)
    for who in ("editor", "admin"):
        assert client.get(url, headers=headers[who]).json["properties"]["address"] == "Jl. Lama 1"
        listed = client.get("/api/v1/agencies?include_retired=true", headers=headers[who]).json
        assert _feature(listed, "uji-pensiun")["properties"]["retired_on"]
    assert "Unit Pensiun" not in client.get("/directory?retired=1&q=pensiun").get_data(as_text=True)
