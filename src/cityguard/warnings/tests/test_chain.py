"""The disaster chain: an issued rainstorm warning tightens the water-level rule in its
streets, so 0.9 m alarms under a 1.0 m threshold; when the warning expires the context is
released, the next 0.9 m reading does not alarm and the earlier alarm clears."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from cityguard.monitoring import pipeline
from cityguard.monitoring import services as monitoring
from cityguard.monitoring.models import Alarm, RuleContext
from cityguard.warnings import services


def _reading(value: float, step: int) -> dict[str, Any]:
    return {"sensor": "WL-W-01", "ts": int(time.time() * 1000) + step * 1000, "value": value}


def test_rainstorm_tightens_and_expiry_releases(issued: Any, users: Any, district: Any) -> None:
    monitoring.save_sensor(
        users.admin,
        {"code": "WL-W-01", "kind": "water_level", "lon": 121.51, "lat": 31.28},
    )
    monitoring.save_rule(
        users.admin,
        {
            "name": "积水 > 1.0 m",
            "sensor": "WL-W-01",
            "severity": "major",
            "condition": {"op": ">", "value": 1.0},
        },
    )
    pipeline.ingest([_reading(0.9, 0)], source="http")
    assert not Alarm.objects.filter(is_open=True).exists()

    warning = issued(streets=[district.west.code])  # rainstorm, yellow: tighten 0.2
    contexts = RuleContext.objects.filter(source=f"warning:{warning.pk}")
    assert [(c.street_id, c.sensor_kind, c.tighten) for c in contexts] == [
        (district.west.pk, "water_level", 0.2)
    ]
    assert contexts[0].ends_at == warning.expires

    pipeline.ingest([_reading(0.9, 1)], source="http")
    alarm = Alarm.objects.get(is_open=True)
    assert alarm.threshold is not None and abs(alarm.threshold - 0.8) < 1e-9

    assert services.expire_due(now=warning.expires + timedelta(seconds=1)) == 1
    warning.refresh_from_db()
    assert warning.state == "expired"
    assert warning.events.filter(kind="expired").exists()
    assert not RuleContext.objects.filter(
        source=f"warning:{warning.pk}", released_at__isnull=True
    ).exists()

    pipeline.ingest([_reading(0.9, 2)], source="http")
    assert not Alarm.objects.filter(is_open=True).exists()


def test_update_resets_contexts_and_cancel_releases(
    issued: Any, users: Any, district: Any, django_capture_on_commit_callbacks: Any
) -> None:
    warning = issued(kind="typhoon", colour="blue", streets=[district.west.code])
    live = RuleContext.objects.filter(source=f"warning:{warning.pk}", released_at__isnull=True)
    # blue scales the typhoon amounts by 0.5: water level 0.3 → 0.15, tilt 1.0 → 0.5
    assert sorted((c.sensor_kind, c.tighten) for c in live) == [
        ("tilt", 0.5),
        ("water_level", 0.15),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.update(
            users.staff,
            warning,
            {"colour": "red", "streets": [district.west.code, district.east.code]},
        )
    assert sorted((c.street_id, c.sensor_kind, c.tighten) for c in live.all()) == sorted(
        [
            (s.pk, k, t)
            for s in (district.west, district.east)
            for k, t in (("tilt", 1.0), ("water_level", 0.3))
        ]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(users.staff, warning, "台风转向")
    assert not live.all().exists()
    # A type with no chain entry sets nothing.
    fog = issued(kind="fog", colour="red")
    assert not RuleContext.objects.filter(source=f"warning:{fog.pk}").exists()
