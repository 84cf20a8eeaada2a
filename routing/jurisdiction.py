"""Under which rule may an agency take a case from a given place.

The rules follow the tiers of the Indonesian referral system (DOMAIN.md, "Jurisdiction
and escalation"); the first that applies wins:

==============  ===========================================================================
status          when
==============  ===========================================================================
own_area        a regency/city unit of the regency the victim is in
agreement       a unit whose area signed a cooperation agreement (PKS) with the victim's
                regency or province, covering every need the unit is asked for
provincial      a provincial unit of the victim's province
national        a national agency (LPSK, Kemensos, BP2MI ...): serves everyone
cross_border    any other unit: the referral is possible but needs coordination
==============  ===========================================================================

An agreement between areas A and B widens the area of the units *of* A (``area_code ==
A``) to B and everything inside B, and the other way round. So the Kutai Kartanegara
unit (64.02) may take a case from Penajam Paser Utara (64.09) for the help the PKS of
17 July 2024 covers, and the Kalimantan Timur provincial unit (64) may take one from
Jawa Barat (32) under the province agreements.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

STATUSES: tuple[str, ...] = ("own_area", "agreement", "provincial", "national", "cross_border")
_NAMES = np.array(STATUSES, dtype=object)
_OWN_AREA, _AGREEMENT, _PROVINCIAL = (STATUSES.index(name) for name in ("own_area", "agreement", "provincial"))
STATUS_LABELS: dict[str, dict[str, str]] = {
    "own_area": {"en": "own area", "id": "wilayah sendiri"},
    "agreement": {"en": "by cooperation agreement", "id": "berdasarkan perjanjian kerja sama"},
    "provincial": {"en": "provincial unit", "id": "unit provinsi"},
    "national": {"en": "national agency", "id": "lembaga nasional"},
    "cross_border": {"en": "cross-border: coordination needed", "id": "lintas wilayah: perlu koordinasi"},
}


@dataclass(frozen=True)
class Origin:
    """Where a case is: the district, regency and province codes (any may be None at sea)."""

    district_code: str | None
    regency_code: str | None
    province_code: str | None

    def areas(self) -> set[str]:
        """Return the codes of every area the origin lies in."""
        return {code for code in (self.district_code, self.regency_code, self.province_code) if code}


def classify(
    agencies: pd.DataFrame,
    origin: Origin,
    agreements: pd.DataFrame,
    needs_per_agency: Sequence[Iterable[str]] | None = None,
) -> pd.Series:
    """Return the jurisdiction status of every agency for a case at `origin`.

    Parameters
    ----------
    agencies
        One row per agency with ``jurisdiction_level`` (regency, province, national)
        and ``area_code``.
    origin
        The areas the case is in.
    agreements
        Active agreements with ``area_a``, ``area_b`` and ``capabilities`` (lists).
    needs_per_agency
        For each agency, the needs it is asked to cover; an agreement applies only
        when it covers all of them. None: any agreement applies.

    Returns
    -------
    pandas.Series
        A status from :data:`STATUSES` per agency, aligned with `agencies`.
    """
    status = Classifier(agencies, agreements).classify(origin, needs_per_agency)
    return pd.Series(status, index=agencies.index, name="jurisdiction")


class Classifier:
    """:func:`classify` for many cases against one directory: the agencies and agreements are read once.

    Parameters are those of :func:`classify`; :meth:`classify` answers one origin with a
    NumPy array (no frame is built per case, the referral hot path).
    """

    def __init__(self, agencies: pd.DataFrame, agreements: pd.DataFrame) -> None:
        self.level = agencies["jurisdiction_level"].to_numpy(dtype=object)
        self.area = agencies["area_code"].to_numpy(dtype=object)
        columns = (agreements[name].to_numpy(dtype=object) for name in ("area_a", "area_b", "capabilities"))
        self._agreements = [(a, b, set(caps)) for a, b, caps in zip(*columns, strict=True)]
        national = self.level == "national"
        self._base = np.where(national, STATUSES.index("national"), STATUSES.index("cross_border")).astype(np.int8)
        # The units of each area by level (a case asks only for its own areas: a lookup, not a scan).
        self._units: dict[tuple[str, object], np.ndarray] = {}
        other = ~np.isin(self.level, ["regency", "province"])
        for level in ("regency", "province", "other"):
            chosen = ~national & (other if level == "other" else self.level == level)
            for code in set(self.area[chosen]):
                self._units[level, code] = np.flatnonzero(chosen & (self.area == code))

    def _partners(self, origin: Origin) -> dict[str, set[str]]:
        """Return, for each area bound by an agreement with an area of `origin`, the capabilities covered."""
        inside = origin.areas()
        partners: dict[str, set[str]] = {}
        for area_a, area_b, capabilities in self._agreements:
            for own, other in ((area_a, area_b), (area_b, area_a)):
                if other in inside:
                    partners.setdefault(own, set()).update(capabilities)
        return partners

    def classify(self, origin: Origin, needs_per_agency: Sequence[Iterable[str]] | None = None) -> np.ndarray:
        """Return the status of every agency for a case at `origin` (object array; see :func:`classify`)."""
        return _NAMES[self.codes(origin, needs_per_agency)]

    def codes(self, origin: Origin, needs_per_agency: Sequence[Iterable[str]] | None = None) -> np.ndarray:
        """Return :meth:`classify` as positions in :data:`STATUSES` (int8), which is also their rank."""
        return self._status(origin, self._partners(origin), needs_per_agency)

    def classify_each(self, origin: Origin, needs: Iterable[str]) -> dict[str, np.ndarray]:
        """Return, per need, the status of every agency for a case at `origin` needing that one alone."""
        partners = self._partners(origin)
        return {need: _NAMES[self._status(origin, partners, need)] for need in needs}

    def codes_with_each(
        self, origin: Origin, needs_per_agency: Sequence[Iterable[str]], needs: Iterable[str]
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Return :meth:`codes` and, per need, :meth:`classify_each` as positions in :data:`STATUSES` (one pass)."""
        partners = self._partners(origin)
        each = {need: self._status(origin, partners, need) for need in needs}
        return self._status(origin, partners, needs_per_agency), each

    def _status(
        self, origin: Origin, partners: dict[str, set[str]], needs: Sequence[Iterable[str]] | str | None
    ) -> np.ndarray:
        """Return the statuses; `needs` per agency, one need for all (a text) or None (any agreement applies)."""
        status = self._base.copy()
        for code, covered in partners.items():
            for level in ("regency", "province", "other"):
                for i in self._units.get((level, code), ()):
                    asked = () if needs is None else (needs,) if isinstance(needs, str) else needs[i]
                    if covered.issuperset(asked):
                        status[i] = _AGREEMENT
        status[self._units.get(("province", origin.province_code), [])] = _PROVINCIAL
        status[self._units.get(("regency", origin.regency_code), [])] = _OWN_AREA
        return status


def permitted(agencies: pd.DataFrame, districts: pd.DataFrame, agreements: pd.DataFrame, capability: str) -> np.ndarray:
    """Return which agency may take a case from which district without cross-border coordination.

    The vectorised form of :func:`classify` for many origins and one need: entry
    ``[i, j]`` is True when ``classify`` would give agency ``i`` a status other than
    ``cross_border`` for a case in district ``j`` needing `capability`: a regency unit
    of the district's regency, a unit whose area is party to an agreement with the
    district, its regency or its province that covers `capability`, a provincial unit
    of the district's province, or a national agency. Whether the agency offers
    `capability` is not checked here.

    Parameters
    ----------
    agencies
        One row per agency with ``jurisdiction_level`` and ``area_code``.
    districts
        One row per district with ``code``, ``regency_code`` and ``province_code``
        (e.g. :func:`geo.boundaries.load_areas` ``("district")``).
    agreements
        Active agreements with ``area_a``, ``area_b`` and ``capabilities`` (lists).
    capability
        The need the case has.

    Returns
    -------
    numpy.ndarray
        Boolean, shape (agencies, districts).
    """
    return Permissions(agencies, districts, agreements).mask(capability)


class Permissions:
    """:func:`permitted` for many needs: the parts that do not depend on the need are built once.

    Parameters are those of :func:`permitted`; :meth:`mask` answers one need.
    """

    def __init__(self, agencies: pd.DataFrame, districts: pd.DataFrame, agreements: pd.DataFrame) -> None:
        # Each agreement binds both ways: units of `own` may serve the districts inside `other`.
        own = np.concatenate([agreements["area_a"].to_numpy(), agreements["area_b"].to_numpy()])
        other = np.concatenate([agreements["area_b"].to_numpy(), agreements["area_a"].to_numpy()])
        self._covers = [set(caps) for caps in agreements["capabilities"]] * 2
        columns = [districts[column].to_numpy() for column in ("code", "regency_code", "province_code")]
        area, own, other, *inside = _integer_codes(agencies["area_code"].to_numpy(), own, other, *columns)
        level = agencies["jurisdiction_level"].to_numpy()[:, None]
        area = area[:, None]
        self._base = (
            (level == "national")
            | ((level == "regency") & (area == inside[1]))
            | ((level == "province") & (area == inside[2]))
        )
        self._unit_of = (area == own[None, :]) & (level != "national")
        self._serves = np.logical_or.reduce([other[:, None] == codes[None, :] for codes in inside])

    def mask(self, capability: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Return the (agencies x districts) permission for `capability`, for the agencies at `rows` (default all)."""
        base = self._base if rows is None else self._base[rows]
        covering = np.array([capability in caps for caps in self._covers], dtype=bool)
        if not covering.any():
            return base.copy()
        unit_of = (self._unit_of if rows is None else self._unit_of[rows])[:, covering]
        allowed = base.copy()
        for unit, serves in zip(unit_of.T, self._serves[covering], strict=True):  # a few agreements, few units each
            allowed[unit] |= serves
        return allowed


def _integer_codes(*arrays: np.ndarray) -> list[np.ndarray]:
    """Return the area codes of each array as integers, equal codes getting equal integers (fast comparison)."""
    codes, _ = pd.factorize(np.concatenate([np.asarray(a, dtype=object) for a in arrays]), use_na_sentinel=False)
    return np.split(codes, np.cumsum([len(a) for a in arrays])[:-1])
