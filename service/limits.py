"""Rate limits of the web service (Flask-Limiter), counted per client address.

:data:`limiter` is the one limiter of the app; views take their limits from it with
``@limiter.limit(...)``. Counts are kept in ``settings.ratelimit_storage_uri``
(``memory://``: per process; a shared store such as Redis when several worker
processes serve). A refused request is answered 429 with ``Retry-After``, as JSON under
``/api/`` and as an error page elsewhere (:func:`service.api.common.register_errors`).
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from core import settings

limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)


def init_app(app: Flask) -> None:
    """Attach :data:`limiter` to `app`, counting in ``settings.ratelimit_storage_uri``."""
    app.config.setdefault("RATELIMIT_STORAGE_URI", settings.ratelimit_storage_uri)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)
