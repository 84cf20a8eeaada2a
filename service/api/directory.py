"""The directory routes of the JSON API: agencies and agreements, read by anyone, written by editors.

Reading: GeoJSON FeatureCollections. A caller below caseworker gets the public view
(:func:`directory.agencies.public_view`: a confidential agency at its regency's point,
without address, contact or notes, ``redacted`` true); a caseworker or higher gets the
true points.

Writing (editor or higher): the body is one record (a JSON object of the fields of
:data:`directory.agencies.AGENCY_FIELDS` or :data:`~directory.agencies.AGREEMENT_FIELDS`, with
``lon``/``lat``; any other field is a row error listing the allowed ones, as an unknown
CSV column is), a GeoJSON Feature, a list of records or a FeatureCollection. Every
record is checked by the importer's own rules (:func:`directory.io.validate_agencies`,
:func:`~directory.io.validate_agreements`) and written by its importer in one
transaction: a body with any bad row is answered 422 with every row error, and nothing
is written. POST only creates (a known id is a row error), PUT replaces one record,
PATCH changes the fields given. Agencies are retired, never deleted; agreements are deleted.

Versions (optimistic concurrency): every agency and agreement has a ``version``, in the
properties of every answer, and ``GET /<kind>/<id>`` answers it as a strong ``ETag``
(``"3"``, :mod:`service.api.versions`). PUT, PATCH, DELETE and ``POST /agencies/<id>/retire``
must send it back in ``If-Match``: without it the answer is 428 (Precondition Required), and when the record
has changed since (another version) 412 (Precondition Failed), whose JSON names the field
``If-Match``, the ``value`` sent and the ``current_version``; nothing is written then.
The version is checked in the write's own transaction and the UPDATE itself is a
compare-and-swap (:mod:`directory.agencies`), so of two writes based on one version exactly one
succeeds, also for PATCH (merged with the stored record of the version named). A
``version`` in a body is ignored: only ``If-Match`` counts. Bearer-token callers must send
``If-Match`` too: scripts that replay a stale export are how updates get lost, and a
script can GET the ETag as easily as a browser. ``If-Match: *`` is refused (400): it
names no version. A POST creates only (its records must not exist, checked in the same
transaction). Bulk imports (``rujuk agencies import``) need no version but raise it.

Retired agencies are for editors only: ``include_retired=true`` from a caller below
editor is a 403 naming the parameter, and a retired agency's id is a 404 to such a caller,
as if it did not exist (the close ids offered are active ones).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import PreconditionRequired

import directory
from core.db import session_scope
from core.errors import ImportRejectedError, InputError, RowError
from directory import capabilities
from directory import io as directory_io
from directory.agencies import Agreement, ServiceLocation
from service import auth
from service.api.cache import directory_changed
from service.api.common import (
    API,
    ParameterNotFoundError,
    area_param,
    body,
    engine,
    flag_param,
    geojson,
    inside,
    json_error,
    json_object,
    looked_up,
    param,
    shown_name,
)
from service.api.versions import IF_MATCH, etag, if_match, precondition_required

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
    ``version``)."""

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
                feature["properties"].setdefault("redacted", False)
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
            found = session.get(self.model, identifier)
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
    (*directory.AGENCY_FIELDS, "redacted", "version"),
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
            errors.append(RowError(row, shown_name(field), shown_name(field), message))  # a name may be 5,000 chars
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
    if not (capabilities.blank(lon) and capabilities.blank(lat)):
        point = [float(cast(float | str, lon)), float(cast(float | str, lat))]
    geometry = None if point is None else {"type": "Point", "coordinates": point}
    properties = {k: v for k, v in record.items() if k not in ("lon", "lat", "version")}
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


def _record_routes(app: Blueprint, kind: _Kind) -> None:
    """Add ``POST /<kind>`` and ``GET``, ``PUT``, ``PATCH /<kind>/<singular>_id`` for agencies or agreements."""
    key, editor = f"{kind.singular}_id", auth.role_required("editor")

    def create():
        return _create(kind)

    def one(**path: str):
        return _one(kind, path[key])

    def update(**path: str):
        return _update(kind, path[key], partial=request.method == "PATCH")

    app.add_url_rule(f"/{kind.name}", f"create_{kind.name}", editor(create), methods=["POST"])
    app.add_url_rule(f"/{kind.name}/<{key}>", kind.singular, one, methods=["GET"])
    app.add_url_rule(f"/{kind.name}/<{key}>", f"update_{kind.singular}", editor(update), methods=["PUT", "PATCH"])


def routes(app: Blueprint) -> None:
    """Add the directory routes to the API blueprint `app` (and its answer to stale writes, 412)."""
    app.register_error_handler(directory.StaleRecordError, _stale)
    app.register_error_handler(PreconditionRequired, precondition_required)
    for kind in (AGENCIES, AGREEMENTS):
        _record_routes(app, kind)

    @app.get("/agencies")
    def agencies():
        capability, area = param("capability"), area_param("area")
        if capability is not None:
            capabilities.check("capability", capability)
        include_retired = flag_param("include_retired")
        if include_retired and not _is_editor():
            message = (
                f"`include_retired` was {param('include_retired')!r} but retired agencies are shown to "
                f"editors only; your role is {auth.current_role()!r}."
            )
            return json_error(403, message, field="include_retired", value=param("include_retired"))
        collection = AGENCIES.export(include_hidden=include_retired)
        collection["features"] = [
            feature
            for feature in collection["features"]
            if (capability is None or capability in feature["properties"]["capabilities"])
            and (area is None or inside(feature["properties"]["area_code"], area))
        ]
        return geojson(collection)

    @app.post("/agencies/<agency_id>/retire")
    @auth.role_required("editor")
    def retire_agency(agency_id: str):
        AGENCIES.existing(agency_id)  # 404 with close ids
        expected = if_match()
        on = json_object().get("on") if body() is not None else None
        if on is not None and (not isinstance(on, str) or not _is_date(on)):
            raise InputError("on", on, "is expected to be a date YYYY-MM-DD (default today).")
        with session_scope(engine()) as session, looked_up("agency_id", agency_id):
            directory.retire_agency(session, agency_id, dt.date.fromisoformat(on) if on else None, expected)
        directory_changed()
        return _answer(AGENCIES, [agency_id])

    @app.get("/agreements")
    def agreements():
        area = area_param("area")
        collection = AGREEMENTS.export(include_hidden=True)
        collection["features"] = [
            f
            for f in collection["features"]
            if area is None or inside(f["properties"]["area_a"], area) or inside(f["properties"]["area_b"], area)
        ]
        return geojson(collection)

    @app.delete("/agreements/<agreement_id>")
    @auth.role_required("editor")
    def delete_agreement(agreement_id: str):
        AGREEMENTS.existing(agreement_id)  # 404 with close ids
        expected = if_match()
        with session_scope(engine()) as session, directory.stale_writes(agreement_id, expected):
            agreement = session.get(directory.Agreement, agreement_id)
            directory.check_version(agreement_id, agreement, expected)
            session.delete(agreement)
            session.flush()  # DELETE ... WHERE version = ?: a lost race is a StaleRecordError
        directory_changed()
        return jsonify({"deleted": agreement_id})


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
