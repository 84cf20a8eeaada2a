"""Benchmark of the directory's file formats: full export and import of the sample directory, per format.

Run with the data mirror, e.g.::

    RUJUK_DATA_MIRROR=../shared/data python bench/bench_directory_formats.py

The sample directory is seeded into a temporary SQLite database; each format (CSV, GeoJSON, GeoPackage, Open
Referral HSDS 3.0 JSON) is exported in full (``public=False, include_retired=True``) and imported into a fresh
database, three times each. It prints the file size and the min/median/max seconds of the export (HSDS: including
its validation against the schema) and of the import (every row checked as a CSV row is; HSDS: the file checked
against the schema first).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from core import db
from directory import io as directory_io
from store import schema

FORMATS = {"csv": "agencies.csv", "geojson": "agencies.geojson", "gpkg": "agencies.gpkg", "hsds": "agencies.hsds.json"}
RUNS = 3


def timed(run: Callable[[int], object]) -> str:
    """Return ``min/median/max`` seconds of :data:`RUNS` calls of `run` (given the run's number)."""
    times = []
    for number in range(RUNS):
        start = time.perf_counter()
        run(number)
        times.append(time.perf_counter() - start)
    return f"{min(times):.3f}/{statistics.median(times):.3f}/{max(times):.3f}"


def main() -> None:
    """Print one line per format: rows, file size, export and import seconds (min/median/max of three runs)."""
    with tempfile.TemporaryDirectory() as folder:
        engine = db.get_engine(f"sqlite:///{Path(folder) / 'sample.sqlite'}")
        schema.init_db(engine)
        directory_io.seed_default(engine)
        added: dict[str, int] = {}
        print(f"{'format':8} {'rows':>5} {'bytes':>9} {'export s min/med/max':>22} {'import s min/med/max':>22}")
        for fmt, name in FORMATS.items():
            path = Path(folder) / name

            def export(_: int, path: Path = path) -> None:
                directory_io.export_agencies(engine, path, public=False, include_retired=True)

            def load(number: int, path: Path = path, fmt: str = fmt) -> None:
                target = db.get_engine(f"sqlite:///{Path(folder) / f'{fmt}-{number}.sqlite'}")
                schema.init_db(target)
                added[fmt] = directory_io.import_agencies(target, path)["added"]
                target.dispose()

            exported = timed(export)
            imported = timed(load)
            print(f"{fmt:8} {added[fmt]:>5} {path.stat().st_size:>9} {exported:>22} {imported:>22}")
        engine.dispose()


if __name__ == "__main__":
    main()
