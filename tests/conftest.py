"""Session fixtures built once from the real data in the mirror (RUJUK_DATA_MIRROR)."""

from __future__ import annotations

import pytest

from core import settings
from store import schema

EDITOR_PASSWORD = "sambal matah 2024"


def pytest_configure(config: pytest.Config) -> None:
    if settings.data_mirror is None or not settings.data_mirror.is_dir():
        msg = (
            "The tests read the real data: set RUJUK_DATA_MIRROR to the data mirror "
            "(for example RUJUK_DATA_MIRROR=../shared/data make test)."
        )
        raise pytest.UsageError(msg)


@pytest.fixture
def engine(tmp_path):
    """A fresh real SQLite database file with the current schema."""
    from core import db

    engine = db.get_engine(f"sqlite:///{tmp_path / 'rujuk-test.sqlite'}")
    schema.init_db(engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def seeded_engine(tmp_path_factory):
    """A real SQLite database seeded with the embedded sample directory and case figures."""
    from core import db
    from store.prepare import prepare

    engine = db.get_engine(f"sqlite:///{tmp_path_factory.mktemp('db') / 'rujuk-seeded.sqlite'}")
    prepare(progress=False, engine=engine)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def referrer(seeded_engine):
    """A referrer over the sample directory, the national network and the real road networks."""
    from routing.referral import Referrer

    return Referrer.from_engine(seeded_engine)


@pytest.fixture(scope="module")
def pages_engine(seeded_engine, tmp_path_factory):
    """Per test module, a copy of the seeded database with a hostile agency, a safe house and users."""
    from hostile_directory import make_engine

    engine = make_engine(seeded_engine, tmp_path_factory.mktemp("pages"))
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Every test starts with no request counted against the rate limits (they count per client address)."""
    from service.limits import limiter

    if getattr(limiter, "_storage", None) is not None:
        limiter.reset()
    return


@pytest.fixture
def live_app(seeded_engine, tmp_path):
    """A copy of the seeded database and a Flask app serving it: ``(app, engine)``."""
    import shutil

    from app import create_app
    from core import db

    shutil.copy(seeded_engine.url.database, tmp_path / "rujuk.sqlite")
    engine = db.get_engine(f"sqlite:///{tmp_path / 'rujuk.sqlite'}")
    app = create_app(engine, prepare_data=False)
    app.testing = True
    yield app, engine
    engine.dispose()


@pytest.fixture
def live(live_app):
    """:func:`live_app` with an editor's bearer header: ``(app, engine, editor)``."""
    from accounts import users

    app, engine = live_app
    users.create_user(engine, "eko.editor", EDITOR_PASSWORD, "editor")
    return app, engine, {"Authorization": f"Bearer {users.create_token(engine, 'eko.editor', 'tests')}"}
