"""The API's directory fields: missions abroad and hotlines with their kind, and coverage gaps that say whether
the directory has a verified entry."""

from __future__ import annotations

import pytest

from accounts import users
from app import create_app


@pytest.fixture(scope="module")
def client(pages_engine):
    """The API on this module's own copy of the seeded database (the tests write to it)."""
    app = create_app(pages_engine, prepare_data=False)
    app.testing = True
    return app.test_client()


def test_the_agency_list_names_where_each_row_is(client):
    features = {f["properties"]["id"]: f for f in client.get("/api/v1/agencies").json["features"]}
    tawau, sapa, office = features["kri-tawau"], features["hotline-sapa-129"], features["lpsk-ntt"]
    assert tawau["geometry"] is None and sapa["geometry"] is None and office["geometry"]["type"] == "Point"
    assert tawau["properties"]["location_kind"] == "abroad"
    assert (tawau["properties"]["country"], tawau["properties"]["city"]) == ("MY", "Tawau")
    assert tawau["properties"]["area_code"] is None
    assert sapa["properties"]["location_kind"] == "hotline" and sapa["properties"]["phone"].startswith("129")
    assert (office["properties"]["location_kind"], office["properties"]["country"]) == ("office", "ID")
    repatriation = client.get("/api/v1/agencies?capability=repatriation_international").json["features"]
    assert {"kri-tawau", "kjri-kota-kinabalu"} <= {f["properties"]["id"] for f in repatriation}
    kaltim = client.get("/api/v1/agencies?area=64").json["features"]
    assert kaltim and {f["properties"]["location_kind"] for f in kaltim} == {"office"}
    one = client.get("/api/v1/agencies/kri-tawau")
    assert one.status_code == 200 and one.json["properties"]["location_kind"] == "abroad"


def test_an_editor_puts_a_mission_abroad_back_as_read_and_a_bad_country_is_a_422(client, pages_engine):
    users.create_user(pages_engine, "places-editor", "sambal matah 2024", "editor")
    token = users.create_token(pages_engine, "places-editor", "tests")
    auth = {"Authorization": f"Bearer {token}"}
    read = client.get("/api/v1/agencies/kri-tawau", headers=auth)
    feature = read.json
    feature["properties"]["notes"] = "Checked by an editor in a test."
    answer = client.put("/api/v1/agencies/kri-tawau", json=feature, headers={**auth, "If-Match": read.headers["ETag"]})
    assert answer.status_code == 200, answer.json
    stored = answer.json["features"][0]
    assert stored["properties"]["notes"] == "Checked by an editor in a test."
    assert stored["properties"]["location_kind"] == "abroad" and stored["properties"]["city"] == "Tawau"
    assert stored["geometry"] is None  # no point was made up
    again = client.get("/api/v1/agencies/kri-tawau", headers=auth)
    patch = client.patch(
        "/api/v1/agencies/kri-tawau",
        json={"country": "Malaysia"},
        headers={**auth, "If-Match": again.headers["ETag"]},
    )
    assert patch.status_code == 422
    [row] = patch.json["error"]["rows"]
    assert (row["field"], row["value"]) == ("country", "Malaysia") and "'MY'" in row["message"]


def test_coverage_says_whether_a_gap_has_a_verified_entry_and_the_schema_documents_it(client):
    answer = client.get("/api/v1/coverage?capability=shelter&level=province&rules=with&geometry=false")
    features = {f["properties"]["code"]: f["properties"] for f in answer.json["features"]}
    bengkulu, kaltim = features["17"], features["64"]
    assert bengkulu["directory_rows"] == 0 and bengkulu["no_entry_share_permitted"] == 1.0
    assert bengkulu["no_entry_districts_permitted"] == bengkulu["gap_districts_permitted"] > 0
    assert kaltim["directory_confirmed"] > 0 and kaltim["no_entry_districts_permitted"] == 0
    assert kaltim["directory_oldest_verified_on"] == "2026-12-04"
    districts = client.get("/api/v1/coverage?capability=shelter&level=district&within=17&rules=with&geometry=false")
    kinds = {f["properties"]["gap_kind_permitted"] for f in districts.json["features"]}
    assert kinds <= {"within_standard", "no_verified_entry"} and "no_verified_entry" in kinds
    schema = client.get("/api/v1/openapi.json").json["components"]["schemas"]["Coverage"]
    properties = schema["properties"]["features"]["items"]["properties"]["properties"]["properties"]
    assert properties["gap_kind_permitted"]["enum"] == ["within_standard", "too_far", "no_verified_entry", None]
    assert {"no_entry_share_any", "directory_confirmed", "directory_oldest_verified_on"} <= set(properties)
