"""Pages in Chinese and English: list, detail, form with the CAP preview, import, cancel;
the public page and the Atom feed without login."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from cityguard.warnings import cap
from cityguard.warnings.models import Warning

from .conftest import warning_data


def _local(value: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M")


LANGS = [("zh-hans", "预警"), ("en", "Official warnings")]


@pytest.mark.parametrize(("lang", "word"), LANGS)
def test_staff_pages_render(
    client: Any, users: Any, issued: Any, draft: Any, contacts: Any, lang: str, word: str
) -> None:
    warning = issued(headline_en="Rainstorm yellow warning")
    other = draft()
    client.force_login(users.staff)
    h = {"HTTP_ACCEPT_LANGUAGE": lang}
    for url in (
        reverse("warnings:list"),
        reverse("warnings:detail", args=[warning.pk]),
        reverse("warnings:detail", args=[other.pk]),
        reverse("warnings:create"),
        reverse("warnings:edit", args=[other.pk]),
        reverse("warnings:edit", args=[warning.pk]),
        reverse("warnings:cancel", args=[warning.pk]),
        reverse("warnings:import"),
        reverse("warnings:public"),
    ):
        r = client.get(url, **h)
        assert r.status_code == 200, url
        assert word in r.content.decode(), url
    detail = client.get(reverse("warnings:detail", args=[warning.pk]), **h).content.decode()
    assert "王安全" in detail and "urn:oasis:names:tc:emergency:cap:1.2" in detail


def test_form_creates_issue_and_preview(
    client: Any, users: Any, district: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client.force_login(users.staff)
    data = warning_data(district)
    post = {**data, "effective": _local(data["effective"]), "expires": _local(data["expires"])}
    r = client.post(reverse("warnings:preview"), post, HTTP_ACCEPT_LANGUAGE="en")
    text = r.content.decode()
    assert r.status_code == 200 and "Valid against the CAP 1.2 schema." in text
    assert "&lt;msgType&gt;Alert&lt;/msgType&gt;" in text
    bad = client.post(
        reverse("warnings:preview"),
        {**post, "kind": "heat", "colour": "blue"},
        HTTP_ACCEPT_LANGUAGE="en",
    ).content.decode()
    assert "has no Blue level" in bad
    r = client.post(reverse("warnings:create"), post)
    assert r.status_code == 302
    warning = Warning.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("warnings:issue", args=[warning.pk]))
    warning.refresh_from_db()
    assert warning.state == "issued"
    r = client.post(reverse("warnings:cancel", args=[warning.pk]), {"reason": "解除"})
    assert r.status_code == 302
    assert Warning.objects.get().state == "cancelled"


def test_form_errors_change_nothing(client: Any, users: Any, district: Any) -> None:
    client.force_login(users.staff)
    data = warning_data(district)
    post = {**data, "effective": _local(data["expires"]), "expires": _local(data["effective"])}
    r = client.post(reverse("warnings:create"), post, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200
    assert "The expiry must be after the effective time." in r.content.decode()
    assert not Warning.objects.exists()


def test_import_page(client: Any, users: Any, district: Any) -> None:
    client.force_login(users.staff)
    r = client.post(reverse("warnings:import"), {"text": "<not-xml"}, HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 200 and "The CAP document was refused." in r.content.decode()
    smb = (Path(__file__).parent / "fixtures" / "smb_rainstorm_alert.xml").read_text()
    r = client.post(reverse("warnings:import"), {"text": smb})
    assert r.status_code == 302 and Warning.objects.count() == 1


def test_roles_on_pages(client: Any, users: Any, issued: Any, draft: Any, district: Any) -> None:
    east = issued(streets=[district.east.code])
    d = draft()
    client.force_login(users.west_officer)
    assert client.get(reverse("warnings:list")).status_code == 200
    assert client.get(reverse("warnings:detail", args=[east.pk])).status_code == 404
    assert client.get(reverse("warnings:detail", args=[d.pk])).status_code == 404
    assert client.get(reverse("warnings:create")).status_code == 403
    assert client.get(reverse("warnings:import")).status_code == 403
    client.force_login(users.east_officer)
    page = client.get(reverse("warnings:detail", args=[east.pk])).content.decode()
    assert reverse("warnings:cancel", args=[east.pk]) not in page
    client.logout()
    assert client.get(reverse("warnings:list")).status_code == 302


@pytest.mark.parametrize(("lang", "title"), [("zh-hans", "预警信息"), ("en", "Official warnings")])
def test_public_page_and_feed_without_login(
    client: Any, issued: Any, draft: Any, lang: str, title: str
) -> None:
    active = issued(headline_en="Rainstorm yellow warning")
    hidden = draft(headline="尚未发布的草稿")
    r = client.get(reverse("warnings:public"), HTTP_ACCEPT_LANGUAGE=lang)
    page = r.content.decode()
    assert r.status_code == 200 and title in page
    assert ("杨浦区暴雨黄色预警" if lang == "zh-hans" else "Rainstorm yellow warning") in page
    assert "wn-yellow" in page and hidden.headline not in page
    r = client.get(reverse("warnings:public_cap", args=[active.pk]))
    assert r.status_code == 200 and cap.validate(r.content) == []
    assert client.get(reverse("warnings:public_cap", args=[hidden.pk])).status_code == 404
    r = client.get(reverse("warnings:feed"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(r.content)
    atom = "{http://www.w3.org/2005/Atom}"
    entries = root.findall(f"{atom}entry")
    assert len(entries) == 1
    caps = [
        ln.get("href")
        for ln in entries[0].findall(f"{atom}link")
        if ln.get("type") == "application/cap+xml" and ln.get("rel") == "alternate"
    ]
    assert caps == [f"http://testserver{reverse('warnings:public_cap', args=[active.pk])}"]
