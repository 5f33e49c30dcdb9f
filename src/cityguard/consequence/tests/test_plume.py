"""The Gaussian plume: Briggs σ, the formula, the class helper, validation and zones."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely

from cityguard.consequence import plume

# (terrain, class, x) → (σy, σz), worked by hand from the reference table:
# e.g. rural D at 1000 m: σy = 0.08·1000/√1.1 = 76.277, σz = 0.06·1000/√2.5 = 37.947.
SIGMAS = [
    ("rural", "A", 100, 21.8908, 20.0),
    ("rural", "A", 1000, 209.762, 200.0),
    ("rural", "D", 100, 7.96030, 5.59503),
    ("rural", "D", 1000, 76.2770, 37.9473),
    ("rural", "F", 100, 3.98015, 1.55340),
    ("rural", "F", 1000, 38.1385, 12.3077),
    ("urban", "A", 100, 31.3786, 25.1714),
    ("urban", "A", 1000, 270.449, 339.411),
    ("urban", "C", 100, 21.5728, 20.0),
    ("urban", "C", 1000, 185.934, 200.0),
    ("urban", "D", 100, 15.6893, 13.7946),
    ("urban", "D", 1000, 135.225, 122.788),
    ("urban", "F", 100, 10.7864, 7.46004),
    ("urban", "F", 1000, 92.9670, 50.5964),
]


@pytest.mark.parametrize(("terrain", "cls", "x", "sy", "sz"), SIGMAS)
def test_briggs_sigmas(terrain: str, cls: str, x: float, sy: float, sz: float) -> None:
    got_y, got_z = plume.sigmas(x, cls, terrain)
    assert float(got_y) == pytest.approx(sy, rel=1e-4)
    assert float(got_z) == pytest.approx(sz, rel=1e-4)


def test_issue_example_by_hand() -> None:
    # 100 g/s, 7 m/s, class D rural, H = 90 m, receptor (1500, 0, 0).
    sy = 0.08 * 1500 / math.sqrt(1 + 0.0001 * 1500)  # 111.90 m
    sz = 0.06 * 1500 / math.sqrt(1 + 0.0015 * 1500)  # 49.92 m
    # At z = 0 both reflection terms equal exp(−H²/2σz²).
    expected = 100 / (2 * math.pi * sy * sz * 7) * 2 * math.exp(-(90**2) / (2 * sz**2))
    assert expected == pytest.approx(1.6028e-4, rel=1e-3)
    got = plume.concentrations(100, 7, "D", 90, "rural", [1500], [0], [0])
    assert got[0] == pytest.approx(expected, rel=1e-9)


def test_symmetric_in_y_and_zero_upwind() -> None:
    y = np.array([-300.0, -50.0, 0.0, 50.0, 300.0])
    c = plume.concentrations(50, 3, "C", 10, "urban", 800, y, 1.5)
    assert c[0] == pytest.approx(c[4]) and c[1] == pytest.approx(c[3])
    assert c[2] > c[1] > c[0] > 0
    up = plume.concentrations(50, 3, "C", 10, "urban", [-100, 0, 100], 0, 0)
    assert up[0] == 0 and up[1] == 0 and up[2] > 0


def test_ground_reflection_doubles_ground_centreline_for_ground_release() -> None:
    x = np.array([100.0, 500.0, 2000.0])
    with_reflection = plume.concentrations(10, 2, "E", 0, "rural", x, 0, 0)
    sy, sz = plume.sigmas(x, "E", "rural")
    without = 10 / (2 * math.pi * sy * sz * 2)  # the single, unreflected term
    np.testing.assert_allclose(with_reflection, 2 * without, rtol=1e-12)


def test_concentration_scales_with_rate_and_inverse_wind() -> None:
    a = plume.concentrations(10, 2, "D", 20, "rural", 1000, 0, 0)
    b = plume.concentrations(20, 4, "D", 20, "rural", 1000, 0, 0)
    assert a == pytest.approx(b)
    assert plume.concentrations(0, 2, "D", 20, "rural", 1000, 0, 0) == 0


@pytest.mark.parametrize(
    ("u", "daytime", "insolation", "oktas", "expected"),
    [
        (1.5, True, "strong", None, "A"),
        (1.5, True, "moderate", None, "B"),  # A–B → the more stable B
        (1.5, True, "slight", None, "B"),
        (2.0, True, "strong", None, "B"),  # A–B → B (2 m/s is the 2–3 row)
        (2.5, True, "moderate", None, "B"),
        (2.5, True, "slight", None, "C"),
        (4.0, True, "strong", None, "B"),
        (4.0, True, "moderate", None, "C"),  # B–C → C
        (5.5, True, "strong", None, "C"),
        (5.5, True, "moderate", None, "D"),  # C–D → D
        (7.0, True, "strong", None, "C"),
        (7.0, True, "slight", None, "D"),
        (1.0, False, None, 6, "F"),
        (1.0, False, None, 2, "F"),
        (2.5, False, None, 4, "E"),
        (2.5, False, None, 3, "F"),
        (4.0, False, None, 5, "D"),
        (4.0, False, None, 0, "E"),
        (8.0, False, None, 0, "D"),
    ],
)
def test_pasquill_helper(
    u: float, daytime: bool, insolation: str | None, oktas: int | None, expected: str
) -> None:
    got = plume.pasquill_class(u, daytime=daytime, insolation=insolation, cloud_oktas=oktas)
    assert got == expected


def test_pasquill_helper_overcast_and_errors() -> None:
    assert plume.pasquill_class(1.0, daytime=True, insolation="strong", overcast=True) == "D"
    with pytest.raises(plume.PlumeError) as e:
        plume.pasquill_class(3, daytime=True, insolation="bright")
    assert e.value.code == "insolation"
    with pytest.raises(plume.PlumeError) as e:
        plume.pasquill_class(3, daytime=False)
    assert e.value.code == "cloud"
    with pytest.raises(plume.PlumeError) as e:
        plume.pasquill_class(3, daytime=False, cloud_oktas=9)
    assert e.value.code == "cloud"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        ((100, 0, "D", 0, "rural"), "wind_zero"),
        ((100, -2, "D", 0, "rural"), "wind_zero"),
        ((100, 0.3, "D", 0, "rural"), "wind_calm"),
        ((100, 3, "G", 0, "rural"), "stability"),
        ((100, 3, "", 0, "rural"), "stability"),
        ((-1, 3, "D", 0, "rural"), "negative_rate"),
        ((100, 3, "D", -5, "rural"), "negative_height"),
        ((100, 3, "D", 0, "desert"), "terrain"),
        ((float("nan"), 3, "D", 0, "rural"), "not_finite"),
        ((100, float("inf"), "D", 0, "rural"), "not_finite"),
        (("abc", 3, "D", 0, "rural"), "not_number"),
    ],
)
def test_validation(args: tuple, code: str) -> None:
    with pytest.raises(plume.PlumeError) as e:
        plume.concentrations(*args, 100, 0, 0)
    assert e.value.code == code


def test_validation_of_receptors_and_zone_inputs() -> None:
    with pytest.raises(plume.PlumeError) as e:
        plume.concentrations(1, 3, "D", 0, "rural", 100, 0, -1)
    assert e.value.code == "negative_height"
    with pytest.raises(plume.PlumeError) as e:
        plume.threat_zones(1, 3, "D", 0, "rural", 121.5, 31.3, 0, [1, 2, 3, 4])
    assert e.value.code == "thresholds"
    with pytest.raises(plume.PlumeError) as e:
        plume.threat_zones(1, 3, "D", 0, "rural", 121.5, 31.3, 0, [0])
    assert e.value.code == "threshold_positive"
    with pytest.raises(plume.PlumeError) as e:
        plume.threat_zones(1, 3, "D", 0, "rural", 121.5, 31.3, 400, [1])
    assert e.value.code == "wind_from"


def _local_points(zone: plume.Zone, src: plume.Source, thr: float) -> None:
    """Sample the field on a grid: inside the polygon C ≥ thr, outside C < thr."""
    x_max, y_max = zone.max_downwind_m * 1.2, zone.max_half_width_m * 1.5
    xs, ys, c = plume.grid(src, x_max, y_max, n=120)
    xx, yy = np.meshgrid(xs, ys)
    inside = shapely.contains_xy(zone.local, xx, yy)
    # The polygon is sampled from the exact iso-line; allow a hair at its edge.
    assert (c[inside] >= thr * 0.98).all()
    assert (c[~inside] < thr * 1.02).all()
    assert inside.sum() > 20 and (~inside).sum() > 20


@pytest.mark.parametrize(
    ("q", "u", "cls", "h", "terrain"),
    [(1000, 2, "F", 0, "rural"), (20000, 5, "D", 30, "urban"), (2000, 3, "B", 10, "rural")],
)
def test_zones_hold_high_concentrations_and_not_low(
    q: float, u: float, cls: str, h: float, terrain: str
) -> None:
    src = plume.check_source(q, u, cls, h, terrain)
    zones = plume.zones(q, u, cls, h, terrain, 121.52, 31.28, 0, [5, 50])
    assert [z.threshold_mg_m3 for z in zones] == [50, 5]  # most severe first
    assert [z.level for z in zones] == [1, 2]
    assert zones[0].area_m2 < zones[1].area_m2
    assert zones[1].local.contains(zones[0].local.buffer(-1))
    for z in zones:
        assert not z.empty and z.geometry.is_valid
        _local_points(z, src, z.threshold_mg_m3 / 1000)


def test_zone_reach_matches_centreline() -> None:
    z = plume.zones(1000, 2, "F", 0, "rural", 121.52, 31.28, 0, [20])[0]
    src = plume.check_source(1000, 2, "F", 0, "rural")
    at_end = float(plume.concentrations(1000, 2, "F", 0, "rural", z.max_downwind_m, 0, 0))
    assert at_end == pytest.approx(0.020, rel=1e-3)
    assert plume.concentration_point(src, z.max_downwind_m * 1.01, 0, 0) < 0.020


def test_wind_from_north_sends_plume_south() -> None:
    lon, lat = 121.52, 31.28
    north = plume.threat_zones(1000, 2, "F", 0, "rural", lon, lat, 0, [20])[0]
    c = north.centroid
    assert c.y < lat - 0.005 and abs(c.x - lon) < 1e-4
    west = plume.threat_zones(1000, 2, "F", 0, "rural", lon, lat, 270, [20])[0]
    assert west.centroid.x > lon + 0.005 and abs(west.centroid.y - lat) < 1e-4
    # Same shape whichever way it points: the area (m²) is the same.
    zs = plume.zones(1000, 2, "F", 0, "rural", lon, lat, 45, [20])
    assert zs[0].area_m2 == pytest.approx(
        plume.zones(1000, 2, "F", 0, "rural", lon, lat, 0, [20])[0].area_m2
    )
    # Rotation keeps distances: the far tip lies max_downwind_m away (south-west for 45°).
    tip = plume.local_to_lonlat(lon, lat, 45, zs[0].max_downwind_m, 0)
    from cityguard.core.geo import haversine_m

    assert float(haversine_m(lon, lat, tip[0], tip[1])) == pytest.approx(
        zs[0].max_downwind_m, rel=5e-3
    )
    assert float(tip[0]) < lon and float(tip[1]) < lat


def test_threshold_never_reached_is_empty() -> None:
    zones = plume.zones(1, 8, "A", 100, "rural", 121.5, 31.3, 90, [1000, 0.0001])
    assert zones[0].empty and zones[0].geometry.is_empty and zones[0].area_m2 == 0
    assert not zones[1].empty


def test_elevated_release_zone_starts_downwind() -> None:
    z = plume.zones(500, 3, "B", 50, "rural", 121.5, 31.3, 0, [5])[0]
    xa, xb = z.intervals[0]
    assert 0 < xa < xb
    assert not z.local.contains(shapely.Point(xa / 2, 0))


def test_grid_matches_point_loop() -> None:
    src = plume.check_source(100, 3, "D", 20, "urban")
    xs, ys, c = plume.grid(src, 3000, 500, n=40)
    for iy in (0, 13, 20, 39):
        for ix in (0, 7, 39):
            assert c[iy, ix] == pytest.approx(
                plume.concentration_point(src, xs[ix], ys[iy], 0.0), rel=1e-9
            )
