"""The directory routes of the JSON API: agencies and agreements, read by anyone, written by editors.

Reading: GeoJSON FeatureCollections. Every agency carries ``location_kind`` (:data:`directory.places.LOCATION_KINDS`):
``office`` (a point in Indonesia, travelled to by referrals and coverage), ``abroad`` (an embassy or consulate: its
``country`` and ``city``, a null geometry unless a source gives its point) or ``hotline`` (a line to call: a null
geometry, no travel time); it is derived from ``agency_type`` and ``country`` and ignored in a write body.
A caller below caseworker gets the public view
(:func:`directory.agencies.public_view`: a confidential agency at its regency's point,
without address, contact or notes, ``redacted`` true), which every map asks for and which is kept
in-process once per data version (:func:`service.api.cache.answer`); a caseworker or higher gets the
true points, built for each request.

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

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import PreconditionRequired

import directory
from core.db import session_scope
from core.errors import InputError
from directory import capabilities
from service import auth
from service.api._records import (
    AGENCIES,
    AGREEMENTS,
    _answer,
    _create,
    _is_editor,
    _one,
    _stale,
    _update,
)
from service.api.cache import answer, directory_changed
from service.api.common import (
    GEOJSON,
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
)
from service.api.versions import if_match, precondition_required


def create_agencies() -> ResponseReturnValue:
    """Create agencies (editor): one record, a Feature, a list or a FeatureCollection; a known id is refused."""
    return _create(AGENCIES)


def agency(agency_id: str) -> ResponseReturnValue:
    """Return one agency as the caller may see it, with its version as ETag."""
    return _one(AGENCIES, agency_id)


def update_agency(agency_id: str) -> ResponseReturnValue:
    """Replace (PUT) or change (PATCH) one agency (editor; If-Match)."""
    return _update(AGENCIES, agency_id, partial=request.method == "PATCH")


def create_agreements() -> ResponseReturnValue:
    """Create agreements (editor); a known id is refused."""
    return _create(AGREEMENTS)


def agreement(agreement_id: str) -> ResponseReturnValue:
    """Return one agreement, with its version as ETag."""
    return _one(AGREEMENTS, agreement_id)


def update_agreement(agreement_id: str) -> ResponseReturnValue:
    """Replace (PUT) or change (PATCH) one agreement (editor; If-Match)."""
    return _update(AGREEMENTS, agreement_id, partial=request.method == "PATCH")


def agencies() -> ResponseReturnValue:
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

    def compute() -> str:
        collection = AGENCIES.export(include_hidden=include_retired)
        collection["features"] = [
            feature
            for feature in collection["features"]
            if (capability is None or capability in feature["properties"]["capabilities"])
            and (area is None or inside(feature["properties"]["area_code"] or "", area))  # a mission abroad has none
        ]
        return json.dumps(collection, ensure_ascii=False)

    if include_retired or auth.is_authorised():
        return geojson(compute())
    # the public view, asked by every map: kept once per data version (about 0.1 s to build)
    return answer("agencies", (capability, area), False, compute, GEOJSON)


def retire_agency(agency_id: str) -> ResponseReturnValue:
    AGENCIES.existing(agency_id)  # 404 with close ids
    expected = if_match()
    on = json_object().get("on") if body() is not None else None
    if on is not None and (not isinstance(on, str) or not _is_date(on)):
        raise InputError("on", on, "is expected to be a date YYYY-MM-DD (default today).")
    with session_scope(engine()) as session, looked_up("agency_id", agency_id):
        directory.retire_agency(session, agency_id, dt.date.fromisoformat(on) if on else None, expected)
    directory_changed()
    return _answer(AGENCIES, [agency_id])


def agreements() -> ResponseReturnValue:
    area = area_param("area")
    collection = AGREEMENTS.export(include_hidden=True)
    collection["features"] = [
        f
        for f in collection["features"]
        if area is None or inside(f["properties"]["area_a"], area) or inside(f["properties"]["area_b"], area)
    ]
    return geojson(collection)


def delete_agreement(agreement_id: str) -> ResponseReturnValue:
    AGREEMENTS.existing(agreement_id)  # 404 with close ids
    expected = if_match()
    with session_scope(engine()) as session, directory.stale_writes(agreement_id, expected):
        agreement = session.get(directory.Agreement, agreement_id)
        directory.check_version(agreement_id, agreement, expected)
        session.delete(agreement)
        session.flush()  # DELETE ... WHERE version = ?: a lost race is a StaleRecordError
    directory_changed()
    return jsonify({"deleted": agreement_id})


def routes(app: Blueprint) -> None:
    """Add the directory views to the API blueprint `app` (and its answers to stale and unconditional writes)."""
    app.register_error_handler(directory.StaleRecordError, _stale)
    app.register_error_handler(PreconditionRequired, precondition_required)
    editor = auth.role_required("editor")
    for rule, view, methods, needs_editor in (
        ("/agencies", create_agencies, ["POST"], True),
        ("/agencies", agencies, ["GET"], False),
        ("/agencies/<agency_id>", agency, ["GET"], False),
        ("/agencies/<agency_id>", update_agency, ["PUT", "PATCH"], True),
        ("/agencies/<agency_id>/retire", retire_agency, ["POST"], True),
        ("/agreements", create_agreements, ["POST"], True),
        ("/agreements", agreements, ["GET"], False),
        ("/agreements/<agreement_id>", agreement, ["GET"], False),
        ("/agreements/<agreement_id>", update_agreement, ["PUT", "PATCH"], True),
        ("/agreements/<agreement_id>", delete_agreement, ["DELETE"], True),
    ):
        app.add_url_rule(rule, view.__name__, editor(view) if needs_editor else view, methods=methods)


def _is_date(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10
