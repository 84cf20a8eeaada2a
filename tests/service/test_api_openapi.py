"""The OpenAPI document: valid OpenAPI 3.1, complete for the routes the app has, honest about status codes."""

from __future__ import annotations

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from app import MAX_UPLOAD_BYTES, create_app
from service.api.openapi import openapi_path


@pytest.fixture(scope="module")
def client(seeded_engine):
    app = create_app(seeded_engine, prepare_data=False)
    app.testing = True
    return app.test_client()


@pytest.fixture(scope="module")
def document(client) -> dict:
    return client.get("/api/v1/openapi.json").json


def test_the_document_is_valid_openapi_3_1(document):
    errors = [f"{type(error).__name__}: {error}" for error in OpenAPIV31SpecValidator(document).iter_errors()]
    assert errors == []


def test_operation_ids_are_unique_and_name_the_method(document):
    ids = [(method, op["operationId"]) for item in document["paths"].values() for method, op in item.items()]
    assert len({operation for _, operation in ids}) == len(ids)
    assert all(operation.startswith(method + "_") for method, operation in ids)
    assert {"put_update_agency", "patch_update_agency", "get_referrals", "post_referrals"} <= {op for _, op in ids}


def test_every_api_url_rule_is_documented_with_each_of_its_methods(client, document):
    rules = [rule for rule in client.application.url_map.iter_rules() if rule.rule.startswith("/api/v1/")]
    assert len(rules) >= 15
    for rule in rules:
        item = document["paths"].get(openapi_path(rule.rule))
        assert item is not None, rule.rule
        assert {m.lower() for m in rule.methods} - {"head", "options"} <= set(item), (rule.rule, rule.methods)


def test_the_new_parameters_are_documented(document):
    def names(path: str) -> set[str]:
        return {p["name"] for p in document["paths"][f"/api/v1/{path}"]["get"]["parameters"]}

    assert {"period", "measure", "source"} <= names("areas")
    assert {"period", "geometry", "fields"} <= names("hotspots")
    assert {"geometry", "fields", "rules", "capability"} <= names("coverage")


def test_post_referrals_documents_what_it_really_answers(client, document):
    responses = document["paths"]["/api/v1/referrals"]["post"]["responses"]
    assert {"200", "400", "401", "404", "413", "503"} <= set(responses)
    unknown = client.post("/api/v1/referrals", json={"at": "Atlantis", "needs": "shelter"})
    too_big = client.post("/api/v1/referrals", data=b" " * (MAX_UPLOAD_BYTES + 1), content_type="application/json")
    assert (unknown.status_code, too_big.status_code) == (404, 413)
    assert too_big.json["error"]["status"] == 413


def test_statuses_are_documented_only_where_they_can_happen(document):
    paths = document["paths"]
    assert "404" not in paths["/api/v1/health"]["get"]["responses"]
    assert "503" not in paths["/api/v1/health"]["get"]["responses"]
    assert "422" not in paths["/api/v1/referrals"]["post"]["responses"]
    assert {"403", "404", "413", "422"} <= set(paths["/api/v1/agencies/{agency_id}"]["put"]["responses"])
    assert "201" in paths["/api/v1/agencies"]["post"]["responses"]
    assert "413" not in paths["/api/v1/agreements/{agreement_id}"]["delete"]["responses"]
