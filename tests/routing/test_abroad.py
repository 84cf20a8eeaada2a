"""How a trafficking case moves: the Kepri and Kaltara offices where they work, home areas, the chain from abroad."""

from __future__ import annotations

import pytest

from core.errors import InputError, NotFoundError
from geo.lookup import locate


def _by_id(referral):
    return {candidate["id"]: candidate for candidate in referral.candidates}


def _district_of(candidate) -> str:
    return locate([candidate["location"]["lon"]], [candidate["location"]["lat"]], "district")[0]


def test_batam_reaches_the_kepri_offices_in_batam(referrer):
    found = _by_id(referrer.refer("Kota Batam", ["migrant_worker_services", "law_enforcement"], k=20))
    for agency in ("bp3mi-kepri", "polda-kepri-ppa"):
        assert _district_of(found[agency]).startswith("21.71"), agency  # Kota Batam, not Tanjungpinang (21.72)
        assert found[agency]["travel_time_h"] < 1.5


def test_nunukan_reaches_the_bp3mi_in_nunukan(referrer):
    referral = referrer.refer("Kabupaten Nunukan", ["repatriation_international"], k=5)
    first = referral.candidates[0]
    assert first["id"] == "bp3mi-kaltara" and _district_of(first).startswith("65.03")  # Nunukan, not Tanjung Selor


def test_a_victim_found_in_tawau_from_kabupaten_kupang_goes_through_kri_tawau_nunukan_and_the_bp3mi_home(referrer):
    referral = referrer.refer("Tawau", ["repatriation_international"], home="53.01", modes="road,sea")
    chain = referral.chain
    assert [step["step"] for step in chain["steps"]] == ["mission", "debarkation", "bp3mi", "home"]
    mission, debarkation, office, home = chain["steps"]
    assert mission["agency"]["id"] == "kri-tawau"
    assert "Nunukan" in debarkation["name"] and debarkation["port"]["regency_code"] == "65.03"
    assert [leg["mode"] for leg in debarkation["legs"]][-1] == "fast_boat"
    assert office["agency"]["id"] == "bp3mi-kaltara"
    assert home["area"]["regency_code"] == "53.01" and home["legs"]
    assert all(step["time_h"] >= 0 for step in chain["steps"]) and home["time_h"] > 10  # Nunukan to Timor by sea
    assert chain["total_time_h"] == pytest.approx(sum(step["time_h"] for step in chain["steps"]), abs=0.01)
    assert referral.origin.given_as == "place abroad" and referral.origin.regency_code is None
    assert any("airportsdata" in note for note in referral.notes)
    assert referral.as_dict()["chain"] is chain


def test_flying_home_from_abroad_is_faster_when_allowed(referrer):
    sailing = referrer.refer("Tawau", ["repatriation_international"], home="53.01", modes="road,sea").chain
    flying = referrer.refer("Tawau", ["repatriation_international"], home="53.01", modes="road,sea,air").chain
    assert flying["total_time_h"] < sailing["total_time_h"]
    assert any(leg["mode"] == "flight" for step in flying["steps"] for leg in step["legs"])


def test_a_country_alone_starts_at_its_embassy(referrer):
    chain = referrer.refer("Malaysia", ["repatriation_international"]).chain
    assert chain["steps"][0]["agency"]["id"] == "kbri-kuala-lumpur"
    assert chain["steps"][-1]["step"] == "bp3mi"  # no home given: the chain ends at the BP3MI, and says so
    assert any("home" in note for note in chain["notes"])


def test_the_home_area_adds_the_way_home_and_reintegration_there(referrer):
    referral = referrer.refer("Kota Batam", ["shelter", "reintegration"], home="Kabupaten Kupang")
    home = referral.home
    assert home["area"]["regency_code"] == "53.01"
    assert home["way"]["reachable"] and home["way"]["time_h"] > 5
    assert home["candidates"] and all("reintegration" in c["capabilities_matched"] for c in home["candidates"])
    assert home["candidates"][0]["travel_time_h"] < referral.home["way"]["time_h"]  # served near home, not in Batam


@pytest.mark.parametrize(
    ("home", "error"),
    [("-10.17,123.6", InputError), ("53", InputError), ("Atlantis", NotFoundError)],
)
def test_a_home_is_a_regency_never_a_point_or_a_province(referrer, home, error):
    with pytest.raises(error) as raised:
        referrer.refer("Kota Batam", ["reintegration"], home=home)
    assert raised.value.field == "home"


def test_a_place_neither_in_indonesia_nor_known_abroad_keeps_the_place_error(referrer):
    with pytest.raises(NotFoundError) as raised:
        referrer.refer("Atlantis", ["shelter"])
    assert raised.value.field == "at"


def test_hotlines_for_the_needs_come_with_every_answer(referrer):
    lines = referrer.refer("Tenggarong", ["witness_protection"]).hotlines
    assert [line["id"] for line in lines] == ["hotline-lpsk"] and lines[0]["phone"]
