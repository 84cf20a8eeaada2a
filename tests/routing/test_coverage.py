"""Coverage on the real districts, the national network and the seeded sample directory."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.sparse.csgraph import dijkstra

import cases
import directory
from core import settings
from core.db import session_scope
from core.errors import InputError
from directory import capabilities
from directory import io as directory_io
from directory.agencies import ServiceLocation
from geo import boundaries, lookup
from routing import coverage, jurisdiction
from routing._coverage_nearest import masked_nearest
from routing.national import national_network

KUKAR, PPU, KALTIM = "64.02", "64.09", "64"
PAPUA_PROVINCES = ["91", "92", "93", "94", "95", "96"]


@pytest.fixture(scope="module")
def frames(seeded_engine):
    """Active agencies (true points) and agreements of the seeded sample directory."""
    return directory.agencies_frame(seeded_engine), directory.agreements_frame(seeded_engine)


@pytest.fixture(scope="module")
def districts_all(frames):
    """Coverage of every district for all 13 capabilities, with and without the jurisdiction rules."""
    return coverage.district_coverage(*frames)


def test_one_multi_source_pass_equals_the_minimum_over_the_per_source_matrix(frames, districts_all):
    agencies, _ = frames
    network = national_network()
    matrix = network.hours_from_sources(agencies["lon"], agencies["lat"])
    for capability in ("psychological", "witness_protection", "law_enforcement"):
        capable = np.array([capability in held for held in agencies["capabilities"]])
        hours, position = network.nearest_source(agencies["lon"][capable], agencies["lat"][capable])
        expected = matrix[capable].min(axis=0)
        np.testing.assert_allclose(hours, expected, rtol=1e-12)
        rows = districts_all[districts_all["capability"] == capability]
        np.testing.assert_allclose(rows["hours_any"].to_numpy(), expected, rtol=1e-12)
        chosen = agencies["id"].to_numpy()[capable][position]
        assert (rows["agency_id_any"].to_numpy() == chosen).all()


def test_passes_without_rules_equal_the_matrix_minima_and_name_the_first_agency_at_a_shared_office(
    frames, districts_all
):
    agencies, agreements = frames
    chosen = ["intake", "medical", "psychological", "repatriation_domestic"]  # in the order of the table
    without = coverage.district_coverage(agencies, agreements, capabilities=chosen, rules="without")
    both = districts_all[districts_all["capability"].isin(chosen)].reset_index(drop=True)
    pd.testing.assert_frame_equal(without, both[without.columns], check_exact=True)
    for capability in chosen:
        capable = agencies[[capability in held for held in agencies["capabilities"]]]
        first = capable.groupby(["lon", "lat"], sort=False)["id"].first()  # the first listed capable one per office
        named = set(without.loc[without["capability"] == capability, "agency_id_any"].dropna())
        assert named <= set(first)
        if capability == "intake":
            assert len(capable) - len(first) > 10  # many intake agencies share an office with another


def numpy_masked_nearest(matrix: np.ndarray, rows: np.ndarray, allowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The plain NumPy rule the compiled minima must give: masked, then the first least row per column."""
    hours = np.where(allowed, matrix[rows], np.inf)
    best = hours.argmin(axis=0)
    hours = hours[best, np.arange(hours.shape[1])]
    return hours, np.where(np.isfinite(hours), rows[best], -1)


def test_permitted_hours_are_the_minima_of_a_fresh_full_matrix_to_the_last_bit(frames, districts_all):
    agencies, agreements = frames
    network = national_network()
    sources = network.sources(agencies["lon"], agencies["lat"])
    fresh = dijkstra(sources.graph, indices=sources.ids)[:, : len(network.codes)]  # every search to the end, anew
    matrix = np.minimum(fresh, sources.direct.dense())[sources.distinct]
    districts = boundaries.load_areas("district")
    permissions = jurisdiction.Permissions(agencies, districts, agreements)
    for capability in capabilities.CAPABILITIES:
        rows = np.flatnonzero([capability in held for held in agencies["capabilities"]])
        hours, row = numpy_masked_nearest(matrix, rows, permissions.mask(capability, rows))
        table = districts_all[districts_all["capability"] == capability]
        np.testing.assert_array_equal(table["hours_permitted"].to_numpy(), hours)
        expected = np.where(row >= 0, agencies["id"].to_numpy()[np.maximum(row, 0)], None)
        assert [None if pd.isna(x) else x for x in table["agency_id_permitted"]] == expected.tolist()


def test_the_compiled_minima_are_numpys_with_ties_to_the_first_row_and_masks_respected(frames):
    agencies, _ = frames
    matrix = national_network().hours_from_sources(agencies["lon"], agencies["lat"])
    rows = np.flatnonzero(["shelter" in held for held in agencies["capabilities"]])
    allowed = np.random.default_rng(5).random((len(rows), matrix.shape[1])) < 0.3
    for mask in (allowed, np.ones_like(allowed)):
        hours, row = masked_nearest(matrix, rows, mask)
        expected_hours, expected_row = numpy_masked_nearest(matrix, rows, mask)
        np.testing.assert_array_equal(hours, expected_hours)
        np.testing.assert_array_equal(row, expected_row)
    tied = np.array([[2.0, 1.0, np.inf], [2.0, 1.0, 3.0], [1.0, 5.0, np.inf]])
    hours, row = masked_nearest(tied, np.array([0, 1, 2]), np.array([[1, 1, 1], [1, 1, 1], [0, 1, 0]], dtype=bool))
    assert hours.tolist() == [2.0, 1.0, 3.0] and row.tolist() == [0, 0, 1]  # row 2's 1.0 is masked out
    hours, row = masked_nearest(tied, np.array([], dtype=int), None)
    assert np.isinf(hours).all() and (row == -1).all()


def test_every_output_names_its_model_and_marks_estimates(seeded_engine, districts_all):
    assert (districts_all["model"] == "estimated").all() and districts_all["is_estimate"].all()
    options = {"capabilities": ["shelter"], "level": "regency", "within": KALTIM}
    table = coverage.coverage_table(seeded_engine, **options)
    assert (table["model"] == national_network().name).all() and table["is_estimate"].all()
    features = json.loads(coverage.to_geojson(table))["features"]
    assert {(f["properties"]["model"], f["properties"]["is_estimate"]) for f in features} == {("estimated", True)}


def test_with_rules_is_never_faster_than_without_and_sometimes_slower(districts_all):
    slower = districts_all["hours_permitted"] - districts_all["hours_any"]
    assert (districts_all["hours_permitted"] >= districts_all["hours_any"]).all()
    assert (slower.fillna(np.inf) > 1.0).sum() > 100  # the rules cost more than an hour in many districts
    assert set(districts_all["capability"]) == set(capabilities.CAPABILITIES)
    assert len(districts_all) == 13 * len(boundaries.load_areas("district"))


def test_kutai_kartanegara_districts_have_own_unit_and_agreement_partner_for_psychological_help(frames):
    agencies, agreements = frames
    districts = boundaries.load_areas("district")
    kukar = districts[districts["regency_code"] == KUKAR]
    ids = agencies["id"].to_numpy()
    psychological = pd.DataFrame(jurisdiction.permitted(agencies, kukar, agreements, "psychological"), index=ids)
    shelter = pd.DataFrame(jurisdiction.permitted(agencies, kukar, agreements, "shelter"), index=ids)
    assert psychological.loc["uptd-ppa-kukar"].all()  # own area
    assert psychological.loc["uptd-ppa-ppu"].all()  # the PKS of 17 July 2024 covers psychological help
    assert psychological.loc["uptd-ppa-kaltim"].all()  # provincial unit
    assert not psychological.loc["uptd-ppa-balikpapan"].any()  # no agreement: needs coordination
    assert not shelter.loc["uptd-ppa-ppu"].any()  # the PKS does not cover shelter
    assert not psychological.loc["uptd-ppa-jabar"].any()  # Kaltim-Jabar covers case management, not this


def test_permitted_matrix_agrees_with_classify_district_by_district(frames):
    agencies, agreements = frames
    districts = boundaries.load_areas("district")
    sample = districts[districts["province_code"].isin([KALTIM, "32"])].iloc[::7]
    classifier = jurisdiction.Classifier(agencies, agreements)
    needs = ("psychological", "case_management", "shelter")
    for capability in needs:
        matrix = jurisdiction.permitted(agencies, sample, agreements, capability)
        for column, row in enumerate(sample.itertuples()):
            origin = jurisdiction.Origin(row.code, row.regency_code, row.province_code)
            status = jurisdiction.classify(agencies, origin, agreements, [[capability]] * len(agencies))
            np.testing.assert_array_equal(matrix[:, column], (status != "cross_border").to_numpy())
            np.testing.assert_array_equal(classifier.classify_each(origin, needs)[capability], status.to_numpy())


def test_permitted_nearest_agency_in_kutai_kartanegara_may_take_the_case(frames, districts_all):
    agencies, _agreements = frames
    rows = districts_all[(districts_all["regency_code"] == KUKAR) & (districts_all["capability"] == "psychological")]
    allowed = {"uptd-ppa-kukar", "uptd-ppa-ppu", "uptd-ppa-kaltim"} | set(
        agencies.loc[agencies["jurisdiction_level"] == "national", "id"]
    )
    assert set(rows["agency_id_permitted"]) <= allowed
    assert "uptd-ppa-kukar" in set(rows["agency_id_permitted"])


def test_gaps_are_the_districts_beyond_the_standard_and_follow_the_setting(frames, monkeypatch):
    rows = coverage.district_coverage(*frames, capabilities=["psychological"], rules="with")
    assert (rows["gap_permitted"] == (rows["hours_permitted"] > 4.0)).all()
    assert 0 < rows["gap_permitted"].sum() < len(rows)
    monkeypatch.setitem(settings.coverage_standard_h, "psychological", 12.0)
    relaxed = coverage.district_coverage(*frames, capabilities=["psychological"], rules="with")
    assert relaxed["gap_permitted"].sum() < rows["gap_permitted"].sum()
    assert (relaxed["gap_permitted"] == (relaxed["hours_permitted"] > 12.0)).all()
    assert (relaxed["standard_h"] == 12.0).all()


def test_time_classes_include_their_lower_bound_and_mark_unreachable():
    classes = coverage.time_class([0.0, 0.99, 1.0, 3.9, 8.0, 24.0, 100.0, np.inf])
    assert list(classes) == ["<1 h", "<1 h", "1-2 h", "2-4 h", "8-24 h", "24 h or more", "24 h or more", "unreachable"]


def test_roll_ups_agree_with_the_district_values(districts_all):
    regencies = coverage.roll_up(districts_all, "regency").set_index(["code", "capability"])
    provinces = coverage.roll_up(districts_all, "province").set_index(["code", "capability"])
    legal = districts_all[districts_all["capability"] == "legal_aid"]
    by_regency = legal.groupby("regency_code")
    expected = regencies.xs("legal_aid", level="capability")
    pd.testing.assert_series_equal(expected["gap_districts_any"], by_regency["gap_any"].sum(), check_names=False)
    worst = by_regency["hours_permitted"].max()
    pd.testing.assert_series_equal(expected["worst_h_permitted"], worst, check_names=False)
    pd.testing.assert_series_equal(expected["median_h_any"], by_regency["hours_any"].median(), check_names=False)
    registered = boundaries.load_areas("regency").set_index("code")["population"].astype(float)
    np.testing.assert_allclose(expected["population"], registered.loc[expected.index])
    np.testing.assert_allclose(expected["gap_population_share_any"], expected["gap_share_any"])
    kaltim = provinces.loc[(KALTIM, "legal_aid")]
    in_kaltim = expected[expected.index.str.startswith(KALTIM + ".")]
    assert kaltim["districts"] == len(legal[legal["province_code"] == KALTIM])
    assert kaltim["gap_population_any"] == pytest.approx(in_kaltim["gap_population_any"].sum())
    province_population = boundaries.load_areas("province").set_index("code")["population"]
    assert kaltim["population"] == pytest.approx(float(province_population[KALTIM]))


def test_witness_protection_by_lpsk_leaves_papua_beyond_the_standard_unless_one_flies(frames, districts_all):
    without_flights = coverage.district_coverage(*frames, network=national_network("road,sea"))
    by_sea = coverage.roll_up(without_flights, "province").set_index(["code", "capability"])
    papua_by_sea = by_sea.xs("witness_protection", level="capability").loc[PAPUA_PROVINCES]
    assert (papua_by_sea["gap_share_permitted"] >= 0.95).all()
    assert (papua_by_sea["median_h_permitted"] > 48.0).all()
    provinces = coverage.roll_up(districts_all, "province").set_index(["code", "capability"])
    protection = provinces.xs("witness_protection", level="capability")
    papua = protection.loc[PAPUA_PROVINCES]
    assert (papua["median_h_permitted"] < papua_by_sea["median_h_permitted"] / 2).all()
    assert protection.loc["34", "gap_share_permitted"] == 0.0  # Yogyakarta has an LPSK office
    agencies = set(districts_all.loc[districts_all["capability"] == "witness_protection", "agency_id_any"])
    assert agencies <= {"lpsk-pusat", "lpsk-diy", "lpsk-sumut", "lpsk-jatim", "lpsk-jateng", "lpsk-ntt"}


def test_public_case_figures_are_suppressed_and_authorised_ones_raw(seeded_engine):
    options = {"capabilities": ["psychological"], "level": "regency", "within": KALTIM}
    options["case_measure"] = "police TPPO cases"  # published per regency in Kalimantan Timur
    public = coverage.coverage_table(seeded_engine, **options).set_index("code")
    internal = coverage.coverage_table(seeded_engine, authorised=True, **options).set_index("code")
    k = settings.suppress_below
    assert internal.loc[PPU, "cases"] == 2 and public.loc[PPU, "cases"] == f"<{k}"
    assert np.isnan(public.loc[PPU, "gap_cases_permitted"])
    assert internal.loc["64.07", "cases"] == 7 and public.loc["64.07", "cases"] == 7  # Kutai Barat, above k
    expected = 7 * internal.loc["64.07", "gap_population_share_permitted"]
    assert public.loc["64.07", "gap_cases_permitted"] == pytest.approx(expected)
    with pytest.raises(InputError, match="case_source"):
        coverage.case_figures(seeded_engine, "LPSK TPPO protection applications")


def test_public_gap_cases_below_the_threshold_are_banded_and_authorised_ones_raw(seeded_engine):
    options = {"capabilities": ["shelter"], "level": "regency", "within": KALTIM, "case_measure": "police TPPO cases"}
    public = coverage.coverage_table(seeded_engine, **options)
    internal = coverage.coverage_table(seeded_engine, authorised=True, **options).set_index("code")
    k, shown = settings.suppress_below, public.set_index("code")
    gap = internal["gap_cases_permitted"]
    small, large = gap[(gap > 0) & (gap < k)], gap[gap >= k]
    assert len(small) and len(large)  # Kutai Barat's 7 cases, most beyond the standard; a share of fewer elsewhere
    banded = shown.loc[small.index, "gap_cases_permitted"]
    assert (banded == f"<{k}").any() and (banded.isna() | (banded == f"<{k}")).all()  # NaN: the cases are hidden
    np.testing.assert_allclose(shown.loc[large.index, "gap_cases_permitted"].astype(float), large)
    published = [feature["properties"] for feature in json.loads(coverage.to_geojson(public))["features"]]
    values = [row[f"gap_cases_{mode}"] for row in published for mode in ("any", "permitted")]
    assert f"<{k}" in values and all(v is None or v == f"<{k}" or v >= k for v in values)


def test_case_figures_name_the_source_or_the_measure_that_has_none(seeded_engine):
    with pytest.raises(InputError) as error:
        coverage.case_figures(seeded_engine, "police TPPO cases", source="nope")
    assert (error.value.field, error.value.value) == ("case_source", "nope")
    assert "swarakaltim.com" in str(error.value)
    with pytest.raises(InputError) as error:
        coverage.case_figures(seeded_engine, "gossip")
    assert (error.value.field, error.value.value) == ("case_measure", "gossip")


def test_cli_joins_a_measure_of_several_sources_once_the_source_is_given(seeded_engine, monkeypatch):
    from cli.coverage import coverage as command

    monkeypatch.setattr(settings, "database_url", seeded_engine.url.render_as_string(hide_password=False))
    asked = [
        "--capability",
        "witness_protection",
        "--level",
        "province",
        "--within",
        "53",
        "--case-measure",
        "LPSK TPPO protection applications",
    ]
    refused = CliRunner().invoke(command, asked)
    assert refused.exit_code == 2 and "case_source" in refused.output
    answer = CliRunner().invoke(command, [*asked, "--case-source", "viva.co.id; lpsk.go.id", "--json"])
    assert answer.exit_code == 0, answer.output
    ntt = next(row for row in json.loads(answer.output) if row["code"] == "53")
    assert (ntt["cases"], ntt["case_source"]) == (55, "viva.co.id; lpsk.go.id")  # 2024, the latest


def test_geojson_has_no_agency_points_and_ignores_where_a_safe_house_really_is(engine):
    directory_io.seed_default(engine)
    cases.import_csv(engine)
    options = {"capabilities": ["reintegration", "shelter"], "level": "province"}
    before = coverage.to_geojson(coverage.coverage_table(engine, **options))
    internal_before = coverage.coverage_table(engine, authorised=True, **options)
    with session_scope(engine) as session:  # move the confidential shelter within Jakarta Timur
        shelter = session.get(ServiceLocation, "kemensos-rptc-bambu-apus")
        shelter.lon, shelter.lat = shelter.lon - 0.01, shelter.lat - 0.02
        assert lookup.locate([shelter.lon], [shelter.lat], "regency") == ["31.75"]
    after = coverage.to_geojson(coverage.coverage_table(engine, **options))
    internal_after = coverage.coverage_table(engine, authorised=True, **options)
    assert after == before
    assert not np.allclose(internal_after["median_h_any"], internal_before["median_h_any"])
    features = json.loads(before)["features"]
    assert {feature["geometry"]["type"] for feature in features} <= {"Polygon", "MultiPolygon"}
    assert not {"lon", "lat", "address"} & set(features[0]["properties"])
    with pytest.raises(InputError, match="authorised"):
        coverage.to_geojson(internal_before)


def test_cli_prints_a_table_and_explains_an_unknown_capability(seeded_engine, monkeypatch):
    from cli.coverage import coverage as command

    monkeypatch.setattr(settings, "database_url", seeded_engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    table = runner.invoke(command, ["--capability", "psychological", "--level", "regency", "--within", KALTIM])
    assert table.exit_code == 0, table.output
    assert "Kabupaten Kutai Kartanegara" in table.output and "Kota Samarinda" in table.output
    wrong = runner.invoke(command, ["--capability", "psycholgical"])
    assert wrong.exit_code == 2
    assert "Did you mean 'psychological'?" in wrong.output
    gaps = runner.invoke(
        command,
        ["--capability", "witness_protection", "--level", "district", "--within", "94", "--gaps-only", "--json"],
    )
    records = json.loads(gaps.output)
    assert records and all(record["gap_permitted"] for record in records)
    assert all(record["code"].startswith("94.") for record in records)


@pytest.mark.parametrize(("level", "rules"), [("province", "both"), ("regency", "with"), ("district", "without")])
def test_every_coverage_answer_has_the_shape_the_api_documents(seeded_engine, level, rules):
    import jsonschema

    from routing import schemas

    within = "64" if level == "district" else None
    table = coverage.coverage_table(seeded_engine, ["shelter"], level=level, rules=rules, within=within)
    answer = json.loads(coverage.to_geojson(table, geometry=level != "district"))
    jsonschema.validate(answer, schemas.COVERAGE)
    assert list(answer["features"][0]["properties"]) == [p for p in schemas.COVERAGE_PROPERTIES if p in table]


def test_a_coverage_request_searches_nothing_once_the_directorys_searches_are_kept(frames, monkeypatch):
    agencies, agreements = frames
    network = national_network()
    coverage.district_coverage(agencies, agreements, capabilities=["shelter"], network=network)  # kept from here
    searches = []
    monkeypatch.setattr("routing._national_sources.dijkstra", lambda *a, **k: searches.append(1) or dijkstra(*a, **k))
    again = coverage.district_coverage(agencies, agreements, capabilities=["medical", "shelter"], network=network)
    assert searches == [] and len(again) == 2 * len(network.codes)
    moved = agencies.assign(lon=agencies["lon"] + 0.01)  # a directory change: its points are joined and searched anew
    coverage.district_coverage(moved, agreements, capabilities=["shelter"], network=network)
    assert len(searches) == 1  # one call: every distinct point of the new directory at once


def test_the_kept_searches_are_read_only_and_a_one_off_matrix_is_not_kept(frames):
    agencies, _ = frames
    network = national_network()
    kept = network.sources(agencies["lon"], agencies["lat"]).point_hours()
    with pytest.raises(ValueError, match="read-only"):
        kept[0, 0] = 0.0
    lon, lat = agencies["lon"].to_numpy()[:5] + 0.02, agencies["lat"].to_numpy()[:5]
    matrix = network.hours_from_sources(lon, lat)
    matrix[0, 0] = -1.0  # the caller's own copy
    assert "point_hours" not in network.sources(lon, lat).kept
