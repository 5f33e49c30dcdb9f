"""Services: sensors, rules, alarms by hand, notifications and live-event scoping."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from cityguard.core.models import Contact, Place
from cityguard.monitoring import events, services
from cityguard.monitoring.models import Alarm, Event, Notification, Sensor

pytestmark = pytest.mark.django_db


def test_sensor_takes_place_location_and_organisation(mon: Any) -> None:
    place = Place.objects.create(
        name="地下车库",
        kind="underground_space",
        organization=mon.users.east_org,
        lon=121.545,
        lat=31.275,
        jurisdiction=mon.district.east_community,
    )
    s = services.save_sensor(
        mon.users.staff, {"code": "UG-1", "kind": "water_level", "place": place.pk}
    )
    assert (s.lon, s.lat) == (121.545, 31.275)
    assert s.organization == mon.users.east_org and s.street == mon.district.east
    assert s.jurisdiction == mon.district.east_community and s.unit == "m"
    with pytest.raises(ValidationError) as err:
        services.save_sensor(
            mon.users.staff,
            {"code": "UG-2", "kind": "water_level", "place": place.pk,
             "organization": mon.users.west_org.pk},
        )  # fmt: skip
    assert "place" in err.value.message_dict


def test_sensor_state_by_hand(mon: Any) -> None:
    s = services.save_sensor(mon.users.staff, {"state": "maintenance"}, mon.west_gas)
    assert s.state == "maintenance"
    with pytest.raises(ValidationError):
        services.save_sensor(mon.users.staff, {"state": "alarm"}, mon.west_gas)


def test_viewer_cannot_write(mon: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.save_sensor(mon.users.viewer, {"name": "x"}, mon.west_gas)
    with pytest.raises(PermissionDenied):
        services.save_rule(
            mon.users.viewer,
            {"name": "r", "sensor_kind": "smoke", "severity": "major",
             "condition": {"op": ">", "value": 1}},
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.set_context(
            mon.users.viewer, street=mon.district.west, sensor_kind="water_level",
            tighten=0.1, reason="r",
        )  # fmt: skip


def test_rule_history_and_no_data_default(mon: Any, rule: Any) -> None:
    r = rule(name="silent", kind="no_data", sensor_kind="smoke")
    assert r.no_data_factor == 3.0 and r.op == "" and r.threshold is None
    assert r.history.first().history_user == mon.users.staff
    assert r.created_by == mon.users.staff


def test_hysteresis_must_point_the_other_way(mon: Any, rule: Any) -> None:
    with pytest.raises(ValidationError) as err:
        rule(condition={"op": ">", "value": 10}, clear_condition={"op": "<", "value": 12})
    assert "clear_condition" in err.value.message_dict
    ok = rule(condition={"op": "<", "value": 0.15}, clear_condition={"op": ">=", "value": 0.2})
    assert ok.clear_op == ">="


def test_hand_clear_reopens_while_condition_holds(mon: Any, feed: Any, rule: Any) -> None:
    rule(condition={"op": ">", "value": 10})
    feed("west_gas", [20])
    a = Alarm.objects.get()
    services.acknowledge(mon.users.west_manager, a, "seen")
    feed("west_gas", [25], start=mon.t0 + 60_000)  # acknowledged alarms still extend
    a.refresh_from_db()
    assert a.state == "acknowledged" and a.peak_value == 25 and a.is_open
    services.clear(mon.users.west_officer, a, "checked")
    assert Sensor.objects.get(code="west_gas").state == "normal"
    feed("west_gas", [22], start=mon.t0 + 120_000)
    assert Alarm.objects.filter(is_open=True).count() == 1
    assert Alarm.objects.count() == 2
    with pytest.raises(PermissionDenied):
        services.clear(mon.users.east_officer, Alarm.objects.get(is_open=True))


def test_notifications_to_people_and_channels(
    mon: Any, feed: Any, rule: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CITYGUARD_ALARM_WEBHOOK_URL = "http://127.0.0.1:9/hook"  # nothing listens
    settings.CITYGUARD_WEBHOOK_TIMEOUT = 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Contact.objects.create(
        organization=mon.users.west_org,
        name="王工",
        role="safety_manager",
        email="wang@example.com",
    )
    Contact.objects.create(organization=mon.users.west_org, name="李工", role="safety_manager")
    rule(name="major", severity="major", condition={"op": ">", "value": 10})
    rule(name="critical", severity="critical", condition={"op": ">", "value": 50})
    with django_capture_on_commit_callbacks(execute=True):
        feed("west_gas", [20])
    a = Alarm.objects.get()
    platform = set(
        Notification.objects.filter(alarm=a, channel="platform").values_list(
            "user__username", flat=True
        )
    )
    assert platform == {"westmgr", "west1"}  # manager of the organisation, street officer
    email = Notification.objects.get(alarm=a, channel="email")
    assert email.status == "sent" and "wang@example.com" in email.recipient
    assert len(mail.outbox) == 1 and "west gas" in mail.outbox[0].subject
    hook = Notification.objects.get(alarm=a, channel="webhook")
    assert hook.status == "failed" and hook.error
    assert a.events.filter(kind="notified").count() == 1
    # Escalation to critical tells district staff and administrators too.
    with django_capture_on_commit_callbacks(execute=True):
        feed("west_gas", [60], start=mon.t0 + 60_000)
    users = set(
        Notification.objects.filter(alarm=a, channel="platform").values_list(
            "user__username", flat=True
        )
    )
    assert {"staff1", "admin1"} <= users
    assert a.events.filter(kind="notified").count() == 2


def test_events_since_scoping(mon: Any, feed: Any, rule: Any) -> None:
    rule(condition={"op": ">", "value": 10})
    feed("west_gas", [20])
    feed("east_gas", [20])
    feed("east_level", [0.1])
    u = mon.users

    def seen(user: Any) -> set[tuple[str, str]]:
        out = set()
        for e in events.since(user, 0):
            p = e.payload
            code = next(c for c in mon.sensors if f'"{c}"' in p)
            out.add((e.kind, code))
        return out

    west = seen(u.west_officer)
    assert west and all(code.startswith("west") for _k, code in west)
    assert ("alarm", "west_gas") in west and ("values", "west_gas") in west
    east = seen(u.east_officer)
    assert ("alarm", "east_gas") in east and ("values", "east_level") in east
    assert not any(code.startswith("west") for _k, code in east)
    mgr = seen(u.east_manager)
    assert mgr and {code for _k, code in mgr} == {"east_gas"}
    assert ("values", "east_gas") in mgr
    everything = seen(u.viewer)
    assert everything == seen(u.staff) and everything >= west | east
    assert events.since(None, 0) == []
    last = max(e.id for e in events.since(u.staff, 0))
    assert events.since(u.staff, last) == []


def test_events_pruned(mon: Any, feed: Any) -> None:
    feed("west_gas", [1.0])
    assert Event.objects.exists()
    assert events.prune(keep_s=3600) == 0
    assert events.prune(keep_s=-1) > 0
    assert not Event.objects.exists()


def test_periodic_jobs(mon: Any, rule: Any) -> None:
    from cityguard.monitoring import tasks

    rule(name="silent", kind="no_data", sensor_kind="smoke")
    assert tasks.no_data_check.call_local() == {"opened": 0, "offline": 0}
    assert tasks.prune_events.call_local() == 0


def test_readings_deleted_keeps_the_counter(mon: Any, feed: Any) -> None:
    feed("west_gas", [1.0, 2.0, 3.0])
    services.readings_deleted({mon.west_gas.pk: 2})
    assert Sensor.objects.get(code="west_gas").reading_count == 1


def test_changing_a_rule_forgets_its_pending_state(mon: Any, feed: Any, rule: Any) -> None:
    from cityguard.monitoring.models import RuleState

    r = rule(condition={"op": ">", "value": 10}, for_seconds=600)
    feed("west_gas", [20])
    assert RuleState.objects.filter(rule=r).exists()
    services.save_rule(mon.users.staff, {"for_seconds": 0}, r)
    assert not RuleState.objects.filter(rule=r).exists()
    feed("west_gas", [20], start=mon.t0 + 60_000)
    assert Alarm.objects.get().first_ts == mon.t0 + 60_000
