"""Offline web assets: the browser libraries of the maps, served by the app, never from a CDN.

Folium links Leaflet, jQuery, Bootstrap, Leaflet.awesome-markers, Font Awesome and its
plugins (Leaflet.markercluster) from public CDNs. Rujuk's pages must work without
internet, so the same libraries come from the npm registry instead: ``package.json``
pins them, ``package-lock.json`` pins their hashes, and ``make assets`` runs
``npm ci`` and then ``python -m webmap.assets``, which copies the files listed in
:data:`VENDOR_FILES` from ``node_modules/`` to ``webmap/static/vendor/<package>@<version>/``
(git-ignored). :data:`bp` serves that folder under :data:`VENDOR_URL` and the maps'
own script and stylesheet (``webmap/static/webmap/``) under :data:`WEBMAP_URL`.

:func:`localize` rewrites the ``default_js`` / ``default_css`` of a folium map and of
every element in it (plugins included) to those local URLs; a resource it does not
know raises, so a new plugin cannot silently load from a CDN. :func:`render` is
``localize`` followed by rendering the whole page.

Folium's defaults besides Leaflet are left out (:data:`DROPPED`): jQuery, Bootstrap,
Leaflet.awesome-markers with Font Awesome, the Bootstrap 3 glyph font and the rotated-icon
stylesheet serve folium's own ``Icon``, ``Popup`` and ``Tooltip`` elements, which Rujuk's
maps do not use (every data layer is drawn by ``rujuk-map.js``); together they were
about 470 kB of each map page. A map that adds such an element gets an error from
:func:`localize` rather than a silently broken page.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from functools import cache
from pathlib import Path

import folium
from branca.element import Element
from flask import Blueprint, send_from_directory

from core.errors import DataUnavailableError

VENDOR_DIR: Path = Path(__file__).resolve().parent / "static" / "vendor"
"""Where ``make assets`` puts the libraries (git-ignored)."""
WEBMAP_DIR: Path = Path(__file__).resolve().parent / "static" / "webmap"
"""The maps' own script and stylesheet (committed)."""
VENDOR_URL = "/static/vendor"
WEBMAP_URL = "/static/webmap"

VENDOR_FILES: dict[str, tuple[str, ...]] = {
    "leaflet": ("dist/leaflet.js", "dist/leaflet.css", "dist/images"),
    "leaflet.markercluster": (
        "dist/leaflet.markercluster.js",
        "dist/MarkerCluster.css",
        "dist/MarkerCluster.Default.css",
    ),
}
"""Per npm package, the files and folders copied to the vendor folder (paths inside the package)."""

RESOURCES: dict[str, tuple[str, str]] = {
    "leaflet": ("leaflet", "dist/leaflet.js"),
    "leaflet_css": ("leaflet", "dist/leaflet.css"),
    "markerclusterjs": ("leaflet.markercluster", "dist/leaflet.markercluster.js"),
    "markerclustercss": ("leaflet.markercluster", "dist/MarkerCluster.css"),
    "markerclusterdefaultcss": ("leaflet.markercluster", "dist/MarkerCluster.Default.css"),
}
"""Folium's resource names (``default_js`` / ``default_css``) and the vendored file each one becomes."""
DROPPED: frozenset[str] = frozenset(
    {
        "jquery",
        "bootstrap",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers",
        "awesome_markers_css",
        "awesome_markers_font_css",
        "awesome_rotate_css",
    }
)
"""Folium's default resources that Rujuk's maps do not need (see the module notes)."""
FOLIUM_VIEWPORT = re.compile(
    r'<meta name="viewport" content="width=device-width,\s+initial-scale=1.0, maximum-scale=1.0, user-scalable=no" />'
)
"""Folium's viewport forbids zooming the page, which people with low vision need (WCAG 1.4.4)."""
VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'


_REPO_ROOT = Path(__file__).resolve().parents[1]
bp = Blueprint("assets", __name__)


@cache
def _locked_versions(lock: Path) -> dict[str, str]:
    packages = json.loads(lock.read_text(encoding="utf-8"))["packages"]
    return {name: packages[f"node_modules/{name}"]["version"] for name in VENDOR_FILES}


def versions() -> dict[str, str]:
    """Return the pinned version of every vendored npm package, from ``package-lock.json``."""
    return dict(_locked_versions(_REPO_ROOT / "package-lock.json"))


def vendor_url(package: str, path: str) -> str:
    """Return the local URL of file `path` of npm package `package`.

    For example ``/static/vendor/leaflet@1.9.4/dist/leaflet.js``: the version is part of the URL.
    """
    return f"{VENDOR_URL}/{package}@{versions()[package]}/{path}"


def resource_url(name: str) -> str:
    """Return the local URL of a folium resource name of :data:`RESOURCES` (e.g. ``"leaflet_css"``)."""
    if name not in RESOURCES:
        msg = f"`name` was {name!r} but only these folium resources are vendored: {sorted(RESOURCES)}."
        raise KeyError(msg)
    return vendor_url(*RESOURCES[name])


def _local(resources: list[tuple[str, str]], of_map: bool) -> list[tuple[str, str]]:
    local = []
    for name, url in resources:
        if name in DROPPED and of_map:
            continue
        if url.startswith((VENDOR_URL + "/", WEBMAP_URL + "/")):
            local.append((name, url))
        elif name in RESOURCES:
            local.append((name, resource_url(name)))
        else:
            msg = (
                f"The folium resource {name!r} ({url}) has no local copy; add its npm package to package.json and "
                "webmap/assets.py (VENDOR_FILES, RESOURCES), or do not use that plugin."
            )
            raise DataUnavailableError(msg)
    return local


def _elements(root: Element):
    yield root
    for child in list(root._children.values()):
        yield from _elements(child)


def localize(m: folium.Map) -> folium.Map:
    """Point every script and stylesheet of map `m` (and of its plugins) at the local copies; return `m`.

    Call it after the last element was added (:func:`render` does). Idempotent.

    Raises
    ------
    DataUnavailableError
        If an element needs a resource that is not vendored (its name and CDN URL are given),
        including the folium defaults of :data:`DROPPED` when an element other than the map
        itself asks for them (a ``folium.Icon`` needs awesome-markers).
    """
    for element in _elements(m.get_root()):
        for attribute in ("default_js", "default_css"):
            if hasattr(element, attribute):
                local = _local(list(getattr(element, attribute)), of_map=isinstance(element, folium.Map))
                setattr(element, attribute, local)
    return m


def render(m: folium.Map) -> str:
    """Return the full HTML page of map `m` with local assets only (besides ``settings.tile_url``)."""
    return FOLIUM_VIEWPORT.sub(VIEWPORT, localize(m).get_root().render())


def missing_files(target: Path = VENDOR_DIR) -> list[str]:
    """Return the vendored files and folders that are not installed in `target` (empty when complete)."""
    return [
        f"{package}@{version}/{path}"
        for package, version in versions().items()
        for path in VENDOR_FILES[package]
        if not (target / f"{package}@{version}" / path).exists()
    ]


def install_vendor(node_modules: Path = _REPO_ROOT / "node_modules", target: Path = VENDOR_DIR) -> list[Path]:
    """Copy the files of :data:`VENDOR_FILES` from an ``npm ci`` tree into `target`; return the copied paths.

    Raises
    ------
    DataUnavailableError
        If a package is missing from `node_modules` or its version is not the one in
        ``package-lock.json`` (run ``npm ci``).
    """
    for package, version in versions().items():
        manifest = node_modules / package / "package.json"
        installed = json.loads(manifest.read_text(encoding="utf-8"))["version"] if manifest.is_file() else None
        if installed != version:
            found = installed or "not installed"
            msg = f"npm package {package!r} is {found} in {node_modules}, expected {version}: run `npm ci`."
            raise DataUnavailableError(msg)
    shutil.rmtree(target, ignore_errors=True)  # no file of an older version stays behind
    copied = []
    for package, version in versions().items():
        folder = target / f"{package}@{version}"
        for path in VENDOR_FILES[package]:
            source, destination = node_modules / package / path, folder / path
            destination.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, destination, dirs_exist_ok=True)
            else:
                shutil.copy2(source, destination)
            copied.append(destination)
    (target / "manifest.json").write_text(json.dumps(versions(), indent=2) + "\n", encoding="utf-8")
    return copied


@bp.get(f"{VENDOR_URL}/<path:filename>")
def vendor(filename: str):
    """Serve a vendored library file; the version is in the URL, so it may be cached for a year."""
    return send_from_directory(VENDOR_DIR, filename, max_age=365 * 24 * 3600)


@bp.get(f"{WEBMAP_URL}/<path:filename>")
def webmap_static(filename: str):
    """Serve the maps' own script and stylesheet."""
    return send_from_directory(WEBMAP_DIR, filename, max_age=300)


def main() -> int:
    """``python -m webmap.assets``: copy the vendored files after ``npm ci`` (the ``make assets`` step)."""
    copied = install_vendor()
    missing = missing_files()
    print(f"webmap assets: {len(copied)} paths in {VENDOR_DIR}; missing: {missing or 'none'}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
