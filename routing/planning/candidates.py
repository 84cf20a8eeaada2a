"""Sites for office planning: candidate places for a new office, and the existing offices kept open.

Candidates are the 514 regency seats by default (:func:`geo.seats.load_seats`), or a CSV file
of places: a ``code`` column (a regency code for its seat, a district code for a point inside
the district), or ``name``, ``lon`` and ``lat`` columns. Existing sites are the active agencies
offering the capability; unless authorised they pass through :func:`directory.public_view`,
so a safe house counts from its public point and the plan says nothing about its true one.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Engine

import directory
from core import files
from core.errors import InputError
from directory import capabilities as vocabulary
from geo import boundaries, seats
from geo.lookup import coordinates


@dataclass(frozen=True)
class Sites:
    """Places with a code (or id), a name and a point.

    Attributes
    ----------
    frame
        ``code``, ``name``, ``lon``, ``lat`` and ``redacted`` (shown at a public point, for
        a confidential agency), one row per site.
    """

    frame: pd.DataFrame

    def __len__(self) -> int:
        """Return the number of sites."""
        return len(self.frame)

    @property
    def lon(self) -> np.ndarray:
        """Longitudes (WGS84)."""
        return self.frame["lon"].to_numpy(dtype=float)

    @property
    def lat(self) -> np.ndarray:
        """Latitudes (WGS84)."""
        return self.frame["lat"].to_numpy(dtype=float)


def regency_seats() -> Sites:
    """Return the seat of every regency and city (514) as candidates, named ``seat (regency)``."""
    table = seats.load_seats()
    table = table[table["level"] == "regency"]
    names = table["seat_name"].astype(str) + " (" + table["area_name"].astype(str) + ")"
    frame = pd.DataFrame({"code": table["code"].to_numpy(), "name": names.to_numpy()})
    frame["lon"], frame["lat"] = table["lon"].to_numpy(float), table["lat"].to_numpy(float)
    frame["redacted"] = False
    return Sites(frame)


def _point_of(code: str) -> tuple[str, float, float]:
    """Return the name and point of a regency (its seat) or district (a point inside it)."""
    level = boundaries.level_of_code(code, field="code")
    if level == "regency":
        found = regency_seats().frame.set_index("code")
        if code in found.index:
            row = found.loc[code]
            return str(row["name"]), float(row["lon"]), float(row["lat"])
    if level == "district":
        area = boundaries.area(code, field="code")
        point = area["geometry"].representative_point()
        return str(area["name"]), float(point.x), float(point.y)
    raise InputError("code", code, "is expected to be a regency or district code, such as 53.71 or 53.71.01.")


def read_candidates(path: str | Path) -> Sites:
    """Return the candidates listed in a CSV file (module notes).

    Raises
    ------
    InputError
        If the file has neither a ``code`` column nor ``name``, ``lon`` and ``lat``, has no
        rows, or a row has an unknown code or a bad point (the row number and value are said).
    """
    table = pd.read_csv(io.StringIO(files.read_text(path)), dtype=str, keep_default_na=False)
    columns = {c.strip().lower() for c in table.columns}
    table.columns = [c.strip().lower() for c in table.columns]
    if table.empty:
        raise InputError("candidates", str(path), "has no rows: list at least one place.")
    rows = []
    for number, row in enumerate(table.to_dict("records"), start=1):
        code = str(row.get("code", "")).strip()
        try:
            if code:
                name, lon, lat = _point_of(code)
                rows.append((code, str(row.get("name") or name).strip() or name, lon, lat))
            elif {"name", "lon", "lat"} <= columns:
                lon_, lat_ = coordinates(float(row["lon"]), float(row["lat"]))
                rows.append((f"site-{number}", str(row["name"]).strip(), float(lon_[0]), float(lat_[0])))
            else:
                raise InputError("candidates", str(path), "needs a `code` column, or `name`, `lon` and `lat`.")
        except (InputError, ValueError, LookupError) as error:
            if isinstance(error, InputError) and error.field == "candidates":
                raise
            raise InputError("candidates", f"row {number}", f"is not a place: {error}") from None
    frame = pd.DataFrame(rows, columns=["code", "name", "lon", "lat"]).drop_duplicates("code")
    frame["redacted"] = False
    return Sites(frame.reset_index(drop=True))


def existing_sites(engine: Engine, capability: str, authorised: bool = False) -> Sites:
    """Return the active agencies offering `capability` as existing sites (public points unless `authorised`).

    Raises
    ------
    InputError
        If the capability code is unknown.
    """
    vocabulary.check_capabilities([capability])
    agencies = directory.public_view(directory.agencies_frame(engine), authorised=authorised)
    return agencies_as_sites(agencies[[capability in offered for offered in agencies["capabilities"]]])


def agencies_as_sites(agencies: pd.DataFrame) -> Sites:
    """Return rows of :func:`directory.agencies_frame` (or its public view) as sites."""
    frame = pd.DataFrame(
        {
            "code": agencies["id"].astype(str).to_numpy(),
            "name": agencies["name"].astype(str).to_numpy(),
            "lon": agencies["lon"].to_numpy(dtype=float),
            "lat": agencies["lat"].to_numpy(dtype=float),
            "redacted": agencies["redacted"].to_numpy(dtype=bool) if "redacted" in agencies else False,
        }
    )
    return Sites(frame.reset_index(drop=True))
