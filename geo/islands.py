"""Land masses: which island a point is on, for travel models that add a sea leg between islands.

The data holds no island names, so islands are derived from the regency polygons:
they are dissolved in a metric CRS with a morphological closing (buffer out, union,
buffer in by half of ``settings.island_merge_gap_m``) that fills the slivers left
between independently simplified neighbours, then split into connected parts. Straits
wider than the gap (Madura, Bali, Lombok, Alor, Sebatik) keep their islands apart.

``island_id`` 0 is the largest land mass (Kalimantan's Indonesian part), then by area
descending: stable for the same inputs and settings. The label names the regency with
the largest share of the island (``"Kota Kupang (2 regencies)"``; islets of one regency
get ``#2``, ``#3``... by size).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from geo import boundaries
from geo._land import dissolve_islands
from geo.lookup import AreaIndex

__all__ = ["dissolve_islands", "island_of", "load_islands"]

_indexes: dict[tuple, AreaIndex] = {}


def load_islands() -> gpd.GeoDataFrame:
    """Return the land masses built by :func:`geo.boundaries.build` (building them if missing).

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`dissolve_islands`.
    """
    return gpd.read_parquet(boundaries.stamp("islands")[0])


def _index() -> AreaIndex:
    key = boundaries.stamp("islands")
    if key not in _indexes:
        _indexes.clear()
        _indexes[key] = AreaIndex(load_islands(), key="island_id")
    return _indexes[key]


def island_of(lon: object, lat: object, guess: int | None = None) -> np.ndarray:
    """Return the ``island_id`` (int64) of the land mass each point is on, -1 where none.

    A point at sea gets the nearest island within ``settings.lookup_tolerance_km``
    (geodesic), and -1 beyond it. Arguments and errors are those of
    :meth:`geo.lookup.AreaIndex.locate`.

    `guess`, for one point, is an island it is likely on (the last one found in its
    regency, say): a point inside that island is on it and on no other (the land masses do
    not overlap), found by one test of that polygon instead of a lookup among all.
    """
    index = _index()
    if guess is not None and isinstance(lon, (int, float)) and isinstance(lat, (int, float)):
        guessed = _rows(index).get(guess)
        if guessed is not None and shapely.contains_xy(index.geometries[guessed], lon, lat):
            return np.array([guess], dtype=np.int64)
    rows = index.locate_index(lon, lat)
    return np.where(rows >= 0, index.keys[np.maximum(rows, 0)], -1).astype(np.int64)


def _rows(index: AreaIndex) -> dict[int, int]:
    """Return the row of each island id in `index` (kept with the index)."""
    rows = index.__dict__.get("_rows_by_key")
    if rows is None:
        rows = index.__dict__.setdefault("_rows_by_key", {int(key): row for row, key in enumerate(index.keys)})
    return rows
