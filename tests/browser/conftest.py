"""Playwright driving Debian's Chromium against the live test server.

Without Chromium the browser tests are skipped, unless TRELLIS_BROWSER_TESTS
is "required" (as in CI), where a missing browser is a failure.
"""

import os
import shutil

import pytest
from django.db import connections

CHROMIUM = os.environ.get("TRELLIS_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser(live_server):
    # Depending on live_server makes the browser close first: its keep-alive
    # connections would otherwise hold a request thread, and that thread's
    # database session, open past the end of the run.
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("TRELLIS_BROWSER_TESTS") == "required":
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the test's own
    # ORM calls are ordinary synchronous code and safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs on greenlets, each with its own context
    # variables, and Django keeps database connections in context variables:
    # a connection opened on one side of the switch is out of reach on the
    # other. Close them on both sides so that none outlives the run.
    connections.close_all()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()
        connections.close_all()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
