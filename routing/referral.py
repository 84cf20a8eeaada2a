"""Referral: the agencies that can provide what a victim needs, ranked by travel time, with their jurisdiction.

:class:`Referrer` holds the directory, the agreements and the travel models; its
:meth:`Referrer.refer` answers one case:

1. the origin (coordinates, area code or place name) is resolved to a point and the
   district, regency and province it lies in (:mod:`routing.origin`);
2. travel hours to every active agency with at least one needed capability come from
   one search on the national estimated network (:mod:`routing.national`); where
   OpenStreetMap road networks cover both the origin and an agency, the fastest of their
   road times replaces the estimate (``settings.road_networks``; one search per network);
3. each agency gets its jurisdiction status (:mod:`routing.jurisdiction`); with
   ``settings.cross_border_policy = "exclude"`` cross-border agencies are left out;
   with a date, agencies whose opening hours say they are closed that day are left out;
4. the answer lists the ``k`` fastest within the time limit, the fastest single agency
   covering every need, and the best set of agencies that together cover them (fewest
   stops, then least total time: :mod:`routing.combine`);
5. a need that nothing within the limit can meet escalates: the nearest provincial unit
   of the victim's province, then the nearest national agency, then any agency, each
   with its travel time and the reason; a need no agency offers says so.

Unless the caller is authorised, every agency of an answer is described from
:func:`directory.agencies.public_view` alone: a confidential agency (a safe house) is shown at
its regency's representative point (``redacted`` true), without a route geometry, and its
contact (phone, email, website, address), opening hours and other fields are what that view
leaves (it empties :data:`directory.agencies.REDACTED_FIELDS`). Travel time, distance and legs are
measured to the point shown, so an unauthorised caller learns nothing of the true point by
comparing answers from several origins.

Notes explain an answer: a province given as origin (no regency unit is "own area"),
no single agency covering every need, cross-border agencies left out, estimated times.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import Engine

import directory
from core import settings
from core.errors import InputError, NotFoundError
from directory import capabilities
from directory.hours import open_on
from directory.places import REMOTE_FIELDS, countries, remote_services_frame
from routing import abroad, jurisdiction, origin
from routing._agency_trees import AgencyTrees
from routing._referral_answer import Builder, Targets, Travel, agency_fields
from routing.combine import cover_by_signature
from routing.modes import modes_text, parse_modes
from routing.national import NationalNetwork, national_network
from routing.questions import HOME_NEEDS, parse_needs
from routing.roads import RoadNetwork
from routing.schemas import REFERRAL_FIELDS
from store import database

_CROSS_BORDER, _PROVINCIAL = (jurisdiction.STATUSES.index(name) for name in ("cross_border", "provincial"))


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
    hotlines: list[dict] = field(default_factory=list)
    home: dict | None = None
    chain: dict | None = None

    def as_dict(self) -> dict[str, object]:
        """Return the referral as JSON-ready data of the shape :data:`routing.schemas.REFERRAL` (routes as GeoJSON)."""
        values = {name: getattr(self, name) for name in REFERRAL_FIELDS}
        values["origin"] = self.origin.as_dict()
        return values


@dataclass(frozen=True)
class _Offered:
    """Which agencies offer which of a referral's needs (sorted).

    Bit ``b`` of ``signatures`` is the ``b``-th need; ``matched`` lists the needs each agency
    offers, ``some`` and ``every`` whether it offers some or every one of them.
    """

    signatures: np.ndarray
    matched: list[list[str]]
    some: np.ndarray
    every: np.ndarray


class Referrer:
    """Answers referrals from a directory snapshot; build it once and reuse it (it is read-only).

    Parameters
    ----------
    agencies
        Active agencies as from :func:`directory.agencies.agencies_frame` (true points).
    agreements
        Agreements in force as from :func:`directory.agencies.agreements_frame`.
    network
        The national estimated network; default the cached one.
    roads
        Road networks that replace the estimate where they cover origin and agency
        (where several do, the fastest road time wins).
    remote
        Missions abroad and hotlines (:func:`directory.places.remote_services_frame`): the
        hotlines are listed with every answer, the missions start the chain of a victim found abroad.
    """

    def __init__(
        self,
        agencies: pd.DataFrame,
        agreements: pd.DataFrame,
        network: NationalNetwork | None = None,
        roads: Sequence[RoadNetwork] = (),
        remote: pd.DataFrame | None = None,
    ) -> None:
        self.remote = pd.DataFrame(columns=list(REMOTE_FIELDS)) if remote is None else remote
        lines = self.remote[self.remote["location_kind"] == "hotline"]
        keys = ("id", "name", "phone", "capabilities", "opening_hours", "existence_confirmed", "notes")
        self._hotline_records = [
            {key: (list(row[key] or ()) if key == "capabilities" else row[key]) for key in keys}
            for row in lines.to_dict("records")
        ]
        self.agencies = agencies.reset_index(drop=True)
        self.agreements = agreements
        self.network = network or national_network()
        self._variants: dict[frozenset[str], tuple[NationalNetwork, dict[bool, Targets]]] = {}
        self._variants_lock = threading.Lock()
        self.roads = list(roads)
        self.provides = [frozenset(caps) for caps in self.agencies["capabilities"]]
        self.ids = self.agencies["id"].to_numpy(dtype=object)
        self._id_rank = np.argsort(np.argsort(self.ids.astype(str), kind="stable"), kind="stable")
        self.level = self.agencies["jurisdiction_level"].to_numpy(dtype=object)
        self._offers = capabilities.offer_masks(self.provides, capabilities.CAPABILITIES)
        self._opening = self.agencies["opening_hours"].to_list()
        self._offered_by_needs: dict[tuple[str, ...], _Offered] = {}
        self._classifier = jurisdiction.Classifier(self.agencies, agreements)
        self._variants[self.network.modes] = (self.network, self._prepare_all(self.network))

    def _prepare_all(self, network: NationalNetwork) -> dict[bool, Targets]:
        """Return the agencies attached to `network`, as seen with and without authorisation (none: ``{}``)."""
        if not len(self.agencies):
            return {}
        return {authorised: self._prepare(network, authorised) for authorised in (False, True)}

    def _prepare(self, network: NationalNetwork, authorised: bool) -> Targets:
        """Return the agencies as a caller with or without authorisation sees them, attached and snapped."""
        view = directory.public_view(self.agencies, authorised=authorised)
        lon, lat = view["lon"].to_numpy(dtype=float), view["lat"].to_numpy(dtype=float)
        snaps = [road.snap(lon, lat, "agency") for road in self.roads]
        attachment = network.attach(lon, lat)
        records = view.to_dict("records")
        trees = AgencyTrees(network, lon, lat, attachment)
        return Targets(records, lon, lat, attachment, snaps, trees, [agency_fields(row) for row in records])

    def variant(self, modes: frozenset[str]) -> tuple[NationalNetwork, dict[bool, Targets]]:
        """Return the network of the allowed `modes` and the agencies attached to it (built once per referrer)."""
        if modes not in self._variants:
            with self._variants_lock:
                if modes not in self._variants:
                    network = national_network(modes)
                    self._variants[modes] = (network, self._prepare_all(network))
        return self._variants[modes]

    @classmethod
    def from_engine(cls, engine: Engine | None = None, use_roads: bool = True) -> Referrer:
        """Return a referrer over the database's directory and the configured road networks."""
        engine = engine or database()  # the service database, checked to be ready (a clear RujukError if not)
        roads = [road_network(path) for path in settings.road_networks] if use_roads else []
        frames = directory.agencies_frame(engine), directory.agreements_frame(engine)
        return cls(*frames, roads=roads, remote=remote_services_frame(engine))

    def _travel(self, at: origin.Location, targets: Targets, network: NationalNetwork) -> Travel:
        """Return hours to every agency and the model of each.

        The model is the fastest road network covering both ends, or else the national estimate.
        """
        regency = None if at.regency_code is None else [at.regency_code]
        search = targets.trees.lookup(at.lon, at.lat, network.attach(at.lon, at.lat, regency=regency))
        hours = search.hours.copy()
        roads = [
            (road, snap)
            for road, snap in zip(self.roads, targets.snaps, strict=True)
            if road.may_cover(at.lon, at.lat) and snap.covered.any()
        ]
        if not roads:  # most of the country: every hour is the national estimate
            return Travel(hours, _same_model(network.name, len(hours)), search, {})
        model = np.full(len(hours), network.name, dtype=object)
        road_hours, searches = np.full(len(hours), np.inf), {}
        for road, snap in roads:
            if not (tree := road.search(at.lon, at.lat)).covered:
                continue
            faster = tree.hours(snap) < road_hours
            if faster.any():
                road_hours[faster], model[faster], searches[road.name] = tree.hours(snap)[faster], road.name, tree
        use = np.isfinite(road_hours)
        hours[use] = road_hours[use]
        return Travel(hours, model, search, searches)

    def refer(
        self,
        at: str | tuple[float, float] | origin.Location,
        needs: str | Sequence[str],
        k: int = 10,
        max_time_h: float | None = None,
        on: dt.date | None = None,
        authorised: bool = False,
        modes: str | Sequence[str] | None = None,
        home: str | origin.Location | None = None,
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
            The caller may see confidential locations (an authenticated caseworker);
            otherwise travel to a confidential agency is measured to the point shown.
        modes
            The ways of travelling allowed (:func:`routing.modes.parse_modes`, e.g.
            ``"road,sea"`` for a victim who may not fly); default ``settings.travel_modes``.
        home
            The regency the victim comes from (:func:`routing.origin.resolve_home`): the
            answer adds the way home and the agencies there for reintegration; for a
            victim found abroad (`at` a place outside Indonesia) the chain ends there.

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
        allowed = parse_modes(modes)
        home_area = home if isinstance(home, origin.Location) or home is None else origin.resolve_home(home)
        limits = {"k": k, "max_time_h": max_time_h, "on": on, "modes": modes_text(allowed)}
        location = self._where(at)
        if isinstance(location, abroad.PlaceAbroad):
            referral = Referral(location.as_location(), needs, limits=limits, hotlines=self._hotlines(needs))
            referral.notes.extend(referral.origin.notes)
            referral.chain = abroad.chain(self, location, self._missions(), home_area, sorted(allowed))
            return referral
        referral = Referral(location, needs, limits=limits, hotlines=self._hotlines(needs))
        referral.notes.extend(location.notes)
        if home_area is not None:
            referral.home = self._home(location, home_area, needs, k, authorised, allowed)
        network, prepared = self.variant(allowed)
        if not prepared:
            referral.escalation = [_no_provider(need) for need in needs]
            return referral
        targets = prepared[bool(authorised)]
        travel = self._travel(location, targets, network)
        hours = travel.hours
        offered = self._offered(tuple(sorted(needs)))
        signatures, matched = offered.signatures, offered.matched
        # the statuses as positions in jurisdiction.STATUSES (also their rank), for all needs and for each
        status, status_by_need = self._classifier.codes_with_each(location.areas, matched, needs)
        usable: np.ndarray = offered.some & np.isfinite(hours)
        if _cross_border_policy() == "exclude":
            usable &= status != _CROSS_BORDER
            referral.notes.append("Cross-border agencies without an agreement are left out (setting).")
        if on is not None:
            usable &= ~np.array([open_on(text, on) is False for text in self._opening])
        within: np.ndarray = usable if max_time_h is None else usable & (hours <= max_time_h)
        build = Builder(network, self.roads, targets, travel, status, matched, status_by_need)
        ranked = np.lexsort((self._id_rank, status, hours))
        order = ranked[within[ranked]]
        referral.candidates = build.many(order[:k].tolist())
        referral.notes.extend(_unconfirmed_notes(referral.candidates))
        single = order[offered.every[order]]
        referral.best_single = build.one(int(single[0])) if len(single) else None
        if len(needs) > 1:
            pool = np.flatnonzero(within)
            cover = cover_by_signature(signatures[pool], hours[pool], len(needs))
            if cover is not None:
                positions, total = pool[cover[0]].tolist(), cover[1]
                referral.best_set = {
                    "stops": len(positions),
                    "total_time_h": round(total, 3),
                    "agencies": build.many(positions),
                }
            if not len(single):
                referral.notes.append(_no_single_note(needs, referral.best_set))
        referral.escalation = self._escalate(needs, within, usable, hours, status, location, build)
        if (travel.model[order[:k]] == network.name).any():
            referral.notes.append("Travel times marked is_estimate are estimates from the national network.")
        if any(leg["mode"] == "flight" for c in referral.candidates for leg in c["legs"]):
            referral.notes.append(
                "Some routes fly: the traveller needs an identity document; "
                "ask again with modes road,sea for someone who has none."
            )
        return referral

    def _where(self, at: str | tuple[float, float] | origin.Location) -> origin.Location | abroad.PlaceAbroad:
        """Return where the case is: a place in Indonesia, or else a place abroad `at` names."""
        if isinstance(at, origin.Location):
            return at
        try:
            return origin.resolve(at)
        except (NotFoundError, InputError):
            place = abroad.resolve(at, self._missions(), countries()) if isinstance(at, str) else None
            if place is None:
                raise
            return place

    def _missions(self) -> pd.DataFrame:
        return self.remote[self.remote["location_kind"] == "abroad"]

    def _hotlines(self, needs: list[str]) -> list[dict]:
        """Return the hotlines offering any of `needs`: lines to call, with no travel time."""
        wanted = set(needs)
        return [dict(line) for line in self._hotline_records if wanted & set(line["capabilities"])]

    def _home(self, location, home, needs, k, authorised, allowed) -> dict:
        """Return the home area, the way home from `location` and, for reintegration, the agencies there."""
        from routing.trip import trip

        answer: dict = {"area": home.as_dict(), "way": trip(location, home, sorted(allowed)), "candidates": []}
        at_home = [need for need in needs if need in HOME_NEEDS]
        if at_home:
            answer["candidates"] = self.refer(
                home, at_home, k=k, authorised=authorised, modes=sorted(allowed)
            ).candidates
        return answer

    def _offered(self, needs: tuple[str, ...]) -> _Offered:
        """Return which agencies offer which of `needs` (kept per combination of needs: it never changes)."""
        if needs not in self._offered_by_needs:
            offers = np.column_stack([self._offers[need] for need in needs])
            names = np.array(needs, dtype=object)
            self._offered_by_needs[needs] = _Offered(
                offers @ (1 << np.arange(len(needs))),
                [names[row].tolist() for row in offers],
                np.asarray(offers.any(axis=1)),
                np.asarray(offers.all(axis=1)),
            )
        return self._offered_by_needs[needs]

    def _escalate(self, needs, within, usable, hours, status, location, build) -> list[dict]:
        """Return, for each need nothing within the limit meets, the next tier that can, with the reason."""
        escalation = []
        level = self.level
        for need in needs:
            offers = self._offers[need]
            if (offers & within).any():
                continue
            if not offers.any():
                escalation.append(_no_provider(need))
                continue
            tiers = [
                ("provincial", offers & usable & (level == "province") & (status == _PROVINCIAL)),
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


@functools.lru_cache(maxsize=16)
def _same_model(name: str, count: int) -> np.ndarray:
    """Return a read-only array of `count` times the model `name` (one per network and directory size)."""
    model = np.full(count, name, dtype=object)
    model.flags.writeable = False
    return model


def _unconfirmed_notes(candidates: list[dict]) -> list[str]:
    """Return a note for each unconfirmed agency listed above a confirmed one (no source says it exists)."""
    notes = []
    for position, candidate in enumerate(candidates):
        below = candidates[position + 1 :]
        if not candidate["existence_confirmed"] and any(other["existence_confirmed"] for other in below):
            notes.append(
                f"{candidate['name']} is listed above confirmed agencies, but no source confirms that it exists: "
                "call before referring anyone there."
            )
    return notes


def _cross_border_policy() -> str:
    """Return ``settings.cross_border_policy``, refusing a value that is not one of the policies."""
    policy = settings.cross_border_policy
    if policy not in settings.CROSS_BORDER_POLICIES:
        allowed = list(settings.CROSS_BORDER_POLICIES)
        msg = f"settings.cross_border_policy (RUJUK_CROSS_BORDER_POLICY) was {policy!r} but must be one of {allowed}."
        raise ValueError(msg)
    return policy


def _no_provider(need: str) -> dict:
    return {"need": need, "tier": None, "reason": f"No agency in the directory offers {need}.", "agency": None}


def _no_single_note(needs: list[str], best_set: dict | None) -> str:
    """Return the note that no one agency within the limits offers every need, and what to do instead."""
    text = f"No single agency within the limits offers all of {', '.join(needs)}"
    if best_set is None:
        return text + "; no set of agencies covers them all either (see the escalation)."
    return text + f"; the best set combines {best_set['stops']} agencies."


_roads: dict[str, RoadNetwork] = {}


def road_network(path: str) -> RoadNetwork:
    """Return the road network of a pinned mirror path, loaded once per process."""
    if path not in _roads:
        _roads[path] = RoadNetwork.from_file(path)
    return _roads[path]
