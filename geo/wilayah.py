"""Kemendagri area codes, names, registered population and official areas (cahyadsn/wilayah).

Codes are dotted and their length gives the level: ``53`` province, ``53.71``
regency or city, ``53.71.01`` district (kecamatan), ``53.71.01.1001`` village.
Results are cached in-process; the files are read through :func:`geo.sources.fetch`.
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from core.errors import InputError
from geo import sources
from geo._sql import read_table

WILAYAH = "upstream/wilayah/db/wilayah.sql"
PENDUDUK = "upstream/wilayah/db/wilayah_penduduk.sql"
LUAS = "upstream/wilayah/db/wilayah_luas.sql"

LEVELS: dict[str, int] = {"province": 2, "regency": 5, "district": 8, "village": 13}
"""Level name -> length of its dotted code."""


def level_of(codes: pd.Series) -> pd.Series:
    """Return the level name of each dotted code (None where the length fits no level)."""
    by_length = {length: level for level, length in LEVELS.items()}
    return codes.str.len().map(by_length).astype(object).where(lambda s: s.notna(), None)


def parent_of(codes: pd.Series) -> pd.Series:
    """Return each code's parent code (None for provinces): the code without its last segment."""
    parent = codes.str.rsplit(".", n=1).str[0]
    return parent.where(codes.str.contains(".", regex=False), None)


@cache
def _all_codes() -> pd.DataFrame:
    frame = read_table(sources.fetch(WILAYAH), "wilayah").rename(columns={"kode": "code", "nama": "name"})
    frame = frame.astype({"code": str, "name": str})
    frame["level"] = level_of(frame["code"])
    frame["parent_code"] = parent_of(frame["code"])
    return frame.sort_values("code", ignore_index=True)


def load_codes(levels: tuple[str, ...] | list[str] | str = ("province", "regency", "district")) -> pd.DataFrame:
    """Return the code, name, level and parent code of every area at `levels`.

    Parameters
    ----------
    levels
        Any of ``"province"``, ``"regency"``, ``"district"``, ``"village"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``code``, ``name``, ``level``, ``parent_code`` (None for
        provinces), sorted by code.

    Raises
    ------
    InputError
        If a level is not one of the four.
    """
    levels = (levels,) if isinstance(levels, str) else tuple(levels)
    unknown = [level for level in levels if level not in LEVELS]
    if unknown:
        raise InputError("levels", unknown, f"is expected to contain only {list(LEVELS)}.")
    codes = _all_codes()
    return codes[codes["level"].isin(levels)].reset_index(drop=True).copy()


@cache
def _population() -> pd.Series:
    frame = read_table(sources.fetch(PENDUDUK), "wilayah_penduduk")
    population = pd.to_numeric(frame["total"], errors="raise").astype("Int64")
    population.index = frame["kode"].astype(str).rename("code")
    return population.rename("population")


def load_population() -> pd.Series:
    """Return the registered (Dukcapil, Kepmendagri 2025) population by code.

    Covers the country (code ``"0"``), the 38 provinces and the 514 regencies;
    districts and villages have no figure. Not the BPS census.

    Returns
    -------
    pandas.Series
        Int64 values indexed by dotted code, named ``population``.
    """
    return _population().copy()


def _fix_numeric_code(code: str) -> str:
    # wilayah_luas.sql lost trailing zeros of regency numbers somewhere upstream: '11.1' is 11.10.
    # DKI Jakarta appears as '31.0'.
    province, _, regency = code.partition(".")
    return f"{province}.{regency.ljust(2, '0')}" if regency.strip("0") else province


@cache
def _official_area() -> pd.Series:
    frame = read_table(sources.fetch(LUAS), "wilayah_luas")
    area = pd.to_numeric(frame["luas"], errors="raise").astype(float)
    area.index = frame["kode"].astype(str).map(_fix_numeric_code).rename("code")
    return area[~area.index.duplicated()].rename("official_area_km2")


def load_official_area() -> pd.Series:
    """Return the official area in km² (BIG, December 2024) of provinces and regencies by code."""
    return _official_area().copy()
