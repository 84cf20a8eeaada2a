"""Folium web maps: the national map of cases, hot spots, agencies and coverage, and the maps of a referral and a plan.

Modules: :mod:`webmap.maps` (the national map), :mod:`webmap.why_gap` (its "Why the gap" layer),
:mod:`webmap.referral` (the map of one referral), :mod:`webmap.plan` (the map of one office plan),
:mod:`webmap._elements` (elements that pass data, never templates),
:mod:`webmap.assets` (the browser libraries served offline), :mod:`webmap.i18n` (map strings in two languages).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core._lazy import lazy_exports

if TYPE_CHECKING:  # the names as mypy and editors see them; at run time each is imported on first use
    from webmap.assets import render as render
    from webmap.maps import national_map as national_map
    from webmap.plan import plan_map as plan_map
    from webmap.referral import referral_map as referral_map

_EXPORTS: dict[str, str] = {
    "national_map": "webmap.maps",
    "plan_map": "webmap.plan",
    "referral_map": "webmap.referral",
    "render": "webmap.assets",
}
"""Each public name and the module that defines it (imported on first use, so that `import webmap` stays cheap)."""

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
