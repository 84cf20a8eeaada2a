"""The interface every travel model offers, and the results it returns.

Referral and coverage code call travel models only through :class:`TravelModel`, so a
road network (:class:`routing.roads.RoadNetwork`) and the country-wide estimate
(:class:`routing.national.NationalNetwork`) can stand in for each other. Every result
carries the model's ``name`` and ``is_estimate``, so an answer built on an estimate can
say so.

Conventions
-----------
* Coordinates are WGS84 longitude and latitude (EPSG:4326), scalars or 1-D arrays.
* Times are hours and distances kilometres; ``np.inf`` marks a place the model cannot
  reach (no directed route, or off the model's area), never an exception.
* ``origin -> destination`` is the direction of travel; on a road network with one-way
  streets the two directions differ.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Protocol, cast, runtime_checkable

import numpy as np
import shapely

from core.errors import InputError
from core.values import is_missing
from geo.lookup import coordinates

Direction = Literal["to_sources", "from_sources"]
DIRECTIONS: tuple[str, ...] = ("to_sources", "from_sources")


def points(lon: object, lat: object, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Return `lon`, `lat` as equal-length, non-empty 1-D float arrays.

    Parameters
    ----------
    lon, lat
        WGS84 coordinates, scalars or array-likes.
    name
        What the points are (``"origin"``, ``"source"``...); errors name the field
        ``{name}_lon`` or ``{name}_lat``.

    Raises
    ------
    core.errors.InputError
        If a value is not a finite coordinate, the lengths differ or there are no points.
    """
    try:
        lon, lat = coordinates(lon, lat)
    except InputError as error:
        raise InputError(f"{name}_{error.field}", error.value, reason_of(error)) from None
    if lon.size == 0:
        raise InputError(f"{name}_lon", lon.tolist(), "is empty; give at least one point.")
    return lon, lat


def reason_of(error: InputError) -> str:
    """Return the message of `error` without its "`field` was value but" opening, to restate under another field."""
    return str(error).removeprefix(f"`{error.field}` was {error.value!r} but ")


def join_coords(parts: list) -> np.ndarray:
    """Return one (n, 2) array through the coordinate arrays `parts` in order, repeated joints dropped.

    A single point gives a zero-length line (that point twice).
    """
    coords, kept = _joints([np.asarray(part, dtype=float).reshape(-1, 2) for part in parts])
    return _line_of(coords[kept])


def joined(parts: list) -> tuple[list[list[float]], list[tuple[int, int]]]:
    """Return :func:`join_coords` of `parts` as ``[lon, lat]`` lists and each part's first and last index in it.

    The map draws each leg of a route from the route's one line by these spans, so a leg's
    points are sent once. A part's span ends where the next one's starts (their shared
    joint). Every part must hold at least one point. Built in Python: a route has a few
    dozen points, where NumPy's cost per call is the whole cost.
    """
    line: list[list[float]] = []
    spans = []
    for part in parts:
        points = part if isinstance(part, list) else np.asarray(part, dtype=float).reshape(-1, 2).tolist()
        if not points:
            raise ValueError("joined() was given an empty part; give each at least one point.")
        previous = line[-1] if line else None
        start = len(line) - 1 if previous == points[0] else len(line)
        # a point is kept when it differs from the one before it (the line's last point for the part's first)
        line += [point for point, before in zip(points, [previous, *points[:-1]], strict=True) if point != before]
        spans.append((start, len(line) - 1))
    return (line if len(line) > 1 else line * 2), spans


def _joints(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Return the (n, 2) arrays end to end and which of their points to keep (each repeated joint once)."""
    coords = np.concatenate(arrays)
    return coords, np.concatenate(([True], (coords[1:] != coords[:-1]).any(axis=1)))


def _line_of(coords: np.ndarray) -> np.ndarray:
    return coords if len(coords) > 1 else np.repeat(coords, 2, axis=0)  # a single point: a zero-length line


def line_through(parts: list) -> shapely.LineString:
    """Return one LineString through the coordinate arrays `parts` (:func:`join_coords`)."""
    return shapely.LineString(join_coords(parts))


def path_legs(coords: list[np.ndarray], hours: np.ndarray, km: np.ndarray, sea: np.ndarray) -> list[Leg]:
    """Return the legs along a path of mapped edges: a ``road`` leg per run of road edges, a ``ferry`` per ferry edge.

    Every sea edge is a crossing of its own (its waiting or boarding time is counted once
    per edge), so consecutive crossings stay separate legs and ``sea_legs`` counts them.

    Parameters
    ----------
    coords
        Per edge, its lon/lat vertices from tail to head.
    hours, km, sea
        Per edge, its hours, km and whether it is a sea (ferry) edge.
    """
    sea = np.asarray(sea, dtype=bool)
    starts = np.flatnonzero(np.r_[True, sea[1:] | sea[:-1]]) if len(sea) else np.empty(0, dtype=int)
    legs = []
    for begin, stop in zip(starts.tolist(), [*starts[1:].tolist(), len(sea)], strict=True):
        line = join_coords(coords[begin:stop])
        mode = "ferry" if sea[begin] else "road"
        legs.append(Leg(mode, float(np.sum(hours[begin:stop])), float(np.sum(km[begin:stop])), line, estimated=False))
    return legs


def format_hours(hours: float | None, missing: str = "–") -> str:
    """Return a travel time as ``2h05`` (the form ``--max-time`` reads); an unknown or infinite time as `missing`.

    The one way Rujuk writes a duration, in the pages and the command line alike.
    """
    if hours is None or is_missing(hours) or not math.isfinite(float(hours)):
        return missing
    minutes = round(float(hours) * 60)
    return f"{minutes // 60}h{minutes % 60:02d}"


def check_direction(direction: object) -> Direction:
    """Return `direction` if it is one of :data:`DIRECTIONS`, else raise InputError."""
    if direction not in DIRECTIONS:
        raise InputError("direction", direction, f"is expected to be one of {DIRECTIONS}.")
    return cast(Direction, direction)  # one of DIRECTIONS


@dataclass(frozen=True)
class TravelMatrix:
    """Travel from every origin to every destination.

    Attributes
    ----------
    time_h, distance_km
        Arrays of shape (origins, destinations); ``inf`` where unreachable.
    model
        Name of the model that computed them.
    is_estimate
        True when the figures are estimates, not routes on a road network.
    """

    time_h: np.ndarray
    distance_km: np.ndarray
    model: str
    is_estimate: bool


@dataclass(frozen=True)
class Nearest:
    """For each target, the nearest source (by travel time) found in one multi-source pass.

    Attributes
    ----------
    time_h
        Hours between each target and its nearest source; ``inf`` where none is reachable.
    source
        Position of that source in the sources given, -1 where none is reachable.
    direction
        ``"to_sources"`` (travel from the target to the source, e.g. a victim going to an
        agency) or ``"from_sources"`` (from the source to the target, e.g. outreach).
    model, is_estimate
        As in :class:`TravelMatrix`.
    """

    time_h: np.ndarray
    source: np.ndarray
    direction: Direction
    model: str
    is_estimate: bool


@dataclass(frozen=True)
class Leg:
    """One part of a route travelled in one way: a mode of :data:`routing.modes.LEG_MODES` or ``"access"``.

    An access leg joins a point to the network it is not on (see :mod:`routing.roads`).
    ``coords`` is the leg's lon/lat line as an (n, 2) array, or as a list of ``[lon, lat]``
    lists (the national network's routes: answers are JSON, and NumPy's cost per call
    would be most of their cost), or None when the model knows no path; ``geometry``
    makes a LineString of it on demand. ``estimated`` says the leg is a model's estimate
    rather than a sourced timetable or a mapped road; ``label`` names a flight or a
    crossing (``"DJJ-WMX flight"``).
    """

    mode: str
    time_h: float
    distance_km: float
    coords: np.ndarray | list[list[float]] | None = field(default=None, compare=False)
    estimated: bool = True
    label: str = ""

    @property
    def geometry(self) -> shapely.LineString | None:
        """The leg as a lon/lat LineString, or None."""
        return None if self.coords is None else shapely.LineString(self.coords)


@dataclass(frozen=True)
class Route:
    """A route between two points: its legs in travel order and their totals.

    ``geometry`` joins the legs' geometries (None when any leg has none, as in estimated
    models); ``legs`` is empty and the totals ``inf`` when the destination is unreachable.
    """

    model: str
    is_estimate: bool
    legs: tuple[Leg, ...] = field(default_factory=tuple)

    @property
    def time_h(self) -> float:
        """Total hours; ``inf`` when unreachable."""
        return float(sum(leg.time_h for leg in self.legs)) if self.legs else float("inf")

    @property
    def distance_km(self) -> float:
        """Total kilometres; ``inf`` when unreachable."""
        return float(sum(leg.distance_km for leg in self.legs)) if self.legs else float("inf")

    @property
    def reachable(self) -> bool:
        """Whether the model found a way."""
        return bool(self.legs)

    @property
    def coords(self) -> np.ndarray | None:
        """The whole route as one (n, 2) lon/lat array, or None."""
        if not self.legs or any(leg.coords is None for leg in self.legs):
            return None
        return join_coords([leg.coords for leg in self.legs])

    @property
    def geometry(self) -> shapely.LineString | None:
        """The whole route as one lon/lat LineString, or None."""
        coords = self.coords
        return None if coords is None else shapely.LineString(coords)


@runtime_checkable
class TravelModel(Protocol):
    """What referral and coverage code may ask of a travel model.

    Attributes
    ----------
    name
        Short name shown with every result (``"road:balikpapan_kota"``, ``"estimated"``).
    is_estimate
        True when results are estimates rather than routes on a road network.
    """

    name: str
    is_estimate: bool

    def matrix(
        self, origin_lon: object, origin_lat: object, destination_lon: object, destination_lat: object
    ) -> TravelMatrix:
        """Return travel time and distance from every origin to every destination.

        Raises
        ------
        core.errors.InputError
            If a coordinate is missing, not finite, out of range, or an array is empty.
        """
        ...

    def route(self, origin: tuple[float, float], destination: tuple[float, float]) -> Route:
        """Return the route from `origin` to `destination` (each ``(lon, lat)``).

        The route's ``geometry`` is None for models without geometry, and the route
        is not ``reachable`` (no legs, ``inf`` totals) when there is no way.
        """
        ...

    def nearest(
        self,
        source_lon: object,
        source_lat: object,
        target_lon: object,
        target_lat: object,
        direction: Direction = "to_sources",
    ) -> Nearest:
        """Return, for every target, the nearest source by travel time, in one multi-source pass."""
        ...
