"""Demand for office planning: where the need is, per district or regency, weighted by cases, people or both.

Population
----------
Registered population (Dukcapil) is known for regencies and provinces only, so every
district gets an equal share of its regency's, as :mod:`routing.coverage` does.

Cases
-----
A case measure is published at several levels and never for every area (police victims
2023 for six provinces and the country; LPSK applications for the country and NTT). One
measure, one source and one period are spread down to districts, top-down:

1. the country figure minus the provinces' own figures is shared among the provinces
   without a figure, by population (none without a country figure);
2. each province's figure minus its regencies' own figures is shared among its other
   regencies by population;
3. each regency's figure minus its districts' own figures is shared equally among its
   other districts (districts have no population).

A remainder below zero (parts published above their total) counts as zero. The result is
an estimate of where the cases are if they follow the population; every plan says so
(:attr:`Demand.method`). Figures of different measures or sources are never added.

Weighting ``"both"`` is half the share of the cases and half the share of the population
of each point, so neither unit dominates.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Engine

import cases
from core.errors import InputError
from geo import boundaries

LEVELS: tuple[str, ...] = ("district", "regency")
WEIGHTINGS: tuple[str, ...] = ("cases", "population", "both")


@dataclass(frozen=True)
class Scenario:
    """One case series: a measure, its source and one period (the figures published for it)."""

    measure: str
    source: str
    period_start: dt.date
    period_end: dt.date
    unit: str

    @property
    def period(self) -> str:
        """The period as ``2023`` (a calendar year) or ``START/END``."""
        start, end = self.period_start, self.period_end
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31) and start.year == end.year:
            return str(start.year)
        return f"{start.isoformat()}/{end.isoformat()}"


@dataclass(frozen=True)
class Demand:
    """Demand points and their weights.

    Attributes
    ----------
    level
        ``"district"`` or ``"regency"``.
    areas
        One row per point: ``code``, ``name``, ``regency_code``, ``province_code``, ``lon``,
        ``lat`` (a representative point inside the area), ``population`` (estimated for
        districts) and ``cases`` (estimated; NaN without a case series).
    weight
        The weight of each point the models use.
    weighting
        ``"cases"``, ``"population"`` or ``"both"``.
    scenario
        The case series, or None when weighted by population only.
    method
        How the weights were made, in words (said with every plan).
    """

    level: str
    areas: pd.DataFrame
    weight: np.ndarray
    weighting: str
    scenario: Scenario | None
    method: str


def parse_period(text: str | None) -> tuple[dt.date, dt.date] | None:
    """Return a period given as a year (``2023``) or ``START/END`` ISO dates; None for None or empty text.

    Raises
    ------
    InputError
        If the text is neither form (field ``period``).
    """
    if text is None or not str(text).strip():
        return None
    year = re.fullmatch(r"\s*(\d{4})\s*", str(text))
    parts = (f"{year[1]}-01-01", f"{year[1]}-12-31") if year else str(text).split("/")
    try:
        start, end = (dt.date.fromisoformat(part.strip()) for part in parts)
    except ValueError:
        msg = "is expected to be a year such as 2023 or START/END dates such as 2023-06-05/2023-06-19."
        raise InputError("period", text, msg) from None
    return start, end


def scenarios(engine: Engine) -> list[Scenario]:
    """Return every case series in the database: each (measure, source, period) with figures, sorted."""
    figures = cases.query_figures(engine)
    if figures.empty:
        return []
    keys = figures.groupby(["measure", "source", "period_start", "period_end"], sort=True)["unit"].first()
    return [Scenario(m, s, start, end, unit) for (m, s, start, end), unit in keys.items()]


def choose_scenario(
    engine: Engine, measure: str, period: tuple[dt.date, dt.date] | None = None, source: str | None = None
) -> Scenario:
    """Return the case series of `measure` (and `source`) for `period`, default the latest one published.

    Raises
    ------
    InputError
        If the measure has no figures (the measures are listed), comes from several sources
        and none is named, or has no figures for `period` (its periods are listed).
    """
    every = scenarios(engine)
    of_measure = [s for s in every if s.measure == measure]
    if not of_measure:
        raise InputError("measure", measure, f"has no figures; the measures are {sorted({s.measure for s in every})}.")
    sources = sorted({s.source for s in of_measure})
    if source is not None and source not in sources:
        raise InputError("source", source, f"has no figures of {measure!r}; its sources are {sources}.")
    if source is None and len(sources) > 1:
        raise InputError("source", source, f"must be one of {sources}: their figures are never combined.")
    of_source = [s for s in of_measure if s.source == (source or sources[0])]
    if period is None:
        return max(of_source, key=lambda s: (s.period_end, s.period_end - s.period_start))
    for series in of_source:
        if (series.period_start, series.period_end) == period:
            return series
    text = f"{period[0].isoformat()}/{period[1].isoformat()}"
    raise InputError("period", text, f"has no figures of {measure!r}; its periods are {[s.period for s in of_source]}.")


def _districts() -> pd.DataFrame:
    return _district_table(boundaries.stamp(boundaries.artefact_name("district"))).copy()


@functools.lru_cache(maxsize=2)
def _district_table(stamp: tuple) -> pd.DataFrame:
    """Return the district points and populations (cached per boundaries)."""
    districts = boundaries.load_areas("district")
    points = districts.geometry.representative_point()
    frame = pd.DataFrame(districts[["code", "name", "regency_code", "province_code"]])
    frame["lon"], frame["lat"] = points.x.to_numpy(), points.y.to_numpy()
    regencies = boundaries.load_areas("regency").set_index("code")["population"].astype(float)
    count = frame.groupby("regency_code")["code"].transform("size")
    frame["population"] = (frame["regency_code"].map(regencies) / count).fillna(0.0).to_numpy()
    return frame.reset_index(drop=True)


def _share(values: pd.Series, own: pd.Series, group: pd.Series, parent: pd.Series, size: pd.Series) -> pd.Series:
    """Return each unit's value: its own figure, else its share (by `size`) of its parent's remainder."""
    has_own = own.notna()
    own_sum = own.fillna(0.0).groupby(group).transform("sum")
    remainder = (parent - own_sum).clip(lower=0.0).fillna(0.0)
    free_size = size.where(~has_own, 0.0).groupby(group).transform("sum")
    share = np.where(free_size > 0, size / free_size.where(free_size > 0, 1.0), 0.0)
    return pd.Series(np.where(has_own, own, remainder * share), index=values.index)


def spread_cases(figures: pd.DataFrame, districts: pd.DataFrame) -> tuple[np.ndarray, str]:
    """Return the estimated cases of every district from one series' figures, and the method in words.

    `figures` has ``area_code`` (``"ID"``, a province, regency or district) and ``value``;
    `districts` the rows of the district table (module notes).
    """
    value = figures.groupby("area_code")["value"].sum().astype(float)  # one figure per area in a series
    country = float(value.get(cases.COUNTRY_CODE, np.nan))
    frame = districts[["code", "regency_code", "province_code", "population"]].copy()
    regency_pop = frame.groupby("regency_code")["population"].transform("sum")
    province_pop = frame.groupby("province_code")["population"].transform("sum")
    one_per = frame.drop_duplicates("province_code")
    province = _share(
        one_per["province_code"],
        one_per["province_code"].map(value),
        pd.Series(0, index=one_per.index),
        pd.Series(country, index=one_per.index),
        province_pop[one_per.index],
    )
    frame["province_value"] = frame["province_code"].map(dict(zip(one_per["province_code"], province, strict=True)))
    one_per = frame.drop_duplicates("regency_code")
    regency = _share(
        one_per["regency_code"],
        one_per["regency_code"].map(value),
        one_per["province_code"],
        one_per["province_value"],
        regency_pop[one_per.index],
    )
    frame["regency_value"] = frame["regency_code"].map(dict(zip(one_per["regency_code"], regency, strict=True)))
    estimate = _share(
        frame["code"],
        frame["code"].map(value),
        frame["regency_code"],
        frame["regency_value"],
        pd.Series(1.0, index=frame.index),
    )
    steps = []
    if np.isfinite(country):
        steps.append("the country figure minus the provinces' own figures is shared among the other provinces")
    steps.append("province figures minus their regencies' own figures are shared among the other regencies")
    method = (
        "Cases estimated from the published figures of one measure, source and period: "
        + "; ".join(steps)
        + ", by registered population; regency figures are shared equally among their districts. "
        + ("" if np.isfinite(country) else "Without a country figure, provinces without their own figure get none. ")
        + "An estimate of where cases are if they follow the population, not a count."
    )
    return estimate.to_numpy(dtype=float), method


def load_demand(
    engine: Engine | None,
    level: str = "district",
    weighting: str = "cases",
    measure: str | None = None,
    period: tuple[dt.date, dt.date] | None = None,
    source: str | None = None,
) -> Demand:
    """Return the demand points of `level` weighted by `weighting` (module notes).

    Parameters
    ----------
    engine
        The database of case figures (not needed for ``weighting="population"``).
    level
        ``"district"`` (7,285 points) or ``"regency"`` (514: the districts' figures summed).
    weighting
        ``"cases"``, ``"population"`` or ``"both"``.
    measure, period, source
        The case series (:func:`choose_scenario`); `measure` is needed unless weighting by population.

    Raises
    ------
    InputError
        For an unknown level or weighting, a missing measure, an unknown series, or no demand at all.
    """
    if level not in LEVELS:
        raise InputError("level", level, f"is expected to be one of {list(LEVELS)}.")
    if weighting not in WEIGHTINGS:
        raise InputError("weighting", weighting, f"is expected to be one of {list(WEIGHTINGS)}.")
    districts = _districts()
    scenario, method = None, "Registered population (Dukcapil); each district an equal share of its regency's."
    districts["cases"] = np.nan
    if weighting != "population":
        if measure is None or engine is None:
            raise InputError("measure", measure, f"is needed to weight demand by {weighting}.")
        scenario = choose_scenario(engine, measure, period, source)
        figures = cases.query_figures(engine, measure=scenario.measure, source=scenario.source)
        same = (figures["period_start"] == scenario.period_start) & (figures["period_end"] == scenario.period_end)
        figures = figures[same]
        districts["cases"], method = spread_cases(figures, districts)
    areas = districts if level == "district" else _regencies(districts)
    weight = _weights(areas, weighting)
    if not weight.sum() > 0:
        raise InputError("measure", measure, "gives no demand anywhere: every weight is zero.")
    return Demand(level, areas, weight, weighting, scenario, method)


def _weights(areas: pd.DataFrame, weighting: str) -> np.ndarray:
    population = areas["population"].to_numpy(dtype=float)
    if weighting == "population":
        return population
    estimated = areas["cases"].to_numpy(dtype=float)
    if weighting == "cases":
        return estimated
    total = estimated.sum()
    return 0.5 * population / population.sum() + (0.5 * estimated / total if total > 0 else 0.0)


def _regencies(districts: pd.DataFrame) -> pd.DataFrame:
    regencies = boundaries.load_areas("regency")
    points = regencies.geometry.representative_point()
    frame = pd.DataFrame(regencies[["code", "name", "regency_code", "province_code"]])
    frame["lon"], frame["lat"] = points.x.to_numpy(), points.y.to_numpy()
    sums = districts.groupby("regency_code")[["population", "cases"]].sum(min_count=1)
    frame = frame.join(sums, on="code")
    frame["population"] = frame["population"].fillna(0.0)
    return frame.reset_index(drop=True)


def reweighted(demand: Demand, engine: Engine, scenario: Scenario | None) -> Demand:
    """Return `demand` at the same points weighted by another case series (None: by population)."""
    if scenario is None:
        return load_demand(engine, demand.level, "population")
    weighting = "cases" if demand.weighting == "population" else demand.weighting
    period = (scenario.period_start, scenario.period_end)
    return load_demand(engine, demand.level, weighting, scenario.measure, period, scenario.source)
