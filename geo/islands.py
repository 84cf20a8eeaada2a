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
import pandas as pd
import shapely

from geo import boundaries
from core import settings
from geo.lookup import AreaIndex

METRIC_CRS = "EPSG:3395"  # World Mercator: scale error under 2 % within Indonesia's 11 degrees of latitude
_MIN_PART_M2 = 1.0  # smaller parts are slivers left by the buffers (and six degenerate upstream specks)
_indexes: dict[tuple, AreaIndex] = {}


def dissolve_islands(regencies: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return the land masses formed by `regencies` (see the module notes).

    Parameters
    ----------
    regencies
        Output of ``load_areas("regency")`` (or any areas with ``code`` and ``name``).

    Returns
    -------
    geopandas.GeoDataFrame
        ``island_id`` (0 = largest), ``label``, ``area_km2``, ``main_regency_code``,
        ``regency_codes`` (sorted list of the regencies with land on it) and the
        valid MultiPolygon ``geometry`` in EPSG:4326, sorted by ``island_id``.
    """
    half_gap = settings.island_merge_gap_m / 2
    metric = regencies.geometry.to_crs(METRIC_CRS).to_numpy()
    grown = shapely.get_parts(shapely.union_all(shapely.buffer(metric, half_gap, quad_segs=2)))
    # Shrinking part by part is 15x faster than shrinking the whole MultiPolygon at once.
    parts = shapely.get_parts(shapely.buffer(grown, -half_gap, quad_segs=2))
    parts = parts[shapely.area(parts) >= _MIN_PART_M2]
    land = gpd.GeoSeries(parts, crs=METRIC_CRS).to_crs("EPSG:4326")
    area_km2 = land.to_crs(boundaries.EQUAL_AREA_CRS).area.to_numpy() / 1e6
    order = np.argsort(-area_km2, kind="stable")
    islands = gpd.GeoDataFrame(
        {"island_id": np.arange(len(order)), "area_km2": area_km2[order]},
        geometry=boundaries.polygonal(land.to_numpy()[order]),  # reprojection can create self-touching rings
        crs="EPSG:4326",
    )
    return _attach_regencies(islands, regencies)


def _attach_regencies(islands: gpd.GeoDataFrame, regencies: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    # Each polygon part of a regency lies inside exactly one closed land mass (a closing only adds
    # land), so one interior point per part says which island the part, and its area, belongs to.
    parts = regencies[["code", "name", "geometry"]].explode(index_parts=False, ignore_index=True)
    island_row = AreaIndex(islands, tolerance_km=settings.island_merge_gap_m / 1000, key="island_id").locate_index(
        *shapely.get_coordinates(parts.geometry.representative_point().to_numpy()).T
    )
    shares = pd.DataFrame(
        {
            "island_id": islands["island_id"].to_numpy()[island_row],
            "code": parts["code"],
            "name": parts["name"],
            "area": parts.geometry.to_crs(boundaries.EQUAL_AREA_CRS).area.to_numpy(),
        }
    )[island_row >= 0]
    shares = shares.groupby(["island_id", "code", "name"], as_index=False)["area"].sum()
    shares = shares.sort_values(["island_id", "area", "code"], ascending=[True, False, True])
    per_island = shares.groupby("island_id").agg(
        main_regency_code=("code", "first"),
        main_name=("name", "first"),
        regency_codes=("code", lambda codes: sorted(codes)),
    )
    islands = islands.join(per_island, on="island_id")
    # A piece split off a regency part by the shrink holds no part's interior point: name it by location.
    orphan = islands["main_regency_code"].isna().to_numpy()
    if orphan.any():
        inner = shapely.get_coordinates(islands.geometry[orphan].representative_point().to_numpy()).T
        row = AreaIndex(regencies).locate_index(*inner)
        codes = regencies["code"].to_numpy()[row]
        islands.loc[orphan, "main_regency_code"] = codes
        islands.loc[orphan, "main_name"] = regencies["name"].to_numpy()[row]
        islands.loc[orphan, "regency_codes"] = pd.Series([[code] for code in codes], index=islands.index[orphan])
    count = islands["regency_codes"].map(len, na_action="ignore").fillna(0).astype(int)
    rank = islands.groupby("main_name").cumcount() + 1
    islands["label"] = (
        islands["main_name"]
        + np.where(count > 1, " (" + count.astype(str) + " regencies)", "")
        + np.where(rank > 1, " #" + rank.astype(str), "")
    )
    columns = ["island_id", "label", "area_km2", "main_regency_code", "regency_codes", "geometry"]
    return gpd.GeoDataFrame(islands[columns], geometry="geometry", crs="EPSG:4326")


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


def island_of(lon: object, lat: object) -> np.ndarray:
    """Return the ``island_id`` (int64) of the land mass each point is on, -1 where none.

    A point at sea gets the nearest island within ``settings.lookup_tolerance_km``
    (geodesic), and -1 beyond it. Arguments and errors are those of
    :meth:`geo.lookup.AreaIndex.locate`.
    """
    index = _index()
    row = index.locate_index(lon, lat)
    return np.where(row >= 0, index.keys[np.maximum(row, 0)], -1).astype(np.int64)
