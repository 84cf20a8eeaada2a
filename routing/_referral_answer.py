"""The parts of a referral answer that describe agencies: their routes and JSON-ready records.

See :mod:`routing.referral`. Routes are built only for the agencies an answer lists, from
the searches the ranking already ran (one national search, one tree per road network
that covers the origin), never from a new search per agency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.values import is_missing
from routing import jurisdiction
from routing._agency_trees import AgencyTrees, TreeLookup
from routing.modes import FAMILY_OF
from routing.national import Attachment, NationalNetwork
from routing.roads import RoadSearch, Snap
from routing.schemas import CANDIDATE_FIELDS
from routing.travel import Route, joined


@dataclass(frozen=True)
class Targets:
    """The agencies as one kind of caller may see them, prepared once for every referral.

    Travel is measured to the points of ``records`` (``directory.agencies.public_view``): a
    confidential agency's regency point for the public, its true point when authorised, so
    times and distances never reveal more than the point shown.

    Attributes
    ----------
    records
        One dict per agency (the view's rows).
    lon, lat
        The points travel is measured to.
    attachment
        Their attachment to the national network.
    snaps
        Their snap to each road network, in the order of the referrer's roads.
    trees
        The shortest-path trees grown from them over the national network.
    static
        Per agency, the fields of its description that no answer changes (:func:`agency_fields`).
    """

    records: list[dict]
    lon: np.ndarray
    lat: np.ndarray
    attachment: Attachment
    snaps: list[Snap]
    trees: AgencyTrees
    static: list[dict]


@dataclass
class Travel:
    """Travel from one origin to every agency: hours, the model of each and the lookups behind them."""

    hours: np.ndarray
    model: np.ndarray
    search: TreeLookup
    roads: dict[str, RoadSearch]


class Builder:
    """Builds the JSON-ready description of listed agencies, with routes for those only.

    `status` and each array of `status_by_need` hold every agency's jurisdiction status as its
    position in :data:`routing.jurisdiction.STATUSES` (for all needs together, and for each alone).
    """

    def __init__(
        self,
        network: NationalNetwork,
        roads: Sequence,
        targets: Targets,
        travel: Travel,
        status: np.ndarray,
        matched: list,
        status_by_need: dict[str, np.ndarray],
    ) -> None:
        self.network, self.targets, self.travel = network, targets, travel
        self.status, self.matched, self.status_by_need = status, matched, status_by_need
        self._road_index = {road.name: r for r, road in enumerate(roads)}
        self._routes: dict[int, Route] = {}
        self._lines: dict[int, tuple] = {}  # by id(route): routes shared by agencies at one point are joined once
        self._described: dict[int, dict] = {}

    def _route(self, positions: list[int]) -> None:
        targets, model, name = self.targets, self.travel.model, self.network.name
        missing = [i for i in positions if i not in self._routes]
        estimated = [i for i in missing if model[i] == name]
        if estimated:
            self._routes.update(zip(estimated, self.travel.search.routes(estimated), strict=True))
        for i in missing:
            if i not in self._routes:
                snap = targets.snaps[self._road_index[model[i]]].row(i)
                end = (float(targets.lon[i]), float(targets.lat[i]))
                self._routes[i] = self.travel.roads[model[i]].route(end, snap)

    def _line(self, route: Route) -> tuple:
        """Return the route's line, leg records, km and crossings, once per route and answer (kept by id)."""
        kept = self._lines.get(id(route))
        if kept is None:
            coords, spans = route_line(route)
            geometry = None if coords is None else {"type": "LineString", "coordinates": coords}
            km = round(route.distance_km, 1) if route.legs else None
            sea = sum(FAMILY_OF.get(leg.mode) == "sea" for leg in route.legs)
            kept = self._lines[id(route)] = route, geometry, leg_records(route, spans), km, sea
        return kept[1:]

    def many(self, positions: Sequence[int]) -> list[dict]:
        """Return the descriptions of the agencies at `positions`, ranked in that order."""
        positions = [int(i) for i in positions]
        self._route(positions)
        return [self._describe(i, rank) for rank, i in enumerate(positions, start=1)]

    def one(self, position: int) -> dict:
        """Return the description of one agency (rank 1)."""
        return self.many([position])[0]

    def _describe(self, i: int, rank: int) -> dict:
        record = self._described.get(i)
        if record is None:
            record = self._described[i] = self._record(i)
        described = record.copy()  # an agency listed twice (a candidate and the best single) at its two ranks
        described["rank"] = rank
        return described

    def _record(self, i: int) -> dict:
        geometry, legs, km, sea_legs = self._line(self._routes[i])
        status = jurisdiction.STATUSES[self.status[i]]
        model = str(self.travel.model[i])
        static = self.targets.static[i]
        record = static["template"].copy()  # the shape of routing.schemas.CANDIDATE, in its order
        record["capabilities_matched"] = list(self.matched[i])
        record["capabilities"] = list(static["capabilities"])
        record["travel_time_h"] = round(float(self.travel.hours[i]), 3)
        record["distance_km"] = km
        record["sea_legs"] = sea_legs
        record["legs"] = legs
        record["model"] = model
        record["is_estimate"] = model == self.network.name
        record["route"] = None if static["redacted"] else geometry
        record["jurisdiction"] = status
        record["jurisdiction_label"] = jurisdiction.STATUS_LABELS[status]
        by_need = self.status_by_need
        record["jurisdiction_by_need"] = {need: jurisdiction.STATUSES[by_need[need][i]] for need in self.matched[i]}
        record["coordination_needed"] = status == "cross_border"
        record["contact"] = dict(static["contact"])
        record["location"] = dict(static["location"])
        return record


def agency_fields(row: dict) -> dict:
    """Return the fields of an agency's description that no answer changes (from its public or authorised view)."""
    fields = {
        "id": row["id"],
        "name": row["name"],
        "organization": row.get("organization_name"),
        "agency_type": row["agency_type"],
        "jurisdiction_level": row["jurisdiction_level"],
        "area_code": row["area_code"],
        "capabilities": list(row["capabilities"]),
        "contact": {key: _clean(row.get(key)) for key in ("phone", "email", "website", "address")},
        "opening_hours": _clean(row.get("opening_hours")),
        "location": {"lon": round(float(row["lon"]), 5), "lat": round(float(row["lat"]), 5)},
        "location_precision": row["location_precision"],
        "confidential": bool(row["confidential"]),
        "redacted": bool(row["redacted"]),
        "existence_confirmed": bool(row["existence_confirmed"]),
    }
    # a record in the order of routing.schemas.CANDIDATE: the agency's own fields, the answer's as None (Builder)
    fields["template"] = {key: fields.get(key) if key in _STATIC else None for key in CANDIDATE_FIELDS}
    return fields


_STATIC = {"id", "name", "organization", "agency_type", "jurisdiction_level", "area_code", "opening_hours"}
_STATIC |= {"location_precision", "confidential", "redacted", "existence_confirmed"}


def route_line(route: Route) -> tuple[list[list[float]] | None, list]:
    """Return the route's one line (None when a leg has none) and each leg's span in it (None when not drawn).

    ``span`` is the first and last index of the leg's points in the line
    (:func:`routing.travel.joined`), so a map can draw each leg by its mode without the
    points being sent twice.
    """
    legs, parts = route.legs, []
    for leg in legs:
        if leg.coords is None:
            return None, [None] * len(legs)
        if len(leg.coords):
            parts.append(leg.coords)
    if len(parts) < len(legs):  # a leg without points: the line without spans
        return (joined(parts)[0] if parts else None), [None] * len(legs)
    return joined(parts) if legs else (None, [])


def leg_records(route: Route, spans: list | None = None) -> list[dict]:
    """Return the legs of `route` as JSON-ready records (:data:`routing.schemas.LEG`).

    ``vertices`` is the leg's span of :func:`route_line` (pass `spans` when already
    computed); None when the route has no line.
    """
    spans = route_line(route)[1] if spans is None else spans
    return [
        {
            "mode": leg.mode,
            "time_h": round(leg.time_h, 3),
            "distance_km": round(leg.distance_km, 1),
            "estimated": bool(leg.estimated),
            "label": leg.label,
            "vertices": None if span is None else list(span),
        }
        for leg, span in zip(route.legs, spans, strict=True)
    ]


def _clean(value: object) -> object:
    return None if is_missing(value) else value
