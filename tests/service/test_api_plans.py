"""POST /api/v1/plans on the seeded real database: the plan's schema, its exports, errors naming the field, OpenAPI."""

from __future__ import annotations

import csv
import io

import jsonschema
import pytest

from app import create_app
from routing.planning.schemas import PLAN

QUESTION = {
    "capability": "witness_protection",
    "p": 2,
    "standard": "8h",
    "measure": "police TPPO victims",
    "period": "2023",
    "level": "regency",
    "robustness": False,
}


@pytest.fixture(scope="module")
def client(seeded_engine):
    app = create_app(seeded_engine, prepare_data=False)
    app.testing = True
    return app.test_client()


def test_a_plan_answers_in_its_schema(client):
    answer = client.post("/api/v1/plans", json=QUESTION)
    assert answer.status_code == 200, answer.json
    plan = answer.json
    jsonschema.validate(plan, PLAN)
    assert [site["rank"] for site in plan["sites"]] == [1, 2]
    assert plan["after"]["covered"] > plan["before"]["covered"] and plan["authorised"] is False
    assert plan["demand"]["measure"] == "police TPPO victims" and plan["robustness"] == []
    assert answer.headers["Cache-Control"]  # the service's headers apply
    again = client.post("/api/v1/plans", json=QUESTION).json
    assert [s["code"] for s in again["sites"]] == [s["code"] for s in plan["sites"]]


def test_exports_as_geojson_and_csv(client):
    collection = client.post("/api/v1/plans", json={**QUESTION, "format": "geojson"})
    assert collection.mimetype == "application/geo+json"
    roles = {feature["properties"]["role"] for feature in collection.json["features"]}
    assert {"new_site", "existing_site", "newly_covered"} <= roles
    table = client.post("/api/v1/plans", json={**QUESTION, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True))))
    assert table.mimetype == "text/csv" and [row["rank"] for row in rows] == ["1", "2"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"capability": None}, "capability"),
        ({"capability": "teleportation"}, "capability"),
        ({"p": 0}, "p"),
        ({"p": 5000}, "p"),
        ({"model": "nearest"}, "model"),
        ({"standard": "soon"}, "standard"),
        ({"standard": "0.01h"}, "standard_h"),
        ({"measure": "rumours"}, "measure"),
        ({"period": "2019"}, "period"),
        ({"capacity": -3}, "capacity"),
        ({"format": "xlsx"}, "format"),
        ({"model": "setcover", "standard": "2h"}, "standard_h"),
    ],
)
def test_bad_questions_are_400_naming_the_field(client, change, field):
    question = {key: value for key, value in {**QUESTION, **change}.items() if value is not None}
    answer = client.post("/api/v1/plans", json=question)
    assert answer.status_code == 400, answer.json
    assert answer.json["error"]["field"] == field


def test_the_route_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/plans"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("PlanQuestion")
    assert document["components"]["schemas"]["Plan"] == PLAN
    assert "capability" in document["components"]["schemas"]["PlanQuestion"]["properties"]
