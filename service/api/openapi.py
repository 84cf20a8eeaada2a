"""The OpenAPI 3.1 document of the JSON API, and the check that a request uses only documented parameters.

:data:`OPERATIONS` describes every route: summary, query parameters, request body and
answer. :func:`document` joins it with the routes the app really has (path parameters
from the URL rule; the role a route needs from :func:`service.auth.role_required`), so
the document cannot claim a route that does not exist nor forget the role of one.
:func:`check_parameters` runs before every API request and answers 400 for a query
parameter the route does not document (a misspelt ``capabilty=`` would otherwise be
ignored silently).

Directory writes to one record (PUT, PATCH, DELETE, retire) document the required
``If-Match`` header and their 412 and 428 answers; ``GET`` of one record its ``ETag``
(:mod:`service.api.directory`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request

import cases
from accounts.users import ROLES
from core import settings
from core.errors import InputError, cut
from directory import capabilities
from directory.places import LOCATION_KINDS
from geo import boundaries, gazetteer
from routing import schemas
from routing.planning.schemas import PLAN
from routing.questions import DEFAULT_K, MAX_K
from service.api._records import AGENCIES, AGREEMENTS
from service.api.common import API, GEOJSON
from service.api.plans import PLAN_FIELDS

_REF = "#/components/schemas/"


def _q(name: str, description: str, schema: dict | None = None, required: bool = False) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _enum(values: Any) -> dict[str, Any]:
    return {"type": "string", "enum": list(values)}


_CAPABILITY = _enum(capabilities.CAPABILITIES)
_AREA = {"type": "string", "pattern": r"^\d{2}(\.\d{2}(\.\d{2})?)?$", "examples": ["64", "64.02"]}
_AREA_LEVEL = _q("level", "Area level.", _enum(boundaries.LEVELS))
_MEASURE = _q("measure", "Exact measure text of the case figures, e.g. `police TPPO cases`.")
_SOURCE = _q("source", "Exact source text, needed when the measure comes from several sources.")
_PERIOD = _q(
    "period",
    "Period of the figures: a year (`2023`) or `START/END` dates (`2023-06-05/2023-06-16`); "
    "default the latest. An unknown one is a 400 listing the periods there are.",
    {"type": "string", "pattern": r"^\d{4}$|^\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}$", "examples": ["2023"]},
)
_LAYER = [
    _q(
        "geometry",
        "Include the (web-simplified) polygons; `false`: null geometries, to join with `/areas`.",
        {"type": "boolean", "default": True},
    ),
    _q(
        "fields",
        "Comma-separated properties to keep (`code` and `level` are always kept); "
        "an unknown one is a 400 listing them.",
    ),
]
_REFERRAL_FIELDS: dict[str, dict[str, Any]] = {
    "at": {
        "type": "string",
        "description": "Place name, area code or `LAT,LON`; or a place abroad (a city such as Tawau, or a country): "
        "the answer is then the chain home (mission, debarkation port, BP3MI, home).",
        "examples": ["Tenggarong"],
    },
    "home": {
        "type": "string",
        "description": "The regency the victim comes from (code or name, never a point): the way home and "
        "reintegration there.",
        "examples": ["53.01"],
    },
    "needs": {"type": "string", "description": "Comma-separated capability codes.", "examples": ["shelter,medical"]},
    "k": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": DEFAULT_K, "description": "Agencies to list."},
    "max_time": {"type": "string", "description": "Time limit such as `3h`, `90m`, `1h30m`."},
    "on": {"type": "string", "format": "date", "description": "Leave out agencies closed that day."},
    "modes": {
        "type": "string",
        "enum": list(settings.TRAVEL_MODE_CHOICES),
        "description": "Ways of travelling allowed.",
    },
}
_DIRECTORY_BODY = "Directory write: one record, a Feature, a list of them, or a FeatureCollection."
_IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "schema": {"type": "string"},
    "description": 'The ETag of the record as GET answered it (e.g. `"3"`): the write is refused (412) '
    "when the record has changed since. Required of every caller (428 without it).",
}
_VERSION_REFUSALS = {
    "412": "The record has changed since the version in If-Match; nothing was written. `field` is If-Match, "
    "`value` the tag sent, `current_version` the stored version (also the ETag of the answer).",
    "428": "No If-Match header: GET the record and send its ETag.",
}
_ETAG = {
    "ETag": {
        "description": 'The version of the record, a strong tag such as `"3"`; send it back in If-Match.',
        "schema": {"type": "string"},
    }
}


def _op(
    summary: str,
    tag: str,
    params: list[dict] | None = None,
    answer: str = "FeatureCollection",
    body: str | None = None,
    media: str = GEOJSON,
    created: bool = False,
    lookup: bool = False,
    data: bool = True,
    versioned: str | None = None,
    refusals: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Return one operation of :data:`OPERATIONS` (roles and path parameters are added by :func:`document`).

    `lookup`: a parameter names an area, place or id that may not exist (404); `data`: the
    answer reads data files or the database (503 when they are missing); `versioned`:
    ``"read"`` answers an ETag, ``"write"`` needs If-Match (412, 428); `refusals`: other
    error answers by status.
    """
    refusals = {**(refusals or {}), **(_VERSION_REFUSALS if versioned == "write" else {})}
    return {
        "summary": summary,
        "tag": tag,
        "params": params or [],
        "answer": answer,
        "body": body,
        "media": media,
        "created": created,
        "lookup": lookup,
        "data": data,
        "versioned": versioned,
        "refusals": refusals,
    }


OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/health", "get"): _op(
        "Service status, schema version and suppression threshold",
        "meta",
        answer="Status",
        media="application/json",
        data=False,
    ),
    ("/me", "get"): _op(
        "Who is calling: username, role, how authenticated (and a CSRF token for a session)",
        "meta",
        answer="Me",
        media="application/json",
        data=False,
    ),
    ("/openapi.json", "get"): _op("This document", "meta", answer="Object", media="application/json", data=False),
    ("/areas", "get"): _op(
        "Areas of one level as GeoJSON (simplified), with population and, for a measure, "
        "its published figure per area (suppressed)",
        "areas",
        [_AREA_LEVEL, _q("within", "Only areas inside this area code.", _AREA), _MEASURE, _SOURCE, _PERIOD],
        lookup=True,
    ),
    ("/places", "get"): _op(
        "Gazetteer: areas and regency seats by name",
        "areas",
        [
            _q("q", "Place name.", required=True),
            _q("level", "Kind of place.", _enum(gazetteer.LEVELS)),
            _q("limit", "Most places to list.", {"type": "integer", "minimum": 1, "maximum": 200, "default": 20}),
        ],
        answer="Array",
        media="application/json",
    ),
    ("/cases", "get"): _op(
        "Aggregate case figures, counts below the threshold suppressed",
        "cases",
        [
            _q("level", "Area level of the figures.", _enum(cases.LEVELS)),
            _q("area", "One area code or ID.", _AREA),
            _MEASURE,
            _SOURCE,
        ],
        answer="CaseFigures",
        media="application/json",
        lookup=True,
    ),
    ("/referrals", "get"): _op(
        "Agencies that can help, ranked by travel time, with jurisdiction; confidential "
        "agencies at their regency unless caseworker",
        "referrals",
        [_q(name, schema["description"], schema, name in ("at", "needs")) for name, schema in _REFERRAL_FIELDS.items()],
        answer="Referral",
        media="application/json",
        lookup=True,
    ),
    ("/routes", "get"): _op(
        "One trip between two places on the national model: legs by mode (road, ferry, fast boat, ship, "
        "flight, estimated sea crossing), hours, kilometres and the total",
        "referrals",
        [
            _q("from", "Place name, area code or `LAT,LON`.", required=True),
            _q("to", "Place name, area code or `LAT,LON`.", required=True),
            _q("modes", "Ways of travelling allowed.", _enum(settings.TRAVEL_MODE_CHOICES)),
        ],
        answer="Trip",
        media="application/json",
    ),
    ("/referrals", "post"): _op(
        "The same referral with the question in a JSON body (keeps the victim's "
        "whereabouts out of URLs and access logs)",
        "referrals",
        body="ReferralQuestion",
        answer="Referral",
        media="application/json",
        lookup=True,
    ),
    ("/plans", "post"): _op(
        "Where new offices offering a capability would serve the most need: sites in order of added value, "
        "demand covered and hours before and after, areas still beyond the standard, solver status, robustness",
        "planning",
        body="PlanQuestion",
        answer="Plan",
        media="application/json",
        refusals={"429": "Too many plans from this address or account (settings.plan_rate_limit); see Retry-After."},
    ),
    ("/coverage", "get"): _op(
        "Travel time to the nearest capable agency and coverage gaps per area (public view)",
        "planning",
        [
            _q(
                "capability",
                "Comma-separated capability codes; default all. Level `district` needs one capability "
                "(one to three for a caseworker or higher).",
            ),
            _q("level", "Area level.", {**_enum(("district", "regency", "province")), "default": "province"}),
            _q("rules", "Jurisdiction rules.", {**_enum(("without", "with", "both")), "default": "both"}),
            _q("within", "Only areas inside or containing this area code.", _AREA),
            _q("gaps_only", "Only areas with a gap.", {"type": "boolean"}),
            _q("case_measure", "Measure of the case figures joined."),
            _q("case_source", "Source of that measure."),
            *_LAYER,
        ],
        answer="Coverage",
        lookup=True,
    ),
    ("/hotspots", "get"): _op(
        "Hot and cold spots (Getis-Ord Gi*) of published case rates (public view)",
        "planning",
        [
            {**_MEASURE, "required": True},
            _SOURCE,
            _PERIOD,
            _q("level", "Area level.", {**_enum(("province", "regency", "district")), "default": "regency"}),
            *_LAYER,
        ],
    ),
    ("/agencies", "get"): _op(
        "The service directory (public view below caseworker)",
        "directory",
        [
            _q("capability", "Only agencies with this capability.", _CAPABILITY),
            _q("area", "Only agencies of this area or inside it.", _AREA),
            _q("include_retired", "Also retired agencies (editors only).", {"type": "boolean"}),
        ],
        lookup=True,
        refusals={"403": "`include_retired` from a caller below editor: retired agencies are for editors only."},
    ),
    ("/agencies", "post"): _op(
        "Create agencies (all or nothing; 422 lists every row error)", "directory", body="AgencyBody", created=True
    ),
    ("/agencies/<agency_id>", "get"): _op(
        "One agency (public view below caseworker; a retired one: editors only, 404 to others)",
        "directory",
        answer="Feature",
        versioned="read",
    ),
    ("/agencies/<agency_id>", "put"): _op("Replace one agency", "directory", body="AgencyBody", versioned="write"),
    ("/agencies/<agency_id>", "patch"): _op(
        "Change the fields given of one agency", "directory", body="AgencyBody", versioned="write"
    ),
    ("/agencies/<agency_id>/retire", "post"): _op(
        "Retire an agency from a date (default today); never deleted", "directory", body="Retire", versioned="write"
    ),
    ("/agreements", "get"): _op(
        "Cooperation agreements, a line between the two areas",
        "directory",
        [_q("area", "Only agreements of which this area (or one inside it) is a party.", _AREA)],
        lookup=True,
    ),
    ("/agreements", "post"): _op("Create agreements (all or nothing)", "directory", body="AgreementBody", created=True),
    ("/agreements/<agreement_id>", "get"): _op("One agreement", "directory", answer="Feature", versioned="read"),
    ("/agreements/<agreement_id>", "put"): _op(
        "Replace one agreement", "directory", body="AgreementBody", versioned="write"
    ),
    ("/agreements/<agreement_id>", "patch"): _op(
        "Change the fields given of one agreement", "directory", body="AgreementBody", versioned="write"
    ),
    ("/agreements/<agreement_id>", "delete"): _op(
        "Delete an agreement", "directory", answer="Object", media="application/json", versioned="write"
    ),
}
"""Every API operation by (rule below /api/v1, method)."""


def _record_schema(fields: tuple[str, ...], lists: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    """Return the schema of a directory record of `fields` (no others: the API refuses unknown fields)."""
    kinds = {
        "lon": "number",
        "lat": "number",
        "capacity": "integer",
        "confidential": "boolean",
        "existence_confirmed": "boolean",
        "redacted": "boolean",
        "version": "integer",
    }
    text_list = {"type": "array", "items": {"type": "string"}}
    properties = {
        name: text_list if name in lists else {"type": [kinds.get(name, "string"), "null"]} for name in fields
    }
    return {"type": "object", "properties": properties, "required": list(required), "additionalProperties": False}


def _schemas() -> dict[str, Any]:
    agency = _record_schema(
        AGENCIES.fields,
        ("capabilities", "languages"),
        (
            "id",
            "name",
            "agency_type",
            "jurisdiction_level",
            "capabilities",
            "location_precision",
            "source",
        ),
    )
    agency["properties"]["location_kind"] = {
        "type": "string",
        "enum": list(LOCATION_KINDS),
        "description": "; ".join(f"{kind}: {meaning}" for kind, meaning in LOCATION_KINDS.items())
        + " (derived from agency_type and country; ignored in a write body).",
    }
    agency["properties"]["country"]["description"] = "ISO 3166-1 alpha-2; ID (Indonesia) when blank."
    agreement = _record_schema(
        AGREEMENTS.fields, ("capabilities",), ("id", "area_a", "area_b", "capabilities", "title", "source")
    )
    feature = {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"const": "Feature"},
            "geometry": {"type": ["object", "null"]},
            "properties": {"type": "object"},
        },
    }
    collection = {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": {"$ref": _REF + "Feature"}},
        },
    }

    def body(record: str) -> dict[str, Any]:
        one = [{"$ref": _REF + record}, {"$ref": _REF + "Feature"}]
        return {
            "description": _DIRECTORY_BODY,
            "oneOf": [*one, {"type": "array", "items": {"oneOf": one}}, {"$ref": _REF + "FeatureCollection"}],
        }

    error = {
        "type": "object",
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                    "value": {},
                    "current_version": {"type": "integer"},
                    "rows": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {
                                "row": {"type": "integer"},
                                "field": {"type": "string"},
                                "value": {},
                                "message": {"type": "string"},
                            },
                        },
                    },
                },
            }
        },
    }
    return {
        "Feature": feature,
        "FeatureCollection": collection,
        "Agency": agency,
        "Agreement": agreement,
        "AgencyBody": body("Agency"),
        "AgreementBody": body("Agreement"),
        "Error": error,
        "Retire": {"type": "object", "properties": {"on": {"type": "string", "format": "date"}}},
        "ReferralQuestion": {"type": "object", "properties": _REFERRAL_FIELDS, "required": ["at", "needs"]},
        "Referral": schemas.REFERRAL,
        "Trip": schemas.TRIP,
        "Coverage": schemas.COVERAGE,
        "PlanQuestion": {"type": "object", "properties": PLAN_FIELDS, "required": ["capability"]},
        "Plan": PLAN,
        "CaseFigures": {
            "type": "object",
            "properties": {
                "suppress_below": {"type": "integer"},
                "figures": {"type": "array", "items": {"type": "object"}},
            },
        },
        "Status": {
            "type": "object",
            "properties": {
                "status": {"type": "string"},
                "schema_version": {"type": "integer"},
                "suppress_below": {"type": "integer"},
            },
        },
        "Me": {
            "type": "object",
            "properties": {
                "username": {"type": ["string", "null"]},
                "role": _enum(ROLES),
                "auth": {"type": ["string", "null"]},
                "csrf_token": {"type": "string"},
            },
        },
        "Array": {"type": "array", "items": {"type": "object"}},
        "Object": {"type": "object"},
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": _REF + "Error"}}}}


def _responses(spec: dict[str, Any], rule: Any, role: str | None) -> dict[str, Any]:
    """Return every status an operation can answer: its success and each error it can really give."""
    responses = {
        "201" if spec["created"] else "200": {
            "description": "Created" if spec["created"] else "OK",
            "content": {spec["media"]: {"schema": {"$ref": _REF + spec["answer"]}}},
        },
        "400": _error("Bad input or an undocumented parameter: `field` and `value` name it."),
        "401": _error(
            "A bearer token that is unknown, revoked or of a disabled user" + ("; or no credentials." if role else ".")
        ),
    }
    if role is not None:
        responses["403"] = _error(f"The caller's role is below {role!r}.")
    if rule.arguments or spec["lookup"]:
        responses["404"] = _error(
            "An unknown id, area code or place: `field` and `value` name it; the message lists close ones."
        )
    if spec["body"]:
        responses["413"] = _error("The request body is larger than the service accepts (MAX_CONTENT_LENGTH).")
    if spec["body"] in ("AgencyBody", "AgreementBody"):
        responses["422"] = _error("Rejected rows: `rows` lists every row error; nothing was written.")
    if spec["data"]:
        responses["503"] = _error("The data this answer needs (boundaries, database) is missing; see the message.")
    responses.update({status: _error(description) for status, description in spec["refusals"].items()})
    if spec["versioned"]:
        responses["200"]["headers"] = _ETAG
    return responses


def _operation(spec: dict[str, Any], rule: Any, method: str, role: str | None) -> dict[str, Any]:
    path_params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in sorted(rule.arguments)
    ]
    operation: dict[str, Any] = {
        "summary": spec["summary"],
        "tags": [spec["tag"]],
        "operationId": f"{method}_{rule.endpoint.split('.')[-1]}",
        "parameters": path_params + spec["params"] + ([_IF_MATCH] if spec["versioned"] == "write" else []),
        "responses": _responses(spec, rule, role),
        "security": [{"bearerAuth": []}, {"cookieAuth": []}] + ([] if role else [{}]),
        "x-minimum-role": role or "public",
    }
    if spec["body"]:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": _REF + spec["body"]}}},
        }
    return operation


def openapi_path(rule: str) -> str:
    """Return a Flask rule as an OpenAPI path: ``/api/v1/agencies/<agency_id>`` -> ``/api/v1/agencies/{agency_id}``."""
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def api_rules(app: Flask) -> list[tuple[Any, str]]:
    """Return (rule, method) of every API route of `app`, methods lower-case, without HEAD and OPTIONS."""
    return [
        (rule, method.lower())
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API + "/")
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})  # Flask gives every rule its methods
    ]


def document(app: Flask) -> dict[str, Any]:
    """Return the OpenAPI 3.1 document of the routes `app` has under /api/v1 and :data:`OPERATIONS` describes."""
    paths: dict[str, dict[str, Any]] = {}
    for rule, method in api_rules(app):
        spec = OPERATIONS.get((rule.rule.removeprefix(API), method))
        if spec is None:
            continue  # an undocumented route: the tests fail on it
        role = getattr(app.view_functions[rule.endpoint], "minimum_role", None)
        paths.setdefault(openapi_path(rule.rule), {})[method] = _operation(spec, rule, method, role)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rujuk API",
            "version": "1",
            "description": "Referral routing and coverage for victims of trafficking (TPPO) in Indonesia. "
            f"Roles, lowest first: {', '.join(ROLES)}. Public answers carry aggregates only; "
            "session writes need the X-CSRFToken header.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A token from `rujuk users token`."},
                "cookieAuth": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The session of POST /login; writes also need X-CSRFToken.",
                },
            },
        },
    }


def check_parameters() -> None:
    """Refuse (400) a query parameter that the requested API route does not document."""
    rule = request.url_rule
    if rule is None or not request.args:
        return
    spec = OPERATIONS.get((rule.rule.removeprefix(API), request.method.lower()))
    known = [p["name"] for p in spec["params"]] if spec else []
    if request.method == "POST" and spec and spec["body"] == "ReferralQuestion":
        known = list(_REFERRAL_FIELDS)  # the question may also come as a query string
    for name in request.args:
        if name not in known:
            message = f"is not a parameter of this route; its parameters are {known}."
            raise InputError(cut(str(name)), request.args[name], message)  # a name is echoed cut, as a value


def routes(app: Blueprint) -> None:
    """Add ``GET /openapi.json`` to the API blueprint `app`."""

    @app.get("/openapi.json")
    def openapi():
        return jsonify(document(current_app))
