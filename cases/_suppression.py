"""Primary and complementary suppression of case figures (the rule is stated in :mod:`cases.figures`).

:func:`reasons` takes figures (columns ``area_code``, ``period_start``, ``period_end``,
``measure``, ``source``, ``value``) and returns, per row, why it is hidden in public:
``"small"`` (primary, value < k), ``"complementary"`` (withheld so that a total minus its
shown parts cannot give a hidden cell) or None (shown). Each (measure, source) pair is
treated on its own. The groups are built with pandas merges; the fixed point then walks
the groups in a fixed order (total area code, period), hiding one cell at a time, so the
result repeats and no group hides more than it needs because another group already did.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cases._fields import COUNTRY_CODE

SMALL = "small"
COMPLEMENTARY = "complementary"


def parent_code(code: str) -> str | None:
    """Return the area directly containing `code`: a district's regency, a regency's province, a province's country."""
    if code == COUNTRY_CODE:
        return None
    return code.rsplit(".", 1)[0] if "." in code else COUNTRY_CODE


def groups(cells: pd.DataFrame) -> list[tuple[int, np.ndarray]]:
    """Return the groups of one (measure, source): (position of the total, positions of its parts).

    (a) an area's figure and the figures of its child areas for the same period;
    (b) an area's figure and the figures of the same area whose periods lie inside its period.
    Positions are 0..n-1 in `cells`; groups are sorted by the total's area code and period.
    """
    table = cells[["area_code", "period_start", "period_end"]].reset_index(drop=True)
    table["position"] = np.arange(len(table))
    table["parent"] = table["area_code"].map(parent_code)
    by_area = table.merge(
        table,
        left_on=["area_code", "period_start", "period_end"],
        right_on=["parent", "period_start", "period_end"],
        suffixes=("", "_part"),
    )
    by_period = table.merge(table, on="area_code", suffixes=("", "_part"))
    inside = (
        (by_period["position"] != by_period["position_part"])
        & (by_period["period_start_part"] >= by_period["period_start"])
        & (by_period["period_end_part"] <= by_period["period_end"])
    )
    key = ["area_code", "period_start", "period_end", "kind", "position"]
    pairs = pd.concat([by_area.assign(kind=0), by_period[inside].assign(kind=1)])[[*key, "position_part"]]
    ordered = pairs.sort_values([*key, "position_part"])
    return [(int(total), part["position_part"].to_numpy(int)) for (*_, total), part in ordered.groupby(key, sort=False)]


def _needs_more(
    total: int, parts: np.ndarray, hidden: np.ndarray, primary: np.ndarray, values: np.ndarray, k: int
) -> bool:
    """Return True if the hidden cells of this group could be computed (or pinned) from its shown cells."""
    members = np.append(parts, total)
    count = hidden[members].sum()
    if count == 0:
        return False
    if count == 1 or primary[members][hidden[members]].all():
        return True
    if hidden[total]:
        return False
    # A complementary cell is published as withheld, so it is known to be at least k: if the
    # total minus the shown parts leaves no more than k per complementary part, every hidden
    # part is pinned (the primaries at 0, the complementary ones at k).
    rest = values[total] - values[parts][~hidden[parts]].sum()
    complementary = (hidden[parts] & ~primary[parts]).sum()
    return bool(rest <= k * complementary)


def _pick(total: int, parts: np.ndarray, hidden: np.ndarray, order: np.ndarray) -> int | None:
    """Return the cell to hide next: the smallest shown part (ties: area code, period), else the total if shown."""
    shown = parts[~hidden[parts]]
    if shown.size:
        return int(shown[np.argmin(order[shown])])
    return None if hidden[total] else total


def _reasons_of_one_series(cells: pd.DataFrame, k: int) -> np.ndarray:
    values = cells["value"].to_numpy(np.int64)
    primary = values < k
    hidden = primary.copy()
    ranked = cells.reset_index(drop=True).assign(position=np.arange(len(cells)))
    ranked = ranked.sort_values(["value", "area_code", "period_start", "period_end"])
    order = np.empty(len(cells), dtype=np.int64)
    order[ranked["position"].to_numpy()] = np.arange(len(cells))
    found = groups(cells)
    changed = True
    while changed:
        changed = False
        for total, parts in found:
            if _needs_more(total, parts, hidden, primary, values, k):
                chosen = _pick(total, parts, hidden, order)
                if chosen is not None:
                    hidden[chosen] = changed = True
    return np.where(primary, SMALL, np.where(hidden, COMPLEMENTARY, None)).astype(object)


def reasons(figures: pd.DataFrame, k: int) -> pd.Series:
    """Return why each figure is hidden in public: ``"small"``, ``"complementary"`` or None (shown).

    Parameters
    ----------
    figures
        Every figure that some public answer can show, with ``area_code``,
        ``period_start``, ``period_end``, ``measure``, ``source`` and ``value`` (true counts).
        Pass whole (measure, source) series: a subset would let two answers be subtracted.
    k
        The threshold: a value below `k` is a small count.

    Returns
    -------
    pandas.Series
        Object dtype, same index as `figures`, named ``suppressed_reason``.
    """
    result = pd.Series(None, index=figures.index, dtype=object, name="suppressed_reason")
    for _, cells in figures.groupby(["measure", "source"], sort=False):
        result.loc[cells.index] = _reasons_of_one_series(cells, k)
    return result
