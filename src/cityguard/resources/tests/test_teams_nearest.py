"""Teams' status, shelters, and nearest resources against a brute-force ranking."""

from __future__ import annotations

import random

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from cityguard.core import geo
from cityguard.resources import config, services
from cityguard.resources.models import Team

from .conftest import stock

pytestmark = pytest.mark.django_db


def test_double_dispatch_refused(res, users):
    services.set_team_status(users.admin, res.west_team, "dispatched", reason="INC-1")
    with pytest.raises(ValidationError) as exc, translation.override("en"):
        services.set_team_status(users.admin, res.west_team, "dispatched")
    assert "already dispatched" in str(exc.value)
    assert exc.value.error_dict["status"][0].code == "already_dispatched"
    team = Team.objects.get(pk=res.west_team.pk)
    assert team.status == "dispatched" and team.status_reason == "INC-1"
    services.set_team_status(users.admin, team, "available")
    assert Team.objects.get(pk=team.pk).status == "available"
    assert team.history.count() >= 3


def test_team_status_scoped_and_checked(res, users):
    with pytest.raises(PermissionDenied):
        services.set_team_status(users.west_officer, res.east_team, "dispatched")
    with pytest.raises(ValidationError):
        services.set_team_status(users.admin, res.east_team, "flying")
    assert Team.objects.get(pk=res.east_team.pk).status == "available"


def test_nearest_teams_skip_dispatched(res, users):
    found = services.nearest(users.admin, lon=121.50, lat=31.27, kind="team", k=5)
    assert [f["id"] for f in found] == [res.west_team.pk, res.east_team.pk]
    first = found[0]
    assert set(first) >= {"kind", "id", "name", "lon", "lat", "distance_m", "travel_min"}
    services.set_team_status(users.admin, res.west_team, "dispatched")
    found = services.nearest(users.admin, lon=121.50, lat=31.27, kind="team")
    assert [f["id"] for f in found] == [res.east_team.pk]


def test_travel_time(res, users, settings):
    settings.CITYGUARD_RESOURCES_SPEED_KMH = {"team": 30}
    settings.CITYGUARD_RESOURCES_DETOUR = 1.5
    assert config.travel_minutes(1000, "team") == pytest.approx(3.0)
    f = services.nearest(users.admin, lon=121.505, lat=31.28, kind="team", k=1)[0]
    expected = geo.haversine_m(121.505, 31.28, 121.505, 31.27)
    assert f["distance_m"] == pytest.approx(expected, abs=0.1)
    assert f["travel_min"] == pytest.approx(expected * 1.5 / 500, abs=0.05)


def test_nearest_warehouse_with_material(res, users):
    stock(res.east_wh, res.tent, 4)
    found = services.nearest(
        users.admin, lon=121.51, lat=31.28, kind="warehouse", material=res.tent
    )
    assert [f["id"] for f in found] == [res.east_wh.pk]
    assert found[0]["quantity"] == 4
    assert len(services.nearest(users.admin, lon=121.51, lat=31.28, kind="warehouse")) == 2
    services.issue_stock(None, warehouse=res.east_wh, material=res.tent, quantity=4)
    assert (
        services.nearest(users.admin, lon=121.51, lat=31.28, kind="warehouse", material=res.tent)
        == []
    )


def test_nearest_shelters_with_free_capacity(res, users):
    found = services.nearest(users.admin, lon=121.52, lat=31.30, kind="shelter")
    assert found[0]["id"] == res.west_shelter.pk and found[0]["free_capacity"] == 500
    assert found[1]["free_capacity"] == 1900
    services.set_shelter_occupancy(users.admin, res.west_shelter, 500, status="open")
    found = services.nearest(users.admin, lon=121.52, lat=31.30, kind="shelter")
    assert [f["id"] for f in found] == [res.east_shelter.pk]
    with pytest.raises(ValidationError):
        services.set_shelter_occupancy(users.admin, res.east_shelter, 2001)


def test_nearest_is_scoped(res, users):
    found = services.nearest(users.west_officer, lon=121.55, lat=31.27, kind="team")
    assert [f["id"] for f in found] == [res.west_team.pk]
    assert services.nearest(users.west_manager, lon=121.55, lat=31.27, kind="team") == []


def test_nearest_bad_input(res, users):
    for kwargs in (
        {"kind": "boat"},
        {"kind": "team", "k": 0},
        {"kind": "team", "k": 1000},
        {"kind": "team", "material": res.tent},
        {"kind": "team", "lon": 200},
    ):
        args = {"lon": 121.5, "lat": 31.3, **kwargs}
        with pytest.raises(ValidationError):
            services.nearest(users.admin, **args)


def test_candidates_match_brute_force_large():
    """The indexed path (above 256 candidates) ranks exactly as a full haversine sort."""
    rnd = random.Random(7)
    n = 3000
    lons = np.array([121.45 + rnd.random() * 0.2 for _ in range(n)])
    lats = np.array([31.22 + rnd.random() * 0.15 for _ in range(n)])
    cand = services.Candidates(
        ids=np.arange(n), lons=lons, lats=lats, extra=[{"name": str(i)} for i in range(n)]
    )
    assert cand.index is not None
    for _ in range(50):
        lon, lat = 121.4 + rnd.random() * 0.3, 31.2 + rnd.random() * 0.2
        got = cand.nearest(lon, lat, 7)
        d = geo.haversine_m(lon, lat, lons, lats)
        want = np.sort(d)[:7]
        assert np.allclose([g[1] for g in got], want)
        assert [g[0] for g in got] == [int(i) for i in np.argsort(d)[:7]] or np.allclose(
            d[[g[0] for g in got]], want
        )


def test_cache_follows_writes(res, users):
    services.nearest(users.admin, lon=121.5, lat=31.27, kind="team")
    t = services.save_team(
        users.admin, {"name": "新队", "kind": "professional", "lon": 121.5001, "lat": 31.2701}
    )
    found = services.nearest(users.admin, lon=121.5, lat=31.27, kind="team", k=1)
    assert found[0]["id"] == t.pk
