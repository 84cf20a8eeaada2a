"""The service directory: who can help victims, where, with what, and under which agreements.

Modules: :mod:`directory.capabilities` (the capability codes and vocabularies),
:mod:`directory.agencies` (the tables, queries and the public view of a safe house, exported here
lazily), :mod:`directory.io` (CSV, GeoJSON and GeoPackage import and export with every row checked),
:mod:`directory.hsds` (the directory as Open Referral HSDS 3.0 JSON, validated against the official schema),
:mod:`directory.hours` (opening hours), :mod:`directory.places` (offices, missions abroad and hotlines:
:func:`~directory.places.remote_services_frame`), :mod:`directory.completeness` (how complete and confirmed the
directory is per area and capability).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core._lazy import lazy_exports

if TYPE_CHECKING:  # the names as mypy and editors see them; at run time each is imported on first use
    from directory.agencies import (
        AGENCY_FIELDS as AGENCY_FIELDS,
    )
    from directory.agencies import (
        AGREEMENT_FIELDS as AGREEMENT_FIELDS,
    )
    from directory.agencies import (
        PLACE_FIELDS as PLACE_FIELDS,
    )
    from directory.agencies import (
        PUBLIC_FIELDS_OF_CONFIDENTIAL as PUBLIC_FIELDS_OF_CONFIDENTIAL,
    )
    from directory.agencies import (
        REDACTED_FIELDS as REDACTED_FIELDS,
    )
    from directory.agencies import (
        Agreement as Agreement,
    )
    from directory.agencies import (
        Organization as Organization,
    )
    from directory.agencies import (
        Service as Service,
    )
    from directory.agencies import (
        ServiceLocation as ServiceLocation,
    )
    from directory.agencies import (
        StaleRecordError as StaleRecordError,
    )
    from directory.agencies import (
        agencies_frame as agencies_frame,
    )
    from directory.agencies import (
        agencies_to_frame as agencies_to_frame,
    )
    from directory.agencies import (
        agency_record as agency_record,
    )
    from directory.agencies import (
        agreement_record as agreement_record,
    )
    from directory.agencies import (
        agreements_frame as agreements_frame,
    )
    from directory.agencies import (
        check_version as check_version,
    )
    from directory.agencies import (
        directory_frame as directory_frame,
    )
    from directory.agencies import (
        get_agency as get_agency,
    )
    from directory.agencies import (
        list_agencies as list_agencies,
    )
    from directory.agencies import (
        list_agreements as list_agreements,
    )
    from directory.agencies import (
        public_view as public_view,
    )
    from directory.agencies import (
        representative_points as representative_points,
    )
    from directory.agencies import (
        retire_agency as retire_agency,
    )
    from directory.agencies import (
        stale_writes as stale_writes,
    )
    from directory.places import (
        LOCATION_KINDS as LOCATION_KINDS,
    )
    from directory.places import (
        location_kind as location_kind,
    )
    from directory.places import (
        remote_services_frame as remote_services_frame,
    )

_EXPORTS: dict[str, str] = {
    "AGENCY_FIELDS": "directory.agencies",
    "AGREEMENT_FIELDS": "directory.agencies",
    "Agreement": "directory.agencies",
    "Organization": "directory.agencies",
    "PUBLIC_FIELDS_OF_CONFIDENTIAL": "directory.agencies",
    "REDACTED_FIELDS": "directory.agencies",
    "Service": "directory.agencies",
    "ServiceLocation": "directory.agencies",
    "StaleRecordError": "directory.agencies",
    "agencies_frame": "directory.agencies",
    "agencies_to_frame": "directory.agencies",
    "agency_record": "directory.agencies",
    "agreement_record": "directory.agencies",
    "agreements_frame": "directory.agencies",
    "check_version": "directory.agencies",
    "get_agency": "directory.agencies",
    "list_agencies": "directory.agencies",
    "list_agreements": "directory.agencies",
    "public_view": "directory.agencies",
    "representative_points": "directory.agencies",
    "retire_agency": "directory.agencies",
    "stale_writes": "directory.agencies",
    "PLACE_FIELDS": "directory.agencies",
    "directory_frame": "directory.agencies",
    "LOCATION_KINDS": "directory.places",
    "location_kind": "directory.places",
    "remote_services_frame": "directory.places",
}
"""Each public name and the module that defines it (imported on first use, so that `import directory` stays cheap)."""

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
