from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from cityguard.incidents import services
from cityguard.incidents.choices import EventKind
from cityguard.incidents.models import Dispatch

from .helpers import incident

res = pytest.importorskip("cityguard.resources.services")


@pytest.fixture
def stock(users: SimpleNamespace) -> SimpleNamespace:
    team = res.save_team(
        users.admin, {"name": "西区化救队", "kind": "professional", "lon": 121.51, "lat": 31.28}
    )
    warehouse = res.save_warehouse(
        users.admin,
        {
            "name": "西区储备库",
            "reserve_level": "street",
            "mode": "physical",
            "lon": 121.515,
            "lat": 31.275,
        },
    )
    material = res.save_material(
        users.admin, {"code": "gas-mask", "name": "防毒面具", "category": "rescue", "unit": "个"}
    )
    res.receive_stock(users.admin, warehouse=warehouse, material=material, quantity=50)
    return SimpleNamespace(team=team, warehouse=warehouse, material=material)


def test_team_dispatch_states(users: SimpleNamespace, stock: SimpleNamespace) -> None:
    inc = incident(users.admin)
    d = services.request_dispatch(users.admin, inc, kind="team", team_id=stock.team.pk)
    stock.team.refresh_from_db()
    assert stock.team.status == "dispatched" and d.status == "requested" and d.name == "西区化救队"
    for status in ("dispatched", "arrived"):
        d = services.advance_dispatch(users.admin, d, status)
    with pytest.raises(ValidationError):
        services.advance_dispatch(users.admin, d, "dispatched")  # no going back
    stock.team.refresh_from_db()
    assert stock.team.status == "dispatched"
    d = services.advance_dispatch(users.admin, d, "returned")
    assert d.returned_at is not None
    stock.team.refresh_from_db()
    assert stock.team.status == "available"
    events = inc.events.filter(kind=EventKind.DISPATCH)
    assert [e.data["to"] for e in events] == ["requested", "dispatched", "arrived", "returned"]


def test_team_double_dispatch_refused(users: SimpleNamespace, stock: SimpleNamespace) -> None:
    first = incident(users.admin)
    second = incident(users.admin, title="第二起")
    services.request_dispatch(users.admin, first, kind="team", team_id=stock.team.pk)
    with pytest.raises(ValidationError) as exc:
        services.request_dispatch(users.admin, second, kind="team", team_id=stock.team.pk)
    assert "already dispatched" in str(exc.value) or "已" in str(exc.value)
    assert not Dispatch.objects.filter(incident=second).exists()
    assert not second.events.filter(kind=EventKind.DISPATCH).exists()


def test_materials_issued_through_ledger(users: SimpleNamespace, stock: SimpleNamespace) -> None:
    inc = incident(users.admin)
    d = services.request_dispatch(
        users.admin,
        inc,
        kind="material",
        warehouse_id=stock.warehouse.pk,
        material_id=stock.material.pk,
        quantity=20,
    )
    assert d.quantity == Decimal("20") and d.unit == "个" and d.movement_id
    assert res.held(stock.warehouse, stock.material) == Decimal("30")
    from cityguard.resources.models import StockMovement

    mv = StockMovement.objects.get(pk=d.movement_id)
    assert mv.incident_ref == f"incident:{inc.pk}"


def test_issuing_more_than_held_changes_nothing(
    users: SimpleNamespace, stock: SimpleNamespace
) -> None:
    from cityguard.resources.models import StockMovement

    inc = incident(users.admin)
    movements = StockMovement.objects.count()
    with pytest.raises(ValidationError):
        services.request_dispatch(
            users.admin,
            inc,
            kind="material",
            warehouse_id=stock.warehouse.pk,
            material_id=stock.material.pk,
            quantity=51,
        )
    assert Dispatch.objects.count() == 0
    assert inc.events.count() == 1
    assert StockMovement.objects.count() == movements
    assert res.held(stock.warehouse, stock.material) == Decimal("50")


def test_bad_dispatch_input(users: SimpleNamespace, stock: SimpleNamespace) -> None:
    inc = incident(users.admin)
    with pytest.raises(ValidationError):
        services.request_dispatch(users.admin, inc, kind="helicopter")
    with pytest.raises(ValidationError):
        services.request_dispatch(users.admin, inc, kind="team", team_id=999999)
    with pytest.raises(ValidationError):
        services.request_dispatch(
            users.admin,
            inc,
            kind="material",
            warehouse_id=stock.warehouse.pk,
            material_id=stock.material.pk,
            quantity=-3,
        )
    assert Dispatch.objects.count() == 0


def test_nearest_resources(users: SimpleNamespace, stock: SimpleNamespace) -> None:
    inc = incident(users.admin)
    near = services.nearest_resources(users.admin, inc)
    assert [t["id"] for t in near["team"]] == [stock.team.pk]
    assert near["warehouse"][0]["id"] == stock.warehouse.pk


def test_dispatch_api(users: SimpleNamespace, stock: SimpleNamespace) -> None:
    from django.test import Client

    from cityguard import testing

    inc = incident(users.admin)
    c = Client()
    c.login(username=users.west_officer.username, password=testing.PASSWORD)
    url = f"/api/v1/incidents/{inc.pk}/dispatches"
    r = c.post(url, {"kind": "team", "team": stock.team.pk}, content_type="application/json")
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = c.post(url, {"kind": "team", "team": stock.team.pk}, content_type="application/json")
    assert r.status_code == 422 and "detail" in r.json()
    r = c.post(
        url,
        {
            "kind": "material",
            "warehouse": stock.warehouse.pk,
            "material": stock.material.pk,
            "quantity": 999,
        },
        content_type="application/json",
    )
    assert r.status_code == 422
    r = c.post(f"{url}/{pk}/status", {"status": "arrived"}, content_type="application/json")
    assert r.status_code == 422
    r = c.post(f"{url}/{pk}/status", {"status": "dispatched"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "dispatched"
    assert len(c.get(url).json()) == 1
    # the command page shows the dispatch and the nearest resources
    body = c.get(f"/incidents/{inc.pk}/").content.decode()
    assert "西区化救队" in body and "西区储备库" in body


def test_dispatch_from_the_command_page(users: SimpleNamespace, stock: SimpleNamespace) -> None:
    from django.test import Client

    from cityguard import testing

    inc = incident(users.admin)
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.login(username=users.west_officer.username, password=testing.PASSWORD)
    too_much = {
        "kind": "material",
        "warehouse": stock.warehouse.pk,
        "material": stock.material.pk,
        "quantity": "60",
    }
    r = c.post(f"/incidents/{inc.pk}/do/dispatch/", too_much, follow=True)
    assert r.status_code == 200
    assert list(r.context["messages"])  # the refusal is shown
    assert Dispatch.objects.count() == 0 and inc.events.count() == 1
    r = c.post(f"/incidents/{inc.pk}/do/dispatch/", {**too_much, "quantity": "5"})
    assert r.status_code == 302
    d = Dispatch.objects.get()
    c.post(f"/incidents/{inc.pk}/do/dispatch_status/", {"dispatch": d.pk, "status": "dispatched"})
    d.refresh_from_db()
    assert d.status == "dispatched"
    assert res.held(stock.warehouse, stock.material) == Decimal("45")
