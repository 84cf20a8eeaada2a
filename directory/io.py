"""Import and export of the service directory (agencies and agreements) as CSV, GeoJSON, GeoPackage and HSDS.

Formats
-------
CSV: UTF-8, one row per agency (columns :data:`directory.agencies.AGENCY_FIELDS`) or
agreement (:data:`directory.agencies.AGREEMENT_FIELDS`); list fields (``capabilities``,
``languages``) are ``";"``-separated; booleans ``true``/``false``; dates ISO
``YYYY-MM-DD``. GeoJSON (RFC 7946): a ``FeatureCollection`` without a ``crs``
member, ``[lon, lat]`` Point geometries, the other fields as properties (lists as
arrays). Agreement features carry a LineString between the representative points
of their two areas, for maps; the geometry is ignored on import. GeoPackage
(:mod:`directory._gpkg`): one layer named after the kind, the GeoJSON features as
typed columns. Open Referral HSDS 3.0 JSON (:mod:`directory.hsds`, agencies only):
organizations, services, locations, service_at_location and their phones, schedules,
languages and attributes, validated against the official schema. A file's format is
named or comes from its suffix: ``.csv``, ``.geojson`` or ``.json`` (GeoJSON), ``.gpkg``,
``.hsds.json``.

Import validates every row and rejects the whole file with every row error
(:class:`~core.errors.ImportRejectedError`); nothing is written then. Rows are
numbered from 1 (CSV line = row + 1, the header is row 0; GeoJSON feature index +
1). A file of the wrong shape is rejected before its values are read
(:mod:`core.files`): not UTF-8, not JSON or empty (an InputError naming the file),
an unknown or repeated CSV column (the allowed ones are listed), a feature that is
not a Feature object or a Point whose coordinates are not two numbers. The values
are checked by :mod:`directory._checks`. A valid file is written in one
transaction. Modes: ``"upsert"`` (default) adds new ids and
replaces the rows of known ids, leaving every other agency alone, so a file of a
few corrections cannot wipe the directory; ``"replace"`` also retires every active
agency that is not in the file (agencies are retired, never deleted) and deletes
every agreement that is not in it.

The organization of an agency (``organization_name``, ``website``) is shared by all
its agencies, so one row never changes it unasked: a blank value keeps the stored
one, and a different one is a row error unless the file holds every agency of
that organization (the rule is in :mod:`directory._checks`).

Versions: an import is an editor's deliberate replace, so it needs no version
(``rujuk agencies import`` and the import page give none); every record it changes
gets its ``version`` raised by one, so an API or form edit based on the version read
before the import is refused as stale. The JSON API and the edit forms pass the
versions their caller read (`expected`): the check and the compare-and-swap UPDATE
run in the import's one transaction (:class:`directory.agencies.StaleRecordError`).

Spreadsheet formulas: every CSV export (:func:`core.files.csv_text`) quotes every text cell and
writes one that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, or holds
``;``, ``,``, a tab or a line break followed by one of those (:func:`core.files.formula_like`),
with a leading ``'`` (:func:`core.files.neutralised`; numbers such as lon, lat and capacity are
never changed nor quoted), and an import reads such a cell back without the ``'``, so a full
export imports unchanged. An import warns (the ``warnings`` of its counts: row, field, value,
message; never an error) about every other such text cell, except texts made only of digits,
spaces and ``+-()./`` such as phone numbers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm.attributes import flag_modified

import directory
from core import files as _files
from core.db import session_scope
from core.errors import InputError, RowError
from core.values import is_missing
from directory import _formats, _gpkg, hsds, places
from directory._checks import validate_agencies, validate_agreements
from directory.agencies import Agreement, Organization, Service, ServiceLocation, check_version, stale_writes
from geo import boundaries

_PUBLIC_EXPORT_HINT = (
    "only a public export writes it, with the points and addresses of confidential agencies hidden; "
    "import a full export instead (rujuk agencies export --full)."
)
_KINDS: dict[str, tuple[tuple[str, ...], bool, dict[str, str]]] = {
    "agencies": (directory.AGENCY_FIELDS, True, {"redacted": _PUBLIC_EXPORT_HINT}),
    "agreements": (directory.AGREEMENT_FIELDS, False, {}),
}
"""Per kind of file: its columns, whether its geometries are its points, advice on columns it must not have."""
MODES: tuple[str, ...] = ("upsert", "replace")
FORMATS: tuple[str, ...] = ("csv", "geojson", "gpkg", "hsds")
"""The file formats of the directory (``hsds``: agencies only)."""
_SUFFIXES = {".csv": "csv", ".geojson": "geojson", ".json": "geojson", ".gpkg": "gpkg", ".hsds.json": "hsds"}
_NUMBER_FIELDS = frozenset({"lon", "lat", "capacity"})


def default_dir() -> Path:
    """Return the folder of the embedded sample directory, ``directory/sample`` (installed with the package)."""
    return Path(__file__).resolve().parent / "sample"


def file_format(path: str | Path, fmt: str | None = None, kind: str = "agencies") -> str:
    """Return the format of a directory file: `fmt` if given, else from the suffix of `path` (:data:`FORMATS`).

    Raises
    ------
    InputError
        If the format is unknown or cannot be told from the name, or is ``hsds`` for agreements.
    """
    name = Path(path).name.lower()
    suffix = ".hsds.json" if name.endswith(".hsds.json") else Path(name).suffix
    fmt = fmt or _SUFFIXES.get(suffix)
    if fmt not in FORMATS:
        message = f"is expected to be one of {list(FORMATS)}; name it or use a file ending in {list(_SUFFIXES)}."
        raise InputError("format", fmt or suffix, message)
    if fmt == "hsds" and kind != "agencies":
        message = "is for agencies only: HSDS has no agreements; use csv, geojson or gpkg for agreements."
        raise InputError("format", fmt, message)
    return fmt


def read_rows(path: str | Path, fmt: str | None = None, kind: str | None = None) -> list[dict[str, object]]:
    """Return the raw records of a directory file (CSV text; GeoJSON, GeoPackage or HSDS values plus lon, lat).

    Parameters
    ----------
    path
        A file of one of :data:`FORMATS`.
    fmt
        One of :data:`FORMATS`; default from the suffix of `path` (:func:`file_format`).
    kind
        ``"agencies"``: CSV columns must be :data:`directory.agencies.AGENCY_FIELDS` and
        GeoJSON geometries Points or null; ``"agreements"``: CSV columns must be
        :data:`directory.agencies.AGREEMENT_FIELDS`, geometries are ignored; None: only the
        file's shape is checked (any columns, geometries ignored).

    Raises
    ------
    InputError
        If the format or `kind` is unknown, or the file is not UTF-8, not JSON, empty
        or not a FeatureCollection; the message names the file.
    ImportRejectedError
        If the header has an unknown, repeated or missing column (row 0 is the
        header), a CSV row has more cells than the header, or a GeoJSON feature is not
        a Feature object, has properties that are not an object, or a geometry that is
        not ``[lon, lat]`` numbers (see :mod:`core.files`).
    """
    return _read(Path(path), fmt, kind)[0]


def _read(path: Path, fmt: str | None, kind: str | None) -> tuple[list[dict[str, object]], list[RowError]]:
    """Return the records of :func:`read_rows` and a warning for every text cell that may run as a formula."""
    if kind is not None and kind not in _KINDS:
        raise InputError("kind", kind, f"is expected to be None or one of {list(_KINDS)}.")
    columns, points, hints = _KINDS[kind] if kind is not None else (None, False, None)
    fmt = file_format(path, fmt, kind or "agencies")
    rows: list[dict[str, object]]
    if fmt in ("geojson", "gpkg", "hsds"):
        if fmt == "geojson":
            rows = _files.read_features(path, points=points, hints=hints)
        elif fmt == "gpkg":
            rows = _gpkg.read(path, kind or "agencies", columns, points, hints)
        else:
            rows = hsds.read_rows(path)
        return rows, _files.formula_warnings(rows, _NUMBER_FIELDS)
    raw = _files.read_csv(path, columns, hints=hints)
    restored: list[dict[str, object]] = [{k: _files.restored(str(v)) for k, v in row.items()} for row in raw]
    return restored, _files.formula_warnings(raw, _NUMBER_FIELDS)


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise InputError("mode", mode, f"is expected to be one of {list(MODES)} (default upsert).")


def import_agencies(
    engine: Engine,
    path: str | Path,
    mode: str = "upsert",
    fmt: str | None = None,
    source: str | None = None,
    expected: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Validate a file of agencies (any of :data:`FORMATS`) and write it in one transaction.

    Parameters
    ----------
    engine
        The database (schema created by :func:`store.schema.init_db`).
    path
        The file; its format comes from `fmt` or the suffix (:func:`file_format`).
    mode
        ``"upsert"`` (default): add new ids, replace known ones, keep the rest;
        ``"replace"``: also retire today every active agency not in the file.
        Either way, only a file that holds every agency of an organization may
        rename it or change its website.
    source
        What the rows come from, named in the errors (default `path`; the API says
        "request body" rather than the name of its temporary file).
    expected
        The version each stored agency must still be at, by id (the JSON API and the
        forms give the version their caller read); None: no check (a bulk import).

    Returns
    -------
    dict
        Counts ``added``, ``updated``, ``retired``, and ``warnings``: a list of
        :class:`~core.errors.RowError` for the cells that start like a formula.

    Raises
    ------
    ImportRejectedError
        If any row is invalid; every row error is listed and nothing is written.
    StaleRecordError
        If an agency of `expected` is not, or no longer, at its version; nothing is written.
    """
    _check_mode(mode)
    rows, warnings = _read(Path(path), fmt, "agencies")
    agencies = validate_agencies(rows, source=source or str(path), engine=engine)
    counts: dict[str, Any] = {"added": 0, "updated": 0, "retired": 0}
    with session_scope(engine) as session, stale_writes(", ".join(sorted(expected or {})) or "an agency"):
        for org_id, (name, website) in {a["organization_id"]: a["organization"] for a in agencies}.items():
            organization = session.get(Organization, org_id) or Organization(id=org_id)
            organization.name, organization.website = name, website
            session.add(organization)
        session.flush()
        for record in agencies:
            agency = session.get(ServiceLocation, record["id"])
            counts["updated" if agency else "added"] += 1
            if expected is not None and record["id"] in expected:
                check_version(record["id"], agency, expected[record["id"]])
            agency = agency or ServiceLocation(id=record["id"])
            for field, value in record.items():
                if not field.startswith("_") and field not in ("capabilities", "organization"):
                    if field in ("lon", "lat") and _formats.same_point(getattr(agency, field), value):
                        continue  # an export rounds points: reading it back is no change (no new version)
                    setattr(agency, field, value)
            if set(agency.capabilities) != set(record["capabilities"]):
                agency.services = [Service(capability=code) for code in record["capabilities"]]
                if agency.version is not None and not session.is_modified(agency, include_collections=False):
                    flag_modified(agency, "name")  # only its services changed: still a new version
            session.add(agency)
        if mode == "replace":
            ids = {a["id"] for a in agencies}
            for agency in directory.list_agencies(session):
                if agency.id not in ids:
                    agency.retired_on, counts["retired"] = dt.date.today(), counts["retired"] + 1
        session.flush()  # in the block: a lost compare-and-swap is a StaleRecordError
    return {**counts, "warnings": warnings}


def import_agreements(
    engine: Engine,
    path: str | Path,
    mode: str = "upsert",
    fmt: str | None = None,
    source: str | None = None,
    expected: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """Validate a CSV, GeoJSON or GeoPackage file of agreements and write it in one transaction.

    ``"replace"`` deletes the agreements not in the file (nothing refers to an
    agreement; its history lives in its source). Returns counts ``added``,
    ``updated``, ``deleted`` and ``warnings``; `source`, `expected`, ImportRejectedError
    and StaleRecordError as :func:`import_agencies`.
    """
    _check_mode(mode)
    rows, warnings = _read(Path(path), fmt, "agreements")
    agreements = validate_agreements(rows, source=source or str(path))
    counts: dict[str, Any] = {"added": 0, "updated": 0, "deleted": 0}
    with session_scope(engine) as session, stale_writes(", ".join(sorted(expected or {})) or "an agreement"):
        for record in agreements:
            agreement = session.get(Agreement, record["id"])
            counts["updated" if agreement else "added"] += 1
            if expected is not None and record["id"] in expected:
                check_version(record["id"], agreement, expected[record["id"]])
            agreement = agreement or Agreement(id=record["id"])
            for field, value in record.items():
                setattr(agreement, field, value)
            session.add(agreement)
        if mode == "replace":
            ids = {a["id"] for a in agreements}
            for agreement in session.scalars(select(Agreement).where(Agreement.id.not_in(ids))):
                session.delete(agreement)
                counts["deleted"] += 1
        session.flush()
    return {**counts, "warnings": warnings}


def _write(text: str, path: str | Path | None) -> str:
    if path is not None:
        _files.write_private(path, text)  # 0600: a full export holds the points of safe houses
    return text


def export_agencies(
    engine: Engine,
    path: str | Path | None = None,
    fmt: str | None = None,
    public: bool = True,
    include_retired: bool = False,
) -> str:
    """Write the agencies as CSV, GeoJSON, GeoPackage or HSDS 3.0 JSON and return the text.

    Parameters
    ----------
    path
        Where to write (mode 0600); None only returns the text (then `fmt` is required, and is not ``gpkg``).
    fmt
        One of :data:`FORMATS`; default from the suffix of `path` (:func:`file_format`).
    public
        True (default): confidential points and addresses are redacted by
        :func:`directory.agencies.public_view` (a ``redacted`` column is added);
        False: the full directory, for authorised back-ups and re-import.
    include_retired
        Also retired agencies (a full back-up wants them); only with ``public=False``.

    Returns
    -------
    str
        The text written; for a GeoPackage (binary), the path of the file.

    Raises
    ------
    InputError
        If `include_retired` is asked of a public export (retired agencies are for editors only), or a
        GeoPackage of no `path`.
    """
    if public and include_retired:
        raise InputError(
            "include_retired",
            True,
            "is for full exports only: a public export never shows retired "
            "agencies; give public=False (rujuk agencies export --full).",
        )
    fmt = _export_format(path, fmt, "agencies")
    frame = directory.directory_frame(engine, include_retired=include_retired)
    if public:
        frame = directory.public_view(frame, authorised=False)
    fields = tuple(c for c in frame.columns if c != "geometry")
    records = [dict(zip(fields, values, strict=True)) for values in frame[list(fields)].itertuples(index=False)]
    if fmt == "csv":
        return _write(_formats.to_csv(records, fields), path)
    if fmt == "hsds":
        return _write(hsds.text(engine, records), path)
    points = [
        None
        if is_missing(r["lon"])
        else {"type": "Point", "coordinates": [_formats.rounded(c) for c in (r["lon"], r["lat"])]}
        for r in records
    ]  # a mission abroad without a known point and a hotline have a null geometry
    if fmt == "gpkg":
        return str(_gpkg.write(str(path), records, points, "agencies", fields))
    return _write(_formats.to_geojson(records, points), path)


def _export_format(path: str | Path | None, fmt: str | None, kind: str) -> str:
    fmt = file_format(path or f"x.{fmt}", fmt, kind)
    if fmt == "gpkg" and path is None:
        raise InputError("path", None, "is required for a GeoPackage export: a GeoPackage is a file, not text.")
    return fmt


def export_agreements(
    engine: Engine, path: str | Path | None = None, fmt: str | None = None, include_ended: bool = True
) -> str:
    """Write the agreements as CSV, GeoJSON or GeoPackage (a LineString between the two areas); return the text.

    A GeoPackage needs a `path`, and the path is returned (as :func:`export_agencies` does).
    """
    fmt = _export_format(path, fmt, "agreements")
    records = directory.agreements_frame(engine, include_ended=include_ended).to_dict("records")
    if fmt == "csv":
        return _write(_formats.to_csv(records, directory.AGREEMENT_FIELDS), path)
    points = {level: directory.representative_points(level) for level in ("province", "regency")}
    lines = []
    for record in records:
        ends = [points[boundaries.level_of_code(code)].loc[code] for code in (record["area_a"], record["area_b"])]
        lines.append(
            {"type": "LineString", "coordinates": [[_formats.rounded(p[c]) for c in ("lon", "lat")] for p in ends]}
        )
    if fmt == "gpkg":
        return str(_gpkg.write(str(path), records, lines, "agreements", directory.AGREEMENT_FIELDS))
    return _write(_formats.to_geojson(records, lines), path)


SAMPLE_FILES: dict[str, str] = {"agencies": "office", "abroad": "abroad", "hotlines": "hotline"}
"""The sample files of agencies and the :func:`directory.places.location_kind` of their rows."""


def seed_default(engine: Engine) -> dict[str, object]:
    """Import the embedded sample directory into a database that lacks it; leave what is there alone.

    Each agency file of the sample (:data:`SAMPLE_FILES`: offices, missions abroad, hotlines) is imported only
    when the database holds no active-or-retired agency of its kind, and the agreements only when there are none,
    so a second call changes nothing, and a database made before missions abroad and hotlines existed (schema 3)
    gets them at the next ``rujuk data build``.

    Returns
    -------
    dict
        ``directory_agencies`` (every kind) and ``directory_agreements``: rows now in the database;
        ``directory_seeded``: the files imported by this call (empty list if none).
    """
    seeded = []
    with session_scope(engine) as session:
        rows = session.execute(select(ServiceLocation.agency_type, ServiceLocation.country)).all()
    present = {places.location_kind(agency_type, country) for agency_type, country in rows}
    for name, kind in SAMPLE_FILES.items():
        if kind not in present:
            import_agencies(engine, default_dir() / f"{name}.csv")
            seeded.append(name)
    if _count(engine, Agreement) == 0:
        import_agreements(engine, default_dir() / "agreements.csv")
        seeded.append("agreements")
    counts = {"directory_agencies": _count(engine, ServiceLocation), "directory_agreements": _count(engine, Agreement)}
    return {**counts, "directory_seeded": seeded}


def _count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)
