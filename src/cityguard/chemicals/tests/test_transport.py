"""Transport filings checked against the blacklist; the blacklist itself."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from cityguard.chemicals import transport
from cityguard.chemicals.choices import BlacklistKind
from cityguard.chemicals.models import BlacklistEntry, TransportFiling
from cityguard.core.models import ApiToken

pytestmark = pytest.mark.django_db


def filing_data(org: Any, chem: Any, **extra: Any) -> dict[str, Any]:
    start = timezone.now() + dt.timedelta(days=1)
    return {
        "organization": org,
        "chemical": chem,
        "quantity": 30,
        "quantity_unit": "t",
        "vehicle_plate": "沪A·12345",
        "trailer_plate": "沪B6789挂",
        "driver_name": "赵师傅",
        "driver_id": "310101198001010011",
        "escort_name": "钱押运",
        "escort_id": "YY-0001",
        "carrier_name": "安达危险品运输有限公司",
        "carrier_code": "91310000MA1FL0000X",
        "origin": "上海化学工业区",
        "destination": "杨浦区某加油站",
        "route": "G1501—军工路—黄兴路",
        "window_start": start,
        "window_end": start + dt.timedelta(hours=6),
        **extra,
    }


def test_a_clean_filing_is_recorded(users: SimpleNamespace, chems: SimpleNamespace) -> None:
    f = transport.file_transport(users.west_manager, filing_data(users.west_org, chems.petrol))
    assert f.vehicle_plate == "沪A12345" and f.quantity_t == 30 and f.status == "filed"
    assert f.filed_by == users.west_manager


def test_blacklisted_vehicle_driver_or_carrier_refuses_the_filing(
    users: SimpleNamespace, chems: SimpleNamespace
) -> None:
    entry = transport.add_to_blacklist(
        users.west_officer,
        {"kind": BlacklistKind.VEHICLE, "identifier": "沪a 12345", "reason": "超载运输危化品"},
    )
    assert entry.listed_by == users.west_officer and entry.active
    with pytest.raises(ValidationError) as err:
        transport.file_transport(users.west_manager, filing_data(users.west_org, chems.petrol))
    (message,) = err.value.message_dict["vehicle_plate"]
    assert "沪a 12345" in message and "超载运输危化品" in message
    transport.add_to_blacklist(
        users.admin,
        {"kind": BlacklistKind.DRIVER, "identifier": "YY-0001", "reason": "无证押运"},
    )
    transport.add_to_blacklist(
        users.admin,
        {
            "kind": BlacklistKind.CARRIER,
            "identifier": "安达危险品运输有限公司",
            "reason": "吊销资质",
        },
    )
    with pytest.raises(ValidationError) as err:
        transport.file_transport(users.west_manager, filing_data(users.west_org, chems.petrol))
    assert set(err.value.message_dict) == {"vehicle_plate", "escort_id", "carrier_name"}
    assert not TransportFiling.objects.exists()

    # Lifted: the vehicle may go again; the record of who listed and lifted it stays.
    transport.lift(users.admin, entry, "整改完成")
    entry.refresh_from_db()
    assert entry.lifted_by == users.admin and entry.lifted_on == timezone.localdate()
    with pytest.raises(ValidationError) as err:
        transport.lift(users.admin, entry, "again")
    with pytest.raises(ValidationError) as err:
        transport.file_transport(users.west_manager, filing_data(users.west_org, chems.petrol))
    assert "vehicle_plate" not in err.value.message_dict


def test_filing_checks_its_fields(users: SimpleNamespace, chems: SimpleNamespace) -> None:
    data = filing_data(
        users.west_org,
        chems.petrol,
        quantity=-1,
        quantity_unit="桶",
        driver_name="",
        window_end=timezone.now(),
    )
    with pytest.raises(ValidationError) as err:
        transport.file_transport(users.west_manager, data)
    assert {"quantity_unit", "driver_name", "window_end"} <= set(err.value.message_dict)
    with pytest.raises(PermissionDenied):
        transport.file_transport(users.east_manager, filing_data(users.west_org, chems.petrol))
    assert not TransportFiling.objects.exists()


def test_the_blacklist_is_kept_by_the_authorities(users: SimpleNamespace) -> None:
    with pytest.raises(PermissionDenied):
        transport.add_to_blacklist(
            users.west_manager, {"kind": "vehicle", "identifier": "沪C1", "reason": "x"}
        )
    with pytest.raises(PermissionDenied):
        transport.add_to_blacklist(
            users.viewer, {"kind": "vehicle", "identifier": "沪C1", "reason": "x"}
        )
    transport.add_to_blacklist(
        users.admin, {"kind": "vehicle", "identifier": "沪C1", "reason": "x"}
    )
    with pytest.raises(ValidationError):
        transport.add_to_blacklist(
            users.admin, {"kind": "vehicle", "identifier": "沪 C1", "reason": "y"}
        )
    assert BlacklistEntry.objects.count() == 1
    assert not transport.can_see_blacklist(users.west_manager)
    assert transport.can_see_blacklist(users.viewer)


def test_filing_api(client: Client, users: SimpleNamespace, chems: SimpleNamespace) -> None:
    transport.add_to_blacklist(
        users.admin, {"kind": "vehicle", "identifier": "沪A12345", "reason": "x"}
    )
    _token, raw = ApiToken.issue(users.west_manager)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}
    body = filing_data(users.west_org.pk, "汽油")
    body["window_start"] = body["window_start"].isoformat()
    body["window_end"] = body["window_end"].isoformat()
    r = client.post(
        "/api/v1/chemicals/transport-filings",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "vehicle_plate"]
    body["vehicle_plate"] = "沪A54321"
    r = client.post(
        "/api/v1/chemicals/transport-filings",
        json.dumps(body),
        content_type="application/json",
        **headers,
    )
    assert r.status_code == 201, r.content
    assert client.get("/api/v1/chemicals/blacklist", **headers).status_code == 403


def test_a_filing_is_closed_once_over_the_api_and_the_page(
    client: Client, users: SimpleNamespace, chems: SimpleNamespace, api_as: Any
) -> None:
    f = transport.file_transport(users.west_manager, filing_data(users.west_org, chems.petrol))
    other = transport.file_transport(
        users.west_manager, filing_data(users.west_org, chems.petrol, vehicle_plate="沪A99999")
    )
    manager = api_as(users.west_manager, "/chemicals")
    assert manager.post(f"/transport-filings/{f.pk}/status", {"status": "filed"}).status_code == 422
    assert (
        api_as(users.east_manager, "/chemicals")
        .post(f"/transport-filings/{f.pk}/status", {"status": "completed"})
        .status_code
        == 404
    )
    assert (
        api_as(users.viewer, "/chemicals")
        .post(f"/transport-filings/{f.pk}/status", {"status": "completed"})
        .status_code
        == 403
    )
    done = manager.post(f"/transport-filings/{f.pk}/status", {"status": "completed"})
    assert done.status_code == 200 and done.json()["status"] == "completed"
    again = manager.post(f"/transport-filings/{f.pk}/status", {"status": "cancelled"})
    assert again.status_code == 422 and "closed" in json.dumps(again.json()["detail"])
    f.refresh_from_db()
    assert f.status == "completed" and f.history.first().history_user == users.west_manager
    # The list page offers the buttons on filed rows only and closes through them.
    client.force_login(users.west_manager)
    page = client.get("/chemicals/transport/")
    assert page.content.count(b'name="status" value="completed"') == 1
    r = client.post(f"/chemicals/transport/{other.pk}/status/", {"status": "cancelled"})
    assert r.status_code == 302
    other.refresh_from_db()
    assert other.status == "cancelled"
