"""A coverage gap says whether help is too far or the directory has no verified entry, on the real sample."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import directory
from routing import coverage

CHOSEN = ["shelter", "medical", "psychological"]


@pytest.fixture(scope="module")
def frames(seeded_engine):
    return directory.agencies_frame(seeded_engine), directory.agreements_frame(seeded_engine)


@pytest.fixture(scope="module")
def districts(frames):
    return coverage.district_coverage(*frames, capabilities=CHOSEN, rules="both")


def confirmed_in_province(agencies: pd.DataFrame) -> set[tuple[str, str]]:
    """(province, capability) pairs with a confirmed office, read straight from the agency rows."""
    confirmed = agencies[agencies["existence_confirmed"]]
    rows = zip(confirmed["area_code"], confirmed["capabilities"], strict=True)
    return {(code[:2], capability) for code, codes in rows for capability in codes}


@pytest.mark.parametrize("mode", ["any", "permitted"])
def test_every_gap_is_too_far_or_no_verified_entry_by_the_stated_rule(frames, districts, mode):
    verified = confirmed_in_province(frames[0])
    pairs = zip(districts["province_code"], districts["capability"], strict=True)
    has = np.array([pair in verified for pair in pairs])
    gap = districts[f"gap_{mode}"].to_numpy(dtype=bool)
    expected = np.where(~gap, "within_standard", np.where(has, "too_far", "no_verified_entry"))
    assert (districts[f"gap_kind_{mode}"].astype(str).to_numpy() == expected).all()
    kinds = set(districts[f"gap_kind_{mode}"].astype(str))
    assert kinds == {"within_standard", "too_far", "no_verified_entry"}  # the sample has all three
    bengkulu = districts[(districts["province_code"] == "17") & (districts["capability"] == "shelter")]
    assert bengkulu[f"gap_{mode}"].any() and (bengkulu[f"gap_kind_{mode}"] != "too_far").all()  # no shelter row


def test_a_province_whose_offices_lose_their_confirmation_turns_too_far_into_no_verified_entry(frames, districts):
    agencies, agreements = frames
    doubted = agencies.copy()
    in_sumut = doubted["area_code"].str.startswith("12") & doubted["capabilities"].map(lambda c: "medical" in c)
    doubted.loc[in_sumut, "existence_confirmed"] = False
    again = coverage.district_coverage(doubted, agreements, capabilities=["medical"], rules="with")
    before = districts[districts["capability"] == "medical"].reset_index(drop=True)
    np.testing.assert_array_equal(again["hours_permitted"], before["hours_permitted"])  # travel is the same
    sumut = (again["province_code"] == "12").to_numpy() & again["gap_permitted"].to_numpy()
    assert sumut.any() and (before.loc[sumut, "gap_kind_permitted"] == "too_far").all()
    assert (again.loc[sumut, "gap_kind_permitted"] == "no_verified_entry").all()
    elsewhere = ~(again["province_code"] == "12").to_numpy()
    assert (again.loc[elsewhere, "gap_kind_permitted"] == before.loc[elsewhere, "gap_kind_permitted"]).all()


def test_areas_count_their_no_entry_districts_and_carry_the_directory_counts(seeded_engine, districts):
    provinces = coverage.roll_up(districts, "province").set_index(["code", "capability"])
    for mode in ("any", "permitted"):
        counted = districts.assign(no=districts[f"gap_kind_{mode}"] == "no_verified_entry")
        expected = counted.groupby(["province_code", "capability"])["no"].sum()
        assert (provinces[f"no_entry_districts_{mode}"] == expected.reindex(provinces.index)).all()
        share = provinces[f"no_entry_share_{mode}"]
        gaps = provinces[f"gap_districts_{mode}"]
        assert share[gaps == 0].isna().all()
        np.testing.assert_allclose(share[gaps > 0], (provinces[f"no_entry_districts_{mode}"] / gaps)[gaps > 0])
    table = coverage.coverage_table(seeded_engine, ["shelter"], level="province", rules="with").set_index("code")
    agencies = directory.agencies_frame(seeded_engine)
    shelters = agencies[agencies["capabilities"].map(lambda codes: "shelter" in codes)]
    kaltim = shelters[shelters["area_code"].str.startswith("64")]
    assert (table.loc["64", "directory_rows"], table.loc["64", "directory_confirmed"]) == (
        len(kaltim),
        int(kaltim["existence_confirmed"].sum()),
    )
    assert table.loc["17", "directory_rows"] == 0 and table.loc["17", "no_entry_share_permitted"] == 1.0
