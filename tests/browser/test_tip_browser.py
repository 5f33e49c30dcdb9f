"""The public tip flow in a real browser, without signing in: open the tip page, fill it
(location from the map), attach a photo, answer the small sum, send it, read the tracking
code and open the status page with it — on a desktop in Chinese and on a phone in English."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cityguard import testing
from cityguard.hazards import imagecheck

from .conftest import PHONE, chromium_missing

_missing = chromium_missing()
if _missing:
    pytest.skip(f"browser tests skipped: {_missing}", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def site(district: testing.District, settings: Any, tmp_path: Path) -> Path:
    # The live server runs in this process: these settings apply to it.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CITYGUARD_TIP_MIN_SECONDS = 1
    photo = tmp_path / "scene.png"
    photo.write_bytes(imagecheck.tiny_png(16, 12))
    return photo


def _answer(page: Any) -> str:
    label = page.locator("label[for=id_answer]").inner_text()
    a, b = re.search(r"(\d+)\s*\+\s*(\d+)", label).groups()  # type: ignore[union-attr]
    return str(int(a) + int(b))


def _send_tip(page: Any, base: str, photo: Path, description: str) -> str:
    page.goto(f"{base}/hazards/tip/")
    assert page.locator(".topbar .nav").count() == 0  # nobody is signed in
    page.fill("#id_description", description)
    # Click the map inside the west street to set the location, as a person would.
    page.wait_for_selector(".picker-map.leaflet-container")
    page.locator(".picker-map").scroll_into_view_if_needed()
    page.locator(".picker-map").click(position={"x": 60, "y": 120})
    assert page.input_value("#id_lon") and page.input_value("#id_lat")
    # A point somewhere on the map may fall outside the district: set a known one.
    page.fill("#id_lon", "121.515")
    page.fill("#id_lat", "31.285")
    page.set_input_files("#id_photo", str(photo))
    page.fill("#id_address", "西街道某小区 3 号楼")
    page.fill("#id_answer", _answer(page))
    # The honeypot is off-screen, out of people's sight (robots still find it in the HTML).
    box = page.locator(".hz-hp").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0
    page.wait_for_timeout(1100)  # the form may not be sent sooner than a second after it came
    page.click(".hz-tip-form [type=submit]")
    page.wait_for_url(re.compile(r"/hazards/tip/[A-Z0-9-]+/\?new=1$"))
    code = page.locator("#tip-code").inner_text().strip()
    assert re.fullmatch(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", code)
    return code


def test_public_tip_on_a_desktop_in_chinese(
    live_server: Any, site: Path, new_page: Callable[..., Any]
) -> None:
    from cityguard.hazards.models import Tip

    page = new_page()
    code = _send_tip(page, live_server.url, site, "消防通道被私家车长期占用")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    tip = Tip.objects.get(code=code)
    assert tip.description == "消防通道被私家车长期占用"
    assert tip.photos.count() == 1 and tip.photos.get().content_type == "image/png"
    # Later, from another browser: look the tip up by its code on the status page.
    other = new_page()
    other.goto(f"{live_server.url}/hazards/tip/")
    other.fill("#id_code", code.lower().replace("-", ""))
    other.click(".hz-lookup [type=submit]")
    other.wait_for_url(f"{live_server.url}/hazards/tip/{code}/")
    assert other.locator("#tip-code").inner_text() == code
    assert other.locator("#tip-step").inner_text().strip()


def test_public_tip_on_a_phone_in_english(
    live_server: Any, site: Path, new_page: Callable[..., Any]
) -> None:
    page = new_page(viewport=PHONE, locale="en-GB")
    code = _send_tip(page, live_server.url, site, "Gas smell next to the market's kitchen")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Thank you" in page.locator(".alert-info").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.goto(f"{live_server.url}/hazards/tip/{code}/")
    assert "Received" in page.locator(".hz-steps").inner_text()


def test_a_tip_without_a_location_is_refused(
    live_server: Any, site: Path, new_page: Callable[..., Any]
) -> None:
    from cityguard.hazards.models import Tip

    page = new_page(locale="en-GB")
    page.goto(f"{live_server.url}/hazards/tip/")
    page.fill("#id_description", "Blocked exit")
    page.fill("#id_answer", _answer(page))
    page.wait_for_timeout(1100)
    page.click(".hz-tip-form [type=submit]")
    page.wait_for_selector(".alert-error")
    assert "location" in page.locator(".alert-error").inner_text().lower()
    assert Tip.objects.count() == 0
