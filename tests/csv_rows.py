"""Writing import files for the tests: rows as CSV, and agency rows with every column."""

from __future__ import annotations

import csv
from pathlib import Path

import directory


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    """Write `rows` (the keys of the first are the header) to `path` as UTF-8 CSV; return `path`."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def agency_row(**fields: str) -> dict[str, str]:
    """Return an agency row with every column of :data:`directory.agencies.AGENCY_FIELDS`, blank but `fields`."""
    return {**dict.fromkeys(directory.AGENCY_FIELDS, ""), **fields}
