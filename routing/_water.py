"""Whether a straight road leg would cross water: a bay, an estuary, a strait inside one land mass.

A land mass (:mod:`geo.islands`) is not a road network: Balikpapan and Penajam are on one
island, but Balikpapan Bay lies between them, and the road goes round it. A straight leg
is tested at points :data:`STEP_KM` apart (its ends excluded) against the land polygons;
it crosses water when two consecutive points (about 2 km) are outside every land mass, so
the simplified coastline's small errors do not count. Long legs are tested at most
:data:`MAX_SAMPLES` times (coarser steps): the estimate's long legs stand for winding
roads anyway.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
import shapely

from geo import boundaries, islands

STEP_KM = 1.0
MAX_SAMPLES = 200


@cache
def _land(stamp: tuple) -> shapely.Geometry:
    land = shapely.union_all(islands.load_islands().geometry.to_numpy())
    shapely.prepare(land)
    return land


def land() -> shapely.Geometry:
    """Return the union of the land masses, prepared for point tests (once per boundary build)."""
    return _land(boundaries.stamp("islands"))


def crosses_water(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike, km: npt.ArrayLike
) -> np.ndarray:
    """Return, per straight leg from point 1 to point 2 (`km` long), whether it crosses water (module notes)."""
    lon1, lat1, lon2, lat2, km = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (lon1, lat1, lon2, lat2, km))
    )
    lon1, lat1, lon2, lat2, km = (a.ravel() for a in (lon1, lat1, lon2, lat2, km))
    steps = np.clip(np.ceil(np.nan_to_num(km, posinf=0.0) / STEP_KM), 1, MAX_SAMPLES).astype(np.int64)
    inner = steps - 1  # sample points strictly between the ends
    if not inner.sum():
        return np.zeros(len(km), dtype=bool)
    leg = np.repeat(np.arange(len(km)), inner)
    first = np.cumsum(inner) - inner
    t = (np.arange(inner.sum()) - first[leg] + 1) / steps[leg]
    x, y = lon1[leg] + (lon2[leg] - lon1[leg]) * t, lat1[leg] + (lat2[leg] - lat1[leg]) * t
    water = ~shapely.contains_xy(land(), x, y)
    twice = water[1:] & water[:-1] & (leg[1:] == leg[:-1])
    return np.bincount(leg[1:][twice], minlength=len(km)) > 0
