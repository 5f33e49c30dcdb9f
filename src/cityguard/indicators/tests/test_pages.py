"""Pages in both languages, the figure form, the report files."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse

from cityguard.indicators.models import EnteredFigure

from .conftest import EAST, WEST

pytestmark = pytest.mark.django_db

LANGS = [("zh-hans", "指标"), ("en", "Indicators")]


@pytest.mark.parametrize("lang,word", LANGS)
def test_pages_render_in_both_languages(client, users, incidents, figure, lang, word) -> None:
    figure("plan-07", 9, 10, street=WEST)
    client.force_login(users.staff)
    h = {"HTTP_ACCEPT_LANGUAGE": lang}
    pages = [
        reverse("indicators:home"),
        reverse("indicators:home") + f"?street={WEST}",
        reverse("indicators:detail", args=["plan-03"]),
        reverse("indicators:detail", args=["plan-07"]),
        reverse("indicators:screen"),
        reverse("indicators:figures"),
        reverse("indicators:figure_create"),
        reverse("indicators:figure_detail", args=[EnteredFigure.objects.get().pk]),
    ]
    for url in pages:
        r = client.get(url, **h)
        assert r.status_code == 200, url
        assert f'lang="{lang}"' in r.content.decode()
    home = client.get(reverse("indicators:home"), **h).content.decode()
    assert word in home
    assert 'id="ind-plan-03"' in home and "ind-tile ind-off" in home
    assert "vendor/echarts/echarts.min.js" in home
    screen = client.get(reverse("indicators:screen"), **h).content.decode()
    assert "scr-config" in screen and "//cdn" not in screen
    assert reverse("api:indicators") in screen


def test_bad_filters_on_the_page(client, users, district) -> None:
    client.force_login(users.staff)
    r = client.get(reverse("indicators:home"), {"period": "2025-13"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "YYYY-MM" in r.content.decode()
    r = client.get(reverse("indicators:home"), {"street": "999"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "No street has the code 999" in r.content.decode()
    client.force_login(users.west_officer)
    assert client.get(reverse("indicators:home"), {"street": EAST}).status_code == 404
    assert client.get(reverse("indicators:detail", args=["nope"])).status_code == 404


def test_pages_need_sign_in(client, district) -> None:
    assert client.get(reverse("indicators:home")).status_code == 302
    assert client.get(reverse("indicators:screen")).status_code == 302


def test_figure_form(client, users, district) -> None:
    client.force_login(users.staff)
    url = reverse("indicators:figure_create")
    data = {"code": "plan-01", "year": 2025, "value": 3, "base": 2400, "source": ""}
    r = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "Name the source" in r.content.decode()
    assert not EnteredFigure.objects.exists()
    r = client.post(url, {**data, "value": -2, "source": "统计局"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "cannot be negative" in r.content.decode()
    r = client.post(url, {**data, "source": "统计局"})
    assert r.status_code == 302
    assert EnteredFigure.objects.get().base == 2400
    client.force_login(users.viewer)
    assert client.get(url).status_code == 403
    client.force_login(users.west_officer)
    r = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert 'value="plan-07"' in r.content.decode() and 'value="plan-01"' not in r.content.decode()


def test_monthly_report_xlsx(client, users, incidents) -> None:
    from openpyxl import load_workbook

    client.force_login(users.staff)
    r = client.get(reverse("indicators:report"), {"format": "xlsx"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert r["Content-Disposition"].endswith('.xlsx"')
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Indicators", "By street", "Trend"]
    rows = list(wb["Indicators"].iter_rows(values_only=True))
    by_code = {row[0]: row for row in rows[2:]}
    assert by_code["plan-02"][6] == 2 and by_code["plan-02"][7] == "Off target"
    streets = list(wb["By street"].iter_rows(values_only=True))
    assert [s[0] for s in streets[2:]] == ["西街道", "东街道"]
    trend = list(wb["Trend"].iter_rows(values_only=True))
    assert len(trend[0]) == 2 + 12


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_monthly_report_pdf(client, users, incidents, lang) -> None:
    client.force_login(users.staff)
    r = client.get(reverse("indicators:report"), {"format": "pdf"}, HTTP_ACCEPT_LANGUAGE=lang)
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    pages = re.findall(rb"/Type\s*/Page[^s]", r.content)
    assert len(pages) >= 3  # indicators, streets, trend
    assert r.content.rstrip().endswith(b"%%EOF")


def test_report_bad_input(client, users, district) -> None:
    client.force_login(users.staff)
    r = client.get(reverse("indicators:report"), {"format": "doc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400 and "xlsx or pdf" in r.content.decode()
    r = client.get(reverse("indicators:report"), {"period": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
