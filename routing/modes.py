"""Ways of travelling: the modes a leg can have, the families a caller may allow, and parsing them.

A leg's ``mode`` is one of :data:`LEG_MODES`. A caller allows families of modes
(:data:`FAMILIES`): ``road`` (always needed: every trip starts and ends on land), ``sea``
(ferries, fast boats, passenger ships and the estimated crossings) and ``air`` (scheduled
flights). ``settings.travel_modes`` is the default; a referral, a route or a coverage
request may ask for fewer (a victim without identity documents may not fly).
"""

from __future__ import annotations

from collections.abc import Iterable

from core import settings
from core.errors import InputError

ROAD, SEA, FERRY, FAST_BOAT, SHIP, FLIGHT = range(6)
LEG_MODES: tuple[str, ...] = ("road", "sea", "ferry", "fast_boat", "ship", "flight")
"""Leg modes by code: ``sea`` is an *estimated* crossing where no scheduled one is known."""
FAMILY_OF: dict[str, str] = {
    "road": "road",
    "sea": "sea",
    "ferry": "sea",
    "fast_boat": "sea",
    "ship": "sea",
    "flight": "air",
}
FAMILIES: tuple[str, ...] = ("road", "sea", "air")
CROSSING_MODES: tuple[str, ...] = ("ferry", "fast_boat", "ship")
SEA_MODES: tuple[int, ...] = (SEA, FERRY, FAST_BOAT, SHIP)


def parse_modes(value: str | Iterable[str] | None, field_name: str = "modes") -> frozenset[str]:
    """Return the families of travel allowed: ``"road,sea"``, a list, or None for ``settings.travel_modes``.

    Raises
    ------
    core.errors.InputError
        If a family is unknown, or ``road`` is missing (every trip starts and ends on land).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        value = settings.travel_modes
    items = [part.strip().lower() for part in value.split(",")] if isinstance(value, str) else [str(v) for v in value]
    items = [item for item in items if item]
    for item in items:
        if item not in FAMILIES:
            raise InputError(field_name, item, f"is not a way of travelling; give some of {list(FAMILIES)}.")
    if "road" not in items:
        raise InputError(field_name, value, "must include road: every trip starts and ends on land.")
    return frozenset(items)


def modes_text(modes: frozenset[str]) -> str:
    """Return the families in their canonical order, comma-separated (``"road,sea,air"``)."""
    return ",".join(family for family in FAMILIES if family in modes)
