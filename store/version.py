"""The data version: a counter that changes whenever anything an answer is computed from changes.

Referrals, coverage and hot spots are computed from the directory (agencies, their
services and organizations, agreements) and the case figures. On SQLite, database
triggers add one to the single row of ``data_changes`` on every insert, update and
delete of those tables (:func:`install_counter`, run by :func:`store.schema.init_db`), so
a write through this process, another worker, the command line or the database itself
is counted, and reading the version is one indexed row (about 0.1 ms instead of the
3 ms of hashing every row). :func:`data_version` is that count and today's date (an
agency retired from a date leaves the answers on that day).

A database without the counter (another dialect, or one not yet opened by
``rujuk data build`` since the counter came) gets the old digest of every row, which is
right, only slower.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Connection, Engine, Integer, select, text
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm import Mapped, mapped_column

from cases.figures import CaseFigure
from core.db import Base, table_of
from directory.agencies import Agreement, Organization, Service, ServiceLocation

COUNTED = (ServiceLocation, Service, Organization, Agreement, CaseFigure)
"""The models whose rows answers are computed from: each write to their tables is counted."""


class DataChanges(Base):
    """How many writes the counted tables have had (one row, kept by triggers)."""

    __tablename__ = "data_changes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def install_counter(connection: Connection) -> bool:
    """Create the counter row and the SQLite triggers that keep it (idempotent); return whether it is installed.

    Other dialects keep the digest (:func:`data_version`) and get False.
    """
    if connection.dialect.name != "sqlite":
        return False
    table_of(DataChanges).create(connection, checkfirst=True)
    connection.exec_driver_sql("INSERT OR IGNORE INTO data_changes (id, counter) VALUES (1, 0)")
    for model in COUNTED:
        name = table_of(model).name
        for event in ("INSERT", "UPDATE", "DELETE"):
            connection.exec_driver_sql(
                f'CREATE TRIGGER IF NOT EXISTS "count_{name}_{event.lower()}" AFTER {event} ON "{name}" '
                "BEGIN UPDATE data_changes SET counter = counter + 1 WHERE id = 1; END"
            )
    return True


def data_version(database: Engine) -> str:
    """Return today's date and the write counter (or, without a counter, a digest of every counted row)."""
    today = dt.date.today().isoformat()
    with database.connect() as connection:
        if connection.dialect.name != "sqlite":
            return _digest(connection, today)
        try:
            counter = connection.execute(text("SELECT counter FROM data_changes WHERE id = 1")).scalar_one_or_none()
        except (OperationalError, ProgrammingError):  # no counter table in this database
            counter = None
            connection.rollback()
        if counter is not None and _has_triggers(connection):
            return f"{today}:{counter}"
        return _digest(connection, today)


def _has_triggers(connection: Connection) -> bool:
    """Whether the counter's triggers are all there (a table rebuilt by an upgrade loses its triggers)."""
    names = connection.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'").scalars()
    return sum(name.startswith("count_") for name in names) == 3 * len(COUNTED)


def _digest(connection: Connection, today: str) -> str:
    digest = hashlib.sha256(today.encode())
    for model in COUNTED:
        table = table_of(model)
        digest.update(table.name.encode())
        for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
