"""The shapes of a referral's answer, as JSON Schema: written once, used by the code that builds answers and the API.

:data:`CANDIDATE` is one agency of an answer (:mod:`routing._referral_answer` builds it in
this order and with exactly these keys), :data:`REFERRAL` a whole answer
(:meth:`routing.referral.Referral.as_dict`). The OpenAPI document of the service
(``/api/v1/openapi.json``) takes them from here, and a test validates real answers against them.
"""

from __future__ import annotations

from typing import Any

_TEXT: dict[str, Any] = {"type": "string"}
_TEXT_OR_NULL: dict[str, Any] = {"type": ["string", "null"]}
_HOURS: dict[str, Any] = {"type": "number", "minimum": 0, "description": "hours (unreachable: a very large number)"}
_KM_OR_NULL: dict[str, Any] = {"type": ["number", "null"], "minimum": 0}
_CODES: dict[str, Any] = {"type": "array", "items": _TEXT}
_LABEL: dict[str, Any] = {"type": "object", "properties": {"en": _TEXT, "id": _TEXT}, "required": ["en", "id"]}


def _object(properties: dict[str, Any], nullable: bool = False) -> dict[str, Any]:
    return {
        "type": ["object", "null"] if nullable else "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


LEG: dict[str, Any] = _object(
    {
        "mode": {"enum": ["road", "sea", "access"], "description": "access: from a point to the network it is not on"},
        "time_h": {"type": "number"},
        "distance_km": {"type": "number"},
    }
)
"""One leg of a route: its mode, hours and kilometres."""

CANDIDATE: dict[str, Any] = _object(
    {
        "rank": {"type": "integer", "minimum": 1},
        "id": _TEXT,
        "name": _TEXT,
        "organization": _TEXT_OR_NULL,
        "agency_type": _TEXT,
        "jurisdiction_level": _TEXT,
        "area_code": _TEXT,
        "capabilities_matched": _CODES,
        "capabilities": _CODES,
        "travel_time_h": _HOURS,
        "distance_km": _KM_OR_NULL,
        "sea_legs": {"type": "integer", "minimum": 0},
        "legs": {"type": "array", "items": LEG},
        "model": {"type": "string", "description": "the travel model the time comes from"},
        "is_estimate": {"type": "boolean"},
        "route": {"type": ["object", "null"], "description": "GeoJSON LineString; null for a redacted agency"},
        "jurisdiction": {"enum": ["own_area", "agreement", "provincial", "national", "cross_border"]},
        "jurisdiction_label": _LABEL,
        "coordination_needed": {"type": "boolean"},
        "contact": _object(dict.fromkeys(("phone", "email", "website", "address"), _TEXT_OR_NULL)),
        "opening_hours": _TEXT_OR_NULL,
        "location": _object({"lon": {"type": "number"}, "lat": {"type": "number"}}),
        "location_precision": _TEXT,
        "confidential": {"type": "boolean"},
        "redacted": {"type": "boolean", "description": "shown at its regency's point, without contact (a safe house)"},
        "existence_confirmed": {"type": "boolean"},
    }
)
"""One agency in a referral's answer."""

CANDIDATE_FIELDS: tuple[str, ...] = tuple(CANDIDATE["properties"])

ESCALATION: dict[str, Any] = _object(
    {"need": _TEXT, "tier": _TEXT_OR_NULL, "reason": _TEXT, "agency": {"oneOf": [CANDIDATE, {"type": "null"}]}}
)
"""A need nothing within the limits meets, with the agency to escalate to (or none) and why."""

REFERRAL: dict[str, Any] = _object(
    {
        "origin": {"type": "object", "description": "where the referral starts: point, label, areas, notes"},
        "needs": _CODES,
        "limits": _object({"k": {"type": "integer"}, "max_time_h": {"type": ["number", "null"]}, "on": _TEXT_OR_NULL}),
        "candidates": {"type": "array", "items": CANDIDATE},
        "best_single": {"oneOf": [CANDIDATE, {"type": "null"}]},
        "best_set": {
            "oneOf": [
                _object(
                    {
                        "stops": {"type": "integer"},
                        "total_time_h": _HOURS,
                        "agencies": {"type": "array", "items": CANDIDATE},
                    }
                ),
                {"type": "null"},
            ]
        },
        "escalation": {"type": "array", "items": ESCALATION},
        "notes": {"type": "array", "items": _TEXT},
    }
)
"""A whole referral answer (``GET/POST /api/v1/referrals``, ``rujuk refer --json``)."""

REFERRAL_FIELDS: tuple[str, ...] = tuple(REFERRAL["properties"])
