"""What a referral question may say: the needs, how many agencies, a time limit, a day (checked, with clear errors).

:class:`routing.referral.Referrer` and the command line, the API and the pages read a question's parts with these
functions, so that a bad value gets the same message naming its field everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import numpy as np

from core.errors import InputError
from directory import capabilities

_DURATION = re.compile(r"^\s*(?:(\d+(?:\.\d+)?)\s*h)?\s*(?:(\d+(?:\.\d+)?)\s*m(?:in)?)?\s*$", re.IGNORECASE)


DEFAULT_K = 10
"""How many agencies a referral lists unless asked otherwise."""
HOME_NEEDS = ("reintegration",)
"""Needs served where the victim lives, not where she was found: with a home area they are ranked from it."""
MAX_K = 100


def parse_day(text: str | None, field_name: str = "on") -> dt.date | None:
    """Return a ``YYYY-MM-DD`` text as a date (None when empty), or raise InputError naming `field_name`."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(field_name, text, "is expected to be a date YYYY-MM-DD.") from None


def parse_k(text: str | int | None, field_name: str = "k") -> int:
    """Return how many agencies to list: a whole number from 1 to :data:`MAX_K` (:data:`DEFAULT_K` when empty)."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return DEFAULT_K
    digits = str(text).strip()
    if isinstance(text, bool) or not digits.isdigit() or len(digits) > 3 or not 1 <= int(digits) <= MAX_K:
        raise InputError(field_name, text, f"is expected to be a whole number from 1 to {MAX_K}.")
    return int(digits)


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
                raise InputError(
                    field_name, text, 'is expected to be a duration such as "3h", "90m" or "1h30m".'
                ) from None
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
