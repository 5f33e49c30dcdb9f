"""Every link a user is shown leads somewhere they may go.

The whole demo (every app, small scale) is loaded once; then each demo role follows the
links of the pages it reaches, from the home page, as a person clicking through would. A
page that fails (5xx), a link to a page that does not exist for that user (404) or that
refuses them (403) is a defect: a street officer must not be shown a link into another
street's record, a viewer must not be offered a "New" button that only refuses.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from .crawling import links_in, walk

pytestmark = pytest.mark.crawl

# (user, language). District staff, who reach the most pages, are walked in both languages
# by the phone-width browser test (tests/browser/test_phone_width.py), which reports the
# same problems; here the other roles, in Chinese (the default, and where a translation
# could break a page).
VISITS = [
    ("demo-street", "zh-hans"),
    ("demo-manager", "zh-hans"),
    ("demo-viewer", "zh-hans"),
    (None, "zh-hans"),
]
PUBLIC_START = ["/", "/accounts/login/"]


def crawl(client: Client, start: list[str], limit: int = 600) -> tuple[int, list[str]]:
    """(pages visited, problems) following the links with Django's test client."""

    def fetch(url: str) -> tuple[int, list[str] | None]:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            return response.status_code, None
        return 200, links_in(response.content.decode("utf-8", "replace"))

    return walk(fetch, start, limit)


@pytest.mark.django_db
def test_every_link_shown_to_each_role_works(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", scale=0.06, seed=5, stdout=io.StringIO())
    users = get_user_model().objects
    report: list[str] = []
    for username, language in VISITS:
        client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
        client.cookies["django_language"] = language
        if username:
            client.force_login(users.get(username=username))
        visited, problems = crawl(client, PUBLIC_START)
        # A signed-in role reaches most of the site; the public reaches its pages only.
        assert visited >= (100 if username else 5), (username, language, visited)
        report += [f"{username or 'public'} [{language}]: {p}" for p in problems]
    assert report == []


def test_the_crawler_reports_a_broken_link(client: Client, db: Any) -> None:
    """The crawler itself: a link to a missing page is reported with its source."""
    from django.http import HttpResponse
    from django.test import override_settings
    from django.urls import path

    from cityguard import urls

    def page(request: Any) -> HttpResponse:
        return HttpResponse('<a href="/nowhere/">x</a><a href="/static/x.css">s</a>')

    urlconf = type("urls", (), {"urlpatterns": [path("links-test/", page), *urls.urlpatterns]})
    with override_settings(ROOT_URLCONF=urlconf):
        visited, problems = crawl(client, ["/links-test/"])
    assert visited == 2
    assert problems == ["404 /nowhere/ (linked from /links-test/)"]
