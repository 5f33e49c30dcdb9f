"""The monitoring pages: rendering in both languages, scoping, read-only viewers, and
the writes they make through the services."""

from __future__ import annotations

import datetime as dt
import json
import time
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cityguard import testing
from cityguard.monitoring.models import (
    Aggregate,
    Alarm,
    AlarmEvent,
    AlarmRule,
    DeadLetter,
    Reading,
    Sensor,
)

pytestmark = pytest.mark.django_db

WEST = (121.515, 31.29)
EAST = (121.545, 31.29)


# --- helpers shared by the other page test modules ------------------------------------------


def make_sensor(
    district: Any,
    code: str,
    *,
    east: bool = False,
    org: Any = None,
    kind: str = "water_level",
    state: str = "normal",
    **fields: Any,
) -> Sensor:
    lon, lat = EAST if east else WEST
    street = district.east if east else district.west
    return Sensor.objects.create(  # type: ignore[no-any-return]
        code=code,
        kind=kind,
        lon=lon,
        lat=lat,
        jurisdiction=district.east_community if east else district.west_community,
        street=street,
        organization=org,
        state=state,
        **fields,
    )


def make_rule(
    name: str, *, sensor: Sensor | None = None, kind: str = "water_level", **kw: Any
) -> AlarmRule:
    fields: dict[str, Any] = {"severity": "major", "op": ">", "threshold": 1.0}
    fields.update(kw)
    return AlarmRule.objects.create(  # type: ignore[no-any-return]
        name=name, sensor=sensor, sensor_kind="" if sensor else kind, **fields
    )


def make_alarm(sensor: Sensor, rule: AlarmRule, *, state: str = "active", **kw: Any) -> Alarm:
    alarm = Alarm.objects.create(
        sensor=sensor,
        rule=rule,
        severity=kw.pop("severity", rule.severity),
        state=state,
        is_open=state != "cleared",
        jurisdiction=sensor.jurisdiction,
        organization=sensor.organization,
        opened_at=kw.pop("opened_at", timezone.now()),
        peak_value=kw.pop("peak_value", 1.7),
        last_value=1.6,
        **kw,
    )
    AlarmEvent.objects.create(alarm=alarm, kind="opened", severity=alarm.severity, value=1.7)
    return alarm  # type: ignore[no-any-return]


def login(user: Any, language: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def build_world(district: testing.District, users: SimpleNamespace) -> SimpleNamespace:
    """Sensors, rules and alarms in both streets, for the page tests."""
    west = make_sensor(district, "W-1", org=users.west_org, name="西区水位计", unit="m")
    west2 = make_sensor(district, "W-2", kind="combustible_gas", state="offline")
    east = make_sensor(district, "E-1", east=True, org=users.east_org, state="alarm")
    kind_rule = make_rule("Water level high")
    own_rule = make_rule("W-1 very high", sensor=west, severity="critical", threshold=2.0)
    east_rule = make_rule("E-1 own", sensor=east, threshold=3.0)
    west_alarm = make_alarm(west, own_rule, severity="critical")
    east_alarm = make_alarm(east, kind_rule)
    now_ms = int(time.time() * 1000)
    minute = now_ms // 60_000 * 60_000
    Aggregate.objects.bulk_create(
        [
            Aggregate(sensor=west, period="m", start=minute - i * 60_000, count=2, vmin=1.0,
                      vmax=1.4, vsum=2.4 + i * 0.01)
            for i in range(10)
        ]
        + [
            Aggregate(sensor=west, period="h", start=minute - i * 3_600_000, count=60,
                      vmin=0.9, vmax=1.5, vsum=66.0)
            for i in range(1, 30)
        ]
    )  # fmt: skip
    Reading.objects.bulk_create(
        [Reading(sensor=west2, ts=now_ms - i * 1000, value=5.0 + i) for i in range(5)]
    )
    return SimpleNamespace(
        **vars(users),
        district=district,
        west=west,
        west2=west2,
        east=east,
        kind_rule=kind_rule,
        own_rule=own_rule,
        east_rule=east_rule,
        west_alarm=west_alarm,
        east_alarm=east_alarm,
    )


@pytest.fixture
def world(district: testing.District, users: SimpleNamespace) -> SimpleNamespace:
    return build_world(district, users)


# --- rendering ------------------------------------------------------------------------------


def _pages(w: SimpleNamespace) -> list[str]:
    return [
        reverse("monitoring:live"),
        reverse("monitoring:sensor_list"),
        reverse("monitoring:sensor_detail", args=[w.west.code]),
        reverse("monitoring:sensor_create"),
        reverse("monitoring:sensor_edit", args=[w.west.code]),
        reverse("monitoring:sensor_import"),
        reverse("monitoring:rule_list"),
        reverse("monitoring:rule_create"),
        reverse("monitoring:rule_edit", args=[w.own_rule.pk]),
        reverse("monitoring:context_list"),
        reverse("monitoring:alarm_board"),
        reverse("monitoring:alarm_detail", args=[w.west_alarm.pk]),
        reverse("monitoring:dead_letters"),
        reverse("monitoring:availability"),
    ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_page_renders_in_both_languages(world: SimpleNamespace, language: str) -> None:
    client = login(world.admin, language)
    DeadLetter.objects.create(source="http", reason="bad JSON", payload="{")
    for url in _pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<html lang="{language}"' in html, url
        assert 'name="viewport"' in html
    home = client.get(reverse("monitoring:live")).content.decode()
    if language == "en":
        assert "Live monitoring" in home and "Alarm stream" in home
    else:
        assert "实时监测" in home and "报警动态" in home


def test_live_page_shows_sensors_sparklines_and_alarm_stream(world: SimpleNamespace) -> None:
    client = login(world.admin, "en")
    response = client.get(reverse("monitoring:live"))
    live = response.context["live"]
    assert live["stream"] == reverse("monitoring:stream")
    sparks = {s.code: json.loads(s.spark_points) for s in response.context["sensors"]}
    # W-1 from its minute aggregates (averages), W-2 from raw readings, E-1 has nothing.
    assert [p[1] for p in sparks["W-1"]][-1] == pytest.approx(1.2)
    assert len(sparks["W-1"]) == 10
    assert [p[1] for p in sparks["W-2"]] == [9.0, 8.0, 7.0, 6.0, 5.0]
    assert sparks["E-1"] == []
    assert {a["id"] for a in live["alarms"]} == {world.west_alarm.pk, world.east_alarm.pk}
    html = response.content.decode()
    assert 'data-code="W-1"' in html and "mon-spark" in html and "data-points=" in html
    # Filters: kind and state narrow the sensor table.
    page = client.get(reverse("monitoring:live"), {"state": "offline"})
    assert [s.code for s in page.context["sensors"]] == ["W-2"]
    page = client.get(reverse("monitoring:live"), {"kind": "combustible_gas"})
    assert [s.code for s in page.context["sensors"]] == ["W-2"]
    page = client.get(reverse("monitoring:live"), {"q": "西区"})
    assert [s.code for s in page.context["sensors"]] == ["W-1"]
    page = client.get(reverse("monitoring:live"), {"street": world.district.east.code})
    assert [s.code for s in page.context["sensors"]] == ["E-1"]


def test_sensor_detail_shows_rules_alarms_and_charts(world: SimpleNamespace) -> None:
    client = login(world.admin, "en")
    response = client.get(reverse("monitoring:sensor_detail", args=["W-1"]))
    ctx = response.context
    # Its own threshold rule overrides the kind's threshold rule.
    assert [r.name for r in ctx["rules"]] == ["W-1 very high"]
    charts = ctx["chart_config"]["series"]
    assert len(charts["h1"]) == 10
    assert charts["h1"][-1]["avg"] == pytest.approx(1.2)
    assert {"start", "count", "min", "max", "avg"} <= set(charts["h1"][0])
    assert len(charts["h24"]) == 23 and len(charts["d7"]) == 29
    assert [a.pk for a in ctx["open_alarms"]] == [world.west_alarm.pk]
    html = response.content.decode()
    assert "vendor/echarts/echarts.min.js" in html and 'id="mon-chart-config"' in html


def test_a_kind_rule_applies_where_no_own_rule_of_that_rule_kind_exists(
    world: SimpleNamespace,
) -> None:
    client = login(world.admin, "en")
    offline_rule = AlarmRule.objects.create(
        name="Quiet", kind="no_data", sensor_kind="water_level", severity="minor", no_data_factor=3
    )
    rules = client.get(reverse("monitoring:sensor_detail", args=["W-1"])).context["rules"]
    assert [r.pk for r in rules] == [world.own_rule.pk, offline_rule.pk]
    east = client.get(reverse("monitoring:sensor_detail", args=["E-1"])).context["rules"]
    assert [r.pk for r in east] == [world.east_rule.pk, offline_rule.pk]


# --- scoping --------------------------------------------------------------------------------


def test_a_street_officer_sees_only_their_street(world: SimpleNamespace) -> None:
    client = login(world.west_officer, "en")
    listed = client.get(reverse("monitoring:sensor_list")).context["page_obj"]
    assert {s.code for s in listed} == {"W-1", "W-2"}
    assert client.get(reverse("monitoring:sensor_detail", args=["E-1"])).status_code == 404
    assert client.get(reverse("monitoring:sensor_edit", args=["E-1"])).status_code == 404
    assert (
        client.get(reverse("monitoring:alarm_detail", args=[world.east_alarm.pk])).status_code
        == 404
    )
    assert client.get(reverse("monitoring:rule_edit", args=[world.east_rule.pk])).status_code == 404
    board = client.get(reverse("monitoring:alarm_board")).context["page_obj"]
    assert [a.pk for a in board] == [world.west_alarm.pk]
    live = client.get(reverse("monitoring:live")).context
    assert {s.code for s in live["sensors"]} == {"W-1", "W-2"}
    assert [a["id"] for a in live["live"]["alarms"]] == [world.west_alarm.pk]
    rules = client.get(reverse("monitoring:rule_list")).context["page_obj"]
    assert {r.name for r in rules} == {"Water level high", "W-1 very high"}
    # Writes to the other street are refused without changing anything.
    response = client.post(
        reverse("monitoring:alarm_action", args=[world.east_alarm.pk, "acknowledge"]),
        {"comment": "x"},
    )
    assert response.status_code == 404
    assert Alarm.objects.get(pk=world.east_alarm.pk).state == "active"


def test_an_enterprise_manager_sees_only_their_organisation(world: SimpleNamespace) -> None:
    client = login(world.west_manager, "en")
    listed = client.get(reverse("monitoring:sensor_list")).context["page_obj"]
    assert [s.code for s in listed] == ["W-1"]
    assert client.get(reverse("monitoring:sensor_detail", args=["W-2"])).status_code == 404
    board = client.get(reverse("monitoring:alarm_board")).context["page_obj"]
    assert [a.pk for a in board] == [world.west_alarm.pk]


def test_a_viewer_reads_but_gets_no_write_buttons_and_is_refused(world: SimpleNamespace) -> None:
    client = login(world.viewer, "en")
    html = client.get(reverse("monitoring:sensor_list")).content.decode()
    assert reverse("monitoring:sensor_create") not in html
    assert reverse("monitoring:sensor_import") not in html
    detail = client.get(reverse("monitoring:sensor_detail", args=["W-1"])).content.decode()
    assert reverse("monitoring:sensor_edit", args=["W-1"]) not in detail
    alarm = client.get(reverse("monitoring:alarm_detail", args=[world.west_alarm.pk])).content
    assert b"/acknowledge/" not in alarm and b"/incident/" not in alarm and b"/clear/" not in alarm
    board = client.get(reverse("monitoring:alarm_board")).content.decode()
    assert "/acknowledge/" not in board
    rules = client.get(reverse("monitoring:rule_list")).content.decode()
    assert reverse("monitoring:rule_create") not in rules
    contexts = client.get(reverse("monitoring:context_list")).content.decode()
    assert 'name="tighten"' not in contexts
    for url, data in [
        (reverse("monitoring:sensor_create"), {"code": "V-1"}),
        (reverse("monitoring:sensor_edit", args=["W-1"]), {"code": "W-1"}),
        (reverse("monitoring:rule_create"), {"name": "x"}),
        (reverse("monitoring:rule_edit", args=[world.own_rule.pk]), {"name": "x"}),
        (reverse("monitoring:alarm_action", args=[world.west_alarm.pk, "acknowledge"]), {}),
        (reverse("monitoring:alarm_action", args=[world.west_alarm.pk, "clear"]), {}),
        (reverse("monitoring:alarm_action", args=[world.west_alarm.pk, "incident"]), {}),
        (reverse("monitoring:context_list"), {"street": world.district.west.code}),
        (reverse("monitoring:sensor_import"), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert Alarm.objects.get(pk=world.west_alarm.pk).state == "active"
    assert not Sensor.objects.filter(code="V-1").exists()
    assert AlarmRule.objects.filter(name="x").count() == 0
    assert client.get(reverse("monitoring:sensor_create")).status_code == 403


# --- alarm board --------------------------------------------------------------------------


def test_alarm_board_groups_by_severity_and_filters(world: SimpleNamespace) -> None:
    client = login(world.admin, "en")
    cleared = make_alarm(world.west2, world.kind_rule, state="cleared", severity="warning")
    ctx = client.get(reverse("monitoring:alarm_board")).context
    assert [g["value"] for g in ctx["by_severity"]] == ["critical", "major"]
    assert cleared.pk not in [a.pk for a in ctx["page_obj"]]
    assert {s["value"]: s["n"] for s in ctx["summary"]} == {
        "critical": 1, "major": 1, "minor": 0, "warning": 0,
    }  # fmt: skip

    def pks(**params: str) -> list[int]:
        return [
            a.pk for a in client.get(reverse("monitoring:alarm_board"), params).context["page_obj"]
        ]

    assert pks(state="cleared") == [cleared.pk]
    assert set(pks(state="all")) == {cleared.pk, world.west_alarm.pk, world.east_alarm.pk}
    assert pks(severity="critical") == [world.west_alarm.pk]
    assert pks(street=world.district.east.code) == [world.east_alarm.pk]
    assert pks(kind="combustible_gas", state="all") == [cleared.pk]
    assert pks(q="E-") == [world.east_alarm.pk]
    export = client.get(reverse("monitoring:alarm_board"), {"format": "csv"})
    assert export.status_code == 200
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "W-1" in body and "E-1" in body and "W-2" not in body


def test_alarm_detail_shows_the_timeline(world: SimpleNamespace) -> None:
    AlarmEvent.objects.create(
        alarm=world.west_alarm, kind="acknowledged", actor=world.staff, note="on my way"
    )
    client = login(world.admin, "en")
    html = client.get(
        reverse("monitoring:alarm_detail", args=[world.west_alarm.pk])
    ).content.decode()
    assert "Opened" in html and "on my way" in html and world.staff.get_username() in html
    assert "/acknowledge/" in html and "/incident/" in html


# --- dead letters ------------------------------------------------------------------------------


def test_dead_letters_are_for_district_roles_and_escape_the_payload(world: SimpleNamespace) -> None:
    long = '{"x": "' + "a" * 300 + '", "tag": "<script>alert(1)</script>"}'
    DeadLetter.objects.create(
        source="mqtt", topic="readings/W-1", sensor_code="W-1", reason="bad JSON", payload=long
    )
    DeadLetter.objects.create(source="http", reason="unknown sensor", payload="<b>x</b>")
    assert login(world.west_officer).get(reverse("monitoring:dead_letters")).status_code == 403
    assert login(world.viewer).get(reverse("monitoring:dead_letters")).status_code == 403
    client = login(world.staff, "en")
    response = client.get(reverse("monitoring:dead_letters"))
    html = response.content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<details>" in html  # the long one expands to its full payload
    assert "readings/W-1" in html
    filtered = client.get(reverse("monitoring:dead_letters"), {"q": "unknown"}).context["page_obj"]
    assert [d.reason for d in filtered] == ["unknown sensor"]
    filtered = client.get(reverse("monitoring:dead_letters"), {"source": "mqtt"}).context[
        "page_obj"
    ]
    assert [d.sensor_code for d in filtered] == ["W-1"]
    assert reverse("monitoring:dead_letters") in html
    officer_html = login(world.west_officer).get(reverse("monitoring:live")).content.decode()
    assert reverse("monitoring:dead_letters") not in officer_html


# --- phone width -----------------------------------------------------------------------------


def test_tables_stack_or_scroll_at_phone_width(world: SimpleNamespace) -> None:
    client = login(world.admin, "en")
    for url in _pages(world):
        html = client.get(url).content.decode()
        if "<table" in html:
            assert 'class="table-wrap"' in html, url
    css = (
        __import__("pathlib").Path(__file__).resolve().parents[1]
        / "static/monitoring/monitoring.css"
    ).read_text()
    assert ".table-wrap { overflow-x: auto" in css


def test_now_helpers() -> None:
    from cityguard.monitoring.views import _ms_to_dt

    assert _ms_to_dt(0) == dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    assert _ms_to_dt(None) is None


def test_availability_per_street_and_kind_with_export(world: SimpleNamespace) -> None:
    make_sensor(world.district, "W-3", kind="combustible_gas")
    make_sensor(world.district, "W-4", kind="combustible_gas", enabled=False, state="disabled")
    client = login(world.admin, "en")
    ctx = client.get(reverse("monitoring:availability")).context
    rows = {(r["street"], r["kind"]): r for r in ctx["rows"]}
    gas = rows[(world.district.west.code, "combustible_gas")]
    assert (gas["sensors"], gas["online"], gas["offline"], gas["percent"]) == (2, 1, 1, 50.0)
    assert rows[(world.district.west.code, "water_level")]["percent"] == 100.0
    assert ctx["total"] == 4 and ctx["online"] == 3 and ctx["overall"] == 75.0
    assert [s.code for s in ctx["offline"]] == ["W-2"]
    html = client.get(reverse("monitoring:availability")).content.decode()
    assert "50.0 %" in html
    export = client.get(reverse("monitoring:availability"), {"format": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Availability (%)" in body and "50.0" in body
    # A street officer's figures cover their street only.
    west = login(world.west_officer, "en").get(reverse("monitoring:availability")).context
    assert {r["street"] for r in west["rows"]} == {world.district.west.code}
    east = client.get(reverse("monitoring:availability"), {"street": world.district.east.code})
    assert {r["street"] for r in east.context["rows"]} == {world.district.east.code}


def test_recent_readings_are_the_newest_within_the_span_before_the_last(
    world: SimpleNamespace,
) -> None:
    from cityguard.monitoring.views import RECENT_INTERVALS, recent_readings

    sensor = Sensor.objects.get(code="W-1")
    Reading.objects.filter(sensor=sensor).delete()
    last = 1_800_000_000_000
    span = max(3_600_000, RECENT_INTERVALS * 1000 * sensor.expected_interval_s)
    Reading.objects.bulk_create(
        [Reading(sensor=sensor, ts=last - i * 60_000, value=float(i)) for i in range(30)]
        + [Reading(sensor=sensor, ts=last - span - 1, value=-1.0)]
    )
    Sensor.objects.filter(pk=sensor.pk).update(last_ts=last)
    sensor.refresh_from_db()
    got = recent_readings(sensor)
    assert [v for _ts, v in got] == [float(i) for i in range(20)]
    # Fewer inside the span: only those, never one from before it.
    Reading.objects.filter(sensor=sensor, value__gte=3).delete()
    assert [v for _ts, v in recent_readings(sensor)] == [0.0, 1.0, 2.0]
