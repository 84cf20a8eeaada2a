"""The database plumbing every table builds on: the engine, the declarative base, sessions, column sizes.

SQLite is the default (a file in ``settings.data_dir``, created private: 0600); any
SQLAlchemy URL works, e.g. ``postgresql+psycopg://user@host/rujuk``. The tables are
defined by the packages that own them (:mod:`directory`, :mod:`cases`, :mod:`accounts`);
the schema and its versions are :mod:`store.schema`.

Imports check every text against the size of its column (:func:`length_errors`),
read from the models themselves, since SQLite stores a longer text in a
``VARCHAR(n)`` while PostgreSQL refuses it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, String, Table, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from core import settings
from core.errors import RowError
from core.files import private_dir


class Base(DeclarativeBase):
    """Declarative base of every Rujuk table."""


def table_of(model: type[Base]) -> Table:
    """Return the table of `model` (its ``__table__``, typed as a Table: every model here names its table)."""
    return Base.metadata.tables[model.__tablename__]


def get_engine(url: str | None = None) -> Engine:
    """Return an engine for `url` (default ``settings.database_url``), SQLite with foreign keys on."""
    url = url or settings.database_url
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        private_file(Path(url.removeprefix("sqlite:///").split("?", 1)[0]))
    engine = create_engine(url, hide_parameters=True)  # no victim-adjacent values in error logs
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _foreign_keys_on(dbapi_connection, _record) -> None:
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
    private_dir(path.parent)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
    return path


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
    columns = table_of(model).columns
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
            message = (
                f"is {len(value)} characters long but the column {model.__tablename__}.{field} "
                f"holds at most {limit}; shorten it."
            )
            errors.append(RowError(row, field, shown, message))
    return errors
