"""One trip between two places on the national multimodal model: ``rujuk route`` and ``GET /api/v1/routes``.

A caseworker asks how one gets from a place to another (the victim's location to an office,
an office to her home regency): both ends are resolved as a referral's origin is (a place
name, an area code or ``LAT,LON``, :func:`routing.origin.resolve`), and the answer lists the
legs with their mode, hours, kilometres, whether each is estimated and what it is (a flight,
a crossing), the total and the modes allowed. The trip uses the national model only (road
networks serve referrals inside the cities they cover).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from core.errors import InputError, NotFoundError
from routing import origin
from routing._referral_answer import leg_records
from routing.modes import modes_text, parse_modes
from routing.national import national_network
from routing.travel import reason_of


def trip(
    start: str | tuple[float, float] | origin.Location,
    end: str | tuple[float, float] | origin.Location,
    modes: str | Sequence[str] | None = None,
) -> dict[str, Any]:
    """Return the fastest trip from `start` to `end` with the allowed `modes` as JSON-ready data.

    Raises
    ------
    core.errors.InputError
        For a place that does not resolve (field ``from`` or ``to``) or bad modes (field ``modes``).
    """
    allowed = parse_modes(modes)
    ends = []
    for name, place in (("from", start), ("to", end)):
        try:
            ends.append(place if isinstance(place, origin.Location) else origin.resolve(place))
        except InputError as error:
            raise InputError(name, error.value, reason_of(error)) from None
        except NotFoundError as error:
            raise NotFoundError(str(error).replace("`at`", f"`{name}`", 1), name, place) from None
    network = national_network(allowed)
    route = network.route((ends[0].lon, ends[0].lat), (ends[1].lon, ends[1].lat))
    line = route.geometry
    return {
        "from": ends[0].as_dict(),
        "to": ends[1].as_dict(),
        "modes": modes_text(allowed),
        "reachable": route.reachable,
        "time_h": round(route.time_h, 3) if route.reachable else None,
        "distance_km": round(route.distance_km, 1) if route.reachable else None,
        "modes_used": sorted({leg.mode for leg in route.legs}),
        "legs": leg_records(route),
        "route": None if line is None else {"type": "LineString", "coordinates": [list(p) for p in line.coords]},
    }
