"""A point-in-polygon index over any set of areas (:class:`AreaIndex`), and coordinate checks.

Used by :mod:`geo.lookup` on the boundary artefacts and by :mod:`geo._land` on the land masses
while they are built; it reads no artefact itself.
"""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from core import settings
from core.errors import InputError

_GEOD = pyproj.Geod(ellps="WGS84")
_KM_PER_DEGREE = 111.32
_FEW_POINTS = 64  # below this many points a query walks a tree of the areas (see AreaIndex._candidates)


def coordinates(lon: object, lat: object) -> tuple[np.ndarray, np.ndarray]:
    """Return `lon` and `lat` as equal-length 1-D float arrays, or raise InputError naming the bad value."""
    if _one_valid_point(lon, lat):  # checked without NumPy calls: most of the time of a referral's lookups
        return np.array([lon], dtype=float), np.array([lat], dtype=float)
    arrays = []
    for field, value, limit in (("lon", lon, 180.0), ("lat", lat, 90.0)):
        try:
            array = np.atleast_1d(np.asarray(value, dtype=float)).ravel()
        except (TypeError, ValueError):
            shown = value if len(repr(value)) <= 100 else repr(value)[:100] + "…"  # never echo a long input whole
            raise InputError(field, shown, "is expected to be a number or an array of numbers.") from None
        bad = ~np.isfinite(array) | (np.abs(array) > limit)
        if bad.any():
            first = array[bad][0]
            raise InputError(field, first, f"is expected to be a finite number in [-{limit:g}, {limit:g}] (WGS84).")
        arrays.append(array)
    if arrays[0].shape != arrays[1].shape:
        message = f"is expected to have as many values as `lon`: {arrays[0].size}."
        raise InputError("lat", f"{arrays[1].size} values", message)
    return arrays[0], arrays[1]


def _one_valid_point(lon: object, lat: object) -> bool:
    """Return whether `lon`, `lat` are two numbers, finite and in range (False: let the general check decide)."""
    if not (isinstance(lon, (int, float)) and isinstance(lat, (int, float))):
        return False
    return math.isfinite(lon) and abs(lon) <= 180.0 and math.isfinite(lat) and abs(lat) <= 90.0


def _distance_m(points: np.ndarray, geometries: np.ndarray) -> np.ndarray:
    """Return the geodesic distance (m) from each point to the pairwise geometry (0 inside).

    The nearest point of the geometry is found in degree space; within a few km it is
    also the geodesic nearest.
    """
    lines = shapely.shortest_line(points, geometries)  # one call: costly against a large island's boundary
    start, end = (shapely.get_coordinates(shapely.get_point(lines, i)) for i in (0, 1))
    return _GEOD.inv(start[:, 0], start[:, 1], end[:, 0], end[:, 1])[2]


def _first_best(point: np.ndarray, *keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the positions of the best pair per point: lowest `keys` in order (last key breaks ties)."""
    order = np.lexsort((*reversed(keys), point))
    _, first = np.unique(point[order], return_index=True)
    return point[order][first], order[first]


class AreaIndex:
    """A point-in-polygon index over areas with the tie-break rules of :mod:`geo.lookup`.

    Parameters
    ----------
    areas
        Polygons in EPSG:4326 with a unique `key` column.
    tolerance_km
        Largest geodesic distance at which a point outside every polygon is still
        given the nearest area. None reads ``settings.lookup_tolerance_km`` at
        each query.
    key
        The column returned by :meth:`locate`.
    """

    def __init__(self, areas: gpd.GeoDataFrame, tolerance_km: float | None = None, key: str = "code") -> None:
        if tolerance_km is not None and not (np.isfinite(tolerance_km) and tolerance_km >= 0):
            raise InputError("tolerance_km", tolerance_km, "is expected to be a finite number >= 0 or None.")
        if areas.crs is not None and not areas.crs.equals("EPSG:4326"):
            areas = areas.to_crs("EPSG:4326")
        self.keys = areas[key].to_numpy()
        self.geometries = np.array(areas.geometry.to_numpy(), dtype=object)
        shapely.prepare(self.geometries)
        self.boundaries = shapely.boundary(self.geometries)
        # rank[i] orders area i by its key: the "smallest code" tie-break.
        self.rank = np.argsort(np.argsort(self.keys, kind="stable"), kind="stable")
        self.tolerance_km = tolerance_km
        self._area_tree: shapely.STRtree | None = None

    def _candidates(self, points: np.ndarray, predicate: str, distance: float | None = None) -> tuple:
        """Return (area, point) position pairs that satisfy `predicate`.

        Few points query a tree of the areas (built on first use); many points are put in
        a tree of their own that every prepared area queries, which is faster in bulk.
        """
        if len(points) < _FEW_POINTS:
            if self._area_tree is None:
                self._area_tree = shapely.STRtree(self.geometries)
            if predicate == "intersects":  # the tree's boxes, then the prepared areas (fast for large polygons)
                point, area = self._area_tree.query(points)
                hit = shapely.intersects_xy(self.geometries[area], *shapely.get_coordinates(points[point]).T)
                return area[hit], point[hit]
            point, area = self._area_tree.query(points, predicate=predicate, distance=distance)
            return area, point
        return shapely.STRtree(points).query(self.geometries, predicate=predicate, distance=distance)

    def locate_index(self, lon: object, lat: object) -> np.ndarray:
        """Return the position (row) of the area each point is in, -1 where none (see :meth:`locate`)."""
        lon, lat = coordinates(lon, lat)
        if lon.size == 1 and (inside := self._only_area(float(lon[0]), float(lat[0]))) is not None:
            return np.array([inside], dtype=np.int64)  # one point in one area: no tie to break (a referral's origin)
        points = shapely.points(np.column_stack([lon, lat]))  # from one (n, 2) array: faster than from x and y
        result = np.full(len(points), -1, dtype=np.int64)
        area, point = self._candidates(points, "intersects")
        if len(point):
            hits = np.bincount(point, minlength=len(points))
            single = hits[point] == 1
            result[point[single]] = area[single]
            multi_point, multi_area = point[~single], area[~single]
            if len(multi_point):
                depth = shapely.distance(points[multi_point], self.boundaries[multi_area])
                chosen_point, best = _first_best(multi_point, -depth, self.rank[multi_area])
                result[chosen_point] = multi_area[best]
        outside = np.flatnonzero(result < 0)
        if len(outside):
            nearest = self._nearest_within_tolerance(lon[outside], lat[outside], points[outside])
            result[outside] = nearest
        return result

    def _only_area(self, lon: float, lat: float) -> int | None:
        """Return the row of the one area the point is in; None when it is in none or in several."""
        if self._area_tree is None:
            self._area_tree = shapely.STRtree(self.geometries)
        candidates = self._area_tree.query(shapely.Point(lon, lat))
        hits = candidates[shapely.intersects_xy(self.geometries[candidates], lon, lat)]
        return int(hits[0]) if len(hits) == 1 else None

    def _nearest_within_tolerance(self, lon: np.ndarray, lat: np.ndarray, points: np.ndarray) -> np.ndarray:
        tolerance_km = settings.lookup_tolerance_km if self.tolerance_km is None else self.tolerance_km
        result = np.full(len(points), -1, dtype=np.int64)
        if tolerance_km <= 0:
            return result
        # A planar bound in degrees that no point within tolerance_km can exceed (a degree of longitude
        # shrinks with cos(lat)); the geodesic distance below decides.
        cos_lat = np.cos(np.radians(min(float(np.abs(lat).max()) + 1.0, 89.0)))
        bound_deg = tolerance_km / (_KM_PER_DEGREE * cos_lat * 0.99)
        area, point = self._candidates(points, "dwithin", bound_deg)
        if not len(point):
            return result
        distance_m = _distance_m(points[point], self.geometries[area])
        near = distance_m <= tolerance_km * 1000.0
        if near.any():
            chosen_point, best = _first_best(point[near], distance_m[near], self.rank[area[near]])
            result[chosen_point] = area[near][best]
        return result

    def locate(self, lon: object, lat: object) -> np.ndarray:
        """Return the key of the area each point is in (None where none), by the module's rules.

        Parameters
        ----------
        lon, lat
            WGS84 degrees: numbers or equal-length array-likes.

        Returns
        -------
        numpy.ndarray
            Object array of keys, one per point.

        Raises
        ------
        InputError
            If a coordinate is not a finite number in range; the message names it.
        """
        index = self.locate_index(lon, lat)
        found = np.full(len(index), None, dtype=object)
        found[index >= 0] = self.keys[index[index >= 0]]
        return found
