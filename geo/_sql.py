"""Read the rows of MySQL dump files (``INSERT INTO t (cols) VALUES (...), ...;``) without running SQL.

The upstream repositories publish their data as MySQL dumps. This module tokenises a
dump with one regular expression and collects the literal values of every ``INSERT``
statement: quoted strings (with ``''`` and backslash escapes), numbers and ``NULL``.
Comments (``/* */``, ``-- ``, ``#``) and every other statement are skipped. The
string pattern is written as an "unrolled loop", so a 1 MB polygon string is matched
in one pass of the regex engine rather than character by character in Python.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import cast

import pandas as pd

from core.errors import DataUnavailableError

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<comment>/\*.*?\*/|--(?:[ \t][^\n]*)?(?=\n|$)|\#[^\n]*)
    | '(?P<string>[^'\\]*(?:(?:\\.|'')[^'\\]*)*)'
    | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
    | (?P<word>[A-Za-z_][A-Za-z0-9_$]*|`[^`]*`|"[^"]*")
    | (?P<punct>[(),;.=*])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}
_ESCAPE = re.compile(r"\\(.)|''", re.DOTALL)


def _unescape(text: str) -> str:
    if "\\" not in text and "''" not in text:
        return text
    return _ESCAPE.sub(lambda m: "'" if m.group(1) is None else _ESCAPES.get(m.group(1), m.group(1)), text)


def _number(text: str) -> int | float:
    try:
        return int(text)
    except ValueError:
        return float(text)


def _name(word: str) -> str:
    return word.strip('`"')


class _Tokens:
    """A cursor over the significant tokens of a dump (comments and spaces dropped)."""

    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.tokens = [
            (kind, m.group(kind) if kind != "string" else _unescape(m.group("string")), m.start())
            for m in _TOKEN.finditer(text)
            # every alternative of _TOKEN is a named group, so a match always has a last group
            if (kind := cast(str, m.lastgroup)) not in ("space", "comment")
        ]
        self.pos = 0

    def peek(self) -> tuple[str | None, str]:
        if self.pos >= len(self.tokens):
            return None, ""
        kind, value, _ = self.tokens[self.pos]
        return kind, value

    def take(self, kind: str, value: str | None = None) -> str:
        got_kind, got_value = self.peek()
        if got_kind != kind or (value is not None and got_value.upper() != value):
            offset = self.tokens[self.pos][2] if self.pos < len(self.tokens) else -1
            msg = (
                f"{self.source}: expected {value or kind} at character {offset} but found {got_value!r}; "
                "the dump is not in the INSERT ... VALUES form this reader understands."
            )
            raise DataUnavailableError(msg)
        self.pos += 1
        return got_value


def _parse_insert(tokens: _Tokens) -> tuple[str, list[str], list[tuple]]:
    tokens.take("word", "INTO")
    table = _name(tokens.take("word"))
    columns: list[str] = []
    if tokens.peek() == ("punct", "("):
        tokens.take("punct", "(")
        while True:
            columns.append(_name(tokens.take("word")))
            if tokens.take("punct") == ")":
                break
    tokens.take("word", "VALUES")
    rows: list[tuple] = []
    while True:
        tokens.take("punct", "(")
        row: list[object] = []
        while True:
            kind, value = tokens.peek()
            if kind == "string":
                row.append(value)
            elif kind == "number":
                row.append(_number(value))
            elif kind == "word" and value.upper() == "NULL":
                row.append(None)
            else:
                tokens.take("string")  # raises with the position and the token found
            tokens.pos += 1
            if tokens.take("punct") == ")":
                break
        rows.append(tuple(row))
        kind, value = tokens.peek()
        if value == ",":
            tokens.pos += 1
            continue
        if value == ";" or kind is None:
            tokens.pos += kind is not None
            return table, columns, rows
        tokens.take("punct", ";")


def read_inserts(path: Path | str) -> dict[str, pd.DataFrame]:
    """Return the rows inserted into each table of the MySQL dump at `path`.

    Parameters
    ----------
    path
        A ``.sql`` file in UTF-8.

    Returns
    -------
    dict[str, pandas.DataFrame]
        One frame per table name, rows in file order, columns named as in the
        ``INSERT`` column list (``col0, col1, ...`` when the statement has none).
        Columns are of object dtype and hold the values as parsed: strings, int
        or float for numbers, None for ``NULL``.

    Raises
    ------
    DataUnavailableError
        If an ``INSERT`` statement cannot be read or its rows differ in length.
    """
    path = Path(path)
    tokens = _Tokens(path.read_text(encoding="utf-8"), str(path))
    found: dict[str, tuple[list[str], list[tuple]]] = {}
    while tokens.pos < len(tokens.tokens):
        kind, value = tokens.peek()
        tokens.pos += 1
        if kind != "word" or value.upper() != "INSERT":
            continue
        if tokens.peek()[1].upper() == "IGNORE":
            tokens.pos += 1
        table, columns, rows = _parse_insert(tokens)
        known_columns, known_rows = found.setdefault(table, (columns, []))
        if columns and known_columns and columns != known_columns:
            msg = f"{path}: table {table} is inserted with columns {columns} and also {known_columns}."
            raise DataUnavailableError(msg)
        known_rows.extend(rows)
    frames = {}
    for table, (columns, rows) in found.items():
        widths = {len(row) for row in rows}
        if len(widths) > 1 or (columns and widths != {len(columns)}):
            msg = f"{path}: rows of table {table} have {sorted(widths)} values but the columns are {columns}."
            raise DataUnavailableError(msg)
        names = columns or [f"col{i}" for i in range(widths.pop())]
        frames[table] = pd.DataFrame(rows, columns=names, dtype=object)
    return frames


def read_table(path: Path | str, table: str) -> pd.DataFrame:
    """Return the rows inserted into `table` in the dump at `path` (see :func:`read_inserts`).

    Raises
    ------
    DataUnavailableError
        If the dump inserts nothing into `table`.
    """
    frames = read_inserts(path)
    if table not in frames:
        msg = f"{path} inserts no rows into table {table!r}; it has {sorted(frames)}."
        raise DataUnavailableError(msg)
    return frames[table]
