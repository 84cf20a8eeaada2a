"""Checking the raw records of a directory file, row by row, before anything is written.

:func:`validate_agencies` and :func:`validate_agreements` (re-exported by
:mod:`geo.directory_io`, which reads the files) parse every field of every record
with a :class:`~geo.capabilities.RowChecker`, then check the given points of all
agencies at once: a point must lie in a province of Indonesia (the bounding box
first, then the province lookup of :mod:`geo.lookup` with its tolerance) and within
the allowance of its precision of its stated area. Any error rejects every record.
"""

from __future__ import annotations

import numpy as np

from geo import capabilities, lookup, seats, settings
from geo._errors import ImportRejectedError
from geo.capabilities import RowChecker, blank


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
        lon, lat = (float(str(v).strip().replace(",", ".")) for v in raw)  # type: ignore[union-attr]
    except ValueError:
        check.fail(row, "lon/lat", raw, "are expected to be numbers in WGS84 degrees (e.g. 123.60273, -10.18551).")
        return None
    min_lon, min_lat, max_lon, max_lat = seats.BOUNDS
    if not (min_lon <= lon <= max_lon and min_lat <= lat <= max_lat):
        message = f"lie outside Indonesia {seats.BOUNDS}; check the order: lon first, lat second."
        check.fail(row, "lon/lat", (lon, lat), message)
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
        check.fail(agency["_row"], "lon/lat", (agency["lon"], agency["lat"]),
                   f"lie outside Indonesia: in no province, nor within {settings.lookup_tolerance_km:g} km of one "
                   "(settings.lookup_tolerance_km); check the point: lon first, lat second.")  # fmt: skip
    stated = [a for a, province in zip(given, provinces, strict=True) if province is not None and a["area_code"]]
    if not stated:
        return
    km = lookup.distance_to_area_km(*_lon_lat(stated), [a["area_code"] for a in stated])
    for agency, distance in zip(stated, km, strict=True):
        exact = agency["location_precision"] == "exact"
        limit = settings.lookup_tolerance_km if exact else settings.approximate_location_tolerance_km
        if distance > limit:
            setting = "lookup_tolerance_km" if exact else "approximate_location_tolerance_km"
            check.fail(agency["_row"], "lon/lat", (agency["lon"], agency["lat"]),
                       f"lie {distance:.1f} km outside area_code {agency['area_code']} (allowed {limit:g} km, "
                       f"settings.{setting}); fix the point or the area_code.")  # fmt: skip


def validate_agencies(rows: list[dict[str, object]], source: str = "file") -> list[dict[str, object]]:
    """Return the agencies of raw `rows` as clean records, or reject them all.

    Parameters
    ----------
    rows
        Raw records (as :func:`geo.directory_io.read_rows` returns them), numbered from 1.
    source
        What the rows come from, named in the error.

    Returns
    -------
    list of dict
        One clean record per row; ``lon``/``lat`` are the given point or, for a
        ``regency_seat`` row without one, the seat of its area.

    Raises
    ------
    ImportRejectedError
        With one RowError per bad value of every row, sorted by row (nothing is
        returned then). A given point must lie in Indonesia's bounding box, then in
        a province (or within ``settings.lookup_tolerance_km`` of one), then within
        the allowance of its precision of its ``area_code``.
    """
    check, seen, organizations, agencies = RowChecker(), {}, {}, []
    levels = {"regency": (5,), "province": (2,), "national": (2, 5)}
    for row, record in enumerate(rows, start=1):
        agency: dict[str, object] = {"_row": row, "id": check.ident(row, record, "id", seen)}
        for field in ("name", "source"):
            agency[field] = check.text(row, record, field, required=True)
        for field in ("address", "phone", "email", "opening_hours", "source_url", "notes"):
            agency[field] = check.text(row, record, field)
        for field in ("agency_type", "jurisdiction_level", "location_precision"):
            agency[field] = check.choice(row, record, field)
        agency["capabilities"] = check.codes(row, record)
        agency["languages"] = ";".join(capabilities.split_list(record.get("languages"))) or None
        agency["area_code"] = check.area(row, record, "area_code", levels.get(agency["jurisdiction_level"], (2, 5)))
        for field in ("confidential", "existence_confirmed"):
            agency[field] = check.flag(row, record, field)
        agency["capacity"] = check.count(row, record, "capacity")
        for field in ("verified_on", "retired_on"):
            agency[field] = check.date(row, record, field)
        point = _point(check, row, record, agency["location_precision"], agency["area_code"])
        agency["_given"] = point is not None and not all(blank(record.get(f)) for f in ("lon", "lat"))
        agency["lon"], agency["lat"] = point or (None, None)
        if "geometry" in record:
            check.fail(row, "geometry", record["geometry"], "is expected to be a Point or null.")
        org_id = check.text(row, record, "organization_id") or agency["id"]
        org = (check.text(row, record, "organization_name") or agency["name"], check.text(row, record, "website"))
        first = organizations.setdefault(org_id, (row, org))
        if first[1] != org:
            check.fail(row, "organization_name/website", org, f"differ from row {first[0]} of organization {org_id!r}.")
        agency["organization_id"], agency["organization"] = org_id, org
        agencies.append(agency)
    _check_points(check, agencies)
    if check.errors:
        raise ImportRejectedError(source, check.errors)
    return agencies


def validate_agreements(rows: list[dict[str, object]], source: str = "file") -> list[dict[str, object]]:
    """Return the agreements of raw `rows` as clean records, or reject them all (see :func:`validate_agencies`)."""
    check, seen, agreements = RowChecker(), {}, []
    for row, record in enumerate(rows, start=1):
        agreement: dict[str, object] = {"id": check.ident(row, record, "id", seen)}
        for field in ("area_a", "area_b"):
            agreement[field] = check.area(row, record, field, (2, 5))
        a, b = agreement["area_a"], agreement["area_b"]
        if a and b and (len(a) != len(b) or a == b):  # type: ignore[arg-type]
            message = f"must be another area of the level of area_a {a!r} (regency-regency or province-province)."
            check.fail(row, "area_b", b, message)
        agreement["capabilities"] = check.codes(row, record)
        for field in ("signed_on", "ended_on"):
            agreement[field] = check.date(row, record, field)
        for field in ("title", "source"):
            agreement[field] = check.text(row, record, field, required=True)
        agreement["source_url"] = check.text(row, record, "source_url")
        agreements.append(agreement)
    if check.errors:
        raise ImportRejectedError(source, check.errors)
    return agreements
