"""Rebuild the embedded sample directory from the researched staging files.

Usage (from the repository root; the seat table needs the data mirror)::

    RUJUK_DATA_MIRROR=/work/shared/data .venv/bin/python tools/merge_directory.py [STAGING_DIR]

Reads ``STAGING_DIR/*.csv`` (default ``/work/staging/directory``: national, uptd_province,
uptd_regency, police, legal_abroad) and writes, sorted by agency_type then id:

- ``directory/sample/agencies.csv``: every row the import can take (columns ``AGENCY_FIELDS``);
- ``directory/sample/abroad.csv``: rows with location_precision ``abroad`` (embassies and
  consulates; columns of legal_abroad.csv, with city and country), which the schema cannot hold yet;
- ``directory/sample/hotlines.csv``: rows of agency_type ``hotline`` (columns ``AGENCY_FIELDS``),
  which is not an agency type yet.

Every row must have an http(s) ``source_url`` and a ``verified_on`` date, and ids must be unique
across the files, or nothing is written. The output depends only on the staging files, so the
merge can be re-run after any staging edit.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from pathlib import Path

from directory.agencies import AGENCY_FIELDS
from geo import seats

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "directory" / "sample"
STAGING = Path("/work/staging/directory")
FILES = ("national.csv", "uptd_province.csv", "uptd_regency.csv", "police.csv", "legal_abroad.csv")
ABROAD_FIELDS = AGENCY_FIELDS  # city and country are agency fields since schema 4

PLACED_AT: dict[str, str] = {
    # BP3MI Kepri: its head receives visitors at the P4MI Batam office (AlurNews Nov 2025); 2026 news datelined Batam.
    "bp3mi-kepri": "21.71",
    # Polda Kepri: headquarters at Nongsa, Batam, not Tanjungpinang (Batam Pos 2026; gowest.id).
    "polda-kepri-ppa": "21.71",
    # RS Bhayangkara Kepri: in Batam, one of the visum hospitals of UPTD PPA Kota Batam (ANTARA Kepri 2024).
    "rs-bhayangkara-kepri": "21.71",
    # BP3MI Kaltara: works in Nunukan, the deportation hub (KemenP2MI news 2025-2026 datelined there; its shelter).
    "bp3mi-kaltara": "65.03",
    # Polda Kaltim: statements datelined Balikpapan, Kabid Humas interviewed in his office there (kotaku.co.id 2023).
    "polda-kaltim-ppa": "64.71",
    # RS Bhayangkara Kaltim: Polda Kaltim's hospital is in Balikpapan, like the Polda (Mediahumaspolri 2025).
    "rs-bhayangkara-kaltim": "64.71",
    # Polda DIY: headquarters on Jalan Lingkar Utara, Condong Catur, Sleman (SuaraJogja 2025).
    "polda-diy-ppa": "34.04",
    # BP3MI DIY: main office in Kalasan, Sleman (bp2mi.go.id 2025).
    "bp3mi-diy": "34.04",
    # RS Bhayangkara DIY: on Jalan Solo-Yogyakarta in Sleman (address column; the notes infer Sleman from the road).
    "rs-bhayangkara-diy": "34.04",
    # Polda Metro Jaya: headquarters at Jl. Jenderal Sudirman / Gatot Subroto, Jakarta Selatan (Kompas 2025).
    "polda-dki-ppa": "31.74",
    # RS Polri Kramat Jati: in Kramat Jati, Jakarta Timur (its notes and name).
    "rs-polri-kramat-jati-ppt": "31.75",
    # RS Bhayangkara Kalsel: in Banjarmasin; the province's seat point lies in Banjarbaru, the capital since 2022.
    "rs-bhayangkara-kalsel": "63.71",
    # Polda Papua Barat Daya: headquarters at Jalan Sandiwo, Aimas, Kabupaten Sorong (Sorong Today 2025).
    "polda-papbd-ppa": "96.01",
    # RS Bhayangkara Papua Tengah: opened 2024 at Jalan Agimuga Mile 32, Mimika (Timika), not in Nabire (beritamimika).
    "rs-bhayangkara-papteng": "94.04",
}
"""Rows without coordinates whose office is not at the seat of their area_code: id -> regency code of the town
where the source says it works. (Polda Malut is absent on purpose: the seat of province 82 is Sofifi already.)"""

_WEB = re.compile(r"https?://\S+")


def read_staging(folder: Path) -> list[dict[str, str]]:
    """Return the rows of every staging file, checking source_url, verified_on and unique ids."""
    rows, seen, problems = [], set(), []
    for name in FILES:
        with (folder / name).open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                row = {key: (value or "").strip() for key, value in row.items()}
                if not _WEB.fullmatch(row["source_url"]):
                    problems.append(f"{name} {row['id']}: source_url {row['source_url']!r} is not an http(s) address")
                try:
                    dt.date.fromisoformat(row["verified_on"])
                except ValueError:
                    problems.append(f"{name} {row['id']}: verified_on {row['verified_on']!r} is not a date")
                if row["id"] in seen:
                    problems.append(f"{name} {row['id']}: id repeats")
                seen.add(row["id"])
                rows.append(row)
    if problems:
        sys.exit("Nothing written:\n" + "\n".join(problems))
    return rows


def target(row: dict[str, str]) -> str:
    """Return the file of a row: abroad.csv (missions abroad), hotlines.csv (lines to call) or agencies.csv."""
    if row["location_precision"] == "abroad":
        return "abroad.csv"
    return "hotlines.csv" if row["agency_type"] == "hotline" else "agencies.csv"


def place(row: dict[str, str], names: dict[str, str]) -> dict[str, str]:
    """Fill lon/lat of a row of :data:`PLACED_AT` with the seat of its town and say so in its notes."""
    code = PLACED_AT.get(row["id"])
    if code is None:
        return row
    if row["lon"] or row["lat"] or row["location_precision"] != "regency_seat":
        sys.exit(f"{row['id']}: PLACED_AT is only for regency_seat rows without coordinates; remove it.")
    lon, lat = seats.seat_point(code)
    note = f"Placed at the seat of {names[code]} ({code}), where the source says the office works."
    notes = f"{row['notes']} {note}".strip()
    return {**row, "lon": str(round(lon, 6)), "lat": str(round(lat, 6)), "notes": notes}


def write(path: Path, fields: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    """Write `rows` (only `fields`) sorted by agency_type then id."""
    ordered = sorted(rows, key=lambda row: (row["agency_type"], row["id"]))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(ordered)
    print(f"{path.relative_to(ROOT)}: {len(ordered)} rows")


def main(folder: Path = STAGING) -> None:
    rows = read_staging(folder)
    unknown = sorted(set(PLACED_AT) - {row["id"] for row in rows})
    if unknown:
        sys.exit(f"PLACED_AT names ids that no staging row has: {unknown}")
    names = seats.load_seats().set_index("code")["area_name"].to_dict()
    files: dict[str, list[dict[str, str]]] = {"agencies.csv": [], "abroad.csv": [], "hotlines.csv": []}
    for row in rows:
        files[target(row)].append(row)
    strays = [row["id"] for row in rows if target(row) != "abroad.csv" and row.get("country") not in (None, "", "ID")]
    if strays:
        sys.exit(f"a country other than ID on rows that are not abroad: {strays}")
    write(SAMPLE / "agencies.csv", AGENCY_FIELDS, [place(row, names) for row in files["agencies.csv"]])
    write(SAMPLE / "abroad.csv", ABROAD_FIELDS, files["abroad.csv"])
    hotlines = [{**row, "location_precision": "none", "lon": "", "lat": ""} for row in files["hotlines.csv"]]
    write(SAMPLE / "hotlines.csv", AGENCY_FIELDS, hotlines)  # a hotline has no place


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else STAGING)
