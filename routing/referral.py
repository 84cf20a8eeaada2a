"""Referral: the agencies that can provide what a victim needs, ranked by travel time, with their jurisdiction.

:class:`Referrer` holds the directory, the agreements and the travel models; its
:meth:`Referrer.refer` answers one case:

1. the origin (coordinates, area code or place name) is resolved to a point and the
   district, regency and province it lies in (:mod:`routing.origin`);
2. travel hours to every active agency with at least one needed capability come from
   one search on the national estimated network (:mod:`routing.national`); where an
   OpenStreetMap road network covers both the origin and an agency, its road time
   replaces the estimate (``settings.road_networks``);
3. each agency gets its jurisdiction status (:mod:`routing.jurisdiction`); with
   ``settings.cross_border_policy = "exclude"`` cross-border agencies are left out;
   with a date, agencies whose opening hours say they are closed that day are left out;
4. the answer lists the ``k`` fastest within the time limit, the fastest single agency
   covering every need, and the best set of agencies that together cover them (fewest
   stops, then least total time: :mod:`routing.combine`);
5. a need that nothing within the limit can meet escalates: the nearest provincial unit
   of the victim's province, then the nearest national agency, then any agency, each
   with its travel time and the reason; a need no agency offers says so.

Confidential agencies (safe houses) are shown at their regency, without route or
contact, unless the caller is authorised (``geo.directory.public_view``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

import numpy as np
import pandas as pd
import shapely.geometry
from sqlalchemy import Engine

from geo import capabilities, db, directory, settings
from geo._errors import InputError
from routing import jurisdiction, origin
from routing.combine import best_cover
from routing.national import Attachment, NationalNetwork, Search, national_network
from routing.opening import open_on
from routing.roads import RoadNetwork
from routing.travel import Route

_STATUS_ORDER = {status: rank for rank, status in enumerate(jurisdiction.STATUSES)}


@dataclass
class Referral:
    """The answer to one referral question (see the module notes); :meth:`as_dict` gives JSON-ready data."""

    origin: origin.Location
    needs: list[str]
    candidates: list[dict] = field(default_factory=list)
    best_single: dict | None = None
    best_set: dict | None = None
    escalation: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    limits: dict = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """Return the referral as JSON-ready data (route geometries as GeoJSON)."""
        return {
            "origin": self.origin.as_dict(),
            "needs": self.needs,
            "limits": self.limits,
            "candidates": self.candidates,
            "best_single": self.best_single,
            "best_set": self.best_set,
            "escalation": self.escalation,
            "notes": self.notes,
        }


_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m(?:in)?)?\s*$", re.IGNORECASE)


def parse_hours(text: str | float | None, field_name: str = "max_time") -> float | None:
    """Return hours from ``"3h"``, ``"90m"``, ``"1h30m"``, ``"2.5"`` (hours) or a number; None stays None."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        hours = float(text)
    else:
        value = str(text).strip()
        match = _DURATION.match(value)
        try:
            hours = float(value)
        except ValueError:
            if match is None or not (match[1] or match[2]):
                raise InputError(field_name, text, 'is expected to be a duration such as "3h", "90m" or "1h30m".') from None
            hours = float(match[1] or 0) + float(match[2] or 0) / 60
    if not (np.isfinite(hours) and hours > 0):
        raise InputError(field_name, text, "is expected to be a positive duration.")
    return hours


def parse_needs(needs: str | Sequence[str]) -> list[str]:
    """Return the capability codes in `needs` (a list or ``"a,b"``), validated, without duplicates."""
    items = [part.strip() for part in needs.split(",")] if isinstance(needs, str) else [str(n).strip() for n in needs]
    items = [item for item in items if item]
    if not items:
        raise InputError("needs", needs, f"is empty; give one or more of {list(capabilities.CAPABILITIES)}.")
    for item in items:
        if (message := capabilities.problem("capability", item)) is not None:
            raise InputError("needs", item, message)
    return list(dict.fromkeys(items))


class Referrer:
    """Answers referrals from a directory snapshot; build it once and reuse it (it is read-only).

    Parameters
    ----------
    agencies
        Active agencies as from :func:`geo.directory.agencies_frame` (true points).
    agreements
        Agreements in force as from :func:`geo.directory.agreements_frame`.
    network
        The national estimated network; default the cached one.
    roads
        Road networks that replace the estimate where they cover origin and agency.
    """

    def __init__(
        self,
        agencies: pd.DataFrame,
        agreements: pd.DataFrame,
        network: NationalNetwork | None = None,
        roads: Sequence[RoadNetwork] = (),
    ) -> None:
        self.agencies = agencies.reset_index(drop=True)
        self.agreements = agreements
        self.network = network or national_network()
        self.roads = list(roads)
        self.lon = self.agencies["lon"].to_numpy(dtype=float)
        self.lat = self.agencies["lat"].to_numpy(dtype=float)
        self.provides = [frozenset(caps) for caps in self.agencies["capabilities"]]
        self.ids = self.agencies["id"].to_numpy(dtype=object)
        self.level = self.agencies["jurisdiction_level"].to_numpy(dtype=object)
        self._attachment = self.network.attach(self.lon, self.lat) if len(self.agencies) else None
        self._road_cover = [road.covers(self.lon, self.lat) if len(self.agencies) else None for road in self.roads]
        closed_view = directory.public_view(self.agencies, authorised=False) if len(self.agencies) else self.agencies
        open_view = directory.public_view(self.agencies, authorised=True) if len(self.agencies) else self.agencies
        self._records = {False: closed_view.to_dict("records"), True: open_view.to_dict("records")}

    @classmethod
    def from_engine(cls, engine: Engine | None = None, use_roads: bool = True) -> Referrer:
        """Return a referrer over the database's directory and the configured road networks."""
        engine = engine or db.get_engine()
        roads = [road_network(path) for path in settings.road_networks] if use_roads else []
        return cls(directory.agencies_frame(engine), directory.agreements_frame(engine), roads=roads)

    def _hours(self, at: origin.Location) -> tuple[np.ndarray, np.ndarray, Search]:
        """Return hours to every agency, the model that gave each (road where it covers both ends), the search."""
        search = self.network.search(at.lon, at.lat)
        hours = search.hours(self._attachment, self.lon, self.lat)
        model = np.full(len(hours), self.network.name, dtype=object)
        for road, covered in zip(self.roads, self._road_cover, strict=True):
            if not covered.any() or not road.covers([at.lon], [at.lat])[0]:
                continue
            road_hours = road.matrix([at.lon], [at.lat], self.lon[covered], self.lat[covered]).time_h[0]
            use = np.flatnonzero(covered)[np.isfinite(road_hours)]
            hours[use] = road_hours[np.isfinite(road_hours)]
            model[use] = road.name
        return hours, model, search

    def refer(
        self,
        at: str | tuple[float, float] | origin.Location,
        needs: str | Sequence[str],
        k: int = 10,
        max_time_h: float | None = None,
        on: dt.date | None = None,
        authorised: bool = False,
    ) -> Referral:
        """Answer one referral (see the module notes).

        Parameters
        ----------
        at
            ``(lon, lat)``, ``"LAT,LON"``, an area code (``"64.02"``) or a place name.
        needs
            Capability codes, e.g. ``["shelter", "psychological"]`` or ``"shelter,psychological"``.
        k
            How many agencies to list.
        max_time_h
            Leave out agencies farther than this many hours (they may still be
            offered as escalation).
        on
            A date: leave out agencies whose opening hours say they are closed that day.
        authorised
            The caller may see confidential locations (an authenticated caseworker).

        Raises
        ------
        InputError
            For an unknown capability, a bad limit or an unresolvable place
            (messages name the field, the value and close matches).
        """
        needs = parse_needs(needs)
        if not isinstance(k, int) or isinstance(k, bool) or not 1 <= k <= 100:
            raise InputError("k", k, "is expected to be a whole number from 1 to 100.")
        if max_time_h is not None and not (np.isfinite(max_time_h) and max_time_h > 0):
            raise InputError("max_time", max_time_h, "is expected to be a positive number of hours.")
        location = at if isinstance(at, origin.Location) else origin.resolve(at)
        referral = Referral(location, needs, limits={"k": k, "max_time_h": max_time_h, "on": on})
        if self._attachment is None:
            referral.escalation = [_no_provider(need) for need in needs]
            return referral
        hours, model, search = self._hours(location)
        matched = [sorted(p & set(needs)) for p in self.provides]
        status = jurisdiction.classify(self.agencies, location.areas, self.agreements, matched).to_numpy()
        usable = np.array([bool(m) for m in matched]) & np.isfinite(hours)
        if settings.cross_border_policy == "exclude":
            usable &= status != "cross_border"
            referral.notes.append("Cross-border agencies without an agreement are left out (setting).")
        if on is not None:
            closed = np.array([open_on(text, on) is False for text in self.agencies["opening_hours"]])
            usable &= ~closed
        within = usable & (hours <= max_time_h if max_time_h is not None else True)
        build = _Builder(self, location, search, self._records[bool(authorised)], hours, model, status, matched)
        rank = np.array([_STATUS_ORDER[value] for value in status])
        order = [int(i) for i in np.lexsort((self.ids, rank, hours)) if within[i]]
        referral.candidates = build.many(order[:k])
        single = [i for i in order if set(needs) <= self.provides[i]]
        referral.best_single = build.one(single[0]) if single else None
        if len(needs) > 1:
            cover = best_cover(needs, [p if within[i] else frozenset() for i, p in enumerate(self.provides)], hours)
            if cover is not None:
                positions, total = cover
                referral.best_set = {"stops": len(positions), "total_time_h": round(total, 3), "agencies": build.many(positions)}
        referral.escalation = self._escalate(needs, within, usable, hours, status, location, build)
        if any(model[i] == self.network.name for i in order[:k]):
            referral.notes.append("Travel times marked is_estimate are estimates from the national network.")
        return referral

    def _escalate(self, needs, within, usable, hours, status, location, build) -> list[dict]:  # type: ignore[no-untyped-def]
        """Return, for each need nothing within the limit meets, the next tier that can, with the reason."""
        escalation = []
        level = self.level
        for need in needs:
            offers = np.array([need in p for p in self.provides])
            if (offers & within).any():
                continue
            if not offers.any():
                escalation.append(_no_provider(need))
                continue
            tiers = [
                ("provincial", offers & usable & (level == "province") & (status == "provincial")),
                ("national", offers & usable & (level == "national")),
                ("any", offers & usable),
            ]
            for tier, mask in tiers:
                if mask.any():
                    best = int(np.flatnonzero(mask)[np.argmin(hours[mask])])
                    reason = f"No agency offering {need} is within the time limit; the nearest {tier} option follows."
                    escalation.append({"need": need, "tier": tier, "reason": reason, "agency": build.one(best)})
                    break
            else:
                reason = f"Agencies offer {need}, but none is reachable or open from {location.label}."
                escalation.append({"need": need, "tier": None, "reason": reason, "agency": None})
        return escalation


def _no_provider(need: str) -> dict:
    return {"need": need, "tier": None, "reason": f"No agency in the directory offers {need}.", "agency": None}


class _Builder:
    """Builds the JSON-ready description of listed agencies, with routes for those only."""

    def __init__(self, referrer, location, search, records, hours, model, status, matched) -> None:  # type: ignore[no-untyped-def]
        self.referrer, self.location, self.search, self.records = referrer, location, search, records
        self.hours, self.model, self.status, self.matched = hours, model, status, matched
        self._routes: dict[int, Route] = {}
        self._geometries: dict[int, dict | None] = {}

    def _route(self, positions: list[int]) -> None:
        missing = [i for i in positions if i not in self._routes]
        estimated = [i for i in missing if self.model[i] == self.referrer.network.name]
        if estimated:
            target = _subset(self.referrer._attachment, estimated)
            routes = self.search.routes(target, self.referrer.lon[estimated], self.referrer.lat[estimated])
            self._routes.update(zip(estimated, routes, strict=True))
        for i in missing:
            if i not in self._routes:
                road = next(r for r in self.referrer.roads if r.name == self.model[i])
                end = (float(self.referrer.lon[i]), float(self.referrer.lat[i]))
                self._routes[i] = road.route((self.location.lon, self.location.lat), end)

    def _geojson(self, i: int, route: Route) -> dict | None:
        if i not in self._geometries:
            line = route.geometry  # joins the legs: computed once per agency and answer
            self._geometries[i] = None if line is None else shapely.geometry.mapping(line)
        return self._geometries[i]

    def many(self, positions: Sequence[int]) -> list[dict]:
        positions = [int(i) for i in positions]
        self._route(positions)
        return [self._describe(i, rank) for rank, i in enumerate(positions, start=1)]

    def one(self, position: int) -> dict:
        return self.many([position])[0]

    def _describe(self, i: int, rank: int) -> dict:
        row = self.records[i]
        route = self._routes[i]
        redacted = bool(row["redacted"])
        geometry = None if redacted else self._geojson(i, route)
        status = str(self.status[i])
        return {
            "rank": rank,
            "id": row["id"],
            "name": row["name"],
            "organization": row.get("organization_name"),
            "agency_type": row["agency_type"],
            "jurisdiction_level": row["jurisdiction_level"],
            "area_code": row["area_code"],
            "capabilities_matched": self.matched[i],
            "capabilities": list(row["capabilities"]),
            "travel_time_h": round(float(self.hours[i]), 3),
            "distance_km": round(route.distance_km, 1) if route.reachable else None,
            "sea_legs": sum(leg.mode == "sea" for leg in route.legs),
            "legs": [{"mode": leg.mode, "time_h": round(leg.time_h, 3), "distance_km": round(leg.distance_km, 1)} for leg in route.legs],
            "model": str(self.model[i]),
            "is_estimate": bool(self.model[i] == self.referrer.network.name),
            "route": geometry,
            "jurisdiction": status,
            "jurisdiction_label": jurisdiction.STATUS_LABELS[status],
            "coordination_needed": status == "cross_border",
            "contact": {key: _clean(row.get(key)) for key in ("phone", "email", "website", "address")},
            "opening_hours": _clean(row.get("opening_hours")),
            "location": {"lon": round(float(row["lon"]), 5), "lat": round(float(row["lat"]), 5)},
            "location_precision": row["location_precision"],
            "confidential": bool(row["confidential"]),
            "redacted": redacted,
            "existence_confirmed": bool(row["existence_confirmed"]),
        }


def _subset(attachment: Attachment, positions: list[int]) -> Attachment:
    return Attachment(*(getattr(attachment, f.name)[positions] for f in fields(attachment)))


def _clean(value: object) -> object:
    return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else value


_roads: dict[str, RoadNetwork] = {}


def road_network(path: str) -> RoadNetwork:
    """Return the road network of a pinned mirror path, loaded once per process."""
    if path not in _roads:
        _roads[path] = RoadNetwork.from_file(path)
    return _roads[path]
