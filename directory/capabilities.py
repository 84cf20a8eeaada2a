"""The vocabularies of the service directory and the checks of its values.

Vocabularies: capabilities, agency types, jurisdiction levels, location precisions.

Every code has an English and a Bahasa Indonesia label; capabilities also a one-line
description in both languages. The capability codes and their meanings follow the
integrated-service rules for TPPO victims (PP 9/2008; SOP Permen PPPA 8/2021; UPTD PPA
functions Permen PPPA 2/2022; LPSK duties UU 31/2014), see ``DOMAIN.md``.

:func:`check` validates one value against a vocabulary and raises
:class:`~core.errors.InputError` listing the allowed codes and the close matches;
:func:`problem` returns the same message without raising, and :class:`RowChecker`
parses the fields of imported rows, collecting every row error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from core import db
from core.errors import InputError, NotFoundError, RowError
from core.values import blank, exceeds, is_missing
from geo import boundaries


@dataclass(frozen=True)
class Term:
    """One code of a vocabulary with its labels (``en``, ``id``) and optional descriptions."""

    code: str
    en: str
    id: str
    description_en: str = ""
    description_id: str = ""

    def label(self, language: str = "en") -> str:
        """Return the label in ``"en"`` or ``"id"`` (Bahasa Indonesia)."""
        return self.id if language == "id" else self.en


def _terms(*rows: tuple[str, ...]) -> dict[str, Term]:
    return {row[0]: Term(*row) for row in rows}


CAPABILITIES: dict[str, Term] = _terms(
    (
        "intake",
        "Intake",
        "Penerimaan pengaduan",
        "Complaint, identification of the victim, hotline (SAPA 129).",
        "Pengaduan, identifikasi korban, layanan hotline (SAPA 129).",
    ),
    (
        "case_management",
        "Case management",
        "Manajemen kasus",
        "Case management, outreach and accompaniment through the process.",
        "Manajemen kasus, penjangkauan dan pendampingan korban.",
    ),
    ("shelter", "Shelter", "Rumah aman", "Temporary shelter or safe house.", "Penampungan sementara atau rumah aman."),
    (
        "medical",
        "Medical care",
        "Layanan kesehatan",
        "Health rehabilitation and emergency medical care.",
        "Rehabilitasi kesehatan dan layanan medis darurat.",
    ),
    (
        "forensic_exam",
        "Medico-legal examination",
        "Visum et repertum",
        "Medico-legal examination (visum et repertum) for the investigation.",
        "Pemeriksaan medikolegal (visum et repertum) untuk penyidikan.",
    ),
    (
        "psychological",
        "Psychological support",
        "Layanan psikologis",
        "Counselling and psychosocial recovery.",
        "Konseling dan pemulihan psikososial.",
    ),
    (
        "legal_aid",
        "Legal aid",
        "Bantuan hukum",
        "Legal assistance and accompaniment in proceedings.",
        "Bantuan dan pendampingan hukum dalam proses peradilan.",
    ),
    (
        "law_enforcement",
        "Law enforcement",
        "Penegakan hukum",
        "Police report and investigation.",
        "Laporan polisi dan penyidikan.",
    ),
    (
        "witness_protection",
        "Witness and victim protection",
        "Perlindungan saksi dan korban",
        "Physical protection, procedural rights and restitution (LPSK only).",
        "Perlindungan fisik, hak prosedural dan restitusi (hanya LPSK).",
    ),
    (
        "repatriation_domestic",
        "Domestic repatriation",
        "Pemulangan dalam negeri",
        "Return of the victim to the home region.",
        "Pemulangan korban ke daerah asal.",
    ),
    (
        "repatriation_international",
        "International repatriation",
        "Pemulangan dari luar negeri",
        "Repatriation of the victim from abroad.",
        "Pemulangan korban dari luar negeri.",
    ),
    (
        "reintegration",
        "Social reintegration",
        "Reintegrasi sosial",
        "Social reintegration and livelihood help.",
        "Reintegrasi sosial dan bantuan penghidupan.",
    ),
    (
        "migrant_worker_services",
        "Migrant-worker protection",
        "Pelindungan pekerja migran",
        "Protection of Indonesian migrant workers (PMI).",
        "Pelindungan Pekerja Migran Indonesia (PMI).",
    ),
)
"""The 13 capability codes of ``DOMAIN.md``, in the order of its table."""

AGENCY_TYPES: dict[str, Term] = _terms(
    ("lpsk", "Witness and Victim Protection Agency (LPSK)", "Lembaga Perlindungan Saksi dan Korban (LPSK)"),
    (
        "uptd_ppa",
        "Women and child protection service unit (UPTD PPA)",
        "Unit Pelaksana Teknis Daerah Perlindungan Perempuan dan Anak (UPTD PPA)",
    ),
    (
        "dp3a",
        "Women's empowerment and child protection office (DP3A)",
        "Dinas Pemberdayaan Perempuan dan Perlindungan Anak (DP3A)",
    ),
    (
        "bp2mi",
        "Migrant worker protection agency, head office (BP2MI/KP2MI)",
        "Badan/Kementerian Pelindungan Pekerja Migran Indonesia (BP2MI/KP2MI)",
    ),
    (
        "bp3mi",
        "Provincial migrant worker protection office (BP3MI)",
        "Balai Pelayanan Pelindungan Pekerja Migran Indonesia (BP3MI)",
    ),
    ("police_ppa", "Police women and child protection unit (PPA)", "Unit/Direktorat PPA-PPO Polri"),
    ("hospital", "Hospital (with integrated service centre, PPT)", "Rumah sakit (dengan Pusat Pelayanan Terpadu)"),
    ("puskesmas", "Community health centre", "Pusat kesehatan masyarakat (puskesmas)"),
    ("shelter", "Shelter or safe house", "Rumah aman / rumah perlindungan"),
    ("legal_aid", "Legal aid organisation (LBH)", "Lembaga bantuan hukum (LBH)"),
    ("kemensos", "Ministry of Social Affairs unit (RPTC, Sentra)", "Unit Kementerian Sosial (RPTC, Sentra)"),
    ("dinsos", "Social affairs office", "Dinas Sosial"),
    ("embassy", "Indonesian embassy or consulate", "Kedutaan Besar / Konsulat Jenderal RI"),
    ("ngo", "Non-governmental organisation", "Lembaga swadaya masyarakat"),
    ("task_force", "Anti-trafficking task force (GT-PPTPPO)", "Gugus Tugas PP-TPPO"),
    ("hotline", "National hotline (a line to call, no office)", "Layanan pengaduan nasional (hotline, tanpa kantor)"),
)
"""Kinds of agency; the type of a unit, not of its parent organisation (BP2MI runs BP3MI offices). A ``hotline`` is
a service without a place: it has no point and no travel time (location precision ``none``)."""

JURISDICTION_LEVELS: dict[str, Term] = _terms(
    ("regency", "Regency or city", "Kabupaten/kota"),
    ("province", "Province", "Provinsi"),
    ("national", "National", "Nasional"),
)
"""Tiers of ``DOMAIN.md`` "Jurisdiction and escalation": whom a unit serves."""

LOCATION_PRECISIONS: dict[str, Term] = _terms(
    (
        "exact",
        "Exact (address level)",
        "Tepat (tingkat alamat)",
        "The point is the office itself, from a source or a survey.",
        "Titik adalah kantor itu sendiri, dari sumber atau survei.",
    ),
    (
        "regency_seat",
        "At the regency seat",
        "Di ibu kota kabupaten/kota",
        "Only the town is known: the point is the seat of the regency, or the provincial capital.",
        "Hanya kota yang diketahui: titik adalah ibu kota kabupaten/kota atau provinsi.",
    ),
    (
        "approximate",
        "Approximate",
        "Perkiraan",
        "Placed by hand near the office (e.g. the district), not at the address.",
        "Diletakkan secara perkiraan di dekat kantor (mis. kecamatan), bukan di alamat.",
    ),
    (
        "abroad",
        "Abroad (city and country only)",
        "Di luar negeri (kota dan negara saja)",
        "An office outside Indonesia (an embassy or consulate): its city and country are known; no point is placed.",
        "Kantor di luar negeri (KBRI/KJRI): kota dan negaranya diketahui; tidak ada titik di peta.",
    ),
    (
        "none",
        "No place (a hotline)",
        "Tanpa lokasi (hotline)",
        "A service reached by phone or message, not by travel: no point, no travel time.",
        "Layanan yang dihubungi lewat telepon atau pesan, bukan didatangi: tanpa titik, tanpa waktu tempuh.",
    ),
)
"""How well an agency's point is known; ``abroad`` and ``none`` rows have no point in Indonesia and are never
routed to (:func:`directory.agencies.agencies_frame` leaves them out)."""

VOCABULARIES: dict[str, dict[str, Term]] = {
    "capability": CAPABILITIES,
    "agency_type": AGENCY_TYPES,
    "jurisdiction_level": JURISDICTION_LEVELS,
    "location_precision": LOCATION_PRECISIONS,
}
"""Each vocabulary under the field name it validates."""

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,79}$")
"""Stable ids of agencies and agreements: lower-case slugs such as ``lpsk-ntt``."""
_TRUE, _FALSE = {"true", "1", "yes", "ya", "y"}, {"false", "0", "no", "tidak", "n"}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""Control characters (C0, DEL, C1) and bidirectional overrides, which hide or reorder what a text shows."""
_LAYOUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""The same without tab and newline, which free text (notes) may hold."""


def close_matches(value: object, allowed: Iterable[str], limit: int = 3) -> list[str]:
    """Return the allowed codes closest to `value` (edit distance, case-insensitive), best first."""
    text = str(value).strip().lower().replace(" ", "_").replace("-", "_")
    found = process.extract(text, list(allowed), scorer=Levenshtein.normalized_similarity, limit=limit)
    return [code for code, score, _ in found if score >= 0.5]


def problem(field: str, value: object) -> str | None:
    """Return why `value` is not a code of the vocabulary `field`, or None when it is one.

    The message lists the close matches (if any) and every allowed code.
    """
    allowed = VOCABULARIES[field]
    if isinstance(value, str) and value in allowed:
        return None
    close = close_matches(value, allowed)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return f"is not a known {field}.{hint} Allowed: {', '.join(allowed)}."


def check(field: str, value: object) -> str:
    """Return `value` if it is a code of the vocabulary `field`, else raise.

    Parameters
    ----------
    field
        A key of :data:`VOCABULARIES`: ``"capability"``, ``"agency_type"``,
        ``"jurisdiction_level"`` or ``"location_precision"``.
    value
        The code to check, e.g. ``"shelter"``.

    Raises
    ------
    InputError
        If `value` is not one of the codes; the message gives close matches and the allowed codes.
    """
    if field not in VOCABULARIES:
        raise InputError("field", field, f"is expected to be one of {list(VOCABULARIES)}.")
    message = problem(field, value)
    if message is not None:
        raise InputError(field, value, message)
    return cast(str, value)  # a code of the vocabulary, so a text


def split_list(value: object, field: str = "list") -> list[str]:
    """Return a ``";"``-separated text (or a list or tuple of texts) as a list of stripped, non-empty items, order kept.

    None and NaN give an empty list.

    Raises
    ------
    InputError
        Naming `field`, if `value` is anything else (a number, true/false, an object) or a list holds a non-text.
    """
    if is_missing(value):
        return []
    if isinstance(value, str):
        items = value.split(";")
    elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        items = list(value)
    else:
        raise InputError(field, value, "is expected to be ';'-separated text or a list of texts.")
    return [item.strip() for item in items if item.strip()]


def check_capabilities(value: object) -> list[str]:
    """Return the capability codes of a ``";"``-separated text or a list, each checked, duplicates removed.

    Raises
    ------
    InputError
        If a code is unknown (close matches are given) or no code is given.
    """
    codes = list(dict.fromkeys(split_list(value, "capabilities")))
    if not codes:
        raise InputError("capabilities", value, f"is empty; give one or more of {', '.join(CAPABILITIES)}.")
    return [check("capability", code) for code in codes]


def offer_masks(offered: Iterable[Iterable[str]], codes: Iterable[str]) -> dict[str, np.ndarray]:
    """Return, per capability code of `codes`, which agencies offer it (from each agency's capability codes).

    One pass over the agencies' codes; codes not in `codes` are ignored.
    """
    held = list(offered)
    masks = {code: np.zeros(len(held), dtype=bool) for code in codes}
    for i, own in enumerate(held):
        for code in own:
            if code in masks:
                masks[code][i] = True
    return masks


def labels(field: str, language: str = "en") -> dict[str, str]:
    """Return ``{code: label}`` of the vocabulary `field` in ``"en"`` or ``"id"``."""
    return {code: term.label(language) for code, term in VOCABULARIES[field].items()}


class RowChecker:
    """Parses the fields of raw import records, collecting a RowError for every bad value.

    Each method reads ``record[field]`` of row `row`, returns the parsed value (None
    when missing or bad) and appends a :class:`~core.errors.RowError` to ``errors``
    for a bad value, so a whole file is checked before anything is written.

    The methods share their first parameters:

    row
        Row number in the file (1 is the first record; 0 is a CSV header).
    record
        The raw record: CSV texts or GeoJSON property values.
    field
        The name of the field to read and to name in the error.
    """

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.known: dict[int, set[str]] = {}

    def fail(self, row: int, field: str, value: object, message: str) -> None:
        """Record that `value` of `field` in row `row` is bad, `message` saying why and what to give."""
        self.errors.append(RowError(row, field, value, message))

    def text(self, row: int, record: dict, field: str, required: bool = False, lines: bool = False) -> str | None:
        r"""Return the stripped text, None when blank (an error too if `required`) or bad.

        A value must be text or a number (never true/false, a list or an object) without control
        characters; with `lines` (free text such as notes) tabs and newlines are kept (``\r\n`` read as ``\n``).
        """
        value = record.get(field)
        if blank(value):
            if required:
                self.fail(row, field, value, "is required; give a non-empty value.")
            return None
        if isinstance(value, bool | list | tuple | dict | set):
            self.fail(row, field, value, "is expected to be text (or a number), not true/false, a list or an object.")
            return None
        text = str(value).strip()
        if lines:
            text = text.replace("\r\n", "\n")
        bad = (_LAYOUT if lines else _CONTROL).search(text)
        if bad is not None:
            allowed = "; only tabs and line breaks are allowed" if lines else ""
            message = f"holds the control character U+{ord(bad[0]):04X} at position {bad.start()}{allowed}; remove it."
            self.fail(row, field, value, message)
            return None
        return text

    def ident(self, row: int, record: dict, field: str, seen: dict[str, int]) -> str | None:
        """Return a required id (lower-case, digits, ``.-_``), unique among `seen` (id -> first row)."""
        value = self.text(row, record, field, required=True)
        if value is None:
            return None
        if not ID_PATTERN.match(value):
            message = "is expected to be lower-case letters, digits, '.', '-' or '_' (e.g. lpsk-ntt)."
            self.fail(row, field, value, message)
        elif value in seen:
            self.fail(row, field, value, f"repeats the id of row {seen[value]}; ids must be unique in a file.")
        seen.setdefault(value, row)
        return value

    def choice(self, row: int, record: dict, field: str) -> str | None:
        """Return a required code of the vocabulary named `field` (:data:`VOCABULARIES`), None if unknown."""
        value = self.text(row, record, field, required=True)
        message = None if value is None else problem(field, value)
        if message:
            self.fail(row, field, value, message)
            return None
        return value

    def _split(self, row: int, record: dict, field: str) -> list[str] | None:
        """Return :func:`split_list` of the field, None (and an error) when it is neither text nor a list of texts."""
        try:
            return split_list(record.get(field), field)
        except InputError as error:
            self.fail(row, field, error.value, error.reason)
            return None

    def items(self, row: int, record: dict, field: str) -> list[str]:
        """Return an optional ``;``-separated list (text or a list of texts) of items without control characters."""
        clean = [self.text(row, {field: item}, field) for item in self._split(row, record, field) or []]
        return [item for item in clean if item is not None]

    def codes(self, row: int, record: dict, field: str = "capabilities") -> list[str]:
        """Return the ``;``-separated capability codes, at least one, each known (duplicates dropped)."""
        split = self._split(row, record, field)
        if split is None:
            return []
        codes = list(dict.fromkeys(split))
        if not codes:
            message = f"is empty; give ';'-separated codes from {', '.join(CAPABILITIES)}."
            self.fail(row, field, record.get(field), message)
        for code in codes:
            reason = problem("capability", code)
            if reason:
                self.fail(row, field, code, reason)
        return codes

    def date(self, row: int, record: dict, field: str) -> dt.date | None:
        """Return an optional ISO date (``YYYY-MM-DD``)."""
        value = self.text(row, record, field)
        try:
            return None if value is None else dt.date.fromisoformat(value)
        except ValueError:
            self.fail(row, field, value, "is expected to be a date YYYY-MM-DD (e.g. 2024-07-17).")
            return None

    def flag(self, row: int, record: dict, field: str) -> bool:
        """Return a true/false flag (``true``, ``yes``, ``1`` ...; blank is False)."""
        value = record.get(field)
        if isinstance(value, bool) or blank(value):
            return bool(value) if isinstance(value, bool) else False
        if str(value).strip().lower() in _TRUE | _FALSE:
            return str(value).strip().lower() in _TRUE
        self.fail(row, field, value, "is expected to be true or false (empty = false).")
        return False

    def count(self, row: int, record: dict, field: str, maximum: int, why: str) -> int | None:
        """Return an optional whole number from 0 to `maximum` (`why` says where the bound comes from)."""
        value = self.text(row, record, field)
        if value is None:
            return None
        if not re.fullmatch(r"[0-9]+", value):
            self.fail(row, field, value, "is expected to be a whole number >= 0, or empty when unknown.")
            return None
        if exceeds(value, maximum):
            self.fail(row, field, value, f"is more than {maximum:,} ({why}); check the number.")
            return None
        return int(value)

    def lengths(self, row: int, values: dict, model: type[db.Base]) -> None:
        """Flag every text of `values` longer than its column of `model` (fields already bad in `row` aside)."""
        bad = {error.field for error in self.errors if error.row == row}
        self.errors.extend(e for e in db.length_errors(row, values, model) if e.field not in bad)

    def area(self, row: int, record: dict, field: str, lengths: tuple[int, ...]) -> str | None:
        """Return a required, known area code whose length is one of `lengths` (2 province, 5 regency)."""
        value = self.text(row, record, field, required=True)
        if value is None:
            return None
        kinds = " or ".join({2: 'a province code ("64")', 5: 'a regency code ("64.02")'}[n] for n in lengths)
        if len(value) not in lengths:
            self.fail(row, field, value, f"is expected to be {kinds} (dotted Kemendagri).")
            return None
        if len(value) not in self.known:
            self.known[len(value)] = set(boundaries.load_areas(boundaries.level_of_code(value))["code"])
        if value not in self.known[len(value)]:
            try:
                boundaries.area(value, field)  # raises with the close codes and their names
            except (NotFoundError, InputError) as error:
                self.fail(row, field, value, f"is not a known area: {str(error).split(' but ', 1)[-1]}")
            return None
        return value
