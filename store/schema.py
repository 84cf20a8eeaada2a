"""The schema of the service database: every table, its version, and the upgrades between versions.

Importing this module registers every table (the models of :mod:`directory`, :mod:`cases`
and :mod:`accounts`) on :data:`core.db.Base`. The schema carries a version in the
``schema_info`` table. :func:`init_db` creates a new database, upgrades an older one
step by step through ``_UPGRADES``, and refuses a newer one.

Versions: 1, the directory and case figures; 2, users and API tokens (:mod:`accounts.users`);
3, the security columns: a ``version`` per directory record (optimistic concurrency), and per
user a session version, failed sign-ins and a lockout time. Step 3 adds every column that a
model defines and the database lacks, with the column's server default; 4, agencies without a place in
Indonesia (missions abroad, hotlines: :mod:`directory.places`): ``area_code``, ``lon`` and ``lat`` become nullable
and ``country`` (``'ID'`` by default) and ``city`` are added. SQLite cannot drop a NOT NULL constraint, so step 4
copies ``agencies`` and ``services`` aside, creates both tables anew from the models and copies the rows back, in the
upgrade's one transaction (every id, value and version kept).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection, DefaultClause, Engine, Integer, inspect, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Mapped, mapped_column

from accounts import users
from cases import figures as _case_tables  # noqa: F401  (registers the case figures' table)
from core.db import Base, table_of
from core.errors import RujukError
from directory import agencies  # registers the directory's tables
from store.version import install_counter

SCHEMA_VERSION = 4


def _add_users(connection: Connection) -> None:
    """1 -> 2: create the ``users`` and ``api_tokens`` tables."""
    for model in (users.User, users.ApiToken):
        table_of(model).create(connection, checkfirst=True)


def _add_missing_columns(connection: Connection) -> None:
    """2 -> 3: add every column a model defines that the database's table lacks (with its server default)."""
    existing = inspect(connection)
    preparer = connection.dialect.identifier_preparer
    for table in Base.metadata.sorted_tables:
        if not existing.has_table(table.name):
            continue
        present = {column["name"] for column in existing.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable and column.server_default is None:
                msg = f"Column {table.name}.{column.name} needs a server default to be added to an existing database."
                raise RujukError(msg)
            kind = column.type.compile(dialect=connection.dialect)
            default = ""
            if isinstance(column.server_default, DefaultClause):  # every server default here is one
                default = f" DEFAULT {column.server_default.arg}"
            null = "" if column.nullable else " NOT NULL"
            name, added = preparer.quote(table.name), preparer.quote(column.name)
            connection.exec_driver_sql(f"ALTER TABLE {name} ADD COLUMN {added} {kind}{default}{null}")


def _agencies_without_a_place(connection: Connection) -> None:
    """3 -> 4: rebuild ``agencies`` (and ``services``, which refers to it) from the models, every row kept.

    The copies aside are temporary tables; ``services`` is dropped before ``agencies`` so that no foreign-key
    action (``ON DELETE CASCADE``) runs, and the new columns take their server defaults (``country`` ``'ID'``).
    """
    rebuilt = [table_of(agencies.ServiceLocation), table_of(agencies.Service)]
    existing = inspect(connection)
    present = {table.name: {column["name"] for column in existing.get_columns(table.name)} for table in rebuilt}
    quote = connection.dialect.identifier_preparer.quote
    for table in rebuilt:
        connection.exec_driver_sql(f"CREATE TEMPORARY TABLE {quote('old_' + table.name)} AS SELECT * FROM {table.name}")
    for table in reversed(rebuilt):
        table.drop(connection)
    for table in rebuilt:
        table.create(connection)
        kept = ", ".join(quote(column.name) for column in table.columns if column.name in present[table.name])
        connection.exec_driver_sql(
            f"INSERT INTO {quote(table.name)} ({kept}) SELECT {kept} FROM {quote('old_' + table.name)}"
        )
        connection.exec_driver_sql(f"DROP TABLE {quote('old_' + table.name)}")


# version n -> function that upgrades a database at version n to n + 1
_UPGRADES: dict[int, Callable[[Connection], None]] = {
    1: _add_users,
    2: _add_missing_columns,
    3: _agencies_without_a_place,
}


class SchemaInfo(Base):
    """The schema version of this database (one row)."""

    __tablename__ = "schema_info"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


def init_db(engine: Engine) -> int:
    """Create or upgrade the schema; return the schema version now in the database.

    Raises
    ------
    RujukError
        If the database was written by a newer Rujuk (its schema version is higher).
    """
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        row = connection.execute(select(SchemaInfo.version)).scalar_one_or_none()
        if row is None:
            connection.execute(table_of(SchemaInfo).insert().values(id=1, version=SCHEMA_VERSION))
            install_counter(connection)
            return SCHEMA_VERSION
        version = int(row)
        if version > SCHEMA_VERSION:
            msg = (
                f"The database {engine.url!r} has schema version {version}, newer than this Rujuk's "
                f"{SCHEMA_VERSION}; upgrade Rujuk or point RUJUK_DATABASE_URL at another database."
            )
            raise RujukError(msg)
        while version < SCHEMA_VERSION:
            _UPGRADES[version](connection)
            version += 1
            connection.execute(table_of(SchemaInfo).update().values(version=version))
        install_counter(connection)  # after the upgrades: a table they rebuild has lost its triggers
        return version


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
    except OperationalError:
        version = None
    if version != SCHEMA_VERSION:
        state = "has no Rujuk tables" if version is None else f"has schema version {version}, not {SCHEMA_VERSION}"
        msg = f"The database {where} {state}: run `rujuk data build` (or store.prepare.prepare()) first."
        raise RujukError(msg)
    return engine
