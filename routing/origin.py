"""Where a case is: turn coordinates, an area code or a place name into a point and its areas.

A text longer than :data:`MAX_AT_CHARS` is refused before any lookup, and an error echoes
at most :data:`SHOWN_CHARS` characters of it.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, replace

from core.errors import SHOWN_CHARS, InputError, NotFoundError, shown
from geo import boundaries, gazetteer, lookup, seats
from routing.jurisdiction import Origin
from routing.travel import reason_of

_CODE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2})?)?$")
MAX_AT_CHARS = 120
"""Longest place text looked up (far above any place name, area code or coordinate pair)."""


@dataclass(frozen=True)
class Location:
    """A resolved origin: its point, how it was given, the areas it lies in, and notes on how it was placed."""

    lon: float
    lat: float
    label: str
    given_as: str
    district_code: str | None
    regency_code: str | None
    province_code: str | None
    notes: tuple[str, ...] = ()

    @property
    def areas(self) -> Origin:
        """The areas for the jurisdiction rules."""
        return Origin(self.district_code, self.regency_code, self.province_code)

    def as_dict(self) -> dict[str, object]:
        """Return the location as JSON-ready data."""
        return asdict(self)


def _areas_of(lon: float, lat: float) -> tuple[str | None, str | None, str | None]:
    """Return the district, regency and province of one point by the rule of :func:`geo.lookup.locate_hierarchy`.

    The district is looked up and its prefixes are the regency and province; without a
    district, the regency is looked up. (One point, so no frame is built: the referral hot path.)
    """
    district = lookup.locate(lon, lat, "district")[0]
    regency = district[:5] if district is not None else lookup.locate(lon, lat, "regency")[0]
    return district, regency, (regency[:2] if regency is not None else None)


def from_point(lon: float, lat: float, label: str | None = None, given_as: str = "coordinates") -> Location:
    """Return the location of a point, with the district, regency and province it lies in."""
    if not (math.isfinite(lon) and -180 <= lon <= 180):
        raise InputError("lon", lon, "is expected to be a longitude in degrees, -180 to 180.")
    if not (math.isfinite(lat) and -90 <= lat <= 90):
        raise InputError("lat", lat, "is expected to be a latitude in degrees, -90 to 90.")
    district, regency, province = _areas_of(lon, lat)
    if province is None:
        msg = "is not in or near any Indonesian area; give a point on land, an area code or a place name."
        raise InputError("at", f"{lat},{lon}", msg)
    return Location(float(lon), float(lat), label or f"{lat:.5f}, {lon:.5f}", given_as, district, regency, province)


def from_code(code: str) -> Location:
    """Return the location of an area: the seat of a province or regency, a point inside a district.

    A province code places the case in the province only (regency and district None, with
    a note): its seat lies in one regency, whose units must not count as the case's own.
    """
    area = boundaries.area(code, field="at")  # NotFoundError with close codes for an unknown one
    if area["level"] == "district":
        point = area["geometry"].representative_point()
        lon, lat = point.x, point.y
    else:
        lon, lat = seats.seat_point(code)
    label = f"{area['name']} ({code})"
    if area["level"] == "province":
        note = (
            f"{label} is a province: the case is placed at its seat but in no regency or district, so no regency "
            "unit counts as its own area; give a regency, a district or a place to use those rules."
        )
        return Location(float(lon), float(lat), label, "area code", None, None, code, (note,))
    location = from_point(lon, lat, label=label, given_as="area code")
    # The seat of an area lies in it by definition, even where simplified polygons disagree.
    district = code if len(code) == 8 else location.district_code
    if district is not None and district[:5] != code[:5]:
        district = None
    return Location(lon, lat, location.label, "area code", district, code[:5], code[:2])


def from_name(name: str) -> Location:
    """Return the location of a place named in the gazetteer (ambiguous names raise with every candidate)."""
    place = gazetteer.resolve(name)
    if place.level == "district":
        return from_code(place.code)
    location = from_code(place.code) if place.level != "seat" else from_code(place.code[:5])
    label = f"{place.name} ({place.context})" if place.context else place.name
    return replace(location, lon=place.lon, lat=place.lat, label=label, given_as="place name")


def _from_lat_lon(text: str, first: float, second: float) -> Location:
    """Return the location of ``"LAT,LON"``; a pair that only makes sense the other way round says so."""
    try:
        return from_point(second, first)
    except InputError as error:
        reason = {
            "lat": f"starts with {first:g}, which is not a latitude (-90 to 90).",
            "lon": f"ends with {second:g}, which is not a longitude (-180 to 180).",
        }.get(error.field, reason_of(error))
        swapped = abs(second) <= 90 and abs(first) <= 180 and _in_indonesia(first, second)
        hint = f' It is read as LAT,LON: did you mean "{second},{first}"?' if swapped else " The order is LAT,LON."
        raise InputError("at", text, reason + hint) from None


def coordinates(text: str) -> tuple[float, float] | None:
    """Return ``(lat, lon)`` if `text` is two numbers ``LAT,LON`` (``-1.265,116.84``, ``-1.265e0,1.1684e2``), else None.

    Raises
    ------
    InputError
        If both parts are numbers but one is not finite (``nan,nan``, ``inf,0``); the field is ``at``.
    """
    parts = text.split(",")
    if len(parts) != 2:
        return None
    try:
        lat, lon = (float(part) for part in parts)
    except ValueError:
        return None
    if not (math.isfinite(lat) and math.isfinite(lon)):
        raise InputError("at", text, "is expected to be finite coordinates LAT,LON in degrees, e.g. -0.42,116.99.")
    return lat, lon


def _in_indonesia(lon: float, lat: float) -> bool:
    try:
        from_point(lon, lat)
    except InputError:
        return False
    return True


def resolve(at: str | tuple[float, float]) -> Location:
    """Return the location `at` names: ``(lon, lat)``, ``"LAT,LON"``, an area code or a place name.

    Raises
    ------
    InputError
        For coordinates that are not finite or lie outside Indonesia (with a hint when
        LAT and LON seem swapped), or a name that fits several places (the message lists them); the field is ``at``.
    NotFoundError
        For an unknown code or name (the message lists close matches).
    """
    if isinstance(at, tuple):
        return from_point(float(at[0]), float(at[1]))
    if not isinstance(at, str) or not at.strip():
        raise InputError("at", at, "is expected to be a place name, an area code such as 64.02, or LAT,LON.")
    text = at.strip()
    if len(text) > MAX_AT_CHARS:
        message = f"has {len(text)} characters; a place, an area code or LAT,LON has at most {MAX_AT_CHARS}."
        raise InputError("at", text[:SHOWN_CHARS] + "…", message)
    if (pair := coordinates(text)) is not None:
        return _from_lat_lon(text, *pair)
    try:
        return from_code(text) if _CODE.match(text) else from_name(text)
    except NotFoundError as error:
        reason = re.sub(r"^`\w+` was .*? but ", "", str(error), count=1, flags=re.S)
        raise NotFoundError(f"`at` was {shown(text)} but {reason}", field="at", value=text) from None
    except InputError as error:  # an ambiguous name: the message lists every candidate
        raise InputError("at", text, reason_of(error)) from None


def resolve_home(home: str) -> Location:
    """Return the victim's home area: a regency (a code, a district's code or a place name), placed at its seat.

    A home is kept at regency level, never as a point or a street: coordinates and
    provinces are refused (field ``home``), a district or a town gives its regency.

    Raises
    ------
    InputError
        For coordinates, a province or a place that does not resolve (field ``home``).
    NotFoundError
        For an unknown code or name (field ``home``, with close matches).
    """
    text = home.strip() if isinstance(home, str) else home
    if not isinstance(text, str) or not text:
        raise InputError("home", home, "is expected to be a regency: a code such as 53.01 or its name.")
    if coordinates(text) is not None:
        msg = "is a point; a victim's home is kept as a regency only: give its code (53.01) or its name."
        raise InputError("home", text, msg)
    try:
        location = resolve(text)
    except InputError as error:
        raise InputError("home", error.value, reason_of(error)) from None
    except NotFoundError as error:
        raise NotFoundError(str(error).replace("`at`", "`home`", 1), "home", text) from None
    if location.regency_code is None:
        raise InputError("home", text, "is a province; give the regency the victim comes from (e.g. 53.01).")
    return from_code(location.regency_code)
