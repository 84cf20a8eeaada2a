"""Where things are in Indonesia: areas, islands, the gazetteer and the pinned upstream files.

Modules: :mod:`geo.boundaries` (province, regency and district polygons with Kemendagri codes, built into
artefacts), :mod:`geo.lookup` (which area a point is in), :mod:`geo.islands` (which land mass),
:mod:`geo.seats` (regency seats), :mod:`geo.gazetteer` (places by name), :mod:`geo.wilayah` (names and
population), :mod:`geo.sources` (the upstream files from a mirror or a pinned download).

Public API::

    import geo
    geo.find("Tenggarong")                    # places by name
    geo.locate(116.98, -0.43, level="regency")  # area codes of points
    geo.load_areas("province")                # a GeoDataFrame
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from core._lazy import lazy_exports

if TYPE_CHECKING:  # the names as mypy and editors see them; at run time each is imported on first use
    from geo.boundaries import load_areas as load_areas
    from geo.gazetteer import find as find
    from geo.gazetteer import resolve as resolve
    from geo.islands import island_of as island_of
    from geo.islands import load_islands as load_islands
    from geo.lookup import locate as locate
    from geo.lookup import locate_hierarchy as locate_hierarchy
    from geo.seats import seat_point as seat_point

_EXPORTS: dict[str, str] = {
    "find": "geo.gazetteer",
    "resolve": "geo.gazetteer",
    "locate": "geo.lookup",
    "locate_hierarchy": "geo.lookup",
    "load_areas": "geo.boundaries",
    "island_of": "geo.islands",
    "load_islands": "geo.islands",
    "seat_point": "geo.seats",
}
"""Each public name and the module that defines it (imported on first use, so that `import geo` stays cheap)."""

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
