"""Response headers of every answer: what may be cached, framed, referred and loaded, and compression.

* **Caching** (the one place that sets ``Cache-Control``). A page or API answer for a signed-in
  user or a token holder may carry confidential places (safe houses) or exact referral results:
  ``private, no-store``, whatever the view set. An anonymous successful GET of the API is
  ``public, max-age=300`` except :data:`PRIVATE_API_ENDPOINTS`; of the pages, only
  :data:`PUBLIC_PAGE_ENDPOINTS`. Errors and writes are ``private, no-store``.
  The referral page says where a victim is, whoever asks: ``no-store`` for everyone
  (:data:`NO_STORE_ENDPOINTS`).
  Every answer varies with ``Cookie`` (API answers with ``Authorization`` too), so a shared
  cache never hands one person's answer to another. The national map and its data carry an
  ETag of the data version and are answered 304 while it holds (:mod:`service.etags`); a 304
  carries the same ``Cache-Control`` as the answer it stands for. Files under ``/static/``
  hold no data and keep the caching they are served with (an ETag of the file, so a
  revalidation is a 304): the library files under :data:`webmap.assets.VENDOR_URL` have their
  version in the URL and are ``public, max-age=31536000, immutable`` (a browser never asks
  again; a new version is a new URL), the maps' own script and the pages' stylesheet five minutes.
* **Referrer.** ``Referrer-Policy: no-referrer``: a referral's place, if it ever is in a
  URL (links and bookmarks of ``GET /referral``), does not leak to the tile server.
* **Framing and loading.** ``X-Frame-Options: SAMEORIGIN`` and a Content Security Policy
  that allows scripts, styles, fonts and data requests from this server only and images
  from it and the base-map tile host (``settings.tile_url``). Inline scripts and styles
  are allowed because folium writes its map as inline script; no page inserts data as
  HTML (see :mod:`webmap._elements`), which is what stops injected script.
* **Transport and features.** ``Strict-Transport-Security`` (one year, subdomains) on
  answers served over HTTPS (directly or behind a proxy that says so and that the app
  trusts), never over plain HTTP, where it would mean nothing; ``Permissions-Policy``
  turns off the browser features no page uses (camera, microphone, geolocation, payment,
  USB, ...). The map's "where am I" is never asked of the browser: a caseworker types or
  clicks the place.
* **Compression.** Flask-Compress (gzip, brotli, zstd, as the browser accepts) on HTML,
  JSON, GeoJSON, CSS and JavaScript answers larger than 1 kB: boundaries as GeoJSON
  shrink about fivefold.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_compress import Compress

from core import settings
from service import etags
from service.api.common import is_api
from service.auth import current_user
from webmap.assets import VENDOR_URL

STATIC_PREFIX = "/static/"
PUBLIC = "public, max-age=300"
PRIVATE = "private, no-store"
NO_STORE_ENDPOINTS: frozenset[str] = frozenset({"pages.referral", "auth.login", "pages.change_password"})
"""Pages never stored by a browser or proxy, whoever asks: they hold a victim's place or a sign-in form."""
PRIVATE_API_ENDPOINTS: frozenset[str] = frozenset({"api.me", "api.health", "api.referrals", "api.places"})
"""API routes never stored, whoever asks: who is calling, the service's state, or a victim's place in the query."""
PUBLIC_PAGE_ENDPOINTS: frozenset[str] = frozenset({"pages.national"})
"""Pages an anonymous visitor's browser or a proxy may keep for five minutes (the national map: aggregates only)."""
HSTS = "max-age=31536000; includeSubDomains"
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "interest-cohort",
        "browsing-topics",
    )
)
COMPRESSED_TYPES: list[str] = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "application/geo+json",
]


def tile_origin(tile_url: str) -> str | None:
    """Return the scheme and host of a tile URL template for the CSP (``{s}.`` becomes ``*.``), None for none.

    >>> tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    'https://*.tile.example.org'
    """
    if str(tile_url).strip().lower() == "none":
        return None
    parts = urlsplit(str(tile_url).replace("{s}.", "*."))
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def content_security_policy() -> str:
    """Return the Content Security Policy of every page (see the module notes)."""
    images = " ".join(filter(None, ["'self'", "data:", tile_origin(settings.tile_url)]))
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline'",
            "style-src 'self' 'unsafe-inline'",
            f"img-src {images}",
            "font-src 'self'",
            "connect-src 'self'",
            "frame-src 'self'",
            "frame-ancestors 'self'",
            "form-action 'self'",
            "base-uri 'self'",
            "object-src 'none'",
        ]
    )


def _personal() -> bool:
    return current_user() is not None


def _cache_control() -> str | None:
    """Return the ``Cache-Control`` of this answer by the rules of the module notes (None: leave the view's)."""
    if request.path.startswith(STATIC_PREFIX):
        return None
    if _personal() or request.endpoint in NO_STORE_ENDPOINTS:
        return PRIVATE
    if is_api():
        shared = request.method in ("GET", "HEAD") and request.endpoint not in PRIVATE_API_ENDPOINTS
        return PUBLIC if shared else PRIVATE
    return PUBLIC if request.endpoint in PUBLIC_PAGE_ENDPOINTS else None


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith(STATIC_PREFIX):
        if request.path.startswith(VENDOR_URL + "/") and response.status_code in (200, 304):
            response.cache_control.immutable = True
        return response
    response.vary.add("Cookie")
    if is_api():
        response.vary.add("Authorization")
    control = _cache_control()
    if control == PUBLIC and response.status_code not in (200, 304):
        control = PRIVATE  # an error or a redirect is never kept
    etags.add_tag(response)
    if control is not None:
        headers["Cache-Control"] = control
    return response


def init_app(app: Flask) -> None:
    """Add the headers of the module notes to every answer of `app`, answer 304 by data version, compress."""
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_TYPES)
    app.config.setdefault("COMPRESS_MIN_SIZE", 1024)
    Compress(app)
    app.before_request(etags.not_modified)
    app.after_request(_set_headers)
