"""Case figures joined to coverage: the latest of one measure and one source per area (:mod:`routing.coverage`).

Figures are never summed over areas, measures or sources; public frames show suppressed
counts as every public output does (:func:`cases.figures.public_values`: small counts and
their complements, reasons by :func:`cases.figures.suppression_reasons`), no ``gap_cases``
where the count is hidden, and a ``gap_cases`` below the threshold as ``"<k"`` too.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine

import cases
from core import settings
from core.errors import InputError

DEFAULT_CASE_MEASURE = "police TPPO victims"
"""Measure of the case figures joined by default: the one published for the most provinces."""


def case_figures(engine: Engine, measure: str = DEFAULT_CASE_MEASURE, source: str | None = None) -> pd.DataFrame:
    """Return the latest figure of one measure and one source per area, raw (internal use).

    Returns
    -------
    pandas.DataFrame
        ``area_code``, ``cases`` (int), ``case_measure``, ``case_source``,
        ``case_period_start``, ``case_period_end``, ``case_suppressed_reason`` (why the count
        is hidden in public, None when shown); empty when the database holds no figures.

    Raises
    ------
    InputError
        If the database holds figures but none of `measure` (the known measures are
        listed), or `source` is None and the measure comes from several sources
        (they count different things and are never combined).
    """
    columns = [
        "area_code",
        "cases",
        "case_measure",
        "case_source",
        "case_period_start",
        "case_period_end",
        "case_suppressed_reason",
    ]
    everything = cases.query_figures(engine)
    if everything.empty:
        return pd.DataFrame(columns=columns)
    figures = everything[everything["measure"] == measure]
    figures = figures if source is None else figures[figures["source"] == source]
    if figures.empty and source is not None and (everything["measure"] == measure).any():
        sources = sorted(everything.loc[everything["measure"] == measure, "source"].unique())
        raise InputError("case_source", source, f"has no figures of {measure!r}; its sources are {sources}.")
    if figures.empty:
        known = sorted(everything["measure"].unique())
        raise InputError("case_measure", measure, f"has no figures; the measures are {known}.")
    if figures["source"].nunique() > 1:
        raise InputError("case_source", source, f"must be one of {sorted(figures['source'].unique())} for {measure!r}.")
    latest = figures.sort_values(["period_end", "period_start"]).groupby("area_code").tail(1)
    latest = latest.assign(case_suppressed_reason=cases.suppression_reasons(engine, latest).to_numpy())
    latest = latest.rename(columns={"value": "cases", "measure": "case_measure", "source": "case_source"})
    latest = latest.rename(columns={"period_start": "case_period_start", "period_end": "case_period_end"})
    return latest[columns].reset_index(drop=True)


def modes(frame: pd.DataFrame) -> list[str]:
    """Return the rule suffixes (``any``, ``permitted``) a coverage frame has."""
    return [mode for mode in ("any", "permitted") if f"gap_{mode}" in frame or f"gap_districts_{mode}" in frame]


def with_cases(frame: pd.DataFrame, figures: pd.DataFrame, authorised: bool) -> pd.DataFrame:
    """Return `frame` with ``cases``, ``case_*`` and ``gap_cases_*`` joined by area (suppressed unless authorised).

    In public (not `authorised`), ``gap_cases_*`` is missing where ``cases`` is suppressed,
    and a ``gap_cases_*`` below ``settings.suppress_below`` is itself a small count, shown
    as ``"<k"`` by :func:`cases.figures.suppress` (the column is then of object dtype: floats,
    ``"<k"`` texts and missing values); authorised frames keep the estimates as floats.
    """
    frame = frame.merge(figures, how="left", left_on="code", right_on="area_code").drop(columns="area_code")
    value = frame["cases"].astype(float)
    shown = value.notna() & (authorised | frame["case_suppressed_reason"].isna())
    for m in modes(frame):
        share = frame[f"gap_population_share_{m}"] if f"gap_population_share_{m}" in frame else frame[f"gap_{m}"]
        gap = (value * share.astype(float)).where(shown)
        small = gap.notna() & (gap < settings.suppress_below) & (not authorised)
        if small.any():
            gap = gap.astype(object)
            gap[small] = cases.suppress(gap[small])
        frame[f"gap_cases_{m}"] = gap
    if authorised:
        frame["cases"] = frame["cases"].astype("Int64")
    else:
        present = frame["cases"].notna()
        frame["cases"] = frame["cases"].astype(object)
        counts, reasons = frame.loc[present, "cases"].astype(int), frame.loc[present, "case_suppressed_reason"]
        frame.loc[present, "cases"] = cases.public_values(counts, reasons).to_numpy()
    return frame
