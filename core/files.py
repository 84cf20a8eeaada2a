"""Reading the files that Rujuk imports: CSV with a checked header, GeoJSON with checked features.

Both readers reject a file whose *shape* is wrong before any value is parsed: an
unreadable file (not UTF-8, not JSON, empty) raises :class:`~core.errors.InputError`
naming the file; a file that reads but has unknown, missing or repeated columns,
rows with more cells than the header, or GeoJSON features that are not Feature
objects with a valid Point raises :class:`~core.errors.ImportRejectedError` listing
every such row. The values themselves are checked by the importers
(:mod:`directory.io`, :mod:`cases.figures`).

Spreadsheet formulas (OWASP "CSV Injection"): a text cell that starts with one of
:data:`FORMULA_STARTS` may be run as a formula by the spreadsheet that opens the file, and so
may a text that holds a list separator followed by one (``Rumah Aman;=cmd|...``): Excel in
Indonesian uses ``;`` as its list separator and may split the cell there (:func:`formula_like`).
:func:`neutralised` writes a ``'`` before each such formula character (at the start and after each
separator), so every part a spreadsheet may split off is shown as text, not run, and :func:`restored`
reads that form back, so an export read again gives the same text, whatever it is.
:func:`csv_text` writes every CSV export: every text cell quoted and neutralised, numbers as numbers.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from core.errors import ImportRejectedError, InputError, RowError, cut

FORMULA_STARTS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""
SEPARATORS: tuple[str, ...] = (";", ",", "\t", "\n", "\r")
"""Characters at which a spreadsheet may start a new cell (list separators of English and Indonesian locales, lines)."""
_AFTER_SEPARATOR = re.compile(f"[{re.escape(''.join(SEPARATORS))}]\\s*[=+\\-@]")
_QUOTE = "'"


def formula_like(text: str) -> bool:
    """Return True if a spreadsheet may run `text` (or a part it splits off) as a formula.

    That is a text that starts with one of :data:`FORMULA_STARTS`, or holds one of :data:`SEPARATORS` followed
    (after optional spaces) by a formula character: ``=1+1``, ``Rumah Aman;=cmd|' /C calc'!A0``, ``a, @SUM(1)``.
    """
    return text.startswith(FORMULA_STARTS) or _AFTER_SEPARATOR.search(text) is not None


_LEADING = re.compile(r"^('*)([=+\-@\t\r])")
_INSIDE = re.compile(f"([{re.escape(''.join(SEPARATORS))}]\\s*)('*)([=+\\-@])")
_LEADING_QUOTED = re.compile(r"^'('*)([=+\-@\t\r])")
_INSIDE_QUOTED = re.compile(f"([{re.escape(''.join(SEPARATORS))}]\\s*)'('*)([=+\\-@])")


def neutralised(text: str) -> str:
    """Return `text` as a CSV cell a spreadsheet shows rather than runs.

    A ``'`` goes before a formula character at the start of the text and before every one that follows a
    separator (:data:`SEPARATORS`, after optional spaces), where a spreadsheet using ``;`` may start a new cell:
    ``=1+1`` becomes ``'=1+1`` and ``Rumah Aman;=cmd`` becomes ``Rumah Aman;'=cmd``. Quotes already standing
    there get one more, so that :func:`restored` gives every text back exactly.
    """
    return _INSIDE.sub(r"\1'\2\3", _LEADING.sub(r"'\1\2", text))


def restored(cell: str) -> str:
    """Return the text of a cell written by :func:`neutralised`: one ``'`` less before each neutralised formula."""
    return _INSIDE_QUOTED.sub(r"\1\2\3", _LEADING_QUOTED.sub(r"\1\2", cell))


def csv_text(rows: Iterable[Mapping[str, object]], fields: Sequence[str]) -> str:
    r"""Return `rows` as CSV text (a header of `fields`, ``\n`` line ends) that a spreadsheet opens as data.

    An ``int`` or ``float`` (not a bool) is written as a number, unquoted; every other value is text, quoted
    (``csv.QUOTE_NONNUMERIC``, so a separator inside it never splits it) and :func:`neutralised`; None is empty.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_csv_cell(row.get(field)) for field in fields])
    return buffer.getvalue()


def _csv_cell(value: object) -> object:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return neutralised("" if value is None else str(value))


_NUMBER = r"[+-]?[0-9][0-9 ().+/-]*"
_PLAIN_NUMBER = re.compile(f"{_NUMBER}(?:[;,]\\s*{_NUMBER})*")
"""A text a spreadsheet cannot run as a command (no letters, no function): a phone number, a signed number, or a
list of them split by ``;`` or ``,`` (``+852 6894 2799; +852 6773 0466``: each cell a split gives is one too)."""


def formula_warnings(rows: Sequence[Mapping[str, object]], numbers: Iterable[str] = ()) -> list[RowError]:
    """Return a warning (a RowError that rejects nothing) for every text of `rows` a spreadsheet may run as a formula.

    Rows are numbered from 1. The fields `numbers`, texts that are plain numbers (:data:`_PLAIN_NUMBER`,
    e.g. ``-10.18`` or ``+62 380 123``) and texts that start with ``'`` (shown as text; :func:`neutralised` writes
    them) are left out.
    """
    numbers, warnings = set(numbers), []
    for number, row in enumerate(rows, start=1):
        for field, value in row.items():
            if (
                isinstance(value, str)
                and formula_like(value)
                and not value.startswith(_QUOTE)
                and field not in numbers
                and not _PLAIN_NUMBER.fullmatch(value.strip())
            ):
                message = (
                    "starts like a spreadsheet formula, or holds one after a separator (; , tab or line); "
                    "check it is meant (an export writes it as text, with a leading ')."
                )
                warnings.append(RowError(number, str(field), value, message))
    return warnings


def read_text(path: str | Path) -> str:
    """Return the text of a UTF-8 file (a byte-order mark is dropped).

    Raises
    ------
    InputError
        If the file is not UTF-8 text; the message names the file and the first bad byte.
    """
    path = Path(path)
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        msg = (
            f"is not UTF-8 text (byte {error.start} is {error.object[error.start : error.start + 1]!r}); "
            "save it as UTF-8 (in a spreadsheet: CSV UTF-8) and import it again."
        )
        raise InputError("file", str(path), msg) from None


def header_errors(
    columns: Iterable[str],
    allowed: Iterable[str],
    required: Iterable[str] = (),
    row: int = 0,
    hints: Mapping[str, str] | None = None,
) -> list[RowError]:
    """Return a RowError (at `row`) for every missing, repeated or unknown column of a header.

    Parameters
    ----------
    columns
        The header as read (names already stripped).
    allowed
        Every column the file may have; the message of an unknown column lists them.
    required
        Columns the file must have.
    row
        The row number given to the errors: the header's own number in the file's numbering.
    hints
        Extra advice by column name, said instead of the list of columns (e.g. for a
        column that only a public export writes).
    """
    columns, allowed, hints = list(columns), list(allowed), dict(hints or {})
    errors = [
        RowError(row, c, None, "is a missing column; add it to the header.") for c in required if c not in columns
    ]
    for position, column in enumerate(columns):
        name = cut(column)  # a header name is never echoed whole
        if column in columns[:position]:
            errors.append(RowError(row, name, name, "repeats a column of the header; give each column once."))
        elif column not in allowed:
            advice = hints.get(column) or f"the columns are {allowed}; fix the spelling or remove it."
            errors.append(RowError(row, name, name, f"is not a column: {advice}"))
    return errors


def read_csv(
    path: str | Path,
    allowed: Iterable[str] | None,
    required: Iterable[str] = (),
    hints: Mapping[str, str] | None = None,
) -> list[dict[str, str]]:
    """Return the rows of a UTF-8 CSV file as dicts of text, after checking its header.

    Errors number the header row 0 and the data rows from 1, blank lines skipped
    (the numbering of every import).

    Parameters
    ----------
    path
        The file.
    allowed, required, hints
        The columns it may have (None: any) and must have, as :func:`header_errors`.

    Returns
    -------
    list of dict
        One dict per data row (blank lines skipped), keyed by the stripped column
        names; a cell missing at the end of a short row is ``""``.

    Raises
    ------
    InputError
        If the file is not UTF-8 or has no header line.
    ImportRejectedError
        If a column is unknown, missing or repeated, or a row has more cells than
        the header; every such error is listed.
    """
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = next(reader, None)
    if header is None or not any(cell.strip() for cell in header):
        names = f", from {list(allowed)}" if allowed is not None else ""
        msg = f"is empty: it has no header line; the first line names the columns{names}."
        raise InputError("file", str(path), msg)
    columns = [cell.strip() for cell in header]
    errors = header_errors(columns, columns if allowed is None else allowed, required, 0, hints)
    rows = []
    for number, cells in enumerate((cells for cells in reader if any(c.strip() for c in cells)), 1):
        if len(cells) > len(columns):
            extra = cells[len(columns) :]
            message = f"has {len(cells)} cells but the header has {len(columns)}; quote cells that contain commas."
            errors.append(RowError(number, "(extra cells)", extra, message))
        rows.append(dict(zip(columns, cells + [""] * (len(columns) - len(cells)), strict=False)))
    if errors:
        raise ImportRejectedError(str(path), errors)
    return rows


def _snippet(value: object) -> object:
    """Return a JSON value as it is shown in an error: itself if short, else its JSON text cut to 80 characters."""
    text = json.dumps(value, ensure_ascii=False)
    return value if len(text) <= 80 else text[:77] + "..."


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _point_errors(row: int, geometry: object) -> list[RowError]:
    """Return why `geometry` is not null or a GeoJSON Point of two or three finite numbers (none if it is)."""
    if geometry is None:
        return []
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        kind = geometry.get("type") if isinstance(geometry, dict) else _snippet(geometry)
        return [RowError(row, "geometry", kind, "is expected to be a Point or null.")]
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) not in (2, 3) or not all(map(_number, coordinates)):
        message = "are expected to be [lon, lat]: two numbers in WGS84 degrees (RFC 7946), e.g. [123.60273, -10.18551]."
        return [RowError(row, "geometry.coordinates", _snippet(coordinates), message)]
    return []


def read_features(
    path: str | Path, points: bool = True, hints: dict[str, str] | None = None
) -> list[dict[str, object]]:
    """Return the features of a GeoJSON FeatureCollection as flat records (properties, plus lon and lat).

    Parameters
    ----------
    path
        A UTF-8 GeoJSON file (RFC 7946).
    points
        True: every geometry must be a Point of ``[lon, lat]`` numbers or null, and
        gives ``lon`` and ``lat``; False: geometries are ignored (agreements carry
        a line for maps only).
    hints
        Properties a feature must not set to a true value, each with the advice to give
        (``redacted``: a public export, whose confidential points are not the true ones).

    Returns
    -------
    list of dict
        One record per feature, numbered as rows from 1 in the errors.

    Raises
    ------
    InputError
        If the file is not UTF-8, not JSON, or not a FeatureCollection with a
        ``features`` list; the message names the file.
    ImportRejectedError
        If a feature is not a Feature object, its properties are not an object, or
        (with `points`) its geometry is not a valid Point or null, or it sets a property of
        `hints`; every such row is listed.
    """
    try:
        data = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        msg = (
            f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}; "
            "fix the file or export it again."
        )
        raise InputError("file", str(path), msg) from None
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        msg = (
            "is expected to be a GeoJSON FeatureCollection (RFC 7946): "
            '{"type": "FeatureCollection", "features": [...]}.'
        )
        raise InputError("file", str(path), msg)
    records, errors = [], []
    for row, feature in enumerate(data["features"], start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            message = (
                'is expected to be a GeoJSON Feature object {"type": "Feature", "geometry": ..., "properties": {...}}.'
            )
            errors.append(RowError(row, "feature", _snippet(feature), message))
            continue
        properties = feature.get("properties")
        if properties is not None and not isinstance(properties, dict):
            errors.append(RowError(row, "properties", _snippet(properties), "is expected to be an object or null."))
            continue
        record = dict(properties or {})
        errors.extend(
            RowError(row, key, record[key], advice) for key, advice in (hints or {}).items() if record.get(key)
        )
        geometry = feature.get("geometry")
        problems = _point_errors(row, geometry) if points else []
        errors.extend(problems)
        if points and geometry is not None and not problems:
            record["lon"], record["lat"] = geometry["coordinates"][:2]
        records.append(record)
    if errors:
        raise ImportRejectedError(str(path), errors)
    return records


def write_private(path: str | Path, text: str) -> Path:
    """Write `text` (UTF-8) to file `path`, readable and writable by its owner only (0600), and return the path.

    An existing file is emptied and set to 0600 too: an export may hold the true points and addresses of safe
    houses (``rujuk agencies export --full``), and must not be left readable by every user of the machine.
    """
    path = Path(path)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
        if hasattr(os, "fchmod"):  # not on Windows before Python 3.13, whose files have no such modes
            os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
    return path


def private_dir(path: Path) -> Path:
    """Create folder `path` (and missing parents) readable by its owner only (0700) if it is missing; return it.

    The data folder holds the database with the true points of safe houses and the secret key; an existing
    folder is left as its owner set it.
    """
    if not path.exists():
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path
