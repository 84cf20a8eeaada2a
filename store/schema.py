"""The schema of the service database: every table, its version, and the Alembic revisions between versions.

Importing this module registers every table (the models of :mod:`directory`, :mod:`cases`
and :mod:`accounts`) on :data:`core.db.Base`. The schema's version is the Alembic revision
the database is at (``alembic_version``; the revisions are :mod:`store.migrations`), mirrored
as a number in the ``schema_info`` table that every release has read. :func:`init_db` creates
a new database from the models and stamps it at the head revision, brings a database written
before Alembic came (``schema_info`` only) under Alembic at the revision of its version, upgrades
it to the head, and refuses a newer one.

Versions: 1, the directory and case figures; 2, users and API tokens (:mod:`accounts.users`);
3, the security columns: a ``version`` per directory record (optimistic concurrency), and per
user a session version, failed sign-ins and a lockout time; 4, agencies without a place in
Indonesia (missions abroad, hotlines: :mod:`directory.places`): ``area_code``, ``lon`` and
``lat`` become nullable and ``country`` (``'ID'`` by default) and ``city`` are added.

An upgrade is one transaction. On SQLite, foreign keys are off while it runs (a table that
SQLite must rebuild to change a column is dropped without any ``ON DELETE CASCADE`` running)
and are checked before it commits; on PostgreSQL an advisory lock makes two processes that
start at once upgrade one after the other.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, Integer, inspect, select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Mapped, mapped_column

from accounts import users  # noqa: F401  (registers the users' tables)
from cases import figures as _case_tables  # noqa: F401  (registers the case figures' table)
from core.db import Base, table_of
from core.errors import RujukError
from directory import agencies  # noqa: F401  (registers the directory's tables)
from store.version import install_counter

SCHEMA_VERSION = 4
"""The head revision of :mod:`store.migrations` as a number (revision ``0004``)."""

MIGRATIONS = Path(__file__).with_name("migrations")
_UPGRADE_LOCK = 0x72756A756B  # PostgreSQL advisory lock key of an upgrade ("rujuk")


def revision_of(version: int) -> str:
    """Return the Alembic revision id of schema `version` (``4`` -> ``'0004'``)."""
    return f"{version:04d}"


class SchemaInfo(Base):
    """The schema version of this database (one row)."""

    __tablename__ = "schema_info"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


def init_db(engine: Engine) -> int:
    """Create or upgrade the schema; return the schema version now in the database.

    A database without Rujuk's tables gets them from the models, stamped at the head revision. A database
    written before Alembic came has only ``schema_info``: it is stamped at the revision of its version first.
    Then every revision up to the head runs, in one transaction with the counter's triggers installed again.

    Raises
    ------
    RujukError
        If the database was written by a newer Rujuk (its schema version or revision is unknown here).
    """
    from alembic import command
    from alembic.migration import MigrationContext

    with upgrading(engine) as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        version = _schema_info_version(connection)
        config = alembic_config(connection)
        if revision is None and version is None:  # a new database
            Base.metadata.create_all(connection)
            command.stamp(config, "head")
        else:
            known = {script.revision for script in _scripts().walk_revisions()}
            if (revision is not None and revision not in known) or (version or 0) > SCHEMA_VERSION:
                msg = (
                    f"The database {engine.url!r} has schema version {revision or version}, newer than this "
                    f"Rujuk's {SCHEMA_VERSION}; upgrade Rujuk or point RUJUK_DATABASE_URL at another database."
                )
                raise RujukError(msg)
            if revision is None:  # written before Alembic came: its schema_info says where it is
                command.stamp(config, revision_of(version or 1))
            command.upgrade(config, "head")
        install_counter(connection)  # after the upgrades: a table SQLite rebuilds loses its triggers
    return SCHEMA_VERSION


def record_version(connection: Connection, revision: str) -> None:
    """Write `revision` as a number to ``schema_info`` (the environment runs it after every upgrade or stamp)."""
    table = table_of(SchemaInfo)
    if connection.execute(select(table.c.id)).first() is None:
        connection.execute(table.insert().values(id=1, version=int(revision)))
    else:
        connection.execute(table.update().values(version=int(revision)))


@contextmanager
def upgrading(engine: Engine) -> Iterator[Connection]:
    """Yield a connection in the one transaction of an upgrade: committed on success, rolled back on any error.

    SQLite: foreign keys off (an upgrade may rebuild a table that others refer to), ``BEGIN IMMEDIATE`` (the
    database is locked for writing before the version is read), every foreign key checked before the commit.
    PostgreSQL: a transaction-level advisory lock, so that two processes upgrade one after the other.
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside a transaction, or SQLite ignores it
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
            connection.exec_driver_sql("BEGIN IMMEDIATE")  # the driver begins none before DDL: one transaction
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_UPGRADE_LOCK})")
        try:
            yield connection
            if sqlite and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
                msg = f"The upgrade left rows whose foreign key points nowhere (table, row, parent): {broken[:5]}"
                raise RujukError(msg)
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


def _schema_info_version(connection: Connection) -> int | None:
    if not inspect(connection).has_table(SchemaInfo.__tablename__):
        return None
    found = connection.execute(select(SchemaInfo.version)).scalar_one_or_none()
    return None if found is None else int(found)


def alembic_config(connection: Connection):  # -> alembic.config.Config (imported on use: the CLI starts faster)
    """Return the Alembic configuration that runs :mod:`store.migrations` on `connection` (in its transaction)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def _scripts():  # -> alembic.script.ScriptDirectory
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS))


def check_ready(engine: Engine) -> Engine:
    """Return `engine` if its database holds Rujuk's tables at this Rujuk's schema version, else raise.

    Raises
    ------
    RujukError
        If the database is missing, empty or older or newer than this Rujuk: the message says to run
        ``rujuk data build`` (or :func:`store.prepare.prepare`), which creates, upgrades and seeds it.
    """
    where = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as connection:
            version = connection.execute(select(SchemaInfo.version)).scalar_one_or_none()
    except (OperationalError, ProgrammingError):  # no schema_info table (PostgreSQL says ProgrammingError)
        version = None
    if version != SCHEMA_VERSION:
        state = "has no Rujuk tables" if version is None else f"has schema version {version}, not {SCHEMA_VERSION}"
        msg = f"The database {where} {state}: run `rujuk data build` (or store.prepare.prepare()) first."
        raise RujukError(msg)
    return engine
