"""Backup and restore of the whole service database in one versioned file (``rujuk backup`` / ``rujuk restore``).

What is kept: every table of the schema (:data:`core.db.Base`), that is the directory
(organizations, agencies with the missions abroad and the hotlines, their services),
the cooperation agreements, the case figures and the accounts (users with their Argon2id
password *hashes*, API tokens as their SHA-256 *hashes*: no password or token is ever
stored in clear, so none can be in a backup). Left out: the schema version row (it is in the
manifest) and the write counter of the data version (:mod:`store.version`), which a restore
advances, so that every running worker sees the restored data at its next request.

The file format (:data:`FORMAT`, version :data:`FORMAT_VERSION`) is a zip archive of:

``manifest.json``
    ``{"format": "rujuk-backup", "format_version": 1, "schema_version": 4, "created_at":
    "<ISO time, UTC>", "rujuk_version": "0.2.0", "dialect": "sqlite", "tables": {"<table>":
    {"file": "tables/<table>.jsonl", "rows": <count>, "columns": [<names>], "sha256": "<of the
    file>"}, ...}}``, the tables in an order in which every row's references come before it.
``tables/<table>.jsonl``
    One JSON object per line and row, ``{"<column>": value}``: texts, numbers and booleans as
    JSON; dates and times as ISO 8601 text; JSON columns (an agreement's capabilities) as JSON.

A restore reads and checks the whole file before it writes: a file of a newer format, of a newer
schema, with a table or column this Rujuk does not know, or whose table file does not match the
checksum of the manifest is refused with an :class:`~core.errors.InputError` naming what is wrong.
It then empties every table and writes the file's rows in **one transaction**: any error
leaves the database as it was. A file of an older schema is restored into the current one
(columns added since take their defaults). The code uses SQLAlchemy's core only, so it works on
SQLite and PostgreSQL alike; on PostgreSQL the id sequences are moved past the restored ids.

The file is written readable by its owner only (0600, as the exports), through a temporary file in
the same folder that replaces the target only when complete.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, Connection, Date, DateTime, Engine, Float, Integer, Table, delete, func, select

from core.db import Base, table_of
from core.errors import InputError, RujukError
from store.schema import SCHEMA_VERSION, SchemaInfo, init_db
from store.version import DataChanges

FORMAT = "rujuk-backup"
FORMAT_VERSION = 1
"""Version of the file format this Rujuk writes and the newest it reads."""
MANIFEST = "manifest.json"
LEFT_OUT: frozenset[str] = frozenset({table_of(SchemaInfo).name, table_of(DataChanges).name, "alembic_version"})
"""Tables not kept: the schema version and Alembic's revision (the manifest has the schema version; a restore
first brings the database to this release's schema) and the data version's write counter."""


def kept_tables() -> list[Table]:
    """Return the tables a backup keeps, each after the tables its rows refer to."""
    return [table for table in Base.metadata.sorted_tables if table.name not in LEFT_OUT]


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _from_json(table: Table, column: str, value: Any) -> Any:
    """Return the value of `column` of `table` read back from JSON (dates and times from ISO text)."""
    kind = table.columns[column].type
    if value is None or isinstance(kind, JSON):
        return value
    expected: tuple[type, ...] = (str,)
    try:
        if isinstance(kind, DateTime):
            return dt.datetime.fromisoformat(value)
        if isinstance(kind, Date):
            return dt.date.fromisoformat(value)
        if isinstance(kind, Boolean):
            expected = (bool,)
        elif isinstance(kind, Integer):
            expected = (int,)
        elif isinstance(kind, Float):
            expected = (int, float)
    except (TypeError, ValueError):
        pass
    else:
        if isinstance(value, expected) and not (expected != (bool,) and isinstance(value, bool)):
            return value
    raise InputError(f"{table.name}.{column}", value, f"is not a value of the column's type ({kind}).")


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """Yield a connection that reads one consistent state of the database (one read transaction)."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")  # pysqlite would not start a transaction before a read
        else:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        try:
            yield connection
        finally:
            connection.rollback()


def _rows_text(connection: Connection, table: Table) -> tuple[str, int]:
    lines = []
    for row in connection.execute(select(table).order_by(*table.primary_key.columns)).mappings():
        lines.append(json.dumps({k: _to_json(v) for k, v in row.items()}, ensure_ascii=False, sort_keys=True))
    return "".join(line + "\n" for line in lines), len(lines)


def _rujuk_version() -> str:
    try:
        return metadata.version("rujuk")
    except metadata.PackageNotFoundError:
        return "unknown"


def backup(engine: Engine, path: str | Path) -> dict[str, int]:
    """Write every kept table of database `engine` to the backup file `path` (0600); return the rows per table.

    Raises
    ------
    core.errors.RujukError
        If the database is not at this Rujuk's schema version (run ``rujuk data build`` first).
    """
    from store.schema import check_ready

    check_ready(engine)
    path = Path(path)
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_version": SCHEMA_VERSION,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "rujuk_version": _rujuk_version(),
        "dialect": engine.dialect.name,
        "tables": {},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive, _snapshot(engine) as connection:
        for table in kept_tables():
            text, count = _rows_text(connection, table)
            data = text.encode("utf-8")
            name = f"tables/{table.name}.jsonl"
            archive.writestr(name, data)
            manifest["tables"][table.name] = {
                "file": name,
                "rows": count,
                "columns": [column.name for column in table.columns],
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        archive.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    _write_private_atomically(path, buffer.getvalue())
    return {name: entry["rows"] for name, entry in manifest["tables"].items()}


def _write_private_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")  # created 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_backup(path: str | Path) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """Return the manifest and the rows per table of backup file `path`, every check of the module notes passed.

    Raises
    ------
    core.errors.InputError
        If the file is not a Rujuk backup, is of a newer format or schema, names an unknown table or column,
        or a table file does not match its checksum or holds a value of the wrong type.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST))
            files = {name: archive.read(entry["file"]) for name, entry in manifest.get("tables", {}).items()}
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, AttributeError) as error:
        raise InputError("FILE", str(path), f"is not a readable Rujuk backup ({error}).") from None
    _check_manifest(manifest, str(path))
    known = {table.name: table for table in kept_tables()}
    rows: dict[str, list[dict[str, Any]]] = {}
    for name, data in files.items():
        entry = manifest["tables"][name]
        if name not in known:
            raise InputError("table", name, f"is not a table of this Rujuk; the tables are {sorted(known)}.")
        if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
            message = "does not match its checksum in the manifest: the file is damaged."
            raise InputError(entry["file"], str(path), message)
        table = known[name]
        unknown = sorted(set(entry.get("columns", [])) - set(table.columns.keys()))
        if unknown:
            raise InputError(f"{name} columns", unknown, f"are not columns of {name}: {list(table.columns.keys())}.")
        rows[name] = [
            {column: _from_json(table, column, value) for column, value in json.loads(line).items()}
            for line in data.decode("utf-8").splitlines()
            if line.strip()
        ]
        if len(rows[name]) != entry.get("rows"):
            raise InputError(entry["file"], len(rows[name]), f"rows, but the manifest says {entry.get('rows')}.")
    return manifest, rows


def _check_manifest(manifest: Any, where: str) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise InputError("FILE", where, f'is not a Rujuk backup (its manifest has no "format": "{FORMAT}").')
    version, schema = manifest.get("format_version"), manifest.get("schema_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        message = f"is newer than this Rujuk reads ({FORMAT_VERSION}): restore it with the Rujuk that wrote it."
        raise InputError("format_version", version, message)
    if not isinstance(schema, int) or schema > SCHEMA_VERSION:
        message = f"is newer than this Rujuk's schema ({SCHEMA_VERSION}): restore it with the Rujuk that wrote it."
        raise InputError("schema_version", schema, message)
    if not isinstance(manifest.get("tables"), dict):
        raise InputError("tables", manifest.get("tables"), "is expected to be an object of tables in the manifest.")


def restore(engine: Engine, path: str | Path) -> dict[str, int]:
    """Replace every kept table of database `engine` with the rows of backup file `path`; return rows per table.

    The schema is created or upgraded first (:func:`store.schema.init_db`); then, in one transaction,
    every kept table is emptied and filled from the file. Any error leaves the database unchanged.

    Raises
    ------
    core.errors.InputError
        If the file is refused (:func:`read_backup`) or a row breaks a constraint of the database.
    core.errors.RujukError
        If the database is newer than this Rujuk.
    """
    _, rows = read_backup(path)
    init_db(engine)
    tables = kept_tables()
    try:
        with engine.begin() as connection:
            for table in reversed(tables):
                connection.execute(delete(table))
            for table in tables:
                if rows.get(table.name):
                    connection.execute(table.insert(), rows[table.name])
            if connection.dialect.name == "postgresql":
                _move_sequences(connection, tables)
    except RujukError:
        raise
    except Exception as error:  # a constraint the file breaks: nothing was written
        message = f"could not be restored, nothing was changed: {type(error).__name__}: {str(error)[:300]}"
        raise InputError("FILE", str(path), message) from error
    return {table.name: len(rows.get(table.name, [])) for table in tables}


def _move_sequences(connection: Connection, tables: list[Table]) -> None:
    """Move every PostgreSQL id sequence past the largest restored id (explicit ids do not advance it)."""
    for table in tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        sequence = connection.execute(select(func.pg_get_serial_sequence(table.name, keys[0].name))).scalar()
        if sequence is not None:
            largest = connection.execute(select(func.max(keys[0]))).scalar()
            connection.execute(select(func.setval(sequence, (largest or 0) + 1, False)))


def counts(engine: Engine) -> dict[str, int]:
    """Return the rows of every kept table of database `engine`."""
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in kept_tables()
        }
