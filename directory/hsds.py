"""The directory as Open Referral HSDS 3.0 JSON: export, and import back to the same records.

An export is one JSON object in the tabular shape of HSDS 3.0 (``schema/compiled/tabular.json``, see
:mod:`directory._hsds_schema`): one member per HSDS table used, each an array of flat objects. It validates
against the official schema with every object closed (no member HSDS does not define), every ``format`` checked
and the ``tabular_required`` keys given; an export checks itself before it is written.

Mapping (one Rujuk agency = one HSDS ``service`` + ``location`` + ``service_at_location``):

===========================  ===========================================================================
Rujuk                        HSDS 3.0
===========================  ===========================================================================
organization (id)            ``organization`` (``name``, ``website``, ``email``, ``description``: ``""``
                             when none, HSDS requires it); the Rujuk id as an ``organization_identifier``
                             of ``identifier_type`` ``rujuk_organization_id``
agency ``id``                ``location.external_identifier`` (``external_identifier_type``
                             ``rujuk_agency_id``)
``name``                     ``service.name`` and ``location.name``
``capabilities``             ``attribute`` rows linking the service to ``taxonomy_term`` rows of the
                             taxonomy "Rujuk capabilities" (term ``code`` = capability code)
``lon``, ``lat``             ``location.longitude``, ``location.latitude`` (6 decimals; none for a hotline
                             or a mission abroad without a known point)
hotline / office, abroad     ``location.location_type`` ``virtual`` / ``physical``
``address``, ``city``,       one ``address`` (``address_1`` = the free-text address, ``city``, ``country``
``country``                  ISO 3166-1 alpha-2; ``state_province`` and ``postal_code`` empty), when any is
                             known or the country is not Indonesia
``phone``                    ``phone`` rows of the service_at_location, one per ``"; "``-separated number
``email``                    ``service.email``
``opening_hours``            ``schedule`` rows of the service_at_location: ``description`` the OSM rule;
                             ``freq`` WEEKLY, ``byday``, ``opens_at``, ``closes_at`` when the rule is read
                             (:func:`directory.hours.weekly_rules`)
``languages``                ``language`` rows of the service (``code``, ISO 639)
``verified_on``              ``service.assured_date``
``retired_on``               ``service.status`` ``defunct`` from that day (else ``active``) and a field
                             attribute (below)
the other fields             :data:`EXTENSION_FIELDS`: ``attribute`` rows of the service_at_location whose
                             term (taxonomy "Rujuk directory fields", term ``code`` = field) names the field
                             and whose ``value`` is the field as a Rujuk CSV cell writes it
===========================  ===========================================================================

Every id is a UUID derived from the Rujuk id (:func:`uuid_for`, name-based, version 5), so the same directory
exports to the same ids. Agreements have no HSDS object and are not exported here (CSV, GeoJSON, GeoPackage).

Privacy: a public export passes the agencies through :func:`directory.agencies.public_view`, as CSV and GeoJSON
do: a confidential agency is at its regency's point with its redacted fields left out and a ``redacted``
attribute ``true``; an import refuses such a file (its points are not the true ones).

Import (:func:`read_rows`) checks the file against the schema (as published, so other publishers' members are
allowed), then turns every ``service_at_location`` into the flat record of a Rujuk CSV row; those records are
checked and written by the importer of :mod:`directory.io`, so every rule of a CSV import applies, and a bad row
rejects the file whole. An organization's ``email`` and ``description`` are exported but not imported (no Rujuk
import writes them).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from core import files as _files
from core.db import session_scope
from core.errors import ImportRejectedError, InputError, RowError, RujukError
from directory import _formats, _hsds_schema, capabilities, hours
from directory.agencies import ROUTABLE_COUNTRY, Organization

NAMESPACE = uuid.UUID("5b0c1f1e-4d43-4a5e-9f3c-2d4f8c6b7a10")
"""The namespace of every HSDS id Rujuk derives (:func:`uuid_for`); never change it, or ids change."""
EXTENSION_FIELDS: dict[str, str] = {
    "agency_type": "Kind of agency (directory.capabilities.AGENCY_TYPES), e.g. uptd_ppa, lpsk, hotline.",
    "jurisdiction_level": "Whom it serves: regency, province or national.",
    "area_code": "Kemendagri dotted code of the area it serves (where it sits for a national agency).",
    "location_precision": "How the point is known: exact, approximate, regency_seat, abroad or none.",
    "confidential": "true for a safe house, whose location is kept from the public.",
    "capacity": "People it can take in at once (a shelter).",
    "existence_confirmed": "true when a source read confirms that the office exists.",
    "retired_on": "The day from which it no longer operates (YYYY-MM-DD).",
    "source": "Where the record comes from.",
    "source_url": "The page read for it.",
    "notes": "The researcher's caveats.",
    "redacted": "true in a public export when its point and contacts are hidden (a confidential agency).",
}
"""Rujuk fields HSDS has no member for, kept as attributes of the service_at_location, with what each means."""
AGENCY_ID_TYPE = "rujuk_agency_id"
ORGANIZATION_ID_TYPE = "rujuk_organization_id"
_CAPABILITIES, _FIELDS = "rujuk-capabilities", "rujuk-fields"
_PUBLIC_EXPORT_HINT = (
    "is true: only a public export writes it, with the points and addresses of confidential agencies hidden; "
    "import a full export instead (rujuk agencies export --format hsds --full)."
)


def uuid_for(table: str, key: str) -> str:
    """Return the HSDS id of the Rujuk thing `key` in HSDS table `table` (a UUID version 5, the same every time)."""
    return str(uuid.uuid5(NAMESPACE, f"{table}:{key}"))


def document(engine: Engine, records: Iterable[Mapping[str, object]]) -> dict[str, list[dict[str, Any]]]:
    """Return agencies (records of :func:`directory.agencies.directory_frame`, public view or not) as HSDS 3.0.

    Raises
    ------
    RujukError
        If the document does not validate against the HSDS 3.0 schema with every object closed (a fault of
        this module, never of the data: the export is refused rather than written invalid).
    """
    records = list(records)
    tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
    _taxonomies(tables)
    with session_scope(engine) as session:
        wanted = {str(record["organization_id"]) for record in records}
        organizations = [o for o in session.scalars(select(Organization).order_by(Organization.id)) if o.id in wanted]
        for organization in organizations:
            _organization(tables, organization)
    for record in records:
        _agency(tables, record)
    result = {table: tables[table] for table in _hsds_schema.tables() if tables.get(table)}
    errors = _hsds_schema.problems(result, strict=True)
    if errors:
        raise RujukError(f"The HSDS export does not validate ({len(errors)} errors), first: {errors[0]}")
    return result


def text(engine: Engine, records: Iterable[Mapping[str, object]]) -> str:
    """Return :func:`document` as JSON text: one line per HSDS object, in a stable order (a diff shows what changed)."""
    tables = [
        f"{json.dumps(table)}: [\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n]"
        for table, items in document(engine, records).items()
    ]
    return "{\n" + ",\n".join(tables) + "\n}\n"


def _taxonomies(tables: dict[str, list[dict[str, Any]]]) -> None:
    vocabularies = {
        _CAPABILITIES: (
            "Rujuk capabilities",
            "Help an agency gives victims of trafficking (TPPO) in Indonesia (PP 9/2008, Permen PPPA 8/2021).",
            {code: (term.en, term.description_en) for code, term in capabilities.CAPABILITIES.items()},
        ),
        _FIELDS: (
            "Rujuk directory fields",
            "Fields of a Rujuk agency that HSDS 3.0 has no member for; an attribute's value is the field's text.",
            {field: (field, description) for field, description in EXTENSION_FIELDS.items()},
        ),
    }
    for key, (name, description, terms) in vocabularies.items():
        taxonomy_id = uuid_for("taxonomy", key)
        tables["taxonomy"].append({"id": taxonomy_id, "name": name, "description": description, "version": "1"})
        for code, (term_name, term_description) in terms.items():
            tables["taxonomy_term"].append(
                {
                    "id": uuid_for("taxonomy_term", f"{key}:{code}"),
                    "code": code,
                    "name": term_name,
                    "description": term_description,
                    "taxonomy": name,
                    "taxonomy_id": taxonomy_id,
                    "language": "en",
                }
            )


def _organization(tables: dict[str, list[dict[str, Any]]], organization: Organization) -> None:
    organization_id = uuid_for("organization", organization.id)
    item = {"id": organization_id, "name": organization.name, "description": organization.description or ""}
    tables["organization"].append({**item, **_present(email=organization.email, website=organization.website)})
    tables["organization_identifier"].append(
        {
            "id": uuid_for("organization_identifier", organization.id),
            "organization_id": organization_id,
            "identifier_type": ORGANIZATION_ID_TYPE,
            "identifier": organization.id,
        }
    )


def _present(**members: object) -> dict[str, object]:
    """Return the members whose value is known (HSDS leaves an unknown member out)."""
    return {name: _formats.json_value(value) for name, value in members.items() if _formats.text(value) is not None}


def _agency(tables: dict[str, list[dict[str, Any]]], record: Mapping[str, object]) -> None:
    key = str(record["id"])
    service_id, location_id, link_id = (uuid_for(t, key) for t in ("service", "location", "service_at_location"))
    organization_id = uuid_for("organization", str(record["organization_id"]))
    retired = record.get("retired_on")
    defunct = isinstance(retired, dt.date) and retired <= dt.date.today()
    tables["service"].append(
        {
            "id": service_id,
            "organization_id": organization_id,
            "name": record["name"],
            "status": "defunct" if defunct else "active",
            **_present(email=record.get("email"), assured_date=record.get("verified_on")),
        }
    )
    point = {}
    if _formats.text(record.get("lon")) is not None:
        point = {"latitude": _formats.rounded(record["lat"]), "longitude": _formats.rounded(record["lon"])}  # type: ignore[arg-type]
    tables["location"].append(
        {
            "id": location_id,
            "location_type": "virtual" if record.get("agency_type") == "hotline" else "physical",
            "organization_id": organization_id,
            "name": record["name"],
            "external_identifier": key,
            "external_identifier_type": AGENCY_ID_TYPE,
            **point,
        }
    )
    tables["service_at_location"].append({"id": link_id, "service_id": service_id, "location_id": location_id})
    address, city, country = (_formats.text(record.get(f)) for f in ("address", "city", "country"))
    if address or city or (country or ROUTABLE_COUNTRY) != ROUTABLE_COUNTRY:
        tables["address"].append(
            {
                "id": uuid_for("address", key),
                "location_id": location_id,
                "address_1": address or "",
                "city": city or "",
                "state_province": "",
                "postal_code": "",
                "country": country or ROUTABLE_COUNTRY,
                "address_type": "physical",
            }
        )
    for number, phone in enumerate(_parts(record.get("phone")), start=1):
        item = {"id": uuid_for("phone", f"{key}:{number}"), "service_at_location_id": link_id, "number": phone}
        tables["phone"].append(item)
    _schedules(tables, key, link_id, record.get("opening_hours"))
    for code in record.get("languages") or []:  # type: ignore[attr-defined]
        item = {"id": uuid_for("language", f"{key}:{code}"), "service_id": service_id, "code": code}
        tables["language"].append(item)
    for code in record.get("capabilities") or []:  # type: ignore[attr-defined]
        _attribute(tables, (_CAPABILITIES, code), ("service", service_id), None)
    for field in EXTENSION_FIELDS:
        value = _formats.text(record.get(field))
        if value is not None and not (field == "redacted" and value == "false"):
            _attribute(tables, (_FIELDS, field), ("service_at_location", link_id), value)


def _parts(value: object) -> list[str]:
    """Return a ``"; "``-separated text as its parts when they join back to it exactly, else the text alone."""
    text = _formats.text(value)
    if text is None:
        return []
    parts = text.split("; ")
    return parts if all(part and part == part.strip() for part in parts) else [text]


def _schedules(tables: dict[str, list[dict[str, Any]]], key: str, link_id: str, opening_hours: object) -> None:
    rules = hours.weekly_rules(opening_hours)
    if rules is None:
        whole = _formats.text(opening_hours)
        rules = [] if whole is None else [(whole, (), "", "")]
    for number, (rule, days, opens, closes) in enumerate(rules, start=1):
        item: dict[str, Any] = {"id": uuid_for("schedule", f"{key}:{number}"), "service_at_location_id": link_id}
        item["description"] = rule
        if days:
            item.update(freq="WEEKLY", wkst="MO", byday=",".join(days), opens_at=opens, closes_at=closes)
        tables["schedule"].append(item)


def _attribute(
    tables: dict[str, list[dict[str, Any]]], term: tuple[str, str], link: tuple[str, str], value: str | None
) -> None:
    taxonomy, code = term
    entity, link_id = link
    item = {
        "id": uuid_for("attribute", f"{link_id}:{taxonomy}:{code}"),
        "link_id": link_id,
        "link_entity": entity,
        "taxonomy_term_id": uuid_for("taxonomy_term", f"{taxonomy}:{code}"),
    }
    tables["attribute"].append(item if value is None else {**item, "value": value})


def read_rows(path: str | Path) -> list[dict[str, object]]:
    """Return the agencies of an HSDS 3.0 JSON file as raw records (the fields of a Rujuk CSV row, as text).

    Rows are the file's ``service_at_location`` objects, numbered from 1 in file order.

    Raises
    ------
    InputError
        If the file is not UTF-8 JSON (naming the file).
    ImportRejectedError
        If it breaks the HSDS 3.0 schema, names a service, location or organization it does not hold, gives a
        Rujuk field twice or a ``redacted`` attribute true (a public export); every error is listed.
    """
    try:
        data = json.loads(_files.read_text(path))
    except json.JSONDecodeError as error:
        message = f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}."
        raise InputError("file", str(path), message) from None
    errors = _hsds_schema.problems(data)
    if errors:
        raise ImportRejectedError(str(path), errors)
    reader = _Reader(data)
    rows = [reader.record(row, link) for row, link in enumerate(data.get("service_at_location", []), start=1)]
    if reader.errors:
        raise ImportRejectedError(str(path), reader.errors)
    return rows


class _Reader:
    """The objects of an HSDS document by id and by what they link to, and the errors found reading it."""

    def __init__(self, data: dict[str, list[dict[str, Any]]]) -> None:
        known = set(_hsds_schema.tables())  # another publisher's own members are allowed, and never read
        self.by_id = {table: {item["id"]: item for item in items} for table, items in data.items() if table in known}
        self.linked: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
        for table, member in (
            ("phone", "service_at_location_id"),
            ("schedule", "service_at_location_id"),
            ("language", "service_id"),
            ("address", "location_id"),
            ("organization_identifier", "organization_id"),
            ("attribute", "link_id"),
        ):
            for item in data.get(table, []):
                self.linked[table, member, str(item.get(member))].append(item)
        self.terms = {
            term["id"]: (taxonomy, term.get("code"))
            for term in data.get("taxonomy_term", [])
            for taxonomy in (_CAPABILITIES, _FIELDS)
            if term.get("taxonomy_id") == uuid_for("taxonomy", taxonomy)
        }
        self.errors: list[RowError] = []

    def _get(self, row: int, table: str, member: str, item: Mapping[str, Any]) -> dict[str, Any]:
        found = self.by_id.get(table, {}).get(item.get(member))
        if found is None:
            self.errors.append(RowError(row, member, item.get(member), f"names no {table} of the file."))
        return found or {}

    def record(self, row: int, link: dict[str, Any]) -> dict[str, object]:
        """Return the raw Rujuk record of one service_at_location (row `row`)."""
        service = self._get(row, "service", "service_id", link)
        location = self._get(row, "location", "location_id", link)
        organization = self._get(row, "organization", "organization_id", service) if service else {}
        identifiers = self.linked["organization_identifier", "organization_id", str(organization.get("id"))]
        own = [i["identifier"] for i in identifiers if i.get("identifier_type") == ORGANIZATION_ID_TYPE]
        addresses = self.linked["address", "location_id", str(location.get("id"))] or [{}]
        agency_id = location.get("external_identifier") if location.get("external_identifier_type") else None
        record: dict[str, object] = {
            "id": agency_id or link["id"],
            "name": service.get("name"),
            "organization_id": own[0] if own else organization.get("id"),
            "organization_name": organization.get("name"),
            "website": organization.get("website"),
            "email": service.get("email"),
            "verified_on": service.get("assured_date"),
            "lon": location.get("longitude"),
            "lat": location.get("latitude"),
            "address": addresses[0].get("address_1"),
            "city": addresses[0].get("city"),
            "country": addresses[0].get("country"),
            "phone": "; ".join(p["number"] for p in self.linked["phone", "service_at_location_id", link["id"]]),
            "opening_hours": "; ".join(
                str(s.get("description") or "") for s in self.linked["schedule", "service_at_location_id", link["id"]]
            ),
            "languages": ";".join(
                str(lang.get("code") or lang.get("name") or "")
                for lang in self.linked["language", "service_id", str(service.get("id"))]
            ),
        }
        record["capabilities"] = ";".join(
            str(code) for taxonomy, code, _ in self._attributes(str(service.get("id"))) if taxonomy == _CAPABILITIES
        )
        for taxonomy, code, attribute in self._attributes(link["id"]):
            if taxonomy != _FIELDS:
                continue
            if code not in EXTENSION_FIELDS:
                known = f"the Rujuk fields are {list(EXTENSION_FIELDS)}"
                self.errors.append(RowError(row, f"attribute {code}", attribute.get("value"), f"is unknown: {known}."))
            elif code == "redacted":
                if attribute.get("value") == "true":
                    self.errors.append(RowError(row, "redacted", "true", _PUBLIC_EXPORT_HINT))
            elif code in record:
                self.errors.append(RowError(row, code, attribute.get("value"), "is given twice; give it once."))
            else:
                record[code] = attribute.get("value")
        return record

    def _attributes(self, link_id: str) -> list[tuple[str, object, dict[str, Any]]]:
        found = []
        for attribute in self.linked["attribute", "link_id", link_id]:
            taxonomy, code = self.terms.get(attribute.get("taxonomy_term_id"), (None, None))
            if taxonomy is not None:
                found.append((taxonomy, code, attribute))
        return found
