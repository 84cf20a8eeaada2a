"""Import and export of the service directory (agencies and agreements) as CSV and GeoJSON.

Formats
-------
CSV: UTF-8, one row per agency (columns :data:`geo.directory.AGENCY_FIELDS`) or
agreement (:data:`geo.directory.AGREEMENT_FIELDS`); list fields (``capabilities``,
``languages``) are ``";"``-separated; booleans ``true``/``false``; dates ISO
``YYYY-MM-DD``. GeoJSON (RFC 7946): a ``FeatureCollection`` without a ``crs``
member, ``[lon, lat]`` Point geometries, the other fields as properties (lists as
arrays). Agreement features carry a LineString between the representative points
of their two areas, for maps; the geometry is ignored on import.

Import validates every row and rejects the whole file with every row error
(:class:`~geo._errors.ImportRejectedError`); nothing is written then. Rows are
numbered from 1 (CSV line = row + 1; GeoJSON feature index + 1). A valid file is
written in one transaction. Modes: ``"upsert"`` (default) adds new ids and
replaces the rows of known ids, leaving every other agency alone, so a file of a
few corrections cannot wipe the directory; ``"replace"`` also retires every active
agency that is not in the file (agencies are retired, never deleted) and deletes
every agreement that is not in it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import shapely
from sqlalchemy import Engine, func, select

from geo import boundaries, capabilities, directory, seats, settings
from geo.capabilities import RowChecker, blank
from geo._errors import ImportRejectedError, InputError
from geo.db import session_scope
from geo.directory import Agreement, Organization, Service, ServiceLocation

MODES: tuple[str, ...] = ("upsert", "replace")
FORMATS: tuple[str, ...] = ("csv", "geojson")
COORDINATE_DECIMALS = 6
_GEOD = pyproj.Geod(ellps="WGS84")


def default_dir() -> Path:
    """Return the folder of the embedded sample directory, ``data/directory`` beside the packages."""
    return settings.package_root / "data" / "directory"


def _format(path: Path, fmt: str | None) -> str:
    fmt = fmt or {".csv": "csv", ".geojson": "geojson", ".json": "geojson"}.get(path.suffix.lower())
    if fmt not in FORMATS:
        message = f"is expected to be one of {list(FORMATS)}; name it or use a .csv or .geojson file."
        raise InputError("format", fmt or path.suffix, message)
    return fmt


def read_rows(path: str | Path, fmt: str | None = None) -> list[dict[str, object]]:
    """Return the raw records of a directory file (CSV text values; GeoJSON properties plus lon, lat).

    Raises
    ------
    InputError
        If the format is unknown, or a GeoJSON file is not a FeatureCollection.
    """
    path = Path(path)
    if _format(path, fmt) == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError("file", str(path), "is expected to be a GeoJSON FeatureCollection (RFC 7946).")
    rows = []
    for feature in data.get("features", []):
        record = dict(feature.get("properties") or {})
        geometry = feature.get("geometry")
        if geometry and geometry.get("type") == "Point":
            record["lon"], record["lat"] = geometry["coordinates"][:2]
        elif geometry and "area_a" not in record:
            record["geometry"] = geometry.get("type")  # reported as a row error
        rows.append(record)
    return rows


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


def distance_to_area_km(lon: np.ndarray, lat: np.ndarray, codes: list[str]) -> np.ndarray:
    """Return the geodesic distance (km) from each point to the polygon of its area (0 inside)."""
    polygons = {}
    for level in {boundaries.level_of_code(code) for code in codes}:
        polygons.update(boundaries.load_areas(level).set_index("code").geometry.to_dict())
    geometries = np.array([polygons[code] for code in codes], dtype=object)
    lines = shapely.shortest_line(shapely.points(lon, lat), geometries)
    start, end = (shapely.get_coordinates(shapely.get_point(lines, i)) for i in (0, 1))
    return _GEOD.inv(start[:, 0], start[:, 1], end[:, 0], end[:, 1])[2] / 1000.0


def _check_areas(check: RowChecker, agencies: list[dict]) -> None:
    """Flag every given point farther from its stated area than its precision allows."""
    given = [a for a in agencies if a.get("_given") and a["area_code"]]
    if not given:
        return
    lon, lat = (np.array([a[field] for a in given], dtype=float) for field in ("lon", "lat"))
    km = distance_to_area_km(lon, lat, [a["area_code"] for a in given])
    for agency, distance in zip(given, km, strict=True):
        exact = agency["location_precision"] == "exact"
        limit = settings.lookup_tolerance_km if exact else settings.approximate_location_tolerance_km
        if distance > limit:
            setting = "lookup_tolerance_km" if exact else "approximate_location_tolerance_km"
            check.fail(agency["_row"], "lon/lat", (agency["lon"], agency["lat"]),
                       f"lie {distance:.1f} km outside area_code {agency['area_code']} (allowed {limit:g} km, "
                       f"settings.{setting}); fix the point or the area_code.")  # fmt: skip


def validate_agencies(rows: list[dict[str, object]], source: str = "file") -> list[dict[str, object]]:
    """Return the agencies of raw `rows` as clean records, or reject them all.

    Raises
    ------
    ImportRejectedError
        With one RowError per bad value of every row (nothing is returned then).
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
    _check_areas(check, agencies)
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


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise InputError("mode", mode, f"is expected to be one of {list(MODES)} (default upsert).")


def import_agencies(engine: Engine, path: str | Path, mode: str = "upsert", fmt: str | None = None) -> dict[str, int]:
    """Validate a CSV or GeoJSON file of agencies and write it in one transaction.

    Parameters
    ----------
    engine
        The database (schema created by :func:`geo.db.init_db`).
    path
        The file; its format comes from `fmt` or the suffix (``.csv``, ``.geojson``, ``.json``).
    mode
        ``"upsert"`` (default): add new ids, replace known ones, keep the rest;
        ``"replace"``: also retire today every active agency not in the file.

    Returns
    -------
    dict
        Counts ``added``, ``updated``, ``retired``.

    Raises
    ------
    ImportRejectedError
        If any row is invalid; every row error is listed and nothing is written.
    """
    _check_mode(mode)
    agencies = validate_agencies(read_rows(path, fmt), source=str(path))
    counts = {"added": 0, "updated": 0, "retired": 0}
    with session_scope(engine) as session:
        for org_id, (name, website) in {a["organization_id"]: a["organization"] for a in agencies}.items():
            organization = session.get(Organization, org_id) or Organization(id=org_id)
            organization.name, organization.website = name, website
            session.add(organization)
        session.flush()
        for record in agencies:
            agency = session.get(ServiceLocation, record["id"])
            counts["updated" if agency else "added"] += 1
            agency = agency or ServiceLocation(id=record["id"])
            for field, value in record.items():
                if not field.startswith("_") and field not in ("capabilities", "organization"):
                    setattr(agency, field, value)
            agency.services = [Service(capability=code) for code in record["capabilities"]]
            session.add(agency)
        if mode == "replace":
            ids = {a["id"] for a in agencies}
            for agency in directory.list_agencies(session):
                if agency.id not in ids:
                    agency.retired_on, counts["retired"] = dt.date.today(), counts["retired"] + 1
    return counts


def import_agreements(engine: Engine, path: str | Path, mode: str = "upsert", fmt: str | None = None) -> dict[str, int]:
    """Validate a CSV or GeoJSON file of agreements and write it in one transaction.

    ``"replace"`` deletes the agreements not in the file (nothing refers to an
    agreement; its history lives in its source). Returns counts ``added``,
    ``updated``, ``deleted``; raises ImportRejectedError as :func:`import_agencies`.
    """
    _check_mode(mode)
    agreements = validate_agreements(read_rows(path, fmt), source=str(path))
    counts = {"added": 0, "updated": 0, "deleted": 0}
    with session_scope(engine) as session:
        for record in agreements:
            agreement = session.get(Agreement, record["id"])
            counts["updated" if agreement else "added"] += 1
            session.merge(Agreement(**record))
        if mode == "replace":
            ids = {a["id"] for a in agreements}
            for agreement in session.scalars(select(Agreement).where(Agreement.id.not_in(ids))):
                session.delete(agreement)
                counts["deleted"] += 1
    return counts


def _cell(value: object) -> str:
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    if isinstance(value, float):
        return "" if math.isnan(value) else str(_rounded(value))
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _rounded(value: float) -> float:
    return round(float(value), COORDINATE_DECIMALS)


def _json_value(value: object) -> object:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value.isoformat() if isinstance(value, dt.date) else value


def _to_csv(records: list[dict], fields: tuple[str, ...]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(fields), lineterminator="\n")
    writer.writeheader()
    writer.writerows({field: _cell(record.get(field)) for field in fields} for record in records)
    return buffer.getvalue()


def _to_geojson(records: list[dict], geometries: list[dict | None]) -> str:
    features = [
        {"type": "Feature", "id": record["id"], "geometry": geometry,
         "properties": {k: _json_value(v) for k, v in record.items() if k not in ("lon", "lat", "geometry")}}
        for record, geometry in zip(records, geometries, strict=True)
    ]  # fmt: skip
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False) + "\n"


def _write(text: str, path: str | Path | None) -> str:
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def export_agencies(
    engine: Engine,
    path: str | Path | None = None,
    fmt: str | None = None,
    public: bool = True,
    include_retired: bool = False,
) -> str:
    """Write the agencies as CSV or GeoJSON and return the text.

    Parameters
    ----------
    path
        Where to write; None only returns the text (then `fmt` is required).
    fmt
        ``"csv"`` or ``"geojson"``; default from the suffix of `path`.
    public
        True (default): confidential points and addresses are redacted by
        :func:`geo.directory.public_view` (a ``redacted`` column is added);
        False: the full directory, for authorised back-ups and re-import.
    include_retired
        Also retired agencies (a full back-up wants them).
    """
    fmt = _format(Path(path or f"x.{fmt}"), fmt)
    frame = directory.agencies_frame(engine, include_retired=include_retired)
    if public:
        frame = directory.public_view(frame, authorised=False)
    fields = tuple(c for c in frame.columns if c != "geometry")
    records = [dict(zip(fields, values, strict=True)) for values in frame[list(fields)].itertuples(index=False)]
    if fmt == "csv":
        return _write(_to_csv(records, fields), path)
    points = [{"type": "Point", "coordinates": [_rounded(r["lon"]), _rounded(r["lat"])]} for r in records]
    return _write(_to_geojson(records, points), path)


def export_agreements(
    engine: Engine, path: str | Path | None = None, fmt: str | None = None, include_ended: bool = True
) -> str:
    """Write the agreements as CSV or GeoJSON (a LineString between the two areas) and return the text."""
    fmt = _format(Path(path or f"x.{fmt}"), fmt)
    records = directory.agreements_frame(engine, include_ended=include_ended).to_dict("records")
    if fmt == "csv":
        return _write(_to_csv(records, directory.AGREEMENT_FIELDS), path)
    points = {level: directory.representative_points(level) for level in ("province", "regency")}
    lines = []
    for record in records:
        ends = [points[boundaries.level_of_code(code)].loc[code] for code in (record["area_a"], record["area_b"])]
        lines.append({"type": "LineString", "coordinates": [[_rounded(p["lon"]), _rounded(p["lat"])] for p in ends]})
    return _write(_to_geojson(records, lines), path)


def seed_default(engine: Engine) -> dict[str, object]:
    """Import the embedded sample directory into an empty database; leave a non-empty one alone.

    Agencies and agreements are seeded separately, each only when its table is
    empty, so a second call changes nothing.

    Returns
    -------
    dict
        ``directory_agencies`` and ``directory_agreements``: rows now in the database;
        ``directory_seeded``: what was imported by this call (empty list if nothing).
    """
    seeded = []
    tables = (("agencies", ServiceLocation, import_agencies), ("agreements", Agreement, import_agreements))
    for name, model, importer in tables:
        if _count(engine, model) == 0:
            importer(engine, default_dir() / f"{name}.csv")
            seeded.append(name)
    counts = {f"directory_{name}": _count(engine, model) for name, model, _ in tables}
    return {**counts, "directory_seeded": seeded}


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)
