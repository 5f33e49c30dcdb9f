"""The ingestion pipeline: storage, de-duplication, aggregates, rule semantics, alarms."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import orjson
import pytest
from django.utils import timezone, translation

from cityguard.monitoring import pipeline, services
from cityguard.monitoring.models import (
    Aggregate,
    Alarm,
    AlarmEvent,
    DeadLetter,
    Event,
    Reading,
    RuleState,
    Sensor,
)

pytestmark = pytest.mark.django_db

MIN = 60_000


def sensor(code: str) -> Sensor:
    return Sensor.objects.get(code=code)


def only_alarm(**kw: Any) -> Alarm:
    alarms = list(Alarm.objects.filter(**kw))
    assert len(alarms) == 1, alarms
    return alarms[0]


# --- storage, duplicates, aggregates ---------------------------------------------------


def test_readings_stored_with_sensor_state(mon: Any, feed: Any) -> None:
    result = feed("west_gas", [1.0, 2.0, 3.5])
    assert result.as_dict() == {"accepted": 3, "duplicates": 0, "rejected": []}
    assert Reading.objects.count() == 3
    s = sensor("west_gas")
    assert s.last_ts == mon.t0 + 2 * MIN and s.last_value == 3.5
    assert s.reading_count == 3 and s.last_seen_at is not None and s.state == "normal"


def test_duplicates_in_batch_and_across_batches(mon: Any, feed: Any) -> None:
    items = [
        {"sensor": "west_gas", "ts": mon.t0, "value": 1.0},
        {"sensor": "west_gas", "ts": mon.t0, "value": 1.0},
        {"sensor": "east_gas", "ts": mon.t0, "value": 1.0},
    ]
    r = pipeline.ingest(items, source="http")
    assert (r.accepted, r.duplicates) == (2, 1)
    r = pipeline.ingest(items, source="http")
    assert (r.accepted, r.duplicates) == (0, 3)
    # An older reading that was never stored is new, even behind the sensor's last one.
    r = feed("west_gas", [5.0], start=mon.t0 - MIN)
    assert (r.accepted, r.duplicates) == (1, 0)
    assert Reading.objects.count() == 3
    assert sensor("west_gas").reading_count == 2
    assert sensor("west_gas").last_ts == mon.t0  # a late reading leaves the last one alone


def test_late_readings_are_matched_by_sensor_and_time_both(mon: Any, feed: Any) -> None:
    feed("west_gas", [1.0, 2.0, 3.0])
    feed("east_gas", [4.0], start=mon.t0 + 2 * MIN)
    # All three lie behind their sensor's last reading; east's shares its time with a
    # stored west reading but is itself new.
    late = [
        {"sensor": "west_gas", "ts": mon.t0, "value": 1.0},
        {"sensor": "east_gas", "ts": mon.t0, "value": 7.0},
        {"sensor": "west_gas", "ts": mon.t0 + MIN, "value": 2.0},
    ]
    r = pipeline.ingest(late, source="http")
    assert (r.accepted, r.duplicates) == (1, 2)
    assert Reading.objects.get(sensor=sensor("east_gas"), ts=mon.t0).value == 7.0
    assert Reading.objects.count() == 5


def test_iso_timestamps_with_offset(mon: Any) -> None:
    at = dt.datetime.fromtimestamp(mon.t0 / 1000, tz=dt.UTC)
    local = at.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    z = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    r = pipeline.ingest(
        [
            {"sensor": "west_gas", "ts": local, "value": 1},
            {"sensor": "west_gas", "ts": z, "value": 1},
            {"sensor": "west_gas", "ts": mon.t0, "value": 1},
        ],
        source="http",
    )
    assert (r.accepted, r.duplicates) == (1, 2)
    assert Reading.objects.get().ts == mon.t0


def test_aggregates_minute_and_hour(mon: Any, feed: Any) -> None:
    feed("west_gas", [1.0, 3.0, 2.0], step_s=20)  # one minute: 0, 20, 40 s
    feed("west_gas", [6.0], start=mon.t0 + MIN)
    feed("west_gas", [0.5], start=mon.t0 + 50_000)  # late, same first minute
    minute = Aggregate.objects.get(sensor=mon.west_gas, period="m", start=mon.t0)
    assert (minute.count, minute.vmin, minute.vmax, minute.vsum) == (4, 0.5, 3.0, 6.5)
    hour_start = mon.t0 - mon.t0 % 3_600_000
    hours = Aggregate.objects.filter(sensor=mon.west_gas, period="h")
    assert sum(h.count for h in hours) == 5
    if mon.t0 + MIN < hour_start + 3_600_000:
        h = hours.get(start=hour_start)
        assert (h.vmin, h.vmax, h.vsum) == (0.5, 6.0, 12.5)


# --- bad input -------------------------------------------------------------------------


def test_each_bad_reading_is_a_dead_letter_and_good_ones_are_kept(mon: Any) -> None:
    services.save_sensor(mon.users.admin, {"enabled": False}, sensor("east_level"))
    future = int(timezone.now().timestamp() * 1000) + 3_600_000
    items: list[Any] = [
        {"sensor": "west_gas", "ts": mon.t0, "value": 1.0},  # good
        "not an object",
        {"sensor": "west_gas", "value": 1.0},  # no ts
        {"sensor": "west_gas", "ts": mon.t0, "value": "1.0"},  # text value
        {"sensor": "west_gas", "ts": mon.t0, "value": True},  # bool value
        {"sensor": ["west_gas"], "ts": mon.t0, "value": 1.0},  # code not text
        {"sensor": "west_gas", "ts": mon.t0, "value": math.nan},
        {"sensor": "west_gas", "ts": mon.t0, "value": math.inf},
        {"sensor": "nope", "ts": mon.t0, "value": 1.0},
        {"sensor": "east_level", "ts": mon.t0, "value": 1.0},  # disabled
        {"sensor": "west_gas", "ts": future, "value": 1.0},
        {"sensor": "west_gas", "ts": 900_000_000_000, "value": 1.0},  # 1998
        {"sensor": "west_gas", "ts": "2026-01-01T00:00:00", "value": 1.0},  # no offset
        {"sensor": "west_gas", "ts": "yesterday", "value": 1.0},
        {"sensor": "west_gas", "ts": 1.5e12, "value": 1.0},  # float ms
        {"sensor": "east_gas", "ts": mon.t0, "value": 2},  # good (int value)
    ]
    with translation.override("en"):
        r = pipeline.ingest(items, source="http", topic="")
    assert r.accepted == 2
    reasons = dict(r.rejected)
    assert sorted(reasons) == list(range(1, 15))
    assert "object" in reasons[1]
    assert "ts" in reasons[2]
    assert "number" in reasons[3] and "number" in reasons[4]
    assert "text" in reasons[5]
    assert "finite" in reasons[6] and "finite" in reasons[7]
    assert "nope" in reasons[8]
    assert "disabled" in reasons[9]
    assert "future" in reasons[10]
    assert "2000" in reasons[11]
    assert "offset" in reasons[12]
    assert "ISO 8601" in reasons[13] and "ISO 8601" in reasons[14]
    dead = {d.index or 0: d for d in DeadLetter.objects.all()}
    assert sorted(dead) == list(range(1, 15))
    assert dead[8].sensor_code == "nope" and dead[8].source == "http"
    assert orjson.loads(dead[8].payload) == {"sensor": "nope", "ts": mon.t0, "value": 1.0}
    assert dead[1].payload == '"not an object"'


def test_reasons_in_chinese(mon: Any) -> None:
    with translation.override("zh-hans"):
        r = pipeline.ingest([{"sensor": "nope", "ts": mon.t0, "value": 1}], source="http")
    assert r.rejected[0][1] == "没有编码为 nope 的传感器。"


def test_new_sensor_is_seen_at_once(mon: Any, feed: Any) -> None:
    feed("west_gas", [1.0])  # the cache is warm now
    services.save_sensor(
        mon.users.admin,
        {"code": "fresh", "kind": "smoke", "lon": 121.51, "lat": 31.27},
    )
    assert feed("fresh", [1.0]).accepted == 1


# --- MQTT ------------------------------------------------------------------------------


def test_mqtt_messages_each_get_a_result(mon: Any) -> None:
    t = mon.t0
    big = b"[" + b" " * 300_000 + b"]"
    msgs = [
        ("readings/west_gas", orjson.dumps({"ts": t, "value": 1.0})),
        (
            "readings/west_gas",
            orjson.dumps([{"ts": t + MIN, "value": 2.0}, {"ts": "x", "value": 1}]),
        ),
        ("readings", orjson.dumps([{"sensor": "east_gas", "ts": t, "value": 3.0}])),
        ("readings", orjson.dumps({"sensor": "east_level", "ts": t, "value": 0.1})),
        ("readings/west_gas", b"{not json"),
        ("readings/west_gas", b"\xff\xfe\x00"),
        ("readings/west_gas", big),
        ("readings/west_gas", b"42"),
        ("other/topic", orjson.dumps({"ts": t, "value": 1.0})),
        ("readings/west_gas", orjson.dumps({"ts": t, "value": 1.0})),  # re-delivery
        ("readings", orjson.dumps([{"ts": t, "value": 1.0}])),  # no sensor
    ]
    with translation.override("en"):
        results = pipeline.ingest_mqtt(msgs)
    got = [(r.accepted, r.duplicates, len(r.rejected)) for r in results]
    assert got == [
        (1, 0, 0),
        (1, 0, 1),
        (1, 0, 0),
        (1, 0, 0),
        (0, 0, 1),
        (0, 0, 1),
        (0, 0, 1),
        (0, 0, 1),
        (0, 0, 1),
        (0, 1, 0),
        (0, 0, 1),
    ]
    reasons = [r.rejected[0][1] for r in results[4:9]]
    assert "JSON" in reasons[0] and "UTF-8" in reasons[1] and "larger" in reasons[2]
    assert "list" in reasons[3] and "topic" in reasons[4]
    assert Reading.objects.count() == 4
    dl = DeadLetter.objects.filter(source="mqtt")
    assert dl.count() == 7
    oversized = dl.get(reason__contains="larger")
    assert len(oversized.payload) <= 65_536 and oversized.topic == "readings/west_gas"
    item = dl.get(index=1, topic="readings/west_gas")
    assert item.sensor_code == "west_gas"


# --- rules -----------------------------------------------------------------------------


def test_threshold_opens_extends_and_clears(mon: Any, feed: Any, rule: Any) -> None:
    rule(name="gas", severity="major", condition={"op": ">=", "value": 10})
    feed("west_gas", [5, 12, 15])
    a = only_alarm()
    assert a.state == "active" and a.severity == "major" and a.threshold == 10
    assert a.first_ts == mon.t0 + MIN and a.peak_value == 15 and a.repeats == 1
    assert sensor("west_gas").state == "alarm"
    # A repeat in the next batch extends the same alarm.
    feed("west_gas", [11, 20, 13], start=mon.t0 + 3 * MIN)
    a = only_alarm()
    assert a.is_open and a.peak_value == 20 and a.last_value == 13 and a.repeats == 4
    assert a.last_ts == mon.t0 + 5 * MIN
    # It clears when the condition stops holding.
    feed("west_gas", [4], start=mon.t0 + 6 * MIN)
    a = only_alarm()
    assert a.state == "cleared" and not a.is_open
    assert a.cleared_at == dt.datetime.fromtimestamp((mon.t0 + 6 * MIN) / 1000, tz=dt.UTC)
    assert sensor("west_gas").state == "normal"
    kinds = list(AlarmEvent.objects.values_list("kind", flat=True))
    assert kinds == ["opened", "cleared"]
    # A new excursion is a new alarm.
    feed("west_gas", [30], start=mon.t0 + 7 * MIN)
    assert Alarm.objects.count() == 2 and Alarm.objects.filter(is_open=True).count() == 1


def test_low_threshold_peak_is_the_lowest(mon: Any, feed: Any, rule: Any) -> None:
    rule(sensor_kind="water_pressure", condition={"op": "<", "value": 0.15})
    feed("west_pressure", [0.3, 0.12, 0.08, 0.1])
    a = only_alarm()
    assert a.peak_value == 0.08 and a.last_value == 0.1


def test_hysteresis(mon: Any, feed: Any, rule: Any) -> None:
    rule(condition={"op": ">", "value": 10}, clear_condition={"op": "<", "value": 8})
    feed("west_gas", [11, 9, 9.5])
    assert only_alarm().is_open
    feed("west_gas", [7.5], start=mon.t0 + 3 * MIN)
    assert not only_alarm().is_open


def test_duration_in_reading_time_across_batches(mon: Any, feed: Any, rule: Any) -> None:
    rule(condition={"op": ">", "value": 10}, for_seconds=120)
    feed("west_gas", [11, 12])  # 0 and 60 s: held 60 s only
    assert not Alarm.objects.exists()
    assert RuleState.objects.get().pending_since == mon.t0
    feed("west_gas", [13], start=mon.t0 + 2 * MIN)  # held 120 s
    a = only_alarm()
    assert a.first_ts == mon.t0 + 2 * MIN
    # A dip resets the duration.
    feed("west_gas", [5, 11, 11], start=mon.t0 + 3 * MIN)
    assert not only_alarm().is_open


def test_sensor_rule_overrides_kind_rule(mon: Any, feed: Any, rule: Any) -> None:
    rule(name="kind", condition={"op": ">", "value": 10})
    rule(name="own", sensor="west_gas", condition={"op": ">", "value": 40})
    feed("west_gas", [20])
    feed("east_gas", [20])
    assert only_alarm().sensor.code == "east_gas"
    feed("west_gas", [45], start=mon.t0 + MIN)
    assert Alarm.objects.get(sensor__code="west_gas").rule.name == "own"


def test_higher_severity_escalates_the_open_alarm(
    mon: Any, feed: Any, rule: Any, django_capture_on_commit_callbacks: Any
) -> None:
    rule(name="warn", severity="warning", condition={"op": ">=", "value": 10})
    rule(name="crit", severity="critical", condition={"op": ">=", "value": 50})
    with django_capture_on_commit_callbacks(execute=True):
        feed("west_gas", [12])
    with django_capture_on_commit_callbacks(execute=True):
        feed("west_gas", [55, 30], start=mon.t0 + MIN)
    a = only_alarm()
    assert a.severity == "critical" and a.rule.name == "crit" and a.threshold == 50
    assert a.peak_value == 55 and a.is_open
    kinds = list(a.events.values_list("kind", flat=True))
    assert kinds.count("escalated") == 1 and kinds.count("opened") == 1
    assert kinds.count("notified") == 2
    # Falling below every rule clears it; it never de-escalates on its own.
    feed("west_gas", [3], start=mon.t0 + 3 * MIN)
    a = only_alarm()
    assert not a.is_open and a.severity == "critical"


def test_context_tightens_threshold_until_released(mon: Any, feed: Any, rule: Any) -> None:
    rule(sensor_kind="water_level", condition={"op": ">", "value": 1.0})
    feed("west_level", [0.9])
    assert not Alarm.objects.exists()
    ctx = services.set_context(
        mon.users.staff,
        street=mon.district.west,
        sensor_kind="water_level",
        tighten=0.2,
        reason="rainstorm",
        starts_at=timezone.now() - dt.timedelta(hours=2),
    )
    feed("west_level", [0.9], start=mon.t0 + MIN)
    feed("east_level", [0.9], start=mon.t0 + MIN)  # the other street is not tightened
    a = only_alarm()
    assert a.sensor.code == "west_level" and a.threshold == pytest.approx(0.8)
    services.clear(mon.users.staff, a)
    services.release_context(mon.users.staff, ctx)
    feed("west_level", [0.9], start=mon.t0 + 2 * MIN)
    assert Alarm.objects.filter(is_open=True).count() == 0


def test_context_not_sensitive_rule_is_not_tightened(mon: Any, feed: Any, rule: Any) -> None:
    rule(sensor_kind="water_level", condition={"op": ">", "value": 1.0}, context_sensitive=False)
    services.set_context(
        mon.users.staff,
        street=mon.district.west,
        sensor_kind="water_level",
        tighten=0.2,
        reason="rainstorm",
        starts_at=timezone.now() - dt.timedelta(hours=2),
    )
    feed("west_level", [0.9])
    assert not Alarm.objects.exists()


def test_context_applies_from_its_start_in_reading_time(mon: Any, feed: Any, rule: Any) -> None:
    rule(sensor_kind="water_level", condition={"op": ">", "value": 1.0})
    services.set_context(
        mon.users.staff,
        street=mon.district.west,
        sensor_kind="water_level",
        tighten=0.2,
        reason="rainstorm",
        starts_at=dt.datetime.fromtimestamp((mon.t0 + 2 * MIN) / 1000, tz=dt.UTC),
    )
    feed("west_level", [0.9, 0.9, 0.9])  # at 0, 1, 2 minutes
    assert only_alarm().first_ts == mon.t0 + 2 * MIN


def test_rate_of_change_uses_stored_readings(mon: Any, feed: Any, rule: Any) -> None:
    rule(
        kind="rate",
        sensor_kind="water_level",
        condition={"op": ">", "value": 0.2},
        window_s=120,
    )
    feed("west_level", [0.10, 0.15])
    assert not Alarm.objects.exists()
    # 0.4 at 2 min: 0.4 − 0.10 (the reading 120 s before, stored) = 0.3 > 0.2
    feed("west_level", [0.4], start=mon.t0 + 2 * MIN)
    a = only_alarm()
    assert a.first_ts == mon.t0 + 2 * MIN and a.last_value == 0.4


def test_rate_window_is_kept_in_the_rule_state(mon: Any, feed: Any, rule: Any) -> None:
    from cityguard.monitoring.pipeline import _unpack

    r = rule(
        kind="rate",
        sensor_kind="water_level",
        condition={"op": ">", "value": 0.2},
        window_s=120,
    )
    level = sensor("west_level")

    def window() -> list[tuple[int, float]]:
        t, v = _unpack(RuleState.objects.get(sensor=level, rule_id=r.pk).recent)
        return list(zip(((t - mon.t0) // MIN).tolist(), v.tolist(), strict=True))

    feed("west_level", [0.10, 0.15])
    assert window() == [(0, 0.10), (1, 0.15)]
    # The next batch takes its history from the state, not from the readings table.
    Reading.objects.all().delete()
    feed("west_level", [0.4], start=mon.t0 + 2 * MIN)
    assert only_alarm().last_value == 0.4
    assert window() == [(0, 0.10), (1, 0.15), (2, 0.4)]
    # Only what lies within the window of the latest reading stays.
    feed("west_level", [0.41], start=mon.t0 + 5 * MIN)
    assert window() == [(5, 0.41)]
    # Editing the rule forgets the state; the readings table is read again, once.
    services.save_rule(mon.users.staff, {"window_s": 600}, r)
    assert not RuleState.objects.filter(rule_id=r.pk).exists()
    feed("west_level", [0.42], start=mon.t0 + 6 * MIN)
    assert window() == [(2, 0.4), (5, 0.41), (6, 0.42)]


def test_no_data_opens_offline_alarm_and_a_reading_clears_it(
    mon: Any, feed: Any, rule: Any
) -> None:
    rule(name="silent", kind="no_data", sensor_kind="water_pressure", no_data_factor=3)
    feed("west_pressure", [0.3])
    later = dt.datetime.fromtimestamp(mon.t0 / 1000, tz=dt.UTC) + dt.timedelta(minutes=2)
    assert pipeline.check_no_data(later) == {"opened": 0, "offline": 0}
    later += dt.timedelta(minutes=2)  # 4 min > 3 × 60 s
    assert pipeline.check_no_data(later) == {"opened": 1, "offline": 1}
    assert pipeline.check_no_data(later) == {"opened": 0, "offline": 0}  # once
    a = only_alarm()
    assert a.rule.kind == "no_data" and a.is_open
    assert sensor("west_pressure").state == "offline"
    assert Event.objects.filter(kind="sensor", payload__contains='"offline"').exists()
    feed("west_pressure", [0.3], start=mon.t0 + 5 * MIN)
    a = only_alarm()
    assert not a.is_open and a.state == "cleared"
    assert list(a.events.values_list("kind", flat=True)) == ["opened", "cleared"]
    assert a.history.first().state == "cleared"
    assert (
        orjson.loads(Event.objects.filter(kind="alarm").order_by("-id")[0].payload)["state"]
        == "cleared"
    )
    assert sensor("west_pressure").state == "normal"


def test_one_open_alarm_per_sensor_under_repeats(mon: Any, feed: Any, rule: Any) -> None:
    rule(condition={"op": ">", "value": 10})
    for k in range(5):
        feed("west_gas", [20 + k], start=mon.t0 + k * MIN)
    a = only_alarm()
    assert a.repeats == 4 and a.peak_value == 24
    assert a.events.filter(kind="opened").count() == 1


def test_live_events_for_state_and_values(mon: Any, feed: Any, rule: Any) -> None:
    rule(condition={"op": ">", "value": 10})
    feed("west_gas", [20])
    kinds = list(Event.objects.values_list("kind", flat=True))
    assert "alarm" in kinds and "sensor" in kinds and "values" in kinds
    values = Event.objects.filter(kind="values", organization_id_ref__isnull=True).get()
    assert values.path == mon.district.west.path
    assert orjson.loads(values.payload) == {"values": [["west_gas", mon.t0, 20.0]]}
    alarm = orjson.loads(Event.objects.get(kind="alarm").payload)
    assert alarm["sensor"] == "west_gas" and alarm["state"] == "active"
    assert set(alarm) >= {
        "id", "sensor", "lon", "lat", "rule", "severity", "state", "opened_at",
        "cleared_at", "peak_value", "last_value",
    }  # fmt: skip


def test_values_events_are_capped(mon: Any, settings: Any) -> None:
    settings.CITYGUARD_MONITORING_VALUES_CAP = 2
    items = [
        {"sensor": c, "ts": mon.t0, "value": 1.0}
        for c in ("west_gas", "west_level", "west_pressure")
    ]
    pipeline.ingest(items, source="http")
    ev = Event.objects.filter(kind="values", organization_id_ref__isnull=True)
    sizes = sorted(len(orjson.loads(e.payload)["values"]) for e in ev)
    assert sizes == [1, 2]


def test_nul_characters_are_stored_visibly(mon: Any) -> None:
    # PostgreSQL text cannot hold NUL: dead letters show it as \u0000 on both databases.
    r = pipeline.ingest([{"sensor": "a\x00b", "ts": mon.t0, "value": 1}], source="http")
    assert len(r.rejected) == 1
    results = pipeline.ingest_mqtt([("readings/x\x00", b"\x00{"), ("readings", b'"\x00"')])
    assert [len(x.rejected) for x in results] == [1, 1]
    codes = list(DeadLetter.objects.values_list("sensor_code", "topic", "payload"))
    assert all("\x00" not in "".join(row) for row in codes)
    assert ("a\\u0000b", "", '{"sensor":"a\\u0000b","ts":%d,"value":1}' % mon.t0) in codes


def test_a_batch_before_any_sensor_exists_is_refused_reading_by_reading(db: Any) -> None:
    from cityguard.monitoring import pipeline as pl

    pl.invalidate()
    result = pl.ingest([{"sensor": "", "ts": "2000-01-01T00:00:00Z", "value": 0}], source="http")
    assert result.accepted == 0 and [i for i, _r in result.rejected] == [0]
