"""The service database: one SQLAlchemy engine, one declarative base, a versioned schema.

SQLite is the default (a file in ``settings.data_dir``); any SQLAlchemy URL works,
e.g. ``postgresql+psycopg://user@host/rujuk``. The schema carries a version in
the ``schema_info`` table. :func:`init_db` creates a new database, upgrades an
older one step by step through ``_UPGRADES``, and refuses a newer one.

Versions: 1, the directory and case figures; 2, users and API tokens (:mod:`geo.users`);
3, the security columns: a ``version`` per directory record (optimistic concurrency), and per user a
session version, failed sign-ins and a lockout time (:mod:`geo.users`). Step 3 adds every column
that a model defines and the database lacks, with the column's server default.

Imports check every text against the size of its column (:func:`length_errors`),
read from the models themselves, since SQLite stores a longer text in a
``VARCHAR(n)`` while PostgreSQL refuses it.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, Integer, String, create_engine, event, inspect, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from geo import settings
from geo._errors import RowError, RujukError

SCHEMA_VERSION = 3


def _add_users(connection: Connection) -> None:
    """1 -> 2: create the ``users`` and ``api_tokens`` tables."""
    from geo import users

    for model in (users.User, users.ApiToken):
        model.__table__.create(connection, checkfirst=True)  # type: ignore[attr-defined]


def _add_missing_columns(connection: Connection) -> None:
    """2 -> 3: add every column a model defines that the database's table lacks (with its server default)."""
    _register_models()
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
            if column.server_default is not None:
                default = f" DEFAULT {column.server_default.arg}"  # type: ignore[attr-defined]
            null = "" if column.nullable else " NOT NULL"
            connection.exec_driver_sql(
                f"ALTER TABLE {preparer.quote(table.name)} ADD COLUMN {preparer.quote(column.name)} {kind}{default}{null}"
            )


# version n -> function that upgrades a database at version n to n + 1
_UPGRADES: dict[int, Callable[[Connection], None]] = {1: _add_users, 2: _add_missing_columns}


class Base(DeclarativeBase):
    """Declarative base of every Rujuk table."""


class SchemaInfo(Base):
    """The schema version of this database (one row)."""

    __tablename__ = "schema_info"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)


def _register_models() -> None:
    # Importing the modules registers their tables on Base.metadata.
    from geo import cases, directory, users  # noqa: F401


def get_engine(url: str | None = None) -> Engine:
    """Return an engine for `url` (default ``settings.database_url``), SQLite with foreign keys on."""
    url = url or settings.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        private_file(Path(url.removeprefix("sqlite:///").split("?", 1)[0]))
    engine = create_engine(url, hide_parameters=True)  # no victim-adjacent values in error logs
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _foreign_keys_on(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def private_file(path: Path) -> Path:
    """Create the database file `path` readable by its owner only (0600; a new folder 0700); return it.

    The database holds the true points of safe houses and the password hashes: no other
    local user may read it. An existing file that others can read is made private too.
    SQLite creates its journal with the database file's permissions.
    """
    if not path.parent.exists():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    return path


def init_db(engine: Engine) -> int:
    """Create or upgrade the schema; return the schema version now in the database.

    Raises
    ------
    RujukError
        If the database was written by a newer Rujuk (its schema version is higher).
    """
    _register_models()
    with engine.begin() as connection:
        Base.metadata.create_all(connection)
        row = connection.execute(select(SchemaInfo.version)).scalar_one_or_none()
        if row is None:
            connection.execute(SchemaInfo.__table__.insert().values(id=1, version=SCHEMA_VERSION))
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
            connection.execute(SchemaInfo.__table__.update().values(version=version))
        return version


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """Yield a session in one transaction: committed on success, rolled back on any error."""
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@cache
def column_lengths(model: type[Base]) -> dict[str, int]:
    """Return the size of every sized text column (``String(n)``) of `model`, by column name.

    ``Text`` columns have no size and are left out.
    """
    columns = model.__table__.columns  # type: ignore[attr-defined]
    return {c.key: c.type.length for c in columns if isinstance(c.type, String) and c.type.length}


def length_errors(row: int, values: Mapping[str, object], model: type[Base]) -> list[RowError]:
    """Return a RowError for every text of `values` longer than its column of `model` holds.

    Parameters
    ----------
    row
        The row number to report.
    values
        Clean field values by column name; non-texts and names that are not sized
        columns of `model` are ignored.
    model
        The table the values are written to.
    """
    errors = []
    for field, limit in column_lengths(model).items():
        value = values.get(field)
        if isinstance(value, str) and len(value) > limit:
            shown = value if len(value) <= 60 else value[:57] + "..."
            message = (f"is {len(value)} characters long but the column {model.__tablename__}.{field} "
                       f"holds at most {limit}; shorten it.")  # fmt: skip
            errors.append(RowError(row, field, shown, message))
    return errors
