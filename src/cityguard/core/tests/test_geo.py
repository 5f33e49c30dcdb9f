"""Geometry the map and the registry rely on: datum shifts to Chinese basemaps, GeoJSON
checking, which jurisdiction a point falls in, and nearest-first look-ups."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityguard.core import geo

# Published reference pairs (WGS 84 → GCJ-02, lon/lat) from the widely used open
# implementations of the GCJ-02 formulas (eviltransform's test-suite).
GCJ_REFERENCE = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]

# People's Square, Shanghai: the offset there is about +0.0045° east and −0.0019° north
# (roughly 430 m east and 210 m south), which is what an AMap user sees. The formulas give
# (121.478223, 31.228458); checked to the 4th decimal (the often-quoted 121.4781 is a
# rounding of an older approximation and is 11 m off).
PEOPLES_SQUARE_WGS84 = (121.4737, 31.2304)
PEOPLES_SQUARE_GCJ02 = (121.4782, 31.2285)

# Points inside mainland China, where the shift applies.
china_lon = st.floats(min_value=73.0, max_value=135.0, allow_nan=False)
china_lat = st.floats(min_value=18.0, max_value=53.0, allow_nan=False)


def test_peoples_square_shifts_onto_amap_coordinates() -> None:
    lon, lat = geo.wgs84_to_gcj02(*PEOPLES_SQUARE_WGS84)
    assert lon == pytest.approx(PEOPLES_SQUARE_GCJ02[0], abs=1e-4)
    assert lat == pytest.approx(PEOPLES_SQUARE_GCJ02[1], abs=1e-4)
    # The shift is a few hundred metres, never zero inside China.
    assert 300 < geo.haversine_m(*PEOPLES_SQUARE_WGS84, lon, lat) < 600


@pytest.mark.parametrize(("wgs", "gcj"), GCJ_REFERENCE)
def test_gcj02_matches_published_reference_points(
    wgs: tuple[float, float], gcj: tuple[float, float]
) -> None:
    lon, lat = geo.wgs84_to_gcj02(*wgs)
    assert lon == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)
    back = geo.gcj02_to_wgs84(*gcj)
    assert back[0] == pytest.approx(wgs[0], abs=1e-7)
    assert back[1] == pytest.approx(wgs[1], abs=1e-7)


def test_bd09_matches_published_reference_points() -> None:
    # Tiananmen (116.404, 39.915) as used in the coordtransform and hutool test-suites.
    bd = geo.gcj02_to_bd09(116.404, 39.915)
    assert bd == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-9)
    # The published closed-form inverse gives (116.39762729119315, 39.90865673957631);
    # ours refines it into the exact inverse, so it agrees to a tenth of a metre and
    # maps back onto the BD-09 point exactly.
    gcj = geo.bd09_to_gcj02(116.404, 39.915)
    assert gcj == pytest.approx((116.39762729119315, 39.90865673957631), abs=2e-6)
    assert geo.gcj02_to_bd09(*gcj) == pytest.approx((116.404, 39.915), abs=1e-10)
    # Beijing railway station: GCJ-02 (116.42703, 39.90245) is BD-09 (116.43351, 39.90851).
    assert geo.gcj02_to_bd09(116.42703, 39.90245) == pytest.approx((116.43351, 39.90851), abs=1e-5)


@pytest.mark.parametrize(
    "point",
    [(2.3522, 48.8566), (-74.006, 40.7128), (151.2093, -33.8688), (0.0, 0.0), (140.0, 35.7)],
)
def test_outside_china_gcj02_leaves_coordinates_alone(point: tuple[float, float]) -> None:
    assert geo.wgs84_to_gcj02(*point) == point
    assert geo.gcj02_to_wgs84(*point) == pytest.approx(point, abs=1e-12)


@settings(max_examples=200)
@given(lon=china_lon, lat=china_lat)
def test_wgs84_gcj02_round_trip_is_below_a_millionth_of_a_degree(lon: float, lat: float) -> None:
    glon, glat = geo.wgs84_to_gcj02(lon, lat)
    blon, blat = geo.gcj02_to_wgs84(glon, glat)
    assert abs(blon - lon) < 1e-6
    assert abs(blat - lat) < 1e-6


@settings(max_examples=200)
@given(lon=china_lon, lat=china_lat)
def test_wgs84_bd09_round_trip_is_below_a_millionth_of_a_degree(lon: float, lat: float) -> None:
    blon, blat = geo.wgs84_to_bd09(lon, lat)
    wlon, wlat = geo.bd09_to_wgs84(blon, blat)
    assert abs(wlon - lon) < 1e-6
    assert abs(wlat - lat) < 1e-6
    glon, glat = geo.bd09_to_gcj02(blon, blat)
    assert geo.gcj02_to_bd09(glon, glat) == pytest.approx((blon, blat), abs=1e-6)


def test_arrays_shift_in_one_pass_like_scalars() -> None:
    lons = np.array([121.47, 121.52, 2.35])
    lats = np.array([31.23, 31.27, 48.85])
    glons, glats = geo.wgs84_to_gcj02(lons, lats)
    for i in range(3):
        assert (glons[i], glats[i]) == pytest.approx(geo.wgs84_to_gcj02(lons[i], lats[i]))
    wl, wt = geo.to_wgs84(glons, glats, "gcj02")
    assert np.allclose(wl, lons, atol=1e-7) and np.allclose(wt, lats, atol=1e-7)


def test_to_wgs84_knows_the_three_datums_only() -> None:
    assert geo.to_wgs84(121.5, 31.2, "wgs84") == (121.5, 31.2)
    lon, lat = geo.to_wgs84(*geo.wgs84_to_bd09(121.5, 31.2), "bd09")
    assert (lon, lat) == pytest.approx((121.5, 31.2), abs=1e-7)
    with pytest.raises(geo.GeometryError) as caught:
        geo.to_wgs84(121.5, 31.2, "beijing54")
    assert caught.value.code == "datum"


def test_haversine_one_degree_of_latitude_is_about_111_km() -> None:
    assert geo.haversine_m(121.5, 31.0, 121.5, 32.0) == pytest.approx(111_195, rel=1e-3)
    assert geo.haversine_m(121.5, 31.0, 121.5, 31.0) == 0


@pytest.mark.parametrize(
    ("lon", "lat", "code"),
    [
        (float("nan"), 31.2, "not_finite"),
        (121.5, float("inf"), "not_finite"),
        (181.0, 31.2, "range"),
        (121.5, -90.5, "range"),
        ("east", 31.2, "not_number"),
        (None, 31.2, "not_number"),
    ],
)
def test_impossible_coordinates_are_refused(lon: object, lat: object, code: str) -> None:
    with pytest.raises(geo.GeometryError) as caught:
        geo.check_lonlat(lon, lat)
    assert caught.value.code == code


def test_numeric_strings_are_read_as_coordinates() -> None:
    assert geo.check_lonlat("121.5", "31.2") == (121.5, 31.2)


# --- GeoJSON --------------------------------------------------------------------------

SQUARE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}


def test_polygons_multipolygons_features_and_text_are_all_accepted() -> None:
    assert geo.parse_area(SQUARE).area == pytest.approx(1)
    assert geo.parse_area(json.dumps(SQUARE)).area == pytest.approx(1)
    assert geo.parse_area({"type": "Feature", "geometry": SQUARE, "properties": {}}).area == 1
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    assert geo.parse_area(multi).geom_type == "MultiPolygon"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("{not json", "json"),
        ("[]", "type"),
        ({"type": "Point", "coordinates": [121.5, 31.2]}, "type"),
        ({"type": "Feature", "geometry": None}, "type"),
        ({"type": "Polygon"}, "coordinates"),
        ({"type": "Polygon", "coordinates": []}, "coordinates"),
        ({"type": "MultiPolygon", "coordinates": [[]]}, "coordinates"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [0, 0]]]}, "ring"),
        ({"type": "Polygon", "coordinates": ["ring"]}, "ring"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1], [1, 1], [0, 0]]]}, "position"),
        ({"type": "Polygon", "coordinates": [[[0, 0], ["1", 0], [1, 1], [0, 0]]]}, "position"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [True, 0], [1, 1], [0, 0]]]}, "position"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1]]]}, "not_closed"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [200, 0], [1, 1], [0, 0]]]}, "range"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "invalid",  # a bow-tie crosses itself
        ),
        ("x" * (geo.MAX_GEOJSON_BYTES + 1), "too_large"),
    ],
)
def test_malformed_geojson_is_refused_with_a_reason(value: object, code: str) -> None:
    with pytest.raises(geo.GeometryError) as caught:
        geo.parse_area(value)  # type: ignore[arg-type]
    assert caught.value.code == code


def test_geojson_output_is_rounded_to_six_decimals() -> None:
    geom = geo.parse_area(
        {
            "type": "Polygon",
            "coordinates": [
                [[0.1234567, 0], [1, 0], [1, 1.98765432], [0.1234567, 1.98765432], [0.1234567, 0]]
            ],
        }
    )
    out = geo.to_geojson(geom)
    xs = [x for ring in out["coordinates"] for x, _y in ring]
    assert 0.123457 in [round(x, 6) for x in xs]
    assert all(abs(x * 1e6 - round(x * 1e6)) < 1e-6 for x in xs)


@settings(max_examples=100)
@given(
    x=st.floats(min_value=121.0, max_value=122.0, allow_nan=False),
    y=st.floats(min_value=31.0, max_value=32.0, allow_nan=False),
    w=st.floats(min_value=0.001, max_value=0.1),
    h=st.floats(min_value=0.001, max_value=0.1),
    start=st.integers(min_value=0, max_value=3),
    clockwise=st.booleans(),
)
def test_geojson_output_is_canonical_so_saving_twice_changes_nothing(
    x: float, y: float, w: float, h: float, start: int, clockwise: bool
) -> None:
    corners = [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]
    corners = corners[start:] + corners[:start]
    if clockwise:
        corners.reverse()
    ring = [*corners, corners[0]]
    once = geo.to_geojson(geo.parse_area({"type": "Polygon", "coordinates": [ring]}))
    twice = geo.to_geojson(geo.parse_area(once))
    assert once == twice
    assert json.loads(json.dumps(once)) == once  # plain lists, as JSON gives back
    # RFC 7946: the exterior ring turns anticlockwise (positive signed area).
    xs, ys = zip(*once["coordinates"][0], strict=True)
    signed = sum(xs[i] * ys[i + 1] - xs[i + 1] * ys[i] for i in range(len(xs) - 1))
    assert signed > 0


# --- which jurisdiction a point falls in -----------------------------------------------


def _box(x1: float, y1: float, x2: float, y2: float) -> object:
    return geo.parse_area(
        {"type": "Polygon", "coordinates": [[[x1, y1], [x2, y1], [x2, y2], [x1, y2], [x1, y1]]]}
    )


@pytest.fixture
def tree() -> geo.SpatialIndex:
    """A district, two streets side by side, a community and a grid cell in the west."""
    return geo.SpatialIndex(
        [
            geo.Area("district", _box(0, 0, 10, 10), 0),
            geo.Area("west", _box(0, 0, 5, 10), 1),
            geo.Area("east", _box(5, 0, 10, 10), 1),
            geo.Area("west-community", _box(0, 0, 5, 5), 2),
            geo.Area("west-grid", _box(1, 1, 2, 2), 3),
        ]
    )


@pytest.mark.parametrize(
    ("point", "expected"),
    [
        ((1.5, 1.5), "west-grid"),
        ((3, 3), "west-community"),
        ((3, 8), "west"),
        ((8, 8), "east"),
        ((11, 5), None),
        ((-0.5, 5), None),
    ],
)
def test_a_point_belongs_to_the_deepest_area_containing_it(
    tree: geo.SpatialIndex, point: tuple[float, float], expected: str | None
) -> None:
    assert tree.locate(*point) == expected


def test_the_deepest_area_wins_whatever_order_the_areas_come_in() -> None:
    areas = [
        geo.Area("grid", _box(1, 1, 2, 2), 3),
        geo.Area("street", _box(0, 0, 5, 10), 1),
        geo.Area("district", _box(0, 0, 10, 10), 0),
    ]
    for order in (areas, areas[::-1]):
        assert geo.SpatialIndex(order).locate(1.5, 1.5) == "grid"


@settings(max_examples=50)
@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-1, max_value=11, allow_nan=False),
            st.floats(min_value=-1, max_value=11, allow_nan=False),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_locating_many_points_at_once_agrees_with_one_by_one(
    points: list[tuple[float, float]],
) -> None:
    index = geo.SpatialIndex(
        [
            geo.Area("district", _box(0, 0, 10, 10), 0),
            geo.Area("west", _box(0, 0, 5, 10), 1),
            geo.Area("east", _box(5, 0, 10, 10), 1),
            geo.Area("west-grid", _box(1, 1, 2, 2), 3),
        ]
    )
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    assert index.locate_many(lons, lats) == [index.locate(x, y) for x, y in points]


# --- nearest first ----------------------------------------------------------------------

# Yangpu-sized area: about 10 km across.
near_lon = st.floats(min_value=121.45, max_value=121.60, allow_nan=False)
near_lat = st.floats(min_value=31.23, max_value=31.35, allow_nan=False)


@settings(max_examples=100, deadline=None)
@given(
    points=st.lists(st.tuples(near_lon, near_lat), min_size=1, max_size=60),
    query=st.tuples(
        st.floats(min_value=121.0, max_value=122.0, allow_nan=False),
        st.floats(min_value=30.8, max_value=31.8, allow_nan=False),
    ),
    k=st.integers(min_value=1, max_value=8),
)
def test_nearest_agrees_with_brute_force(
    points: list[tuple[float, float]], query: tuple[float, float], k: int
) -> None:
    keys = [f"p{i}" for i in range(len(points))]
    index = geo.PointIndex(keys, [p[0] for p in points], [p[1] for p in points])
    got = index.nearest(query[0], query[1], k=k)

    brute = sorted(
        (float(geo.haversine_m(query[0], query[1], lon, lat)), key)
        for key, (lon, lat) in zip(keys, points, strict=True)
    )[:k]
    assert len(got) == min(k, len(points))
    # Ties may come in either order: compare the distances, then that every key is right.
    assert [d for _key, d in got] == pytest.approx([d for d, _key in brute], abs=1e-6)
    for key, d in got:
        lon, lat = points[keys.index(key)]
        assert d == pytest.approx(float(geo.haversine_m(query[0], query[1], lon, lat)))
    assert [d for _key, d in got] == sorted(d for _key, d in got)


def test_nearest_on_an_empty_index_or_for_no_neighbours_is_empty() -> None:
    assert geo.PointIndex([], [], []).nearest(121.5, 31.2) == []
    assert geo.PointIndex(["a"], [121.5], [31.2]).nearest(121.5, 31.2, k=0) == []


def test_nearest_finds_a_lone_far_point() -> None:
    index = geo.PointIndex(["far"], [100.0], [20.0])
    [(key, d)] = index.nearest(121.5, 31.2, k=3)
    assert key == "far"
    assert d == pytest.approx(float(geo.haversine_m(121.5, 31.2, 100.0, 20.0)))
    assert math.isfinite(d)
