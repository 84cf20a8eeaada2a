"""Primary and complementary suppression of case figures (the rule is stated in :mod:`cases.figures`).

:func:`reasons` takes figures (columns ``area_code``, ``period_start``, ``period_end``,
``measure``, ``source``, ``value``) and returns, per row, why it is hidden in public:
``"small"`` (primary, value < k), ``"complementary"`` (withheld so that a total minus its
shown parts cannot give a hidden cell) or None (shown). Each (measure, source) pair is
treated on its own. The groups are built with pandas merges; the fixed point then walks
the groups in a fixed order (total area code, period), hiding one cell at a time, so the
result repeats and no group hides more than it needs because another group already did.
The interval audit (:mod:`cases._audit`) then hides one more cell at a time until every
small cell is protected against all groups combined, and needless withheld cells are shown
again. Results are cached per series content (the audit solves LPs).
"""

from __future__ import annotations

from collections import Counter
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from cases import _audit
from cases._fields import COUNTRY_CODE, area_names

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


@cache
def _children_count() -> Counter[str | None]:
    """Return how many areas of the Kemendagri list lie directly inside each area code."""
    return Counter(parent_code(code) for code in area_names())


def _rank(cells: pd.DataFrame, columns: list[str]) -> np.ndarray:
    """Return each cell's place when the cells are sorted by `columns`."""
    ranked = cells.reset_index(drop=True).assign(position=np.arange(len(cells))).sort_values(columns)
    order = np.empty(len(cells), dtype=np.int64)
    order[ranked["position"].to_numpy()] = np.arange(len(cells))
    return order


def _per_group_pass(
    found: list[tuple[int, np.ndarray]],
    hidden: np.ndarray,
    primary: np.ndarray,
    values: np.ndarray,
    k: int,
    order: np.ndarray,
) -> None:
    """Hide cells in `hidden` (in place) until no group is unsafe by itself (rule 3 of :mod:`cases.figures`)."""
    changed = True
    while changed:
        changed = False
        for total, parts in found:
            if _needs_more(total, parts, hidden, primary, values, k):
                chosen = _pick(total, parts, hidden, order)
                if chosen is not None:
                    hidden[chosen] = changed = True


def _audit_pick(
    cell: int, found: list[tuple[int, np.ndarray]], hidden: np.ndarray, order: np.ndarray, linked: np.ndarray
) -> int | None:
    """Return the cell to hide for an exposed `cell`, or None if every candidate is hidden.

    The smallest shown cell (ties: area code, then period) of the groups holding `cell`, else of the cells
    `linked` to it through relations.
    """
    members = [np.append(parts, total) for total, parts in found if total == cell or cell in parts]
    near = np.unique(np.concatenate(members)) if members else np.empty(0, np.int64)
    for candidates in (near[~hidden[near]], np.flatnonzero(linked & ~hidden)):
        if candidates.size:
            return int(candidates[np.argmin(order[candidates])])
    return None


def _reasons_of_one_series(cells: pd.DataFrame, k: int) -> np.ndarray:
    values = cells["value"].to_numpy(np.int64)
    primary = values < k
    hidden = primary.copy()
    order = _rank(cells, ["value", "area_code", "period_start", "period_end"])
    place = _rank(cells, ["area_code", "period_start", "period_end"])
    found = groups(cells)
    known = _audit.relations(cells, found, _children_count())
    component = _audit.components(known, len(cells))
    # Hiding a cell only widens what a reader can infer, so a small cell exposed even with every cell hidden
    # (a withheld total >= k made of small parts only) cannot be helped by hiding: it is not chased.
    hopeless = _audit.exposed(values, np.ones(len(cells), bool), primary, known, k)
    # Hiding only widens what a reader can infer: a cell once protected stays so while cells are being hidden.
    to_check = np.setdiff1d(np.flatnonzero(primary), hopeless)
    to_check = to_check[np.argsort(place[to_check])]
    while True:
        _per_group_pass(found, hidden, primary, values, k, order)
        first = _audit.exposed(values, hidden, primary, known, k, to_check, first_only=True)
        if first.size == 0:
            break
        cell = int(first[0])
        to_check = to_check[np.flatnonzero(to_check == cell)[0] :]
        chosen = _audit_pick(cell, found, hidden, order, component == component[cell])
        if chosen is None:  # unreachable: with every linked cell hidden the cell would be protected
            break
        hidden[chosen] = True
    # Later hiding can make earlier hiding needless: show again each withheld cell (largest first) that is safe to show.
    checked = np.setdiff1d(np.flatnonzero(primary), hopeless)
    for withheld in sorted(np.flatnonzero(hidden & ~primary), key=lambda position: -order[position]):
        hidden[withheld] = False
        trial = hidden.copy()
        _per_group_pass(found, trial, primary, values, k, order)
        linked = checked[component[checked] == component[withheld]]
        if (trial != hidden).any() or _audit.exposed(values, hidden, primary, known, k, linked, first_only=True).size:
            hidden[withheld] = True
    reason = np.full(len(cells), None, dtype=object)
    reason[hidden] = COMPLEMENTARY
    reason[primary] = SMALL
    return reason


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
        ordered = cells.sort_values(_CELL)
        key = tuple(ordered[[*_CELL, "value"]].itertuples(index=False, name=None))
        result.loc[ordered.index] = list(_reasons_of_same_series(key, int(k)))
    return result


_CELL = ["area_code", "period_start", "period_end"]


@lru_cache(maxsize=64)
def _reasons_of_same_series(rows: tuple[tuple, ...], k: int) -> tuple[str | None, ...]:
    """Cache of :func:`_reasons_of_one_series` by content: the audit's LPs take seconds on large series."""
    return tuple(_reasons_of_one_series(pd.DataFrame(list(rows), columns=[*_CELL, "value"]), k))
