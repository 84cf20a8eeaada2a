"""The sample directory with what it lacks, for round trips: a retired office, a safe house's true point, hours."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from csv_rows import write_csv
from sqlalchemy import Engine

import directory
from core.db import session_scope
from directory import io as directory_io
from geo import seats

SHELTER = "kemensos-rptc-bambu-apus"
SECRET = (106.8994, -6.3103)
"""A point in Cipayung, Jakarta Timur: the safe house's true point, never in a public export."""
RETIRED = "uptd-ppa-ppu"


def enrich(engine: Engine, folder: Path) -> Engine:
    """Seed `engine` with the sample, then give the safe house a true point, an address, a capacity and hours,
    LPSK NTT an exact point and two phones, and retire UPTD PPA PPU; return `engine`."""
    directory_io.seed_default(engine)
    text = directory_io.export_agencies(engine, fmt="csv", public=False, include_retired=True)
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["id"] in (SHELTER, "lpsk-ntt")]
    lon, lat = seats.seat_point("53.71")
    for row in rows:
        if row["id"] == SHELTER:
            row.update(lon=str(SECRET[0]), lat=str(SECRET[1]), location_precision="exact", address="Jl. Rahasia 1")
            row.update(capacity="40", opening_hours="Mo-Th 08:00-16:00; Fr 08:00-11:00")
        else:
            row.update(lon=repr(lon), lat=repr(lat), location_precision="exact", phone="+62 380 1; +62 380 2")
    directory_io.import_agencies(engine, write_csv(folder / "changes.csv", rows))
    with session_scope(engine) as session:
        directory.retire_agency(session, RETIRED, on=dt.date(2025, 1, 31))
    return engine
