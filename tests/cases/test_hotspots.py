"""Hot and cold spots (Getis-Ord Gi*) of the seeded real case figures."""

from __future__ import annotations

import numpy as np
import pytest
from case_rows import insert
from esda.getisord import G_Local
from esda.significance import calculate_significance
from libpysal.weights import Queen

import cases
from cases import hotspots as hs
from core import settings
from core.errors import InputError
from geo import boundaries

pytestmark = pytest.mark.filterwarnings("ignore:The alternative hypothesis:DeprecationWarning")

KALTIM = "police TPPO cases"  # ten Kalimantan Timur regencies, most counts below 5
POLDA = "police TPPO victims"  # six provinces, several of them islands in the subset


def _direct(rates: np.ndarray, codes: list[str], level: str, permutations: int = 99, seed: int = 0):
    areas = boundaries.load_areas(level).set_index("code").loc[codes].reset_index()
    statistic = G_Local(
        rates, hs.contiguity_weights(areas), transform="B", star=True, permutations=permutations, seed=seed, n_jobs=1
    )
    return statistic.Zs, calculate_significance(statistic.Gs, statistic.rGs, alternative="two-sided")


def test_gi_star_equals_a_direct_esda_computation_on_the_true_rates(seeded_engine):
    frame = hs.hotspots(seeded_engine, KALTIM, permutations=99, authorised=True)
    raw = cases.query_figures(seeded_engine, measure=KALTIM, level="regency").sort_values("area_code")
    rates = (raw["value"] / raw["population"].astype(float) * 100_000).to_numpy()
    z, p = _direct(rates, raw["area_code"].tolist(), "regency")
    assert frame["code"].tolist() == raw["area_code"].tolist()
    np.testing.assert_allclose(frame["gi_z"], z)
    np.testing.assert_allclose(frame["gi_p"], p)
    assert frame["value"].tolist() == raw["value"].tolist()


def test_public_hotspots_use_only_the_published_values(seeded_engine):
    frame = hs.hotspots(seeded_engine, KALTIM, permutations=99)
    raw = cases.query_figures(seeded_engine, measure=KALTIM, level="regency").sort_values("area_code")
    small = raw["value"].to_numpy() < settings.suppress_below
    assert small.sum() >= 5
    assert (frame["value"][small] == f"<{settings.suppress_below}").all()
    assert frame["rate_per_100k"][small].isna().all() and frame["rate_per_100k"][~small].notna().all()
    counts = np.where(small, (settings.suppress_below - 1) / 2, raw["value"])  # the middle of the band "<k"
    z, p = _direct(counts / raw["population"].astype(float).to_numpy() * 100_000, raw["area_code"].tolist(), "regency")
    np.testing.assert_allclose(frame["gi_z"], z)
    np.testing.assert_allclose(frame["gi_p"], p)


def test_islands_get_their_nearest_area_as_neighbour():
    provinces = boundaries.load_areas("province")
    weights = hs.contiguity_weights(provinces)
    queen = Queen.from_dataframe(provinces, use_index=False, silence_warnings=True)
    assert queen.islands, "the archipelago has provinces with no Queen neighbour"
    assert weights.islands == []
    assert all(set(queen.neighbors[i]) <= set(weights.neighbors[i]) for i in range(len(provinces)))
    assert all(i in weights.neighbors[j] for i in weights.neighbors for j in weights.neighbors[i])  # symmetric
    polda = provinces[provinces["code"].isin(["12", "14", "21", "33", "53", "61"])].reset_index(drop=True)
    subset = hs.contiguity_weights(polda)
    assert subset.islands == []
    kepri = polda.index[polda["code"] == "21"][0]
    assert "14" in polda.loc[subset.neighbors[kepri], "code"].tolist()  # Kepulauan Riau: the nearest coast is Riau


def test_classes_follow_the_documented_thresholds(seeded_engine, monkeypatch):
    z = np.array([2.0, -2.0, 2.0, -2.0, 0.0, np.nan])
    p = np.array([0.05, 0.05, 0.051, 0.2, 0.01, 0.01])
    assert hs.classify(z, p).tolist() == [
        "hot",
        "cold",
        "not significant",
        "not significant",
        "not significant",
        "not significant",
    ]
    frame = hs.hotspots(seeded_engine, POLDA, level="province", permutations=99)
    assert frame["hotspot_class"].tolist() == hs.classify(frame["gi_z"], frame["gi_p"]).tolist()
    assert set(frame["hotspot_class"]) <= set(hs.CLASSES)
    monkeypatch.setattr(settings, "hotspot_alpha", 0.99)  # the setting refuses 1 (not a significance level)
    loose = hs.hotspots(seeded_engine, POLDA, level="province", permutations=99)
    assert (loose["hotspot_class"] != "not significant").sum() >= (frame["hotspot_class"] != "not significant").sum()
    assert loose.attrs["alpha"] == 0.99


def test_measures_and_sources_are_never_mixed(seeded_engine):
    with pytest.raises(InputError, match=r"keidenesia\.tv.*viva\.co\.id") as error:
        hs.hotspots(seeded_engine, "LPSK TPPO protection applications", level="province")
    assert error.value.field == "source"
    frame = hs.hotspots(seeded_engine, POLDA, level="province", permutations=99)
    assert set(frame["measure"]) == {POLDA} and frame["source"].nunique() == 1
    assert frame[["period_start", "period_end"]].drop_duplicates().shape[0] == 1
    raw = cases.query_figures(seeded_engine, measure=POLDA, level="province")
    assert sorted(frame["code"]) == sorted(
        raw["area_code"]
    )  # Satgas or Kemensos figures of the same provinces left out


def test_bad_requests_name_the_field_and_what_exists(seeded_engine):
    with pytest.raises(InputError, match="police TPPO victims") as error:
        hs.hotspots(seeded_engine, "police victims")
    assert error.value.field == "measure"
    with pytest.raises(InputError, match="province") as error:
        hs.hotspots(seeded_engine, POLDA, level="regency")
    assert error.value.field == "level"
    with pytest.raises(InputError, match="at least 19"):
        hs.hotspots(seeded_engine, POLDA, level="province", permutations=5)
    with pytest.raises(InputError, match="at least 3 areas"):
        hs.hotspots(
            seeded_engine, "LPSK TPPO protection applications", source="viva.co.id; lpsk.go.id", level="province"
        )


def test_the_seed_makes_results_repeat(seeded_engine):
    first = hs.hotspots(seeded_engine, KALTIM, permutations=99, seed=7)
    again = hs.hotspots(seeded_engine, KALTIM, permutations=99, seed=7)
    assert first["gi_p"].tolist() == again["gi_p"].tolist()
    assert first.crs == "EPSG:4326" and list(first.columns) == hs.COLUMNS


def test_public_hotspots_withhold_complementary_counts_and_treat_them_as_k(engine):
    values = {"64": 40, "64.01": 3, "64.02": 12, "64.03": 8, "64.07": 9, "64.08": 8}  # 40 - 12 - 9 - 8 = 3 + 8
    insert(engine, values, measure=POLDA)
    frame = hs.hotspots(engine, POLDA, level="regency", permutations=99)
    published = cases.public_figures(engine, measure=POLDA, level="regency").set_index("area_code")
    assert frame["value"].tolist() == published.loc[frame["code"], "value"].tolist() == ["<5", 12, "x", 9, 8]
    assert frame["rate_per_100k"].isna().tolist() == [True, False, True, False, False]
    k = settings.suppress_below
    raw = cases.query_figures(engine, measure=POLDA, level="regency").sort_values("area_code")
    counts = np.array([(k - 1) / 2, 12, k, 9, 8])  # what the public knows: "<k" is its middle, "x" at least k
    z, p = _direct(counts / raw["population"].astype(float).to_numpy() * 100_000, raw["area_code"].tolist(), "regency")
    np.testing.assert_allclose(frame["gi_z"], z)
    np.testing.assert_allclose(frame["gi_p"], p)
    assert hs.hotspots(engine, POLDA, level="regency", permutations=99, authorised=True)["value"].tolist() == [
        3,
        12,
        8,
        9,
        8,
    ]
