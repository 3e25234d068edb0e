"""Browser fixtures: Playwright driving Debian's Chromium against a live server on 127.0.0.1."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (scripts/install_browser.sh)")
    # Playwright's sync API runs an event loop in this thread; the tests' own ORM calls are
    # still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live(live_server):
    """The live server's base URL on 127.0.0.1 (pytest-django binds localhost)."""
    return live_server.url.replace("localhost", "127.0.0.1")


_contexts: list = []


def new_page(chromium, viewport=DESKTOP):
    context = chromium.new_context(viewport=viewport, locale="zh-CN")
    _contexts.append(context)
    return context.new_page()


@pytest.fixture(autouse=True)
def _close_browser_contexts():
    """Close every page a test opened before its database is flushed: a page left open keeps
    running its scripts (the offline queue retries every 30 seconds, a service worker syncs),
    and a request arriving during the flush locks a table of the next test."""
    yield
    while _contexts:
        context = _contexts.pop()
        try:
            context.close()
        except Exception:  # already closed by the test, or the browser went away
            pass


def sign_in(page, base_url: str, username: str, password: str = "pass-12345") -> None:
    page.goto(f"{base_url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button.primary")
    page.wait_for_url(f"{base_url}/")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
