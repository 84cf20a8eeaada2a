"""Finding provinces, regencies, districts and seats by name in the real gazetteer."""

from __future__ import annotations

import pytest

from core.errors import InputError, NotFoundError
from geo import gazetteer
from geo.gazetteer import AmbiguousPlaceError


def codes(places: list[gazetteer.Place]) -> list[tuple[str, str]]:
    return [(place.code, place.level) for place in places]


def test_tenggarong_finds_the_seat_of_kutai_kartanegara():
    place = gazetteer.resolve("Tenggarong")
    assert (place.code, place.level, place.match) == ("64.02", "seat", "exact")
    assert place.lon == pytest.approx(116.98, abs=0.05)
    assert place.lat == pytest.approx(-0.42, abs=0.05)
    assert place.context == "Kabupaten Kutai Kartanegara, Kalimantan Timur"


def test_kabupaten_prefix_restricts_to_kabupaten_kupang():
    for query in ("Kab. Kupang", "kabupaten kupang", "KAB KUPANG"):
        assert codes(gazetteer.find(query)) == [("53.01", "regency")]


def test_kota_prefix_restricts_to_kota_kupang():
    assert codes(gazetteer.find("Kota Kupang")) == [("53.71", "regency")]


def test_kupang_alone_returns_every_candidate_ranked():
    found = gazetteer.find("kupang")
    exact = [(p.code, p.level) for p in found if p.match == "exact"]
    assert exact == [("53.01", "regency"), ("53.71", "regency"), ("53.71", "seat")]
    prefix = [p for p in found if p.match == "prefix"]
    assert {p.name for p in prefix} >= {"Kupang Barat", "Kupang Tengah", "Kupang Timur"}
    assert [p.match for p in found] == sorted((p.match for p in found), key=["exact", "prefix", "fuzzy"].index)


def test_resolving_an_ambiguous_name_lists_the_candidates():
    with pytest.raises(AmbiguousPlaceError, match=r"53\.01") as caught:
        gazetteer.resolve("Kupang")
    assert {p.code for p in caught.value.candidates} == {"53.01", "53.71"}
    assert "53.71" in str(caught.value)


def test_kutai_kartanegara_and_its_abbreviation_find_64_02():
    for query in ("kutai kartanegara", "Kabupaten Kutai Kartanegara", "KUKAR"):
        place = gazetteer.resolve(query)
        assert (place.code, place.level) == ("64.02", "regency")


def test_accents_punctuation_and_spacing_are_ignored():
    assert gazetteer.resolve("  Wángi   wangi ").code == "74.07"
    assert ("92.03.01", "district") in codes(gazetteer.find("fakfak"))


def test_a_typo_gives_close_matches_but_no_answer():
    found = gazetteer.find("Tengarong")
    assert found and {p.match for p in found} == {"fuzzy"}
    assert ("64.02", "seat") in codes(found)
    with pytest.raises(NotFoundError, match="Tenggarong"):
        gazetteer.resolve("Tengarong")


def test_a_name_that_is_nothing_gives_an_empty_list():
    assert gazetteer.find("qxzqxzqxz") == []


def test_level_filters_the_candidates():
    assert codes(gazetteer.find("Kupang", level="seat")) == [("53.71", "seat")]
    assert gazetteer.resolve("Kupang Tengah", level="district").code == "53.01.08"


def test_province_prefix_finds_the_province():
    assert codes(gazetteer.find("Provinsi Gorontalo")) == [("75", "province")]


@pytest.mark.parametrize(
    ("query", "level", "field"), [("", None, "query"), ("Kab.", None, "query"), ("Kupang", "village", "level")]
)
def test_bad_input_names_the_field(query, level, field):
    with pytest.raises(InputError) as caught:
        gazetteer.find(query, level=level)
    assert caught.value.field == field


def test_every_regency_resolves_by_its_full_name():
    from geo import boundaries

    regencies = boundaries.load_areas("regency")
    for code, name in zip(regencies["code"], regencies["name"], strict=True):
        assert gazetteer.resolve(name).code == code
