"""The editors' forms of the directory: add and edit agencies and agreements, retire agencies, end agreements, import.

Every route needs the role ``editor`` (:func:`service.auth.role_required`: the public is
sent to ``/login``) and every POST a CSRF token (checked by :mod:`service.auth`). A form
is one record checked and written by the same code as the JSON API
(:data:`service.api.directory.AGENCIES` / ``AGREEMENTS``: the importer's validation,
then one transaction); its row errors are shown next to their fields and nothing is
written. An uploaded CSV or GeoJSON file goes through :mod:`directory.io` whole:
rejected, every row error is listed and nothing is written.

An edit form, and the retire and end buttons, carry the ``version`` of the record they
were built from (a hidden field): the write is refused unless the record is still at that
version (:class:`directory.agencies.StaleRecordError`, checked in the write's transaction). A
stale edit shows the form again (409) with the saved values, a conflict message in the
page's language and the values that were not saved; nothing is ever overwritten silently.
A file import needs no version (an editor's deliberate replace) and lists its warnings
about cells that start like a spreadsheet formula.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, flash, redirect, request, url_for
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response  # what both a page and a redirect are

import directory
from core.db import session_scope
from core.errors import ImportRejectedError, InputError
from core.values import is_missing
from directory import capabilities
from directory import io as directory_io
from service.api._records import AGENCIES, AGREEMENTS, _Kind
from service.api._records import _write as write_records
from service.api.cache import directory_changed
from service.api.common import engine
from service.auth import role_required
from service.pages.common import lang, page, t

FORM_SOURCE = "form"
MODES = directory_io.MODES
SHOWN_WARNINGS = 10
"""The import warnings shown after an import (one line each); more are counted."""


@dataclass(frozen=True)
class Form:
    """The fields of one kind of record and how each is entered.

    Widgets: ``text``, ``date``, ``number``, ``select:<vocabulary>``...
    """

    kind: _Kind
    noun: str
    widgets: dict[str, str]
    flags: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.kind.name


FORMS: dict[str, Form] = {
    "agencies": Form(
        AGENCIES,
        "agency",
        {
            "id": "text",
            "name": "text",
            "organization_id": "text",
            "organization_name": "text",
            "website": "text",
            "agency_type": "select:agency_type",
            "jurisdiction_level": "select:jurisdiction_level",
            "area_code": "text",
            "address": "text",
            "lon": "number",
            "lat": "number",
            "location_precision": "select:location_precision",
            "phone": "text",
            "email": "text",
            "opening_hours": "text",
            "languages": "text",
            "capacity": "number",
            "verified_on": "date",
            "retired_on": "date",
            "source": "text",
            "source_url": "text",
            "notes": "textarea",
        },
        ("confidential", "existence_confirmed"),
    ),
    "agreements": Form(
        AGREEMENTS,
        "agreement",
        {
            "id": "text",
            "area_a": "text",
            "area_b": "text",
            "signed_on": "date",
            "ended_on": "date",
            "title": "text",
            "source": "text",
            "source_url": "text",
        },
    ),
}
"""The forms, by the kind in their URL (``/directory/agencies/new``)."""


def _form(kind: str) -> Form:
    if kind not in FORMS:
        raise InputError("kind", kind, f"is expected to be one of {list(FORMS)}.")
    return FORMS[kind]


def _shown(value: object) -> str:
    """Return a stored value as the text of a form field."""
    if is_missing(value):
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


def _posted_version() -> int | None:
    """Return the ``version`` field of the posted form, None when it is missing or not a number."""
    value = request.form.get("version", "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _field_errors(error: ImportRejectedError) -> dict[str, list[dict]]:
    """Return the row errors by form field (``lon/lat`` belongs to both); others under ``""``."""
    found: dict[str, list[dict]] = {}
    for row_error in error.errors:
        for field in row_error.field.split("/"):
            found.setdefault(field, []).append(row_error.as_dict())
    return found


def _render(
    form: Form,
    values: dict[str, object],
    errors: dict,
    item_id: str | None,
    status: int = 200,
    conflict: dict | None = None,
) -> Response:
    shown: dict[str, str | list[str]] = {field: _shown(value) for field, value in values.items()}
    chosen = values.get("capabilities")  # a list in a stored record and in a posted form
    shown["capabilities"] = list(chosen) if isinstance(chosen, list | tuple) else []
    vocabularies = {field: capabilities.labels(field, lang()) for field in capabilities.VOCABULARIES}
    fields = {*form.widgets, *form.flags, "capabilities"}
    general = [error for field, found in errors.items() if field not in fields for error in found]
    return page(
        "entry_form.html",
        status,
        form=form,
        values=shown,
        errors=errors,
        item_id=item_id,
        vocabularies=vocabularies,
        capability_codes=list(capabilities.CAPABILITIES),
        general_errors=general,
        conflict=conflict,
    )


def _conflict(form: Form, item_id: str, record: dict[str, object]) -> Response:
    """Show the saved record of `item_id` (its new version) with the posted values that differ from it (409)."""
    current = form.kind.existing(item_id)
    yours = {
        field: _shown(value)
        for field, value in record.items()
        if field in {*form.widgets, *form.flags, "capabilities"} and _shown(value) != _shown(current.get(field))
    }
    return _render(form, current, {}, item_id, 409, {"version": current["version"], "yours": yours})


def _save(form: Form, item_id: str | None) -> Response:
    """Write the posted record (new when `item_id` is None) or show the form again with its errors."""
    record = _submitted(form)
    taken = {"row": 1, "field": "id", "value": record["id"], "message": t("error_id_taken")}
    if item_id is not None:
        record["id"] = item_id
        expected = _posted_version()
        if expected is None:  # a form without its version cannot say what it was based on
            return _conflict(form, item_id, record)
    elif record["id"] in form.kind.known_ids():
        return _render(form, record, {"id": [taken]}, None, 400)
    else:
        expected = 0  # still new when written
    try:
        write_records(form.kind, [record], expected={str(record["id"]): expected})
    except ImportRejectedError as rejected:
        values = {**record, "version": _posted_version()}
        return _render(form, values, _field_errors(rejected), item_id, 400)
    except directory.StaleRecordError:
        if item_id is None:
            return _render(form, record, {"id": [taken]}, None, 400)
        return _conflict(form, item_id, record)
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
    warnings = counts.get("warnings", [])
    for warning in warnings[:SHOWN_WARNINGS]:  # flashes live in the session cookie: a few only
        flash(t("import_warnings", row=warning.row, field=warning.field, value=str(warning.value)[:60]))
    if len(warnings) > SHOWN_WARNINGS:
        flash(t("import_more_warnings", n=len(warnings) - SHOWN_WARNINGS))
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
        try:
            with session_scope(engine()) as session:
                directory.retire_agency(session, item_id, expected=_posted_version() or -1)
        except directory.StaleRecordError:
            flash(t("action_conflict", id=item_id))
            return redirect(url_for("pages.directory_page", q=item_id))
        directory_changed()
        flash(t("retired", id=item_id))
        return redirect(url_for("pages.directory_page"))

    @bp.post("/directory/agreements/<item_id>/end")
    @role_required("editor")
    def end_agreement(item_id: str) -> Response:
        record = AGREEMENTS.existing(item_id)  # 404 with close ids
        ended = request.form.get("ended_on") or dt.date.today().isoformat()
        try:
            write_records(AGREEMENTS, [{**record, "ended_on": ended}], expected={item_id: _posted_version() or -1})
        except ImportRejectedError as rejected:
            first = rejected.errors[0]
            raise InputError(first.field, first.value, first.message) from None
        except directory.StaleRecordError:
            flash(t("action_conflict", id=item_id))
            return redirect(url_for("pages.directory_page", retired=1))
        directory_changed()
        flash(t("agreement_ended", id=item_id, date=ended))
        return redirect(url_for("pages.directory_page", retired=1))

    @bp.route("/directory/import", methods=["GET", "POST"])
    @role_required("editor")
    def import_file() -> Response:
        if request.method == "POST":
            return _import(request.form.get("kind", ""), request.form.get("mode", "upsert"))
        return page("import.html", rows=[], kind="agencies", mode="upsert", filename=None, forms=FORMS)
