"""Words of the web maps in Bahasa Indonesia (the default) and English.

:func:`translate` looks a key up in any table shaped like :data:`STRINGS`
(``{language: {key: text}}``) and fills ``{placeholders}``; the HTML pages keep
their own table (``service/strings.py``) and call it too. :func:`t` is
``translate`` on the map strings. Labels of capability codes, agency types,
jurisdiction levels and location precisions come from :mod:`directory.capabilities`
(:func:`vocabulary`), not from here, so each label is written once.

Every text is plain text: whatever shows it must escape it (the maps set it with
``textContent``).
"""

from __future__ import annotations

from collections.abc import Mapping

from core.errors import InputError
from directory import capabilities
from routing.travel import format_hours

LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"

STRINGS: dict[str, dict[str, str]] = {
    "id": {
        "map_title": "Peta layanan rujukan korban TPPO",
        "layer_provinces": "Batas provinsi",
        "layer_regencies": "Batas kabupaten/kota",
        "layer_cases": "{noun} per 100.000 penduduk: {measure}",
        "layer_hotspots": "Titik panas dan dingin (Gi*): {measure}",
        "layer_agencies": "Lembaga layanan",
        "layer_coverage": "Waktu tempuh ke layanan: {capability}",
        "layer_route": "Rute",
        "layer_origin": "Lokasi asal",
        "legend_title": "Keterangan",
        "legend_cases": "{noun} per 100.000 penduduk",
        "legend_no_figure": "Tidak ada angka untuk wilayah ini (sumber dan periode ini)",
        "legend_exclusive": "Satu isian wilayah sekaligus: angka kasus, titik panas, waktu tempuh atau penyebab "
        "kesenjangan",
        "legend_suppressed": "Angka kecil disembunyikan (<{k}), tanpa angka per 100.000",
        "legend_withheld": "Ditahan (x) agar total dikurangi bagian lain tidak membuka angka kecil",
        "legend_hotspots": "Gi* (permutasi, α = {alpha})",
        "legend_nothing_significant": "Tidak ada wilayah signifikan pada α = {alpha}: tanpa titik panas atau dingin",
        "legend_coverage": "Waktu tempuh (dengan aturan yurisdiksi)",
        "legend_gap": "Melebihi standar waktu (kesenjangan layanan)",
        "legend_estimated": "Lebih pucat: perkiraan model (bukan jadwal atau jalan yang dipetakan)",
        "legend_no_tiles": "Peta dasar tidak ditampilkan",
        "layer_gap_kinds": "Penyebab kesenjangan: {capability}",
        "legend_gap_kinds": "Penyebab kesenjangan: {capability}",
        "legend_gap_kinds_note": "Terverifikasi: kantor terkonfirmasi di provinsi (atau kantor nasional dalam standar)",
        "gap_kind_within_standard": "Dalam standar waktu",
        "gap_kind_too_far": "Terlalu jauh: layanan ada, di luar standar waktu",
        "gap_kind_no_verified_entry": "Tidak ada entri terverifikasi di direktori",
        "gap_kind_note_too_far": "Kantor terkonfirmasi yang memberi layanan ini ada di provinsi, tetapi di luar "
        "standar waktu dari sini.",
        "gap_kind_note_no_verified_entry": "Tidak ada kantor terkonfirmasi yang memberi layanan ini di provinsi, "
        "atau kantor nasional dalam standar: mungkin direktorinya yang kurang (kantor belum dikonfirmasi atau "
        "belum dicatat).",
        "gap_kind": "Penyebab kesenjangan",
        "gap_districts": "Kecamatan di luar standar",
        "no_entry_districts": "Di antaranya tanpa entri terverifikasi",
        "count_of": "{n} dari {total}",
        "directory_here": "Entri direktori di kabupaten/kota ini (terkonfirmasi / semua)",
        "directory_province": "Entri direktori di provinsi (terkonfirmasi / semua)",
        "oldest_verified": "Verifikasi tertua di provinsi",
        "hot": "Titik panas",
        "cold": "Titik dingin",
        "not significant": "Tidak signifikan",
        "time_<1 h": "< 1 jam",
        "time_1-2 h": "1-2 jam",
        "time_2-4 h": "2-4 jam",
        "time_4-8 h": "4-8 jam",
        "time_8-24 h": "8-24 jam",
        "time_24 h or more": "24 jam atau lebih",
        "time_unreachable": "Tidak terjangkau",
        "area": "Wilayah",
        "value": "Jumlah",
        "rate": "Per 100.000 penduduk",
        "measure": "Ukuran",
        "source": "Sumber",
        "period": "Periode",
        "gi_z": "Skor z Gi*",
        "gi_p": "Nilai p (permutasi)",
        "class": "Kelas",
        "name": "Nama",
        "organization": "Organisasi",
        "agency_type": "Jenis lembaga",
        "services": "Layanan",
        "contact": "Kontak",
        "phone": "Telepon",
        "email": "Surel",
        "website": "Situs web",
        "address": "Alamat",
        "location_precision": "Ketepatan lokasi",
        "confidential_note": "Lokasi dirahasiakan: ditampilkan di titik kabupaten/kota",
        "filter_capability": "Layanan",
        "filter_type": "Jenis",
        "all": "Semua",
        "capability": "Layanan",
        "standard": "Standar waktu",
        "median_time": "Waktu tempuh median",
        "worst_time": "Waktu tempuh terlama",
        "gap_share": "Kecamatan di luar standar",
        "hours": "{hours} jam",
        "yes": "Ya",
        "no": "Tidak",
        "not_available": "Data tidak tersedia",
        "no_figure": "Tidak ada angka",
        "origin": "Titik asal rujukan",
        "rank": "Urutan",
        "travel_time": "Waktu tempuh",
        "distance": "Jarak",
        "jurisdiction": "Yurisdiksi",
        "coordination_needed": "Perlu koordinasi lintas wilayah",
        "needs_matched": "Kebutuhan yang dipenuhi",
        "model": "Model perjalanan",
        "estimate": "perkiraan",
        "legs": "Rute per moda",
        "attribution_boundaries": "Batas wilayah: cahyadsn/wilayah_boundaries (MIT)",
        "attribution_osm": "Jaringan jalan: © kontributor OpenStreetMap (ODbL)",
        "attribution_cases": "Angka kasus: laporan publik (lihat sumber tiap angka)",
        "gap_population": "Penduduk di luar standar",
        "zoom_in": "Perbesar",
        "zoom_out": "Perkecil",
        "layers": "Lapisan peta",
        "layer_plan_sites": "Kantor yang ada dan yang diusulkan",
        "layer_plan_newly_covered": "Wilayah yang baru terjangkau",
        "layer_plan_uncovered": "Wilayah yang masih di luar standar",
        "legend_plan_existing": "Kantor yang ada",
        "legend_plan_new": "Kantor baru yang diusulkan (urutan nilai tambah)",
        "population": "Penduduk",
        "plan_hours_before": "Waktu tempuh sebelum",
        "plan_hours_after": "Waktu tempuh sesudah",
        "plan_cases": "Perkiraan kasus",
        "plan_role": "Peran",
        "plan_added_value": "Nilai tambah",
        "plan_added_covered": "Permintaan yang baru terjangkau",
        "close_popup": "Tutup",
    },
    "en": {
        "map_title": "Referral services for trafficking (TPPO) victims",
        "layer_provinces": "Province boundaries",
        "layer_regencies": "Regency and city boundaries",
        "layer_cases": "{noun} per 100,000 people: {measure}",
        "layer_hotspots": "Hot and cold spots (Gi*): {measure}",
        "layer_agencies": "Service agencies",
        "layer_coverage": "Travel time to help: {capability}",
        "layer_route": "Routes",
        "layer_origin": "Origin",
        "legend_title": "Legend",
        "legend_cases": "{noun} per 100,000 people",
        "legend_no_figure": "No figure for this area (this source and period)",
        "legend_exclusive": "One area fill at a time: case figures, hot spots, travel time or why the gap",
        "legend_suppressed": "Small count suppressed (<{k}), no rate",
        "legend_withheld": "Withheld (x) so that a total minus its other parts cannot reveal a small count",
        "legend_hotspots": "Gi* (permutations, α = {alpha})",
        "legend_nothing_significant": "No area is significant at α = {alpha}: no hot or cold spot",
        "legend_coverage": "Travel time (with jurisdiction rules)",
        "legend_gap": "Beyond the time standard (coverage gap)",
        "legend_estimated": "Lighter: a model's estimate (not a timetable or a mapped road)",
        "legend_no_tiles": "No base map shown",
        "layer_gap_kinds": "Why the gap: {capability}",
        "legend_gap_kinds": "Why the gap: {capability}",
        "legend_gap_kinds_note": "Verified: a confirmed office in the province (or a national one within the standard)",
        "gap_kind_within_standard": "Within the time standard",
        "gap_kind_too_far": "Too far: help exists, beyond the standard",
        "gap_kind_no_verified_entry": "No verified entry in the directory",
        "gap_kind_note_too_far": "A confirmed office offering this service is in the province, but beyond the "
        "time standard from here.",
        "gap_kind_note_no_verified_entry": "No confirmed office offering this service in the province, nor a "
        "national one within the standard: the directory may be what is missing (an office not yet confirmed, "
        "or not recorded).",
        "gap_kind": "Why the gap",
        "gap_districts": "Districts beyond the standard",
        "no_entry_districts": "Of which without a verified entry",
        "count_of": "{n} of {total}",
        "directory_here": "Directory entries in this regency (confirmed / all)",
        "directory_province": "Directory entries in the province (confirmed / all)",
        "oldest_verified": "Oldest verification in the province",
        "hot": "Hot spot",
        "cold": "Cold spot",
        "not significant": "Not significant",
        "time_<1 h": "< 1 h",
        "time_1-2 h": "1-2 h",
        "time_2-4 h": "2-4 h",
        "time_4-8 h": "4-8 h",
        "time_8-24 h": "8-24 h",
        "time_24 h or more": "24 h or more",
        "time_unreachable": "Unreachable",
        "area": "Area",
        "value": "Count",
        "rate": "Per 100,000 people",
        "measure": "Measure",
        "source": "Source",
        "period": "Period",
        "gi_z": "Gi* z-score",
        "gi_p": "p-value (permutation)",
        "class": "Class",
        "name": "Name",
        "organization": "Organisation",
        "agency_type": "Agency type",
        "services": "Services",
        "contact": "Contact",
        "phone": "Phone",
        "email": "Email",
        "website": "Website",
        "address": "Address",
        "location_precision": "Location precision",
        "confidential_note": "Confidential location: shown at its regency's point",
        "filter_capability": "Service",
        "filter_type": "Type",
        "all": "All",
        "capability": "Service",
        "standard": "Time standard",
        "median_time": "Median travel time",
        "worst_time": "Longest travel time",
        "gap_share": "Districts beyond the standard",
        "hours": "{hours} h",
        "yes": "Yes",
        "no": "No",
        "not_available": "Data not available",
        "no_figure": "No figure",
        "origin": "Where the referral starts",
        "rank": "Rank",
        "travel_time": "Travel time",
        "distance": "Distance",
        "jurisdiction": "Jurisdiction",
        "coordination_needed": "Cross-border coordination needed",
        "needs_matched": "Needs met",
        "model": "Travel model",
        "estimate": "estimate",
        "legs": "Route by mode",
        "attribution_boundaries": "Boundaries: cahyadsn/wilayah_boundaries (MIT)",
        "attribution_osm": "Road networks: © OpenStreetMap contributors (ODbL)",
        "attribution_cases": "Case figures: public reports (see each figure's source)",
        "gap_population": "People beyond the standard",
        "zoom_in": "Zoom in",
        "zoom_out": "Zoom out",
        "layers": "Map layers",
        "layer_plan_sites": "Existing and proposed offices",
        "layer_plan_newly_covered": "Areas newly within the standard",
        "layer_plan_uncovered": "Areas still beyond the standard",
        "legend_plan_existing": "Existing office",
        "legend_plan_new": "Proposed new office (in order of added value)",
        "population": "Population",
        "plan_hours_before": "Travel time before",
        "plan_hours_after": "Travel time after",
        "plan_cases": "Estimated cases",
        "plan_role": "Role",
        "plan_added_value": "Added value",
        "plan_added_covered": "Demand newly covered",
        "close_popup": "Close",
    },
}
"""The map strings: ``{language: {key: text}}``, the same keys in every language."""

MEASURE_LABELS: dict[str, dict[str, str]] = {
    "police TPPO victims": {"id": "Korban TPPO (data Polri)", "en": "TPPO victims (police)"},
    "police TPPO cases": {"id": "Kasus TPPO (data Polda)", "en": "TPPO cases (police)"},
    "Satgas TPPO victims": {"id": "Korban TPPO (Satgas TPPO Polri)", "en": "TPPO victims (police task force)"},
    "Satgas TPPO police reports": {
        "id": "Laporan polisi TPPO (Satgas TPPO Polri)",
        "en": "TPPO police reports (police task force)",
    },
    "LPSK TPPO protection applications": {
        "id": "Permohonan perlindungan TPPO ke LPSK",
        "en": "TPPO protection applications to LPSK",
    },
    "Kemensos victims assisted": {"id": "Korban yang didampingi Kemensos", "en": "Victims assisted by Kemensos"},
    "Simfoni-PPA TPPO cases": {"id": "Kasus TPPO (Simfoni-PPA)", "en": "TPPO cases (Simfoni-PPA)"},
}
"""Names of the sample's case-figure measures (``cases/sample/figures.csv``); another measure shows as it is."""

MODE_LABELS: dict[str, dict[str, str]] = {
    "road": {"id": "jalan darat", "en": "road"},
    "access": {"id": "akses ke jalan", "en": "access to the road"},
    "ferry": {"id": "kapal feri", "en": "ferry"},
    "fast_boat": {"id": "kapal cepat", "en": "fast boat"},
    "ship": {"id": "kapal penumpang", "en": "passenger ship"},
    "sea": {"id": "penyeberangan laut (perkiraan)", "en": "sea crossing (estimated)"},
    "flight": {"id": "penerbangan", "en": "flight"},
    "route": {"id": "rute", "en": "route"},
    "straight": {"id": "garis lurus (tanpa rute)", "en": "straight line (no route)"},
}
"""Names of the leg modes (:data:`routing.modes.LEG_MODES` and ``access``) and of the map's other lines."""
UNIT_NOUNS: dict[str, dict[str, str]] = {
    "victims": {"id": "Korban", "en": "Victims"},
    "cases": {"id": "Kasus", "en": "Cases"},
    "applications": {"id": "Permohonan", "en": "Applications"},
}
"""What a figure counts, by its unit (:data:`cases.UNITS`): the noun of "... per 100,000 people"."""
MEASURE_NOUNS: dict[str, dict[str, str]] = {
    "Satgas TPPO police reports": {"id": "Laporan polisi", "en": "Police reports"},
}
"""Nouns of measures that count something more particular than their unit (a police report is stored as a case)."""


def check_language(lang: str) -> str:
    """Return `lang` if it is one of :data:`LANGUAGES`, else raise :class:`~core.errors.InputError`."""
    if lang not in LANGUAGES:
        raise InputError("lang", lang, f"is expected to be one of {list(LANGUAGES)}.")
    return lang


def translate(
    strings: Mapping[str, Mapping[str, str]], key: str, lang: str = DEFAULT_LANGUAGE, **values: object
) -> str:
    """Return the text of `key` in `lang` from a table ``{language: {key: text}}``, placeholders filled.

    Parameters
    ----------
    strings
        The table, e.g. :data:`STRINGS` or the pages' own.
    key
        The key, e.g. ``"layer_agencies"``.
    lang
        ``"id"`` (Bahasa Indonesia, the default) or ``"en"``.
    **values
        Values for the ``{placeholders}`` of the text, e.g. ``measure="police TPPO victims"``.

    Raises
    ------
    InputError
        If `lang` is not a known language.
    KeyError
        If the table has no `key` in `lang` (the message lists close keys).
    """
    table = strings[check_language(lang)]
    if key not in table:
        from difflib import get_close_matches

        close = get_close_matches(key, list(table), n=3)
        msg = f"`key` was {key!r} but the {lang!r} strings have no such key; close keys: {close or 'none'}."
        raise KeyError(msg)
    return table[key].format(**values) if values else table[key]


def t(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """Return the map string `key` in `lang` (see :func:`translate`)."""
    return translate(STRINGS, key, lang, **values)


def vocabulary(field: str, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Return ``{code: label}`` of a directory vocabulary (:data:`directory.capabilities.VOCABULARIES`) in `lang`."""
    return capabilities.labels(field, check_language(lang))


def mode_label(mode: str, lang: str) -> str:
    """Return the name of a leg mode in `lang` (the code itself when it has none)."""
    return MODE_LABELS.get(mode, {}).get(check_language(lang), mode)


def legs_line(legs: list[dict] | None, lang: str = DEFAULT_LANGUAGE) -> str:
    """Return the legs of a route in one line, e.g. ``jalan 0h14 > ~penerbangan 0h55 (WMX-DJJ) > jalan 0h30``.

    ``~`` marks a crossing or flight whose time is estimated (road legs are estimates of
    their own kind: see the travel model); the label names the flight or crossing.
    """
    parts = []
    for leg in legs or []:
        estimated = "~" if leg.get("estimated") and leg["mode"] not in ("road", "access") else ""
        label = f" ({leg['label']})" if leg.get("label") and leg["mode"] != "sea" else ""
        parts.append(f"{estimated}{mode_label(leg['mode'], lang)} {format_hours(leg.get('time_h'))}{label}")
    return " > ".join(parts)
