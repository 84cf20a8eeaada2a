"""Values in imported rows, told apart one way each.

Missing values (None, NaN, ``pandas.NA``, ``NaT``), blanks, and whole numbers too large to convert.
"""

from __future__ import annotations

import math

import pandas as pd


def is_missing(value: object) -> bool:
    """Return True if `value` is None, a float NaN, ``pandas.NA`` or ``pandas.NaT`` (a scalar, never an array).

    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, 0, "", "x")]
    [True, True, True, True, False, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def blank(value: object) -> bool:
    """Return True for a missing value (:func:`is_missing`) and for text that is empty after stripping."""
    return is_missing(value) or str(value).strip() == ""


def exceeds(digits: str, maximum: int) -> bool:
    """Return True if the whole number written `digits` (``[0-9]+``) is above `maximum`.

    The length is compared first: Python refuses to convert a text of more than
    4,300 digits to an int.
    """
    digits = digits.lstrip("0") or "0"
    return len(digits) > len(str(maximum)) or int(digits) > maximum
