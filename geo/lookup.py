"""Which area is a point in: vectorised point-in-polygon with a deterministic answer for every point.

The upstream polygons were simplified one by one, so near a border a point can lie in
two polygons (overlap) or in none (sliver, or just offshore). :class:`AreaIndex`
answers each point by these rules, in order:

1. inside exactly one polygon (boundary included): that area;
2. inside several: the one the point is deepest inside (largest distance to its
   boundary), then the smallest code;
3. inside none: the nearest area whose geodesic distance (WGS84) is at most the
   tolerance (``settings.lookup_tolerance_km`` unless given), then the smallest code;
4. otherwise None.

Speed: the polygons are prepared once and each query builds an STRtree of the *points*,
so every prepared polygon tests only the points in its bounding box (indexed
point-in-area). Points that need a tie-break or the sea rule are a small share, so the
whole lookup runs about as fast as a plain ``geopandas.sjoin`` (see bench/bench_geo.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely

from geo import boundaries
from geo._area_index import AreaIndex, _distance_m, coordinates

_indexes: dict[str, tuple[tuple, AreaIndex]] = {}


def distance_to_area_km(lon: object, lat: object, codes: Sequence[str]) -> np.ndarray:
    """Return the geodesic distance (km) from each point to the polygon of its area (0 inside).

    Parameters
    ----------
    lon, lat
        WGS84 degrees, one pair per code.
    codes
        Dotted Kemendagri codes of provinces, regencies or districts (levels may be mixed).

    Returns
    -------
    numpy.ndarray
        Kilometres, one per point.
    """
    lon, lat = coordinates(lon, lat)
    polygons: dict[str, object] = {}
    for level in {boundaries.level_of_code(code) for code in codes}:
        polygons.update(boundaries.load_areas(level).set_index("code").geometry.to_dict())
    geometries = np.array([polygons[code] for code in codes], dtype=object)
    return _distance_m(shapely.points(lon, lat), geometries) / 1000.0


def area_index(level: str = "district") -> AreaIndex:
    """Return the cached :class:`AreaIndex` of a level of :func:`geo.boundaries.load_areas`."""
    stamp = boundaries.stamp(boundaries.artefact_name(level))
    cached = _indexes.get(level)
    if cached is None or cached[0] != stamp:  # none yet, or built from artefacts since rebuilt
        cached = _indexes[level] = (stamp, AreaIndex(boundaries.load_areas(level)))
    return cached[1]


def locate(lon: object, lat: object, level: str = "district") -> np.ndarray:
    """Return the code of the `level` area each point is in (None where none); see :class:`AreaIndex`."""
    return area_index(level).locate(lon, lat)


def locate_hierarchy(lon: float | Sequence[float], lat: float | Sequence[float]) -> pd.DataFrame:
    """Return the district, regency and province of each point, consistent with the code hierarchy.

    A point is looked up among the districts; its regency and province are the
    prefixes of the district code (not separate lookups, which could disagree near
    a border because every level was simplified on its own). A point with no
    district within tolerance is looked up among the regencies, and its province
    is that regency's prefix; its district is None.

    Returns
    -------
    pandas.DataFrame
        Columns ``district_code``, ``regency_code``, ``province_code`` (None where
        no area is within tolerance), one row per point.
    """
    district = locate(lon, lat, "district")
    regency = _prefix(district, 5)
    missing = np.flatnonzero(pd.isna(district))
    if len(missing):
        lon_arr, lat_arr = coordinates(lon, lat)
        regency[missing] = locate(lon_arr[missing], lat_arr[missing], "regency")
    columns = {"district_code": district, "regency_code": regency, "province_code": _prefix(regency, 2)}
    return pd.DataFrame(columns, dtype=object)


def _prefix(codes: np.ndarray, length: int) -> np.ndarray:
    return np.array([code[:length] if isinstance(code, str) else None for code in codes], dtype=object)
