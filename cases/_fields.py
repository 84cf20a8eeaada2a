"""Parsing the fields of one case-figure row: texts, dates, counts, units and area codes.

Each parser returns the clean value or raises ValueError with the end of a RowError
message (what was expected, and how to fix it). Area codes are Kemendagri codes, or
BPS 2020 codes converted through the BPS-Kemendagri crosswalk (``CROSSWALK`` in the
mirror); a 4-digit code given as Kemendagri is explained both ways, since BPS 5303 is
Kemendagri 53.01 Kabupaten Kupang while 53.03 is Timor Tengah Utara.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from difflib import get_close_matches
from functools import cache

import pandas as pd

from core.errors import RowError
from core.values import exceeds
from geo import sources, wilayah

COUNTRY_CODE = "ID"
UNITS: tuple[str, ...] = ("applications", "victims", "cases")
CODE_SYSTEMS: tuple[str, ...] = ("kemendagri", "bps2020")
CROSSWALK = "crosswalk-bps2020-kemendagri/crosswalk_regency_bps2020_kemendagri2025.csv"
MAX_VALUE = 10**9
"""The largest figure accepted: no count of people or cases in Indonesia (about 280 million people) comes
near it, so a larger one is a typing error; it also fits PostgreSQL's INTEGER (at most 2,147,483,647)."""


@cache
def area_names() -> dict[str, str]:
    """Return the name of every Kemendagri area code (and of "ID", the country)."""
    codes = wilayah.load_codes(("province", "regency", "district"))
    return {COUNTRY_CODE: "Indonesia", **dict(zip(codes["code"], codes["name"].str.strip(), strict=True))}


@cache
def _bps_codes() -> dict[str, str | list[str]]:
    """BPS 2020 code -> Kemendagri code, or the list of codes a split BPS province became."""
    crosswalk = pd.read_csv(sources.fetch(CROSSWALK), dtype=str)
    codes = zip(crosswalk["bps2020_code"], crosswalk["kemendagri_code"], strict=False)
    mapping: dict[str, str | list[str]] = dict(codes)
    provinces = crosswalk.groupby("bps2020_prov_code")["kemendagri_prov_code"].unique()
    for bps, kemendagri in provinces.items():
        mapping[bps] = kemendagri[0] if len(kemendagri) == 1 else sorted(kemendagri)
    return mapping


# Field parsers: return the clean value or raise ValueError with the end of a RowError message.


def _required(what: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if not value.strip():
            raise ValueError(f"is empty; every figure needs {what}.")
        return value.strip()

    return parse


def _optional(value: str) -> str | None:
    return value.strip() or None


def _url(value: str) -> str | None:
    if value.strip() and not re.match(r"https?://\S+$", value.strip()):
        raise ValueError("is expected to be an http(s):// address or empty.")
    return _optional(value)


def _date(value: str) -> date:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            raise ValueError
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError("is expected to be a date written YYYY-MM-DD, e.g. 2023-12-31.") from None


def _count(value: str) -> int:
    text = value.strip()
    if re.fullmatch(r"-[0-9]+", text):
        raise ValueError("is negative; a count is 0 or more.")
    if not re.fullmatch(r"[0-9]+", text):
        raise ValueError("is expected to be a whole number 0 or more, without separators (1297, not 1,297).")
    if exceeds(text, MAX_VALUE):
        raise ValueError(f"is more than {MAX_VALUE:,}, over three times the people of Indonesia; check the number.")
    return int(text)


def _choice(allowed: tuple[str, ...], default: str | None = None) -> Callable[[str], str]:
    def parse(value: str) -> str:
        text = value.strip().lower() or default
        if text not in allowed:
            raise ValueError(f"is expected to be in {list(allowed)}.")
        return text

    return parse


def _undotted_readings(code: str) -> str:
    """Return how a 4-digit code reads as an undotted Kemendagri code and as a BPS 2020 code ("" if neither)."""
    if not re.fullmatch(r"\d{4}", code):
        return ""
    names, dotted, bps = area_names(), f"{code[:2]}.{code[2:]}", _bps_codes().get(code)
    readings = [f"an undotted Kemendagri code, {dotted} ({names[dotted]})"] if dotted in names else []
    if isinstance(bps, str):
        readings.append(f"a BPS 2020 code, which the crosswalk makes Kemendagri {bps} ({names[bps]})")
    if not readings:
        return ""
    dotted_advice = f"; if it is Kemendagri, write it dotted ({dotted})" if dotted in names else ""
    return f" It could be {' or '.join(readings)}. If it is a BPS code, set code_system to bps2020{dotted_advice}."


def _kemendagri_code(code: str) -> str:
    names = area_names()
    if code in names:
        return code
    readings = _undotted_readings(code)
    close = ", ".join(f"{c} ({names[c]})" for c in get_close_matches(code, list(names), n=3, cutoff=0.7)) or "none"
    hint = readings or f" Close codes: {close}."
    raise ValueError(f'is not a Kemendagri code of a province, regency or district, nor "ID".{hint}')


def _bps_code(code: str) -> str:
    if code == COUNTRY_CODE:
        return code
    converted = _bps_codes().get(code)
    if converted is None:
        msg = "is not a BPS 2020 province (2-digit) or regency (4-digit) code in the crosswalk."
        raise ValueError(msg)
    if isinstance(converted, list):
        msg = f"is a BPS 2020 province split in 2022 into Kemendagri {converted}; give the figure per new province."
        raise ValueError(msg)
    return converted


_PARSERS = {
    "code_system": _choice(CODE_SYSTEMS, default="kemendagri"),
    "period_start": _date,
    "period_end": _date,
    "measure": _required("its measure: what is counted, e.g. 'police TPPO victims'"),
    "unit": _choice(UNITS),
    "value": _count,
    "source": _required("its source: the agency or report that published it, e.g. 'katongntt.com'"),
    "source_url": _url,
    "note": _optional,
}


def parse_row(raw: dict[str, str], row: int) -> tuple[dict[str, object], list[RowError]]:
    """Return the clean fields of one raw CSV row and its errors (clean lacks every bad field).

    ``area_code`` is converted to Kemendagri (from BPS 2020 through the crosswalk when
    ``code_system`` is ``bps2020``); ``source_area_code`` keeps it as written.
    """
    clean: dict[str, object] = {}
    errors: list[RowError] = []
    for field, parse in _PARSERS.items():
        try:
            clean[field] = parse(raw.get(field, ""))
        except ValueError as error:
            errors.append(RowError(row, field, raw.get(field, ""), str(error)))
    code = raw["area_code"].strip()
    clean["source_area_code"] = code
    if "code_system" in clean:
        try:
            to_kemendagri = _bps_code if clean["code_system"] == "bps2020" else _kemendagri_code
            clean["area_code"] = to_kemendagri(code.upper() if code.lower() == "id" else code)
        except ValueError as error:
            errors.append(RowError(row, "area_code", raw["area_code"], str(error)))
    start, end = clean.get("period_start"), clean.get("period_end")
    if isinstance(start, date) and isinstance(end, date) and end < start:
        errors.append(RowError(row, "period_end", raw["period_end"], f"is before period_start {start}."))
    return clean, errors
