"""The databases the tests write to: SQLite files (the default) or a throwaway PostgreSQL cluster.

``pytest --database postgresql`` runs the database fixtures of ``conftest.py`` (``engine``, ``seeded_engine``,
``live_app``...) on PostgreSQL: a cluster made by Debian's ``initdb`` in a temporary folder, listening on a Unix
socket in that folder only (no TCP port, so several runs and other servers on the machine never collide), started
once per test session and deleted after it. A copy of a database is ``CREATE DATABASE ... TEMPLATE`` on PostgreSQL
and a file copy on SQLite. ``initdb`` refuses to run as root: as root the cluster belongs to the ``postgres`` user
that Debian's package creates (``make postgresql`` installs it).
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import psycopg
from sqlalchemy import Engine

from core import db

SERVER_SETTINGS = {
    "listen_addresses": "''",  # the Unix socket only
    "fsync": "off",  # a throwaway cluster: speed over durability
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "300",
}


class SqliteDatabases:
    """Database files in one folder."""

    kind = "sqlite"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._numbers = itertools.count(1)

    def create(self, name: str) -> Engine:
        """Return the engine of a new empty database."""
        return db.get_engine(f"sqlite:///{self.folder / f'{name}-{next(self._numbers)}.sqlite'}")

    def copy(self, source: Engine, name: str) -> Engine:
        """Return the engine of a copy of `source` (every table, row and trigger)."""
        engine = self.create(name)
        with source.connect() as original, engine.connect() as target:
            original.connection.backup(target.connection.dbapi_connection)  # type: ignore[attr-defined]
        return engine

    def drop(self, engine: Engine) -> None:
        """Close `engine` and delete its file."""
        engine.dispose()
        Path(str(engine.url.database)).unlink(missing_ok=True)


def postgres_bin() -> Path:
    """Return the folder of the PostgreSQL server programs (``initdb``, ``pg_ctl``), newest major version first."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    installed = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not installed:
        msg = "PostgreSQL's server is not installed: run `make postgresql` (Debian's postgresql package)."
        raise RuntimeError(msg)
    return Path(installed[-1]).parent


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, its databases named per test."""

    kind = "postgresql"

    def __init__(self) -> None:
        self.bin = postgres_bin()
        self.folder = Path(tempfile.mkdtemp(prefix="rujuk-pg-"))  # short: a socket path holds ~100 bytes
        self.data = self.folder / "data"
        self._numbers = itertools.count(1)
        self._owner = None if os.geteuid() != 0 else pwd.getpwnam("postgres")  # initdb refuses root
        if self._owner is not None:
            os.chown(self.folder, self._owner.pw_uid, self._owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "rujuk", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8")
        options = " ".join(f"-c {key}={value}" for key, value in SERVER_SETTINGS.items())
        options += f" -k {self.folder}"
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "server.log"), "-o", options, "start")

    def _run(self, program: str, *arguments: str) -> None:
        command = [str(self.bin / program), *arguments]
        if self._owner is not None:
            command = ["runuser", "-u", self._owner.pw_name, "--", *command]
        subprocess.run(command, check=True, capture_output=True, cwd=self.folder)

    def url(self, database: str) -> str:
        """Return the SQLAlchemy URL of `database` in this cluster (psycopg 3, over the Unix socket)."""
        return f"postgresql+psycopg://rujuk@/{database}?host={self.folder}"

    def admin(self, statement: str, database: str = "postgres") -> None:
        """Run `statement` as the cluster's superuser on `database`, outside a transaction."""
        with psycopg.connect(host=str(self.folder), user="rujuk", dbname=database, autocommit=True) as connection:
            connection.execute(statement)  # type: ignore[arg-type]

    def _new_name(self, name: str) -> str:
        return f"{re.sub(r'[^a-z0-9]+', '_', name.lower())}_{next(self._numbers)}"

    def create(self, name: str) -> Engine:
        """Return the engine of a new empty database."""
        database = self._new_name(name)
        self.admin(f'CREATE DATABASE "{database}"')
        return db.get_engine(self.url(database))

    def copy(self, source: Engine, name: str) -> Engine:
        """Return the engine of a copy of `source` (``CREATE DATABASE ... TEMPLATE``: its pooled connections close)."""
        source.dispose()  # a template may have no other connection: ours close, any other (an engine a
        self.admin(  # command made from settings.database_url and left to the garbage collector) is ended
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            f"WHERE datname = '{source.url.database}' AND pid <> pg_backend_pid()"
        )
        database = self._new_name(name)
        self.admin(f'CREATE DATABASE "{database}" TEMPLATE "{source.url.database}"')
        return db.get_engine(self.url(database))

    def drop(self, engine: Engine) -> None:
        """Close `engine` and drop its database (any connection left open is ended)."""
        engine.dispose()
        self.admin(f'DROP DATABASE IF EXISTS "{engine.url.database}" WITH (FORCE)')

    def stop(self) -> None:
        """Stop the server and delete the cluster."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)
