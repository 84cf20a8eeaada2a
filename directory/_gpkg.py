"""GeoPackage (OGC GPKG, read and written by pyogrio/GDAL) files of the directory: one layer per kind.

A file holds one layer named after its kind (``agencies`` or ``agreements``), in EPSG:4326. Agencies: one
feature per agency, the fields of :data:`directory.agencies.AGENCY_FIELDS` but ``lon`` and ``lat`` as columns
(the point is the feature's geometry; a mission abroad without a known point and a hotline have a null geometry),
lists ``";"``-joined, dates ISO text, booleans as GPKG booleans, ``capacity`` an integer. Agreements: a LineString
between the representative points of their two areas, for maps; ignored on import, as in GeoJSON.

Reading checks the file's shape before any value (as :mod:`core.files` does for CSV and GeoJSON): a file GDAL
cannot open as a GeoPackage, or without the kind's layer, is an :class:`~core.errors.InputError` naming the
file (and the layers it has); an unknown or repeated column, a ``redacted`` column (only a public export has
one), or a geometry that is not a Point or null (agencies) is an :class:`~core.errors.ImportRejectedError` listing
every such row (the header is row 0, features are numbered from 1 in file order). A layer in another coordinate
system is reprojected to EPSG:4326 first. The values are then checked by :mod:`directory._checks`, as for CSV.

Writing replaces the file whole (a new GeoPackage with the one layer), readable by its owner only (0600): it is
written in a private temporary folder beside it and moved over it, so no other user ever sees a partial file.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import shapely
from pyogrio.errors import DataLayerError, DataSourceError

from core import files as _files
from core.errors import ImportRejectedError, InputError, RowError
from directory import _formats

CRS = "EPSG:4326"
_POINT_HINT = "in a GeoPackage the point is the feature's geometry (WGS84 lon/lat); remove the column."


def write(
    path: str | Path,
    records: Sequence[Mapping[str, object]],
    geometries: Sequence[dict | None],
    layer: str,
    fields: Sequence[str],
) -> Path:
    """Write the `fields` of `records` with their GeoJSON `geometries` as a new GeoPackage of one `layer`.

    ``lon`` and ``lat`` are left out (the geometry holds them). Returns the path written (mode 0600). Lists
    become ``";"``-joined text and dates ISO text, as in CSV.
    """
    path = Path(path)
    columns = [field for field in fields if field not in ("lon", "lat", "geometry")]
    data = {column: _column([_formats.json_value(record.get(column)) for record in records]) for column in columns}
    shapes = [None if g is None else shapely.geometry.shape(g) for g in geometries]
    frame = gpd.GeoDataFrame(data, geometry=gpd.GeoSeries(shapes, crs=CRS), crs=CRS)
    folder = Path(tempfile.mkdtemp(prefix=".rujuk-export-", dir=path.parent))  # 0700: a full export holds safe houses
    try:
        partial = folder / path.name
        pyogrio.write_dataframe(frame, partial, layer=layer, driver="GPKG")
        partial.chmod(0o600)
        os.replace(partial, path)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return path


def _column(values: list[object]) -> pd.Series:
    """Return one column with the type GDAL should give it: boolean, integer, float, or text (lists joined)."""
    given = [value for value in values if not _missing(value)]
    if given and all(isinstance(value, bool) for value in given):
        return pd.Series(values, dtype="boolean")
    if given and all(isinstance(value, int) and not isinstance(value, bool) for value in given):
        return pd.Series([None if _missing(v) else v for v in values], dtype="Int64")
    return pd.Series([_formats.text(value) for value in values], dtype=object)


def _missing(value: object) -> bool:
    return not isinstance(value, list | tuple) and _formats.text(value) is None


def read(
    path: str | Path, layer: str, allowed: Sequence[str] | None, points: bool, hints: Mapping[str, str] | None = None
) -> list[dict[str, object]]:
    """Return the features of the `layer` of a GeoPackage as flat records (fields, plus lon and lat if `points`).

    Parameters
    ----------
    path
        The GeoPackage file.
    layer
        The layer to read: ``agencies`` or ``agreements``.
    allowed
        The columns the layer may have (None: any); ``lon`` and ``lat`` are never columns.
    points
        True: every geometry must be a Point or null and gives ``lon``/``lat``; False: geometries are ignored.
    hints
        Advice by column name for a column the layer must not have (``redacted``: a public export).

    Raises
    ------
    InputError
        If the file cannot be opened as a GeoPackage or has no layer `layer`.
    ImportRejectedError
        If a column is unknown or repeated, or a geometry is not a Point or null (with `points`).
    """
    path = Path(path)
    try:
        layers = [str(name) for name, _ in pyogrio.list_layers(path)]
        frame = pyogrio.read_dataframe(path, layer=layer, fid_as_index=True) if layer in layers else None
    except (DataSourceError, DataLayerError) as error:
        message = f"is not a GeoPackage that GDAL can read ({str(error).splitlines()[0]}); export it again."
        raise InputError("file", str(path), message) from None
    if frame is None:
        message = f"has no layer {layer!r} (its layers: {layers or 'none'}); name the {layer} layer {layer!r}."
        raise InputError("file", str(path), message)
    columns = [str(c) for c in frame.columns if c != frame.geometry.name]
    rules = {"lon": _POINT_HINT, "lat": _POINT_HINT, **(hints or {})} if points else dict(hints or {})
    permitted = [c for c in (allowed if allowed is not None else columns) if c not in ("lon", "lat")]
    errors = _files.header_errors(columns, permitted, hints=rules)
    if frame.crs is not None and not frame.crs.equals(CRS):
        frame = frame.to_crs(CRS)
    records = []
    for row, (values, geometry) in enumerate(
        zip(frame[columns].itertuples(index=False), frame.geometry, strict=True), start=1
    ):
        record: dict[str, object] = {c: _value(v) for c, v in zip(columns, values, strict=True)}
        if points and geometry is not None and not geometry.is_empty:
            if geometry.geom_type != "Point":
                errors.append(RowError(row, "geometry", geometry.geom_type, "is expected to be a Point or null."))
            else:
                record["lon"], record["lat"] = geometry.x, geometry.y
        records.append(record)
    if errors:
        raise ImportRejectedError(str(path), sorted(errors, key=lambda error: error.row))
    return records


def _value(value: object) -> object:
    """Return a value read by GDAL as an importer reads it: text, bool, int (an integral float) or None."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if hasattr(value, "item"):  # a numpy scalar
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # GDAL reads an integer column with nulls as floats (capacity)
    return value
