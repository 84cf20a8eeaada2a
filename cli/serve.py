"""`rujuk serve`: the web service in one waitress process, or in worker processes under gunicorn.

One process (``--workers 1``, the default) is served by waitress: a pure-Python server that
runs everywhere (Windows included), needs no master process and keeps no access log. Its
threads share one interpreter lock, so a referral (a few milliseconds of Python) runs on one
core at a time however many threads serve.

Several processes (``--workers N``, N > 1) are served by gunicorn on Linux and other POSIX
systems (it forks, so it cannot run on Windows, where Rujuk falls back to one waitress process
and says so). Each worker is its own interpreter with its own database engine, referral engine
(:func:`routing.engine.referrer`) and cache of answers (:mod:`service.api.cache`); they see each
other's writes through the data version (:func:`store.version.data_version`), read on every
request, so a directory change made through one worker is answered by every other at the next
request. The workers use gunicorn's threaded worker (``gthread``, ``--threads`` each) so that
browsers keep their connections open (keep-alive) and a slow request does not block its worker.

The master prepares the data and the secret key before it forks (so that two workers never build
the same artefact or write two different keys at once) and loads the travel networks once, shared
copy-on-write; the workers then create the application without preparing. Gunicorn's own trust
in forwarded headers is turned off (``forwarded_allow_ips`` empty, no secure-scheme headers): the
application decides whom to trust with ``RUJUK_PROXY_HOPS``, whichever server runs it. No access
log is written, as with waitress: a URL may say where a victim is.

Rate limits are counted per process with ``RUJUK_RATELIMIT_STORAGE_URI=memory://`` (the default):
with N workers a client may get up to N times the limit, depending on which worker answers each
connection. Point it at a shared store (``redis://...``) to count once for every worker.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from cli._common import friendly_errors
from core import settings

KEEP_ALIVE_S = 5
"""Seconds a gunicorn worker keeps an idle connection open for the next request of the same browser."""
ONLY_IN_NEWER_GUNICORN = frozenset({"control_socket_disable"})
"""Settings an older gunicorn lacks together with what they turn off (the control socket came in gunicorn 25.1)."""
WORKER_TIMEOUT_S = 120
"""Seconds a gunicorn worker may stay silent before the master restarts it (a district coverage takes seconds)."""


def gunicorn_can_run() -> bool:
    """Return whether gunicorn can serve here (it needs ``fork`` and ``fcntl``: not on Windows)."""
    if sys.platform == "win32":
        return False
    try:
        import gunicorn.app.base  # noqa: F401
    except ImportError:
        return False
    return True


def gunicorn_options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    """Return the gunicorn settings of ``rujuk serve --workers`` (see the module notes)."""
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "keepalive": KEEP_ALIVE_S,
        "timeout": WORKER_TIMEOUT_S,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
        "control_socket_disable": True,  # one control socket per user home would clash between two services
        "proc_name": "rujuk",
    }


def prepare_once() -> None:
    """Prepare the data, the secret key and the travel networks in this (the master) process, before any fork.

    The networks (about 10 s to load) are then shared by every worker, copy-on-write, and a worker builds only
    its own referral engine (under a second); the engine of this process is dropped, and so is its database pool.
    """
    from core import db
    from routing import engine as routing_engine
    from service.auth import secret_key
    from store.prepare import prepare

    engine = db.get_engine()
    try:
        prepare(progress=False, engine=engine)
        routing_engine.referrer(engine)
    finally:
        routing_engine.forget()
        engine.dispose()  # no pooled connection is inherited by the workers
    secret_key()


def run_gunicorn(options: dict[str, Any]) -> None:
    """Serve the application with gunicorn and `options`; return when the master stops."""
    from gunicorn.app.base import BaseApplication

    class RujukApplication(BaseApplication):
        def load_config(self) -> None:
            for name, value in options.items():
                if name in self.cfg.settings or name not in ONLY_IN_NEWER_GUNICORN:
                    self.cfg.set(name, value)

        def load(self) -> Any:
            from app import create_app

            return create_app(prepare_data=False)  # in each worker: its own engine and referral engine

    RujukApplication().run()


def run_waitress(host: str, port: int, threads: int) -> None:
    """Serve the application (data prepared on start) in this process with waitress."""
    import waitress

    from app import create_app

    waitress.serve(create_app(), host=host, port=port, threads=threads)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=4, show_default=True, help="Threads per process.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes: 1 is waitress in this process; more is gunicorn (Linux and other POSIX systems).",
)
@friendly_errors
def serve(host: str, port: int, threads: int, workers: int) -> None:
    """Start the web service: waitress in one process, or gunicorn with --workers N processes.

    With several workers, rate limits are counted per process unless RUJUK_RATELIMIT_STORAGE_URI
    names a shared store (redis://...).
    """
    where = f"http://{host}:{port}/ (data in {settings.data_dir})"
    if workers > 1 and not gunicorn_can_run():
        click.echo("gunicorn cannot run here (it needs fork, which Windows lacks): serving one waitress process.")
        workers = 1
    if workers == 1:
        click.echo(f"Rujuk serving on {where} with waitress, {threads} threads")
        run_waitress(host, port, threads)
        return
    if settings.ratelimit_storage_uri.startswith("memory://"):
        click.echo(
            f"Rate limits are counted per worker (RUJUK_RATELIMIT_STORAGE_URI={settings.ratelimit_storage_uri}): "
            f"a client may get up to {workers} times each limit; set it to a shared store (redis://...) to count once."
        )
    prepare_once()
    click.echo(f"Rujuk serving on {where} with gunicorn, {workers} workers x {threads} threads")
    run_gunicorn(gunicorn_options(host, port, workers, threads))
