"""The one map in a real browser: a user sees the district with every layer and opens an
organisation from the map, on a desktop and on a phone, with and without a basemap."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest

from cityguard import testing
from cityguard.core import geo
from cityguard.core.choices import Role

from .conftest import PHONE, chromium_missing

_missing = chromium_missing()
if _missing:
    pytest.skip(f"browser tests skipped: {_missing}", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTERPRISES = "core.organizations.enterprise"


@pytest.fixture
def world(district: testing.District) -> SimpleNamespace:
    admin = testing.make_user("mapadmin", Role.DISTRICT_ADMIN)
    org = testing.make_organization(
        admin,
        "杨浦滨江化工有限公司",
        121.515,
        31.285,
        address="杨树浦路 1 号",
        credit_code=testing.credit_code(7),
    )
    return SimpleNamespace(admin=admin, org=org, district=district)


def wait_for_layers(page: Any, counts: dict[str, int]) -> None:
    """Wait until each named layer has drawn exactly that many features."""
    page.wait_for_function(
        """(counts) => {
            const m = window.cityguardMap;
            return !!m && m.ready && Object.entries(counts).every(
                ([name, n]) => m.layers[name] && !m.layers[name].loading
                    && m.layers[name].count === n);
        }""",
        arg=counts,
    )


def test_open_an_organisation_from_the_map(
    world: SimpleNamespace, new_page: Callable[..., Any], sign_in: Callable[..., None]
) -> None:
    page = new_page()
    sign_in(page, world.admin, "/map/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    wait_for_layers(page, {"core.street": 2, ENTERPRISES: 1})
    status = page.evaluate(
        "() => ({crs: cityguardMap.crs, tiles: cityguardMap.tiles,"
        " zoom: cityguardMap.map.getZoom(), centre: cityguardMap.map.getCenter()})"
    )
    assert status["crs"] == "wgs84" and status["tiles"] == "none"
    # The view opens on the district (121.50–121.56 × 31.26–31.32), not the world.
    assert status["zoom"] >= 12
    assert status["centre"]["lng"] == pytest.approx(121.53, abs=0.01)
    assert status["centre"]["lat"] == pytest.approx(31.29, abs=0.01)
    # Drawn, not just counted: two street outlines and one point in the SVG.
    assert page.locator(".leaflet-overlay-pane path, .leaflet-pane path").count() >= 3
    # Layers that are off by default are unchecked, those on are checked.
    assert page.locator("input[name='core.street']").is_checked()
    assert not page.locator("input[name='core.community']").is_checked()

    # Points are filled with their kind's colour (a GeoJSON style must not override it).
    point = page.locator("path.cg-point")
    assert point.get_attribute("fill") == "#1565c0"
    assert point.get_attribute("fill-opacity") == "0.92"
    page.screenshot(path="/tmp/map.png")

    page.locator("path.cg-point").click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert world.org.name in popup.inner_text()
    assert "杨树浦路 1 号" in popup.inner_text()
    page.screenshot(path="/tmp/map-popup.png")
    popup.locator("a.cg-popup-link").click()
    page.wait_for_url(f"**/organizations/{world.org.pk}/")
    assert world.org.name in page.locator("main").inner_text()


def test_switch_layers_and_language(
    world: SimpleNamespace, new_page: Callable[..., Any], sign_in: Callable[..., None]
) -> None:
    page = new_page()
    sign_in(page, world.admin, "/map/")
    wait_for_layers(page, {"core.street": 2, ENTERPRISES: 1})
    community = page.locator("input[name='core.community']")
    community.check()
    wait_for_layers(page, {"core.community": 2})
    page.locator("input[name='core.street']").uncheck()
    wait_for_layers(page, {"core.street": 0})

    # The language switch in the top bar (inside the menu below 1480 px) reloads the map
    # in English.
    toggle = page.locator(".nav-toggle")
    if toggle.is_visible():
        toggle.click()
    page.locator(".lang-switch button[value=en]").click()
    page.wait_for_function("() => document.documentElement.lang === 'en'")
    wait_for_layers(page, {ENTERPRISES: 1})
    panel = page.locator(".cg-layers-panel")
    assert "Layers" in panel.inner_text()
    assert "Streets and towns" in panel.inner_text()
    page.locator("path.cg-point").click()
    assert page.locator(".cg-popup-link").inner_text() == "Open details"


def test_search_flies_to_the_organisation(
    world: SimpleNamespace, new_page: Callable[..., Any], sign_in: Callable[..., None]
) -> None:
    page = new_page()
    sign_in(page, world.admin, "/map/")
    wait_for_layers(page, {ENTERPRISES: 1})
    page.fill(".cg-search-input", "滨江化工")
    page.press(".cg-search-input", "Enter")
    page.locator(".cg-search-hit").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    assert world.org.name in popup.inner_text()
    centre = page.evaluate("() => cityguardMap.map.getCenter()")
    assert centre["lng"] == pytest.approx(121.515, abs=1e-3)
    assert centre["lat"] == pytest.approx(31.285, abs=1e-3)
    page.fill(".cg-search-input", "没有这个单位")
    page.press(".cg-search-input", "Enter")
    page.locator(".cg-search-empty").wait_for()


def test_phone_layer_panel_is_a_button(
    world: SimpleNamespace, new_page: Callable[..., Any], sign_in: Callable[..., None]
) -> None:
    page = new_page(viewport=PHONE)
    sign_in(page, world.admin, "/map/")
    wait_for_layers(page, {"core.street": 2, ENTERPRISES: 1})
    panel = page.locator(".cg-layers-panel")
    toggle = page.locator(".cg-layers-toggle")
    assert not panel.is_visible()
    assert toggle.is_visible()
    # The map fills the phone screen under the top bar, with no sideways scrolling.
    box = page.locator("#cg-map").bounding_box()
    assert box is not None and box["width"] == PHONE["width"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path="/tmp/map-phone.png")

    toggle.click()
    assert panel.is_visible()
    community = page.locator("input[name='core.community']")
    community.scroll_into_view_if_needed()
    community.check()
    wait_for_layers(page, {"core.community": 2})
    panel_box = panel.bounding_box()
    assert panel_box is not None and panel_box["x"] >= 0
    assert panel_box["x"] + panel_box["width"] <= PHONE["width"]
    page.screenshot(path="/tmp/map-phone-layers.png")
    page.locator(".cg-layers-close").click()
    assert not panel.is_visible()

    page.locator("path.cg-point").click()
    page.locator(".leaflet-popup-content a.cg-popup-link").wait_for()


def test_unreachable_tiles_leave_the_layers_visible(
    world: SimpleNamespace,
    new_page: Callable[..., Any],
    sign_in: Callable[..., None],
    settings: Any,
) -> None:
    # Nothing listens there: every tile fails, as on a network without the tile server.
    settings.CITYGUARD_TILE_URL = "http://127.0.0.1:9/{z}/{x}/{y}.png"
    settings.CITYGUARD_TILE_CRS = "gcj02"
    page = new_page()
    sign_in(page, world.admin, "/map/")
    wait_for_layers(page, {"core.street": 2, ENTERPRISES: 1})
    page.wait_for_function("() => cityguardMap.tiles === 'failed'")
    assert page.locator(".cg-map-notice[data-notice=tiles]").is_visible()
    assert page.locator("path.cg-point").is_visible()

    # The tiles are GCJ-02, so the point is drawn where GCJ-02 puts it.
    drawn = page.evaluate(
        """() => { let at = null;
            cityguardMap.map.eachLayer(l => {
                if (l instanceof L.CircleMarker) at = l.getLatLng(); });
            return at; }"""
    )
    gx, gy = geo.wgs84_to_gcj02(121.515, 31.285)
    assert drawn["lng"] == pytest.approx(gx, abs=1e-6)
    assert drawn["lat"] == pytest.approx(gy, abs=1e-6)

    # The browser's own datum shift (for search results, the initial view) agrees with
    # the server's.
    for lon, lat in [(121.515, 31.285), (116.39, 39.91), (2.35, 48.85)]:
        js = page.evaluate(f"() => CityguardCoords.fromWgs84('gcj02', {lon}, {lat})")
        assert js == pytest.approx(list(geo.wgs84_to_gcj02(lon, lat)), abs=1e-9)
        js = page.evaluate(f"() => CityguardCoords.fromWgs84('bd09', {lon}, {lat})")
        assert js == pytest.approx(list(geo.wgs84_to_bd09(lon, lat)), abs=1e-9)


def test_street_officer_sees_only_their_street(
    world: SimpleNamespace, new_page: Callable[..., Any], sign_in: Callable[..., None]
) -> None:
    testing.make_organization(world.admin, "东区仓储有限公司", 121.55, 31.27)
    officer = testing.make_user("westmap", Role.STREET_OFFICER, jurisdiction=world.district.west)
    page = new_page()
    sign_in(page, officer, "/map/")
    wait_for_layers(page, {ENTERPRISES: 1})
    # Show the whole district: the east enterprise is in view but not the officer's to see.
    fetches = page.evaluate("() => cityguardMap.fetches")
    page.evaluate("() => cityguardMap.map.fitBounds([[31.26, 121.50], [31.32, 121.56]])")
    page.wait_for_function(
        "(n) => cityguardMap.fetches > n && !cityguardMap.layers['core.street'].loading",
        arg=fetches,
    )
    wait_for_layers(page, {ENTERPRISES: 1, "core.street": 2})
    bounds = page.evaluate("() => cityguardMap.map.getBounds().getEast()")
    assert bounds > 121.55
    assert page.locator("path.cg-point").count() == 1


def test_truncated_layer_says_zoom_in(
    world: SimpleNamespace,
    new_page: Callable[..., Any],
    sign_in: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cityguard.onemap import registry

    testing.make_organization(world.admin, "杨浦第二化工厂", 121.52, 31.28)
    layer = registry.get(ENTERPRISES)
    assert layer is not None
    full = layer.feature_collection
    # A cap of one feature stands in for a viewport holding more than the server sends.
    monkeypatch.setattr(
        layer,
        "feature_collection",
        lambda user, bbox, limit, shift=None: full(user, bbox, 1, shift),
    )
    page = new_page(locale="en-GB")
    sign_in(page, world.admin, "/map/")
    wait_for_layers(page, {ENTERPRISES: 1})
    assert page.evaluate(f"() => cityguardMap.layers['{ENTERPRISES}'].truncated") is True
    assert page.locator(".cg-map-notice[data-notice=truncated]").is_visible()
    row_class = page.locator(f".cg-layer[data-layer='{ENTERPRISES}']").get_attribute("class")
    assert "is-truncated" in (row_class or "").split()
    # Turning the layer off clears the hint.
    page.locator(f"input[name='{ENTERPRISES}']").uncheck()
    assert page.locator(".cg-map-notice[data-notice=truncated]").count() == 0
