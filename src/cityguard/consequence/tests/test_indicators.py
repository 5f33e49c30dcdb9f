"""Indicators on a small known set of runs."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from django.utils import timezone

from cityguard.consequence import indicators, services
from cityguard.consequence.models import ThreatZoneRun

from .conftest import ZONE


def test_counts_and_largest_zone(district: Any, users: SimpleNamespace) -> None:
    west = services.run_threat_zone(users.admin, **{**ZONE, "lon": 121.51})
    east = services.run_threat_zone(
        users.admin, **{**ZONE, "lon": 121.55, "release_rate_g_s": 4000}
    )
    old = services.run_threat_zone(users.admin, **{**ZONE, "lon": 121.52})
    ThreatZoneRun.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40)
    )
    assert indicators.runs_count() == 2
    assert indicators.runs_count(days=None) == 3
    assert indicators.runs_count(users.viewer, district.west.code) == 1
    assert indicators.runs_count(None, district.east.code) == 1
    assert indicators.runs_count(None, "nope") == 0
    east_area = max(f["properties"]["area_m2"] for f in east.geojson["features"])
    west_area = max(f["properties"]["area_m2"] for f in west.geojson["features"])
    assert east_area > west_area > 0
    assert indicators.largest_zone_area_m2() == east_area
    assert indicators.largest_zone_area_m2(None, district.west.code) == west_area
    assert indicators.largest_zone_area_m2(None, district.west.code, days=None) >= west_area
