"""Shared helpers of the `rujuk` commands: error handling and output formats."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

import json
import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any

import click
import pandas as pd

from core import files
from core.errors import ImportRejectedError, RujukError


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print Rujuk's own errors as a message and exit 2 (bad input) or 1 (missing data or other)."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (RujukError, ValueError, LookupError) as error:
            click.echo(f"Error: {error}", err=True)
            sys.exit(2 if isinstance(error, (ValueError, LookupError, ImportRejectedError)) else 1)

    return wrapper


def print_table(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> None:
    """Print `frame` as an aligned plain-text table (only `columns` that exist, in that order)."""
    if columns is not None:
        frame = frame[[column for column in columns if column in frame.columns]]
    if frame.empty:
        click.echo("(none)")
        return
    click.echo(frame.to_string(index=False, na_rep=""))


def print_records(frame: pd.DataFrame) -> None:
    """Print `frame` as a JSON array of objects."""
    click.echo(frame.to_json(orient="records", force_ascii=False, indent=2, date_format="iso"))


def write_text(text: str, path: Path | None) -> None:
    """Write `text` to `path` (readable by its owner only, 0600), or to standard output when `path` is None or '-'."""
    if path is None or str(path) == "-":
        click.echo(text)
    else:
        files.write_private(path, text if text.endswith("\n") else text + "\n")


def dump_json(payload: Any) -> str:
    """Return `payload` as indented JSON (dates as ISO text)."""
    return json.dumps(payload, ensure_ascii=False, indent=2, default=str)


def database() -> Engine:
    """Return the service database of ``settings.database_url``, checked to be ready (:func:`store.database`).

    Raises
    ------
    core.errors.RujukError
        If it is missing or at another schema version: the message says to run ``rujuk data build``.
    """
    import store

    return store.database()
