"""The data version: a counter that changes whenever anything an answer is computed from changes.

Referrals, coverage and hot spots are computed from the directory (agencies, their
services and organizations, agreements) and the case figures. Database triggers add
one to the single row of ``data_changes`` on every write to those tables
(:func:`install_counter`, run by :func:`store.schema.init_db`), so a write through this
process, another worker, the command line or the database itself is counted, and reading
the version is one statement: the indexed row and a count of the counter's triggers (about
0.02 ms on SQLite, instead of the 3 ms of hashing every row), so every request may read it.
:func:`data_version` is that count and today's date (an agency retired from a date leaves
the answers on that day).

On SQLite a trigger per table and event counts every row written. On PostgreSQL one
trigger function (``rujuk_count_change``) runs before every ``INSERT``, ``UPDATE``,
``DELETE`` or ``TRUNCATE`` statement on each counted table: the counter is a row, not a
sequence, so that its new value is seen by other connections only when the write commits
(a worker never caches an answer computed from old rows under the new version), and the
row is locked at the first counted statement of a transaction, before any row of the
table is, so that two writers wait for each other instead of deadlocking.

A database without the counter (another dialect, or one not yet opened by
``rujuk data build`` since the counter came) gets the old digest of every row, which is
right, only slower.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Connection, Engine, Integer, select
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


COUNTING_FUNCTION = """CREATE FUNCTION rujuk_count_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_changes SET counter = counter + 1 WHERE id = 1;
    RETURN NULL;
END $$"""
"""PostgreSQL: the trigger function that counts a write (run once per statement on a counted table)."""


def install_counter(connection: Connection) -> bool:
    """Create the counter row and the triggers that keep it (idempotent); return whether it is installed.

    SQLite and PostgreSQL get triggers; other dialects keep the digest (:func:`data_version`) and get False.
    """
    dialect = connection.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        return False
    counter = table_of(DataChanges)
    counter.create(connection, checkfirst=True)
    if connection.execute(select(counter.c.id).where(counter.c.id == 1)).first() is None:
        connection.execute(counter.insert().values(id=1, counter=0))
    present = set(_trigger_names(connection))
    if dialect == "postgresql" and not _has_counting_function(connection):
        connection.exec_driver_sql(COUNTING_FUNCTION)
    for model in COUNTED:
        name = table_of(model).name
        if dialect == "postgresql":
            if f"count_{name}" not in present:  # created only when missing: CREATE TRIGGER locks the table
                connection.exec_driver_sql(
                    f'CREATE TRIGGER "count_{name}" BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{name}" '
                    "FOR EACH STATEMENT EXECUTE FUNCTION rujuk_count_change()"
                )
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):
            connection.exec_driver_sql(
                f'CREATE TRIGGER IF NOT EXISTS "count_{name}_{event.lower()}" AFTER {event} ON "{name}" '
                "BEGIN UPDATE data_changes SET counter = counter + 1 WHERE id = 1; END"
            )
    return True


_TRIGGERS = {
    "sqlite": ("name", "sqlite_master WHERE type = 'trigger'"),
    # the triggers on this schema's tables, not PostgreSQL's own (foreign keys)
    "postgresql": (
        "tgname",
        "pg_trigger JOIN pg_class ON pg_class.oid = tgrelid "
        "WHERE NOT tgisinternal AND tgenabled <> 'D' AND relnamespace = current_schema()::regnamespace",
    ),
}
"""Per dialect, the column naming a trigger and where the triggers are (FROM and WHERE): read by
:func:`_trigger_names` and counted by :data:`VERSION_QUERIES` (those named ``count_...`` are the counter's)."""
_TRIGGERS_PER_TABLE = {"sqlite": 3, "postgresql": 1}
"""Triggers per counted table when the counter is installed: one per event on SQLite, one per table on PostgreSQL."""
VERSION_QUERIES = {
    dialect: f"SELECT counter, (SELECT count(*) FROM {where} AND substr({name}, 1, 6) = 'count_') "
    "FROM data_changes WHERE id = 1"
    for dialect, (name, where) in _TRIGGERS.items()
}
"""The one statement of :func:`data_version`: the counter and how many of its triggers are there, in one round trip."""


def data_version(database: Engine) -> str:
    """Return today's date and the write counter (or, without a counter, a digest of every counted row).

    One statement on one pooled DBAPI connection (:data:`VERSION_QUERIES`; about 20 microseconds on SQLite),
    since every referral reads it: it reads the counter and counts the counter's triggers together, so a
    database whose triggers are gone (a table rebuilt by an upgrade) is seen at once, in every process, and
    gets the digest instead.
    """
    today = dt.date.today().isoformat()
    dialect = database.dialect.name
    counted = _read_counter(database, VERSION_QUERIES[dialect]) if dialect in VERSION_QUERIES else None
    if counted is not None and counted[1] == _TRIGGERS_PER_TABLE[dialect] * len(COUNTED):
        return f"{today}:{counted[0]}"
    with database.connect() as connection:
        return _digest(connection, today)


def _read_counter(database: Engine, query: str) -> tuple[int, int] | None:
    """Return the counter and its trigger count by `query`, None when the database has no counter (table or row).

    A plain DBAPI cursor on a pooled connection: the pool rolls the connection back when it is returned, so no
    read transaction stays open to hide a later write.
    """
    connection = database.raw_connection()
    try:
        cursor = connection.cursor()
        try:
            cursor.execute(query)
            row = cursor.fetchone()
        finally:
            cursor.close()
    except database.dialect.loaded_dbapi.Error:  # no counter table in this database
        return None
    finally:
        connection.close()
    return None if row is None or row[0] is None else (int(row[0]), int(row[1]))


def _trigger_names(connection: Connection) -> list[str]:
    """Return the names of the counter's triggers in the database (SQLite or PostgreSQL)."""
    name, where = _TRIGGERS[connection.dialect.name]
    return [
        found
        for found in connection.exec_driver_sql(f"SELECT {name} FROM {where}").scalars()
        if found.startswith("count_")
    ]


def _has_counting_function(connection: Connection) -> bool:
    query = (
        "SELECT 1 FROM pg_proc WHERE proname = 'rujuk_count_change' AND pronamespace = current_schema()::regnamespace"
    )
    return connection.exec_driver_sql(query).first() is not None


def _digest(connection: Connection, today: str) -> str:
    digest = hashlib.sha256(today.encode())
    for model in COUNTED:
        table = table_of(model)
        digest.update(table.name.encode())
        for row in connection.execute(select(table).order_by(*table.primary_key.columns)):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()
