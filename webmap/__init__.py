"""Folium web maps: the national map of cases, hot spots, agencies and coverage, and the map of one referral.

Modules: :mod:`webmap.maps` (the maps), :mod:`webmap._elements` (elements that pass data, never templates),
:mod:`webmap.assets` (the browser libraries served offline), :mod:`webmap.i18n` (map strings in two languages).
"""

from __future__ import annotations

from core._lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "national_map": "webmap.maps",
    "referral_map": "webmap.maps",
    "render": "webmap.assets",
}
"""Each public name and the module that defines it."""

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
