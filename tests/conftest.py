"""Session fixtures built once from the real data in the mirror (RUJUK_DATA_MIRROR)."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from core import settings
from store import schema

EDITOR_PASSWORD = "sambal matah 2024"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="the database the database fixtures make: SQLite files, or a throwaway PostgreSQL cluster",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On PostgreSQL, skip the tests marked ``sqlite_only`` (a database file's mode, SQLite's own DDL)."""
    if config.getoption("--database") == "sqlite":
        return
    skip = pytest.mark.skip(reason="about the SQLite file itself")
    for item in items:
        if item.get_closest_marker("sqlite_only"):
            item.add_marker(skip)


def pytest_configure(config: pytest.Config) -> None:
    if settings.data_mirror is None or not settings.data_mirror.is_dir():
        msg = (
            "The tests read the real data: set RUJUK_DATA_MIRROR to the data mirror "
            "(for example RUJUK_DATA_MIRROR=../shared/data make test)."
        )
        raise pytest.UsageError(msg)


@pytest.fixture(scope="session")
def databases(request, tmp_path_factory):
    """Where the database fixtures make their databases: SQLite files, or PostgreSQL (``--database postgresql``)."""
    from databases import PostgresCluster, SqliteDatabases

    if request.config.getoption("--database") == "sqlite":
        yield SqliteDatabases(tmp_path_factory.mktemp("databases"))
        return
    cluster = PostgresCluster()
    yield cluster
    cluster.stop()


@contextmanager
def _dropped_after(databases, make):
    """Yield `make` (a maker of engines of `databases`), every database it made dropped on leaving."""
    made = []

    def tracked(*arguments):
        made.append(make(*arguments))
        return made[-1]

    try:
        yield tracked
    finally:
        for engine in made:
            databases.drop(engine)


@pytest.fixture
def new_database(databases):
    """Make empty databases (``new_database(name)`` returns an engine), dropped after the test."""
    with _dropped_after(databases, databases.create) as make:
        yield make


@pytest.fixture
def copy_database(databases):
    """Copy databases (``copy_database(engine, name)`` returns the copy's engine), dropped after the test."""
    with _dropped_after(databases, databases.copy) as copy:
        yield copy


@pytest.fixture
def engine(new_database):
    """A fresh real database with the current schema."""
    engine = new_database("rujuk-test")
    schema.init_db(engine)
    return engine


@pytest.fixture(scope="session")
def seeded_engine(databases):
    """A real database seeded with the embedded sample directory and case figures."""
    from store.prepare import prepare

    engine = databases.create("rujuk-seeded")
    prepare(progress=False, engine=engine)
    yield engine
    databases.drop(engine)


@pytest.fixture(scope="session")
def referrer(seeded_engine):
    """A referrer over the sample directory, the national network and the real road networks."""
    from routing.referral import Referrer

    return Referrer.from_engine(seeded_engine)


@pytest.fixture(scope="module")
def pages_engine(seeded_engine, databases, tmp_path_factory):
    """Per test module, a copy of the seeded database with a hostile agency, a safe house and users."""
    from hostile_directory import make_engine

    engine = make_engine(databases.copy(seeded_engine, "pages"), tmp_path_factory.mktemp("pages"))
    yield engine
    databases.drop(engine)


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Every test starts with no request counted against the rate limits (they count per client address)."""
    from service.limits import limiter

    if getattr(limiter, "_storage", None) is not None:
        limiter.reset()
    return


@pytest.fixture
def live_app(seeded_engine, copy_database):
    """A copy of the seeded database and a Flask app serving it: ``(app, engine)``."""
    from app import create_app

    engine = copy_database(seeded_engine, "live")
    app = create_app(engine, prepare_data=False)
    app.testing = True
    return app, engine


@pytest.fixture
def live(live_app):
    """:func:`live_app` with an editor's bearer header: ``(app, engine, editor)``."""
    from accounts import users

    app, engine = live_app
    users.create_user(engine, "eko.editor", EDITOR_PASSWORD, "editor")
    return app, engine, {"Authorization": f"Bearer {users.create_token(engine, 'eko.editor', 'tests')}"}
