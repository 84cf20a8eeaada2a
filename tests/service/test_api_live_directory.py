"""Referrals follow the database, however it was changed: a running server never answers from a stale directory.

Each test runs the Flask app on its own copy of the seeded SQLite database and changes
the directory as ``rujuk agencies import`` does (:func:`directory.io.import_agencies`
on a CSV file), never through the API or the pages.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from accounts import users
from directory import io as directory_io
from geo import lookup
from routing.referral import Referrer

TENGGARONG = "/api/v1/referrals?at=Tenggarong&needs=psychological&k=20"
SAFE_POINT = {"lon": "116.95123", "lat": "-0.35456"}
"""A point of its own for the Kutai Kartanegara unit once it is a safe house (inside the regency)."""
CONTACT = {"phone": "+62 541 700 123", "email": "rumah.aman@example.org"}
SATURDAY = dt.date(2025, 6, 7)


@pytest.fixture
def live(live_app):
    """A copy of the seeded database and a Flask app serving it: ``(engine, app)``."""
    app, engine = live_app
    return engine, app


def _import_changes(engine, folder, changes: dict[str, dict[str, str]]) -> None:
    """Export the agencies of `changes` in full, change their fields and import the file (upsert)."""
    full = folder / "full.csv"
    directory_io.export_agencies(engine, full, public=False, include_retired=True)
    with full.open(encoding="utf-8", newline="") as handle:
        rows = [row | changes[row["id"]] for row in csv.DictReader(handle) if row["id"] in changes]
    assert len(rows) == len(changes)
    path = folder / "changes.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    directory_io.import_agencies(engine, path)


def _by_id(answer: dict) -> dict[str, dict]:
    return {candidate["id"]: candidate for candidate in answer["candidates"]}


def _make_kukar_a_safe_house(engine, folder) -> None:
    assert lookup.locate([float(SAFE_POINT["lon"])], [float(SAFE_POINT["lat"])], "regency") == ["64.02"]
    safe = {"confidential": "true", "location_precision": "exact", **SAFE_POINT, **CONTACT}
    retired = {"retired_on": dt.date.today().isoformat()}
    _import_changes(engine, folder, {"uptd-ppa-kukar": safe, "uptd-ppa-ppu": retired})


def _caseworker(engine) -> dict[str, str]:
    users.create_user(engine, "citra", "kopi tubruk 1945", "caseworker")
    return {"Authorization": f"Bearer {users.create_token(engine, 'citra', 'tests')}"}


def test_an_import_outside_the_server_reaches_the_next_anonymous_referral(live, tmp_path):
    engine, app = live
    client = app.test_client()
    before = _by_id(client.get(TENGGARONG).json)
    assert before["uptd-ppa-kukar"]["redacted"] is False and before["uptd-ppa-kukar"]["route"] is not None
    assert "uptd-ppa-ppu" in before
    page_before = client.get("/referral?at=Tenggarong&needs=psychological&lang=en").get_data(as_text=True)
    assert "UPTD PPA Kabupaten Penajam Paser Utara" in page_before
    _make_kukar_a_safe_house(engine, tmp_path)
    answer = client.get(TENGGARONG)
    text, after = answer.get_data(as_text=True), _by_id(answer.json)
    unit = after["uptd-ppa-kukar"]
    assert unit["confidential"] is True and unit["redacted"] is True and unit["route"] is None
    assert unit["location_precision"] == "approximate"
    assert SAFE_POINT["lon"][:8] not in text and SAFE_POINT["lat"][:7] not in text
    assert "uptd-ppa-ppu" not in text  # retired: neither a candidate nor in the best set or escalation
    page_after = client.get("/referral?at=Tenggarong&needs=psychological&lang=en").get_data(as_text=True)
    assert "UPTD PPA Kabupaten Penajam Paser Utara" not in page_after and SAFE_POINT["lon"][:8] not in page_after
    exact = _by_id(client.get(TENGGARONG, headers=_caseworker(engine)).json)["uptd-ppa-kukar"]
    assert exact["redacted"] is False and exact["location"] == {"lon": 116.95123, "lat": -0.35456}


def test_a_public_referral_carries_no_contact_of_a_confidential_agency(live, tmp_path):
    engine, app = live
    client = app.test_client()
    _make_kukar_a_safe_house(engine, tmp_path)
    public = client.get(TENGGARONG)
    contact = _by_id(public.json)["uptd-ppa-kukar"]["contact"]
    assert contact == {"phone": None, "email": None, "website": None, "address": None}
    assert not [value for value in CONTACT.values() if value in public.get_data(as_text=True)]
    exact = _by_id(client.get(TENGGARONG, headers=_caseworker(engine)).json)["uptd-ppa-kukar"]
    assert {key: exact["contact"][key] for key in CONTACT} == CONTACT


def _store_opening_hours(engine, folder) -> None:
    """Give two Kalimantan Timur units opening hours in the database; every other agency has none."""
    _import_changes(
        engine,
        folder,
        {
            "uptd-ppa-kukar": {"opening_hours": "Mo-Fr 08:00-16:00"},
            "uptd-ppa-kaltim": {"opening_hours": "Mo-Sa 08:00-12:00"},
        },
    )


def test_opening_hours_stored_for_some_agencies_filter_a_referral_on_a_date(live, tmp_path):
    engine, _ = live
    _store_opening_hours(engine, tmp_path)
    referrer = Referrer.from_engine(engine)
    saturday = _by_id(referrer.refer("Tenggarong", ["psychological"], k=20, on=SATURDAY).as_dict())
    assert "uptd-ppa-kukar" not in saturday  # closed on Saturdays
    assert saturday["uptd-ppa-kaltim"]["opening_hours"] == "Mo-Sa 08:00-12:00"
    assert saturday["uptd-ppa-samarinda"]["opening_hours"] is None  # no hours: unknown, never left out
    monday = _by_id(referrer.refer("Tenggarong", ["psychological"], k=20, on=SATURDAY + dt.timedelta(days=2)).as_dict())
    assert "uptd-ppa-kukar" in monday


def test_the_api_answers_a_referral_on_a_date_once_hours_are_stored(live, tmp_path):
    engine, app = live
    _store_opening_hours(engine, tmp_path)
    answer = app.test_client().get(TENGGARONG + f"&on={SATURDAY.isoformat()}")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    found = _by_id(answer.json)
    assert "uptd-ppa-kukar" not in found and "uptd-ppa-kaltim" in found
    assert answer.json["limits"]["on"] is not None
