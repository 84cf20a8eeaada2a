"""Referral on the real boundaries, the sample directory in SQLite and the real road networks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from geo import directory, settings
from geo._errors import InputError, NotFoundError
from routing.referral import Referrer, parse_hours, road_network


def _by_id(referral):
    return {candidate["id"]: candidate for candidate in referral.candidates}


def test_tenggarong_psychological_help_shows_every_jurisdiction_rule(referrer):
    referral = referrer.refer("Tenggarong", ["psychological"], k=10)
    found = _by_id(referral)
    assert referral.origin.regency_code == "64.02"
    assert found["uptd-ppa-kukar"]["jurisdiction"] == "own_area"
    assert found["uptd-ppa-ppu"]["jurisdiction"] == "agreement"
    assert found["uptd-ppa-kaltim"]["jurisdiction"] == "provincial"
    city_units = [found[i] for i in ("uptd-ppa-samarinda", "uptd-ppa-balikpapan") if i in found]
    assert city_units and all(c["jurisdiction"] == "cross_border" and c["coordination_needed"] for c in city_units)
    times = [c["travel_time_h"] for c in referral.candidates]
    assert times == sorted(times) and len(times) == 10


def test_agreement_covers_only_the_help_it_names(referrer):
    # The Kukar-PPU PKS covers psychological, legal and medical help, not intake.
    found = _by_id(referrer.refer("Tenggarong", ["intake"], k=20))
    assert found["uptd-ppa-ppu"]["jurisdiction"] == "cross_border"


def test_province_agreement_lets_the_kaltim_unit_take_a_case_from_jawa_barat(referrer):
    found = _by_id(referrer.refer("32.73", ["shelter"], k=100))
    assert found["uptd-ppa-kaltim"]["jurisdiction"] == "agreement"
    assert found["uptd-ppa-jabar"]["jurisdiction"] == "provincial"


def test_kalabahi_witness_protection_goes_by_sea_to_kupang(referrer):
    referral = referrer.refer("Kalabahi", ["witness_protection"], k=3)
    first = referral.candidates[0]
    assert first["id"] == "lpsk-ntt"
    assert first["jurisdiction"] == "national"
    assert first["is_estimate"] and first["model"] == "estimated"
    assert first["sea_legs"] >= 1 and "sea" in [leg["mode"] for leg in first["legs"]]
    assert first["travel_time_h"] > settings.ferry_wait_h
    assert sum(leg["time_h"] for leg in first["legs"]) == pytest.approx(first["travel_time_h"], abs=0.01)
    assert first["route"]["type"] == "LineString"


def test_balikpapan_referral_uses_the_road_network(referrer):
    at = (116.84, -1.265)
    referral = referrer.refer(at, ["psychological"], k=3)
    unit = _by_id(referral)["uptd-ppa-balikpapan"]
    assert unit["model"] == "road:balikpapan_kota" and not unit["is_estimate"]
    road = road_network(settings.road_networks[0])
    end = (unit["location"]["lon"], unit["location"]["lat"])
    assert unit["travel_time_h"] == pytest.approx(road.route(at, end).time_h, abs=1e-3)
    assert unit["route"]["type"] == "LineString" and len(unit["route"]["coordinates"]) > 2


def test_nothing_within_the_limit_escalates_to_the_next_tier(referrer):
    referral = referrer.refer("Merauke", ["witness_protection"], max_time_h=2.0)
    assert referral.candidates == []
    [item] = referral.escalation
    assert item["need"] == "witness_protection" and item["tier"] == "national"
    assert item["agency"]["id"].startswith("lpsk-") and item["agency"]["travel_time_h"] > 2.0
    assert "time limit" in item["reason"]


def test_escalation_prefers_the_provincial_unit(referrer):
    referral = referrer.refer("Tenggarong", ["repatriation_domestic"], max_time_h=0.25)
    [item] = referral.escalation
    assert item["tier"] == "provincial" and item["agency"]["id"] == "uptd-ppa-kaltim"


def test_a_need_no_agency_offers_is_explained(seeded_engine):
    agencies = directory.agencies_frame(seeded_engine)
    without = agencies[agencies["capabilities"].map(lambda caps: "reintegration" not in caps)]
    referrer = Referrer(without, directory.agreements_frame(seeded_engine))
    referral = referrer.refer("Tenggarong", ["reintegration", "shelter"])
    assert [item["need"] for item in referral.escalation] == ["reintegration"]
    assert "No agency in the directory offers reintegration" in referral.escalation[0]["reason"]
    assert referral.candidates  # shelter is still answered


def test_confidential_shelter_is_shown_at_its_regency_unless_authorised(referrer, seeded_engine):
    true = directory.agencies_frame(seeded_engine).set_index("id").loc["kemensos-rptc-bambu-apus"]
    public = _by_id(referrer.refer("31.75", ["shelter"], k=5))["kemensos-rptc-bambu-apus"]
    assert public["redacted"] and public["route"] is None and public["contact"]["address"] is None
    assert (public["location"]["lon"], public["location"]["lat"]) != (round(true["lon"], 5), round(true["lat"], 5))
    private = _by_id(referrer.refer("31.75", ["shelter"], k=5, authorised=True))["kemensos-rptc-bambu-apus"]
    assert not private["redacted"] and private["route"] is not None
    assert (private["location"]["lon"], private["location"]["lat"]) == (round(true["lon"], 5), round(true["lat"], 5))


def test_several_needs_give_best_single_and_best_set(referrer):
    both = referrer.refer("Tenggarong", ["shelter", "psychological"])
    assert both.best_single["id"] == "uptd-ppa-kukar"
    assert both.best_set["stops"] == 1
    split = referrer.refer("Tenggarong", ["psychological", "forensic_exam"])
    assert split.best_single is not None  # the police hospital offers both
    covered = set().union(*(a["capabilities_matched"] for a in split.best_set["agencies"]))
    assert covered == {"psychological", "forensic_exam"}
    assert split.best_set["total_time_h"] == pytest.approx(
        sum(a["travel_time_h"] for a in split.best_set["agencies"]), abs=0.01
    )


def test_exclude_policy_leaves_cross_border_agencies_out(referrer, monkeypatch):
    monkeypatch.setattr(settings, "cross_border_policy", "exclude")
    referral = referrer.refer("Tenggarong", ["psychological"], k=20)
    assert referral.candidates and all(c["jurisdiction"] != "cross_border" for c in referral.candidates)


def test_agency_closed_on_the_date_is_left_out(seeded_engine):
    agencies = directory.agencies_frame(seeded_engine)
    agencies.loc[agencies["id"] == "uptd-ppa-kukar", "opening_hours"] = "Mo-Fr 08:00-16:00"
    referrer = Referrer(agencies, directory.agreements_frame(seeded_engine))
    sunday, monday = dt.date(2026, 11, 22), dt.date(2026, 11, 23)
    assert "uptd-ppa-kukar" not in _by_id(referrer.refer("Tenggarong", ["shelter"], on=sunday))
    assert "uptd-ppa-kukar" in _by_id(referrer.refer("Tenggarong", ["shelter"], on=monday))


def test_max_time_keeps_only_agencies_within_it(referrer):
    referral = referrer.refer("Tenggarong", ["psychological"], k=50, max_time_h=1.0)
    assert referral.candidates and all(c["travel_time_h"] <= 1.0 for c in referral.candidates)


def test_origin_as_code_name_and_coordinates_agree(referrer):
    by_code = referrer.refer("64.02", ["shelter"], k=1).origin
    by_name = referrer.refer("Tenggarong", ["shelter"], k=1).origin
    by_point = referrer.refer(f"{by_name.lat},{by_name.lon}", ["shelter"], k=1).origin
    assert by_code.regency_code == by_name.regency_code == by_point.regency_code == "64.02"
    assert by_point.given_as == "coordinates" and by_code.given_as == "area code"


def test_bad_input_names_the_field_and_the_value(referrer):
    with pytest.raises(InputError, match="`needs` was 'shelterr'.*'shelter'"):
        referrer.refer("Tenggarong", ["shelterr"])
    with pytest.raises(InputError, match="`at` was 'Kupang'.*53.01.*53.71"):
        referrer.refer("Kupang", ["shelter"])
    with pytest.raises(NotFoundError, match="Tengarong|Tenggarong"):
        referrer.refer("Tengaroong", ["shelter"])
    with pytest.raises(InputError, match="`k`"):
        referrer.refer("Tenggarong", ["shelter"], k=0)
    with pytest.raises(InputError, match="`at`"):
        referrer.refer((150.0, -30.0), ["shelter"])


@pytest.mark.parametrize(
    ("text", "hours"), [("3h", 3.0), ("90m", 1.5), ("1h30m", 1.5), ("2.5", 2.5), (4, 4.0), (None, None)]
)
def test_durations_are_read_in_hours(text, hours):
    assert parse_hours(text) == hours


@pytest.mark.parametrize("text", ["3x", "-1h", "0", "h"])
def test_bad_durations_are_refused(text):
    with pytest.raises(InputError, match="max_time"):
        parse_hours(text)


def test_referral_answer_is_json_ready(referrer):
    import json

    payload = json.dumps(referrer.refer("Kalabahi", ["witness_protection", "shelter"]).as_dict(), default=str)
    assert "lpsk-ntt" in payload and np.isfinite(json.loads(payload)["candidates"][0]["travel_time_h"])
