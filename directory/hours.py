"""Is an agency open on a given day: the common subset of OSM ``opening_hours``.

Understood: ``24/7``; rules ``Mo-Fr 08:00-16:00`` separated by ``;``, with day ranges and
lists (``Mo,We,Fr``, ``Mo-Th,Sa``) and ``off``; ``PH off`` is ignored (no holiday
calendar). Anything else is *unknown* (None), and so is a value that is not text (a
missing value read from the database is ``None`` or, in a pandas frame, float NaN): an
agency is never dropped because its hours could not be read.
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
