"""Geometry helpers shared by the boundary and island builds: the equal-area CRS and polygon repair."""

from __future__ import annotations

import numpy as np
import shapely

from core.errors import DataUnavailableError

EQUAL_AREA_CRS = "EPSG:6933"
"""World Cylindrical Equal Area: areas in square metres."""


def polygonal(geometries: np.ndarray) -> np.ndarray:
    """Return `geometries` made valid, keeping only their polygonal parts, as MultiPolygons."""
    fixed = shapely.make_valid(np.asarray(geometries))
    parts, index = shapely.get_parts(fixed, return_index=True)
    # A GeometryCollection from make_valid can hold MultiPolygons and lines: split once more.
    parts, sub_index = shapely.get_parts(parts, return_index=True)
    index = index[sub_index]
    keep = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    counts = np.bincount(index[keep], minlength=len(fixed))
    if (counts == 0).any():
        msg = f"{int((counts == 0).sum())} boundary geometries have no polygonal part after repair."
        raise DataUnavailableError(msg)
    return shapely.multipolygons(parts[keep], indices=index[keep])
