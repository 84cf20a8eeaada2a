"""Directory completeness per area and capability, and the editors' report, on the real sample directory."""

from __future__ import annotations

import datetime as dt

import pytest

import directory
from core.db import session_scope
from core.errors import InputError
from directory import completeness
from directory import io as directory_io
from directory.agencies import ServiceLocation
from geo import boundaries


def test_counts_per_province_and_regency_are_the_rows_of_the_directory(seeded_engine):
    agencies = directory.agencies_frame(seeded_engine)
    provinces = completeness.completeness(agencies, "province")
    assert len(provinces) == 38 * 13 and list(provinces.columns) == list(completeness.COMPLETENESS_FIELDS)
    ntt = provinces.set_index(["code", "capability"]).loc[("53", "psychological")]
    offering = agencies[agencies["capabilities"].map(lambda codes: "psychological" in codes)]
    in_ntt = offering[offering["area_code"].str.slice(0, 2) == "53"]
    assert (ntt["rows"], ntt["confirmed"]) == (len(in_ntt), int(in_ntt["existence_confirmed"].sum()))
    assert ntt["rows"] == ntt["confirmed"] + ntt["unconfirmed"] and ntt["oldest_verified_on"] == min(
        in_ntt["verified_on"]
    )
    regencies = completeness.completeness(agencies, "regency", ["psychological"]).set_index("code")
    assert len(regencies) == len(boundaries.load_areas("regency"))
    in_regencies = in_ntt[in_ntt["area_code"].str.len() == 5]  # the provincial units belong to no regency
    assert regencies.loc[regencies.index.str.startswith("53."), "rows"].sum() == len(in_regencies) < len(in_ntt)
    empty = provinces[provinces["code"] == "93"]  # Papua Selatan: no row yet (the sample README says so)
    assert (empty["rows"] == 0).all() and empty["oldest_verified_on"].isna().all()
    unconfirmed = agencies[~agencies["existence_confirmed"]]
    assert provinces["unconfirmed"].sum() == unconfirmed["capabilities"].map(len).sum()
    with pytest.raises(InputError, match="level"):
        completeness.completeness(agencies, "district")


@pytest.mark.parametrize("level", ["province", "regency"])
def test_confirmed_pairs_are_the_areas_and_capabilities_with_a_confirmed_row(seeded_engine, level):
    agencies = directory.agencies_frame(seeded_engine)
    table = completeness.completeness(agencies, level)
    expected = set(table.loc[table["confirmed"] > 0, ["code", "capability"]].itertuples(index=False, name=None))
    pairs = completeness.confirmed_pairs(agencies, level)
    assert pairs == expected and 0 < len(pairs) < len(table)
    unconfirmed = agencies.assign(existence_confirmed=False)
    assert completeness.confirmed_pairs(unconfirmed, level) == set()
    nowhere = agencies.assign(area_code=[None, float("nan")] * (len(agencies) // 2) + [None] * (len(agencies) % 2))
    assert completeness.confirmed_pairs(nowhere, level) == set()  # an office in no area counts in none


def test_the_report_puts_the_least_confirmed_areas_first_and_can_order_by_the_oldest_check(engine):
    directory_io.seed_default(engine)
    report = completeness.editor_report(engine)
    shares = report["confirmed_share"].fillna(0.0).tolist()
    assert shares == sorted(shares) and len(report) == 38
    first = report.iloc[0]
    assert first["rows"] == 0 and len(first["capabilities_without_confirmed"]) == 13
    kaltim = completeness.editor_report(engine, "regency", within="64").set_index("code")
    assert set(kaltim.index) == set(boundaries.load_areas("regency").query("code.str.startswith('64.')")["code"])
    with session_scope(engine) as session:  # an editor last checked the Paser unit long ago
        session.get(ServiceLocation, "uptd-ppa-paser").verified_on = dt.date(2019, 5, 2)
    oldest = completeness.editor_report(engine, "regency", within="64", oldest=True)
    assert (oldest.iloc[0]["code"], oldest.iloc[0]["oldest_verified_on"]) == ("64.01", dt.date(2019, 5, 2))
    with session_scope(engine) as session:
        session.get(ServiceLocation, "uptd-ppa-paser").verified_on = None
    never = completeness.editor_report(engine, "regency", within="64", oldest=True).iloc[0]
    paser = directory.agencies_frame(engine).set_index("id").loc["uptd-ppa-paser"]
    assert (never["code"], never["never_verified"]) == ("64.01", len(paser["capabilities"]))  # one per capability
