"""A victim found abroad: the chain home through a mission, a debarkation port, a BP3MI and her home regency.

International repatriation is not a trip to the nearest office. A victim in Malaysia is
received by an Indonesian mission (a KBRI or KJRI), crosses at a debarkation port
(Nunukan from Tawau, Batam from Singapore, Dumai from Melaka ...), is taken over there by
the BP3MI of KemenP2MI, and is brought to the regency she comes from. :func:`chain` builds
that chain as one answer with a time per step:

1. **The place abroad** (:func:`resolve`): a city where a mission, a crossing's foreign
   port or an airport of the pinned ``airportsdata`` registry is (``"Tawau"``,
   ``"Kota Kinabalu, Malaysia"``), or a country (``"Malaysia"``: its embassy's city). The
   point is the city's airport in the registry: a city-level point, never a typed coordinate.
2. **The mission**: of the directory's missions in that country offering
   ``repatriation_international``, the nearest to the place (a rule, not the missions'
   consular districts, which the directory does not hold yet: the answer says so). The
   trip there is estimated as a road leg (great-circle distance x circuity at the road
   speed), or as a flight where it is longer than :data:`MAX_ROAD_ABROAD_KM`.
3. **The debarkation**: every authored crossing (``routing/data/crossings.csv``) whose
   foreign port is in that country, and, when flying is allowed, every flight of the
   OpenFlights snapshot between an airport of that country and an Indonesian one; the
   trip from the mission to the port or airport is estimated as in 2, the crossing or
   flight timed as the domestic model times it (boarding, expected wait, sailing or flight).
4. **The BP3MI**: from the port's district, the fastest BP3MI office by the national model
   (the referral engine's trees, with its route and contact).
5. **Home**: from the BP3MI to the seat of the home regency on the national model.

Of the ways in (3), the one with the least total time to home (to the BP3MI when no home
is given) is the answer; the others are listed with their totals.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from core import settings
from core.errors import InputError
from geo import sources
from routing import origin
from routing._links import OPENFLIGHTS_ROUTES, airports, crossing_h, flight_h, read_table
from routing._national_legs import great_circle_km, road_leg
from routing.modes import modes_text, parse_modes

if TYPE_CHECKING:
    from routing.referral import Referrer

MAX_ROAD_ABROAD_KM = 600.0
"""Farther than this between two places abroad, the estimate flies (a road leg of 600 km is a long day already)."""
CHAIN_CAPABILITY = "repatriation_international"


@dataclass(frozen=True)
class PlaceAbroad:
    """A place outside Indonesia: its name, country (ISO code and name) and a city-level point."""

    name: str
    country: str
    country_name: str
    lon: float
    lat: float
    placed_at: str

    def as_location(self) -> origin.Location:
        """Return it as a referral origin with no Indonesian area (the chain's starting point)."""
        label = f"{self.name} ({self.country_name})"
        note = f"{label} is abroad: placed at {self.placed_at}, a city-level point of the airportsdata registry."
        return origin.Location(self.lon, self.lat, label, "place abroad", None, None, None, (note,))


@cache
def _world_airports() -> pd.DataFrame:
    import airportsdata

    rows = [
        (code, row["city"] or "", row["name"] or "", row["country"], float(row["lon"]), float(row["lat"]))
        for code, row in airportsdata.load("IATA").items()
        if row["country"] != "ID"
    ]
    return pd.DataFrame(rows, columns=["iata", "city", "name", "country", "lon", "lat"])


def city_point(city: str, country: str) -> tuple[float, float, str] | None:
    """Return ``(lon, lat, airport)`` of `city` in `country` from the airport registry, or None.

    The city's airport (an international one first); failing that, an airport whose name holds the city's name.
    """
    table = _world_airports()
    table = table[table["country"] == country]
    key = city.strip().lower()
    found = table[table["city"].str.lower() == key]
    if found.empty:
        found = table[table["name"].str.lower().str.contains(re.escape(key), regex=True)]
    if found.empty:
        return None
    found = found.assign(international=~found["name"].str.contains("International")).sort_values(
        ["international", "iata"]
    )
    best = found.iloc[0]
    return float(best["lon"]), float(best["lat"]), f"{best['name']} ({best['iata']})"


def resolve(text: str, missions: pd.DataFrame, countries: dict[str, str]) -> PlaceAbroad | None:
    """Return the place abroad `text` names (``"Tawau"``, ``"Tawau, Malaysia"``, ``"Malaysia"``), or None.

    Parameters
    ----------
    text
        A city, ``city, country`` or a country (English names of ``countries``).
    missions
        The directory's missions abroad (``city``, ``country``): a country alone is placed at its embassy's city.
    countries
        ``{ISO code: English name}``.
    """
    by_name = {name.lower(): code for code, name in countries.items() if code != "ID"}
    parts = [part.strip() for part in text.split(",") if part.strip()]
    if not parts:
        return None
    if len(parts) == 1 and parts[0].lower() in by_name:  # a country: its embassy's city
        country = by_name[parts[0].lower()]
        cities = missions.loc[missions["country"] == country].sort_values("agency_type")["city"].dropna().tolist()
        places = [p for city in cities if (p := _place(city, country, countries)) is not None]
        return places[0] if places else None
    city = parts[0]
    wanted = {by_name[parts[-1].lower()]} if len(parts) > 1 and parts[-1].lower() in by_name else None
    known = {str(c).lower(): str(k) for c, k in zip(missions["city"], missions["country"], strict=True) if c}
    known |= {port.city.lower(): port.country for port in foreign_ports()}
    if city.lower() in known and (wanted is None or known[city.lower()] in wanted):
        return _place(city, known[city.lower()], countries)
    if wanted is not None:
        return _place(city, next(iter(wanted)), countries)
    return None


def _place(city: str, country: str, countries: dict[str, str]) -> PlaceAbroad | None:
    point = city_point(city, country)
    if point is None:
        return None
    return PlaceAbroad(city.strip().title(), country, countries.get(country, country), *point)


@dataclass(frozen=True)
class Entry:
    """A way into Indonesia from a country: a crossing or a flight, the foreign end and the Indonesian district."""

    label: str
    mode: str
    country: str
    city: str
    lon: float
    lat: float
    district: str
    main_h: float
    main_km: float
    estimated: bool
    source_url: str


def foreign_ports() -> list[Entry]:
    """Return the authored crossings with a port abroad (``crossings.csv`` rows whose end is ``CC-CITY``)."""
    entries = []
    for row in read_table("crossings.csv"):
        ends = [(row["from_district"].strip(), row["to_district"].strip())]
        for abroad, home in (*ends, ends[0][::-1]):
            if re.fullmatch(r"[A-Z]{2}-[A-Z-]+", abroad) and not re.fullmatch(r"[A-Z]{2}-[A-Z-]+", home):
                country, city = abroad[:2], abroad[3:].replace("-", " ").title()
                point = city_point(city, country)
                if point is None:
                    continue
                hours = crossing_h(row)
                entry = Entry(row["name"], row["mode"], country, city, point[0], point[1], home, hours, np.nan,
                              False, row["source_url"])  # fmt: skip
                entries.append(entry)
                break
    return entries


@cache
def international_flights() -> tuple[tuple[str, str, int], ...]:
    """Return ``(foreign IATA, Indonesian IATA, airlines)`` of the OpenFlights 2014 snapshot (either direction)."""
    indonesian = airports()
    abroad = set(_world_airports()["iata"])
    airlines: dict[tuple[str, str], set[str]] = {}
    with sources.fetch(OPENFLIGHTS_ROUTES).open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) < 5:
                continue
            for a, b in ((row[2], row[4]), (row[4], row[2])):
                if a in abroad and b in indonesian:
                    airlines.setdefault((a, b), set()).add(row[0])
    return tuple((a, b, len(names)) for (a, b), names in sorted(airlines.items()))


def _flight_entries(country: str) -> list[Entry]:
    from geo.lookup import locate

    table = _world_airports().set_index("iata")
    indonesian = airports()
    entries = []
    for foreign, home, airlines in international_flights():
        if table.loc[foreign, "country"] != country:
            continue
        lon, lat = float(table.loc[foreign, "lon"]), float(table.loc[foreign, "lat"])
        home_lon, home_lat = indonesian[home]
        district = locate([home_lon], [home_lat], "district")[0]
        if district is None:
            continue
        km = float(great_circle_km(lon, lat, home_lon, home_lat))
        hours = float(flight_h(km, airlines))
        city = str(table.loc[foreign, "city"]) or foreign
        entries.append(Entry(f"{foreign}-{home} flight", "flight", country, city, lon, lat, district, hours, km, True,
                             "https://github.com/jpatokal/openflights"))  # fmt: skip
    return entries


def _abroad_leg(lon1: float, lat1: float, lon2: float, lat2: float) -> dict[str, Any]:
    """Return the estimated leg between two places abroad: a road leg, or a flight beyond MAX_ROAD_ABROAD_KM."""
    km = float(great_circle_km(lon1, lat1, lon2, lat2))
    if km > MAX_ROAD_ABROAD_KM:
        return _leg("flight", float(flight_h(km, settings.thin_departures_per_day)), km, "estimated flight abroad")
    hours, road_km = road_leg(km)
    return _leg("road", float(hours), float(road_km), "")


def _leg(mode: str, hours: float, km: float, label: str, estimated: bool = True) -> dict[str, Any]:
    km_value = None if not np.isfinite(km) else round(km, 1)
    return {"mode": mode, "time_h": round(hours, 3), "distance_km": km_value, "estimated": estimated, "label": label}


def chain(
    referrer: Referrer,
    place: PlaceAbroad,
    missions: pd.DataFrame,
    home: origin.Location | None = None,
    modes: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Return the chain home of a victim found at `place` (module notes) as JSON-ready data.

    Raises
    ------
    core.errors.InputError
        If no mission in the directory serves the place's country (field ``at``).
    """
    allowed = parse_modes(modes)
    mission = _mission(place, missions)
    mission_point = city_point(str(mission["city"]), place.country) if mission.get("city") else None
    mission_lon, mission_lat = mission_point[:2] if mission_point else (place.lon, place.lat)
    to_mission = _abroad_leg(place.lon, place.lat, mission_lon, mission_lat)
    entries = [e for e in foreign_ports() if e.country == place.country and _allowed(e.mode, allowed)]
    if "air" in allowed:
        entries += _flight_entries(place.country)
    ways = [w for entry in entries if (w := _way(referrer, entry, mission_lon, mission_lat, home, allowed))]
    if not ways:
        msg = f"has no way into Indonesia with modes {modes_text(allowed)} in the travel tables; allow air travel."
        raise InputError("modes", modes_text(allowed), msg)
    ways.sort(key=lambda way: way["total_h"])
    best = ways[0]
    steps = [
        {"step": "mission", "name": mission["name"], "agency": _mission_record(mission), "legs": [to_mission]},
        *best["steps"],
    ]
    for step in steps:
        step["time_h"] = round(sum(leg["time_h"] for leg in step["legs"]), 3)
    notes = [
        f"The mission is the nearest in {place.country_name} offering international repatriation (a rule): "
        "check its consular district.",
        "Times abroad are estimates (great-circle distance at road speed, or a flight).",
    ]
    if home is None:
        notes.append("Give the victim's home regency (home) to see the way home from the BP3MI.")
    return {
        "place": asdict(place),
        "modes": modes_text(allowed),
        "steps": steps,
        "total_time_h": round(sum(step["time_h"] for step in steps), 3),
        "other_ways": [
            {"entry": way["label"], "total_time_h": round(way["total_h"] + to_mission["time_h"], 3)} for way in ways[1:]
        ],
        "notes": notes,
    }


def _allowed(mode: str, allowed: frozenset[str]) -> bool:
    return ("air" if mode == "flight" else "sea") in allowed


def _mission(place: PlaceAbroad, missions: pd.DataFrame) -> dict[str, Any]:
    """Return the nearest mission in the place's country offering international repatriation (a rule)."""
    mine = missions[
        (missions["country"] == place.country) & missions["capabilities"].map(lambda c: CHAIN_CAPABILITY in c)
    ]
    if mine.empty:
        msg = f"is in {place.country_name}, where the directory has no Indonesian mission offering {CHAIN_CAPABILITY}."
        raise InputError("at", place.name, msg)
    distances = []
    for city in mine["city"]:
        point = city_point(str(city), place.country) if city else None
        distances.append(np.inf if point is None else float(great_circle_km(place.lon, place.lat, *point[:2])))
    return mine.iloc[int(np.argmin(distances))].to_dict()


def _mission_record(mission: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "name", "city", "country", "phone", "email", "website", "existence_confirmed", "source_url")
    return {key: mission.get(key) for key in keys}


def _way(
    referrer: Referrer,
    entry: Entry,
    lon: float,
    lat: float,
    home: origin.Location | None,
    allowed: frozenset[str],
) -> dict[str, Any] | None:
    """Return the steps from the mission through `entry` to a BP3MI and home, with the total hours; None if cut."""
    to_port = _abroad_leg(lon, lat, entry.lon, entry.lat)
    crossing = _leg(entry.mode, entry.main_h, entry.main_km, entry.label, entry.estimated)
    port = origin.from_code(entry.district)
    referral = referrer.refer(port, [CHAIN_CAPABILITY], k=20, modes=sorted(allowed))
    offices = [c for c in referral.candidates if c["agency_type"] == "bp3mi"]
    if not offices:
        return None
    office = offices[0]
    steps = [
        {
            "step": "debarkation",
            "name": entry.label,
            "port": port.as_dict(),
            "source_url": entry.source_url,
            "legs": [to_port, crossing],
        },
        {"step": "bp3mi", "name": office["name"], "agency": office, "legs": office["legs"]},
    ]
    if home is not None:
        from routing.trip import trip

        start = (office["location"]["lon"], office["location"]["lat"])
        way_home = trip(start, home, sorted(allowed))
        if not way_home["reachable"]:
            return None
        steps.append({"step": "home", "name": home.label, "area": home.as_dict(), "legs": way_home["legs"]})
    total = sum(leg["time_h"] for step in steps for leg in step["legs"])
    return {"label": entry.label, "steps": steps, "total_h": total}
