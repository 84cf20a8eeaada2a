"""Imports refuse numbers and texts the database cannot hold, and agreements that end before they are signed."""

from __future__ import annotations

import pytest
from csv_rows import agency_row, write_csv

import cases
import directory
from cases.figures import CaseFigure
from core import db
from core.errors import ImportRejectedError
from directory import io as directory_io
from directory._checks import MAX_CAPACITY

HUGE = "99999999999999999999"  # more than SQLite's 64-bit INTEGER: an OverflowError when written


def agency(**changes: str) -> dict[str, str]:
    fields = {
        "id": "uptd-ppa-uji",
        "name": "UPTD PPA Uji",
        "agency_type": "uptd_ppa",
        "jurisdiction_level": "regency",
        "area_code": "53.71",
        "capabilities": "shelter",
        "location_precision": "regency_seat",
        "source": "test",
    }
    return agency_row(**{**fields, **changes})


def figure(**changes: str) -> dict[str, str]:
    row = {
        "area_code": "53.71",
        "period_start": "2023-01-01",
        "period_end": "2023-12-31",
        "measure": "police TPPO victims",
        "unit": "victims",
        "value": "12",
        "source": "test",
        "source_url": "",
    }
    return {**row, **changes}


def errors(caught) -> list[tuple[int, str]]:
    return [(error.row, error.field) for error in caught.value.errors]


def test_a_huge_capacity_is_a_row_error_not_an_overflow(engine, tmp_path):
    more_digits_than_python_converts = "9" * 5000
    rows = [
        agency(id=f"uptd-ppa-uji-{i}", capacity=capacity)
        for i, capacity in enumerate([HUGE, str(MAX_CAPACITY + 1), more_digits_than_python_converts])
    ]
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", rows))
    assert errors(caught) == [(1, "capacity"), (2, "capacity"), (3, "capacity")]
    assert "is more than 100,000" in caught.value.errors[0].message
    report = directory_io.import_agencies(engine, write_csv(tmp_path / "b.csv", [agency(capacity=str(MAX_CAPACITY))]))
    assert report["added"] == 1


def test_a_text_longer_than_its_column_is_a_row_error_naming_the_length_and_the_limit(engine, tmp_path):
    limit = directory.ServiceLocation.__table__.c.organization_id.type.length
    too_long = "o" * (limit + 1)
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, write_csv(tmp_path / "a.csv", [agency(organization_id=too_long)]))
    [error] = caught.value.errors
    assert (error.row, error.field) == (1, "organization_id")
    assert f"is {limit + 1} characters long but the column agencies.organization_id holds at most {limit}" in (
        error.message
    )
    directory_io.import_agencies(engine, write_csv(tmp_path / "b.csv", [agency(organization_id="o" * limit)]))


def test_every_sized_column_is_read_from_the_models():
    assert db.column_lengths(CaseFigure) == {
        "area_code": 13,
        "code_system": 12,
        "source_area_code": 13,
        "measure": 120,
        "unit": 20,
        "source": 200,
        "source_url": 500,
    }
    assert "notes" not in db.column_lengths(directory.ServiceLocation)  # Text: no limit


def test_case_texts_must_fit_their_columns(engine, tmp_path):
    rows = [
        figure(measure="m" * 121),
        figure(source="s" * 201),
        figure(source_url="https://example.org/" + "p" * 481),
        figure(measure="m" * 120, source="s" * 200, source_url="https://example.org/" + "p" * 480),
    ]
    with pytest.raises(ImportRejectedError) as caught:
        cases.import_csv(engine, write_csv(tmp_path / "f.csv", rows))
    assert errors(caught) == [(1, "measure"), (2, "source"), (3, "source_url")]
    first = caught.value.errors[0].message
    assert "is 121 characters long" in first and "holds at most 120" in first
    assert cases.import_csv(engine, write_csv(tmp_path / "g.csv", rows[3:])) == 1


def test_a_huge_case_value_is_a_row_error(engine, tmp_path):
    rows = [figure(value=HUGE), figure(value=str(10**9 + 1), source="b"), figure(value=str(10**9), source="c")]
    with pytest.raises(ImportRejectedError) as caught:
        cases.import_csv(engine, write_csv(tmp_path / "f.csv", rows))
    assert errors(caught) == [(1, "value"), (2, "value")]
    assert "is more than 1,000,000,000" in caught.value.errors[0].message
    assert cases.import_csv(engine, write_csv(tmp_path / "g.csv", rows[2:])) == 1


def test_an_agreement_that_ends_before_it_is_signed_is_a_row_error(engine, tmp_path):
    row = {
        "id": "pks-uji",
        "area_a": "64.02",
        "area_b": "64.09",
        "capabilities": "legal_aid",
        "signed_on": "2024-07-17",
        "ended_on": "2024-07-16",
        "title": "PKS uji",
        "source": "test",
    }
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agreements(engine, write_csv(tmp_path / "a.csv", [row]))
    [error] = caught.value.errors
    assert (error.row, error.field, error.value) == (1, "ended_on", "2024-07-16")
    assert "is before signed_on 2024-07-17" in error.message
    row["ended_on"] = "2024-07-17"
    assert directory_io.import_agreements(engine, write_csv(tmp_path / "b.csv", [row]))["added"] == 1
