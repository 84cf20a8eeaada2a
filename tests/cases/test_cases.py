"""Case figures: import of the real sample, BPS codes through the crosswalk, whole-file rejection, suppression."""

from __future__ import annotations

import csv
from datetime import date

import pytest

import cases
from core import settings
from core.errors import ImportRejectedError, InputError

GOOD = {
    "area_code": "53.71",
    "code_system": "kemendagri",
    "period_start": "2023-01-01",
    "period_end": "2023-12-31",
    "measure": "police TPPO victims",
    "unit": "victims",
    "value": "12",
    "source": "test source",
    "source_url": "",
    "note": "",
}


def write_csv(tmp_path, rows: list[dict[str, str]], name: str = "figures.csv"):
    path = tmp_path / name
    columns = list(rows[0]) if rows else list(GOOD)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def figure(**changes: str) -> dict[str, str]:
    return {**GOOD, **changes}


def test_sample_file_imports_with_a_source_and_measure_on_every_row(engine):
    with cases.SAMPLE_CSV.open(encoding="utf-8") as handle:
        expected = sum(1 for _ in csv.DictReader(handle))
    assert cases.import_csv(engine) == expected
    stored = cases.query_figures(engine)
    assert len(stored) == expected
    assert stored[["measure", "source", "unit"]].ne("").all().all()
    kaltim = cases.query_figures(engine, measure="police TPPO cases").set_index("area_code")["value"]
    assert kaltim.to_dict() == {
        "64.01": 4,
        "64.02": 5,
        "64.03": 4,
        "64.07": 7,
        "64.08": 2,
        "64.09": 2,
        "64.11": 0,
        "64.71": 2,
        "64.72": 1,
        "64.74": 2,
    }


def test_figures_of_different_measures_stay_separate_rows(engine):
    cases.import_csv(engine)
    ntt = cases.query_figures(engine, area_code="53", start=date(2023, 1, 1), end=date(2023, 12, 31))
    assert sorted(zip(ntt["measure"], ntt["value"], strict=True)) == [
        ("LPSK TPPO protection applications", 179),
        ("Satgas TPPO police reports", 5),  # 5-11 June 2023
        ("Satgas TPPO police reports", 20),  # 5-19 June 2023
        ("police TPPO victims", 255),
    ]


def _sample_rows() -> list[dict[str, str]]:
    with cases.SAMPLE_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_every_sample_row_names_its_source_and_the_june_2023_reports_link_the_page_read():
    rows = _sample_rows()
    assert all(row["source"].strip() and row["measure"].strip() for row in rows)
    june = [row for row in rows if row["measure"].startswith("Satgas TPPO")]
    assert len(june) > 60
    assert all(row["source_url"].startswith(("https://", "http://")) for row in june)
    linked = [row for row in rows if row["source_url"]]
    assert all(" " not in row["source_url"] for row in linked)  # one address, not a list


def test_the_june_2023_police_reports_add_up_to_the_published_total_without_joint_or_split_poldas():
    rows = [row for row in _sample_rows() if row["measure"] == "Satgas TPPO police reports"]
    first_week = [row for row in rows if row["period_end"] == "2023-06-11"]
    total = next(int(row["value"]) for row in first_week if row["area_code"] == "ID")
    provinces = [row for row in first_week if row["area_code"] != "ID"]
    # 190 reports: Bareskrim with Polda Kaltara (15) and Polda Papua (1) are not one of today's provinces
    assert total == 190 and sum(int(row["value"]) for row in provinces) == total - 15 - 1
    assert len({row["area_code"] for row in provinces}) == len(provinces) == 21
    satgas = [row for row in _sample_rows() if row["measure"].startswith("Satgas TPPO")]
    assert not [row for row in satgas if row["area_code"] in ("65", "91", "92")]  # joint or pre-split Poldas
    jakarta = [row for row in satgas if row["area_code"] == "31"]
    assert jakarta and all("Metro Jaya" in row["note"] and "Bekasi" in row["note"] for row in jakarta)


def test_the_june_2023_reports_give_the_map_and_hot_spots_more_than_twenty_provinces(engine):
    cases.import_csv(engine)
    reports = cases.query_figures(engine, measure="Satgas TPPO police reports", source="viva.co.id", level="province")
    assert reports["area_code"].nunique() == 25
    assert set(reports["period_end"].astype(str)) == {"2023-06-19"}


def test_bps_code_5303_lands_on_kabupaten_kupang(engine, tmp_path):
    rows = [
        figure(area_code="5303", code_system="bps2020"),
        figure(area_code="5371", code_system="bps2020", source="other source"),
        figure(area_code="53", code_system="bps2020"),
    ]
    assert cases.import_csv(engine, write_csv(tmp_path, rows)) == 3
    stored = cases.query_figures(engine).set_index("source_area_code")["area_code"]
    assert stored.to_dict() == {"5303": "53.01", "5371": "53.71", "53": "53"}
    assert cases.query_figures(engine, area_code="53.01")["area_name"].tolist() == ["Kabupaten Kupang"]


def test_bps_papua_province_split_in_2022_is_refused(engine, tmp_path):
    with pytest.raises(ImportRejectedError, match=r"split in 2022") as caught:
        cases.import_csv(engine, write_csv(tmp_path, [figure(area_code="94", code_system="bps2020")]))
    assert [(e.row, e.field) for e in caught.value.errors] == [(1, "area_code")]


def test_bps_shaped_code_written_as_kemendagri_is_refused_with_both_readings(engine, tmp_path):
    with pytest.raises(ImportRejectedError, match="set code_system to bps2020") as caught:
        cases.import_csv(engine, write_csv(tmp_path, [figure(area_code="5303")]))
    [error] = caught.value.errors
    assert "an undotted Kemendagri code, 53.03 (Kabupaten Timor Tengah Utara)" in error.message
    assert "a BPS 2020 code, which the crosswalk makes Kemendagri 53.01 (Kabupaten Kupang)" in error.message
    assert "write it dotted (53.03)" in error.message


def test_empty_measure_and_source_get_their_own_advice(engine, tmp_path):
    with pytest.raises(ImportRejectedError) as caught:
        cases.import_csv(engine, write_csv(tmp_path, [figure(measure=" ", source="")]))
    measure, source = caught.value.errors
    assert (measure.field, source.field) == ("measure", "source")
    assert "its measure" in measure.message and "police TPPO victims" in measure.message
    assert "source" not in measure.message and "its source" in source.message


def test_empty_file_is_an_input_error_naming_the_file(engine, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match="no header line") as caught:
        cases.import_csv(engine, path)
    assert caught.value.field == "file" and caught.value.value == str(path)
    assert "area_code" in str(caught.value)


def test_a_row_with_more_cells_than_the_header_is_a_row_error(engine, tmp_path):
    path = write_csv(tmp_path, [figure()])
    path.write_text(path.read_text(encoding="utf-8") + "53.71,kemendagri,2023-01-01,2023-12-31,m,cases,1,s,,,extra\n")
    with pytest.raises(ImportRejectedError) as caught:
        cases.import_csv(engine, path)
    assert [(e.row, e.field, e.value) for e in caught.value.errors] == [(2, "(extra cells)", ["extra"])]


def test_bad_file_is_rejected_whole_with_every_row_error_and_nothing_written(engine, tmp_path):
    rows = [
        figure(),  # row 1: good
        figure(area_code="99.99"),  # row 2
        figure(value="-3", source="b"),  # row 3
        figure(value="1,297", source="c"),  # row 4
        figure(value="12.5", source="d"),  # row 5
        figure(period_start="2023-13-01", source="e"),  # row 6
        figure(period_start="2023-12-31", period_end="2023-01-01", source="f"),  # row 7
        figure(source=" "),  # row 8
        figure(measure="", source="g"),  # row 9
        figure(),  # row 10: duplicate of row 1
        figure(unit="people", source="h"),  # row 11
        figure(code_system="bps", source="i"),  # row 12
        figure(source_url="lpsk.go.id", source="j"),  # row 13
    ]
    with pytest.raises(ImportRejectedError) as caught:
        cases.import_csv(engine, write_csv(tmp_path, rows))
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (2, "area_code"),
        (3, "value"),
        (4, "value"),
        (5, "value"),
        (6, "period_start"),
        (7, "period_end"),
        (8, "source"),
        (9, "measure"),
        (10, "area_code"),
        (11, "unit"),
        (12, "code_system"),
        (13, "source_url"),
    ]
    assert "row 1" in caught.value.errors[8].message
    assert "nothing was written" in str(caught.value)
    assert cases.query_figures(engine).empty


def test_missing_and_unknown_columns_reject_the_file(engine, tmp_path):
    row = {key: value for key, value in GOOD.items() if key != "source"} | {"vaule": "3"}
    with pytest.raises(ImportRejectedError) as caught:
        cases.import_csv(engine, write_csv(tmp_path, [row]))
    assert [(e.row, e.field) for e in caught.value.errors] == [(0, "source"), (0, "vaule")]


def test_a_figure_already_in_the_database_rejects_the_file(engine, tmp_path):
    count = cases.import_csv(engine)
    again = figure(
        area_code="ID",
        period_start="2023-01-01",
        period_end="2023-12-31",
        measure="LPSK TPPO protection applications",
        unit="applications",
        value="1297",
        source="keidenesia.tv",
    )
    with pytest.raises(ImportRejectedError, match="the database"):
        cases.import_csv(engine, write_csv(tmp_path, [figure(), again]))
    assert len(cases.query_figures(engine)) == count


@pytest.fixture
def small_counts(engine, tmp_path):
    values = {"64.01": "0", "64.02": "2", "64.03": "4", "64.07": "5", "64.08": "10", "64.09": "12"}
    rows = [figure(area_code=code, value=value) for code, value in values.items()]
    cases.import_csv(engine, write_csv(tmp_path, rows))
    return engine


def public_values(engine) -> dict[str, object]:
    return cases.public_figures(engine).set_index("area_code")["value"].to_dict()


def test_counts_below_five_are_shown_as_less_than_five(small_counts):
    shown = public_values(small_counts)
    assert shown == {"64.01": "<5", "64.02": "<5", "64.03": "<5", "64.07": 5, "64.08": 10, "64.09": 12}


def test_suppressed_counts_have_no_rate(small_counts):
    public = cases.public_figures(small_counts).set_index("area_code")
    assert public.loc[["64.01", "64.02", "64.03"], "rate_per_100k"].isna().all()
    assert public.loc[["64.07", "64.08", "64.09"], "rate_per_100k"].notna().all()
    assert public["suppressed"].sum() == 3


def test_raising_the_threshold_to_eleven_suppresses_more(small_counts, monkeypatch):
    monkeypatch.setattr(settings, "suppress_below", 11)
    shown = public_values(small_counts)
    assert shown == {"64.01": "<11", "64.02": "<11", "64.03": "<11", "64.07": "<11", "64.08": "<11", "64.09": 12}


def test_rate_uses_the_registered_population(engine, tmp_path):
    cases.import_csv(engine, write_csv(tmp_path, [figure(area_code="53.71", value="101")]))
    row = cases.public_figures(engine).iloc[0]
    assert row["population"] == 404_120
    assert row["rate_per_100k"] == pytest.approx(101 / 404_120 * 100_000, abs=0.01)


def test_unknown_level_is_an_input_error(engine):
    with pytest.raises(InputError) as caught:
        cases.query_figures(engine, level="village")
    assert caught.value.field == "level"
