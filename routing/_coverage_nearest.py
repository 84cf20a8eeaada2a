"""The nearest capable agency of every district, with and without the jurisdiction rules (see :mod:`routing.coverage`).

Without the rules the answer is one nearest-source computation per capability over the
agencies offering it (:meth:`routing._national_sources.Sources.nearest`). With them it is
not: whether an agency may take a case depends on the district the case is in, so the
"sources" of a district differ from its neighbour's and no single multi-source pass can
hold them. The hours come instead from one search per distinct agency point, each only as
far as the districts the agencies there may serve need (:meth:`Sources.hours` with
``needed``: a regency unit's search stops near its regency; a national agency's covers the
country), and per capability the minimum over the capable agencies allowed in each
district (:class:`routing.jurisdiction.Permissions`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo import boundaries
from routing import jurisdiction
from routing.national import NationalNetwork

Nearest = dict[str, list[tuple[np.ndarray, np.ndarray]]]  # per rule suffix and capability: hours, agency row


def masked_nearest(matrix: np.ndarray, rows: np.ndarray, allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Return hours to the nearest of the agencies `rows` of `matrix` where `allowed`, and its row (-1: none)."""
    if not len(rows):
        return np.full(matrix.shape[1], np.inf), np.full(matrix.shape[1], -1)
    hours = matrix[rows] if allowed is None else np.where(allowed, matrix[rows], np.inf)
    best = hours.argmin(axis=0)
    hours = hours[best, np.arange(hours.shape[1])]
    return hours, np.where(np.isfinite(hours), rows[best], -1)


def nearest_agencies(
    network: NationalNetwork, agencies: pd.DataFrame, agreements: pd.DataFrame, offers: dict, modes: tuple
) -> Nearest:
    """Return per rule suffix of `modes` and capability of `offers` (agency masks) the nearest agency's hours and row.

    ``"any"``: the nearest capable agency; ``"permitted"``: the nearest one that may take
    the case under the jurisdiction rules (module notes).
    """
    n = len(network.codes)
    if not len(agencies):
        return {mode: [(np.full(n, np.inf), np.full(n, -1)) for _ in offers] for mode in modes}
    sources = network.sources(agencies["lon"].to_numpy(float), agencies["lat"].to_numpy(float))
    result: Nearest = {}
    if "any" in modes:
        result["any"] = sources.nearest(list(offers.values()))
    if "permitted" in modes:
        districts = boundaries.load_areas("district")[["code", "regency_code", "province_code"]]
        units = agencies[["jurisdiction_level", "area_code"]]
        permissions = jurisdiction.Permissions(units, districts, agreements)
        allowed = {code: permissions.mask(code, np.flatnonzero(capable)) for code, capable in offers.items()}
        serves = np.zeros((len(agencies), n), dtype=bool)  # the districts each agency may serve, for some need
        for capable, mask in zip(offers.values(), allowed.values(), strict=True):
            serves[capable] |= mask
        order = np.argsort(sources.distinct, kind="stable")  # agencies grouped by their distinct point
        starts = np.searchsorted(sources.distinct[order], np.arange(len(sources.ids)))
        matrix = sources.hours(np.logical_or.reduceat(serves[order], starts, axis=0))
        result["permitted"] = [masked_nearest(matrix, np.flatnonzero(c), allowed[code]) for code, c in offers.items()]
    return result
