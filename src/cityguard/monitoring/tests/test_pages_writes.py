"""Writes from the monitoring pages: sensors, rules, rule contexts and alarm handling, each
through `monitoring.services` (so with its checks and its history)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from cityguard import testing
from cityguard.monitoring.models import Alarm, AlarmEvent, AlarmRule, RuleContext, Sensor

from .test_pages import build_world, login, make_alarm

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(district: testing.District, users: SimpleNamespace) -> SimpleNamespace:
    return build_world(district, users)


def _sensor_post(**over: Any) -> dict[str, Any]:
    data = {
        "code": "W-NEW",
        "name": "车库水位",
        "kind": "water_level",
        "unit": "",
        "organization": "",
        "place": "",
        "expected_interval_s": "30",
        "installed_on": "",
        "enabled": "on",
        "lon": "121.512",
        "lat": "31.291",
    }
    data.update(over)
    return data


def test_a_sensor_is_added_and_edited_through_the_service(world: SimpleNamespace) -> None:
    client = login(world.west_officer, "en")
    response = client.post(reverse("monitoring:sensor_create"), _sensor_post())
    sensor = Sensor.objects.get(code="W-NEW")
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:sensor_detail", args=["W-NEW"])
    assert sensor.street == world.district.west and sensor.unit == "m"
    assert sensor.expected_interval_s == 30
    assert sensor.history.first().history_user == world.west_officer
    response = client.post(
        reverse("monitoring:sensor_edit", args=["W-NEW"]),
        _sensor_post(name="改名", enabled=""),
    )
    assert response.status_code == 302
    sensor.refresh_from_db()
    assert sensor.name == "改名" and sensor.state == "disabled"
    html = client.get(reverse("monitoring:sensor_detail", args=["W-NEW"])).content.decode()
    assert "改名" in html and 'id="history"' in html


def test_a_bad_sensor_form_says_why_and_changes_nothing(world: SimpleNamespace) -> None:
    client = login(world.west_officer, "en")
    response = client.post(reverse("monitoring:sensor_create"), _sensor_post(code="W-1"))
    assert response.status_code == 200
    assert "This code is already taken." in response.content.decode()
    # A point in the east street is outside a west officer's reach.
    response = client.post(
        reverse("monitoring:sensor_create"), _sensor_post(lon="121.545", lat="31.29")
    )
    assert response.status_code in (200, 403)
    response = client.post(reverse("monitoring:sensor_create"), _sensor_post(lon="abc"))
    assert response.status_code == 200 and "lon" in response.context["form"].errors
    assert not Sensor.objects.filter(code="W-NEW").exists()


def test_the_district_adds_and_edits_rules(world: SimpleNamespace) -> None:
    client = login(world.staff, "en")
    data = {
        "name": "Gas leak",
        "kind": "threshold",
        "sensor_code": "",
        "sensor_kind": "combustible_gas",
        "severity": "critical",
        "op": ">=",
        "threshold": "20",
        "for_seconds": "10",
        "clear_op": "<",
        "clear_threshold": "10",
        "window_s": "",
        "no_data_factor": "",
        "context_sensitive": "on",
        "enabled": "on",
    }
    response = client.post(reverse("monitoring:rule_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AlarmRule.objects.get(name="Gas leak")
    assert (rule.op, rule.threshold, rule.clear_op, rule.clear_threshold) == (">=", 20, "<", 10)
    assert rule.sensor_kind == "combustible_gas" and rule.for_seconds == 10
    data.update(sensor_code="W-1", sensor_kind="", threshold="25")
    response = client.post(reverse("monitoring:rule_edit", args=[rule.pk]), data)
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.sensor == world.west and rule.threshold == 25
    # Errors come back onto the form's fields; nothing changes.
    data.update(sensor_code="NOPE", threshold="")
    response = client.post(reverse("monitoring:rule_edit", args=[rule.pk]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "sensor_code" in errors
    rule.refresh_from_db()
    assert rule.sensor == world.west and rule.threshold == 25


def test_street_officers_cannot_change_rules(world: SimpleNamespace) -> None:
    client = login(world.west_officer, "en")
    html = client.get(reverse("monitoring:rule_list")).content.decode()
    assert reverse("monitoring:rule_create") not in html
    assert client.get(reverse("monitoring:rule_create")).status_code == 403
    response = client.post(
        reverse("monitoring:rule_edit", args=[world.own_rule.pk]), {"name": "renamed"}
    )
    assert response.status_code == 403
    assert AlarmRule.objects.get(pk=world.own_rule.pk).name == "W-1 very high"


def test_rule_contexts_are_set_and_released(world: SimpleNamespace) -> None:
    client = login(world.west_officer, "en")
    response = client.post(
        reverse("monitoring:context_list"),
        {
            "street": world.district.west.code,
            "sensor_kind": "water_level",
            "tighten": "0.3",
            "reason": "暴雨蓝色预警",
            "ends_at": "",
        },
    )
    assert response.status_code == 302
    context = RuleContext.objects.get()
    assert context.street == world.district.west and context.tighten == 0.3
    assert context.created_by == world.west_officer
    page = client.get(reverse("monitoring:context_list")).context
    assert [c.pk for c in page["active"]] == [context.pk]
    # The east officer neither sees nor releases it.
    east = login(world.east_officer, "en")
    assert east.get(reverse("monitoring:context_list")).context["active"] == []
    assert east.post(reverse("monitoring:context_release", args=[context.pk])).status_code == 404
    # The street select only offers the officer's own street.
    choices = dict(page["form"].fields["street"].choices)
    assert list(choices) == [world.district.west.code]
    response = client.post(reverse("monitoring:context_release", args=[context.pk]))
    assert response.status_code == 302
    context.refresh_from_db()
    assert context.released_at is not None
    page = client.get(reverse("monitoring:context_list")).context
    assert page["active"] == [] and [c.pk for c in page["past"]] == [context.pk]
    # A bad value is reported, nothing set.
    response = client.post(
        reverse("monitoring:context_list"),
        {
            "street": world.district.west.code,
            "sensor_kind": "water_level",
            "tighten": "x",
            "reason": "",
        },
    )
    assert response.status_code == 200 and RuleContext.objects.count() == 1
    assert {"tighten", "reason"} <= set(response.context["form"].errors)


def test_an_alarm_is_acknowledged_then_cleared_with_comments(world: SimpleNamespace) -> None:
    client = login(world.west_officer, "en")
    url = reverse("monitoring:alarm_action", args=[world.west_alarm.pk, "acknowledge"])
    response = client.post(
        url, {"comment": "crew on site", "next": reverse("monitoring:alarm_board")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("monitoring:alarm_board")
    alarm = Alarm.objects.get(pk=world.west_alarm.pk)
    assert alarm.state == "acknowledged" and alarm.ack_comment == "crew on site"
    assert alarm.acknowledged_by == world.west_officer
    response = client.post(
        reverse("monitoring:alarm_action", args=[alarm.pk, "clear"]), {"comment": "pumped out"}
    )
    assert response["Location"] == reverse("monitoring:alarm_detail", args=[alarm.pk])
    alarm.refresh_from_db()
    assert alarm.state == "cleared" and not alarm.is_open and alarm.clear_comment == "pumped out"
    kinds = list(AlarmEvent.objects.filter(alarm=alarm).values_list("kind", flat=True))
    assert kinds[-2:] == ["acknowledged", "cleared"]
    html = client.get(reverse("monitoring:alarm_detail", args=[alarm.pk])).content.decode()
    assert "crew on site" in html and "pumped out" in html
    # An unknown action, a GET and an offsite `next` are refused or ignored.
    assert (
        client.post(reverse("monitoring:alarm_action", args=[alarm.pk, "explode"])).status_code
        == 404
    )
    assert (
        client.get(reverse("monitoring:alarm_action", args=[alarm.pk, "clear"])).status_code == 405
    )
    other = make_alarm(world.west2, world.kind_rule)
    response = client.post(
        reverse("monitoring:alarm_action", args=[other.pk, "acknowledge"]),
        {"next": "//evil.example/"},
    )
    assert response["Location"] == reverse("monitoring:alarm_detail", args=[other.pk])


def test_opening_an_incident_from_an_alarm_leads_to_the_incident(world: SimpleNamespace) -> None:
    client = login(world.staff, "en")
    response = client.post(
        reverse("monitoring:alarm_action", args=[world.west_alarm.pk, "incident"])
    )
    alarm = Alarm.objects.get(pk=world.west_alarm.pk)
    assert alarm.incident_id
    assert response.status_code == 302
    assert response["Location"] == reverse("incidents:detail", args=[alarm.incident_id])


def test_the_english_form_labels(world: SimpleNamespace) -> None:
    client = login(world.staff, "en")
    with translation.override("en"):
        html = client.get(reverse("monitoring:rule_create")).content.decode()
    assert "Sensor code" in html and "Must hold for (s)" in html
