"""The records behind the directory views: how a body becomes checked records and how they are written.

:class:`_Kind` says what the write routes need to know about agencies or agreements; the
functions turn a request body into flat records, validate and write them with the importer of
the kind in one transaction, and answer them as the caller may see them. The rules are in
:mod:`service.api.directory`; the pages' edit forms use the same functions.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask import Response, request
from sqlalchemy import select

import directory
from core.db import session_scope
from core.errors import ImportRejectedError, InputError, RowError, cut
from core.values import blank
from directory import capabilities
from directory import io as directory_io
from directory.agencies import Agreement, ServiceLocation
from service import auth
from service.api.cache import directory_changed
from service.api.common import (
    API,
    ParameterNotFoundError,
    body,
    engine,
    geojson,
    has_control_character,
    json_error,
)
from service.api.versions import IF_MATCH, etag, if_match

BODY_SOURCE = "request body"


def _is_editor() -> bool:
    user = auth.current_user()
    return user is not None and user.has_role("editor")


@dataclass(frozen=True)
class _Kind:
    """What the write routes need to know about agencies or agreements."""

    name: str
    singular: str
    model: type[ServiceLocation] | type[Agreement]
    points: bool
    validate: Callable[..., list[dict[str, object]]]
    importer: Callable[..., dict[str, Any]]
    record: Callable[[Any], dict[str, object]]
    fields: tuple[str, ...]
    """The fields a body record may have (the columns its CSV import accepts, the GET answer's ``redacted`` and
    ``version``, and an agency's ``location_kind``, derived and ignored on a write)."""

    def export(self, include_hidden: bool) -> dict:
        """Return every row as a GeoJSON FeatureCollection with its ``version``.

        Agencies: retired ones too if `include_hidden` and the caller is an editor.

        The versions are read before the rows, so a write in between leaves a shown version older than the
        shown values: a write based on it is refused (412), never applied over values its caller did not see.
        """
        versions = self.versions()
        if self.name == "agencies":
            authorised = auth.is_authorised()
            text = directory_io.export_agencies(
                engine(), None, fmt="geojson", public=not authorised, include_retired=include_hidden and _is_editor()
            )
            collection = json.loads(text)
            for feature in collection["features"]:
                properties = feature["properties"]
                properties.setdefault("redacted", False)
                properties["location_kind"] = directory.location_kind(properties["agency_type"], properties["country"])
        else:
            collection = json.loads(directory_io.export_agreements(engine(), None, fmt="geojson"))
        for feature in collection["features"]:
            feature["properties"]["version"] = versions.get(feature["properties"]["id"])
        return collection

    def existing(self, identifier: str, hidden: bool = True) -> dict[str, object]:
        """Return the stored record with this id, unredacted (for PATCH), or raise a 404 naming the path's id.

        Without `hidden`, a retired agency is answered as unknown, and only active ids are offered as close ones.
        """
        field = f"{self.singular}_id"
        with session_scope(engine()) as session:
            found = None if has_control_character(identifier) else session.get(self.model, identifier)
            if found is None or (not hidden and isinstance(found, ServiceLocation) and not found.is_active()):
                records = directory.list_agencies(session) if self.name == "agencies" and not hidden else None
                ids = [r.id for r in records] if records is not None else list(session.scalars(select(self.model.id)))
                close = ", ".join(capabilities.close_matches(identifier, ids, limit=5)) or "none"
                msg = f"`{field}` was {identifier!r} but no {self.singular} has that id; close ids: {close}."
                raise ParameterNotFoundError(field, identifier, msg)
            return self.record(found)

    def versions(self) -> dict[str, int]:
        """Return the stored version of every record by id."""
        with session_scope(engine()) as session:
            return {row.id: row.version for row in session.execute(select(self.model.id, self.model.version))}

    def known_ids(self) -> set[str]:
        with session_scope(engine()) as session:
            return set(session.scalars(select(self.model.id)))


AGENCIES = _Kind(
    "agencies",
    "agency",
    directory.ServiceLocation,
    True,
    directory_io.validate_agencies,
    directory_io.import_agencies,
    directory.agency_record,
    (*directory.AGENCY_FIELDS, "location_kind", "redacted", "version"),
)
AGREEMENTS = _Kind(
    "agreements",
    "agreement",
    directory.Agreement,
    False,
    directory_io.validate_agreements,
    directory_io.import_agreements,
    directory.agreement_record,
    (*directory.AGREEMENT_FIELDS, "version"),
)


def _value_error(row: int, field: str, value: object) -> RowError | None:
    """Return a RowError if a JSON value is neither a scalar nor a list of texts (the importers read no others)."""
    if value is None or isinstance(value, str | int | float | bool):
        return None
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return None
    message = "is expected to be text, a number, true/false or a list of texts."
    return RowError(row, field, json.dumps(value)[:200], message)


def _flat(item: object, row: int, errors: list[RowError], kind: _Kind) -> dict[str, object]:
    """Return one body item (a record or a GeoJSON Feature) as a flat record; a Point gives lon/lat.

    An agreement's geometry (the line drawn between its areas) is ignored. A field that is
    not one of ``kind.fields`` is a row error listing them, as an unknown CSV column is.
    """
    points = kind.points
    if not isinstance(item, dict):
        errors.append(RowError(row, "body", json.dumps(item)[:200], "is expected to be a JSON object or a Feature."))
        return {}
    record = dict(item)
    if item.get("type") == "Feature":
        properties, geometry = item.get("properties"), item.get("geometry")
        record = dict(properties) if isinstance(properties, dict) else {}
        point = isinstance(geometry, dict) and geometry.get("type") == "Point"
        coordinates = geometry.get("coordinates") if point and isinstance(geometry, dict) else None
        if points and isinstance(coordinates, list):
            record["lon"], record["lat"] = [*coordinates, None, None][:2]
        elif points and geometry is not None:
            errors.append(RowError(row, "geometry", json.dumps(geometry)[:200], "is expected to be a Point or null."))
    for field, value in record.items():
        if field not in kind.fields:
            message = f"is not a field of {kind.singular} records: the fields are {list(kind.fields)}."
            errors.append(RowError(row, cut(str(field)), cut(str(field)), message))  # a name may be 5,000 chars
            continue
        problem = _value_error(row, str(field), value)
        if problem is not None:
            errors.append(problem)
    return {str(field): value for field, value in record.items()}


def _records(kind: _Kind, data: object, one: bool = False) -> list[dict[str, object]]:
    """Return the flat records of a body (see the module notes), or reject it whole."""
    collection = isinstance(data, dict) and data.get("type") == "FeatureCollection"
    items = data.get("features") if isinstance(data, dict) and collection else data
    if collection and not isinstance(items, list):
        message = (
            'is a FeatureCollection whose "features" is not a list; send {"type": "FeatureCollection", '
            '"features": [...]}.'
        )
        raise InputError("body", json.dumps(data)[:200], message)
    items = items if isinstance(items, list) else [items]
    if not items or data is None or (one and len(items) != 1):
        expected = "one record" if one else "a record, a Feature, a list of them or a FeatureCollection"
        raise InputError("body", json.dumps(data)[:200], f"is expected to be {expected} (JSON).")
    errors: list[RowError] = []
    records = [_flat(item, row, errors, kind) for row, item in enumerate(items, start=1)]
    if errors:
        raise ImportRejectedError(BODY_SOURCE, errors)
    return records


def _write(
    kind: _Kind,
    records: list[dict[str, object]],
    errors: list[RowError] | None = None,
    expected: dict[str, int] | None = None,
    create: bool = False,
) -> list[str]:
    """Validate `records` and write them with the importer of `kind`; return their ids.

    `errors` found by the caller are reported with the importer's own, all or nothing.
    `expected` gives the version each record must be at (0: must not exist), checked in the
    importer's transaction (:class:`directory.agencies.StaleRecordError` otherwise); with `create`,
    every record must not exist, by its id as validated (the id the importer writes).
    The importer reads files, so the records pass through a GeoJSON file in a private
    temporary folder (mode 0700), removed at once.
    """
    errors = list(errors or [])
    try:
        clean = kind.validate(records, source=BODY_SOURCE)
    except ImportRejectedError as rejected:
        errors.extend(rejected.errors)
    if errors:
        raise ImportRejectedError(BODY_SOURCE, sorted(errors, key=lambda error: error.row))
    if create:
        expected = {str(record["id"]): 0 for record in clean}
    with tempfile.TemporaryDirectory(prefix="rujuk-") as folder:
        path = Path(folder) / f"{kind.name}.geojson"
        features = [_feature(record) for record in records]
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, default=str), encoding="utf-8")
        kind.importer(engine(), path, mode="upsert", fmt="geojson", source=BODY_SOURCE, expected=expected)
    directory_changed()
    return [str(record["id"]) for record in clean]


def _feature(record: dict[str, object]) -> dict[str, object]:
    lon, lat = record.get("lon"), record.get("lat")
    # validated before this point, so a given coordinate is a number or a numeric text (from a form)
    point = None
    if not (blank(lon) and blank(lat)):
        point = [float(cast(float | str, lon)), float(cast(float | str, lat))]
    geometry = None if point is None else {"type": "Point", "coordinates": point}
    properties = {k: v for k, v in record.items() if k not in ("lon", "lat", "version", "location_kind")}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _answer(kind: _Kind, ids: list[str], status: int = 200) -> tuple[Response, int]:
    """Return the features of `ids` as the caller may see them."""
    wanted = set(ids)
    collection = kind.export(include_hidden=True)
    collection["features"] = [f for f in collection["features"] if f["properties"]["id"] in wanted]
    answer = geojson(collection)
    if status == 201 and len(ids) == 1:
        answer.headers["Location"] = f"{API}/{kind.name}/{ids[0]}"
    if len(collection["features"]) == 1:
        answer.headers["ETag"] = etag(collection["features"][0]["properties"]["version"])
    return answer, status


def _create(kind: _Kind) -> tuple[Response, int]:
    records = _records(kind, body())
    known, hint = kind.known_ids(), f"already exists; change it with PUT or PATCH {API}/{kind.name}/<id>."
    taken = [RowError(row, "id", r["id"], hint) for row, r in enumerate(records, start=1) if _id_of(r) in known]
    return _answer(kind, _write(kind, records, taken, create=True), 201)


def _id_of(record: dict[str, object]) -> str | None:
    """Return the id of a body record as the importer would read it (a stripped text), None when it has none.

    A padded id (``" lpsk-diy"``) is refused by the validation anyway; it is also reported as taken here.
    """
    value = record.get("id")
    return str(value).strip() if isinstance(value, str | int | float) and not isinstance(value, bool) else None


def _update(kind: _Kind, identifier: str, partial: bool) -> tuple[Response, int]:
    """PUT or PATCH one record: the merge base of PATCH is the stored record of the version of If-Match."""
    current = kind.existing(identifier)  # 404 for an unknown id
    expected = if_match()  # 428 without it
    if current["version"] != expected:
        raise directory.StaleRecordError(identifier, expected, cast(int, current["version"]))  # a stored version
    record = _records(kind, body(), one=True)[0]
    if record.get("id", identifier) != identifier:
        raise InputError("id", record["id"], f"must be the id of the path, {identifier!r}; ids never change.")
    merged = {**current, **record} if partial else record
    merged["id"] = identifier
    return _answer(kind, _write(kind, [merged], expected={identifier: expected}))


def _one(kind: _Kind, identifier: str) -> Response:
    kind.existing(identifier, hidden=_is_editor())  # 404 with close ids; a retired agency only for editors
    collection = kind.export(include_hidden=True)
    feature = next(f for f in collection["features"] if f["properties"]["id"] == identifier)
    answer = geojson(feature)
    answer.headers["ETag"] = etag(feature["properties"]["version"])
    return answer


def _stale(error: directory.StaleRecordError) -> tuple[Response, int]:
    """Answer a write based on an old version: 412 naming If-Match, the value sent and the current version."""
    args = request.view_args or {}
    kind = AGENCIES if "agency_id" in args else AGREEMENTS
    current = error.current if error.current is not None else kind.versions().get(error.identifier, 0)
    answer, status = json_error(
        412, str(error), field=IF_MATCH, value=request.headers.get(IF_MATCH), current_version=current
    )
    if current:
        answer.headers["ETag"] = etag(current)
    return answer, status
