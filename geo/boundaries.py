"""Administrative boundaries of Indonesia: provinces, regencies and districts with Kemendagri codes.

:func:`build` turns the upstream MySQL dumps of cahyadsn/wilayah_boundaries into
GeoParquet files (EPSG:4326) in ``settings.data_dir / "boundaries"``, web-ready
simplified GeoJSON in its ``web/`` folder, the land masses of :mod:`geo.islands`
and a ``manifest.json``. :func:`load_areas` reads them (building on demand).

Upstream polygons are ``[lat, lng]`` JSON arrays (depth 4 = MultiPolygon, depth 3 =
Polygon), simplified one by one, so neighbours overlap or leave slivers, and a quarter
are invalid as stored. Every geometry is repaired with ``shapely.make_valid`` keeping
only its polygonal parts and stored as a MultiPolygon. Data: MIT, (c) cahya dsn.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from difflib import get_close_matches
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from tqdm.auto import tqdm

from core import settings
from core.errors import DataUnavailableError, InputError, NotFoundError, shown
from core.files import private_dir
from geo import sources, wilayah
from geo._geometry import EQUAL_AREA_CRS, polygonal
from geo._land import dissolve_islands
from geo._sql import read_table

BUILD_VERSION = 2
"""Bump when the artefacts change for the same inputs; a build then replaces them."""

LEVELS: tuple[str, ...] = ("province", "regency", "district")
COLUMNS: list[str] = [
    "code",
    "name",
    "level",
    "parent_code",
    "province_code",
    "regency_code",
    "population",
    "area_km2",
    "geometry",
]
_UPSTREAM_DIR = {"province": "prov", "regency": "kab", "district": "kec"}
_FILE = {"province": "provinces", "regency": "regencies", "district": "districts"}
_METRES_PER_DEGREE = 111_320.0
_cache: dict[tuple[Path, int, str], gpd.GeoDataFrame] = {}


def boundaries_dir() -> Path:
    """Return the folder of the built artefacts, ``settings.data_dir / "boundaries"``."""
    return _boundaries_dir(settings.data_dir)


@functools.lru_cache(maxsize=16)
def _boundaries_dir(data_dir: str | Path) -> Path:  # on the hot path of every cached lookup: a Path once per folder
    return Path(data_dir) / "boundaries"


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise InputError("level", level, f"is expected to be one of {list(LEVELS)}.")
    return level


def artefact_name(level: str) -> str:
    """Return the :func:`artefact_paths` name of a level's GeoParquet file, e.g. ``"districts"``."""
    return _FILE[_check_level(level)]


def _upstream_files(level: str) -> list[str]:
    return sources.files_under(f"upstream/wilayah_boundaries/db/{_UPSTREAM_DIR[level]}/")


def _path_to_geometry(text: str) -> shapely.MultiPolygon:
    data = json.loads(text)
    depth, probe = 0, data
    while isinstance(probe, list) and probe:
        depth, probe = depth + 1, probe[0]
    if depth not in (3, 4):
        msg = f"A boundary path has nesting depth {depth}; only 3 (Polygon) and 4 (MultiPolygon) are known."
        raise DataUnavailableError(msg)
    polygons = [data] if depth == 3 else data
    rings = [[np.asarray(ring, dtype=float)[:, ::-1] for ring in polygon] for polygon in polygons]
    return shapely.MultiPolygon([shapely.Polygon(shell, holes) for shell, *holes in rings])


def _read_level(level: str, progress: bool) -> gpd.GeoDataFrame:
    files = _upstream_files(level)
    frames = [
        read_table(sources.fetch(path), "wilayah_boundaries")
        for path in tqdm(files, desc=f"read {level} boundaries", disable=not progress, leave=False)
    ]
    raw = pd.concat(frames, ignore_index=True)
    geometry = polygonal(np.array([_path_to_geometry(text) for text in raw["path"]], dtype=object))
    return gpd.GeoDataFrame({"code": raw["kode"].astype(str)}, geometry=geometry, crs="EPSG:4326")


def _attach_attributes(shapes: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    codes = wilayah.load_codes((level,)).set_index("code")
    duplicated = shapes["code"][shapes["code"].duplicated()].tolist()
    missing = sorted(set(codes.index) - set(shapes["code"]))
    unknown = sorted(set(shapes["code"]) - set(codes.index))
    if duplicated or missing or unknown:
        msg = (
            f"The {level} boundaries do not match wilayah.sql: duplicated {duplicated[:10]}, "
            f"without a polygon {missing[:10]}, unknown codes {unknown[:10]}; pin matching upstream commits."
        )
        raise DataUnavailableError(msg)
    frame = shapes.sort_values("code", ignore_index=True)
    code = frame["code"].astype(object)
    frame["name"] = code.map(codes["name"])
    frame["level"] = level
    frame["parent_code"] = wilayah.parent_of(code)
    frame["province_code"] = code.str[:2]
    frame["regency_code"] = None if level == "province" else code.str[:5]
    frame["population"] = code.map(wilayah.load_population()).astype("Int64")
    frame["area_km2"] = frame.geometry.to_crs(EQUAL_AREA_CRS).area.to_numpy() / 1e6
    return gpd.GeoDataFrame(frame[COLUMNS], geometry="geometry", crs="EPSG:4326")


def web_geometry(areas: gpd.GeoDataFrame, level: str) -> gpd.GeoDataFrame:
    """Return `areas` simplified for a web map (``settings.web_simplify_tolerance_m``) and rounded."""
    tolerance_deg = settings.web_simplify_tolerance_m[level] / _METRES_PER_DEGREE
    simple = shapely.simplify(areas.geometry.to_numpy(), tolerance_deg, preserve_topology=True)
    # Islets smaller than a tolerance-sized square vanish at the zoom where this file is used.
    parts, index = shapely.get_parts(simple, return_index=True)
    largest = pd.Series(shapely.area(parts)).groupby(index).transform("max").to_numpy()
    keep = (shapely.area(parts) >= tolerance_deg**2) | (shapely.area(parts) == largest)
    simple = shapely.multipolygons(parts[keep], indices=index[keep])
    properties = areas[["code", "name", "parent_code", "population"]].copy()
    return gpd.GeoDataFrame(properties, geometry=simple, crs="EPSG:4326")


def _write_web(areas: gpd.GeoDataFrame, level: str, path: Path) -> None:
    # Compact GeoJSON written by hand: GDAL's writer pads every coordinate with spaces (+40 % size).
    web = web_geometry(areas, level)
    decimals = settings.web_coordinate_decimals
    geometries = shapely.to_geojson(shapely.transform(web.geometry.to_numpy(), lambda xy: np.round(xy, decimals)))
    properties = web.drop(columns="geometry").astype(object).where(web.drop(columns="geometry").notna(), None)
    features = (
        f'{{"type":"Feature","properties":{json.dumps(props, separators=(",", ":"), ensure_ascii=False)},'
        f'"geometry":{geometry}}}'
        for props, geometry in zip(properties.to_dict("records"), geometries, strict=True)
    )
    with path.open("w", encoding="utf-8") as handle:
        handle.write('{"type":"FeatureCollection","features":[\n')
        handle.write(",\n".join(features))
        handle.write("\n]}\n")


def _inputs() -> dict[str, str]:
    paths = [path for level in LEVELS for path in _upstream_files(level)]
    paths += [wilayah.WILAYAH, wilayah.PENDUDUK]
    return {path: sources.registry()[path].sha256 for path in sorted(paths)}


def _recipe() -> dict[str, object]:
    return {
        "build_version": BUILD_VERSION,
        "inputs": _inputs(),
        "settings": {
            "web_simplify_tolerance_m": dict(settings.web_simplify_tolerance_m),
            "web_coordinate_decimals": settings.web_coordinate_decimals,
            "island_merge_gap_m": settings.island_merge_gap_m,
        },
    }


def _manifest_matches(folder: Path, recipe: dict[str, object]) -> bool:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if {key: manifest.get(key) for key in recipe} != recipe:
        return False
    outputs = manifest.get("outputs", {})
    return bool(outputs) and all(
        (folder / name).is_file() and (folder / name).stat().st_size == size for name, size in outputs.items()
    )


def artefact_paths(folder: Path | None = None) -> dict[str, Path]:
    """Return the artefacts of a build by name (``provinces``, ..., ``web_district``, ``islands``, ``manifest``)."""
    return dict(_artefact_paths(boundaries_dir() if folder is None else folder))


@functools.lru_cache(maxsize=16)
def _artefact_paths(folder: Path) -> dict[str, Path]:  # on the hot path of every cached lookup: built once per folder
    paths = {_FILE[level]: folder / f"{_FILE[level]}.parquet" for level in LEVELS}
    paths |= {f"web_{level}": folder / "web" / f"{_FILE[level]}.geojson" for level in LEVELS}
    return paths | {"islands": folder / "islands.parquet", "manifest": folder / "manifest.json"}


@contextlib.contextmanager
def _build_lock(folder: Path) -> Iterator[None]:
    private_dir(folder.parent)  # the data folder also holds the database: owner only
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".build.lock", "w") as handle:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - Windows: concurrent builds are not guarded
            pass
        yield


def build(force: bool = False, progress: bool = True) -> dict[str, Path]:
    """Build the boundary artefacts in ``settings.data_dir / "boundaries"``, or reuse them.

    Parameters
    ----------
    force
        Rebuild even when ``manifest.json`` shows the artefacts match the pinned
        inputs, :data:`BUILD_VERSION` and the web and island settings.
    progress
        Show tqdm progress bars.

    Returns
    -------
    dict[str, pathlib.Path]
        The artefacts by name, as :func:`artefact_paths`.

    Notes
    -----
    Everything is written into a temporary folder first; files are moved into
    place (each move atomic) only when all are complete, the manifest last, so
    a failed build leaves no half-written file and no manifest that matches a
    mixed set. A file lock serialises concurrent builds.
    """
    folder = boundaries_dir()
    recipe = _recipe()
    if not force and _manifest_matches(folder, recipe):
        return artefact_paths(folder)
    with _build_lock(folder):
        if not force and _manifest_matches(folder, recipe):
            return artefact_paths(folder)
        work = Path(tempfile.mkdtemp(prefix=".build-", dir=folder))
        try:
            paths = artefact_paths(work)
            paths["web_province"].parent.mkdir()
            steps = tqdm(total=len(LEVELS) + 1, desc="build boundaries", disable=not progress)
            for level in LEVELS:
                areas = _attach_attributes(_read_level(level, progress), level)
                areas.to_parquet(paths[_FILE[level]], index=False)
                _write_web(areas, level, paths[f"web_{level}"])
                if level == "regency":
                    dissolve_islands(areas).to_parquet(paths["islands"], index=False)
                steps.update()
            outputs = {str(p.relative_to(work)): p.stat().st_size for name, p in paths.items() if name != "manifest"}
            paths["manifest"].write_text(json.dumps(recipe | {"outputs": outputs}, indent=2), encoding="utf-8")
            _commit(paths, artefact_paths(folder))
            steps.update()
            steps.close()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    _cache.clear()
    return artefact_paths(folder)


def _commit(built: dict[str, Path], targets: dict[str, Path]) -> None:
    # The manifest goes first and comes back last: if this is interrupted, no manifest matches
    # the mixed files and the next build redoes them. Each os.replace is atomic on its own.
    targets["manifest"].unlink(missing_ok=True)
    targets["web_province"].parent.mkdir(parents=True, exist_ok=True)
    for name in sorted(built, key=lambda name: name == "manifest"):
        os.replace(built[name], targets[name])


def load_areas(level: str) -> gpd.GeoDataFrame:
    """Return the areas of one level, building the artefacts first if they are missing.

    Parameters
    ----------
    level
        ``"province"``, ``"regency"`` or ``"district"``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``code``, ``name``, ``level``, ``parent_code`` (None for
        provinces), ``province_code``, ``regency_code`` (None for provinces, the
        regency itself for a regency), ``population`` (Int64, registered
        population; NA for districts), ``area_km2`` (EPSG:6933) and a valid
        MultiPolygon ``geometry`` in EPSG:4326; sorted by code.

    Raises
    ------
    InputError
        If `level` is not one of the three.
    """
    _check_level(level)
    key = (*stamp(_FILE[level]), level)
    if key not in _cache:
        areas = gpd.read_parquet(key[0])
        areas["population"] = areas["population"].astype("Int64")
        for column in ("parent_code", "regency_code"):  # None, not NaN, where there is no parent
            areas[column] = areas[column].astype(object).where(areas[column].notna(), None)
        _cache[key] = areas
    return _cache[key].copy()


def stamp(name: str) -> tuple[Path, int]:
    """Return an artefact's resolved path and mtime (a cache key), building it first if missing.

    `name` is a key of :func:`artefact_paths`, e.g. ``"districts"`` or ``"islands"``.
    """
    path = _artefact_paths(boundaries_dir())[name]
    try:
        mtime = os.stat(path).st_mtime_ns  # one system call on the hot path of every cached lookup
    except FileNotFoundError:
        build(progress=False)
        mtime = os.stat(path).st_mtime_ns
    return _resolved(path), mtime


@functools.lru_cache(maxsize=64)
def _resolved(path: Path) -> Path:
    return path.resolve()


def web_geojson_path(level: str) -> Path:
    """Return the simplified GeoJSON of `level` for web maps, building it first if missing."""
    return stamp(f"web_{_check_level(level)}")[0]


def level_of_code(code: str, field: str = "code") -> str:
    """Return ``"province"``, ``"regency"`` or ``"district"`` for a dotted code of that shape.

    Raises
    ------
    InputError
        If `code` has another shape; the error names `field`, the caller's name for it.
    """
    level = {2: "province", 5: "regency", 8: "district"}.get(len(code)) if isinstance(code, str) else None
    if level is None:
        raise InputError(field, code, 'is expected to be a dotted Kemendagri code such as "53", "53.71", "53.71.01".')
    return level


def area(code: str, field: str = "code") -> pd.Series:
    """Return the row of :func:`load_areas` for `code` (its level is read from its length).

    Parameters
    ----------
    code
        A dotted Kemendagri code: ``"53"``, ``"53.71"`` or ``"53.71.01"``.
    field
        The caller's name for the value (an option or parameter such as ``"within"``
        or ``"area"``), named in the errors.

    Raises
    ------
    InputError
        If `code` is not shaped like a province, regency or district code.
    NotFoundError
        If no area has that code; the message names `field` and lists close codes and their names.
    """
    areas = load_areas(level_of_code(code, field)).set_index("code", drop=False)
    if code in areas.index:
        return areas.loc[code]
    close = get_close_matches(code, areas.index.tolist(), n=5, cutoff=0.6)
    hint = ", ".join(f"{c} ({areas.at[c, 'name']})" for c in close) or "none"
    msg = f"`{field}` was {shown(code)} but no {areas['level'].iat[0]} has that code; close codes: {hint}."
    raise NotFoundError(msg)


def random_points(level: str, count: int, rng: np.random.Generator) -> list[tuple[float, float]]:
    """Return `count` random ``(lon, lat)``: each inside a random area of `level` (rejection sampling in its bounds).

    For benchmarks and tests that ask from many places at once (``bench/bench_referral.py``).
    """
    areas = load_areas(level)
    chosen = areas.geometry.iloc[rng.integers(0, len(areas), count)].to_numpy()
    points = []
    for polygon in chosen:
        minx, miny, maxx, maxy = polygon.bounds
        while True:
            x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
            if shapely.contains_xy(polygon, x, y):
                points.append((x, y))
                break
    return points
