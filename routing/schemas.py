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
        "mode": {
            "enum": ["road", "sea", "ferry", "fast_boat", "ship", "flight", "access"],
            "description": "sea: an estimated crossing where no scheduled one is known; "
            "access: from a point to the network it is not on",
        },
        "time_h": {"type": "number", "description": "hours, waiting and boarding included"},
        "distance_km": {"type": "number"},
        "estimated": {"type": "boolean", "description": "a model's estimate, not a timetable or a mapped road"},
        "label": {"type": "string", "description": "the flight or crossing, empty for road legs"},
        "vertices": {
            "type": ["array", "null"],
            "items": {"type": "integer", "minimum": 0},
            "minItems": 2,
            "maxItems": 2,
            "description": "first and last index of the leg's points in the route's coordinates; null without a line",
        },
    }
)
"""One leg of a route: its mode, hours, kilometres, whether it is estimated, what it is and where in the route line."""

_STATUSES = ("own_area", "agreement", "provincial", "national", "cross_border")

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
        "jurisdiction": {
            "enum": list(_STATUSES),
            "description": "for all the needs it meets together (an agreement counts when it covers every one)",
        },
        "jurisdiction_label": _LABEL,
        "jurisdiction_by_need": {
            "type": "object",
            "additionalProperties": {"enum": list(_STATUSES)},
            "description": "the status of this agency for each need it meets, on its own",
        },
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
        "limits": _object(
            {
                "k": {"type": "integer"},
                "max_time_h": {"type": ["number", "null"]},
                "on": _TEXT_OR_NULL,
                "modes": {"type": "string", "description": "the ways of travelling allowed, e.g. road,sea,air"},
            }
        ),
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
        "hotlines": {
            "type": "array",
            "items": {"type": "object"},
            "description": "national lines to call for these needs (no travel time): id, name, phone, capabilities",
        },
        "home": {
            "type": ["object", "null"],
            "description": "with a home regency: the area, the way home (legs, hours) and the agencies there for "
            "reintegration",
        },
        "chain": {
            "type": ["object", "null"],
            "description": "for a victim found abroad: mission, debarkation, BP3MI and home, each with legs and hours",
        },
        "notes": {"type": "array", "items": _TEXT},
    }
)
"""A whole referral answer (``GET/POST /api/v1/referrals``, ``rujuk refer --json``)."""

REFERRAL_FIELDS: tuple[str, ...] = tuple(REFERRAL["properties"])


def _per_rule(properties: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return `properties` once per rule suffix: ``_any`` (without jurisdiction rules) and ``_permitted`` (with)."""
    return {f"{name}_{rule}": schema for rule in ("any", "permitted") for name, schema in properties.items()}


_NUMBER_OR_NULL: dict[str, Any] = {"type": ["number", "null"]}
GAP_KINDS: tuple[str, ...] = ("within_standard", "too_far", "no_verified_entry")
"""Why a district has a gap (``gap_kind_*``, rule in :mod:`routing._coverage_completeness`)."""
_COUNT_SHOWN: dict[str, Any] = {
    "type": ["integer", "number", "string", "null"],
    "description": 'a count; in public "<k" when small or "x" when withheld (complementary suppression)',
}
COVERAGE_PROPERTIES: dict[str, dict[str, Any]] = {
    "code": _TEXT,
    "name": _TEXT,
    "level": {"enum": ["district", "regency", "province"]},
    "regency_code": _TEXT_OR_NULL,
    "province_code": _TEXT_OR_NULL,
    "population": _NUMBER_OR_NULL,
    "districts": {"type": "integer"},
    "capability": _TEXT,
    "model": _TEXT,
    "is_estimate": {"type": "boolean"},
    "standard_h": {"type": "number"},
    **_per_rule(
        {
            "hours": _NUMBER_OR_NULL,  # a district: hours to the nearest capable agency (null: unreachable)
            "agency_id": _TEXT_OR_NULL,
            "agency_name": _TEXT_OR_NULL,
            "gap": {"type": ["boolean", "null"]},
            "gap_districts": {"type": "integer"},  # an area above districts: how many of its districts have a gap
            "gap_share": _NUMBER_OR_NULL,
            "worst_h": _NUMBER_OR_NULL,
            "median_h": _NUMBER_OR_NULL,
            "time_class": _TEXT_OR_NULL,
            "gap_population": _NUMBER_OR_NULL,
            "gap_population_share": _NUMBER_OR_NULL,
            "gap_cases": _COUNT_SHOWN,
            "gap_kind": {
                "enum": [*GAP_KINDS, None],
                "description": "a district: within_standard (no gap); too_far (a confirmed office offering the "
                "capability is in its province, beyond the standard); no_verified_entry (no confirmed office "
                "offering it in its province nor a confirmed national one within the standard: the gap may be "
                "the directory's)",
            },
            "no_entry_districts": {
                "type": "integer",
                "description": "an area: districts whose gap_kind is no_verified_entry",
            },
            "no_entry_share": {
                **_NUMBER_OR_NULL,
                "description": "an area: no_entry_districts / gap_districts (null: no gap)",
            },
        }
    ),
    "directory_rows": {
        "type": "integer",
        "description": "an area: active offices offering the capability whose area_code lies in it",
    },
    "directory_confirmed": {
        "type": "integer",
        "description": "an area: of directory_rows, those whose existence a source confirms",
    },
    "directory_oldest_verified_on": {
        **_TEXT_OR_NULL,
        "description": "an area: the earliest verified_on of directory_rows (ISO date)",
    },
    "cases": _COUNT_SHOWN,
    "case_measure": _TEXT_OR_NULL,
    "case_source": _TEXT_OR_NULL,
    "case_period_start": _TEXT_OR_NULL,
    "case_period_end": _TEXT_OR_NULL,
    "case_suppressed_reason": {"enum": ["small", "complementary", None]},
}
"""Every property a coverage answer can have (which ones depend on the level and the rules asked for)."""

COVERAGE_FEATURE: dict[str, Any] = {
    "type": "object",
    "properties": {
        "type": {"const": "Feature"},
        "geometry": {"type": ["object", "null"]},
        "properties": {"type": "object", "properties": COVERAGE_PROPERTIES, "additionalProperties": False},
    },
    "required": ["type", "geometry", "properties"],
}
"""One area of a coverage answer (``GET /api/v1/coverage``, ``rujuk coverage --geojson``)."""

COVERAGE: dict[str, Any] = {
    "type": "object",
    "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": COVERAGE_FEATURE}},
    "required": ["type", "features"],
}
"""A whole coverage answer: a GeoJSON FeatureCollection of :data:`COVERAGE_FEATURE`."""

TRIP: dict[str, Any] = _object(
    {
        "from": {"type": "object", "description": "where the trip starts: point, label, areas, notes"},
        "to": {"type": "object", "description": "where it ends"},
        "modes": _TEXT,
        "reachable": {"type": "boolean"},
        "time_h": {"type": ["number", "null"], "minimum": 0},
        "distance_km": _KM_OR_NULL,
        "modes_used": _CODES,
        "legs": {"type": "array", "items": LEG},
        "route": {"type": ["object", "null"], "description": "GeoJSON LineString"},
    }
)
"""One trip (:func:`routing.trip.trip`)."""
