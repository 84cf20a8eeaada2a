"""Versions of directory records over HTTP: the ETag a GET answers and the If-Match a write must send.

The ETag of a record at version 3 is the strong tag ``"3"`` (:func:`etag`). A write reads
the version its caller based it on from ``If-Match`` (:func:`if_match`): ``"3"``, and also
``W/"3"`` or ``3``, and ``"3:gzip"``, ``"3:br"``, ``"3:zstd"`` or ``"3:deflate"``: Flask-Compress
(:mod:`service.headers`) appends the coding to the strong ETag of an answer it compresses, and has no
option to leave it alone, so that tag names version 3 too (the version, not the bytes, is compared).
Without the header the answer is 428 Precondition Required (:func:`precondition_required`, JSON
naming the header); ``*`` and anything else that names no version is a 400. Comparing the version
with the stored one is the writer's job (:mod:`service.api.directory`, in the write's transaction).
"""

from __future__ import annotations

import re

from flask import Response, request
from werkzeug.exceptions import PreconditionRequired

from core.errors import InputError
from service.api.common import json_error

IF_MATCH = "If-Match"
CONTENT_CODINGS: tuple[str, ...] = ("gzip", "br", "zstd", "deflate")
"""The codings Flask-Compress may append to an ETag of a compressed answer (``"3"`` sent as ``"3:br"``)."""
_TAG = re.compile(rf'\s*(?:W/)?"?([0-9]{{1,9}})(?::(?:{"|".join(CONTENT_CODINGS)}))?"?\s*')


def etag(version: int) -> str:
    """Return the ETag of a record at `version` (a strong tag, ``"3"``)."""
    return f'"{version}"'


def if_match() -> int:
    """Return the version the request's ``If-Match`` names.

    Raises
    ------
    PreconditionRequired
        Without ``If-Match`` (428).
    InputError
        If it is not one ETag of a version (``"3"``; ``W/"3"``, ``3`` and ``"3:br"`` are read too), or is ``*``.
    """
    given = request.headers.get(IF_MATCH)
    if given is None or not given.strip():
        msg = (
            f"This write needs the header {IF_MATCH} with the ETag of the record you read (GET it first), so "
            "that it cannot overwrite a change made since."
        )
        raise PreconditionRequired(msg)
    found = _TAG.fullmatch(given)
    if found is None:
        raise InputError(IF_MATCH, given, 'is expected to be the ETag of the record as GET answered it, e.g. "3".')
    return int(found[1])


def precondition_required(error: PreconditionRequired) -> tuple[Response, int]:
    """Answer a write without If-Match: 428 naming the header."""
    return json_error(428, error.description or error.name, field=IF_MATCH, value=None)
