"""Browser tests: headless system Chromium driven by Playwright's sync API.

Every test here is marked `browser`; where no Chromium exists the modules skip with a
reason rather than fail, so `make test` runs on machines without a browser.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse
# the ORM calls that the tests and the live server make next to it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("CITYGUARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}


def chromium_missing() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    if not os.path.exists(CHROMIUM):
        return f"no Chromium at {CHROMIUM} (set CITYGUARD_CHROMIUM to another path)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed"
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """`new_page(viewport=PHONE, locale="en-GB")`: a page in a fresh context (own cookies).

    Uncaught script errors fail the test: a page that throws is broken even when the
    assertion the test was after happens to pass.
    """
    contexts: list[Any] = []
    errors: list[str] = []

    def make(viewport: dict[str, int] | None = None, locale: str = "zh-CN") -> Any:
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def log_in(page: Any, base_url: str, username: str, password: str, next_path: str = "/") -> None:
    """Sign in through the login form, as a person would."""
    page.goto(f"{base_url}/accounts/login/?next={next_path}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action*=login] [type=submit]")
    page.wait_for_url(f"{base_url}{next_path}")


@pytest.fixture
def sign_in(live_server: Any) -> Callable[..., None]:
    """`sign_in(page, user, next_path)` against the live server."""
    from cityguard.testing import PASSWORD

    def run(page: Any, user: Any, next_path: str = "/") -> None:
        log_in(page, live_server.url, user.get_username(), PASSWORD, next_path)

    return run
