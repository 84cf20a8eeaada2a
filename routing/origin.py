"""Where a case is: turn coordinates, an area code or a place name into a point and its areas."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

import numpy as np

from geo import boundaries, gazetteer, lookup, seats
from geo._errors import InputError, NotFoundError
from routing.jurisdiction import Origin

_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2})?)?$")
_LAT_LON = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class Location:
    """A resolved origin: its point, how it was given, and the areas it lies in."""

    lon: float
    lat: float
    label: str
    given_as: str
    district_code: str | None
    regency_code: str | None
    province_code: str | None

    @property
    def areas(self) -> Origin:
        """The areas for the jurisdiction rules."""
        return Origin(self.district_code, self.regency_code, self.province_code)

    def as_dict(self) -> dict[str, object]:
        """Return the location as JSON-ready data."""
        return asdict(self)


def _areas_of(lon: float, lat: float) -> tuple[str | None, str | None, str | None]:
    row = lookup.locate_hierarchy([lon], [lat]).iloc[0]
    return row["district_code"], row["regency_code"], row["province_code"]


def from_point(lon: float, lat: float, label: str | None = None, given_as: str = "coordinates") -> Location:
    """Return the location of a point, with the district, regency and province it lies in."""
    if not (np.isfinite(lon) and -180 <= lon <= 180):
        raise InputError("lon", lon, "is expected to be a longitude in degrees, -180 to 180.")
    if not (np.isfinite(lat) and -90 <= lat <= 90):
        raise InputError("lat", lat, "is expected to be a latitude in degrees, -90 to 90.")
    district, regency, province = _areas_of(lon, lat)
    if province is None:
        msg = "is not in or near any Indonesian area; give a point on land, an area code or a place name."
        raise InputError("at", f"{lat},{lon}", msg)
    return Location(float(lon), float(lat), label or f"{lat:.5f}, {lon:.5f}", given_as, district, regency, province)


def from_code(code: str) -> Location:
    """Return the location of an area: the seat of a province or regency, a point inside a district."""
    area = boundaries.area(code)  # NotFoundError with close codes for an unknown one
    if area["level"] == "district":
        point = area["geometry"].representative_point()
        lon, lat = point.x, point.y
    else:
        lon, lat = seats.seat_point(code)
    location = from_point(lon, lat, label=f"{area['name']} ({code})", given_as="area code")
    # The seat of an area lies in it by definition, even where simplified polygons disagree.
    regency = code[:5] if len(code) >= 5 else location.regency_code
    district = code if len(code) == 8 else location.district_code
    if regency is not None and regency[:2] != code[:2]:
        regency, district = None, None
    return Location(lon, lat, location.label, "area code", district, regency, code[:2])


def from_name(name: str) -> Location:
    """Return the location of a place named in the gazetteer (ambiguous names raise with every candidate)."""
    place = gazetteer.resolve(name)
    if place.level == "district":
        return from_code(place.code)
    location = from_code(place.code) if place.level != "seat" else from_code(place.code[:5])
    label = f"{place.name} ({place.context})" if place.context else place.name
    return Location(place.lon, place.lat, label, "place name", *_codes(location))


def _codes(location: Location) -> tuple[str | None, str | None, str | None]:
    return location.district_code, location.regency_code, location.province_code


def resolve(at: str | tuple[float, float]) -> Location:
    """Return the location `at` names: ``(lon, lat)``, ``"LAT,LON"``, an area code or a place name.

    Raises
    ------
    InputError
        For coordinates outside Indonesia, or a name that fits several places (the
        message lists them).
    NotFoundError
        For an unknown code or name (the message lists close matches).
    """
    if isinstance(at, tuple):
        return from_point(float(at[0]), float(at[1]))
    if not isinstance(at, str) or not at.strip():
        raise InputError("at", at, "is expected to be a place name, an area code such as 64.02, or LAT,LON.")
    text = at.strip()
    if match := _LAT_LON.match(text):
        lat, lon = float(match[1]), float(match[2])
        return from_point(lon, lat)
    if _CODE.match(text):
        return from_code(text)
    try:
        return from_name(text)
    except NotFoundError as error:
        raise NotFoundError(f"`at` was {text!r}: {error}") from None
    except InputError as error:  # an ambiguous name: the message lists every candidate
        reason = str(error).removeprefix(f"`{error.field}` was {error.value!r} but ")
        raise InputError("at", text, reason) from None
