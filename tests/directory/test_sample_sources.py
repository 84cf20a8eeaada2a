"""The embedded sample directory is researched data: every row links its source and its check date, and it all loads."""

from __future__ import annotations

import csv
import datetime as dt
import re

import pytest

import directory
from directory import io as directory_io
from directory.capabilities import CAPABILITIES
from geo import lookup

FILES = ("agencies", "abroad", "hotlines")
"""The three agency files of the sample: offices in Indonesia, missions abroad, hotlines; all are imported."""
PLACED = re.compile(r"Placed at the seat of [^(]+ \((\d\d\.\d\d)\), where the source says the office works\.")


def rows(name: str) -> list[dict[str, str]]:
    with (directory_io.default_dir() / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def every_row() -> list[tuple[str, dict[str, str]]]:
    return [(name, row) for name in FILES for row in rows(name)]


def test_every_row_links_its_source_and_says_when_it_was_checked():
    for name, row in every_row():
        assert re.fullmatch(r"https?://\S+", row["source_url"]), (name, row["id"], row["source_url"])
        assert row["source"].strip(), (name, row["id"])
        checked = dt.date.fromisoformat(row["verified_on"])  # ISO YYYY-MM-DD, else ValueError
        assert row["verified_on"] == checked.isoformat() and checked <= dt.date.today(), (name, row["id"])


def test_an_unconfirmed_office_always_says_why_in_its_notes():
    for name, row in every_row():
        assert row["existence_confirmed"] in ("true", "false"), (name, row["id"])
        if row["existence_confirmed"] == "false":
            assert row["notes"].strip(), (name, row["id"])


def test_ids_are_unique_across_the_three_files_and_there_are_enough_rows():
    ids = [row["id"] for _, row in every_row()]
    assert len(ids) == len(set(ids))
    assert len(ids) >= 250
    assert {row["location_precision"] for row in rows("abroad")} == {"abroad"}
    assert {row["agency_type"] for row in rows("hotlines")} == {"hotline"}
    assert list(rows("abroad")[0]) == list(directory.AGENCY_FIELDS)
    in_indonesia = [f for f in directory.AGENCY_FIELDS if f not in directory.PLACE_FIELDS]
    assert list(rows("hotlines")[0]) == in_indonesia == list(rows("agencies")[0])


def test_the_seeded_database_holds_every_row_of_agencies_csv(seeded_engine):
    stored = directory.agencies_frame(seeded_engine, include_retired=True).set_index("id")
    sample = rows("agencies")
    assert {row["id"] for row in sample} <= set(stored.index)
    for row in sample:
        agency = stored.loc[row["id"]]
        assert (agency["agency_type"], agency["area_code"]) == (row["agency_type"], row["area_code"])
        assert (agency["source_url"], str(agency["verified_on"])) == (row["source_url"], row["verified_on"])
        assert agency["existence_confirmed"] == (row["existence_confirmed"] == "true")


def test_offices_placed_in_another_town_lie_in_that_regency_and_in_their_area(seeded_engine):
    stored = directory.agencies_frame(seeded_engine, include_retired=True).set_index("id")
    placed = {row["id"]: PLACED.search(row["notes"]) for row in rows("agencies")}
    placed = {agency_id: match[1] for agency_id, match in placed.items() if match}
    assert {"bp3mi-kepri", "polda-kepri-ppa", "bp3mi-kaltara", "polda-kaltim-ppa", "polda-diy-ppa"} <= set(placed)
    for agency_id, code in placed.items():
        agency = stored.loc[agency_id]
        assert agency["location_precision"] == "regency_seat"
        assert lookup.locate(agency["lon"], agency["lat"], "regency")[0] == code, agency_id
        assert code.startswith(agency["area_code"]), agency_id  # the town is inside the area the office serves


@pytest.mark.parametrize(("name", "kind"), [("abroad", "abroad"), ("hotlines", "hotline")])
def test_missions_abroad_and_hotlines_are_stored_with_their_sources_but_never_routed_to(seeded_engine, name, kind):
    routed = set(directory.agencies_frame(seeded_engine, include_retired=True)["id"])
    remote = directory.remote_services_frame(seeded_engine, include_retired=True).set_index("id")
    sample = rows(name)
    assert {row["id"] for row in sample} <= set(remote.index)
    assert not {row["id"] for row in sample} & routed
    for row in sample:
        stored = remote.loc[row["id"]]
        assert stored["location_kind"] == kind
        assert (stored["source_url"], str(stored["verified_on"])) == (row["source_url"], row["verified_on"])
        assert stored["phone"] == (row["phone"] or None)
        assert stored["country"] == (row.get("country") or "ID")
        assert stored["city"] == (row.get("city") or None)
        assert stored["capabilities"] == [c for c in CAPABILITIES if c in row["capabilities"].split(";")]
