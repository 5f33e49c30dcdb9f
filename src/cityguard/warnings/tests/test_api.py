"""API: reads for any signed-in user within their reach, writes for district staff;
CAP out as application/cap+xml; CAP in with 201 / 400 and the reasons."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from cityguard.warnings import cap
from cityguard.warnings.models import Warning

SMB = (Path(__file__).parent / "fixtures" / "smb_rainstorm_alert.xml").read_text()


def _body(district: Any, **extra: Any) -> dict[str, Any]:
    now = timezone.now()
    return {
        "kind": "rainstorm",
        "colour": "yellow",
        "headline": "暴雨黄色预警",
        "description": "预计有强降水。",
        "streets": [district.west.code],
        "effective": (now - timedelta(minutes=1)).isoformat(),
        "expires": (now + timedelta(hours=3)).isoformat(),
        **extra,
    }


def test_create_issue_cap_and_cancel(
    api_as: Any, users: Any, district: Any, django_capture_on_commit_callbacks: Any
) -> None:
    api = api_as(users.staff, "/warnings")
    r = api.post("", _body(district))
    assert r.status_code == 201, r.json()
    wid = r.json()["id"]
    assert r.json()["state"] == "draft" and r.json()["events"][0]["kind"] == "created"
    r = api.get(f"/{wid}/cap")
    assert r.status_code == 200 and r["Content-Type"] == "application/cap+xml"
    assert b"<status>Draft</status>" in r.content
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"/{wid}/issue")
    assert r.status_code == 200 and r.json()["state"] == "issued"
    r = api.get(f"/{wid}/cap")
    assert cap.validate(r.content) == [] and b"<msgType>Alert</msgType>" in r.content
    assert api.get(f"/{wid}/deliveries").json()["count"] >= 1
    r = api.post(f"/{wid}/update", {"colour": "orange", "note": "升级"})
    assert r.status_code == 200 and r.json()["version"] == 2
    r = api.post(f"/{wid}/cancel", {"reason": ""})
    assert r.status_code == 422
    r = api.post(f"/{wid}/cancel", {"reason": "解除"})
    assert r.json()["state"] == "cancelled"
    assert b"<msgType>Cancel</msgType>" in api.get(f"/{wid}/cap").content
    assert api.get("", state="cancelled").json()["count"] == 1


def test_bad_input_is_422_and_changes_nothing(api_as: Any, users: Any, district: Any) -> None:
    api = api_as(users.staff, "/warnings")
    now = timezone.now()
    r = api.post("", _body(district, expires=(now - timedelta(hours=1)).isoformat()))
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == "The expiry must be after the effective time."
    r = api.post("", _body(district, kind="heat", colour="blue"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "colour"]
    r = api.post("", _body(district, colour="purple"))
    assert r.status_code == 422
    r = api.post(
        "",
        _body(
            district,
            streets=[],
            polygon={
                "type": "Polygon",
                "coordinates": [
                    [[121.51, 31.27], [121.52, 31.27], [121.52, 31.28], [121.51, 31.28]]
                ],
            },
        ),
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "polygon"]
    r = api.post("", _body(district, unknown=1))
    assert r.status_code == 422
    assert not Warning.objects.exists()


def test_import_cap_endpoint(api_as: Any, users: Any, district: Any) -> None:
    api = api_as(users.staff, "/warnings")
    r = api.post("/import-cap", SMB, content_type="application/cap+xml")
    assert r.status_code == 201, r.json()
    assert Warning.objects.get(pk=r.json()["id"]).origin == "imported"
    r = api.post(
        "/import-cap",
        SMB.replace("<status>Actual</status>", "<status>x</status>"),
        content_type="application/xml",
    )
    assert r.status_code == 400
    assert r.json()["detail"] == "The CAP document was refused."
    assert r.json()["errors"] and all(isinstance(e, str) for e in r.json()["errors"])
    r = api.post("/import-cap", "<!DOCTYPE x><x/>", content_type="application/xml")
    assert r.status_code == 400
    assert (
        api_as(users.viewer, "/warnings")
        .post("/import-cap", SMB, content_type="application/xml")
        .status_code
        == 403
    )
    assert Warning.objects.count() == 1


def test_reads_are_scoped(api_as: Any, users: Any, issued: Any, draft: Any, district: Any) -> None:
    west = issued(streets=[district.west.code])
    east = issued(streets=[district.east.code])
    hidden = draft()

    def ids(user: Any) -> set[int]:
        return {w["id"] for w in api_as(user, "/warnings").get("").json()["items"]}

    assert ids(users.staff) == {west.pk, east.pk, hidden.pk}
    assert ids(users.west_officer) == {west.pk}
    assert ids(users.east_officer) == {east.pk}
    assert ids(users.west_manager) == {west.pk}
    assert ids(users.viewer) == {west.pk, east.pk}
    assert ids(users.api_client) == {west.pk, east.pk}
    officer = api_as(users.west_officer, "/warnings")
    assert officer.get(f"/{east.pk}").status_code == 404
    assert officer.get(f"/{east.pk}/cap").status_code == 404
    assert officer.get(f"/{hidden.pk}").status_code == 404
    assert officer.post(f"/{west.pk}/cancel", {"reason": "x"}).status_code == 403
    assert api_as(users.viewer, "/warnings").post("", _body(district)).status_code == 403
    assert api_as(None, "/warnings").get("").status_code == 401
    Warning.objects.get(pk=west.pk).refresh_from_db()
    assert Warning.objects.get(pk=west.pk).state == "issued"


def test_deliveries_are_scoped(api_as: Any, users: Any, issued: Any, contacts: Any) -> None:
    warning = issued()  # both streets

    def names(user: Any) -> set[str]:
        items = api_as(user, "/warnings").get(f"/{warning.pk}/deliveries").json()["items"]
        return {d["recipient_name"] for d in items if d["audience"] == "contact"}

    assert names(users.staff) == {"王安全", "李值班", "张主任"}
    assert names(users.west_officer) == {"王安全", "李值班"}
    assert names(users.east_officer) == {"张主任"}
    assert names(users.east_manager) == {"张主任"}
    public = api_as(users.east_officer, "/warnings").get(f"/{warning.pk}/deliveries").json()
    assert any(d["audience"] == "public" for d in public["items"])
