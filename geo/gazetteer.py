"""Find a province, regency, district or regency seat by its name.

The index holds the 38 provinces and 514 regencies (placed at their seat, from
:mod:`geo.seats`), the 7,285 districts (placed at a point inside the polygon, from
:func:`geo.boundaries.load_areas`) and the 514 regency seats (``level="seat"``,
with the code of the regency they are the seat of). It is built once per process.

Matching
--------
Names and queries are normalised: accents removed, case folded, apostrophes
dropped, other punctuation and runs of spaces made one space, then compared
without spaces (``"Fakfak"`` = ``"Fak-Fak"``, ``"Bau Bau"`` = ``"Baubau"``).
A leading administrative prefix is not part of the name (``Kabupaten``, ``Kab.``,
``Kota``, ``Kota Administrasi``, ``Provinsi``, ``Prov.``, ``Kecamatan``, ``Kec.``,
``Distrik``), but when the query carries one it restricts the candidates to that
kind: ``"Kab. Kupang"`` finds only Kabupaten Kupang (53.01), ``"Kota Kupang"`` only
53.71. A few common abbreviations (``KUKAR``, ``PPU``, ``NTT``, ``Jatim``...) are
exact names too.

A name matches ``"exact"`` (equal), else ``"prefix"`` (the query begins the
name), else, only when nothing matched so, ``"fuzzy"`` (rapidfuzz ratio at least
``FUZZY_CUTOFF``). Results are ranked by match, then level (province, regency,
seat, district), then code, so the order is deterministic.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import cache

import shapely
from rapidfuzz import fuzz, process

from core.errors import InputError, NotFoundError, shown
from geo import boundaries, seats

LEVELS: tuple[str, ...] = ("province", "regency", "seat", "district")
FUZZY_CUTOFF = 75.0
"""Lowest rapidfuzz ratio (0-100) of a fuzzy match."""

PREFIXES: dict[str, str] = {
    "kabupaten administrasi": "kabupaten",
    "kota administrasi": "kota",
    "kabupaten": "kabupaten",
    "kab": "kabupaten",
    "kota": "kota",
    "provinsi": "province",
    "propinsi": "province",
    "prov": "province",
    "kecamatan": "district",
    "kec": "district",
    "distrik": "district",
}
"""Normalised administrative prefix -> the kind of place it names (longest prefixes first)."""

WORDS: dict[str, str] = {"kep": "kepulauan", "gn": "gunung"}
"""Abbreviated words written out before matching."""

ALIASES: dict[str, str] = {
    "sumut": "12",
    "sumbar": "13",
    "sumsel": "16",
    "babel": "19",
    "kepri": "21",
    "dki": "31",
    "dki jakarta": "31",
    "jakarta": "31",
    "jabar": "32",
    "jateng": "33",
    "diy": "34",
    "jatim": "35",
    "ntb": "52",
    "ntt": "53",
    "kalbar": "61",
    "kalteng": "62",
    "kalsel": "63",
    "kaltim": "64",
    "kaltara": "65",
    "sulut": "71",
    "sulteng": "72",
    "sulsel": "73",
    "sultra": "74",
    "sulbar": "76",
    "malut": "82",
    "pabar": "92",
    "pbd": "96",
    "kukar": "64.02",
    "kubar": "64.07",
    "kutim": "64.08",
    "ppu": "64.09",
    "mahulu": "64.11",
}
"""Common abbreviations (normalised) -> code of the province or regency they name."""


@dataclass(frozen=True)
class Place:
    """A named place found in the gazetteer.

    Attributes
    ----------
    code
        Dotted Kemendagri code; a seat carries the code of its regency.
    name
        Official name, e.g. ``"Kabupaten Kupang"``, ``"Tenggarong"``.
    level
        ``"province"``, ``"regency"``, ``"district"`` or ``"seat"``.
    lon, lat
        WGS84 degrees: the seat for provinces and regencies, a point inside the
        polygon for districts.
    context
        The areas it lies in, e.g. ``"Kabupaten Kutai Kartanegara, Kalimantan Timur"``.
    match
        ``"exact"``, ``"prefix"`` or ``"fuzzy"``.
    """

    code: str
    name: str
    level: str
    lon: float
    lat: float
    context: str
    match: str = "exact"


class AmbiguousPlaceError(InputError):
    """A name fits several places; ``candidates`` lists them, best first."""

    def __init__(self, query: str, candidates: list[Place]) -> None:
        self.candidates = candidates
        listed = "; ".join(_describe(place) for place in candidates)
        message = (
            f"names {len(candidates)} places: {listed}. Add a prefix (Kota, Kab., Provinsi, Kec.), "
            "pass `level`, or give the code."
        )
        super().__init__("query", query, message)


def _describe(place: Place) -> str:
    return f"{place.name} ({place.level} {place.code}, {place.context})"


def normalise(text: str) -> str:
    """Return `text` without accents, in lower case, apostrophes dropped, other punctuation as single spaces."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    words = re.sub(r"[^a-z0-9]+", " ", re.sub(r"['`]", "", ascii_text)).split()
    return " ".join(WORDS.get(word, word) for word in words)


def _split_prefix(normalised: str) -> tuple[str | None, str]:
    for prefix, kind in PREFIXES.items():
        if normalised == prefix or normalised.startswith(prefix + " "):
            return kind, normalised[len(prefix) :].strip()
    return None, normalised


def _compact(normalised: str) -> str:
    return normalised.replace(" ", "")


@dataclass(frozen=True)
class _Index:
    places: list[Place]
    kinds: list[str]
    exact: dict[str, list[int]]
    sorted_keys: list[str]


def _entries() -> list[tuple[Place, str]]:
    provinces = boundaries.load_areas("province").set_index("code")["name"]
    regencies = boundaries.load_areas("regency").set_index("code")
    districts = boundaries.load_areas("district")
    seat_table = seats.load_seats().set_index("code")
    entries: list[tuple[Place, str]] = []
    for code, name in provinces.items():
        lon, lat = seat_table.at[code, "lon"], seat_table.at[code, "lat"]
        entries.append((Place(code, name, "province", float(lon), float(lat), "Indonesia"), "province"))
    for code, row in regencies.iterrows():
        name = row["name"].strip()
        lon, lat = float(seat_table.at[code, "lon"]), float(seat_table.at[code, "lat"])
        province = provinces[row["province_code"]]
        kind = "kota" if name.startswith("Kota") else "kabupaten"
        entries.append((Place(code, name, "regency", lon, lat, province), kind))
        seat_name = seat_table.at[code, "seat_name"]
        if seat_name:
            entries.append((Place(code, seat_name, "seat", lon, lat, f"{name}, {province}"), "seat"))
    points = shapely.point_on_surface(districts.geometry.to_numpy())
    regency_names = regencies["name"].str.strip()
    for row, point in zip(districts.itertuples(index=False), points, strict=True):
        context = f"{regency_names[row.regency_code]}, {provinces[row.province_code]}"
        entries.append((Place(row.code, row.name.strip(), "district", point.x, point.y, context), "district"))
    return entries


@cache
def _index() -> _Index:
    entries = sorted(_entries(), key=lambda entry: (LEVELS.index(entry[0].level), entry[0].code))
    places = [place for place, _ in entries]
    exact: dict[str, list[int]] = {}
    for position, place in enumerate(places):
        key = _compact(_split_prefix(normalise(place.name))[1])
        exact.setdefault(key, []).append(position)
    sorted_keys = sorted(exact)
    for alias, code in ALIASES.items():
        targets = [i for i, p in enumerate(places) if p.code == code and p.level in ("province", "regency")]
        exact.setdefault(_compact(alias), []).extend(targets)
    return _Index(places, [kind for _, kind in entries], exact, sorted_keys)


def _prefixed(index: _Index, key: str) -> list[int]:
    found: list[int] = []
    start = bisect_left(index.sorted_keys, key)
    for name in index.sorted_keys[start:]:
        if not name.startswith(key):
            break
        if name != key:
            found.extend(index.exact[name])
    return found


def _fuzzy(index: _Index, key: str, limit: int) -> list[int]:
    hits = process.extract(key, index.sorted_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=limit)
    return [position for name, _score, _ in hits for position in index.exact[name]]


def _check_level(level: str | None) -> None:
    if level is not None and level not in LEVELS:
        raise InputError("level", level, f"is expected to be None or one of {list(LEVELS)}.")


def _search(query: str, level: str | None, fuzzy_limit: int) -> dict[str, list[Place]]:
    """Return the candidates of `query` by match kind, each list ranked."""
    if not isinstance(query, str):
        raise InputError("query", query, "is expected to be a place name (a string).")
    _check_level(level)
    kind, key = _split_prefix(normalise(query))
    key = _compact(key)
    if not key:
        raise InputError("query", query, "holds no name; give a name such as 'Kupang' or 'Kab. Kupang'.")
    index = _index()

    def keep(positions: list[int]) -> list[int]:
        wanted = (
            p
            for p in sorted(set(positions))
            if (level is None or index.places[p].level == level) and (kind is None or index.kinds[p] == kind)
        )
        return list(wanted)

    exact = keep(index.exact.get(key, []))
    prefix = [p for p in keep(_prefixed(index, key)) if p not in exact]
    fuzzy = [] if exact or prefix else keep(_fuzzy(index, key, fuzzy_limit))
    found = {"exact": exact, "prefix": prefix, "fuzzy": fuzzy}
    return {match: [replace(index.places[p], match=match) for p in positions] for match, positions in found.items()}


def find(query: str, level: str | None = None, limit: int = 20) -> list[Place]:
    """Return the places whose name matches `query`, best first.

    Parameters
    ----------
    query
        A name, with or without an administrative prefix: ``"Kupang"``,
        ``"Kab. Kupang"``, ``"kutai kartanegara"``, ``"KUKAR"``, ``"Tenggarong"``.
    level
        Only places of this level: ``"province"``, ``"regency"``, ``"seat"`` or
        ``"district"``; None for all.
    limit
        Most places returned.

    Returns
    -------
    list of Place
        Exact matches, then prefix matches, then (only when there are neither)
        fuzzy matches; each group by level and code. Empty when nothing is close.

    Raises
    ------
    InputError
        If `query` holds no name or `level` is unknown.
    """
    found = _search(query, level, fuzzy_limit=limit)
    return (found["exact"] + found["prefix"] + found["fuzzy"])[:limit]


def _one_place(candidates: list[Place]) -> Place | None:
    """Return the place all `candidates` stand for, if they are one (a regency, its seat, a district in it)."""
    regencies = {place.code[:5] for place in candidates if place.level != "province"}
    provinces = [place for place in candidates if place.level == "province"]
    if len(candidates) == 1 or (not provinces and len(regencies) == 1):
        return candidates[0]  # ranked: the regency before its seat before a district of that name
    return None


def resolve(query: str, level: str | None = None) -> Place:
    """Return the one place `query` names.

    A regency, its seat and a district of the same name inside it count as one
    place (``"Tenggarong"`` is the seat of Kutai Kartanegara, not its district).
    Exact matches are tried first, then prefix matches; fuzzy matches are never
    taken, only suggested.

    Parameters
    ----------
    query
        A name as for :func:`find`.
    level
        As for :func:`find`.

    Returns
    -------
    Place

    Raises
    ------
    AmbiguousPlaceError
        If the name fits several places; the error lists them all.
    NotFoundError
        If nothing matches exactly or by prefix; the message lists close names.
    """
    found = _search(query, level, fuzzy_limit=5)
    for match in ("exact", "prefix"):
        candidates = found[match]
        if candidates:
            place = _one_place(candidates)
            if place is None:
                raise AmbiguousPlaceError(query, candidates)
            return place
    hint = "; ".join(_describe(place) for place in found["fuzzy"]) or "none"
    msg = f"`query` was {shown(query)} but names no place; close names: {hint}. Check the spelling or give the code."
    raise NotFoundError(msg)
