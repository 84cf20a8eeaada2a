"""The directory store: vocabularies, queries, retirement, agreements and the public view of confidential agencies."""

from __future__ import annotations

import csv
import datetime as dt

import pandas as pd
import pytest
from csv_rows import agency_row, write_csv

import directory
from core.db import session_scope
from core.errors import InputError, NotFoundError
from directory import capabilities
from directory import io as directory_io
from geo import lookup, seats

SHELTER = "kemensos-rptc-bambu-apus"


def _sample_rows() -> list[dict[str, str]]:
    with (directory_io.default_dir() / "agencies.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def seeded(engine):
    directory_io.seed_default(engine)
    return engine


def test_every_code_has_labels_in_both_languages():
    assert len(capabilities.CAPABILITIES) == 13
    for vocabulary in capabilities.VOCABULARIES.values():
        for code, term in vocabulary.items():
            assert term.code == code and term.en and term.id and term.en != code
    for term in capabilities.CAPABILITIES.values():
        assert term.description_en and term.description_id
    assert capabilities.labels("capability", "id")["shelter"] == "Rumah aman"


def test_unknown_capability_names_the_close_match_and_the_allowed_codes():
    with pytest.raises(InputError, match="Did you mean 'legal_aid'") as caught:
        capabilities.check("capability", "legal aid")
    assert caught.value.field == "capability" and "witness_protection" in str(caught.value)
    assert capabilities.check_capabilities("shelter; medical;shelter") == ["shelter", "medical"]
    with pytest.raises(InputError, match="empty"):
        capabilities.check_capabilities(" ; ")


def test_list_agencies_filters_by_capability_area_and_type(seeded):
    with session_scope(seeded) as session:
        shelters = {a.id for a in directory.list_agencies(session, capability="shelter", area_code="64")}
        police = directory.list_agencies(session, agency_type="police_ppa")
        with pytest.raises(InputError, match="shelter"):
            directory.list_agencies(session, capability="shelters")
    assert {"uptd-ppa-kaltim", "uptd-ppa-kukar", "uptd-ppa-balikpapan"} <= shelters
    assert "uptd-ppa-ppu" not in shelters and "uptd-ppa-jabar" not in shelters
    assert len(police) == sum(row["agency_type"] == "police_ppa" for row in _sample_rows())


def test_get_agency_with_an_unknown_id_lists_close_ids(seeded):
    with session_scope(seeded) as session:
        assert directory.get_agency(session, "lpsk-ntt").area_code == "53.71"
        with pytest.raises(NotFoundError, match="lpsk-ntt"):
            directory.get_agency(session, "lpsk-nt")


def test_retired_agency_leaves_the_active_lists_but_is_kept(seeded):
    with session_scope(seeded) as session:
        directory.retire_agency(session, "uptd-ppa-kukar", on=dt.date(2025, 1, 1))
        directory.retire_agency(session, "uptd-ppa-paser", on=dt.date.today() + dt.timedelta(days=30))
    active = set(directory.agencies_frame(seeded)["id"])
    assert "uptd-ppa-kukar" not in active and "uptd-ppa-paser" in active  # a future closure is still open
    assert "uptd-ppa-kukar" in set(directory.agencies_frame(seeded, include_retired=True)["id"])
    with session_scope(seeded) as session:
        assert directory.get_agency(session, "uptd-ppa-kukar").retired_on == dt.date(2025, 1, 1)
        assert "uptd-ppa-kukar" not in {a.id for a in directory.list_agencies(session, area_code="64.02")}


def test_agreements_are_listed_for_their_areas_and_those_containing_them(seeded):
    with session_scope(seeded) as session:
        assert [a.id for a in directory.list_agreements(session, "64.09")] == ["pks-kukar-ppu-2024"]
        assert len(directory.list_agreements(session, "64")) == 4
        assert [a.id for a in directory.list_agreements(session, "32")] == ["ks-kaltim-jabar"]
        session.get(directory.Agreement, "ks-kaltim-jabar").ended_on = dt.date(2025, 1, 1)
    assert "ks-kaltim-jabar" not in set(directory.agreements_frame(seeded)["id"])
    assert "ks-kaltim-jabar" in set(directory.agreements_frame(seeded, include_ended=True)["id"])


def test_agencies_frame_has_a_capabilities_list_and_true_points(seeded):
    frame = directory.agencies_frame(seeded).set_index("id")
    assert frame.crs.to_epsg() == 4326
    ntt = frame.loc["lpsk-ntt"]
    [row] = [row for row in _sample_rows() if row["id"] == "lpsk-ntt"]
    stated = set(row["capabilities"].split(";"))
    assert ntt["capabilities"] == [code for code in capabilities.CAPABILITIES if code in stated]  # vocabulary order
    assert row["location_precision"] == "regency_seat" and not row["lon"]  # its true point is the seat of 53.71
    assert (ntt.geometry.x, ntt.geometry.y) == pytest.approx(seats.seat_point("53.71"))


def test_public_view_moves_a_confidential_point_within_its_regency(seeded):
    frame = directory.agencies_frame(seeded)
    frame.loc[frame["id"] == SHELTER, "address"] = "Jl. Rahasia 1"
    view = directory.public_view(frame).set_index("id")
    true = frame.set_index("id").loc[SHELTER]
    shown = view.loc[SHELTER]
    assert shown["redacted"] and pd.isna(shown["address"]) and shown["location_precision"] == "approximate"
    assert (shown["lon"], shown["lat"]) != (true["lon"], true["lat"])
    assert (shown.geometry.x, shown.geometry.y) == (shown["lon"], shown["lat"])
    assert lookup.locate(shown["lon"], shown["lat"], "regency")[0] == "31.75"
    secret = list(frame.loc[frame["confidential"], "id"])
    assert view.loc[secret, "redacted"].all()
    public = view.drop(index=secret)
    assert not public["redacted"].any()
    assert public.drop(columns="redacted").equals(frame.set_index("id").drop(index=secret))


def test_public_view_shows_everything_to_the_authorised_or_drops_the_confidential(seeded):
    frame = directory.agencies_frame(seeded)
    authorised = directory.public_view(frame, authorised=True)
    assert authorised.drop(columns="redacted").equals(frame) and not authorised["redacted"].any()
    dropped = directory.public_view(frame, drop_confidential=True)
    assert SHELTER not in set(dropped["id"]) and len(dropped) == len(frame) - frame["confidential"].sum()
    assert not dropped["confidential"].any()


def test_public_view_and_public_exports_hide_every_contact_and_free_text_of_a_safe_house(engine, tmp_path):
    rows = [
        agency_row(
            id="rumah-aman-uji",
            name="Rumah Aman Uji",
            agency_type="shelter",
            jurisdiction_level="regency",
            area_code="53.71",
            capabilities="shelter",
            lon="123.58765",
            lat="-10.16543",
            location_precision="exact",
            confidential="true",
            source="test",
            address="Jl. Mawar 3",
            phone="+62 812 5555 0199",
            email="rumah.aman@example.org",
            website="https://rumah-aman.example",
            opening_hours="24/7, ring at the green gate",
            capacity="12",
            notes="near Jl. Rahasia",
            source_url="https://news.example/rumah-aman-di-jl-rahasia",
            existence_confirmed="true",
        )
    ]
    directory_io.import_agencies(engine, write_csv(tmp_path / "safe.csv", rows))
    secrets = ["Mawar", "5555", "rumah.aman@", "rumah-aman.example", "green gate", "Rahasia", "news.example"]
    frame = directory.agencies_frame(engine)
    shown = directory.public_view(frame).iloc[0]
    assert shown["redacted"] and not any(secret in str(value) for secret in secrets for value in shown.to_list())
    assert pd.isna(shown["capacity"]) and (shown["name"], shown["organization_name"]) == ("Rumah Aman Uji",) * 2
    assert (shown["capabilities"], shown["area_code"], shown["source"]) == (["shelter"], "53.71", "test")
    for fmt in ("csv", "geojson"):
        public = directory_io.export_agencies(engine, fmt=fmt, public=True)
        assert "Rumah Aman Uji" in public and [s for s in secrets if s in public] == []
        full = directory_io.export_agencies(engine, fmt=fmt, public=False)
        assert [s for s in secrets if s not in full] == []
    authorised = directory.public_view(frame, authorised=True).iloc[0]
    assert (authorised["notes"], authorised["phone"], authorised["email"]) == (
        "near Jl. Rahasia",
        "+62 812 5555 0199",
        "rumah.aman@example.org",
    )
