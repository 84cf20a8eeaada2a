"""The nearest capable agency of every district, with and without the jurisdiction rules (see :mod:`routing.coverage`).

Both read the exact hours from every distinct agency point to every district, one Dijkstra
per point kept with the directory's join to the network
(:meth:`routing._national_sources.Sources.point_hours`: computed once per directory change,
as the referral's trees are grown), so a request searches nothing. Without the rules the nearest
capable agency of a district is the least of its capable points' hours; with them only the
agencies allowed in that district count, and no single multi-source pass could give that:
whether an agency may take a case depends on the district the case is in, so the "sources"
of a district differ from its neighbour's. The mask of allowed agencies per capability comes
from :class:`routing.jurisdiction.Permissions`; both minima are one compiled pass over the
rows (:func:`routing._kernels.nearest_rows`), of equal hours the first listed agency.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo import boundaries
from routing import jurisdiction
from routing._kernels import nearest_rows
from routing.national import NationalNetwork

Nearest = dict[str, list[tuple[np.ndarray, np.ndarray]]]  # per rule suffix and capability: hours, agency row


def masked_nearest(matrix: np.ndarray, rows: np.ndarray, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Return hours to the nearest of the agencies `rows` of `matrix` where `allowed`, and its row (-1: none).

    Of equal hours the first of `rows`. `allowed` is ``len(rows)`` x columns, or None: all allowed.
    """
    return _nearest(matrix, rows, rows, allowed)


def _nearest(
    matrix: np.ndarray, matrix_rows: np.ndarray, rows: np.ndarray, allowed: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    """Return :func:`masked_nearest` reading row ``matrix_rows[j]`` of `matrix` for ``rows[j]``."""
    masked = allowed is not None
    mask = np.ascontiguousarray(allowed, dtype=bool) if masked else np.ones((1, 1), dtype=bool)
    hours, which = nearest_rows(matrix, np.asarray(matrix_rows, dtype=np.int64), mask, masked)
    return hours, np.where(which >= 0, np.asarray(rows)[np.maximum(which, 0)] if len(rows) else -1, -1)


def nearest_agencies(
    network: NationalNetwork, agencies: pd.DataFrame, agreements: pd.DataFrame, offers: dict, modes: Sequence[str]
) -> Nearest:
    """Return per rule suffix of `modes` and capability of `offers` (agency masks) the nearest agency's hours and row.

    ``"any"``: the nearest capable agency; ``"permitted"``: the nearest one that may take
    the case under the jurisdiction rules (module notes).
    """
    n = len(network.codes)
    if not len(agencies):
        return {mode: [(np.full(n, np.inf), np.full(n, -1)) for _ in offers] for mode in modes}
    sources = network.sources(agencies["lon"].to_numpy(float), agencies["lat"].to_numpy(float))
    matrix, point = sources.point_hours(), sources.distinct
    result: Nearest = {}
    if "any" in modes:  # each capable point once, as its first capable agency, in the order they are listed
        result["any"] = []
        for capable in offers.values():
            rows = np.flatnonzero(capable)
            points, first = np.unique(point[rows], return_index=True)
            listed = np.argsort(first)  # of points at equal hours, the one whose capable agency is listed first
            result["any"].append(_nearest(matrix, points[listed], rows[first][listed], None))
    if "permitted" in modes:
        districts = boundaries.load_areas("district")[["code", "regency_code", "province_code"]]
        units = agencies[["jurisdiction_level", "area_code"]]
        permissions = jurisdiction.Permissions(units, districts, agreements)
        result["permitted"] = []
        for code, capable in offers.items():
            rows = np.flatnonzero(capable)
            result["permitted"].append(_nearest(matrix, point[rows], rows, permissions.mask(code, rows)))
    return result
