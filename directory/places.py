"""Where a directory row is: an office in Indonesia, a mission abroad, or a hotline with no place.

Routing travels only to offices with a point in Indonesia (:func:`directory.agencies.agencies_frame`). Two other
kinds of row are kept in the same table and reached otherwise:

- a **mission abroad** (an embassy or consulate: ``country`` other than ``"ID"``, ``city`` given, no Kemendagri
  ``area_code``, location precision ``abroad``; a point only where a source gives one, never invented);
- a **hotline** (``agency_type`` ``hotline``, precision ``none``): a line to call, with no point and no travel time;
  its ``area_code`` may name where it is run from.

:func:`location_kind` names the kind of a row (``office``, ``abroad``, ``hotline``), the ``location_kind`` field of
the API and the listings; :func:`remote_services_frame` gives the missions abroad and the hotlines, with what a
referral answer lists about them (country, city, phone, capabilities, notes). Country codes are ISO 3166-1 alpha-2,
read from the ``iso3166.tab`` table of the time-zone database shipped in the ``tzdata`` package.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

import pandas as pd
from sqlalchemy import Engine

from core.db import session_scope
from directory.agencies import ROUTABLE_COUNTRY, agencies_to_frame, list_agencies

LOCATION_KINDS: dict[str, str] = {
    "office": "an office in Indonesia, with a point: referral and coverage travel to it",
    "abroad": "a mission abroad (embassy or consulate): city and country, no travel time",
    "hotline": "a national line to call: no place, no travel time",
}
"""The values of ``location_kind`` and what each means."""

REMOTE_FIELDS: tuple[str, ...] = (
    "id",
    "name",
    "location_kind",
    "agency_type",
    "organization_name",
    "country",
    "country_name",
    "city",
    "area_code",
    "capabilities",
    "phone",
    "email",
    "website",
    "opening_hours",
    "languages",
    "existence_confirmed",
    "verified_on",
    "source",
    "source_url",
    "notes",
)
"""The columns of :func:`remote_services_frame`, in this order."""


@cache
def countries() -> dict[str, str]:
    """Return ``{ISO 3166-1 alpha-2 code: English name}`` from tzdata's ``iso3166.tab`` (``"MY": "Malaysia"``)."""
    table = resources.files("tzdata").joinpath("zoneinfo", "iso3166.tab").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in table.splitlines() if line and not line.startswith("#"))
    return {code.strip(): name.strip() for code, name in rows}


def country_problem(value: str) -> str | None:
    """Return why `value` is not an ISO 3166-1 alpha-2 code (naming the code of a country given by name), or None."""
    known = countries()
    if value in known:
        return None
    by_name = {name.lower(): code for code, name in known.items()}
    hint = f" {value!r} is {by_name[value.lower()]!r}." if value.lower() in by_name else ""
    if value.upper() in known:
        hint = f" Give it in capitals: {value.upper()!r}."
    return f"is not an ISO 3166-1 alpha-2 country code (ID Indonesia, MY Malaysia, SA Saudi Arabia ...).{hint}"


def location_kind(agency_type: object, country: object) -> str:
    """Return ``"hotline"``, ``"abroad"`` or ``"office"`` for a row of this type and country (blank: Indonesia)."""
    if agency_type == "hotline":
        return "hotline"
    if isinstance(country, str) and country and country != ROUTABLE_COUNTRY:
        return "abroad"
    return "office"


def remote_services_frame(engine: Engine, include_retired: bool = False) -> pd.DataFrame:
    """Return the active missions abroad and hotlines (all if `include_retired`): the rows routing does not travel to.

    A referral lists them beside the offices it ranks (a hotline to call now; the mission of the country where a
    victim is found, then the chain home). They are public records: a mission or a hotline is never confidential.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`REMOTE_FIELDS`: ``location_kind`` is ``"abroad"`` or ``"hotline"``, ``country_name`` the
        English name of ``country``, ``capabilities`` and ``languages`` lists, None where unknown; sorted by kind
        (hotlines first), then country and id.
    """
    with session_scope(engine) as session:
        frame = pd.DataFrame(agencies_to_frame(list_agencies(session, include_retired=include_retired, placed=False)))
    frame["location_kind"] = [location_kind(t, c) for t, c in zip(frame["agency_type"], frame["country"], strict=True)]
    frame["country_name"] = frame["country"].map(countries())
    frame = frame.sort_values(["location_kind", "country", "id"], key=_hotlines_first, ignore_index=True)
    frame = frame[list(REMOTE_FIELDS)].astype(object)
    return frame.where(frame.notna(), None)  # an unknown phone or city is None, not NaN


def _hotlines_first(column: pd.Series) -> pd.Series:
    return column.map({"hotline": "0", "abroad": "1"}) if column.name == "location_kind" else column
