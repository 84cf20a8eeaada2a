"""The directory page: search the agencies (name, capability, type, area) and list the agreements.

Everyone sees the public view (:func:`directory.agencies.public_view`: a safe house at its
regency's point, without address); caseworkers see true locations. Editors also get the
links to the forms of :mod:`service.pages.editor` and may list retired agencies (retired
agencies and ended agreements are shown to editors only).
"""

from __future__ import annotations

import numpy as np
from flask import Blueprint, Response, request

import directory
from core.db import session_scope
from core.errors import InputError, NotFoundError
from core.values import is_missing
from directory import capabilities
from geo import boundaries
from service.api.common import engine
from service.pages import accounts as pages_admin
from service.pages import editor as pages_editor
from service.pages.common import authorised, has_role, page


def _missing(value: object) -> bool:
    return not isinstance(value, list | tuple) and is_missing(value.item() if isinstance(value, np.generic) else value)


def _plain(record: dict) -> dict:
    """Return a record with pandas' missing values (NaN, NA) as None, so templates can test them."""
    return {key: None if _missing(value) else value for key, value in record.items()}


def _filters() -> dict[str, str | None]:
    return {name: (request.args.get(name) or "").strip() or None for name in ("q", "capability", "agency_type", "area")}


def agencies(filters: dict[str, str | None], include_retired: bool) -> list[dict]:
    """Return the agencies matching `filters` as the visitor may see them.

    Raises
    ------
    InputError, NotFoundError
        For an unknown capability, agency type or area code (close matches given).
    """
    if filters["area"]:
        boundaries.area(filters["area"], field="area")
    with session_scope(engine()) as session:
        rows = directory.list_agencies(
            session,
            capability=filters["capability"],
            area_code=filters["area"],
            agency_type=filters["agency_type"],
            include_retired=include_retired,
        )
        frame = directory.agencies_to_frame(rows)
        versions = {agency.id: agency.version for agency in rows}  # for the editors' retire buttons
    view = directory.public_view(frame, authorised=authorised())
    records = [_plain(record) for record in view.drop(columns="geometry").to_dict("records")]
    for record in records:
        record["version"] = versions[record["id"]]
    words = (filters["q"] or "").casefold().split()
    text = lambda r: f"{r['name']} {r['organization_name'] or ''} {r['id']}".casefold()  # noqa: E731
    return [record for record in records if all(word in text(record) for word in words)]


def agreements(area: str | None, include_ended: bool = False) -> list[dict]:
    """Return the agreements in force (of `area` when given; ended ones too if `include_ended`) as flat records."""
    with session_scope(engine()) as session:
        found = directory.list_agreements(session, area_code=area, include_ended=include_ended)
        return [directory.agreement_record(a) for a in found]


def register(bp: Blueprint) -> None:
    """Add the directory page and the editor forms to the pages blueprint `bp`."""

    @bp.get("/directory")
    def directory_page() -> Response:
        filters = _filters()
        include_retired = has_role("editor") and request.args.get("retired") == "1"
        error, status, found, pacts = None, 200, [], []
        try:
            found = agencies(filters, include_retired)
            pacts = agreements(filters["area"], include_ended=include_retired)
        except (InputError, NotFoundError) as problem:
            error, status = problem, 400 if isinstance(problem, InputError) else 404
        return page(
            "directory.html",
            status,
            filters=filters,
            agencies=found,
            agreements=pacts,
            error=error,
            include_retired=include_retired,
            capability_codes=list(capabilities.CAPABILITIES),
            type_codes=list(capabilities.AGENCY_TYPES),
        )

    pages_editor.register(bp)
    pages_admin.register(bp)
