"""Coverage: how far every district is from help, per capability, and where the gaps are.

Method
------
Let ``t(a, d)`` be the travel hours between agency ``a`` (its point attached to the
national estimated network, :class:`routing.national.NationalNetwork`) and the
representative point of district ``d`` (a node of that network); the network is
symmetric, so it is also the victim's trip to the office. For a capability ``c`` let
``A_c`` be the agencies offering it and ``P_c[a, d]`` the matrix of
:func:`routing.jurisdiction.permitted` (``a`` may take a case needing ``c`` from ``d``
without cross-border coordination). Then, for every district:

* ``hours_any = min_{a in A_c} t(a, d)``, the nearest capable agency whatever its
  jurisdiction, and ``hours_permitted = min_{a in A_c, P_c[a, d]} t(a, d)``, the nearest
  that may take the case under the jurisdiction rules (``hours_permitted >= hours_any``).
  The agencies are attached to the network once for all capabilities
  (:meth:`~routing.national.NationalNetwork.sources`), and agencies sharing an office
  are searched from once.
* The hours ``t`` come from one Dijkstra per distinct agency point to every district,
  computed once per directory change and kept with the join (searches of the kind the
  referral's trees run), so a request searches nothing: it reads per capability the least hours
  over the capable rows, masked by ``P_c`` with the rules (:mod:`routing._coverage_nearest`).
  With the rules it could not be one multi-source pass per capability: such a Dijkstra
  needs one set of sources for every target, but which agencies may take a case depends
  on the district the case is in (a regency unit only for its own regency and its
  agreement partners, a provincial unit for its province, national agencies everywhere),
  so the permitted "sources" change from one district to the next, even between
  neighbours. ``hours_any`` is also what one multi-source pass from the capable agencies
  gives (:meth:`~routing.national.NationalNetwork.nearest_source`, tested);
* ``agency_id_*`` / ``agency_name_*``: the agency attaining the minimum (missing if none;
  of agencies at equal hours, e.g. sharing an office, the first listed);
* ``gap_* = hours_* > settings.coverage_standard_h[c]`` (read at call time); a district
  no agency reaches (``inf``) is a gap;
* ``time_class_*``: :data:`TIME_CLASSES`, bounds :data:`TIME_CLASS_BOUNDS_H`, lower bound
  included (1.0 h is "1-2 h"); "unreachable" when no agency (or no permitted one) is
  reachable at all.
* ``gap_kind_*``: ``within_standard``, ``too_far`` (a confirmed office offering the capability
  is in the district's province) or ``no_verified_entry`` (none in its province, nor a
  confirmed national one within the standard): whether a gap may be the directory's rather
  than the country's (rule in :mod:`routing._coverage_completeness`).

Roll-up to regencies and provinces
----------------------------------
Per area and capability: ``districts``, ``gap_districts_*`` and ``gap_share_*`` (share
of districts beyond the standard), ``worst_h_*`` and ``median_h_*`` over its districts,
``time_class_*`` of the median. Districts have no population in the data (only
regencies and provinces do), so each district is given an equal share of its regency's
registered population, ``w_d = P_r / n_r``; ``population`` is the sum of ``w_d`` (the
registered population of a regency or province; an estimate for a district) and

* ``gap_population_* = sum_d w_d [gap_d]``, people living in districts beyond the
  standard, and ``gap_population_share_*`` its share of ``population``: in a regency
  the share of its districts, in a province its regencies weighted by population;
* ``gap_cases_* = cases x gap_population_share_*``: the cases of the area whose victims
  live beyond the standard, if cases are spread like the population. ``cases`` is the
  latest figure of one measure and one source published for the area itself
  (:func:`case_figures`); figures are never summed over areas, measures or sources, so
  an area without its own figure has none (NaN);
* ``no_entry_districts_*`` / ``no_entry_share_*``: the gap districts whose ``gap_kind`` is
  ``no_verified_entry``, and their share of the gap districts; ``directory_rows``,
  ``directory_confirmed`` and ``directory_oldest_verified_on``: what the directory holds for
  the area and capability (:func:`directory.completeness.completeness`).

Privacy
-------
No output carries an agency point or address, only ids and names. Times measured from
a confidential agency's true point would still locate it (hours from many districts
can be trilaterated), so unless ``authorised`` the agencies first pass through
:func:`directory.agencies.public_view` (a safe house counts from the point the public
directory shows) and case counts through :func:`cases.figures.suppress` (``gap_cases`` is
left out where the count is suppressed, and shown as ``"<k"`` where it is below the
threshold itself). :func:`to_geojson` refuses authorised frames
unless told they are for internal use.
"""

from __future__ import annotations

import functools
import json
import weakref
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import Engine

import directory
from core import settings
from core.errors import InputError
from directory import capabilities as vocabulary
from geo import boundaries
from routing._coverage_cases import DEFAULT_CASE_MEASURE, case_figures, modes, with_cases
from routing._coverage_completeness import gap_kind_columns, gap_kind_keys, no_entry_columns, with_directory_counts
from routing._coverage_nearest import nearest_agencies
from routing.national import NationalNetwork, national_network
from routing.schemas import COVERAGE_PROPERTIES

RULES: dict[str, tuple[str, ...]] = {"without": ("any",), "with": ("permitted",), "both": ("any", "permitted")}
"""Values of `rules` and the column suffixes they give: ``any`` without the jurisdiction rules, ``permitted`` with."""
LEVELS: tuple[str, ...] = ("district", "regency", "province")
TIME_CLASS_BOUNDS_H: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 24.0)
TIME_CLASSES: tuple[str, ...] = ("<1 h", "1-2 h", "2-4 h", "4-8 h", "8-24 h", "24 h or more", "unreachable")
_TIME_CLASS_DTYPE = pd.CategoricalDtype(list(TIME_CLASSES), ordered=True)  # built once: checking it costs a millisecond


def _check_choice(field: str, value: object, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise InputError(field, value, f"is expected to be one of {allowed}.")


def _capability_codes(codes: Iterable[str] | None) -> list[str]:
    if codes is None:
        return list(vocabulary.CAPABILITIES)
    return vocabulary.check_capabilities(list(codes))


def time_class(hours: object) -> pd.Categorical:
    """Return the ordered class of :data:`TIME_CLASSES` of each travel time (``inf``: unreachable)."""
    hours = np.asarray(hours, dtype=float)
    index = np.zeros(hours.shape, dtype=np.int8)
    for bound in TIME_CLASS_BOUNDS_H:  # the bounds at or below each time (a few comparisons beat a binary search)
        index += hours >= bound
    index[~np.isfinite(hours)] = len(TIME_CLASSES) - 1
    return pd.Categorical.from_codes(index, dtype=_TIME_CLASS_DTYPE, validate=False)


def _mode_columns(hours: np.ndarray, source: np.ndarray, agencies: pd.DataFrame, standard_h: object, mode: str) -> dict:
    """Return the columns of one rule suffix; ids and names as categories of the agencies' (-1: missing)."""
    return {
        f"hours_{mode}": hours,
        f"agency_id_{mode}": _categorised(agencies["id"], source),
        f"agency_name_{mode}": _categorised(agencies["name"], source),
        f"time_class_{mode}": time_class(hours),
        f"gap_{mode}": hours > standard_h,
    }


def _categorised(values: pd.Series, source: np.ndarray) -> pd.Categorical:
    """Return ``values[source]`` as text categories (missing where `source` is -1 or the value is missing).

    Categories, not a column of strings: 94,705 rows name a few hundred agencies, and copying a string per row
    costs milliseconds. The values are text as a ``str`` column holds them; equal values share a category.
    """
    codes, categories = pd.factorize(pd.array(values.to_numpy(dtype=object), dtype="str"))
    return pd.Categorical.from_codes(np.append(codes, -1)[source], categories=categories, validate=False)


def district_coverage(
    agencies: pd.DataFrame,
    agreements: pd.DataFrame,
    capabilities: Iterable[str] | None = None,
    rules: str = "both",
    network: NationalNetwork | None = None,
) -> pd.DataFrame:
    """Return the coverage of every district for every capability (method in the module notes).

    Parameters
    ----------
    agencies
        Active agencies (:func:`directory.agencies.agencies_frame`, or its
        :func:`~directory.agencies.public_view`): ``id``, ``name``, ``jurisdiction_level``,
        ``area_code``, ``capabilities`` (lists), ``lon``, ``lat``.
    agreements
        Agreements in force (:func:`directory.agencies.agreements_frame`).
    capabilities
        Capability codes; None: all 13.
    rules
        ``"without"`` (columns ``*_any``), ``"with"`` (``*_permitted``) or ``"both"``.
    network
        The travel network; default the national estimated network over the districts.

    Returns
    -------
    pandas.DataFrame
        One row per district and capability: ``code``, ``name``, ``level``,
        ``regency_code``, ``province_code``, ``population`` (the equal-share estimate),
        ``capability``, ``model`` (the travel model's name, ``"estimated"``) and
        ``is_estimate`` (True: every hour is an estimate), ``standard_h`` and per rule
        suffix ``hours_*``, ``agency_id_*``, ``agency_name_*``, ``time_class_*``, ``gap_*``.
        No agency points.

    Raises
    ------
    InputError
        If a capability code or `rules` is unknown.
    """
    codes = _capability_codes(capabilities)
    _check_choice("rules", rules, RULES)
    network = network or national_network()
    stamp = boundaries.stamp(boundaries.artefact_name("district"))
    if not _has_district_nodes(network, stamp):
        msg = "must have the districts of load_areas('district') as nodes, in that order."
        raise InputError("network", network.name, msg)
    n, modes = len(network.codes), list(RULES[rules])
    offers = vocabulary.offer_masks(agencies["capabilities"].tolist(), codes)
    model = pd.Categorical.from_codes(np.zeros(n * len(codes), dtype=np.int8), [network.name], validate=False)
    columns: dict[str, object] = {"model": model}
    columns["is_estimate"] = np.full(n * len(codes), network.is_estimate)
    columns["standard_h"] = np.repeat([float(settings.coverage_standard_h[code]) for code in codes], n)
    for mode, found in nearest_agencies(network, agencies, agreements, offers, modes).items():
        hours, source = (np.concatenate(parts) for parts in zip(*found, strict=True))
        columns |= _mode_columns(hours, source, agencies, columns["standard_h"], mode)
    columns |= gap_kind_columns(columns, agencies, modes, _district_keys(stamp, tuple(codes)))
    rows = _district_rows(stamp, tuple(codes))
    return pd.concat([rows, pd.DataFrame(columns, copy=False)], axis=1)  # fresh arrays; rows shared copy-on-write


_checked_networks: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _has_district_nodes(network: NationalNetwork, stamp: tuple) -> bool:
    """Return whether `network`'s nodes are the districts of the boundaries `stamp` names, in order.

    Remembered per network while it lives (a network dropped from its cache is not kept alive here).
    """
    if _checked_networks.get(network) != stamp:
        if not np.array_equal(_district_codes(stamp), network.codes):
            return False
        _checked_networks[network] = stamp
    return True


@functools.lru_cache(maxsize=4)
def _district_codes(stamp: tuple) -> np.ndarray:
    """Return the district codes in the order of :func:`geo.boundaries.load_areas` (cached per boundaries)."""
    return boundaries.load_areas("district")["code"].to_numpy()


@functools.lru_cache(maxsize=4)
def _district_keys(stamp: tuple, codes: tuple[str, ...]) -> tuple:
    """Return :func:`~routing._coverage_completeness.gap_kind_keys` of the rows of :func:`_district_rows` (cached)."""
    rows = _district_rows(stamp, codes)
    return gap_kind_keys(rows["capability"], rows["province_code"])


@functools.lru_cache(maxsize=4)
def _district_rows(stamp: tuple, codes: tuple[str, ...]) -> pd.DataFrame:
    """Return the area columns of :func:`district_coverage`: every district once per capability (cached per boundaries).

    Each district gets an equal share of its regency's registered population.
    """
    districts = boundaries.load_areas("district")
    base = districts[["code", "name", "level", "regency_code", "province_code"]].reset_index(drop=True)
    regencies = boundaries.load_areas("regency").set_index("code")["population"].astype(float)
    count = districts.groupby("regency_code")["code"].transform("size")
    base["population"] = (districts["regency_code"].map(regencies) / count).fillna(0.0).to_numpy()
    rows = base.iloc[np.tile(np.arange(len(base)), len(codes))].reset_index(drop=True)
    rows["capability"] = pd.array(codes, dtype="str").take(np.repeat(np.arange(len(codes)), len(base)))
    return rows


def roll_up(districts: pd.DataFrame, level: str) -> pd.DataFrame:
    """Return :func:`district_coverage` rows summarised per area of `level` and capability.

    Columns: ``code``, ``name``, ``level``, ``capability``, ``model``, ``is_estimate``, ``standard_h``, ``districts``,
    ``population`` and per rule suffix ``gap_districts_*``, ``gap_share_*``, ``worst_h_*``,
    ``median_h_*``, ``time_class_*`` (of the median), ``gap_population_*``,
    ``gap_population_share_*`` (see the module notes). At ``"district"`` level the rows
    are returned unchanged.
    """
    _check_choice("level", level, LEVELS)
    if level == "district":
        return districts.copy()
    keys = [districts[f"{level}_code"].rename("code"), districts["capability"]]
    extra = {f"gap_population_{m}": districts[f"gap_{m}"] * districts["population"] for m in modes(districts)}
    extra |= {
        f"no_entry_{m}": (districts[f"gap_kind_{m}"] == "no_verified_entry").to_numpy()
        for m in modes(districts)
        if f"gap_kind_{m}" in districts
    }
    grouped = districts.assign(**extra).groupby(keys, sort=True, observed=True)
    summary = grouped.agg(
        model=("model", "first"),
        is_estimate=("is_estimate", "first"),
        standard_h=("standard_h", "first"),
        districts=("code", "size"),
        population=("population", "sum"),
    )
    for m in modes(districts):
        summary[f"gap_districts_{m}"] = grouped[f"gap_{m}"].sum()
        summary[f"gap_share_{m}"] = summary[f"gap_districts_{m}"] / summary["districts"]
        summary[f"worst_h_{m}"] = grouped[f"hours_{m}"].max()
        summary[f"median_h_{m}"] = grouped[f"hours_{m}"].median()
        summary[f"time_class_{m}"] = time_class(summary[f"median_h_{m}"])
        summary[f"gap_population_{m}"] = grouped[f"gap_population_{m}"].sum()
        summary[f"gap_population_share_{m}"] = summary[f"gap_population_{m}"] / summary["population"]
        if f"gap_kind_{m}" in districts:
            for name, column in no_entry_columns(grouped, summary[f"gap_districts_{m}"], m).items():
                summary[name] = column
    summary = summary.reset_index()
    names = boundaries.load_areas(level).set_index("code")["name"]
    summary.insert(1, "name", summary["code"].map(names))
    summary.insert(2, "level", level)
    return summary


def _select(frame: pd.DataFrame, within: str | None, gaps_only: bool) -> pd.DataFrame:
    if within is not None:
        boundaries.area(within, field="within")  # unknown codes raise NotFoundError with close matches
        code = frame["code"]
        containing = {within[:2], within[:5]}  # the province and regency of `within` (or itself)
        frame = frame[code.isin(containing | {within}) | code.str.startswith(within + ".")]
    if gaps_only:
        gap = [f"gap_{m}" if f"gap_{m}" in frame else f"gap_districts_{m}" for m in modes(frame)]
        frame = frame[(frame[gap].astype(float) > 0).any(axis=1)]
    return frame.reset_index(drop=True)


def coverage_table(
    engine: Engine,
    capabilities: Iterable[str] | None = None,
    level: str = "district",
    rules: str = "both",
    within: str | None = None,
    gaps_only: bool = False,
    case_measure: str = DEFAULT_CASE_MEASURE,
    case_source: str | None = None,
    authorised: bool = False,
    network: NationalNetwork | None = None,
) -> gpd.GeoDataFrame:
    """Return travel-time coverage and gaps per area and capability, ready for a map or a plan.

    The method, the roll-up and the privacy rules are in the module notes.

    Parameters
    ----------
    engine
        The database holding the directory and the case figures.
    capabilities
        Capability codes; None: all 13.
    level
        ``"district"``, ``"regency"`` or ``"province"``.
    rules
        ``"without"``, ``"with"`` or ``"both"`` jurisdiction rules (column suffixes
        ``_any`` and ``_permitted``).
    within
        Only areas inside (or containing) this area code, e.g. ``"64"``.
    gaps_only
        Only rows with a gap (a district beyond the standard) under some rule.
    case_measure, case_source
        The case figures joined as ``cases`` (see :func:`case_figures`).
    authorised
        True points of confidential agencies and raw case counts, for internal
        planning; the result must not be published. False (default): public-safe.
    network
        The travel network; default the national estimated network.

    Returns
    -------
    geopandas.GeoDataFrame
        The columns of :func:`district_coverage` or :func:`roll_up`, plus ``cases``,
        ``case_*`` and ``gap_cases_*``, and the area's full-resolution polygon
        (EPSG:4326); ``attrs["authorised"]`` records `authorised`.

    Raises
    ------
    InputError
        If a capability, `level`, `rules` or `case_measure` is unknown.
    NotFoundError
        If `within` names no area.
    """
    _check_choice("level", level, LEVELS)
    agencies = directory.agencies_frame(engine)
    agencies = agencies if authorised else directory.public_view(agencies)
    frame = district_coverage(agencies, directory.agreements_frame(engine), capabilities, rules, network)
    frame = with_directory_counts(roll_up(frame, level), agencies, level)
    frame = with_cases(frame, case_figures(engine, case_measure, case_source), authorised)
    frame = _in_schema_order(_select(frame, within, gaps_only))
    shapes = boundaries.load_areas(level).set_index("code").geometry
    result = gpd.GeoDataFrame(frame, geometry=shapes.reindex(frame["code"]).to_numpy(), crs="EPSG:4326")
    result.attrs["authorised"] = authorised
    return result


def _in_schema_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Return `frame` with its columns in the order of :data:`routing.schemas.COVERAGE_PROPERTIES`.

    The answer's shape is written once there (the API documents it); a column it does not know is a
    programming error, raised here rather than published undocumented.
    """
    unknown = [column for column in frame.columns if column not in COVERAGE_PROPERTIES]
    if unknown:
        msg = f"Coverage columns {unknown} are not in routing.schemas.COVERAGE_PROPERTIES; add them there."
        raise RuntimeError(msg)
    return frame[[name for name in COVERAGE_PROPERTIES if name in frame.columns]]


def to_geojson(
    frame: gpd.GeoDataFrame, path: str | Path | None = None, authorised: bool = False, geometry: bool = True
) -> str:
    """Return (and write to `path`) a coverage table as RFC 7946 GeoJSON with web-simplified polygons.

    Polygons are those of :func:`geo.boundaries.web_geometry` for the frame's level,
    coordinates rounded to ``settings.web_coordinate_decimals``; unreachable hours are
    ``null``. The output has no points. With ``geometry=False`` every geometry is null (a map
    that has loaded the boundaries joins them by ``code``), which also skips the polygons' work.

    Raises
    ------
    InputError
        If `frame` was computed with ``authorised=True`` (or its origin is unknown) and
        `authorised` is False: it holds raw counts and times from confidential points.
    """
    if frame.attrs.get("authorised", True) and not authorised:
        msg = "holds raw case counts and times from confidential agency points; compute it with "
        raise InputError("frame", "authorised", msg + "authorised=False, or pass authorised=True for internal use.")
    properties = pd.DataFrame(frame.drop(columns="geometry"))
    for column in properties.columns:
        if isinstance(properties[column].dtype, pd.CategoricalDtype):  # missing stays missing (astype(str): "nan")
            properties[column] = properties[column].astype(object)
    properties = properties.replace([np.inf, -np.inf], np.nan).astype(object)
    properties = properties.where(properties.notna(), None)
    if geometry:
        features = gpd.GeoDataFrame(properties, geometry=_web_polygons(frame), crs="EPSG:4326")
        text = features.to_json(drop_id=True, ensure_ascii=False, default=str)  # dates as ISO text
    else:
        rows = [{"type": "Feature", "properties": row, "geometry": None} for row in properties.to_dict("records")]
        text = json.dumps({"type": "FeatureCollection", "features": rows}, ensure_ascii=False, default=str)
    if path is not None:
        Path(path).write_text(text, encoding="utf-8")
    return text


def _web_polygons(frame: gpd.GeoDataFrame) -> np.ndarray:
    """Return the web-simplified polygon of each row's area, rounded (one level per frame)."""
    levels = frame["level"].unique().tolist()
    if len(levels) > 1:
        raise InputError("frame", levels, "must hold areas of one level.")
    level = levels[0] if levels else "province"
    areas = boundaries.load_areas(level)
    web = boundaries.web_geometry(areas[areas["code"].isin(frame["code"])], level).set_index("code").geometry
    return shapely.set_precision(web.reindex(frame["code"]).to_numpy(), 10.0**-settings.web_coordinate_decimals)
