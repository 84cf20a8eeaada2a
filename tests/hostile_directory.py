"""A copy of the seeded database with a hostile agency, a confidential safe house and signed-up users.

Shared by the page tests (Flask test client) and the browser tests (real Chromium): the
hostile agency's texts are script payloads that must show as text, the safe house has a
point of its own that must never reach a public page, response or log.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sqlalchemy import Engine

import directory
from accounts import users
from directory import io as directory_io

PASSWORD = "kopi tubruk 1945"
HOSTILE = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"]
SAFE_HOUSE = {"lon": "123.58765", "lat": "-10.16543", "address": "Jl. Rahasia 7, Kupang"}
USERS = {"eko.editor": "editor", "citra.caseworker": "caseworker"}


def rows() -> list[dict[str, str]]:
    """A hostile agency and a confidential safe house with a point of its own, both in Kota Kupang."""
    common = {
        "organization_id": "test-org",
        "organization_name": "Test org",
        "agency_type": "ngo",
        "jurisdiction_level": "regency",
        "area_code": "53.71",
        "location_precision": "exact",
    }
    hostile = {
        **common,
        "id": "hostile",
        "name": HOSTILE[0],
        "address": HOSTILE[1],
        "notes": HOSTILE[1],
        "phone": HOSTILE[0],
        "capabilities": "shelter",
        "lon": "123.60012",
        "lat": "-10.17890",
        "source": HOSTILE[1],
    }
    safe = {
        **common,
        "id": "test-safe-house",
        "name": "Rumah Aman Uji",
        "agency_type": "shelter",
        "capabilities": "shelter;psychological",
        "confidential": "true",
        "source": "test",
        **SAFE_HOUSE,
    }
    return [hostile, safe]


def safe_house_traces(text: str) -> list[str]:
    """Return the safe house's point (as a coordinate pair, either order) or address found in `text`.

    Four decimals (about 10 m) of both coordinates close together count: a lone number
    such as "123.587" also occurs in the boundary polygons around Kupang.
    """
    lon, lat = (re.escape(SAFE_HOUSE[key][:8]).replace(r"\.", "[.,]") for key in ("lon", "lat"))
    pair = re.compile(rf"{lon}\d*\D{{1,40}}?{lat}|{lat}\d*\D{{1,40}}?{lon}")
    return [match.group() for match in pair.finditer(text)] + [SAFE_HOUSE["address"]] * (SAFE_HOUSE["address"] in text)


def make_engine(engine: Engine, folder: Path) -> Engine:
    """Import :func:`rows` into `engine` (a copy of the seeded database) from a CSV file in `folder`, add the users."""
    path = folder / "extra.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(directory.AGENCY_FIELDS), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows())
    directory_io.import_agencies(engine, path)
    for name, role in USERS.items():
        users.create_user(engine, name, PASSWORD, role)
    return engine
