"""Referral on the real boundaries, the sample directory in SQLite and the real road networks."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from click.testing import CliRunner

import directory
from core import settings
from core.db import session_scope
from core.errors import InputError, NotFoundError
from directory import io as directory_io
from directory.agencies import ServiceLocation
from geo import lookup
from routing.questions import parse_hours
from routing.referral import Referrer, road_network
from routing.roads import RoadNetwork

SHELTER = "kemensos-rptc-bambu-apus"


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


def test_from_penajam_kukar_is_by_agreement_for_psychological_help_and_coordination_for_shelter(referrer):
    # The 2024 Kukar-PPU agreement names psychological help, not shelter: one answer, a status per need.
    found = _by_id(referrer.refer("Penajam", ["shelter", "psychological"], k=30))
    kukar = found["uptd-ppa-kukar"]
    assert kukar["jurisdiction_by_need"] == {"psychological": "agreement", "shelter": "cross_border"}
    assert kukar["jurisdiction"] == "cross_border"  # together the needs go beyond the agreement
    assert found["uptd-ppa-ppu"]["jurisdiction_by_need"] == {"psychological": "own_area"}


def test_an_unconfirmed_agency_above_a_confirmed_one_is_said_in_the_notes(referrer):
    # Polda Bangka Belitung's PPA unit has no source confirming it (existence_confirmed false in the sample).
    referral = referrer.refer("19.71", ["law_enforcement"], k=10)
    first, second = referral.candidates[:2]
    assert first["id"] == "polda-babel-ppa" and not first["existence_confirmed"] and second["existence_confirmed"]
    assert any(first["name"] in note and "no source confirms" in note for note in referral.notes)
    assert not any("no source confirms" in note for note in referrer.refer("Tenggarong", ["psychological"]).notes)


def test_province_agreement_lets_the_kaltim_unit_take_a_case_from_jawa_barat(referrer):
    found = _by_id(referrer.refer("32.73", ["shelter"], k=100))
    assert found["uptd-ppa-kaltim"]["jurisdiction"] == "agreement"
    assert found["uptd-ppa-jabar"]["jurisdiction"] == "provincial"


def test_kalabahi_witness_protection_flies_to_kupang_or_sails_when_she_may_not_fly(referrer):
    flying = referrer.refer("Kalabahi", ["witness_protection"], k=3)
    assert flying.candidates[0]["id"] == "lpsk-ntt" and flying.limits["modes"] == "road,sea,air"
    assert "flight" in [leg["mode"] for leg in flying.candidates[0]["legs"]]
    assert any("identity document" in note for note in flying.notes)
    referral = referrer.refer("Kalabahi", ["witness_protection"], k=3, modes="road,sea")
    first = referral.candidates[0]
    assert first["id"] == "lpsk-ntt" and referral.limits["modes"] == "road,sea"
    assert first["jurisdiction"] == "national"
    assert first["is_estimate"] and first["model"] == "estimated"
    assert first["sea_legs"] == 1 and "flight" not in [leg["mode"] for leg in first["legs"]]
    assert first["travel_time_h"] > flying.candidates[0]["travel_time_h"]
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


def test_an_unknown_cross_border_policy_is_refused_with_the_allowed_ones():
    with pytest.raises(ValueError, match=r"`settings.cross_border_policy` was 'bogus' but must be one of \['flag'"):
        settings.cross_border_policy = "bogus"
    assert settings.cross_border_policy in settings.CROSS_BORDER_POLICIES
    environment = {**os.environ, "RUJUK_CROSS_BORDER_POLICY": "bogus"}
    command = [sys.executable, "-c", "import core.settings"]
    started = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    assert started.returncode != 0
    assert "RUJUK_CROSS_BORDER_POLICY was 'bogus' but must be one of ['flag', 'exclude']" in started.stderr


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
    with pytest.raises(InputError, match=r"`needs` was 'shelterr'.*'shelter'"):
        referrer.refer("Tenggarong", ["shelterr"])
    with pytest.raises(InputError, match=r"`at` was 'Kupang'.*53\.01.*53\.71"):
        referrer.refer("Kupang", ["shelter"])
    with pytest.raises(NotFoundError, match=r"Tengarong|Tenggarong"):
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


def _travel_to_the_safe_house(engine, authorised: bool) -> list[tuple]:
    """Time, distance, legs and shown point of the safe house from four origins around it (a trilateration set)."""
    referrer = Referrer.from_engine(engine)
    found = []
    for at in ("31.75", "31.74", "32.76", "-6.20,106.90"):
        shelter = _by_id(referrer.refer(at, ["shelter"], k=100, authorised=authorised))[SHELTER]
        shown = (shelter["location"]["lon"], shelter["location"]["lat"])
        travel = (shelter["travel_time_h"], shelter["distance_km"], shelter["sea_legs"], str(shelter["legs"]))
        found.append((*travel, shown))
    return found


def test_public_travel_to_a_safe_house_is_measured_to_the_point_shown_not_the_true_one(engine):
    directory_io.seed_default(engine)
    public, private = _travel_to_the_safe_house(engine, False), _travel_to_the_safe_house(engine, True)
    with session_scope(engine) as session:  # move the safe house within Jakarta Timur
        shelter = session.get(ServiceLocation, SHELTER)
        shelter.lon, shelter.lat = shelter.lon - 0.01, shelter.lat - 0.02
        assert lookup.locate([shelter.lon], [shelter.lat], "regency") == ["31.75"]
    moved_public, moved_private = _travel_to_the_safe_house(engine, False), _travel_to_the_safe_house(engine, True)
    assert moved_public == public  # nothing a public caller sees depends on where the house really is
    assert all(after[0] != before[0] for after, before in zip(moved_private, private, strict=True))
    assert all(after[4] != before[4] for after, before in zip(moved_private, private, strict=True))


def test_the_fastest_road_network_covering_both_ends_wins_in_either_order(seeded_engine, monkeypatch):
    fast = road_network(settings.road_networks[0])
    with monkeypatch.context() as patch:  # the same streets at half the speed
        for road, speed in settings.default_speed_kmh_by_highway.items():
            patch.setitem(settings.default_speed_kmh_by_highway, road, speed / 2)
        slow = RoadNetwork(fast.graph, "balikpapan_slow")
    frames = directory.agencies_frame(seeded_engine), directory.agreements_frame(seeded_engine)
    at = (116.84, -1.265)
    for roads in ([fast, slow], [slow, fast]):
        unit = _by_id(Referrer(*frames, roads=roads).refer(at, ["psychological"], k=3))["uptd-ppa-balikpapan"]
        end = (unit["location"]["lon"], unit["location"]["lat"])
        assert unit["model"] == fast.name
        assert unit["travel_time_h"] == pytest.approx(fast.route(at, end).time_h, abs=1e-3)
        assert unit["travel_time_h"] < slow.route(at, end).time_h


def test_no_single_agency_for_every_need_is_said_in_the_answer_and_the_cli(referrer, seeded_engine, monkeypatch):
    needs = ["witness_protection", "migrant_worker_services"]  # LPSK and BP3MI: no office offers both
    referral = referrer.refer("53.71", needs)
    assert referral.best_single is None and referral.best_set["stops"] == 2
    [note] = [n for n in referral.notes if n.startswith("No single agency")]
    assert "witness_protection, migrant_worker_services" in note and "combines 2 agencies" in note
    assert not any(n.startswith("No single agency") for n in referrer.refer("53.71", ["shelter"]).notes)
    from cli.routing import refer as command

    monkeypatch.setattr(settings, "database_url", seeded_engine.url.render_as_string(hide_password=False))
    output = CliRunner().invoke(command, ["--at", "53.71", "--needs", ",".join(needs)]).output
    assert "No single agency" in output and "Best set (2 stop(s)" in output


def test_a_province_code_places_the_case_in_no_regency(referrer):
    referral = referrer.refer("64", ["psychological"], k=20)
    where = referral.origin
    assert (where.province_code, where.regency_code, where.district_code) == ("64", None, None)
    found = _by_id(referral)
    assert found["uptd-ppa-samarinda"]["jurisdiction"] == "cross_border"  # the province seat is in Samarinda
    assert found["uptd-ppa-kaltim"]["jurisdiction"] == "provincial"
    assert "own_area" not in {c["jurisdiction"] for c in referral.candidates}
    assert any("is a province" in note and "no regency" in note for note in referral.notes)
    assert referrer.refer("64.72", ["psychological"]).origin.regency_code == "64.72"


def test_every_crossing_is_its_own_sea_leg_and_is_counted(referrer):
    ntt = _by_id(referrer.refer("Merauke", ["witness_protection"], k=6, modes="road,sea"))["lpsk-ntt"]
    sea = [leg for leg in ntt["legs"] if leg["mode"] in ("sea", "ferry", "fast_boat", "ship")]
    network, _ = referrer.variant(frozenset({"road", "sea"}))
    crossings = network.travel(*_merauke(referrer), [ntt["location"]["lon"]], [ntt["location"]["lat"]])["sea_legs"][0]
    assert ntt["sea_legs"] == len(sea) == crossings > 1
    assert all(leg["time_h"] >= settings.fast_boat_boarding_h for leg in sea)


def _merauke(referrer) -> tuple[float, float]:
    origin = referrer.refer("Merauke", ["witness_protection"], k=1).origin
    return origin.lon, origin.lat


def test_unknown_place_gives_one_clear_message(referrer):
    with pytest.raises(NotFoundError) as error:
        referrer.refer("Atlantis", ["shelter"])
    assert str(error.value).startswith("`at` was 'Atlantis' but names no place")
    assert "`query`" not in str(error.value) and str(error.value).count(" was ") == 1


def test_swapped_coordinates_hint_that_the_order_is_lat_lon(referrer):
    with pytest.raises(InputError) as error:
        referrer.refer("116.84,-1.265", ["shelter"])
    assert error.value.field == "at" and error.value.value == "116.84,-1.265"
    assert "starts with 116.84, which is not a latitude" in str(error.value)
    assert 'LAT,LON: did you mean "-1.265,116.84"?' in str(error.value)
    assert str(error.value).count(" was ") == 1
    with pytest.raises(InputError, match="The order is LAT,LON") as error:
        referrer.refer("-30.0,150.0", ["shelter"])  # off Australia either way round: no guess
    assert "did you mean" not in str(error.value)


@pytest.mark.parametrize("at", ["nan,nan", "inf,0", "-0.42,-inf"])
def test_coordinates_that_are_not_finite_get_the_message_of_the_api(referrer, seeded_engine, monkeypatch, at):
    from app import create_app
    from cli.routing import refer as command

    with pytest.raises(InputError) as error:
        referrer.refer(at, ["shelter"])
    assert (error.value.field, error.value.value) == ("at", at) and "finite coordinates LAT,LON" in str(error.value)
    monkeypatch.setattr(settings, "database_url", seeded_engine.url.render_as_string(hide_password=False))
    printed = CliRunner().invoke(command, ["--at", at, "--needs", "shelter"])
    assert printed.exit_code == 2 and printed.output.strip() == f"Error: {error.value}"
    api = create_app(seeded_engine, prepare_data=False).test_client().get(f"/api/v1/referrals?at={at}&needs=shelter")
    assert api.status_code == 400 and api.json["error"]["message"] == str(error.value)


def test_origin_areas_follow_the_lookup_hierarchy_for_random_points(referrer):
    from geo import lookup
    from routing import origin

    rng = np.random.default_rng(5)
    lon, lat = rng.uniform(95.0, 141.0, 400), rng.uniform(-11.0, 6.0, 400)  # land, sea and slivers
    expected = lookup.locate_hierarchy(lon, lat)
    found = [origin._areas_of(x, y) for x, y in zip(lon, lat, strict=True)]
    assert found == list(expected.itertuples(index=False, name=None))
    assert sum(f[2] is not None for f in found) > 50 and sum(f[2] is None for f in found) > 50  # land and sea


def test_every_referral_answer_has_the_shape_the_api_documents(referrer):
    import jsonschema

    from routing import schemas

    for at, needs in (
        ("Tenggarong", "shelter,psychological"),
        ("Kalabahi", "witness_protection,shelter"),
        ("-1.265,116.84", "psychological"),
        ("Wamena", "migrant_worker_services"),
    ):
        for authorised in (False, True):
            answer = referrer.refer(at, needs, k=5, authorised=authorised).as_dict()
            jsonschema.validate(json.loads(json.dumps(answer)), schemas.REFERRAL)
    assert list(answer["candidates"][0]) == list(schemas.CANDIDATE_FIELDS)
