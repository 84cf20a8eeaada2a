"""ETags by data version: a public map or map-data answer that has not changed is answered 304, without work.

The national map page and the data it loads (boundaries, agencies, agreements, case figures,
coverage, hot spots: :data:`VERSIONED_ENDPOINTS`) are computed from nothing but the database's
data (:func:`store.version.data_version`: a write counter and today's date), the boundary
artefacts, the request (its path, its query, the page language) and the software with its
settings. :func:`tag` is a digest of all of them: the same tag means the same answer, in every
worker process. An anonymous ``GET`` of such a route answers ``ETag: W/"..."`` (weak: the same tag
for the gzip and the plain bytes, which differ only by their coding, and a tag that Flask-Compress
leaves alone), and a request whose ``If-None-Match`` holds the current tag is answered
``304 Not Modified`` before the view runs (:func:`not_modified`), so a browser revalidating
a map after its five minutes of freshness (``Cache-Control`` in :mod:`service.headers`) gets
a few hundred bytes instead of megabytes, and the server reads one row instead of rendering.

Signed-in and token callers get no tag: their answers may hold confidential places and are
``private, no-store`` (:mod:`service.headers`).
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType

from flask import Response, current_app, g, request

from core import settings
from geo import boundaries
from service.api.common import data_version
from service.auth import current_user
from service.pages.common import lang

VERSIONED_ENDPOINTS: frozenset[str] = frozenset(
    {
        "pages.national",
        "api.areas",
        "api.agencies",
        "api.agreements",
        "api.case_figures",
        "api.coverage",
        "api.hotspots",
    }
)
"""Routes whose public answer depends only on the data version, the request and the software (see the notes)."""
_PACKAGES = ("core", "geo", "accounts", "directory", "cases", "store", "routing", "webmap", "service")
_SOURCE_SUFFIXES = frozenset({".py", ".html", ".js", ".css", ".csv", ".txt", ".json"})
_TAG_KEY = "rujuk_etag"


@cache
def software_fingerprint() -> str:
    """Return a digest of Rujuk's version and of the size and time of every source, template and table file.

    Read once per process: a changed file takes effect at a restart, and so does its tag.
    """
    try:
        version = metadata.version("rujuk")
    except metadata.PackageNotFoundError:
        version = "unknown"
    digest = hashlib.sha256(version.encode())
    root = Path(__file__).resolve().parents[1]
    for package in _PACKAGES:
        for path in sorted((root / package).rglob("*")):
            if path.suffix in _SOURCE_SUFFIXES and path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(root)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def settings_fingerprint() -> str:
    """Return a digest of every setting but the secret key (settings may change at run time)."""
    values = sorted(
        (name, repr(value))
        for name, value in vars(settings).items()
        if name.islower()
        and not name.startswith("_")
        and name != "secret_key"
        and not callable(value)
        and not isinstance(value, ModuleType)
    )
    return hashlib.sha256(repr(values).encode()).hexdigest()


def _boundaries_state() -> str:
    states = []
    for name, path in boundaries.artefact_paths().items():
        try:
            stat = path.stat()
        except FileNotFoundError:
            states.append(f"{name}:-")
        else:
            states.append(f"{name}:{stat.st_size}:{stat.st_mtime_ns}")
    return ";".join(states)


def tag() -> str:
    """Return the ETag of this request's answer (its value: sent weak, ``W/"<value>"``; see the module notes)."""
    parts = (
        software_fingerprint(),
        settings_fingerprint(),
        data_version(),
        _boundaries_state(),
        request.endpoint or "",
        request.path,
        repr(sorted(request.args.items(multi=True))),
        lang(),
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _versioned() -> bool:
    return (
        request.method in ("GET", "HEAD")
        and request.endpoint in VERSIONED_ENDPOINTS
        and current_user() is None
        and "Authorization" not in request.headers
    )


def not_modified() -> Response | None:
    """Answer 304 when the request's ``If-None-Match`` holds the tag of the current answer (a before-request hook).

    Otherwise keep the tag for :func:`add_tag` and let the view answer.
    """
    if not _versioned():
        return None
    current = g.setdefault(_TAG_KEY, tag())
    if not request.if_none_match.contains_weak(current):  # weak comparison, as RFC 9110 asks of If-None-Match
        return None
    response = current_app.response_class(status=304)
    response.set_etag(current, weak=True)
    return response


def add_tag(response: Response) -> None:
    """Give a successful answer of a versioned route the tag computed before its view ran."""
    found = g.get(_TAG_KEY)
    if found is not None and response.status_code == 200:
        response.set_etag(found, weak=True)
