"""Fixtures of the browser tests: one headless Chromium and the live service per test module."""

from __future__ import annotations

import browser
import pytest
from playwright import sync_api as playwright_api

from app import create_app


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium driven by Playwright, with every host but localhost unresolvable."""
    with playwright_api.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=browser.chromium_path(), args=browser.OFFLINE_ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def base_url(pages_engine):
    """The real service on a free localhost port, over the module's copy of the hostile test directory."""
    with browser.live_server(create_app(pages_engine, prepare_data=False)) as url:
        yield url
