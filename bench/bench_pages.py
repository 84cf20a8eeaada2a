"""Page weight and time until the map is ready, measured in headless Chromium with the network cut off.

The service is the real application on the embedded default data (as ``make run`` serves
it), with waitress on localhost, the base-map tiles off (``RUJUK_TILE_URL=none``, the
offline setting) and every other host unresolvable. For each page: the bytes the browser
received (every document, script, stylesheet, font, image and API answer, as encoded on
the wire), the number of requests, and the time from navigation to ``data-rujuk-ready``
(the layers shown at load are drawn; see ``webmap/static/webmap/rujuk-map.js``). Cold is a
new browser context (empty cache); warm is a reload in the same context.

The baseline is the same national map with everything inlined into one HTML document
(``national_map(data_urls=False)``, the plain folium way), served by the same server.

Goal (issue 4): the national map under 3 MB and under 2 s on this machine.

Run: ``RUJUK_DATA_MIRROR=../shared/data python bench/bench_pages.py [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from flask import Response
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
import browser

from app import create_app
from core import settings
from webmap import assets, maps

PAGES: dict[str, str] = {
    "home (national map), id": "/",
    "home (national map), en": "/?lang=en",
    "home with the shelter coverage layer": "/?lang=en&capability=shelter",
    "national map alone": "/map/national",
    "baseline: national map inlined": "/bench/inlined",
    "referral Tenggarong shelter+psychological": "/referral?at=Tenggarong&needs=shelter&needs=psychological",
    "directory": "/directory",
}
MAP_PAGES = {"/", "/?lang=en", "/?lang=en&capability=shelter", "/map/national", "/bench/inlined"}


def _app():
    app = create_app()
    engine = app.config["RUJUK_ENGINE"]

    @app.get("/bench/inlined")
    def inlined() -> Response:
        return Response(assets.render(maps.national_map(engine, data_urls=False)), mimetype="text/html")

    return app


def _visit(context, url: str, wait_map: bool) -> tuple[float, int, int]:
    """Return seconds until ready, bytes received and the number of requests for one navigation."""
    received: list = []

    def listener(request) -> None:
        received.append(request)

    context.on("requestfinished", listener)
    page = context.pages[0] if context.pages else context.new_page()
    start = time.perf_counter()
    page.goto(url, wait_until="load")
    if wait_map:
        target = (
            page.frame_locator("iframe.map").locator("html[data-rujuk-ready]")
            if page.locator("iframe.map").count()
            else page.locator("html[data-rujuk-ready]")
        )
        target.wait_for(state="attached", timeout=60_000)
    seconds = time.perf_counter() - start
    page.wait_for_load_state("networkidle")
    context.remove_listener("requestfinished", listener)
    size = sum(request.sizes()["responseBodySize"] + request.sizes()["responseHeadersSize"] for request in received)
    return seconds, size, len(received)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="cold and warm loads per page (median reported)")
    args = parser.parse_args()
    settings.tile_url = "none"
    print(f"Chromium {browser.chromium_path()}, tiles off, every host but localhost unresolvable")
    print(f"{'page':44} {'cold s':>7} {'warm s':>7} {'MB cold':>8} {'MB warm':>8} {'requests':>8}")
    results: dict[str, tuple[float, float, float]] = {}
    with browser.live_server(_app()) as base, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=browser.chromium_path(), args=browser.OFFLINE_ARGS)
        for label, path in PAGES.items():
            wait_map = path in MAP_PAGES
            warmup = chromium.new_context()  # fills the server's own caches (coverage, hot spots)
            _visit(warmup, base + path, wait_map)
            warmup.close()
            cold, warm = [], []
            for _ in range(args.repeat):
                context = chromium.new_context(viewport={"width": 1280, "height": 900})
                cold.append(_visit(context, base + path, wait_map))
                warm.append(_visit(context, base + path, wait_map))
                context.close()
            median = {
                name: statistics.median(run[0] for run in runs) for name, runs in (("cold", cold), ("warm", warm))
            }
            size_cold, size_warm, requests = cold[-1][1] / 1e6, warm[-1][1] / 1e6, cold[-1][2]
            results[label] = (median["cold"], size_cold, median["warm"])
            print(
                f"{label:44} {median['cold']:7.2f} {median['warm']:7.2f} "
                f"{size_cold:8.2f} {size_warm:8.2f} {requests:8d}"
            )
        chromium.close()
    light, heavy = results["home (national map), en"], results["baseline: national map inlined"]
    print(
        f"national map vs inlined baseline: {heavy[1] / light[1]:.1f}x fewer bytes, "
        f"{heavy[0] / light[0]:.1f}x faster until ready (cold)"
    )
    goal = light[1] < 3 and light[0] < 2
    print(f"goal (< 3 MB and < 2 s cold): {'met' if goal else 'NOT met'} ({light[1]:.2f} MB, {light[0]:.2f} s)")


if __name__ == "__main__":
    main()
