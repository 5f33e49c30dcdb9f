"""CAP 1.2 out: every type in every allowed colour, updates and cancels validate against
the official schema; the mapping is what the docs say."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from cityguard.warnings import cap, services
from cityguard.warnings.choices import ALLOWED_COLOURS

NS = {"c": cap.NS}
SENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")

CASES = [(kind, colour) for kind, colours in ALLOWED_COLOURS.items() for colour in colours]


def _root(xml: str) -> ET.Element:
    return ET.fromstring(xml.encode())


def _unsaved(kind: str, colour: str) -> Any:
    """A warning over two streets, built without the database (the schema check is pure)."""
    from datetime import UTC, datetime

    from cityguard import testing
    from cityguard.core.models import Jurisdiction
    from cityguard.warnings.models import Warning

    warning = Warning(
        kind=kind,
        colour=colour,
        authority="上海市杨浦区气象局",
        headline="预警",
        description="说明",
        instruction="防御指引",
        headline_en="Warning",
        description_en="Text",
        effective=datetime(2026, 7, 1, 1, 0, tzinfo=UTC),
        expires=datetime(2026, 7, 1, 9, 0, tzinfo=UTC),
    )
    warning._preview_streets = [  # type: ignore[attr-defined]
        Jurisdiction(
            code="310110001",
            name="西街道",
            name_en="West",
            boundary=testing.square(121.50, 31.26, 121.53, 31.32),
        ),
        Jurisdiction(
            code="310110002",
            name="东街道",
            name_en="East",
            boundary=testing.square(121.53, 31.26, 121.56, 31.32),
        ),
    ]
    return warning


@pytest.mark.parametrize(("kind", "colour"), CASES)
@pytest.mark.parametrize("msg_type", ["Alert", "Update", "Cancel"])
def test_every_type_and_colour_validates(kind: str, colour: str, msg_type: str) -> None:
    from datetime import UTC, datetime

    earlier = "cityguard@x.cn,cityguard@x.cn.W000001.v1,2026-07-01T09:00:00+08:00"
    xml = cap.build(
        _unsaved(kind, colour),
        msg_type=msg_type,
        identifier="cityguard@x.cn.W000001.v2",
        sender="cityguard@x.cn",
        sent=datetime(2026, 7, 1, 1, 30, tzinfo=UTC),
        references=[] if msg_type == "Alert" else [earlier],
    )
    assert cap.validate(xml) == []
    root = _root(xml)
    assert root.tag == f"{{{cap.NS}}}alert"
    assert root.findtext("c:msgType", namespaces=NS) == msg_type
    assert (root.findtext("c:references", namespaces=NS) or None) == (
        None if msg_type == "Alert" else earlier
    )
    infos = root.findall("c:info", NS)
    assert [i.findtext("c:language", namespaces=NS) for i in infos] == ["zh-CN", "en-US"]
    urgency, severity, certainty = cap.CAP_GRADING[colour]
    assert infos[0].findtext("c:severity", namespaces=NS) == severity
    assert infos[0].findtext("c:urgency", namespaces=NS) == urgency
    assert infos[0].findtext("c:certainty", namespaces=NS) == certainty
    assert [c.text for c in infos[0].findall("c:category", NS)] == list(cap.CAP_CATEGORIES[kind])
    codes = {
        e.findtext("c:valueName", namespaces=NS): e.findtext("c:value", namespaces=NS)
        for e in infos[0].findall("c:eventCode", NS)
    }
    assert codes[cap.EVENT_CODE_NAME] == cap.EVENT_CODES[kind]
    assert codes[cap.COLOUR_CODE_NAME] == colour
    geocodes = [
        g.findtext("c:value", namespaces=NS) for g in infos[0].findall("c:area/c:geocode", NS)
    ]
    assert geocodes == ["310110001", "310110002"]


def test_issued_update_cancel_reference_the_earlier(
    issued: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    warning = issued(headline_en="Rainstorm yellow warning")
    with django_capture_on_commit_callbacks(execute=True):
        services.update(users.staff, warning, {"colour": "orange"}, note="升级")
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(users.staff, warning, "降雨减弱")
    messages = list(warning.messages.order_by("version"))
    assert [m.msg_type for m in messages] == ["Alert", "Update", "Cancel"]
    assert len({m.identifier for m in messages}) == 3
    for i, msg in enumerate(messages):
        assert cap.validate(msg.xml) == [], msg.xml
        root = _root(msg.xml)
        assert root.findtext("c:msgType", namespaces=NS) == msg.msg_type
        assert root.findtext("c:status", namespaces=NS) == "Actual"
        assert root.findtext("c:scope", namespaces=NS) == "Public"
        assert SENT.match(root.findtext("c:sent", namespaces=NS) or "")
        refs = (root.findtext("c:references", namespaces=NS) or "").split()
        assert refs == [m.reference for m in messages[:i]]
        for ref in refs:
            sender, ident, sent = ref.split(",")
            assert sender == msg.sender and ident and SENT.match(sent)
    update_root = _root(messages[1].xml)
    assert update_root.findtext("c:info/c:severity", namespaces=NS) == "Severe"


def test_area_polygon_and_geocodes(draft: Any, district: Any) -> None:
    warning = draft(streets=[district.west.code])
    root = _root(services.preview(warning))
    area = root.find("c:info/c:area", NS)
    assert area is not None
    assert area.findtext("c:areaDesc", namespaces=NS) == "西街道"
    polygon = area.findtext("c:polygon", namespaces=NS) or ""
    points = polygon.split()
    assert points[0] == points[-1] and len(points) >= 4
    lat, lon = map(float, points[0].split(","))
    assert 31.2 < lat < 31.4 and 121.4 < lon < 121.6
    geocodes = [
        (g.findtext("c:valueName", namespaces=NS), g.findtext("c:value", namespaces=NS))
        for g in area.findall("c:geocode", NS)
    ]
    assert geocodes == [(cap.GEOCODE_NAME, district.west.code)]


def test_drawn_polygon_is_the_cap_polygon(draft: Any, district: Any) -> None:
    square = {
        "type": "Polygon",
        "coordinates": [
            [[121.52, 31.28], [121.54, 31.28], [121.54, 31.30], [121.52, 31.30], [121.52, 31.28]]
        ],
    }
    warning = draft(streets=[], polygon=square)
    assert sorted(s.code for s in warning.streets.all()) == [district.west.code, district.east.code]
    root = _root(services.preview(warning))
    polygon = root.findtext("c:info/c:area/c:polygon", namespaces=NS) or ""
    assert set(polygon.split()) == {"31.28,121.52", "31.28,121.54", "31.3,121.54", "31.3,121.52"}


def test_chinese_only_warning_has_one_info(draft: Any) -> None:
    root = _root(services.preview(draft()))
    assert len(root.findall("c:info", NS)) == 1
    assert root.findtext("c:info/c:event", namespaces=NS) == "暴雨黄色预警"
    assert root.findtext("c:status", namespaces=NS) == "Draft"


def test_cap_time_has_offset_and_no_fraction() -> None:
    from datetime import UTC, datetime

    assert (
        cap.cap_time(datetime(2026, 7, 1, 2, 3, 4, 567, tzinfo=UTC)) == "2026-07-01T10:03:04+08:00"
    )
