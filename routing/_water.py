"""Whether a straight road leg would cross water: a bay, an estuary, a strait inside one land mass.

A land mass (:mod:`geo.islands`) is not a road network: Balikpapan and Penajam are on one
island, but Balikpapan Bay lies between them, and the road goes round it. A straight leg
is tested at points :data:`STEP_KM` apart (its ends excluded); it crosses water when two
consecutive points (about 2 km) are at sea, so the simplified coastline's small errors do
not count. Long legs are tested at most :data:`MAX_SAMPLES` times (coarser steps): the
estimate's long legs stand for winding roads anyway.

Whether a point is at sea is read from a land mask: the land masses burnt into a grid of
:data:`CELL_DEG` degree cells (about 550 m) by ``rasterio.features.rasterize`` (a cell is
land when its centre is), once per boundary build. A point takes its cell's value, so a
test point moves by at most half a cell diagonal (about 400 m), well inside the two points
of sea the rule asks for; a lookup is array indexing, where a point-in-polygon test on the
country's coastline costs about a microsecond a point (most of a referral's time when it
attached its origin).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
from rasterio.features import rasterize
from rasterio.transform import Affine

from geo import boundaries, islands
from routing._kernels import cells_are_land, legs_cross_water

STEP_KM = 1.0
MAX_SAMPLES = 200
CELL_DEG = 0.005


@dataclass(frozen=True)
class LandMask:
    """Land cells of a north-up grid, one bit each (``numpy.packbits`` order, row by row).

    Attributes
    ----------
    west, north
        The grid's north-west corner (degrees).
    cell
        The cell size (degrees).
    width, height
        Columns and rows.
    bits
        The packed cells: 1 for land.
    """

    west: float
    north: float
    cell: float
    width: int
    height: int
    bits: np.ndarray

    def on_land(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return whether each point's cell is land (points off the grid are at sea)."""
        x, y = (np.ascontiguousarray(a, dtype=float).ravel() for a in (lon, lat))
        land = cells_are_land(x, y, self.grid, self.bits)
        return land.reshape(np.shape(lon))

    @property
    def grid(self) -> tuple[float, float, float, int, int]:
        """``(west, north, cell, width, height)``: the grid, as the compiled lookups take it."""
        return self.west, self.north, self.cell, self.width, self.height


def land_mask_of(geometries: npt.ArrayLike, cell: float = CELL_DEG) -> LandMask:
    """Return the :class:`LandMask` of polygons in EPSG:4326 degrees (a cell is land when its centre is inside)."""
    geometries = np.asarray(geometries, dtype=object)
    bounds = np.array([geometry.bounds for geometry in geometries])
    west, south = np.floor(bounds[:, :2].min(axis=0) / cell) * cell - cell
    east, north = np.ceil(bounds[:, 2:].max(axis=0) / cell) * cell + cell
    width, height = round((east - west) / cell), round((north - south) / cell)
    grid = rasterize(
        ((geometry, 1) for geometry in geometries),
        out_shape=(height, width),
        transform=Affine(cell, 0.0, west, 0.0, -cell, north),
        fill=0,
        dtype="uint8",
    )
    return LandMask(float(west), float(north), cell, width, height, np.packbits(grid.ravel()))


@cache
def _mask(stamp: tuple) -> LandMask:
    return land_mask_of(islands.load_islands().geometry.to_numpy())


def land_mask() -> LandMask:
    """Return the land mask of the land masses (built once per boundary build)."""
    return _mask(boundaries.stamp("islands"))


def crosses_water(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike, km: npt.ArrayLike
) -> np.ndarray:
    """Return, per straight leg from point 1 to point 2 (`km` long), whether it crosses water (module notes)."""
    lon1, lat1, lon2, lat2, km = (np.asarray(a, dtype=float) for a in (lon1, lat1, lon2, lat2, km))
    if not lon1.shape == lat1.shape == lon2.shape == lat2.shape == km.shape or lon1.ndim != 1:
        lon1, lat1, lon2, lat2, km = (a.ravel() for a in np.broadcast_arrays(lon1, lat1, lon2, lat2, km))
    mask = land_mask()
    return legs_cross_water(lon1, lat1, lon2, lat2, km, STEP_KM, MAX_SAMPLES, mask.grid, mask.bits)
