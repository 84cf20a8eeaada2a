"""Why a district has a gap: help is too far, or the directory has no verified entry (see :mod:`routing.coverage`).

Rule, per district ``d``, capability ``c`` and rule suffix ``m`` (``any``, ``permitted``), with ``gap_m`` from
:mod:`routing.coverage` (the nearest capable agency, permitted under ``permitted``, is beyond the standard):

- ``within_standard``: no gap;
- ``too_far``: a gap, although the directory holds a *confirmed* (``existence_confirmed``) active office offering
  ``c`` whose ``area_code`` lies in ``d``'s province: verified help exists in or near the area, beyond the standard;
- ``no_verified_entry``: a gap, and no confirmed office offering ``c`` in ``d``'s province, nor a confirmed national
  one within the standard (that one would have closed the gap: national agencies are permitted everywhere). The
  gap may then be the directory's, not the country's: an office no source has confirmed, or none recorded.

The province counts are those of :func:`directory.completeness.completeness` (an agency counts in the province of
its ``area_code``, not of its point). Rolled up, ``no_entry_districts_m`` counts the districts of an area whose
gap is ``no_verified_entry`` and ``no_entry_share_m`` their share of its gap districts (NaN: no gap); an area row
also carries the directory's own counts for it (``directory_rows``, ``directory_confirmed``,
``directory_oldest_verified_on``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from directory.completeness import completeness, confirmed_pairs
from routing.schemas import GAP_KINDS

_GAP_KIND_DTYPE = pd.CategoricalDtype(list(GAP_KINDS))  # built once: checking it costs a millisecond


def gap_kind_columns(
    rows: Mapping[str, object], agencies: pd.DataFrame, modes: list[str], keys: tuple
) -> dict[str, pd.Categorical]:
    """Return ``gap_kind_<m>`` for the district rows of :func:`routing.coverage.district_coverage` (module notes).

    `rows` (a frame or a mapping of columns) needs ``gap_<m>`` per mode of `modes`; `agencies` the frame the
    hours were computed from (``area_code``, ``capabilities``, ``existence_confirmed``). `keys` is
    :func:`gap_kind_keys` of the rows, which depends on the boundaries and capabilities only (the caller keeps it).
    """
    column_of, row_of, cell = keys
    # (province x capability) table of "a confirmed office offers it there", read once per row by its cell; its
    # last row, of a missing province, stays empty
    table = np.zeros((len(row_of) + 1, len(column_of)), dtype=bool)
    for area, code in confirmed_pairs(agencies, "province"):
        if area in row_of and code in column_of:
            table[row_of[area], column_of[code]] = True
    unverified = 2 - table.ravel()[cell].view(np.int8)  # 1: a confirmed office there, 2: none
    columns = {}
    for mode in modes:
        index = np.asarray(rows[f"gap_{mode}"], dtype=bool).view(np.int8) * unverified  # 0: within the standard
        columns[f"gap_kind_{mode}"] = pd.Categorical.from_codes(index, dtype=_GAP_KIND_DTYPE, validate=False)
    return columns


def gap_kind_keys(capability: pd.Series, province_code: pd.Series) -> tuple[dict, dict, np.ndarray]:
    """Return the `keys` of :func:`gap_kind_columns` for rows of these capabilities and province codes.

    The column of each capability code and the row of each province code in the table, and each row's cell in it
    (a missing province: the last row).
    """
    capability_index, codes = pd.factorize(capability)
    province, provinces = pd.factorize(province_code)
    row = np.where(province >= 0, province, len(provinces))
    column_of = {code: j for j, code in enumerate(codes)}
    return column_of, {code: i for i, code in enumerate(provinces)}, row * len(codes) + capability_index


def no_entry_columns(grouped: pd.core.groupby.DataFrameGroupBy, gap_districts: pd.Series, mode: str) -> dict:
    """Return ``no_entry_districts_<m>`` and ``no_entry_share_<m>`` of one roll-up (module notes)."""
    no_entry = grouped[f"no_entry_{mode}"].sum().astype(int)  # the roll-up's boolean column of no_verified_entry
    share = no_entry / gap_districts.replace(0, np.nan)
    return {f"no_entry_districts_{mode}": no_entry, f"no_entry_share_{mode}": share.astype(float)}


def with_directory_counts(frame: pd.DataFrame, agencies: pd.DataFrame, level: str) -> pd.DataFrame:
    """Return area rows of a roll-up with ``directory_rows``, ``directory_confirmed``, ``directory_oldest_verified_on``.

    District rows are returned unchanged (the directory has no district units).
    """
    if level == "district" or frame.empty:
        return frame
    counts = completeness(agencies, level, list(dict.fromkeys(frame["capability"]))).set_index(["code", "capability"])
    keys = pd.MultiIndex.from_arrays([frame["code"], frame["capability"]])
    found = counts.reindex(keys)
    return frame.assign(
        directory_rows=found["rows"].fillna(0).astype(int).to_numpy(),
        directory_confirmed=found["confirmed"].fillna(0).astype(int).to_numpy(),
        directory_oldest_verified_on=found["oldest_verified_on"].to_numpy(),
    )
