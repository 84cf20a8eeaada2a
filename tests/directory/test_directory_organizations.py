"""One agency's row never rewrites the organization it shares with other agencies (directory._checks)."""

from __future__ import annotations

import csv

import pytest
from csv_rows import agency_row, write_csv

import directory
from core.errors import ImportRejectedError
from directory import io as directory_io

LPSK = "Lembaga Perlindungan Saksi dan Korban (LPSK)"
LPSK_WEBSITE = "https://www.lpsk.go.id"
LPSK_OFFICES = {"lpsk-pusat", "lpsk-diy", "lpsk-sumut", "lpsk-jatim", "lpsk-jateng", "lpsk-ntt"}


@pytest.fixture
def seeded_copy(seeded_engine, copy_database):
    """A copy of the seeded database (the sample directory), so each test may write to it."""
    return copy_database(seeded_engine, "organizations")


def full_export(engine, tmp_path) -> list[dict[str, str]]:
    path = tmp_path / "full.csv"
    directory_io.export_agencies(engine, path, public=False, include_retired=True)
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def new_lpsk_office(**changes: str) -> dict[str, str]:
    """A new LPSK office in Kota Kupang, as an editor would POST it."""
    row = agency_row(
        id="lpsk-kupang-2",
        name="LPSK Pos Kupang",
        organization_id="lpsk",
        agency_type="lpsk",
        jurisdiction_level="national",
        area_code="53.71",
        capabilities="witness_protection",
        location_precision="regency_seat",
        source="test",
    )
    return {**row, **changes}


def organizations(engine) -> dict[str, tuple[str, str | None]]:
    """Per LPSK office, the organization name and website it shows."""
    frame = directory.agencies_frame(engine, include_retired=True).set_index("id")
    lpsk = frame[frame["organization_id"] == "lpsk"]
    return {i: (row["organization_name"], row["website"]) for i, row in lpsk.iterrows()}


def test_a_new_agency_with_another_organization_name_is_a_row_error_and_changes_nothing(seeded_copy, tmp_path):
    before = organizations(seeded_copy)
    assert set(before) == LPSK_OFFICES and set(before.values()) == {(LPSK, LPSK_WEBSITE)}
    path = write_csv(tmp_path / "one.csv", [new_lpsk_office(organization_name="LPSK RI")])
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(seeded_copy, path, source="request body")  # as the API's POST writes it
    assert str(caught.value).startswith("request body was rejected with 1 row error(s)")
    [error] = caught.value.errors
    assert (error.row, error.field, error.value) == (1, "organization_name", "LPSK RI")
    assert f"organization 'lpsk' is named {LPSK!r} in the directory; give that name" in error.message
    assert "leave organization_name empty to keep it" in error.message and "lpsk-ntt" in error.message
    assert organizations(seeded_copy) == before


def test_a_blank_organization_name_and_website_keep_the_stored_ones(seeded_copy, tmp_path):
    # A PATCH that sets organization_name to null, or a POST without a website, reaches the importer as blanks.
    rows = [new_lpsk_office()]
    ntt = next(row for row in full_export(seeded_copy, tmp_path) if row["id"] == "lpsk-ntt")
    rows.append({**ntt, "organization_name": "", "website": "", "phone": "0380 123"})
    report = directory_io.import_agencies(seeded_copy, write_csv(tmp_path / "blank.csv", rows))
    assert report == {"added": 1, "updated": 1, "retired": 0, "warnings": []}
    after = organizations(seeded_copy)
    assert set(after) == LPSK_OFFICES | {"lpsk-kupang-2"} and set(after.values()) == {(LPSK, LPSK_WEBSITE)}


def test_another_website_is_a_row_error_naming_the_stored_one(seeded_copy, tmp_path):
    path = write_csv(tmp_path / "web.csv", [new_lpsk_office(organization_name=LPSK, website="https://lpsk.example")])
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(seeded_copy, path)
    [error] = caught.value.errors
    assert (error.row, error.field) == (1, "website") and f"has the website {LPSK_WEBSITE!r}" in error.message


def test_a_rename_needs_every_agency_of_the_organization_in_the_file(seeded_copy, tmp_path):
    rows = full_export(seeded_copy, tmp_path)
    for row in rows:
        if row["organization_id"] == "lpsk":
            row["organization_name"], row["website"] = "LPSK RI", "https://lpsk.example"
    partial = write_csv(tmp_path / "partial.csv", [row for row in rows if row["id"] != "lpsk-jateng"])
    for mode in ("upsert", "replace"):
        with pytest.raises(ImportRejectedError) as caught:
            directory_io.import_agencies(seeded_copy, partial, mode=mode)
        assert [e.field for e in caught.value.errors] == ["organization_name", "website"]
        # six offices and the LPSK hotline (hotlines.csv) are the organization's agencies
        assert "all 7 of them (missing: lpsk-jateng)" in caught.value.errors[0].message
    assert set(organizations(seeded_copy).values()) == {(LPSK, LPSK_WEBSITE)}
    # the whole edited export speaks for every office: the organization is renamed, in upsert mode too
    assert directory_io.import_agencies(seeded_copy, write_csv(tmp_path / "all.csv", rows))["updated"] == len(rows)
    assert set(organizations(seeded_copy).values()) == {("LPSK RI", "https://lpsk.example")}
    # an agency that is its own organization renames it with its one row (as a PUT through the API does)
    [aceh] = [row for row in rows if row["id"] == "uptd-ppa-aceh"]
    assert organizations_of(seeded_copy, aceh["organization_id"]) == {"uptd-ppa-aceh"}
    aceh.update(organization_name="DP3A Aceh", website="https://dp3a.acehprov.go.id")
    directory_io.import_agencies(seeded_copy, write_csv(tmp_path / "aceh.csv", [aceh]))
    frame = directory.agencies_frame(seeded_copy).set_index("id")
    assert tuple(frame.loc["uptd-ppa-aceh", ["organization_name", "website"]]) == ("DP3A Aceh", aceh["website"])


def organizations_of(engine, org_id: str) -> set[str]:
    frame = directory.agencies_frame(engine, include_retired=True)
    return set(frame.loc[frame["organization_id"] == org_id, "id"])


def test_rows_of_one_organization_in_a_file_must_agree_but_may_leave_it_blank(engine, tmp_path):
    rows = [
        new_lpsk_office(
            id=f"ngo-{i}",
            organization_id="ngo-x",
            organization_name=name,
            agency_type="ngo",
            jurisdiction_level="regency",
        )
        for i, name in enumerate(["Yayasan X", "", "Yayasan Y"])
    ]
    with pytest.raises(ImportRejectedError) as caught:
        directory_io.import_agencies(engine, write_csv(tmp_path / "x.csv", rows))
    [error] = caught.value.errors
    assert (error.row, error.field, error.value) == (3, "organization_name", "Yayasan Y")
    assert "differs from 'Yayasan X' in row 1" in error.message
    directory_io.import_agencies(engine, write_csv(tmp_path / "ok.csv", rows[:2]))
    names = directory.agencies_frame(engine).set_index("id")["organization_name"]
    assert names.to_dict() == {"ngo-0": "Yayasan X", "ngo-1": "Yayasan X"}
