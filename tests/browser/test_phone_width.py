"""Every page fits a phone: a street officer in the field opens the site on a 375 px
screen. The whole demo (small scale) is loaded; a district staff member follows the links
breadth first (the first `PAGES` page shapes) in Chinese and in English, and no page may
be wider than the screen (a table scrolls inside its own box, a long value wraps), refuse
them, or throw a script error."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cityguard import testing

from ..crawling import walk
from .conftest import PHONE, chromium_missing, log_in

_missing = chromium_missing()
if _missing:
    pytest.skip(f"browser tests skipped: {_missing}", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Wider than the screen: the page scrolls sideways (a map's own panes do not count: the
# map clips them).
# A modest walk (CI time): the first pages breadth first — every page the menu reaches,
# its forms, then records — in each language. The link test walks every page.
PAGES = 60

WIDTH = "() => [document.documentElement.scrollWidth, window.innerWidth]"
LINKS = "els => els.map(e => e.getAttribute('href'))"


def too_wide(page: Any) -> int | None:
    width, screen = page.evaluate(WIDTH)
    return int(width) if width > screen + 1 else None


def phone_walk(page: Any, base_url: str) -> tuple[int, list[str]]:
    wide: list[str] = []

    def fetch(url: str) -> tuple[int, list[str] | None]:
        response = page.goto(base_url + url, wait_until="load")
        if response is None or "html" not in (response.headers.get("content-type") or ""):
            return (response.status if response else 200), None
        if response.status == 200 and (width := too_wide(page)):
            wide.append(f"{url} is {width} px wide")
        return response.status, page.eval_on_selector_all("a[href^='/']", LINKS)

    visited, problems = walk(fetch, ["/"], limit=PAGES)
    return visited, problems + wide


# One test per language, so that the two walks can run side by side.
@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_every_page_fits_a_phone(
    live_server: Any, new_page: Callable[..., Any], settings: Any, locale: str
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    testing.reseed_reference_data()  # an earlier transactional test may have emptied it
    call_command("demo", scale=0.06, seed=5, stdout=io.StringIO())
    staff = get_user_model().objects.get(username="demo-staff")
    staff.set_password(testing.PASSWORD)
    staff.save()
    page = new_page(viewport=PHONE, locale=locale)
    log_in(page, live_server.url, "demo-staff", testing.PASSWORD)
    visited, problems = phone_walk(page, live_server.url)
    assert visited == PAGES
    assert problems == []


def test_a_page_wider_than_the_phone_is_caught(new_page: Callable[..., Any]) -> None:
    """The check itself: a page with a wide unwrapped line is reported."""
    page = new_page(viewport=PHONE)
    page.set_content('<html><body><div style="width: 600px">x</div></body></html>')
    assert too_wide(page) is not None
    page.set_content('<html><body><div style="max-width: 100%">x</div></body></html>')
    assert too_wide(page) is None
