"""The referral engine of a database, built once per data version: one place for the service, the CLI and notebooks.

A :class:`routing.referral.Referrer` joins the directory's agencies to the travel
networks (about 50 ms to build). :func:`referrer` keeps one per database and rebuilds it
when :func:`store.version.data_version` changes, so a change made anywhere (the API or
pages of this process, another worker, ``rujuk agencies import``, a direct write to the
database) is seen by the very next referral: an agency just marked confidential is never
answered at its true point, a retired one never recommended. Reading the version costs
about 0.02 ms (one statement, :mod:`store.version`); there is no time-based shortcut, as it
would leave a window in which a new safe house is shown unredacted. The version is read
before the build, so a write during the build leaves an older version stored and the next
call builds again.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine

from routing import origin
from routing.referral import Referral, Referrer
from store import database
from store.schema import check_ready
from store.version import data_version

_LOCK = threading.Lock()
_BUILT: dict[str, tuple[str, Referrer]] = {}


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def referrer(engine: Engine) -> Referrer:
    """Return the referrer of the database `engine`, rebuilt whenever its data version has changed."""
    version = data_version(engine)
    built = _BUILT.get(_key(engine))
    if built is not None and built[0] == version:
        return built[1]
    with _LOCK:  # one build per change, however many requests arrive at once
        built = _BUILT.get(_key(engine))
        if built is None or built[0] != version:
            built = (version, Referrer.from_engine(engine))
            _BUILT[_key(engine)] = built
    return built[1]


def forget(engine: Engine | None = None) -> None:
    """Drop the referrer of `engine` (of every database when None): the next call builds it anew."""
    with _LOCK:
        if engine is None:
            _BUILT.clear()
        else:
            _BUILT.pop(_key(engine), None)


def refer(
    at: str | tuple[float, float] | origin.Location,
    needs: str | Sequence[str],
    *,
    engine: Engine | None = None,
    **options: Any,
) -> Referral:
    """Answer one referral on a database: the one call a notebook or script needs.

    Parameters
    ----------
    at, needs, options
        As :meth:`routing.referral.Referrer.refer` takes them (``k``, ``max_time_h``, ``on``, ``authorised``).
    engine
        The database (default the service database of ``settings.database_url``), checked to be ready.

    Raises
    ------
    core.errors.RujukError
        If the database is not ready (run ``rujuk data build``).
    core.errors.InputError
        For a bad place, need or option (the message names the field and the value).
    """
    return referrer(database_of(engine)).refer(at, needs, **options)


def database_of(engine: Engine | None = None) -> Engine:
    """Return `engine` (default the service database) after checking it is ready (:func:`store.schema.check_ready`)."""
    return database() if engine is None else check_ready(engine)
