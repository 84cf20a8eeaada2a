"""The database as a whole: its schema and versions, the data version, and preparing a fresh machine.

Modules: :mod:`store.schema` (every table, schema versions, :func:`~store.schema.init_db` running the Alembic
revisions of :mod:`store.migrations`, :func:`~store.schema.check_ready`),
:mod:`store.version` (the data version that tells when answers must be computed again) and
:mod:`store.prepare` (boundary artefacts built, the database created, upgraded and seeded).

Public API: :func:`database` (the engine of ``settings.database_url``, checked to be ready) and
:func:`prepare`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine


def database(url: str | None = None) -> Engine:
    """Return the engine of the service database (default ``settings.database_url``), checked to be ready.

    Raises
    ------
    core.errors.RujukError
        If the database is missing or not at this Rujuk's schema version: run ``rujuk data build``.
    """
    from core.db import get_engine
    from store.schema import check_ready

    return check_ready(get_engine(url))


def prepare(force: bool = False, progress: bool = True, engine: Engine | None = None) -> dict[str, object]:
    """Build the boundary artefacts and create, upgrade and seed the database (:func:`store.prepare.prepare`)."""
    from store.prepare import prepare as prepare_data

    return prepare_data(force=force, progress=progress, engine=engine)
