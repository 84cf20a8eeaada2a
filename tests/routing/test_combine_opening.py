"""The exact set cover of several needs, and the opening-hours subset."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from directory.hours import open_on
from routing.combine import best_cover

NEEDS = ["shelter", "psychological", "legal_aid", "medical"]


def _brute_force(needs, provides, hours):
    for size in range(1, len(provides) + 1):
        found = [
            (sum(hours[i] for i in group), list(group))
            for group in combinations(range(len(provides)), size)
            if np.isfinite([hours[i] for i in group]).all() and set().union(*(provides[i] for i in group)) >= set(needs)
        ]
        if found:
            total, group = min(found)
            return group, total
    return None


@pytest.mark.parametrize("seed", range(25))
def test_cover_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    count = int(rng.integers(1, 9))
    provides = [frozenset(n for n in NEEDS if rng.random() < 0.35) for _ in range(count)]
    hours = rng.uniform(0.1, 10.0, count)
    hours[rng.random(count) < 0.1] = np.inf
    expected = _brute_force(NEEDS, provides, hours)
    found = best_cover(NEEDS, provides, hours)
    if expected is None:
        assert found is None
    else:
        assert len(found[0]) == len(expected[0])
        assert found[1] == pytest.approx(expected[1])


@pytest.mark.parametrize("seed", range(80))
def test_cover_breaks_ties_as_brute_force_does_fewest_then_least_time_then_lowest_positions(seed):
    rng = np.random.default_rng(100 + seed)
    count = int(rng.integers(2, 12))
    provides = [frozenset(n for n in NEEDS if rng.random() < 0.4) for _ in range(count)]
    hours = rng.integers(1, 4, count).astype(float)  # whole hours: many exact ties
    hours[rng.random(count) < 0.1] = np.inf
    assert best_cover(NEEDS, provides, hours) == _brute_force(NEEDS, provides, hours)


def test_one_agency_covering_all_beats_two_faster_ones():
    provides = [frozenset({"shelter"}), frozenset({"psychological"}), frozenset({"shelter", "psychological"})]
    assert best_cover(["shelter", "psychological"], provides, np.array([0.1, 0.1, 9.0])) == ([2], 9.0)


@pytest.mark.parametrize(
    ("hours", "day", "expected"),
    [
        ("24/7", dt.date(2026, 11, 22), True),
        ("Mo-Fr 08:00-16:00", dt.date(2026, 11, 22), False),  # a Sunday
        ("Mo-Fr 08:00-16:00", dt.date(2026, 11, 23), True),
        ("Mo-Fr 08:00-16:00; Sa 08:00-12:00", dt.date(2026, 11, 21), True),
        ("Mo-Su 08:00-20:00; Su off", dt.date(2026, 11, 22), False),
        ("Fr-Mo 09:00-12:00", dt.date(2026, 11, 22), True),  # a range that wraps the week
        ("Senin-Jumat 08.00-16.00", dt.date(2026, 11, 23), None),  # free text: unknown, never closed
        (None, dt.date(2026, 11, 23), None),
        (float("nan"), dt.date(2026, 11, 23), None),  # a missing value in a pandas 3 frame
        (pd.NA, dt.date(2026, 11, 23), None),
    ],
)
def test_opening_hours_subset(hours, day, expected):
    assert open_on(hours, day) is expected
