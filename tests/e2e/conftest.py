"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

They always run. Without /usr/bin/chromium the browser fixture fails (it never skips) and says
how to install the browser. One browser per session, a fresh context (cookies, storage) per test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .helpers import AXE_JS

# Playwright's sync API runs an event loop in this thread; Django must still accept ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TIMEOUT_MS = 15_000


def pytest_collection_modifyitems(items):
    """Everything under tests/e2e is a browser test, marked or not."""
    for item in items:
        if "/tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(
            f"The browser tests need Debian's Chromium at {CHROMIUM}: "
            "run `apt-get install chromium` (as root) and start the tests again.",
            pytrace=False,
        )
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is missing at {AXE_JS}: run `npm ci` (make install).", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def _e2e_settings(settings):
    # pytest-django swaps in the locmem mail backend; the demo outbox is what the browser reads.
    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    settings.DEMO_MODE = True
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def demo(transactional_db):
    """The Regensburg demo city, loaded fresh for each test (the live server's DB is flushed)."""
    from rathaus.demo import data
    from rathaus.demo.loader import load_demo

    load_demo()
    return data


@pytest.fixture
def page(browser, live_server):
    """A page in a new browser context, pointed at the live server.

    CSP is bypassed so axe-core can be injected as an inline script; every failed request for a
    static file fails the test.
    """
    context = browser.new_context(base_url=live_server.url, bypass_csp=True, locale="de-DE")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    broken: list[str] = []
    page.on(
        "response",
        lambda response: (
            broken.append(f"{response.status} {response.url}")
            if "/static/" in response.url and response.status >= 400
            else None
        ),
    )
    page.on("requestfailed", lambda request: broken.append(f"failed {request.url}"))
    yield page
    context.close()
    assert not broken, "Static files or requests failed to load:\n" + "\n".join(broken)
