"""Rujuk's web service: the Flask application factory. Routes live in the `service` blueprints.

Run it with ``rujuk serve`` (waitress). ``create_app()`` prepares the data on start
(boundaries built or reused, database created and seeded when empty), so the service
runs on the embedded default data with no other step.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from core import db, settings
from service import auth, headers, limits
from service.api import routes as api
from service.fast_json import FastJSONProvider
from service.pages import common as pages_common
from service.pages import routes as pages
from store.prepare import prepare
from webmap import assets

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
"""Largest request body (a directory import file); a larger one is refused with 413."""


def create_app(engine: Engine | None = None, *, prepare_data: bool = True) -> Flask:
    """Return the Flask application.

    Parameters
    ----------
    engine
        Database engine; default ``db.get_engine()`` on ``settings.database_url``.
    prepare_data
        Build missing artefacts and create and seed the database before serving.
    """
    app = Flask(__name__)
    if settings.proxy_hops:  # trust exactly that many proxies' forwarded address and scheme
        hops = int(settings.proxy_hops)
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    app.json = FastJSONProvider(app)  # Flask's JSON, encoded by msgspec (dates ISO, non-ASCII text as UTF-8)
    app.config["MAX_CONTENT_LENGTH"] = MAX_UPLOAD_BYTES
    engine = engine or db.get_engine()
    if prepare_data:
        prepare(progress=False, engine=engine)
    app.config["RUJUK_ENGINE"] = engine
    # Blueprints first: the pages choose the visitor's language before auth checks a CSRF
    # token, so that a refused token is explained in that language.
    for blueprint in (api.bp, auth.bp, pages.bp, assets.bp):
        app.register_blueprint(blueprint)
    limits.init_app(app)
    auth.init_app(app)
    headers.init_app(app)
    api.register_errors(app, page=pages_common.http_error_page)
    return app
