"""Numeric settings from the environment: nonsense values stop the import of core.settings, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from core import settings


def import_settings(name: str, value: str) -> subprocess.CompletedProcess:
    """Import core.settings in a fresh interpreter with environment variable `name` set to `value`."""
    env = {**os.environ, name: value}
    code = "from core import settings; print(settings.suppress_below)"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.package_root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("value", ["0", "-1", "2.5", "few"])
def test_a_suppression_threshold_below_one_or_not_whole_is_refused_at_import(value):
    result = import_settings("RUJUK_SUPPRESS_BELOW", value)
    assert result.returncode == 1 and result.stdout == ""
    assert f"Environment variable RUJUK_SUPPRESS_BELOW was {value!r} but must be a whole number >= 1" in result.stderr
    assert "suppression would be off" in result.stderr
    result = import_settings("RUJUK_SUPPRESS_BELOW", "11")  # a sensible value is still taken
    assert (result.returncode, result.stdout.strip()) == (0, "11")


@pytest.mark.parametrize(
    ("name", "value", "rule"),
    [
        ("RUJUK_ROAD_SPEED_KMH", "-40", "> 0"),
        ("RUJUK_FERRY_SPEED_KMH", "0", "> 0"),
        ("RUJUK_ACCESS_SPEED_KMH", "inf", "> 0"),
        ("RUJUK_LOOKUP_TOLERANCE_KM", "-3", ">= 0"),
        ("RUJUK_APPROXIMATE_LOCATION_TOLERANCE_KM", "-1", ">= 0"),
        ("RUJUK_FERRY_WAIT_H", "-4", ">= 0"),
        ("RUJUK_FERRY_BOARDING_H", "nan", ">= 0"),
        ("RUJUK_CIRCUITY_FACTOR", "0.9", ">= 1"),
        ("RUJUK_ROAD_SNAP_MAX_KM", "-1", ">= 0"),
        ("RUJUK_HOTSPOT_ALPHA", "1.5", "> 0 and < 1"),
        ("RUJUK_SESSION_LIFETIME_H", "0", "> 0"),
    ],
)
def test_other_numeric_settings_refuse_nonsense(name, value, rule):
    result = import_settings(name, value)
    assert result.returncode == 1
    assert f"Environment variable {name} was {value!r} but must be a number {rule}" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("suppress_below", 0),
        ("suppress_below", 2.5),
        ("suppress_below", True),
        ("road_speed_kmh", -1.0),
        ("circuity_factor", 0.9),
        ("hotspot_alpha", 1.0),
        ("lockout_after", 0),
        ("cross_border_policy", "maybe"),
    ],
)
def test_a_nonsense_value_assigned_at_run_time_is_refused_and_the_setting_kept(name, value):
    kept = getattr(settings, name)
    with pytest.raises(ValueError, match=rf"`settings\.{name}` was"):
        setattr(settings, name, value)
    assert getattr(settings, name) == kept


def test_a_sensible_value_assigned_at_run_time_is_taken(monkeypatch):
    monkeypatch.setattr(settings, "suppress_below", 11)
    assert settings.suppress_below == 11


def test_a_misspelt_setting_is_refused():
    with pytest.raises(AttributeError, match=r"`settings\.supress_below` is not a setting"):
        settings.supress_below = 11  # type: ignore[attr-defined]


def test_a_yes_no_setting_takes_only_yes_or_no():
    with pytest.raises(ValueError, match="session_cookie_secure"):
        settings.session_cookie_secure = "no"  # a non-empty text would be true
    started = import_settings("RUJUK_SESSION_COOKIE_SECURE", "ture")
    assert started.returncode != 0 and "RUJUK_SESSION_COOKIE_SECURE was 'ture'" in started.stderr
