"""Caching of JSON API answers: heavy answers kept in-process, and the HTTP caching headers of every answer.

In-process
----------
Coverage and hot-spot answers take from a tenth of a second to seconds to compute and
render, and the map asks for them on every view. :func:`cached` keeps the rendered text
per app (:func:`answers`), keyed by the route, its parameters, the ``authorised`` flag
the answer was computed with and :func:`store.version.data_version`. The version is a write counter
of the tables those answers are computed from (agencies, their services and
organisations, agreements, case figures), kept by database triggers, and today's date (an agency
retired from a date leaves the answers on that day), so any write, through this process, another
worker or the command line, is seen by the next request; it is read once per request
(:func:`service.api.common.data_version`), one statement of about 0.02 ms on SQLite. The same version
decides when the referrer of referrals is rebuilt (:func:`routing.engine.referrer`). Directory writes
through the API or the pages also empty the cache at once (:func:`directory_changed`). Answers are kept
gzip-compressed (level :data:`GZIP_LEVEL`: a 10.9 MB district layer is 1.9 MB, compressed in
0.1 s), whatever their size, so every answer is computed once per data version; at most
:data:`MAX_BYTES` of compressed answers are kept, the least recently used dropped first.
:func:`answer` sends the kept bytes as they are (``Content-Encoding: gzip``) to a client
that accepts gzip, and the text to one that does not. Two requests for the same missing
answer compute it once: the second waits for the first.

HTTP
----
What a browser or proxy may keep of an answer (``Cache-Control``) is decided in one place for
the whole service, :mod:`service.headers`. A cached answer also varies with ``Accept-Encoding``.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import Flask, Response, current_app, request

from routing import engine as routing_engine
from service.api.common import data_version, engine, forget_data_version

MAX_BYTES = 64 * 1024 * 1024
"""Most bytes of compressed answers kept per app."""
GZIP_LEVEL = 3
"""Compression level of kept answers: 6 (gzip's default) takes 2.5 times as long for 15 % fewer bytes."""
GZIP_LEVEL_ONCE = 6
"""Compression level of answers sent far more often than they change: the provinces, 0.57 MB, become 0.18 MB
in 0.07 s (10 % smaller than at level 3)."""
"""Routes whose answers are never stored by a browser or proxy, whoever asks (``places`` is the type-ahead of the
referral form: its ``q`` is where a victim is)."""
_EXTENSION = "rujuk_answers"


class AnswerCache:
    """A thread-safe least-recently-used store of answer texts, kept gzip-compressed, bounded by their total size.

    Parameters
    ----------
    max_bytes
        Most bytes (of the compressed texts) kept; a single answer larger than that is not kept.
    """

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._answers: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._answers)

    def get_compressed(self, key: Hashable) -> bytes | None:
        """Return the gzip bytes kept under `key` (now the most recently used), None when there are none."""
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
            return found

    def get(self, key: Hashable) -> str | None:
        """Return the answer text kept under `key` (now the most recently used), None when there is none."""
        found = self.get_compressed(key)
        return None if found is None else gzip.decompress(found).decode("utf-8")

    def put(self, key: Hashable, text: str, level: int = GZIP_LEVEL) -> bytes:
        """Keep `text` (gzip at `level`) under `key`, dropping the least recently used answers beyond :attr:`max_bytes`.

        Returns
        -------
        bytes
            The compressed text (kept unless it alone is above :attr:`max_bytes`).
        """
        packed = gzip.compress(text.encode("utf-8"), compresslevel=level, mtime=0)
        if len(packed) > self.max_bytes:
            return packed
        with self._lock:
            if key in self._answers:
                self.size -= len(self._answers.pop(key))
            self._answers[key] = packed
            self.size += len(packed)
            while self.size > self.max_bytes:
                self.size -= len(self._answers.popitem(last=False)[1])
        return packed

    def get_or_compute(self, key: Hashable, compute: Callable[[], str], level: int = GZIP_LEVEL) -> bytes:
        """Return the gzip bytes under `key`, computing and keeping the text (gzip at `level`) first when missing.

        Concurrent callers of a missing key compute it once.
        """
        found = self.get_compressed(key)
        if found is not None:
            self.hits += 1
            return found
        with self._lock:
            gate = self._computing.setdefault(key, threading.Lock())
        try:
            with gate:
                found = self.get_compressed(key)
                if found is None:
                    self.misses += 1
                    found = self.put(key, compute(), level)
                else:
                    self.hits += 1
        finally:
            with self._lock:
                self._computing.pop(key, None)
        return found

    def clear(self) -> None:
        """Forget every answer."""
        with self._lock:
            self._answers.clear()
            self.size = 0


def answers(app: Flask) -> AnswerCache:
    """Return the answer cache of `app`, created on first use."""
    return app.extensions.setdefault(_EXTENSION, AnswerCache())


def _compressed(
    route: str, parameters: tuple, authorised: bool, compute: Callable[[], str], level: int = GZIP_LEVEL
) -> bytes:
    key = (route, parameters, bool(authorised), data_version())
    return answers(current_app).get_or_compute(key, compute, level)


def cached(route: str, parameters: tuple, authorised: bool, compute: Callable[[], str]) -> str:
    """Return the answer of `route` for `parameters` and `authorised`, computed by `compute` when not kept."""
    return gzip.decompress(_compressed(route, parameters, authorised, compute)).decode("utf-8")


def answer(
    route: str,
    parameters: tuple,
    authorised: bool,
    compute: Callable[[], str],
    mimetype: str,
    level: int = GZIP_LEVEL,
) -> Response:
    """Return the kept answer of :func:`cached` as a response: gzip bytes when the client accepts them, else text.

    `level` is the gzip level it is kept at: :data:`GZIP_LEVEL`, or :data:`GZIP_LEVEL_ONCE` for an answer that
    changes seldom and is sent often (the boundaries).
    """
    packed = _compressed(route, parameters, authorised, compute, level)
    response = Response(mimetype=mimetype)
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] > 0:
        response.set_data(packed)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(gzip.decompress(packed))
    return response


def directory_changed() -> None:
    """Forget what was built from the directory (the referrer, cached answers), so the next request sees the change."""
    routing_engine.forget(engine())
    answers(current_app).clear()
    forget_data_version()
