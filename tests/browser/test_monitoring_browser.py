"""Monitoring in a real browser: a reading that crosses a rule shows up as an alarm on the
open live page (and recolours the sensor on the map) without a reload; the pages fit a
phone's width."""

from __future__ import annotations

import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from cityguard import testing
from cityguard.core.choices import Role

from .conftest import PHONE, chromium_missing

_missing = chromium_missing()
if _missing:
    pytest.skip(f"browser tests skipped: {_missing}", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(district: testing.District, settings: Any) -> SimpleNamespace:
    from cityguard.monitoring import services

    # Short streams: the page's EventSource reconnects (with Last-Event-ID) every few
    # seconds, and no stream outlives the test.
    settings.CITYGUARD_MONITORING_SSE_MAX_S = 4
    settings.CITYGUARD_MONITORING_SSE_POLL_S = 0.2
    admin = testing.make_user("monadmin", Role.DISTRICT_ADMIN)
    sensor = services.save_sensor(
        admin,
        {"code": "WL-B1", "name": "车库水位", "kind": "water_level", "lon": 121.515, "lat": 31.29},
    )
    rule = services.save_rule(
        admin,
        {
            "name": "Basement flooding",
            "sensor_kind": "water_level",
            "severity": "critical",
            "condition": {"op": ">", "value": 0.5},
        },
    )
    return SimpleNamespace(admin=admin, sensor=sensor, rule=rule)


def _ingest(code: str, value: float) -> None:
    from cityguard.monitoring import pipeline

    result = pipeline.ingest(
        [{"sensor": code, "ts": int(time.time() * 1000), "value": value}], source="http"
    )
    assert result.accepted == 1


def test_an_alarm_appears_on_the_live_page_without_a_reload(
    world: SimpleNamespace, new_page: Callable[..., Any], sign_in: Callable[..., None]
) -> None:
    page = new_page(locale="en-GB")
    sign_in(page, world.admin, "/monitoring/")
    page.wait_for_function("() => window.cityguardLive && window.cityguardLive.connected")
    assert page.locator("#mon-stream li[data-alarm]").count() == 0
    page.evaluate("() => { window.__marker = 'same page'; }")

    _ingest("WL-B1", 0.2)  # below the threshold: a value, no alarm
    page.wait_for_function(
        "() => document.querySelector('tr[data-code=\"WL-B1\"] [data-role=value]')"
        ".textContent.trim() === '0.2'"
    )
    _ingest("WL-B1", 0.9)  # crosses the rule
    page.wait_for_selector("#mon-stream li[data-alarm]", timeout=20_000)
    item = page.locator("#mon-stream li[data-alarm]").first
    assert "WL-B1" in item.inner_text() and "Basement flooding" in item.inner_text()
    page.wait_for_function(
        "() => document.querySelector('tr[data-code=\"WL-B1\"]').dataset.state === 'alarm'"
    )
    # The same document all along: no reload happened.
    assert page.evaluate("() => window.__marker") == "same page"
    assert page.locator("#mon-live-status").get_attribute("data-state") == "live"


def test_the_map_recolours_a_sensor_live(
    world: SimpleNamespace, new_page: Callable[..., Any], sign_in: Callable[..., None]
) -> None:
    page = new_page(locale="en-GB")
    sign_in(page, world.admin, "/map/")
    page.wait_for_function("() => window.cityguardMap && window.cityguardMap.ready")
    page.locator('input[name="monitoring.sensors"]').check()
    page.wait_for_function(
        "() => window.cityguardMap.layers['monitoring.sensors'].count === 1"
        " && window.cityguardMapLive && window.cityguardMapLive.connected"
    )
    _ingest("WL-B1", 0.9)
    page.wait_for_function("() => window.cityguardMapLive.updated > 0", timeout=20_000)


@pytest.mark.parametrize(
    "path", ["/monitoring/", "/monitoring/alarms/", "/monitoring/sensors/WL-B1/"]
)
def test_pages_fit_a_phone(
    world: SimpleNamespace, new_page: Callable[..., Any], sign_in: Callable[..., None], path: str
) -> None:
    _ingest("WL-B1", 0.9)
    page = new_page(viewport=PHONE)
    sign_in(page, world.admin, path)
    if path != "/monitoring/":  # the live page keeps its stream open: never network-idle
        page.wait_for_load_state("networkidle")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{path} overflows the phone width by {overflow}px"
    page.screenshot(full_page=False)
