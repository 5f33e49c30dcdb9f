"""Following the links of the site as a person clicking through would: shared by the
link test (Django's test client) and the phone-width test (a real browser).

Pages whose address differs only in its numbers are visited once (one inspection stands
for all). Downloads, streams, the API and sign-out are not followed.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable

HREF = re.compile(r'href="(/[^"#]*)"')
NOT_FOLLOWED = re.compile(
    r"^/(static|media|api/|accounts/logout|i18n/)|/stream/|/export|\.(xlsx|csv|pdf|xml|atom|json)\b"
    r"|[?&](format|export)="
)

# fetch(url) → (HTTP status, the page's links, or None when it is not an HTML page)
Fetch = Callable[[str], tuple[int, list[str] | None]]


def shape(url: str) -> str:
    """The address with its query left out and every number replaced."""
    return re.sub(r"\d+", "N", url.split("?")[0])


def links_in(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in HREF.findall(html)]


def walk(fetch: Fetch, start: list[str], limit: int = 600) -> tuple[int, list[str]]:
    """(pages visited, problems as "status url (linked from page)"): a page that fails
    (5xx), does not exist (404) or refuses the visitor (403) is a problem. Breadth first:
    the pages the menu links to come before the records they list, so a `limit` cuts
    records, not whole sections."""
    seen: set[str] = set()
    todo = deque((url, "start") for url in start)
    problems: list[str] = []
    visited = 0
    while todo and visited < limit:
        url, source = todo.popleft()
        if url in seen or shape(url) in seen:
            continue
        seen.update((url, shape(url)))
        visited += 1
        status, links = fetch(url)
        if status >= 500 or status in (403, 404):
            problems.append(f"{status} {url} (linked from {source})")
            continue
        todo.extend((link, url) for link in links or () if not NOT_FOLLOWED.search(link))
    return visited, problems
