"""The editors' forms of the directory: add and edit agencies and agreements, retire agencies, end agreements, import.

Every route needs the role ``editor`` (:func:`service.auth.role_required`: the public is
sent to ``/login``) and every POST a CSRF token (checked by :mod:`service.auth`). A form
is one record checked and written by the same code as the JSON API
(:data:`service.api_directory.AGENCIES` / ``AGREEMENTS``: the importer's validation,
then one transaction); its row errors are shown next to their fields and nothing is
written. An uploaded CSV or GeoJSON file goes through :mod:`geo.directory_io` whole:
rejected, every row error is listed and nothing is written.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Response, flash, redirect, request, url_for
from werkzeug.utils import secure_filename

from geo import capabilities, directory, directory_io
from geo._errors import ImportRejectedError, InputError
from geo.db import session_scope
from service.api_common import directory_changed
from service.api_directory import AGENCIES, AGREEMENTS, _Kind
from service.api_directory import _write as write_records
from service.auth import role_required
from service.pages_common import engine, lang, page, t

FORM_SOURCE = "form"
MODES = directory_io.MODES


@dataclass(frozen=True)
class Form:
    """The fields of one kind of record and how each is entered (``text``, ``date``, ``number``, ``select:<vocabulary>``...)."""

    kind: _Kind
    noun: str
    widgets: dict[str, str]
    flags: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.kind.name


FORMS: dict[str, Form] = {
    "agencies": Form(AGENCIES, "agency", {
        "id": "text", "name": "text", "organization_id": "text", "organization_name": "text", "website": "text",
        "agency_type": "select:agency_type", "jurisdiction_level": "select:jurisdiction_level", "area_code": "text",
        "address": "text", "lon": "number", "lat": "number", "location_precision": "select:location_precision",
        "phone": "text", "email": "text", "opening_hours": "text", "languages": "text", "capacity": "number",
        "verified_on": "date", "retired_on": "date", "source": "text", "source_url": "text", "notes": "textarea",
    }, ("confidential", "existence_confirmed")),
    "agreements": Form(AGREEMENTS, "agreement", {
        "id": "text", "area_a": "text", "area_b": "text", "signed_on": "date", "ended_on": "date", "title": "text",
        "source": "text", "source_url": "text",
    }),
}  # fmt: skip
"""The forms, by the kind in their URL (``/directory/agencies/new``)."""


def _form(kind: str) -> Form:
    if kind not in FORMS:
        raise InputError("kind", kind, f"is expected to be one of {list(FORMS)}.")
    return FORMS[kind]


def _shown(value: object) -> str:
    """Return a stored value as the text of a form field."""
    if value is None or value != value:
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _submitted(form: Form) -> dict[str, object]:
    """Return the posted record: texts stripped (empty as None), capabilities as a list, flags as true/false."""
    record: dict[str, object] = {field: request.form.get(field, "").strip() or None for field in form.widgets}
    record["capabilities"] = request.form.getlist("capabilities")
    for flag in form.flags:
        record[flag] = "true" if request.form.get(flag) else "false"
    return record


def _field_errors(error: ImportRejectedError) -> dict[str, list[dict]]:
    """Return the row errors by form field (``lon/lat`` belongs to both); others under ``""``."""
    found: dict[str, list[dict]] = {}
    for row_error in error.errors:
        for field in row_error.field.split("/"):
            found.setdefault(field, []).append(row_error.as_dict())
    return found


def _render(form: Form, values: dict[str, object], errors: dict, item_id: str | None, status: int = 200) -> Response:
    shown = {field: _shown(value) for field, value in values.items()}
    shown["capabilities"] = list(values.get("capabilities") or [])  # type: ignore[assignment]
    vocabularies = {field: capabilities.labels(field, lang()) for field in capabilities.VOCABULARIES}
    fields = {*form.widgets, *form.flags, "capabilities"}
    general = [error for field, found in errors.items() if field not in fields for error in found]
    return page(
        "entry_form.html", status, form=form, values=shown, errors=errors, item_id=item_id,
        vocabularies=vocabularies, capability_codes=list(capabilities.CAPABILITIES), general_errors=general,
    )  # fmt: skip


def _save(form: Form, item_id: str | None) -> Response:
    """Write the posted record (new when `item_id` is None) or show the form again with its errors."""
    record = _submitted(form)
    if item_id is not None:
        record["id"] = item_id
    elif record["id"] in form.kind.known_ids():
        error = {"row": 1, "field": "id", "value": record["id"], "message": t("error_id_taken")}
        return _render(form, record, {"id": [error]}, None, 400)
    try:
        write_records(form.kind, [record])
    except ImportRejectedError as rejected:
        return _render(form, record, _field_errors(rejected), item_id, 400)
    flash(t("saved", id=str(record["id"])))
    return redirect(url_for("pages.directory_page", q=record["id"]))


def _import(kind: str, mode: str) -> Response:
    """Import the uploaded file; show every row error when it is rejected (nothing is written then)."""
    form = _form(kind)
    if mode not in MODES:
        raise InputError("mode", mode, f"is expected to be one of {list(MODES)}.")
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise InputError("file", "", t("error_no_file"))
    suffix = Path(secure_filename(upload.filename)).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="rujuk-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        upload.save(path)
        try:
            directory_io.read_rows(path)
        except InputError:
            raise
        except (ValueError, TypeError, AttributeError, KeyError):  # not UTF-8, not JSON, features not objects
            raise InputError("file", upload.filename, t("error_unreadable_file")) from None
        try:
            counts = form.kind.importer(engine(), path, mode=mode)
        except ImportRejectedError as rejected:
            rows = [e.as_dict() for e in rejected.errors]
            return page("import.html", 422, rows=rows, kind=kind, mode=mode, filename=upload.filename, forms=FORMS)
    directory_changed()
    flash(t("imported", filename=upload.filename, **{k: counts.get(k, 0) for k in ("added", "updated")}))
    return redirect(url_for("pages.directory_page"))


def register(bp: Blueprint) -> None:
    """Add the editor routes to the pages blueprint `bp`."""

    @bp.route("/directory/<kind>/new", methods=["GET", "POST"])
    @role_required("editor")
    def new_entry(kind: str) -> Response:
        form = _form(kind)
        return _save(form, None) if request.method == "POST" else _render(form, {}, {}, None)

    @bp.route("/directory/<kind>/<item_id>/edit", methods=["GET", "POST"])
    @role_required("editor")
    def edit_entry(kind: str, item_id: str) -> Response:
        form = _form(kind)
        current = form.kind.existing(item_id)  # 404 with close ids
        return _save(form, item_id) if request.method == "POST" else _render(form, current, {}, item_id)

    @bp.post("/directory/agencies/<item_id>/retire")
    @role_required("editor")
    def retire_agency(item_id: str) -> Response:
        with session_scope(engine()) as session:
            directory.retire_agency(session, item_id)
        directory_changed()
        flash(t("retired", id=item_id))
        return redirect(url_for("pages.directory_page"))

    @bp.post("/directory/agreements/<item_id>/end")
    @role_required("editor")
    def end_agreement(item_id: str) -> Response:
        record = AGREEMENTS.existing(item_id)  # 404 with close ids
        ended = request.form.get("ended_on") or dt.date.today().isoformat()
        try:
            write_records(AGREEMENTS, [{**record, "ended_on": ended}])
        except ImportRejectedError as rejected:
            first = rejected.errors[0]
            raise InputError(first.field, first.value, first.message) from None
        directory_changed()
        flash(t("agreement_ended", id=item_id, date=ended))
        return redirect(url_for("pages.directory_page", retired=1))

    @bp.route("/directory/import", methods=["GET", "POST"])
    @role_required("editor")
    def import_file() -> Response:
        if request.method == "POST":
            return _import(request.form.get("kind", ""), request.form.get("mode", "upsert"))
        return page("import.html", rows=[], kind="agencies", mode="upsert", filename=None, forms=FORMS)
