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

import numpy as np
import pandas as pd

from directory.completeness import completeness, confirmed_pairs
from routing.schemas import GAP_KINDS

_GAP_KIND_DTYPE = pd.CategoricalDtype(list(GAP_KINDS))  # built once: checking it costs a millisecond


def gap_kind_columns(
    rows: pd.DataFrame, agencies: pd.DataFrame, modes: list[str], keys: tuple
) -> dict[str, pd.Categorical]:
    """Return ``gap_kind_<m>`` for the district rows of :func:`routing.coverage.district_coverage` (module notes).

    `rows` needs ``province_code``, ``capability`` and ``gap_<m>`` per mode of `modes`; `agencies` the frame the
    hours were computed from (``area_code``, ``capabilities``, ``existence_confirmed``, ``verified_on``). `keys`
    is ``pandas.factorize`` of the rows' ``capability`` and then of their ``province_code`` (both results), which
    depend on the boundaries and capabilities only (the caller keeps them).
    """
    capability, codes, province, provinces = keys
    held = [(area, code) for area, code in confirmed_pairs(agencies, "province") if code in codes]
    area, code = (pd.Index([pair[i] for pair in held], dtype=object) for i in (0, 1))
    # (province x capability) table of "a confirmed office offers it there", read once per row by integer codes
    table = np.zeros((len(provinces) + 1, len(codes)), dtype=bool)
    table[provinces.get_indexer(area), codes.get_indexer(code)] = True
    table[-1] = False  # the row of an unknown province (code -1) and of provinces no office is in
    verified = table[province, capability]
    columns = {}
    for mode in modes:
        gap = rows[f"gap_{mode}"].to_numpy(dtype=bool)
        index = np.where(~gap, 0, np.where(verified, 1, 2))
        columns[f"gap_kind_{mode}"] = pd.Categorical.from_codes(index, dtype=_GAP_KIND_DTYPE)
    return columns


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
