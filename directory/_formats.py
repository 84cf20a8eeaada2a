"""How a directory value is written in each export format: a CSV cell, a JSON value, a rounded coordinate.

Shared by :mod:`directory.io` (CSV, GeoJSON), :mod:`directory._gpkg` (GeoPackage) and :mod:`directory.hsds`
(Open Referral HSDS), so that every format writes a value the same way and an import of any of them reads it back
to the same record: booleans ``true``/``false``, lists ``";"``-joined, dates ISO ``YYYY-MM-DD``, coordinates
rounded to :data:`COORDINATE_DECIMALS` (about 0.1 m), a missing value as an empty cell or JSON null.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import numpy as np

from core import files as _files
from core.values import is_missing

COORDINATE_DECIMALS = 6
"""Decimals of every exported longitude and latitude (1e-6 degree is about 0.1 m)."""


def cell(value: object) -> str | int | float:
    """Return a value as a cell of :func:`core.files.csv_text`: a number stays a number, anything else is text."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    if is_missing(value):
        return ""
    if isinstance(value, float):
        return rounded(value)
    if isinstance(value, int | np.integer):
        return int(value)
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def text(value: object) -> str | None:
    """Return a value as the text a CSV cell would hold (:func:`cell`), or None when it is missing or empty."""
    written = cell(value)
    return None if written == "" else str(written)


def same_point(stored: float | None, given: object) -> bool:
    """Return True if a coordinate `given` is the `stored` one as an export writes it (rounded)."""
    return stored is not None and isinstance(given, float) and rounded(stored) == rounded(given)


def rounded(value: float) -> float:
    """Return a coordinate rounded to :data:`COORDINATE_DECIMALS`."""
    return round(float(value), COORDINATE_DECIMALS)


def json_value(value: object) -> object:
    """Return a value as JSON has it: None for missing, Python scalars for numpy ones, ISO text for dates."""
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value.isoformat() if isinstance(value, dt.date) else value


def to_csv(records: list[dict], fields: tuple[str, ...]) -> str:
    """Return `records` as CSV text of `fields` (:func:`core.files.csv_text`, spreadsheet-safe)."""
    return _files.csv_text(({field: cell(record.get(field)) for field in fields} for record in records), fields)


def to_geojson(records: list[dict], geometries: Sequence[dict | None]) -> str:
    """Return `records` as a GeoJSON FeatureCollection, one Feature per record with its geometry (or null)."""
    features = [
        {
            "type": "Feature",
            "id": record["id"],
            "geometry": geometry,
            "properties": {k: json_value(v) for k, v in record.items() if k not in ("lon", "lat", "geometry")},
        }
        for record, geometry in zip(records, geometries, strict=True)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False) + "\n"
