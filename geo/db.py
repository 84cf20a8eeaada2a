"""The service database: one SQLAlchemy engine, one declarative base, a versioned schema.

SQLite is the default (a file in ``settings.data_dir``); any SQLAlchemy URL works,
e.g. ``postgresql+psycopg://user@host/rujuk``. The schema carries a version in
the ``schema_info`` table. :func:`init_db` creates a new database, upgrades an
older one step by step through ``_UPGRADES``, and refuses a newer one.

Versions: 1, the directory and case figures; 2, users and API tokens (:mod:`geo.users`).

Imports check every text against the size of its column (:func:`length_errors`),
read from the models themselves, since SQLite stores a longer text in a
``VARCHAR(n)`` while PostgreSQL refuses it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, Integer, String, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from geo import settings
from geo._errors import RowError, RujukError

SCHEMA_VERSION = 2


def _add_users(connection: Connection) -> None:
    """1 -> 2: create the ``users`` and ``api_tokens`` tables."""
    from geo import users

    for model in (users.User, users.ApiToken):
        model.__table__.create(connection, checkfirst=True)  # type: ignore[attr-defined]


# version n -> function that upgrades a database at version n to n + 1
_UPGRADES: dict[int, Callable[[Connection], None]] = {1: _add_users}


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
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, hide_parameters=True)  # no victim-adjacent values in error logs
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _foreign_keys_on(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


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
