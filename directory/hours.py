"""Is an agency open on a given day: the common subset of OSM ``opening_hours``.

Understood: ``24/7``; rules ``Mo-Fr 08:00-16:00`` separated by ``;``, with day ranges and
lists (``Mo,We,Fr``, ``Mo-Th,Sa``) and ``off``; ``PH off`` is ignored (no holiday
calendar). Anything else is *unknown* (None), and so is a value that is not text (a
missing value read from the database is ``None`` or, in a pandas frame, float NaN): an
agency is never dropped because its hours could not be read.

:func:`weekly_rules` gives the same rules as data (days, opening and closing time), for exports that describe
hours in another form (the RRULE-like schedules of Open Referral HSDS, :mod:`directory.hsds`).
"""

from __future__ import annotations

import datetime as dt
import re

DAYS = ("mo", "tu", "we", "th", "fr", "sa", "su")
_RULE = re.compile(
    r"^(?P<days>[a-z]{2}(?:\s*[-,]\s*[a-z]{2})*)\s+(?P<times>off|closed|\d{1,2}:\d{2}\s*-\s*\d{1,2}:\d{2}.*)$"
)


def _days(text: str) -> set[int] | None:
    found: set[int] = set()
    for part in re.split(r"\s*,\s*", text):
        ends = [piece.strip() for piece in part.split("-")]
        if any(end not in DAYS for end in ends) or len(ends) > 2:
            return None
        first, last = DAYS.index(ends[0]), DAYS.index(ends[-1])
        found.update(range(first, last + 1) if first <= last else [*range(first, 7), *range(last + 1)])
    return found


def open_on(opening_hours: object, day: dt.date) -> bool | None:
    """Return whether `opening_hours` says the agency is open at some time on `day`, or None if unknown.

    Anything but non-blank text (None, NaN, ``pd.NA``) is unknown.
    """
    if not isinstance(opening_hours, str) or not opening_hours.strip():
        return None
    text = opening_hours.strip().lower()
    if text == "24/7":
        return True
    weekday = day.weekday()
    is_open = False
    for rule in (part.strip() for part in text.split(";")):
        if not rule or rule.startswith("ph"):
            continue
        match = _RULE.match(rule)
        days = _days(match["days"]) if match else None
        if match is None or days is None:
            return None
        if weekday in days:
            is_open = match["times"] not in ("off", "closed")  # a later rule overrides an earlier one
    return is_open


def weekly_rules(opening_hours: object) -> list[tuple[str, tuple[str, ...], str, str]] | None:
    """Return the rules of `opening_hours` as (rule text, day codes, opens, closes), or None if any is not read.

    Day codes are those of :data:`DAYS` in capitals, in week order (``("MO", "TU", "WE", "TH", "FR")``), times
    ``HH:MM``; ``24/7`` is every day from ``00:00`` to ``23:59``. Only texts made of ``Days HH:MM-HH:MM`` rules
    separated by ``"; "`` are read (so the rule texts joined by ``"; "`` give `opening_hours` back exactly); a rule
    that says ``off``, a holiday rule or any other text gives None.
    """
    if not isinstance(opening_hours, str) or not opening_hours.strip():
        return None
    if opening_hours == "24/7":
        return [(opening_hours, tuple(day.upper() for day in DAYS), "00:00", "23:59")]
    rules = []
    for rule in opening_hours.split("; "):
        match = _SIMPLE.fullmatch(rule)
        days = _days(match["days"].lower()) if match else None
        if match is None or not days:
            return None
        rules.append((rule, tuple(DAYS[day].upper() for day in sorted(days)), match["opens"], match["closes"]))
    return rules


_SIMPLE = re.compile(r"(?P<days>[A-Z][a-z](?:[-,][A-Z][a-z])*) (?P<opens>\d{2}:\d{2})-(?P<closes>\d{2}:\d{2})")
