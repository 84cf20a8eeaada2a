"""Alembic's environment: the revisions run on the connection :func:`store.schema.init_db` hands over.

``init_db`` runs them in its one transaction (SQLite: foreign keys off, ``BEGIN IMMEDIATE``; PostgreSQL: an advisory
lock, so that two workers starting at once upgrade one after the other). Run from the command line (``alembic``
in the checkout, for ``alembic revision --autogenerate`` or ``alembic upgrade head``), the environment opens the
database of ``settings.database_url`` the same way.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from core.db import Base, get_engine
from store import schema

target_metadata = Base.metadata  # every table: store.schema imports their models
COUNTER_TABLE = "data_changes"  # kept with its triggers by store.version.install_counter, not by a revision


def _compared(item: object, name: str | None, kind: str, reflected: bool, compared_to: object) -> bool:
    """Whether autogenerate compares `item` (every table but the write counter's)."""
    return not (kind == "table" and name == COUNTER_TABLE)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection, target_metadata=target_metadata, render_as_batch=True, include_object=_compared
    )
    with context.begin_transaction():  # inside init_db's transaction: nothing is committed here
        context.run_migrations()
    revision = context.get_context().get_current_revision()
    if revision is not None:  # schema_info mirrors it, for check_ready and for releases before Alembic
        schema.record_version(connection, revision)


def run_offline() -> None:
    """Print the SQL of the revisions (``alembic upgrade head --sql``) for the database of the settings."""
    context.configure(url=get_engine().url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the revisions on init_db's connection, or on the database of the settings."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with schema.upgrading(get_engine()) as opened:
        _run(opened)


if context.is_offline_mode():
    run_offline()
else:
    run_online()
