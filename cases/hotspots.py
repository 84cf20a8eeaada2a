"""Hot and cold spots of published case figures: local Getis-Ord Gi* on rates per 100,000.

Method
------
For one measure, one source, one period and one level (:func:`select_figures`), let
``x_i`` be the rate per 100,000 registered inhabitants of area ``i`` among the ``n``
areas that have a figure. With binary weights ``w_ij`` (1 for neighbours, and
``w_ii = 1``: the *star* variant includes the area itself), Getis and Ord's statistic
(Ord & Getis 1995) is::

    Gi*_i = sum_j w_ij x_j / sum_j x_j

and ``gi_z`` is its standardised value under randomisation, as computed by
:class:`esda.getisord.G_Local` (``star=True``, ``transform="B"``). ``gi_p`` is a
two-sided conditional-permutation pseudo p-value: the values of the other areas are
shuffled `permutations` times around each area (esda's conditional randomisation,
seeded by `seed`, so results repeat) and ``p = (1 + m) / (1 + permutations)`` where
``m`` counts the shuffled sums outside the observed one's percentile interval
(:func:`esda.significance.calculate_significance`, ``alternative="two-sided"``).
esda's own ``G_Local.p_sim`` is not used: it folds the two tails and counts ties in
the upper tail only, so an area whose neighbours have the lowest values gets
``p = 1 / (1 + permutations)`` even when a fifth of the shuffles tie with it, and
with a handful of areas ties are the rule (its authors call that variant "not
advised", esda issue #199). ``hotspot_class`` is ``"hot"`` where ``gi_p <= settings.hotspot_alpha`` (0.05) and
``gi_z > 0``, ``"cold"`` where ``gi_p <= alpha`` and ``gi_z < 0``, else
``"not significant"``.

Neighbours
----------
:func:`contiguity_weights`: libpysal ``Queen`` contiguity on the real (full-resolution)
polygons of the areas analysed, united with a fuzzy contiguity that also joins areas
less than ``settings.island_merge_gap_m`` apart, because the upstream polygons are
simplified one by one and true neighbours often touch across a sliver rather than at a
shared vertex (nationally, Queen alone misses about 70 of the regency pairs). An area
with no neighbour left (an island such as Kepulauan Riau, or an area whose neighbours
have no figure) is joined, both ways, to the area whose polygon is nearest (shortest
edge-to-edge distance in EPSG:6933). That is libpysal's ``attach_islands`` idea with
the nearest *polygon* instead of the nearest centroid (across a strait a big neighbour's
centroid can be far while its coast is close); a union with a k-nearest-neighbour graph
was not used because it would add a neighbour to every area and blur the contiguity of
the mainland. No area is left without neighbours, so every Gi* has a local sum.

Privacy
-------
Unless `authorised`, the result is computed from the published data only: a count below
``settings.suppress_below`` (k) enters the analysis as ``(k - 1) / 2``, the middle of the
band "<k", and is shown as the text ``"<k"`` with no rate; a count withheld by
complementary suppression (:mod:`cases.figures`, computed over every figure of the measure
and source, not only this level and period) enters as k, the least it can be, and is
shown as ``"x"`` with no rate. Otherwise the true count could be recovered from the Gi*
values of the area and its neighbours. Authorised results use the true counts and must
not be published.

Limits
------
* Few areas mean little power: with ``n`` areas the permutation distribution of an
  area with ``m`` neighbours has at most ``C(n - 1, m)`` distinct values, so with the
  ten Kalimantan Timur regencies of the sample few areas can reach p <= 0.05, and
  fewer than :data:`MIN_AREAS` areas are refused.
* The p-values are not corrected for testing every area (no Bonferroni or FDR): read
  "hot" as "worth a look", not as a proven cluster.
* Only areas with a figure are analysed: a neighbour without a figure is treated as
  absent, not as zero, and the pattern says nothing about areas outside the set.
* Rates of small populations are unstable, and figures count what an agency recorded
  (reports, applications, victims), not where trafficking happens.
* Figures of different measures or sources are never combined (:func:`select_figures`).
"""

from __future__ import annotations

import datetime as dt
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from esda.getisord import G_Local
from esda.significance import calculate_significance
from libpysal.weights import Queen, W, fuzzy_contiguity, w_union
from sqlalchemy import Engine

import cases
from core import settings
from core.errors import InputError
from geo import boundaries

LEVELS: tuple[str, ...] = ("province", "regency", "district")
CLASSES: tuple[str, ...] = ("hot", "cold", "not significant")
MIN_AREAS = 3
"""Fewest areas with a figure (and a population) that :func:`hotspots` accepts."""
COLUMNS: list[str] = [
    "code",
    "name",
    "level",
    "measure",
    "source",
    "period_start",
    "period_end",
    "value",
    "rate_per_100k",
    "gi_z",
    "gi_p",
    "hotspot_class",
    "geometry",
]


def _choose(field: str, value: object, allowed: list) -> None:
    if value not in allowed:
        raise InputError(field, value, f"is expected to be one of {allowed}.")


def mapped_sources(engine: Engine, measure: str) -> list[str]:
    """Return the sources of `measure` that publish area figures, the one with most areas first.

    What a map or a page shows when no source is asked for: the first one. A source of
    country totals only (``level == "country"``) cannot be mapped and is not listed; ties
    go to the source with the latest period, then to the name.
    """
    every = cases.query_figures(engine, measure=measure)
    areas = every[every["level"].isin(LEVELS)]
    if areas.empty:
        return []
    ranked = areas.groupby("source").agg(areas=("area_code", "nunique"), latest=("period_end", "max")).reset_index()
    ranked = ranked.sort_values(["areas", "latest", "source"], ascending=[False, False, True])
    return ranked["source"].tolist()


def select_figures(
    engine: Engine,
    measure: str,
    source: str | None = None,
    level: str | None = None,
    period: tuple[dt.date, dt.date] | None = None,
) -> pd.DataFrame:
    """Return the raw figures of one measure, one source, one level and one period (internal use).

    Parameters
    ----------
    engine
        The database of case figures.
    measure
        Exact measure text, e.g. ``"police TPPO cases"``.
    source
        Exact source text; required when the measure comes from several sources.
    level
        ``"province"``, ``"regency"`` or ``"district"``; None: the level with the most
        areas (the finer one on a tie).
    period
        ``(period_start, period_end)``; None: the latest period published at that level.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`cases.figures.query_figures` (true counts: suppress before publishing).

    Raises
    ------
    InputError
        If the measure has no figures (the measures are listed), comes from several
        sources and `source` is None or not one of them (the sources are listed), or
        has no figures at `level` or in `period` (the levels or periods that have some
        are listed).
    """
    every = cases.query_figures(engine)
    figures = every[every["measure"] == measure]
    if figures.empty:
        raise InputError("measure", measure, f"has no figures; the measures are {sorted(every['measure'].unique())}.")
    sources = sorted(figures["source"].unique())
    if source is not None and source not in sources:
        raise InputError("source", source, f"has no figures of {measure!r}; its sources are {sources}.")
    if source is None and len(sources) > 1:
        msg = f"must be one of {sources}: {measure!r} comes from several sources, which are never combined."
        raise InputError("source", source, msg)
    figures = figures[(figures["source"] == (source or sources[0])) & figures["level"].isin(LEVELS)]
    counts = figures.groupby("level")["area_code"].nunique().reindex(list(LEVELS)).dropna().astype(int)
    if level is None and not counts.empty:
        level = counts[counts == counts.max()].index[-1]
    if level is not None:
        _choose("level", level, list(LEVELS))
    if level is None or level not in counts:
        where = counts.to_dict() or "country level only"
        msg = f"has no {level or 'area'} figures of {measure!r}; it has figures at {where}."
        raise InputError("level", level, msg)
    figures = figures[figures["level"] == level]
    periods = sorted(set(zip(figures["period_start"], figures["period_end"], strict=True)), key=lambda p: (p[1], p[0]))
    chosen = periods[-1] if period is None else tuple(period)
    if chosen not in periods:
        listed = [f"{start}/{end}" for start, end in periods]
        raise InputError("period", period, f"has no {level} figures of {measure!r}; the periods are {listed}.")
    figures = figures[(figures["period_start"] == chosen[0]) & (figures["period_end"] == chosen[1])]
    return figures.sort_values("area_code", ignore_index=True)


def contiguity_weights(areas: gpd.GeoDataFrame) -> W:
    """Return binary contiguity weights of `areas` with every island joined to its nearest area.

    See the module notes (Neighbours). Ids are the positions 0..n-1 of `areas`.
    """
    metric = areas[["geometry"]].to_crs(boundaries.EQUAL_AREA_CRS).reset_index(drop=True)
    queen = Queen.from_dataframe(metric, use_index=False, silence_warnings=True)
    with warnings.catch_warnings():  # libpysal's own use of a pandas keyword deprecated in pandas 3.1
        warnings.filterwarnings("ignore", message="The inplace keyword", category=Warning)
        near = fuzzy_contiguity(metric, buffering=True, buffer=settings.island_merge_gap_m / 2, silence_warnings=True)
    joined = w_union(queen, near, silence_warnings=True)
    neighbors = {i: sorted(int(j) for j in joined.neighbors[i] if j != i) for i in range(len(metric))}
    geometries = metric.geometry.to_numpy()
    for island in [i for i, found in neighbors.items() if not found]:
        distance = shapely.distance(geometries[island], geometries)
        distance[island] = np.inf
        nearest = int(np.argmin(distance))
        neighbors[island].append(nearest)
        if island not in neighbors[nearest]:
            neighbors[nearest].append(island)
    return W(neighbors, id_order=list(range(len(metric))), silence_warnings=True)


def _check_permutations(permutations: int) -> int:
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 19:
        msg = "is expected to be a whole number of at least 19 (999 is usual), so that p can reach 0.05."
        raise InputError("permutations", permutations, msg)
    return int(permutations)


def classify(gi_z: np.ndarray, gi_p: np.ndarray, alpha: float | None = None) -> np.ndarray:
    """Return ``"hot"``, ``"cold"`` or ``"not significant"`` per area (thresholds in the module notes)."""
    alpha = float(settings.hotspot_alpha if alpha is None else alpha)
    z, p = np.asarray(gi_z, dtype=float), np.asarray(gi_p, dtype=float)
    significant = np.nan_to_num(p, nan=1.0) <= alpha
    return np.select([significant & (z > 0), significant & (z < 0)], ["hot", "cold"], "not significant").astype(object)


def hotspots(
    engine: Engine,
    measure: str,
    source: str | None = None,
    level: str = "regency",
    permutations: int = 999,
    seed: int = 0,
    authorised: bool = False,
    period: tuple[dt.date, dt.date] | None = None,
) -> gpd.GeoDataFrame:
    """Return the hot and cold spots of one measure's rates per 100,000 (method in the module notes).

    Parameters
    ----------
    engine
        The database of case figures.
    measure, source
        One measure and, when it has several, one source (:func:`select_figures`).
    level
        ``"province"``, ``"regency"`` or ``"district"`` (districts have no population, so no rates).
    permutations
        Conditional permutations for the pseudo p-values (at least 19).
    seed
        Seed of the permutations.
    authorised
        True counts (internal use); False (default): published data only, suppressed as ``"<k"``.
    period
        ``(period_start, period_end)``; None: the latest period with figures at `level`.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per area with a figure, sorted by code: ``code``, ``name``, ``level``,
        ``measure``, ``source``, ``period_start``, ``period_end``, ``value`` (public: int,
        ``"<k"`` or ``"x"``; authorised: int), ``rate_per_100k`` (NaN where suppressed), ``gi_z``,
        ``gi_p``, ``hotspot_class`` and the full-resolution polygon (EPSG:4326).
        ``attrs`` holds ``authorised``, ``alpha`` and ``permutations``. Publish it with
        :func:`routing.coverage.to_geojson` (web-simplified polygons; it refuses authorised frames).

    Raises
    ------
    InputError
        As :func:`select_figures`; or if `permutations` is too small, or fewer than
        :data:`MIN_AREAS` areas have a figure and a population, or every rate is zero.
    """
    _choose("level", level, list(LEVELS))
    permutations = _check_permutations(permutations)
    figures = select_figures(engine, measure, source, level, period)
    figures = figures[figures["population"].notna() & (figures["population"] > 0)].reset_index(drop=True)
    if len(figures) < MIN_AREAS:
        msg = f"has {len(figures)} {level} figures with a population; Gi* needs at least {MIN_AREAS} areas."
        raise InputError("measure", measure, msg)
    k = int(settings.suppress_below)
    reasons = cases.suppression_reasons(engine, figures)
    suppressed = reasons.notna() & (not authorised)
    stand_in = np.where(reasons.eq(cases.SMALL), (k - 1) / 2, k)  # the middle of "<k"; the least a withheld count is
    counts = figures["value"].astype(float).where(~suppressed, stand_in)
    rates = (counts / figures["population"].astype(float) * 100_000).to_numpy()
    if not rates.any():
        raise InputError("measure", measure, "has only zero rates in this period; there is no pattern to test.")
    areas = boundaries.load_areas(level).set_index("code").loc[figures["area_code"]].reset_index()
    weights = contiguity_weights(areas)
    with warnings.catch_warnings():  # about esda's p_sim, which is not used (see the module notes)
        warnings.filterwarnings("ignore", message="The alternative hypothesis", category=DeprecationWarning)
        statistic = G_Local(rates, weights, transform="B", permutations=permutations, star=True, n_jobs=1, seed=seed)
    p_values = calculate_significance(statistic.Gs, statistic.rGs, alternative="two-sided")
    frame = pd.DataFrame(
        {
            "code": figures["area_code"],
            "name": areas["name"],
            "level": level,
            "measure": measure,
            "source": figures["source"],
            "period_start": figures["period_start"],
            "period_end": figures["period_end"],
            "value": figures["value"].astype(int) if authorised else cases.public_values(figures["value"], reasons, k),
            "rate_per_100k": figures["rate_per_100k"].mask(suppressed),
            "gi_z": np.asarray(statistic.Zs, dtype=float),
            "gi_p": np.asarray(p_values, dtype=float),
        }
    )
    frame["hotspot_class"] = classify(frame["gi_z"], frame["gi_p"])
    result = gpd.GeoDataFrame(frame, geometry=areas.geometry.to_numpy(), crs="EPSG:4326")
    result.attrs.update(authorised=authorised, alpha=float(settings.hotspot_alpha), permutations=permutations)
    return result[COLUMNS]
