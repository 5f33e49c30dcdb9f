"""CAP 1.2 in: our own documents and a third party's become warnings; invalid ones are
refused with the reasons and create nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cityguard.warnings import cap, services
from cityguard.warnings.models import CapMessage, Warning

SMB = (Path(__file__).parent / "fixtures" / "smb_rainstorm_alert.xml").read_bytes()


def _followup(msg_type: str, ref_identifier: str, identifier: str, extra: str = "") -> bytes:
    info = "" if msg_type == "Cancel" else SMB.decode().split("<info>")[1].split("</info>")[0]
    if info:
        info = "<info>" + info.replace("Severe", "Extreme") + "</info>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{identifier}</identifier>
  <sender>shsmb@cma.gov.cn</sender>
  <sent>2026-07-01T10:30:00+08:00</sent>
  <status>Actual</status>
  <msgType>{msg_type}</msgType>
  <scope>Public</scope>
  <references>shsmb@cma.gov.cn,{ref_identifier},2026-07-01T09:30:00+08:00</references>
  {extra}{info}
</alert>""".encode()


def test_third_party_alert_update_cancel(users: Any, district: Any) -> None:
    warning = services.import_cap(users.staff, SMB)
    assert (warning.kind, warning.colour, warning.state, warning.origin) == (
        "rainstorm",
        "orange",
        "issued",
        "imported",
    )
    assert warning.authority == "上海中心气象台"
    assert warning.headline_en == "Orange rainstorm warning for Shanghai"
    # The geocode names the district, not a street: the polygon is matched to streets.
    assert [s.code for s in warning.streets.all()] == [district.west.code]
    assert warning.polygon
    msg = warning.messages.get()
    assert (msg.received, msg.identifier) == (True, "31000041600000_20260701093000")
    assert services.current_document(warning) == SMB.decode()

    update = services.import_cap(
        users.staff, _followup("Update", msg.identifier, "31000041600000_20260701103000")
    )
    assert update.pk == warning.pk
    warning.refresh_from_db()
    assert (warning.state, warning.colour, warning.version) == ("updated", "red", 2)

    services.import_cap(
        users.staff, _followup("Cancel", msg.identifier, "31000041600000_20260701113000")
    )
    warning.refresh_from_db()
    assert warning.state == "cancelled"
    assert list(warning.events.exclude(kind="published").values_list("kind", flat=True)) == [
        "imported",
        "updated",
        "cancelled",
    ]


def test_own_cap_round_trip(issued: Any, users: Any, district: Any) -> None:
    mine = issued(
        kind="typhoon",
        colour="red",
        headline_en="Typhoon red warning",
        streets=[district.east.code],
    )
    xml = mine.messages.get().xml.replace(".W", ".X")  # as if another CityGuard sent it
    other = services.import_cap(users.staff, xml.encode())
    assert (other.kind, other.colour, other.headline_en) == (
        "typhoon",
        "red",
        "Typhoon red warning",
    )
    assert [s.code for s in other.streets.all()] == [district.east.code]  # from the geocode
    assert other.polygon == ""


def _refused(users: Any, body: bytes) -> list[str]:
    before = (Warning.objects.count(), CapMessage.objects.count())
    with pytest.raises(cap.CapError) as exc:
        services.import_cap(users.staff, body)
    assert (Warning.objects.count(), CapMessage.objects.count()) == before
    assert exc.value.errors
    return exc.value.errors


def test_invalid_documents_are_refused(users: Any, district: Any) -> None:
    bad_status = SMB.replace(b"<status>Actual</status>", b"<status>Real</status>")
    errors = _refused(users, bad_status)
    assert any("status" in e for e in errors), errors
    no_sent = SMB.replace(b"<sent>2026-07-01T09:30:00+08:00</sent>", b"")
    assert _refused(users, no_sent)
    fraction = SMB.replace(b"09:30:00+08:00</sent>", b"09:30:00.5+08:00</sent>")
    assert _refused(users, fraction)
    assert _refused(users, b"this is not XML")[0].startswith("The document is not well-formed XML")
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
        b"<identifier>&b;</identifier></alert>"
    )
    assert _refused(users, bomb) == ["Document type and entity declarations are not accepted."]
    external = b'<?xml version="1.0"?><!DOCTYPE alert SYSTEM "file:///etc/passwd"><alert>x</alert>'
    assert _refused(users, external) == ["Document type and entity declarations are not accepted."]
    no_info = SMB.split(b"<info>")[0] + b"</alert>"
    assert _refused(users, no_info) == [
        "The alert has no info block: nothing says what is warned of."
    ]
    wrong_ns = SMB.replace(b"urn:oasis:names:tc:emergency:cap:1.2", b"urn:example:cap")
    assert "not a CAP 1.2 alert" in _refused(users, wrong_ns)[0]
    far = SMB.replace(
        b"31.27,121.45 31.27,121.525 31.31,121.525 31.31,121.45 31.27,121.45",
        b"30.0,120.0 30.0,120.1 30.1,120.1 30.1,120.0 30.0,120.0",
    )
    assert _refused(users, far) == ["The alert's area does not reach any street of the district."]
    unknown_ref = _followup("Update", "never-seen", "x2")
    assert _refused(users, unknown_ref) == ["The Update references no message received here."]


def test_duplicate_and_roles(users: Any, district: Any) -> None:
    services.import_cap(users.staff, SMB)
    assert "already received" in _refused(users, SMB)[0]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.import_cap(users.west_officer, SMB)
