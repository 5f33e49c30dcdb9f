"""Warnings in a real browser: the public page at phone width shows an active warning
without signing in (in Chinese, then in English); the issuing form shows the live CAP
preview as the form is filled in."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from cityguard import testing

from .conftest import PHONE, chromium_missing

_missing = chromium_missing()
if _missing:
    pytest.skip(f"browser tests skipped: {_missing}", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _issue(district: testing.District, staff: Any) -> Any:
    from cityguard.warnings import services

    now = timezone.now()
    warning = services.save_draft(
        staff,
        {
            "kind": "rainstorm",
            "colour": "yellow",
            "headline": "杨浦区暴雨黄色预警",
            "description": "预计未来6小时内将出现50毫米以上降水。",
            "headline_en": "Yangpu rainstorm yellow warning",
            "streets": [district.west.code],
            "effective": now - timedelta(minutes=5),
            "expires": now + timedelta(hours=6),
        },
    )
    return services.issue(staff, warning)


def test_public_page_on_a_phone(
    live_server: Any, district: testing.District, new_page: Callable[..., Any], settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    staff = testing.make_user("staff-b", "district_staff")
    _issue(district, staff)
    page = new_page(viewport=PHONE)
    page.goto(f"{live_server.url}/warnings/public/")
    assert page.locator(".topbar .nav").count() == 0  # nobody is signed in
    card = page.locator("article.wn-public.wn-yellow")
    assert card.count() == 1
    assert "杨浦区暴雨黄色预警" in card.inner_text()
    box = card.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    # Nothing sticks out sideways at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("text=Yangpu rainstorm yellow warning")


def test_issuing_form_shows_the_cap_preview(
    live_server: Any,
    district: testing.District,
    new_page: Callable[..., Any],
    sign_in: Callable[..., None],
) -> None:
    staff = testing.make_user("staff-c", "district_staff")
    page = new_page()
    sign_in(page, staff, "/warnings/new/")
    page.select_option("#id_kind", "heat")
    # Heat has no blue level: the form does not offer it.
    assert page.locator("#id_colour option[value=blue]").is_disabled()
    page.select_option("#id_colour", "orange")
    page.fill("#id_headline", "高温橙色预警")
    page.fill("#id_description", "预计最高气温37℃以上。")
    page.check(f"input[name=streets][value='{district.east.code}']")
    now = timezone.localtime()
    page.fill("#id_effective", now.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_expires", (now + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#id_expires").dispatch_event("change")
    preview = page.locator("#cap-preview pre.wn-cap")
    preview.wait_for()
    text = preview.inner_text()
    assert "<msgType>Alert</msgType>" in text
    assert "<severity>Severe</severity>" in text
    assert district.east.code in text
