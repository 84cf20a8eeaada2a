"""Real headless Chromium against Rujuk served by waitress on localhost, with the network cut off.

Used by ``tests/test_browser.py`` and ``bench/bench_pages.py``. Chromium is Debian's
(``apt-get install chromium``, done by ``make browser``); Playwright drives it through
``executable_path`` and never downloads a browser of its own. Every host name but
localhost resolves to nothing (``--host-resolver-rules``), so a page that needed a CDN
or any other host would break here exactly as it would on a machine without internet.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import waitress
from flask import Flask

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
OFFLINE_ARGS: list[str] = [
    "--no-sandbox",  # the test machine runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def chromium_path() -> str:
    """Return the path of the system Chromium (``RUJUK_CHROMIUM`` first), or raise saying how to install it."""
    found = os.environ.get("RUJUK_CHROMIUM") or next(filter(None, map(shutil.which, CHROMIUM_CANDIDATES)), None)
    if not found or not Path(found).exists():
        msg = (
            "The browser tests need Chromium: run `make browser` (apt-get install chromium) "
            "or set RUJUK_CHROMIUM to a Chromium or Chrome binary."
        )
        raise RuntimeError(msg)
    return found


@contextmanager
def live_server(app: Flask, threads: int = 4) -> Iterator[str]:
    """Serve `app` with waitress (the production server of ``rujuk serve``) on a free port; yield its base URL."""
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.close()
        thread.join(timeout=5)


def is_local(url: str, base_url: str) -> bool:
    """Whether `url` is served by Rujuk itself (or is inline: data:, about:, blob:)."""
    return url.startswith((base_url, "data:", "about:", "blob:"))
