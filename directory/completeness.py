"""How complete and how well confirmed the directory is, per area and capability: a measure for editors and maps.

A coverage gap can mean that help is far away or only that the directory does not know the office that gives it.
This module counts what the directory holds, so that the two can be told apart
(:mod:`routing._coverage_completeness` does it per district):

- per area of a level (``"province"`` or ``"regency"``) and capability, :func:`completeness` counts the active
  offices in Indonesia (:func:`directory.agencies.agencies_frame`; missions abroad and hotlines belong to no area)
  offering the capability whose ``area_code`` lies in the area: ``rows``, of which ``confirmed``
  (``existence_confirmed``: a named source confirms the office exists) and ``unconfirmed``, ``never_verified`` (no
  ``verified_on``) and ``oldest_verified_on`` (the earliest check among them). An agency counts in the area its
  ``area_code`` names: a regency unit in its regency and its province, a provincial unit in its province only (it
  belongs to no regency), a national agency in the regency or province where it sits;
- :func:`editor_report` sums that per area over the capabilities and orders the areas for editors: the least
  confirmed first (share of confirmed rows, then the number of capabilities without a confirmed row), or with
  ``oldest=True`` the area whose oldest check is oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sqlalchemy import Engine

from core.errors import InputError
from directory import capabilities as vocabulary
from directory.agencies import agencies_frame
from geo import boundaries

LEVELS: tuple[str, ...] = ("province", "regency")
COMPLETENESS_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "level",
    "capability",
    "rows",
    "confirmed",
    "unconfirmed",
    "never_verified",
    "oldest_verified_on",
)
"""The columns of :func:`completeness`, in this order."""
REPORT_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "level",
    "rows",
    "confirmed",
    "unconfirmed",
    "confirmed_share",
    "never_verified",
    "oldest_verified_on",
    "capabilities_without_confirmed",
)
"""The columns of :func:`editor_report`, in this order."""


def _area_of(area_codes: pd.Series, level: str) -> pd.Series:
    """Return the area of `level` each agency's ``area_code`` lies in (None: a province unit, for regencies)."""
    if level == "province":
        return area_codes.str.slice(0, 2)
    return area_codes.where(area_codes.str.len() >= 5).str.slice(0, 5)


def completeness(
    agencies: pd.DataFrame, level: str = "province", capabilities: Iterable[str] | None = None
) -> pd.DataFrame:
    """Return what the directory holds per area of `level` and capability (rules in the module notes).

    Parameters
    ----------
    agencies
        Active offices in Indonesia (:func:`directory.agencies.agencies_frame` or its public view): ``area_code``,
        ``capabilities`` (lists), ``existence_confirmed``, ``verified_on``.
    level
        ``"province"`` or ``"regency"``.
    capabilities
        Capability codes; None: all 13.

    Returns
    -------
    pandas.DataFrame
        Every area of `level` once per capability (areas with no row too), columns :data:`COMPLETENESS_FIELDS`;
        ``oldest_verified_on`` is a date, None where no row of the area has one. Sorted by code, then capability in
        vocabulary order.

    Raises
    ------
    InputError
        If `level` or a capability code is unknown.
    """
    if level not in LEVELS:
        raise InputError("level", level, f"is expected to be one of {list(LEVELS)}.")
    codes = list(vocabulary.CAPABILITIES) if capabilities is None else vocabulary.check_capabilities(capabilities)
    areas = boundaries.load_areas(level)[["code", "name"]].sort_values("code", ignore_index=True)
    offers = pd.DataFrame(
        {
            "code": _area_of(agencies["area_code"].astype(str), level).to_numpy(),
            "capability": agencies["capabilities"].to_numpy(),
            "confirmed": agencies["existence_confirmed"].astype(bool).to_numpy(),
            "verified_on": pd.to_datetime(agencies["verified_on"]).to_numpy(),
        }
    ).explode("capability")
    offers = offers[offers["capability"].isin(codes) & offers["code"].notna()]
    grouped = offers.groupby(["code", "capability"])
    counts = pd.DataFrame(
        {
            "rows": grouped.size(),
            "confirmed": grouped["confirmed"].sum(),
            "never_verified": grouped.size() - grouped["verified_on"].count(),
            "oldest_verified_on": grouped["verified_on"].min(),
        }
    )
    every = pd.MultiIndex.from_product([areas["code"], codes], names=["code", "capability"])
    table = counts.reindex(every).reset_index()
    for column in ("rows", "confirmed", "never_verified"):
        table[column] = table[column].fillna(0).astype(int)
    table["unconfirmed"] = table["rows"] - table["confirmed"]
    oldest = table["oldest_verified_on"]
    table["oldest_verified_on"] = [None if pd.isna(day) else day.date() for day in oldest]
    table.insert(1, "name", table["code"].map(areas.set_index("code")["name"]))
    table.insert(2, "level", level)
    return table[list(COMPLETENESS_FIELDS)]


def confirmed_pairs(agencies: pd.DataFrame, level: str = "province") -> set[tuple[str, str]]:
    """Return the (area of `level`, capability) pairs :func:`completeness` counts a ``confirmed`` row for.

    The same rule without the table: an active office whose ``existence_confirmed`` is true counts, for each
    capability it offers, in the area of its ``area_code`` (module notes); cheap enough for every coverage request.
    """
    width = 2 if level == "province" else 5  # _area_of's rule on plain strings: no pandas call per request
    codes = [None if pd.isna(code) else str(code) for code in agencies["area_code"].tolist()]
    areas = [
        code[:width] if code is not None and (len(code) >= width or level == "province") else None for code in codes
    ]
    confirmed = agencies["existence_confirmed"].astype(bool).tolist()
    held = zip(areas, confirmed, agencies["capabilities"].tolist(), strict=True)
    return {(area, code) for area, ok, offered in held if ok and area is not None for code in offered}


def editor_report(
    engine: Engine,
    level: str = "province",
    capabilities: Iterable[str] | None = None,
    oldest: bool = False,
    within: str | None = None,
) -> pd.DataFrame:
    """Return the areas of `level` ordered for editors: least confirmed first, or oldest check first.

    Parameters
    ----------
    engine
        The database of the directory.
    level
        ``"province"`` or ``"regency"``.
    capabilities
        Count only these capability codes; None: all 13.
    oldest
        Order by ``oldest_verified_on`` (an area with a row never checked first, then the oldest date; areas
        without rows last) instead of by confirmation.
    within
        Only areas inside this area code (``"64"``: the regencies of Kalimantan Timur).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REPORT_FIELDS`, one row per area: the rows, confirmed and unconfirmed rows summed over the
        capabilities (an agency counts once per capability it offers), ``confirmed_share`` (NaN without rows),
        ``never_verified``, ``oldest_verified_on`` and ``capabilities_without_confirmed`` (the codes no confirmed
        row of the area offers). By default the least confirmed first: share of confirmed rows (no rows counts as
        0), then the most capabilities without a confirmed row, then the oldest check.
    """
    table = completeness(agencies_frame(engine), level, capabilities)
    if within is not None:
        boundaries.area(within, field="within")  # an unknown code raises with the close codes
        table = table[(table["code"] == within) | table["code"].str.startswith(within + ".")]
    grouped = table.groupby(["code", "name", "level"], sort=True)
    report = grouped[["rows", "confirmed", "unconfirmed", "never_verified"]].sum()
    report["oldest_verified_on"] = grouped["oldest_verified_on"].agg(lambda days: min(days.dropna(), default=None))
    missing = table[table["confirmed"] == 0].groupby(["code", "name", "level"])["capability"].agg(list)
    report["capabilities_without_confirmed"] = missing.reindex(report.index).map(
        lambda codes: codes if isinstance(codes, list) else []
    )
    report = report.reset_index()
    report["confirmed_share"] = (report["confirmed"] / report["rows"].replace(0, np.nan)).astype(float)
    if oldest:
        never = report["never_verified"] > 0
        days = pd.to_datetime(report["oldest_verified_on"])
        order = np.lexsort((report["code"], days.isna().to_numpy(), days.to_numpy(), ~never.to_numpy()))
    else:
        share = report["confirmed_share"].fillna(0.0).to_numpy()
        unconfirmed_capabilities = report["capabilities_without_confirmed"].map(len).to_numpy()
        order = np.lexsort((report["code"], -unconfirmed_capabilities, share))
    return report.iloc[order].reset_index(drop=True)[list(REPORT_FIELDS)]
