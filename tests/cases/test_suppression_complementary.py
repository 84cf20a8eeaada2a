"""Complementary suppression: a published total and its published parts never give a hidden cell.

Every check reads the public output only, as an attacker would, and finds the groups by
brute force over pairs of figures (not with the code under test): a total and its child
areas for the same period, and a total and the figures of the same area inside its period.
"""

from __future__ import annotations

import json
import re
from datetime import date

import folium
import numpy as np
import pandas as pd
import pytest
from case_rows import SOURCE, YEAR, insert

import cases
from accounts import users
from app import create_app
from core import settings
from geo import wilayah
from tests import lp_attacker
from webmap import assets, maps

MEASURE = "police TPPO victims"


def shown(public: pd.DataFrame) -> dict[tuple, object]:
    """Return the published value per (area code, period start, period end)."""
    return {(r.area_code, r.period_start, r.period_end): r.value for r in public.itertuples()}


def reasons(public: pd.DataFrame) -> dict[str, str | None]:
    return dict(zip(public["area_code"], public["suppressed_reason"], strict=True))


def brute_force_groups(public: pd.DataFrame) -> list[tuple[int, list[int]]]:
    """Return (total, parts) positions of every group, found pair by pair."""
    rows = public.reset_index(drop=True)
    found = []
    for t, total in rows.iterrows():
        same_series = (rows["measure"] == total["measure"]) & (rows["source"] == total["source"])
        children = [
            i
            for i, part in rows[same_series].iterrows()
            if (part["area_code"].rsplit(".", 1)[0] if "." in part["area_code"] else "ID") == total["area_code"]
            and part["area_code"] != "ID"
            and (part["period_start"], part["period_end"]) == (total["period_start"], total["period_end"])
        ]
        inside = [
            i
            for i, part in rows[same_series].iterrows()
            if i != t
            and part["area_code"] == total["area_code"]
            and part["period_start"] >= total["period_start"]
            and part["period_end"] <= total["period_end"]
        ]
        found += [(t, parts) for parts in (children, inside) if parts]
    return found


def disclosures(public: pd.DataFrame) -> list[str]:
    """Return every way a hidden cell could be computed from one group of the published figures.

    Structural rule: a group has 0 or at least 2 hidden cells, not all of them small. Attacker's
    intervals: with the total shown, the hidden parts sum to total - shown parts; a small part
    lies in [0, k - 1] and a withheld one in [k, sum]; a part whose interval is one value is revealed.
    """
    k = settings.suppress_below
    rows = public.reset_index(drop=True)
    hidden = rows["suppressed"].to_numpy(bool)
    small = (rows["suppressed_reason"] == "small").to_numpy(bool)
    problems = []
    for total, parts in brute_force_groups(rows):
        members = [total, *parts]
        name = f"group of {rows.at[total, 'area_code']} {rows.at[total, 'period_start']}"
        count = int(hidden[members].sum())
        # Hidden cells all small are bounded by their sum when some cell of the group is shown (two zeros would show
        # as 0); a group hidden whole and small whole tells nothing beyond "<k" for each.
        if count == 1 or (0 < count < len(members) and small[members][hidden[members]].all()):
            problems.append(f"{name}: {count} hidden, small only: {bool(small[members][hidden[members]].all())}")
        hidden_parts = [p for p in parts if hidden[p]]
        if hidden[total] or not hidden_parts:
            continue
        rest = rows.at[total, "value"] - sum(rows.at[p, "value"] for p in parts if not hidden[p])
        bounds = {p: (0, k - 1) if small[p] else (k, rest) for p in hidden_parts}
        for p in hidden_parts:
            others = [bounds[q] for q in hidden_parts if q != p]
            low = max(bounds[p][0], rest - sum(high for _, high in others))
            high = min(bounds[p][1], rest - sum(low for low, _ in others))
            if low >= high:
                problems.append(f"{name}: {rows.at[p, 'area_code']} is {low}")
    return problems


def test_the_audit_catches_what_primary_suppression_alone_leaves(engine):
    insert(engine, {"64": 20, "64.01": 0, "64.02": 0, "64.03": 5, "64.07": 15})
    public, true = cases.public_figures(engine), cases.query_figures(engine)
    small = public["suppressed_reason"] == "small"
    primary_only = public.assign(suppressed=small, value=true["value"].astype(object).where(~small, "<5"))
    assert disclosures(primary_only) == [
        "group of 64 2023-01-01: 2 hidden, small only: True",
        "group of 64 2023-01-01: 64.01 is 0",
        "group of 64 2023-01-01: 64.02 is 0",
    ]
    one_more = primary_only.assign(suppressed=primary_only["suppressed"] | (public["area_code"] == "64.03"))
    one_more["suppressed_reason"] = one_more["suppressed_reason"].where(public["area_code"] != "64.03", "complementary")
    assert "group of 64 2023-01-01: 64.01 is 0" in disclosures(one_more)  # 20 - 15 = 5 = the least "x" can be


def test_province_minus_its_regencies_does_not_reveal_a_suppressed_regency(engine):
    insert(engine, {"64": 40, "64.01": 3, "64.02": 12, "64.03": 8, "64.07": 9, "64.08": 8})
    public = cases.public_figures(engine)
    assert disclosures(public) == [] and lp_attacker.exposed(public, settings.suppress_below) == {}
    assert reasons(public) == {
        "64": None,
        "64.01": "small",
        "64.02": None,
        "64.03": "complementary",
        "64.07": None,
        "64.08": None,
    }  # the smallest shown regency, the first by code on a tie
    by_area = public.set_index("area_code")
    assert by_area.loc["64.03", "value"] == cases.WITHHELD and pd.isna(by_area.loc["64.03", "rate_per_100k"])
    assert by_area.loc["64.01", "value"] == "<5" and by_area["suppressed"].sum() == 2


def test_year_minus_its_first_half_does_not_reveal_the_second_half(engine):
    insert(engine, {"64": 30})
    insert(engine, {"64": 27}, (date(2023, 1, 1), date(2023, 6, 30)))
    insert(engine, {"64": 3}, (date(2023, 7, 1), date(2023, 12, 31)))
    public = cases.public_figures(engine)
    assert disclosures(public) == [] and lp_attacker.exposed(public, settings.suppress_below) == {}
    assert shown(public) == {
        ("64", *YEAR): 30,
        ("64", date(2023, 1, 1), date(2023, 6, 30)): cases.WITHHELD,
        ("64", date(2023, 7, 1), date(2023, 12, 31)): "<5",
    }
    first_half = cases.public_figures(engine, start=date(2023, 2, 1), end=date(2023, 6, 30))
    assert first_half["value"].tolist() == [30, cases.WITHHELD]  # a filtered answer hides the same cells


def test_complementary_hiding_propagates_up_the_hierarchy(engine):
    insert(engine, {"ID": 100, "64": 60, "65": 40, "65.01": 3, "65.02": 2, "64.02": 45, "64.72": 15})
    public = cases.public_figures(engine)
    assert disclosures(public) == [] and lp_attacker.exposed(public, settings.suppress_below) == {}
    assert reasons(public) == {
        "ID": None,
        "64": "complementary",
        "65": "complementary",
        "65.01": "small",
        "65.02": "small",
        "64.02": None,
        "64.72": "complementary",
    }  # up to 65, across, down


def test_a_shown_sibling_is_hidden_before_the_total(engine):
    insert(engine, {"ID": 100, "64": 60, "65": 40, "65.01": 3, "65.02": 37})
    public = cases.public_figures(engine)
    assert disclosures(public) == [] and lp_attacker.exposed(public, settings.suppress_below) == {}
    assert reasons(public) == {"ID": None, "64": None, "65": None, "65.01": "small", "65.02": "complementary"}


def test_two_suppressed_zeros_beside_shown_parts_are_not_revealed(engine):
    insert(engine, {"64": 20, "64.01": 0, "64.02": 0, "64.03": 5, "64.07": 15})
    public = cases.public_figures(engine)
    assert disclosures(public) == [] and lp_attacker.exposed(public, settings.suppress_below) == {}
    assert reasons(public) == {
        "64": None,
        "64.01": "small",
        "64.02": "small",
        "64.03": None,  # hidden first (the smallest), then shown again: 64.07 withheld makes it needless
        "64.07": "complementary",
    }
    assert necessary(engine, public) == []


H1, H2 = (date(2023, 1, 1), date(2023, 6, 30)), (date(2023, 7, 1), date(2023, 12, 31))
JAKARTA = {"31.01": (4, 20), "31.71": (26, 5), **{f"31.7{i}": (100, 100) for i in range(2, 6)}}  # all six regencies


def insert_halves_and_year(engine, halves: dict[str, tuple[int, int]], province: str) -> None:
    """Store H1, H2 and the year for each regency and for `province` as their sums."""
    totals = [sum(pair[i] for pair in halves.values()) for i in (0, 1)]
    for i, period in enumerate((H1, H2)):
        insert(engine, {**{code: pair[i] for code, pair in halves.items()}, province: totals[i]}, period)
    insert(engine, {**{code: sum(pair) for code, pair in halves.items()}, province: sum(totals)})


def necessary(engine, public: pd.DataFrame) -> list[str]:
    """Return the complementary cells that could be shown again without any small cell being narrowed."""
    k, true = settings.suppress_below, cases.query_figures(engine)
    spare = []
    for i in public.index[public["suppressed_reason"] == "complementary"]:
        again = public.copy()
        again.loc[i, ["value", "suppressed", "suppressed_reason"]] = [true.at[i, "value"], False, None]
        if not lp_attacker.exposed(again, k) and not disclosures(again):
            spare.append(f"{public.at[i, 'area_code']} {public.at[i, 'period_start']}")
    return spare


def test_the_area_and_period_tables_together_do_not_reveal_a_hidden_count(engine):
    insert_halves_and_year(engine, JAKARTA, "31")
    public = cases.public_figures(engine)
    k = settings.suppress_below
    hidden = public[public["suppressed"]].set_index(["area_code", "period_start", "period_end"])["suppressed_reason"]
    assert hidden.to_dict() == {
        ("31.01", *H1): "small",
        ("31.01", *H2): "complementary",
        ("31.01", *YEAR): "complementary",  # the audit's: the smallest shown cell of a group holding 31.01 H1
        ("31.71", *H1): "complementary",
        ("31.71", *H2): "complementary",
        ("31.71", *YEAR): "complementary",  # then the year of 31 had one hidden regency
    }
    assert disclosures(public) == [] and necessary(engine, public) == []
    assert lp_attacker.intervals(public, k)[("31.01", *H1, MEASURE, SOURCE)] == (0, k - 1)
    assert lp_attacker.exposed(public, k) == {}
    # The publication the security review broke (each group safe by itself): the yearly regency figures shown.
    reviewed = public.copy()
    for code, year in (("31.01", 24), ("31.71", 31)):
        at = reviewed["area_code"].eq(code) & reviewed["period_start"].eq(YEAR[0]) & reviewed["period_end"].eq(YEAR[1])
        reviewed.loc[at, ["value", "suppressed", "suppressed_reason"]] = [year, False, None]
    assert disclosures(reviewed) == []
    assert lp_attacker.exposed(reviewed, k) == {("31.01", *H1, MEASURE, SOURCE): (4, 4)}


def test_the_audit_terminates_and_hides_no_more_than_needed_on_the_sample_figures(engine):
    cases.import_csv(engine)
    public, true = cases.public_figures(engine), cases.query_figures(engine)
    k = settings.suppress_below
    assert lp_attacker.exposed(public, k) == {} and disclosures(public) == []
    assert (public["suppressed_reason"] == "small").sum() == (true["value"] < k).sum() > 0
    # The Kalimantan Timur regencies (one period, no province figure) are in no relation, so they need nothing more;
    # a series with a country total and small province counts needs one more province withheld (one, not more).
    series = ["measure", "source", "period_start", "period_end"]
    small = true[(true["value"] < k) & (true["level"] == "province")].groupby(series).size()
    totals = true[true["area_code"] == "ID"].set_index(series).index
    related = [key for key in small.index if key in totals]
    withheld = public[public["suppressed_reason"] == "complementary"]
    assert len(related) >= 3  # the June 2023 police reports and victims, the Kemensos figures
    assert sorted(withheld.groupby(series).size().items()) == [(key, 1) for key in sorted(related)]


def test_a_series_of_regencies_halves_and_years_is_protected_and_every_withheld_cell_is_needed(engine):
    rng = np.random.default_rng(7)
    regencies = wilayah.load_codes("regency").query("parent_code == '64'")["code"]
    insert_halves_and_year(engine, {code: tuple(rng.integers(0, 12, size=2).tolist()) for code in regencies}, "64")
    public = cases.public_figures(engine)
    assert (public["suppressed_reason"] == "small").sum() >= 5
    assert lp_attacker.exposed(public, settings.suppress_below) == {} and disclosures(public) == []
    assert necessary(engine, public) == []


def test_other_measures_and_sources_are_suppressed_apart(engine):
    insert(engine, {"64": 40, "64.01": 3, "64.02": 12, "64.03": 8, "64.07": 9, "64.08": 8})
    insert(engine, {"64": 40, "64.02": 12, "64.03": 8}, measure="police TPPO cases")
    public = cases.public_figures(engine, measure="police TPPO cases")
    assert public["suppressed"].sum() == 0 and disclosures(cases.public_figures(engine)) == []


@pytest.fixture
def kaltim(engine):
    insert(engine, {"ID": 100, "64": 40, "64.01": 3, "64.02": 12, "64.03": 8, "64.07": 9, "64.08": 8})
    return engine


@pytest.fixture
def client(kaltim):
    app = create_app(kaltim, prepare_data=False)
    app.testing = True
    return app.test_client()


def test_public_api_answers_withhold_the_complementary_cell_whatever_the_filter(client, kaltim):
    one = client.get("/api/v1/cases?area=64.03").json["figures"]
    assert [(f["value"], f["suppressed"], f["suppressed_reason"], f["rate_per_100k"]) for f in one] == [
        (cases.WITHHELD, True, "complementary", None)
    ]
    every = {f["area_code"]: f["value"] for f in client.get("/api/v1/cases").json["figures"]}
    assert every == {"ID": 100, "64": 40, "64.01": "<5", "64.02": 12, "64.03": "x", "64.07": 9, "64.08": 8}
    answer = client.get("/api/v1/areas", query_string={"level": "regency", "within": "64", "measure": MEASURE})
    areas = {f["properties"]["code"]: f["properties"] for f in answer.json["features"]}
    assert areas["64.03"]["cases"] == "x" and areas["64.03"]["suppressed_reason"] == "complementary"
    assert areas["64.01"]["cases"] == "<5" and areas["64.02"]["cases"] == 12 and areas["64.02"]["suppressed"] is False
    users.create_user(kaltim, "sari", "sambal matah 2024", "caseworker")
    token = {"Authorization": f"Bearer {users.create_token(kaltim, 'sari', 'tests')}"}
    figures = client.get("/api/v1/cases", headers=token).json["figures"]
    assert {f["area_code"]: f["value"] for f in figures} == every  # the JSON API is the public view for every caller


def _choropleth(engine, authorised: bool) -> dict:
    m = folium.Map()
    maps._case_layer(engine, m, "en", MEASURE, None, False, authorised, None, True)
    html = assets.render(m)
    match = re.search(r"RujukMap\.choropleth\([^,]+,\s*[^,]+,\s*", html)
    return json.JSONDecoder().raw_decode(html, match.end())[0]["figures"]


def test_the_map_withholds_the_complementary_cell_and_authorised_callers_see_every_count(kaltim):
    public, authorised = _choropleth(kaltim, False), _choropleth(kaltim, True)
    assert (public["64.03"]["value"], public["64.03"]["rate"], public["64.03"]["suppressed"]) == ("x", None, True)
    assert public["64.01"]["value"] == "<5" and public["64.02"]["value"] == 12
    assert {code: row["value"] for code, row in authorised.items()} == {
        "64.01": 3,
        "64.02": 12,
        "64.03": 8,
        "64.07": 9,
        "64.08": 8,
    }
    assert not any(row["suppressed"] for row in authorised.values())
    assert cases.query_figures(kaltim, area_code="64.03")["value"].tolist() == [8]


def test_cases_list_withholds_the_complementary_cell_of_one_area(kaltim, monkeypatch):
    from click.testing import CliRunner

    from cli import main

    monkeypatch.setattr(settings, "database_url", kaltim.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(main, ["cases", "list", "--area", "64.03", "--json"], catch_exceptions=False)
    assert [(f["value"], f["suppressed_reason"]) for f in json.loads(result.output)] == [("x", "complementary")]
    table = CliRunner().invoke(main, ["cases", "list", "--area", "64.03"], catch_exceptions=False).output
    assert "withheld so that a total minus its other parts cannot reveal a small count" in table


def test_public_coverage_withholds_the_complementary_cell_and_its_gap_cases(kaltim):
    from routing import coverage

    public = coverage.coverage_table(
        kaltim, ["shelter"], level="regency", within="64", rules="with", case_measure=MEASURE, case_source=SOURCE
    )
    rows = public.set_index("code")
    assert rows.loc["64.03", "cases"] == cases.WITHHELD and pd.isna(rows.loc["64.03", "gap_cases_permitted"])
    assert rows.loc["64.01", "cases"] == "<5" and rows.loc["64.02", "cases"] == 12
    authorised = coverage.coverage_table(
        kaltim,
        ["shelter"],
        level="regency",
        within="64",
        rules="with",
        case_measure=MEASURE,
        case_source=SOURCE,
        authorised=True,
    )
    assert authorised.set_index("code").loc["64.03", "cases"] == 8
