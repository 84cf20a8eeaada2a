"""Building the land masses from the regency polygons (the method is in :mod:`geo.islands`' notes).

Kept apart from :mod:`geo.islands`, which loads the built land masses, so that the boundary
build (:func:`geo.boundaries.build`) can make them without importing what reads them.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from core import settings
from geo._area_index import AreaIndex
from geo._geometry import EQUAL_AREA_CRS, polygonal

METRIC_CRS = "EPSG:3395"  # World Mercator: scale error under 2 % within Indonesia's 11 degrees of latitude
_MIN_PART_M2 = 1.0  # smaller parts are slivers left by the buffers (and six degenerate upstream specks)


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
    area_km2 = land.to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6
    order = np.argsort(-area_km2, kind="stable")
    islands = gpd.GeoDataFrame(
        {"island_id": np.arange(len(order)), "area_km2": area_km2[order]},
        geometry=polygonal(land.to_numpy()[order]),  # reprojection can create self-touching rings
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
            "area": parts.geometry.to_crs(EQUAL_AREA_CRS).area.to_numpy(),
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
