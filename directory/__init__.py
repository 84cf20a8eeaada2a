"""The service directory: who can help victims, where, with what, and under which agreements.

Modules: :mod:`directory.capabilities` (the capability codes and vocabularies),
:mod:`directory.agencies` (the tables, queries and the public view of a safe house, re-exported
here), :mod:`directory.io` (CSV and GeoJSON import and export with every row checked),
:mod:`directory.hours` (opening hours).
"""

from __future__ import annotations

from directory.agencies import (
    AGENCY_FIELDS,
    AGREEMENT_FIELDS,
    PUBLIC_FIELDS_OF_CONFIDENTIAL,
    REDACTED_FIELDS,
    Agreement,
    Organization,
    Service,
    ServiceLocation,
    StaleRecordError,
    agencies_frame,
    agencies_to_frame,
    agency_record,
    agreement_record,
    agreements_frame,
    check_version,
    get_agency,
    list_agencies,
    list_agreements,
    public_view,
    representative_points,
    retire_agency,
    stale_writes,
)

__all__ = [
    "AGENCY_FIELDS",
    "AGREEMENT_FIELDS",
    "PUBLIC_FIELDS_OF_CONFIDENTIAL",
    "REDACTED_FIELDS",
    "Agreement",
    "Organization",
    "Service",
    "ServiceLocation",
    "StaleRecordError",
    "agencies_frame",
    "agencies_to_frame",
    "agency_record",
    "agreement_record",
    "agreements_frame",
    "check_version",
    "get_agency",
    "list_agencies",
    "list_agreements",
    "public_view",
    "representative_points",
    "retire_agency",
    "stale_writes",
]
