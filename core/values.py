"""Missing values, told apart the one way: None, NaN, ``pandas.NA`` and ``NaT`` are all missing."""

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
