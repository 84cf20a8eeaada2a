"""Aggregate case figures of trafficking (TPPO): counts per area and period, never victims.

A figure is one published number: so many victims, cases or applications, in one
area (the country ``"ID"``, a province, regency or district by Kemendagri code),
over one period, for one measure, from one source. Figures of different measures
or sources count different things (an LPSK application is not a police victim)
and are never added together here; every row keeps its measure, unit and source.

Import
------
:func:`import_csv` reads a CSV file (columns in ``CSV_COLUMNS``, described in
``cases/sample/README.md``), validates every row and writes all of them in one
transaction, or none: any bad row rejects the whole file with an
:class:`~core.errors.ImportRejectedError` listing every row error. Rows are
numbered as in directory imports: the header is row 0 and the first data line
row 1 (blank lines are skipped). A value is at most ``MAX_VALUE`` (10**9) and
every text at most the size of its column of :class:`CaseFigure` (``measure``
120 characters, ``source`` 200, ``source_url`` 500). ``code_system`` says how
``area_code`` is written: ``kemendagri`` (the default) or ``bps2020``. BPS 2020
codes are converted through the BPS-Kemendagri crosswalk, never taken as they
are: 199 of the 514 regencies have another number (BPS 5303 is Kemendagri 53.01
Kabupaten Kupang), and the BPS 2020 Papua provinces 91 and 94 were split in
2022, so they have no single Kemendagri code and are refused.

Suppression (public outputs)
----------------------------
*Primary*: every count below ``settings.suppress_below`` (k, default 5) is shown as the
text ``"<k"``, never as the number, and gets no rate, in every public output
(:func:`public_figures`, :func:`public_values`). Zero is a count below k too. This is
a k-anonymity-like banding of small cells: a count of 1 or 2 in a regency can
identify a victim to neighbours, and UU 21/2007 art. 44 gives victims a right to a
confidential identity. The Counter Trafficking Data Collaborative publishes with
k = 11; Indonesian police publish regency counts as small as 1, so k is a
setting (``RUJUK_SUPPRESS_BELOW``).

*Complementary*: a published total minus its published parts would give a lone hidden
part (a province minus its shown regencies, a year minus its first half), so more cells
are withheld, by the statistical offices' rule "no lone suppressed cell in a linear
relation", extended against zeros (:mod:`cases._suppression`):

1. Cells are the figures of one (measure, source) pair; pairs are never mixed.
2. A *group* is a total and its parts: (a) the figure of area A for period P and the
   figures of the areas directly inside A (``A.xx``, one level down; the provinces for
   ``"ID"``) for the same P; (b) the figure of area A for period P and the figures of A
   whose periods lie inside P (parts need not partition P). A group needs a part.
3. Cells below k are hidden (reason ``"small"``). Then, group after group (ordered by the
   total's area code and period) and pass after pass until a whole pass hides nothing,
   a group is *unsafe* if it has exactly one hidden cell; or if every hidden cell is
   small (their sum, total minus shown parts, would bound each: two zeros would show
   as 0); or if its total is shown and total - shown parts <= k x (number of hidden
   complementary parts): a complementary cell is published as withheld, so it is known
   to be at least k, and every hidden part would be pinned (small ones at 0).
   An unsafe group gets its smallest shown part hidden (ties: area code, then period),
   or its total when no part is shown (reason ``"complementary"``). A total hidden so is
   a hidden cell of the groups it is a part of, so hiding runs up and down the areas.
4. *Interval audit* (:mod:`cases._audit`): groups combined (a province's halves and its
   regencies' years) can pin a cell that every group alone protects. A reader's knowledge
   is modelled as a linear program over the hidden cells of the series: shown cells are
   constants, a small cell lies in [0, k - 1], a complementary one is >= k; each area
   group gives total = sum of parts when every child area (Kemendagri list) has a figure,
   else total >= sum; each chain of non-overlapping sub-periods gives total = sum when it
   partitions the period, else total >= sum. A relation the true figures break (parts
   summing to more than the total) is left out. Each small cell is minimised and maximised
   (scipy ``linprog``, HiGHS); it is *protected* when its interval is all of [0, k - 1].
   While one is not, the smallest shown cell of the groups holding the first exposed cell
   (by area code, then period) is hidden too, step 3 runs again, and the audit again.
5. Cells withheld by steps 3-4 that later hiding made needless are shown again (largest
   first) when step 3 and the audit still pass without them.
6. The mask is computed over every figure of the (measure, source), then the rows asked
   for are taken: two filtered answers cannot be subtracted.

A complementary cell is shown as :data:`WITHHELD` (``"x"``), ``suppressed`` True,
``suppressed_reason`` ``"complementary"``, with no rate. What ``"x"`` tells a reader is
part of the contract: a count of at least k withheld on purpose (small counts show as
``"<k"``); the audit assumes the reader knows it. Guarantee: from everything published
for a (measure, source), under additive areas and periods, no small count can be bounded
more tightly than ``"<k"``. Limits: the bounds are those of the linear relaxation (integer
reasoning could narrow a cell where three or more hierarchies cross); relations the true
figures break are not modelled (a reader assuming them reaches a wrong value, possibly a
close one); a withheld total made only of small parts tells that they sum to at least k
(two parts of a total of 6 are each >= 2), which no hiding can undo, so such cells are
left as they are; figures of other measures or sources are not related. Authorised callers
see true counts (:func:`query_figures`).

Rates
-----
``rate_per_100k`` is value / population x 100,000 with the registered
(Dukcapil, Kepmendagri 2025) population of :func:`geo.wilayah.load_population`,
known for the country, provinces and regencies, not districts. It uses that one
population whatever the period, so it is a rough scale, not an incidence rate.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import CheckConstraint, ColumnElement, Date, Engine, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from cases import _suppression
from cases._fields import COUNTRY_CODE, area_names, parse_row
from cases._suppression import COMPLEMENTARY
from core import files as _files
from core import settings
from core.db import Base, length_errors, session_scope
from core.errors import ImportRejectedError, InputError, RowError
from geo import wilayah

LEVELS: tuple[str, ...] = ("country", "province", "regency", "district")
CSV_COLUMNS: list[str] = [
    "area_code",
    "code_system",
    "period_start",
    "period_end",
    "measure",
    "unit",
    "value",
    "source",
    "source_url",
    "note",
]
REQUIRED_COLUMNS: list[str] = ["area_code", "period_start", "period_end", "measure", "unit", "value", "source"]
KEY: list[str] = ["area_code", "period_start", "period_end", "measure", "source"]
"""Columns that identify a figure: one value per area, period, measure and source."""
SAMPLE_CSV: Path = Path(__file__).resolve().parent / "sample" / "figures.csv"
"""Public figures gathered from news and agency reports (see cases/sample/README.md)."""
WITHHELD = "x"
"""How a complementary-suppressed count is shown (the statistical offices' mark for a confidential cell)."""


class CaseFigure(Base):
    """One published aggregate count for an area, period, measure and source."""

    __tablename__ = "case_figures"
    __table_args__ = (
        UniqueConstraint(*KEY, name="uq_case_figures_area_period_measure_source"),
        CheckConstraint("value >= 0", name="ck_case_figures_value_not_negative"),
        CheckConstraint("period_end >= period_start", name="ck_case_figures_period_order"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    area_code: Mapped[str] = mapped_column(String(13), index=True)
    code_system: Mapped[str] = mapped_column(String(12))
    source_area_code: Mapped[str] = mapped_column(String(13))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    measure: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(20))
    value: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)


def _level(code: str) -> str:
    return "country" if code == COUNTRY_CODE else {2: "province", 5: "regency", 8: "district"}[len(code)]


def _existing_keys(engine: Engine | None) -> set[tuple]:
    if engine is None:
        return set()
    with session_scope(engine) as session:
        return {tuple(row) for row in session.execute(select(*(getattr(CaseFigure, c) for c in KEY)))}


def validate_csv(path: str | Path, engine: Engine | None = None) -> list[dict[str, object]]:
    """Return the clean rows of a case-figure CSV, or reject the whole file.

    Parameters
    ----------
    path
        CSV file, UTF-8, with a header of ``CSV_COLUMNS`` (``code_system``,
        ``source_url`` and ``note`` may be left out).
    engine
        If given, a figure already in this database counts as a duplicate.

    Returns
    -------
    list of dict
        One dict per row with the fields of :class:`CaseFigure`; ``area_code``
        converted to Kemendagri, ``source_area_code`` as written.

    Raises
    ------
    InputError
        If the file is empty (no header line) or not UTF-8; the message names it.
    ImportRejectedError
        Listing every error, sorted by row: a missing, repeated or unknown column
        (row 0, the header), then per row (the first data line is row 1) an unknown
        area code, negative, non-integer or implausibly large value (above
        ``MAX_VALUE``), bad date, period ending before it starts, empty measure or
        source, a text longer than its column, unknown unit or code system, or a
        duplicate (area, period, measure, source), within the file or with the
        database.
    """
    raws = _files.read_csv(path, CSV_COLUMNS, REQUIRED_COLUMNS)
    errors: list[RowError] = []
    seen: dict[tuple, int] = {}
    existing = _existing_keys(engine)
    rows: list[dict[str, object]] = []
    for row, raw in enumerate(raws, start=1):
        clean, row_errors = parse_row(raw, row)
        row_errors += length_errors(row, {c: v for c, v in clean.items() if c in CSV_COLUMNS}, CaseFigure)
        errors.extend(row_errors)
        if row_errors:
            continue
        key = tuple(clean[column] for column in KEY)
        if key in seen or key in existing:
            where = f"row {seen[key]}" if key in seen else "the database"
            message = f"repeats the area, period, measure and source of {where}; give each figure once."
            errors.append(RowError(row, "area_code", raw["area_code"], message))
        seen.setdefault(key, row)
        rows.append(clean)
    if errors:
        raise ImportRejectedError(str(path), errors)
    return rows


def import_csv(engine: Engine, path: str | Path = SAMPLE_CSV) -> int:
    """Validate a case-figure CSV and write all its rows in one transaction; return how many.

    Raises
    ------
    ImportRejectedError
        If any row is bad (see :func:`validate_csv`); nothing is written.
    """
    rows = validate_csv(path, engine)
    with session_scope(engine) as session:
        session.add_all(CaseFigure(**row) for row in rows)
    return len(rows)


def _filters(
    area_code: str | list[str] | None, measure: str | None, source: str | None, start: date | None, end: date | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if area_code is not None:
        codes = [area_code] if isinstance(area_code, str) else list(area_code)
        conditions.append(CaseFigure.area_code.in_(codes))
    if measure is not None:
        conditions.append(CaseFigure.measure == measure)
    if source is not None:
        conditions.append(CaseFigure.source == source)
    if start is not None:
        conditions.append(CaseFigure.period_end >= start)
    if end is not None:
        conditions.append(CaseFigure.period_start <= end)
    return conditions


def query_figures(
    engine: Engine,
    area_code: str | list[str] | None = None,
    measure: str | None = None,
    source: str | None = None,
    start: date | None = None,
    end: date | None = None,
    level: str | None = None,
) -> pd.DataFrame:
    """Return stored figures with their area and rate, UNSUPPRESSED (internal use only).

    Public outputs must use :func:`public_figures`.

    Parameters
    ----------
    engine
        The database.
    area_code
        One Kemendagri code (or ``"ID"``) or a list of them.
    measure, source
        Exact measure or source text.
    start, end
        Keep figures whose period overlaps [start, end].
    level
        ``"country"``, ``"province"``, ``"regency"`` or ``"district"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``area_code``, ``area_name``, ``level``, ``period_start``,
        ``period_end`` (datetime.date), ``measure``, ``unit``, ``value``,
        ``source``, ``source_url``, ``note``, ``code_system``,
        ``source_area_code``, ``population`` (Int64, NA where unknown),
        ``rate_per_100k`` (NaN where the population is unknown); sorted by
        measure, source, period and area code.

    Raises
    ------
    InputError
        If `level` is unknown.
    """
    if level is not None and level not in LEVELS:
        raise InputError("level", level, f"is expected to be None or one of {list(LEVELS)}.")
    columns = [c for c in CSV_COLUMNS if c != "area_code"] + ["area_code", "source_area_code"]
    statement = select(*(getattr(CaseFigure, c) for c in columns)).where(
        *_filters(area_code, measure, source, start, end)
    )
    with session_scope(engine) as session:
        frame = pd.DataFrame(session.execute(statement).all(), columns=columns)
    frame.insert(0, "area_name", frame["area_code"].map(area_names()).astype(object))
    frame.insert(1, "level", frame["area_code"].map(_level).astype(object))
    frame = frame[frame["level"] == level] if level is not None else frame
    population = wilayah.load_population().rename({"0": COUNTRY_CODE})
    frame["value"] = frame["value"].astype("int64")
    frame["population"] = frame["area_code"].map(population).astype("Int64")
    frame["rate_per_100k"] = (frame["value"] / frame["population"] * 100_000).astype(float).round(2)
    order = [
        "area_code",
        "area_name",
        "level",
        "period_start",
        "period_end",
        "measure",
        "unit",
        "value",
        "source",
        "source_url",
        "note",
        "code_system",
        "source_area_code",
        "population",
        "rate_per_100k",
    ]
    return frame[order].sort_values(["measure", "source", "period_start", "area_code"], ignore_index=True)


def suppress(values: pd.Series, threshold: int | None = None) -> pd.Series:
    """Return counts as shown in public: each below `threshold` as ``"<threshold"``, the others as ints.

    Parameters
    ----------
    values
        Non-negative counts.
    threshold
        k; default ``settings.suppress_below`` (read at call time).

    Returns
    -------
    pandas.Series
        Object dtype: ``int`` or ``str``, same index as `values`.
    """
    k = int(settings.suppress_below if threshold is None else threshold)
    shown = [f"<{k}" if value < k else int(value) for value in values]
    return pd.Series(shown, index=values.index, dtype=object, name=values.name)


def suppression_reasons(engine: Engine, figures: pd.DataFrame) -> pd.Series:
    """Return why each row of `figures` is hidden in public: ``"small"``, ``"complementary"`` or None.

    Computed over every stored figure of the (measure, source) pairs of `figures` (rule in
    the module notes), so the answer for a row does not depend on which rows were asked for.

    Parameters
    ----------
    engine
        The database the figures come from.
    figures
        Rows of :func:`query_figures` (any subset).

    Returns
    -------
    pandas.Series
        Object dtype, same index as `figures`, named ``suppressed_reason``.
    """
    every = query_figures(engine)
    pairs = figures[["measure", "source"]].drop_duplicates()
    every = every.merge(pairs, on=["measure", "source"])
    every["suppressed_reason"] = _suppression.reasons(every, int(settings.suppress_below))
    found = figures[KEY].merge(every[[*KEY, "suppressed_reason"]], on=KEY, how="left")
    return pd.Series(found["suppressed_reason"].to_numpy(), index=figures.index, dtype=object, name="suppressed_reason")


def public_values(values: pd.Series, reasons: pd.Series, threshold: int | None = None) -> pd.Series:
    """Return counts as shown in public: ``"<k"`` where small, :data:`WITHHELD` where complementary, else ints.

    `reasons` is :func:`suppression_reasons` of the same rows.
    """
    shown = suppress(values, threshold)
    return shown.mask(reasons.eq(COMPLEMENTARY).to_numpy(), WITHHELD)


def public_figures(engine: Engine, **filters: Any) -> pd.DataFrame:
    """Return figures as they may be published: small counts and their complements suppressed, no rate for them.

    Takes the filters of :func:`query_figures`. A value below ``settings.suppress_below``
    is the text ``"<k"``, a complementary one :data:`WITHHELD`; their ``rate_per_100k`` is
    NaN; ``suppressed`` says which rows were and ``suppressed_reason`` why (``"small"``,
    ``"complementary"``, None). The rows hidden do not depend on the filters.
    """
    frame = query_figures(engine, **filters)
    reasons = suppression_reasons(engine, frame)
    suppressed = reasons.notna()
    frame["value"] = public_values(frame["value"], reasons)
    frame["rate_per_100k"] = frame["rate_per_100k"].mask(suppressed)
    frame["suppressed"] = suppressed
    frame["suppressed_reason"] = reasons
    return frame
