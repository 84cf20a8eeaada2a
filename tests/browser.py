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

# The folium map object and its layer control, found by the names folium gives them;
# COUNT_DRAWN(name) counts the paths and markers drawn in the overlay whose name holds `name`.
LEAFLET_MAP = "Object.keys(window).filter(k => /^map_[0-9a-f]+$/.test(k)).map(k => window[k])[0]"
OVERLAYS = "Object.keys(window).filter(k => /^layer_control_[0-9a-f]+_layers$/.test(k)).map(k => window[k])[0].overlays"
COUNT_DRAWN = f"""(name) => {{
    const overlays = {OVERLAYS};
    let paths = 0, markers = 0;
    const walk = (layer) => {{
        if (layer instanceof L.Path) {{ paths += 1; }}
        else if (layer instanceof L.Marker) {{ markers += 1; }}
        if (layer.getLayers) {{ layer.getLayers().forEach(walk); }}
    }};
    const group = Object.entries(overlays).find(([key]) => key.includes(name));
    if (!group) {{ return null; }}
    walk(group[1]);
    return {{paths, markers}};
}}"""


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
