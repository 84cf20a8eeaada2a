"""Checking the raw records of a directory file, row by row, before anything is written.

:func:`validate_agencies` and :func:`validate_agreements` (re-exported by
:mod:`directory.io`, which reads the files) parse every field of every record
with a :class:`~directory.capabilities.RowChecker`, then check the given points of all
agencies at once: a point must lie in a province of Indonesia (the bounding box
first, then the province lookup of :mod:`geo.lookup` with its tolerance) and within
the allowance of its precision of its stated area. Any error rejects every record.
A value of the wrong type (a list or an object for a text, true/false or a number for a
list such as ``capabilities`` or ``languages``) and a control character in any text but
the tabs and line breaks of ``notes`` are row errors naming the field. An id with spaces or
control characters around it is refused, not stripped (an id is a key), and a link
(``website``, ``source_url``) must be an ``http://`` or ``https://`` address.
A row is an office in Indonesia (``country`` ``ID``, the default: an ``area_code`` and a point, given or at the
seat), a mission abroad (another ISO 3166-1 alpha-2 ``country``: a ``city``, precision ``abroad``, no
``area_code``, a point only if given) or a hotline (``agency_type`` ``hotline``: precision ``none``, no point, an
optional ``area_code``); missions abroad and hotlines are never ``confidential`` (:mod:`directory.places`).
Every text must fit its database column (:func:`core.db.length_errors`), a capacity
is at most :data:`MAX_CAPACITY`, and an agreement cannot end before it is signed.

Organizations
-------------
Several agencies share one organization (``organization_id``; blank: the agency's
own id), whose ``organization_name`` and ``website`` every row repeats. Writing
one row must not silently change them for the organization's other agencies, so:

- a blank ``organization_name`` or ``website`` keeps the organization's value (a
  new organization without a name takes the name of its first agency; a website,
  once stored, is never cleared by an import);
- the non-blank values of the rows of one organization in a file must agree;
- a non-blank value that differs from the organization's in the database is a row
  error, unless the file holds every agency of that organization in the database
  (retired ones too): then the file speaks for all of them (their rows agree, by
  the rule above) and the organization is renamed, in either import mode. So an
  edited full export renames LPSK for all its offices, and an agency that is its
  own organization can rename it with a PUT of its one row, but one row of a
  shared organization cannot. The checks against the database run when
  :func:`validate_agencies` is given the `engine`
  (:func:`directory.io.import_agencies` always gives it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Engine, select

from core import settings
from core.db import session_scope
from core.errors import ImportRejectedError
from core.values import blank
from directory import places
from directory.agencies import ROUTABLE_COUNTRY, Agreement, Organization, ServiceLocation
from directory.capabilities import RowChecker
from geo import lookup, seats

MAX_CAPACITY = 100_000
"""The largest ``capacity`` accepted (people an agency can take in at once). The largest shelters hold a few
hundred, so a larger number is a typing error; the bound also fits PostgreSQL's INTEGER column."""
ORGANIZATION_FIELDS: tuple[str, ...] = ("organization_name", "website")
"""The fields of an agency row that belong to its organization."""
URL_FIELDS: frozenset[str] = frozenset({"website", "source_url"})
"""Fields that hold a link, shown as one on the pages: only ``http://`` and ``https://`` addresses (never
``javascript:``, ``data:`` or ``file:``)."""
_WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+\S*", re.IGNORECASE)


@dataclass(frozen=True)
class StoredOrganization:
    """An organization as the database holds it, with the ids of all its agencies (retired ones too)."""

    name: str
    website: str | None
    agency_ids: frozenset[str]


def stored_organizations(engine: Engine) -> dict[str, StoredOrganization]:
    """Return every organization of the database by id."""
    with session_scope(engine) as session:
        members: dict[str, set[str]] = {}
        for agency_id, org_id in session.execute(select(ServiceLocation.id, ServiceLocation.organization_id)):
            members.setdefault(org_id, set()).add(agency_id)
        return {
            org.id: StoredOrganization(org.name, org.website, frozenset(members.get(org.id, ())))
            for org in session.scalars(select(Organization))
        }


def _ident(check: RowChecker, row: int, record: dict, seen: dict[str, int]) -> str | None:
    """Return the record's id, refusing one with spaces or control characters around it (a row error naming ``id``).

    An id is a key: ``" lpsk-diy"`` is not read as ``lpsk-diy``, so a write that compares the id it was given with
    the stored ones can never take an existing record for a new one.
    """
    raw = record.get("id")
    if isinstance(raw, str) and raw != raw.strip():
        check.fail(row, "id", raw, "has spaces or control characters around it; give the id alone, e.g. lpsk-ntt.")
        return None
    return check.ident(row, record, "id", seen)


def _text(check: RowChecker, row: int, record: dict, field: str) -> str | None:
    """Return an optional text field; one of :data:`URL_FIELDS` must be an ``http://`` or ``https://`` address."""
    value = check.text(row, record, field)
    if value is not None and field in URL_FIELDS and not _WEB_ADDRESS.fullmatch(value):
        check.fail(row, field, value, "is expected to be a web address starting with http:// or https://, or empty.")
        return None
    return value


def _point(
    check: RowChecker, row: int, record: dict, precision: str | None, area: str | None
) -> tuple[float, float] | None:
    """Return the row's (lon, lat): given, or the seat of `area` for a regency_seat row without one."""
    raw = record.get("lon"), record.get("lat")
    if all(blank(v) for v in raw):
        if precision == "regency_seat" and area is not None:
            return seats.seat_point(area)
        if precision is not None:
            check.fail(row, "lon", None, "is missing; give lon and lat, or set location_precision to regency_seat.")
        return None
    try:
        lon, lat = (float(str(v).strip().replace(",", ".")) for v in raw)
    except ValueError:
        check.fail(row, "lon/lat", raw, "are expected to be numbers in WGS84 degrees (e.g. 123.60273, -10.18551).")
        return None
    min_lon, min_lat, max_lon, max_lat = seats.BOUNDS
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        message = f"lie outside Indonesia {seats.BOUNDS}; check the order: lon first, lat second."
        check.fail(row, "lon/lat", (lon, lat), message)
        return None
    return lon, lat


def _no_point(record: dict) -> bool:
    return all(blank(record.get(field)) for field in ("lon", "lat"))


def _country(check: RowChecker, row: int, record: dict) -> str | None:
    """Return the row's ISO 3166-1 alpha-2 ``country`` (``ID`` when blank); None and an error if it is unknown."""
    value = check.text(row, record, "country")
    if value is None:
        return None if any(e.row == row and e.field == "country" for e in check.errors) else ROUTABLE_COUNTRY
    problem = places.country_problem(value)
    if problem is not None:
        check.fail(row, "country", value, problem)
        return None
    return value


def _check_kind(check: RowChecker, row: int, record: dict, kind: str, agency: dict) -> None:
    """Flag the values a hotline, a mission abroad or an office in Indonesia cannot have (:mod:`directory.places`)."""
    precision, country = agency["location_precision"], agency["country"]
    wanted = {"hotline": "none", "abroad": "abroad"}.get(kind)
    if wanted is not None and precision not in (None, wanted):
        why = "a hotline has no place" if kind == "hotline" else f"country is {country!r}, outside Indonesia"
        check.fail(row, "location_precision", precision, f"is expected to be {wanted!r}: {why}.")
    if kind == "office" and precision in ("abroad", "none"):
        fix = "give the country code (e.g. MY)" if precision == "abroad" else "set agency_type to hotline"
        check.fail(row, "location_precision", precision, f"is for rows outside Indonesia or hotlines: {fix}.")
    if kind != "office" and agency["confidential"]:
        message = f"is true but a {'hotline' if kind == 'hotline' else 'mission abroad'} is a public service."
        check.fail(row, "confidential", record.get("confidential"), message)
    if kind == "hotline" and not _no_point(record):
        message = "are given but a hotline has no place (no travel time); leave lon and lat empty."
        check.fail(row, "lon/lat", (record.get("lon"), record.get("lat")), message)
    if kind == "abroad" and not blank(record.get("area_code")):
        message = f"is a Kemendagri code but country is {country!r}: a mission abroad has none; leave it empty."
        check.fail(row, "area_code", record.get("area_code"), message)
    if kind == "abroad" and agency["city"] is None:
        check.fail(row, "city", record.get("city"), "is required for a row outside Indonesia; give the city.")


def _point_abroad(check: RowChecker, row: int, record: dict) -> tuple[float, float] | None:
    """Return the given (lon, lat) of a mission abroad, or None: it needs none, and none is ever made up."""
    if _no_point(record):
        return None
    try:
        lon, lat = (float(str(record.get(f)).strip().replace(",", ".")) for f in ("lon", "lat"))
    except ValueError:
        check.fail(row, "lon/lat", (record.get("lon"), record.get("lat")), "are expected to be numbers, or empty.")
        return None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        check.fail(
            row, "lon/lat", (lon, lat), "lie outside -180..180, -90..90; check the order: lon first, lat second."
        )
        return None
    return lon, lat


def _lon_lat(agencies: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([a["lon"] for a in agencies], dtype=float), np.array([a["lat"] for a in agencies], dtype=float)


def _check_points(check: RowChecker, agencies: list[dict]) -> None:
    """Flag every given point that lies in no province, or farther from its stated area than its precision allows."""
    given = [a for a in agencies if a.get("_given")]
    if not given:
        return
    provinces = lookup.locate(*_lon_lat(given), "province")
    for agency in (a for a, province in zip(given, provinces, strict=True) if province is None):
        check.fail(
            agency["_row"],
            "lon/lat",
            (agency["lon"], agency["lat"]),
            f"lie outside Indonesia: in no province, nor within {settings.lookup_tolerance_km:g} km of one "
            "(settings.lookup_tolerance_km); check the point: lon first, lat second.",
        )
    stated = [a for a, province in zip(given, provinces, strict=True) if province is not None and a["area_code"]]
    if not stated:
        return
    km = lookup.distance_to_area_km(*_lon_lat(stated), [a["area_code"] for a in stated])
    for agency, distance in zip(stated, km, strict=True):
        exact = agency["location_precision"] == "exact"
        limit = settings.lookup_tolerance_km if exact else settings.approximate_location_tolerance_km
        if distance > limit:
            setting = "lookup_tolerance_km" if exact else "approximate_location_tolerance_km"
            check.fail(
                agency["_row"],
                "lon/lat",
                (agency["lon"], agency["lat"]),
                f"lie {distance:.1f} km outside area_code {agency['area_code']} (allowed {limit:g} km, "
                f"settings.{setting}); fix the point or the area_code.",
            )


def _organizations(check: RowChecker, agencies: list[dict], stored: dict[str, StoredOrganization]) -> None:
    """Set every agency's ``organization`` (name, website), flagging values that change it unasked (module notes)."""
    members: dict[str, list[dict]] = {}
    for agency in agencies:
        members.setdefault(agency["organization_id"], []).append(agency)
    ids = {agency["id"] for agency in agencies}
    for org_id, rows in members.items():
        known = stored.get(org_id)
        current = (known.name, known.website) if known else (rows[0]["name"], None)
        values = []
        for field, now in zip(ORGANIZATION_FIELDS, current, strict=True):
            given = _agreed(check, org_id, rows, field)
            if known is not None and given is not None and given[1] != now:
                _check_change(check, org_id, known, (field, now, given), ids)
            values.append(now if given is None else given[1])
        for agency in rows:
            agency["organization"] = tuple(values)


def _agreed(check: RowChecker, org_id: str, rows: list[dict], field: str) -> tuple[int, str] | None:
    """Return (row, value) of the first non-blank `field` of an organization's rows; flag the rows that differ."""
    given = [(agency["_row"], agency["_organization"][field]) for agency in rows]
    given = [(row, value) for row, value in given if value is not None]
    for row, value in given[1:]:
        if value != given[0][1]:
            message = (
                f"differs from {given[0][1]!r} in row {given[0][0]} of organization {org_id!r}; "
                f"give one {field} per organization, or leave it empty to keep it."
            )
            check.fail(row, field, value, message)
    return given[0] if given else None


def _check_change(
    check: RowChecker,
    org_id: str,
    known: StoredOrganization,
    change: tuple[str, str | None, tuple[int, str]],
    ids: set[str],
) -> None:
    """Flag a change (field, stored value, (row, value)) of an organization whose agencies are not all in the file."""
    field, now, (row, value) = change
    missing = sorted(known.agency_ids - ids)
    if not missing:
        return
    name = field == "organization_name"
    has = f"is named {now!r}" if name else f"has the website {now!r}" if now else "has no website"
    listed = ", ".join(missing[:10]) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
    message = (
        f"organization {org_id!r} {has} in the directory; give that {'name' if name else 'website'}, "
        f"leave {field} empty to keep it, or change it for all its agencies at once in a file that holds "
        f"all {len(known.agency_ids)} of them (missing: {listed})."
    )
    check.fail(row, field, value, message)


def validate_agencies(
    rows: list[dict[str, object]], source: str = "file", engine: Engine | None = None
) -> list[dict[str, Any]]:
    """Return the agencies of raw `rows` as clean records, or reject them all.

    Parameters
    ----------
    rows
        Raw records (as :func:`directory.io.read_rows` returns them), numbered from 1.
    source
        What the rows come from, named in the error.
    engine
        The database the rows are for: their organization fields are checked against
        its organizations (see the module notes). None: only within the rows.

    Returns
    -------
    list of dict
        One clean record per row; ``lon``/``lat`` are the given point or, for a
        ``regency_seat`` row without one, the seat of its area; ``organization`` is
        the (name, website) the organization will have.

    Raises
    ------
    ImportRejectedError
        With one RowError per bad value of every row, sorted by row (nothing is
        returned then). A given point must lie in Indonesia's bounding box, then in
        a province (or within ``settings.lookup_tolerance_km`` of one), then within
        the allowance of its precision of its ``area_code``. With `engine`, a
        non-blank ``organization_name`` or ``website`` that differs from its stored
        organization's is an error unless the rows hold every agency of it.
    """
    check, agencies = RowChecker(), []
    seen: dict[str, int] = {}
    levels: dict[str | None, tuple[int, ...]] = {"regency": (5,), "province": (2,), "national": (2, 5)}
    for row, record in enumerate(rows, start=1):
        agency: dict[str, object] = {"_row": row, "id": _ident(check, row, record, seen)}
        for field in ("name", "source"):
            agency[field] = check.text(row, record, field, required=True)
        for field in ("address", "phone", "email", "opening_hours", "source_url"):
            agency[field] = _text(check, row, record, field)
        agency["notes"] = check.text(row, record, "notes", lines=True)
        agency["agency_type"] = check.choice(row, record, "agency_type")
        agency["jurisdiction_level"] = level = check.choice(row, record, "jurisdiction_level")
        agency["location_precision"] = precision = check.choice(row, record, "location_precision")
        agency["capabilities"] = check.codes(row, record)
        agency["languages"] = ";".join(check.items(row, record, "languages")) or None
        for field in ("confidential", "existence_confirmed"):
            agency[field] = check.flag(row, record, field)
        agency["country"], agency["city"] = _country(check, row, record), check.text(row, record, "city")
        given = record.get("country")  # a bad code still says the row is abroad: no errors about an office follow
        kind = places.location_kind(
            agency["agency_type"], agency["country"] or (given if isinstance(given, str) else "")
        )
        _check_kind(check, row, record, kind, agency)
        area_code = None
        if kind == "office" or (kind == "hotline" and not blank(record.get("area_code"))):
            area_code = check.area(row, record, "area_code", levels.get(level, (2, 5)))
        agency["area_code"] = area_code
        agency["capacity"] = check.count(row, record, "capacity", MAX_CAPACITY, "more people than any shelter holds")
        for field in ("verified_on", "retired_on"):
            agency[field] = check.date(row, record, field)
        point = _point(check, row, record, precision, area_code) if kind == "office" else None
        if kind == "abroad":
            point = _point_abroad(check, row, record)
        agency["_given"] = kind == "office" and point is not None and not _no_point(record)
        agency["lon"], agency["lat"] = point or (None, None)
        if "geometry" in record:
            check.fail(row, "geometry", record["geometry"], "is expected to be a Point or null.")
        agency["organization_id"] = check.text(row, record, "organization_id") or agency["id"]
        agency["_organization"] = {field: _text(check, row, record, field) for field in ORGANIZATION_FIELDS}
        check.lengths(row, agency, ServiceLocation)
        agencies.append(agency)
    _organizations(check, agencies, stored_organizations(engine) if engine is not None else {})
    _check_points(check, agencies)
    if check.errors:
        raise ImportRejectedError(source, check.errors)
    return agencies


def validate_agreements(rows: list[dict[str, object]], source: str = "file") -> list[dict[str, Any]]:
    """Return the agreements of raw `rows` as clean records, or reject them all (see :func:`validate_agencies`)."""
    check, agreements = RowChecker(), []
    seen: dict[str, int] = {}
    for row, record in enumerate(rows, start=1):
        agreement: dict[str, object] = {"id": _ident(check, row, record, seen)}
        agreement["area_a"] = a = check.area(row, record, "area_a", (2, 5))
        agreement["area_b"] = b = check.area(row, record, "area_b", (2, 5))
        if a and b and (len(a) != len(b) or a == b):
            message = f"must be another area of the level of area_a {a!r} (regency-regency or province-province)."
            check.fail(row, "area_b", b, message)
        agreement["capabilities"] = check.codes(row, record)
        agreement["signed_on"] = signed = check.date(row, record, "signed_on")
        agreement["ended_on"] = ended = check.date(row, record, "ended_on")
        for field in ("title", "source"):
            agreement[field] = check.text(row, record, field, required=True)
        agreement["source_url"] = _text(check, row, record, "source_url")
        if signed is not None and ended is not None and ended < signed:
            message = f"is before signed_on {signed}; an agreement cannot end before it is signed: fix either date."
            check.fail(row, "ended_on", str(ended), message)
        check.lengths(row, agreement, Agreement)
        agreements.append(agreement)
    if check.errors:
        raise ImportRejectedError(source, check.errors)
    return agreements
