"""The risk pages: render in both languages, stay in reach, write through the services."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cityguard.risk import services
from cityguard.risk.models import Assessment, ControlMeasure, RiskPoint

from .conftest import assess_lec


def html(response: Any) -> str:
    return response.content.decode()


def json_script(response: Any, element_id: str) -> Any:
    match = re.search(
        rf'<script id="{re.escape(element_id)}" type="application/json">(.*?)</script>',
        html(response),
        re.S,
    )
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


@pytest.fixture
def graded(users: SimpleNamespace, points: SimpleNamespace) -> SimpleNamespace:
    assess_lec(
        users.admin, points.west, 3, 3, 40, assessed_at=timezone.now() - dt.timedelta(days=120)
    )
    services.add_assessment(
        users.admin, points.east, method="matrix", values={"likelihood": 2, "severity": 2}
    )
    services.save_control_measure(
        users.admin,
        points.west,
        {"description": "储罐区视频监控", "tier": "unit", "responsible_person": "王五"},
    )
    return points


def urls(points: SimpleNamespace) -> list[str]:
    pk = points.west.pk
    return [
        reverse("risk:point_list"),
        reverse("risk:point_list") + "?level=major&sort=next_due",
        reverse("risk:dashboard"),
        reverse("risk:dashboard") + "?street=310110001",
        reverse("risk:overdue"),
        reverse("risk:point_create"),
        reverse("risk:point_detail", args=[pk]),
        reverse("risk:point_edit", args=[pk]),
        reverse("risk:point_assess", args=[pk]),
    ]


@pytest.mark.parametrize(
    ("headers", "lang"), [({}, "zh-hans"), ({"HTTP_ACCEPT_LANGUAGE": "en"}, "en")]
)
def test_every_page_renders_in_both_languages(
    client: Client, users: SimpleNamespace, graded: SimpleNamespace, headers: dict, lang: str
) -> None:
    client.force_login(users.admin)
    for url in urls(graded):
        response = client.get(url, **headers)
        assert response.status_code == 200, url
        text = html(response)
        assert f'<html lang="{lang}"' in text, url
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in text
        assert "risk/risk.css" in text, url
    # Domain names come from the taxonomy in the page's language.
    zh = html(client.get(reverse("risk:point_detail", args=[graded.west.pk])))
    assert "危险化学品" in zh
    en = html(
        client.get(reverse("risk:point_detail", args=[graded.west.pk]), HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "Hazardous chemicals" in en and "Major (red)" in en


def test_list_shows_colour_badges_and_filters(
    client: Client, users: SimpleNamespace, graded
) -> None:
    client.force_login(users.admin)
    text = html(client.get(reverse("risk:point_list"), HTTP_ACCEPT_LANGUAGE="en"))
    assert 'class="badge risk-badge risk-major" style="--badge: #d32f2f"' in text
    assert 'class="badge risk-badge risk-low"' in text
    # most severe first
    assert text.index(graded.west.name) < text.index(graded.east.name)
    text = html(client.get(reverse("risk:point_list"), {"level": "low"}))
    assert graded.east.name in text and graded.west.name not in text
    text = html(client.get(reverse("risk:point_list"), {"domain": "hazardous_chemicals"}))
    assert graded.west.name in text and graded.east.name not in text
    text = html(client.get(reverse("risk:point_list"), {"overdue": "true"}))
    assert graded.west.name in text and graded.east.name not in text
    text = html(client.get(reverse("risk:point_list"), {"jurisdiction": "310110002"}))
    assert graded.east.name in text and graded.west.name not in text
    # An out-of-range or unknown filter value is reported, not a server error.
    assert client.get(reverse("risk:point_list"), {"organization": str(2**64)}).status_code == 200
    assert client.get(reverse("risk:point_list"), {"level": "purple"}).status_code == 200
    assert client.get(reverse("risk:point_list"), {"q": "a\x00b"}).status_code == 200


def test_street_officer_sees_only_their_street(
    client: Client, users: SimpleNamespace, graded
) -> None:
    client.force_login(users.west_officer)
    text = html(client.get(reverse("risk:point_list")))
    assert graded.west.name in text and graded.east.name not in text
    assert client.get(reverse("risk:point_detail", args=[graded.east.pk])).status_code == 404
    assert client.get(reverse("risk:point_edit", args=[graded.east.pk])).status_code == 404
    assert client.get(reverse("risk:point_assess", args=[graded.east.pk])).status_code == 404
    dash = client.get(reverse("risk:dashboard"))
    assert json_script(dash, "risk-street-series")["codes"] == ["310110001"]


def test_export_is_scoped(client: Client, users: SimpleNamespace, graded) -> None:
    client.force_login(users.east_officer)
    response = client.get(reverse("risk:point_list"), {"format": "csv"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][:5] == ["ID", "Name", "Domain", "Domain code", "Risk level"]
    assert [r[1] for r in rows[1:]] == [graded.east.name]
    assert rows[1][4] == "Low (blue)" and rows[1][5] == "blue"
    client.force_login(users.admin)
    response = client.get(reverse("risk:point_list"), {"format": "xlsx"})
    assert response.status_code == 200 and response["X-Export-Rows"] == "2"
    response = client.get(reverse("risk:overdue"), {"format": "csv"})
    assert response["X-Export-Rows"] == "1"


def test_create_with_measures_then_edit(client: Client, users: SimpleNamespace, points) -> None:
    client.force_login(users.west_officer)
    data = {
        "name": "有限空间作业点",
        "domain": points.fire.pk,
        "organization": users.west_org.pk,
        "control_tier": "",
        "description": "",
        "measures-TOTAL_FORMS": "2",
        "measures-INITIAL_FORMS": "0",
        "measures-MIN_NUM_FORMS": "0",
        "measures-MAX_NUM_FORMS": "50",
        "measures-0-description": "先通风后检测再作业",
        "measures-0-tier": "post",
        "measures-0-responsible_person": "赵六",
        "measures-1-description": "",
        "measures-1-tier": "unit",
    }
    response = client.post(reverse("risk:point_create"), data)
    assert response.status_code == 302, html(response)
    point = RiskPoint.objects.get(name="有限空间作业点")
    assert point.jurisdiction.code == "310110001001"
    (m,) = point.measures.all()
    assert (m.description, m.tier, m.responsible_person) == ("先通风后检测再作业", "post", "赵六")
    edit = {
        **data,
        "name": "有限空间作业点（改）",
        "is_active": "on",
        "measures-TOTAL_FORMS": "1",
        "measures-INITIAL_FORMS": "1",
        "measures-0-id": str(m.pk),
        "measures-0-DELETE": "on",
    }
    response = client.post(reverse("risk:point_edit", args=[point.pk]), edit)
    assert response.status_code == 302, html(response)
    point.refresh_from_db()
    assert point.name == "有限空间作业点（改）" and point.measures.count() == 0
    assert ControlMeasure.history.filter(id=m.pk, history_type="-").exists()


def test_create_refused_for_another_street_and_bad_input(
    client: Client, users: SimpleNamespace, points
) -> None:
    client.force_login(users.west_officer)
    base = {
        "name": "越界点",
        "domain": points.fire.pk,
        "lon": "121.55",
        "lat": "31.27",
        "measures-TOTAL_FORMS": "0",
        "measures-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("risk:point_create"), base)
    assert response.status_code == 403
    response = client.post(reverse("risk:point_create"), {**base, "lon": "120.0", "lat": "30.0"})
    assert response.status_code == 200 and "has-error" in html(response)
    assert not RiskPoint.objects.filter(name="越界点").exists()
    client.force_login(users.viewer)
    assert client.get(reverse("risk:point_create")).status_code == 403


def test_assess_page_scores_and_records(client: Client, users: SimpleNamespace, points) -> None:
    client.force_login(users.west_officer)
    url = reverse("risk:point_assess", args=[points.west.pk])
    page = client.get(url)
    cfg = json_script(page, "risk-score-config")
    assert cfg["bands"]["lec"] == {"major": 320, "large": 160, "general": 70}
    assert cfg["bands"]["matrix"] == {"major": 20, "large": 15, "general": 9}
    assert cfg["api"] == "/api/v1/risk/score"
    response = client.post(
        url, {"method": "lec", "l": "6", "e": "3", "c": "15", "assessor": "评价机构"}
    )
    assert response.status_code == 302
    points.west.refresh_from_db()
    assert (points.west.level, points.west.score) == ("large", 270)
    # A missing factor is a field error; nothing recorded.
    response = client.post(url, {"method": "matrix", "likelihood": "4"})
    assert response.status_code == 200 and "has-error" in html(response)
    # An off-scale value (tampered form) is refused by the choices.
    response = client.post(url, {"method": "lec", "l": "7", "e": "3", "c": "15"})
    assert response.status_code == 200
    response = client.post(
        url,
        {"method": "matrix", "likelihood": "4", "severity": "5", "assessed_at": "2020-01-02T09:30"},
    )
    assert response.status_code == 302
    a = Assessment.objects.filter(method="matrix").get()
    assert timezone.localtime(a.assessed_at).strftime("%Y-%m-%d %H:%M") == "2020-01-02 09:30"
    points.west.refresh_from_db()
    assert points.west.level == "large"  # the back-dated matrix assessment is older
    detail = html(
        client.get(reverse("risk:point_detail", args=[points.west.pk]), HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "L 6 × E 3 × C 15 = 270" in detail and "L 4 × S 5 = 20" in detail
    client.force_login(users.viewer)
    assert client.get(url).status_code == 403


def test_dashboard_counts(client: Client, users: SimpleNamespace, graded) -> None:
    client.force_login(users.admin)
    page = client.get(reverse("risk:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    text = html(page)
    major = text[text.index('id="risk-count-major"') :]
    assert '<span class="stat-value">1</span>' in major[: major.index("</a>")]
    overdue = text[text.index('id="risk-count-overdue"') :]
    assert '<span class="stat-value">1</span>' in overdue[: overdue.index("</a>")]
    levels = json_script(page, "risk-levels")
    assert {i["name"]: i["value"] for i in levels} == {"Major (red)": 1, "Low (blue)": 1}
    series = json_script(page, "risk-street-series")
    assert series["codes"] == ["310110001", "310110002"]
    assert series["series"][0]["data"] == [1, 0]
    cfg = json_script(page, "risk-map-config")
    assert cfg["layers"] == ["/api/v1/map/layers/risk.streets", "/api/v1/map/layers/risk.points"]
    one = client.get(reverse("risk:dashboard"), {"street": "310110002"})
    assert json_script(one, "risk-street-series")["codes"] == ["310110002"]
    assert json_script(one, "risk-map-config")["street"] == "310110002"


def test_detail_shows_origin_and_history(client: Client, users: SimpleNamespace) -> None:
    origin = users.east_org
    point = services.register_origin(
        users.admin,
        origin,
        organization=users.east_org,
        domain="hazardous_chemicals",
        name="重大危险源：东区物流",
        level="major",
    )
    client.force_login(users.admin)
    text = html(
        client.get(reverse("risk:point_detail", args=[point.pk]), HTTP_ACCEPT_LANGUAGE="en")
    )
    assert "Fixed by its origin" in text
    assert origin.name in text
    assert 'id="history"' in text
