"""Words of the web maps in Bahasa Indonesia (the default) and English.

The map strings are the gettext catalogs ``webmap/translations/<lang>/LC_MESSAGES/webmap.po``
(domain ``webmap``; msgid: the key, msgstr: its text), compiled in memory at first use
(:mod:`core.catalogs`); ``make translations`` updates them for translators. :func:`t` translates a
key through them and fills ``{placeholders}``; :func:`translate` looks a key up in any table shaped
like :data:`STRINGS` (``{language: {key: text}}``), such as the pages' (:mod:`service.pages.strings`).
Labels of capability codes, agency types, jurisdiction levels and location precisions come from
:mod:`directory.capabilities` (:func:`vocabulary`), not from here, so each label is written once.

Every text is plain text: whatever shows it must escape it (the maps set it with
``textContent``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from core import catalogs
from core.errors import InputError
from directory import capabilities
from routing.travel import format_hours

LANGUAGES: tuple[str, ...] = ("id", "en")
DEFAULT_LANGUAGE = "id"

TRANSLATIONS_DIR = str(Path(__file__).resolve().parent / "translations")
"""The folder of the map strings' catalogs (``<lang>/LC_MESSAGES/webmap.po``)."""
DOMAIN = "webmap"
"""The gettext domain of the map strings: the maps are drawn outside any request (``rujuk`` commands, tests), in
a language given to each call, and their keys (``value``, ``name``...) overlap the pages' with other words."""

STRINGS: dict[str, dict[str, str]] = {lang: catalogs.messages(TRANSLATIONS_DIR, DOMAIN, lang) for lang in LANGUAGES}
"""The map strings, ``{language: {key: text}}``: the translated messages of each catalog."""

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
    """Return the map string `key` in `lang` through gettext (the ``webmap`` catalog), placeholders filled.

    Raises the errors of :func:`translate` for an unknown `lang` or `key`.
    """
    if key not in STRINGS[check_language(lang)]:
        return translate(STRINGS, key, lang)  # raises the KeyError that names close keys
    text = catalogs.translations(TRANSLATIONS_DIR, DOMAIN, lang).gettext(key)
    return text.format(**values) if values else text


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
