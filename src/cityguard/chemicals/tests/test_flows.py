"""The flow ledger: units of measure, permits, licence checks, stock, reconciliation,
tracing a lot."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from cityguard import testing
from cityguard.chemicals import ledger
from cityguard.chemicals.choices import FlowKind
from cityguard.chemicals.models import Flow, StockCount
from cityguard.core.models import ApiToken

from .test_licences import make_licence

pytestmark = pytest.mark.django_db


def ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@pytest.fixture
def supplier(users: SimpleNamespace) -> Any:
    """A licensed trader in the east street."""
    org = users.east_org
    make_licence(users.admin, org, "沪杨危化经〔2024〕0001")
    return org


def buy(actor: Any, org: Any, chem: Any, qty: Any, unit: str = "t", **extra: Any) -> Flow:
    data = {
        "organization": org,
        "chemical": chem,
        "kind": FlowKind.PURCHASE,
        "quantity": qty,
        "quantity_unit": unit,
        "counterparty_name": "东区物流有限公司",
        **extra,
    }
    return ledger.record_flow(actor, data)


def out(actor: Any, org: Any, chem: Any, qty: Any, kind: str = FlowKind.USE, **extra: Any) -> Flow:
    data = {
        "organization": org,
        "chemical": chem,
        "kind": kind,
        "quantity": qty,
        "quantity_unit": "t",
        **extra,
    }
    return ledger.record_flow(actor, data)


def test_units_of_measure_are_converted_or_refused(
    users: SimpleNamespace, chems: SimpleNamespace, supplier: Any
) -> None:
    mgr = users.west_manager
    f = buy(
        mgr, users.west_org, chems.toluene, 2000, "kg", counterparty=supplier, occurred_at=ago(5)
    )
    assert f.quantity_t == 2
    f = buy(
        mgr, users.west_org, chems.toluene, 1000, "升", counterparty=supplier, occurred_at=ago(4)
    )
    assert f.quantity_t == pytest.approx(0.867)  # catalogue density 0.867 t/m³
    f = buy(
        mgr,
        users.west_org,
        chems.toluene,
        "1.5",
        "m³",
        counterparty=supplier,
        density_t_m3=0.8,
        occurred_at=ago(3),
    )
    assert f.quantity_t == pytest.approx(1.2) and f.quantity_unit == "m3"
    before = Flow.objects.count()
    for qty, unit, field in [
        (5, "barrel", "quantity_unit"),
        (-5, "t", "quantity"),
        ("lots", "t", "quantity"),
        (float("nan"), "t", "quantity"),
        (0, "t", "quantity"),
    ]:
        with pytest.raises(ValidationError) as err:
            buy(mgr, users.west_org, chems.toluene, qty, unit, counterparty=supplier)
        assert field in err.value.message_dict, (qty, unit)
    # A volume of a chemical with no density in the catalogue needs one.
    chems.hcl.density_t_m3 = None
    chems.hcl.save()
    with pytest.raises(ValidationError) as err:
        buy(mgr, users.west_org, chems.hcl, 100, "L", counterparty=supplier)
    assert "density_t_m3" in err.value.message_dict
    assert Flow.objects.count() == before


def test_stock_never_goes_below_zero(
    users: SimpleNamespace, chems: SimpleNamespace, supplier: Any
) -> None:
    mgr = users.west_manager
    buy(mgr, users.west_org, chems.toluene, 10, counterparty=supplier, occurred_at=ago(10))
    out(mgr, users.west_org, chems.toluene, 6, occurred_at=ago(8))
    with pytest.raises(ValidationError) as err:
        out(mgr, users.west_org, chems.toluene, 5, occurred_at=ago(7))
    assert "below zero" in err.value.message_dict["quantity"][0]
    # A back-dated use before the purchase is refused too, though the total would allow it.
    with pytest.raises(ValidationError):
        out(mgr, users.west_org, chems.toluene, 1, occurred_at=ago(11))
    # … and one that would make a later entry go negative.
    with pytest.raises(ValidationError):
        out(mgr, users.west_org, chems.toluene, 4.5, occurred_at=ago(9))
    out(mgr, users.west_org, chems.toluene, 4, occurred_at=ago(6))
    assert ledger.stock_at(users.west_org.pk, chems.toluene.pk) == pytest.approx(0)
    assert Flow.objects.count() == 3


def test_controlled_chemicals_need_a_permit_on_purchase(
    users: SimpleNamespace, chems: SimpleNamespace, supplier: Any
) -> None:
    with pytest.raises(ValidationError) as err:
        buy(users.west_manager, users.west_org, chems.sodium_cyanide, 0.05, counterparty=supplier)
    assert "permit_no" in err.value.message_dict
    with pytest.raises(ValidationError):
        buy(users.west_manager, users.west_org, chems.peroxide, 1, counterparty=supplier)
    f = buy(
        users.west_manager,
        users.west_org,
        chems.sodium_cyanide,
        50,
        "kg",
        counterparty=supplier,
        permit_no="剧毒购买许可 310110-2025-007",
    )
    assert f.permit_no and f.quantity_t == 0.05


def test_counterparty_licence_blocks_or_warns(
    settings: Any, users: SimpleNamespace, chems: SimpleNamespace
) -> None:
    mgr = users.west_manager
    # The supplier's only licence expired yesterday.
    make_licence(users.admin, users.east_org, "E-1", days_left=-1)
    with pytest.raises(ValidationError) as err:
        buy(mgr, users.west_org, chems.petrol, 5, counterparty=users.east_org)
    assert "expired" in err.value.message_dict["counterparty"][0]
    with pytest.raises(ValidationError) as err:
        buy(mgr, users.west_org, chems.petrol, 5, counterparty_licence_no="e-1")
    assert "counterparty_licence_no" in err.value.message_dict
    with pytest.raises(ValidationError):
        buy(mgr, users.west_org, chems.petrol, 5, counterparty_name="无证商贩")
    assert not Flow.objects.exists()

    settings.CITYGUARD_CHEMICALS_LICENCE_CHECK = "warn"
    f = buy(mgr, users.west_org, chems.petrol, 5, counterparty=users.east_org)
    assert f.flagged and "expired" in f.warnings[0] and f.counterparty_licence is None
    # A sale to a buyer with no licence (an end user) is not checked; one to a buyer whose
    # licence was revoked is.
    sale = out(
        mgr, users.west_org, chems.petrol, 1, kind=FlowKind.SALE, counterparty_name="某汽修厂"
    )
    assert not sale.flagged
    settings.CITYGUARD_CHEMICALS_LICENCE_CHECK = "block"
    with pytest.raises(ValidationError):
        out(mgr, users.west_org, chems.petrol, 1, kind=FlowKind.SALE, counterparty=users.east_org)


def test_reconciliation_flags_a_discrepancy(
    users: SimpleNamespace, chems: SimpleNamespace, supplier: Any
) -> None:
    mgr = users.west_manager
    opening = ledger.record_count(
        mgr,
        {
            "organization": users.west_org,
            "chemical": chems.toluene,
            "quantity": 5,
            "counted_at": ago(30),
        },
    )
    assert opening.expected_t is None and not opening.flagged
    buy(mgr, users.west_org, chems.toluene, 10, counterparty=supplier, occurred_at=ago(20))
    out(mgr, users.west_org, chems.toluene, 3, occurred_at=ago(15))
    good = ledger.record_count(
        mgr,
        {
            "organization": users.west_org,
            "chemical": chems.toluene,
            "quantity": 12,
            "counted_at": ago(10),
        },
    )
    assert (good.opening_t, good.in_t, good.out_t, good.expected_t) == (5, 10, 3, 12)
    assert good.discrepancy_t == 0 and not good.flagged
    out(mgr, users.west_org, chems.toluene, 2, occurred_at=ago(5))
    short = ledger.record_count(
        mgr,
        {
            "organization": users.west_org,
            "chemical": chems.toluene,
            "quantity": 9000,
            "quantity_unit": "kg",
            "counted_at": ago(1),
        },
    )
    assert short.expected_t == 10 and short.discrepancy_t == pytest.approx(-1)
    assert short.flagged
    # The stock now starts from the last count.
    assert ledger.stock_at(users.west_org.pk, chems.toluene.pk) == pytest.approx(9)
    # A flow recorded late inside the counted period reconciles the count again.
    out(mgr, users.west_org, chems.toluene, 1, occurred_at=ago(3))
    short.refresh_from_db()
    assert short.expected_t == 9 and short.discrepancy_t == pytest.approx(0) and not short.flagged
    # Closing a discrepancy is for the supervisor.
    with pytest.raises(PermissionDenied):
        ledger.resolve_count(mgr, short, "盘点")
    ledger.resolve_count(users.west_officer, short, "复核无误")
    assert StockCount.objects.get(pk=short.pk).resolved_at is not None


def test_enterprise_users_see_and_write_only_their_ledger(
    users: SimpleNamespace, chems: SimpleNamespace, supplier: Any
) -> None:
    buy(users.west_manager, users.west_org, chems.toluene, 1, counterparty=supplier)
    with pytest.raises(PermissionDenied):
        buy(users.east_manager, users.west_org, chems.toluene, 1, counterparty=supplier)
    assert not Flow.objects.visible_to(users.east_manager).exists()
    assert Flow.objects.visible_to(users.west_officer).count() == 1
    assert not Flow.objects.visible_to(users.east_officer).exists()


def test_trace_a_lot_through_three_organisations(
    users: SimpleNamespace, chems: SimpleNamespace
) -> None:
    admin = users.admin
    third = testing.make_organization(admin, "西区涂料厂", 121.505, 31.28)
    make_licence(admin, users.east_org, "T-1")
    make_licence(admin, users.west_org, "T-2")
    lot = "LOT-2025-0042"
    # east buys from a producer outside the district and sells 6 t to west; west records its
    # purchase, sells 2 t to the paint works and uses 3 t; the paint works uses 2 t.
    first = buy(
        admin,
        users.east_org,
        chems.toluene,
        10,
        counterparty_name="外省石化公司",
        counterparty_licence_no="苏危化经〔2023〕123",
        lot=lot,
        occurred_at=ago(9),
    )
    assert first.flagged and "could not be verified" in first.warnings[0]
    ledger.record_flow(
        admin,
        {
            "organization": users.east_org,
            "chemical": chems.toluene,
            "kind": FlowKind.SALE,
            "quantity": 6,
            "quantity_unit": "t",
            "counterparty": users.west_org,
            "lot": lot,
            "occurred_at": ago(8),
        },
    )
    buy(
        admin,
        users.west_org,
        chems.toluene,
        6,
        counterparty=users.east_org,
        lot=lot,
        occurred_at=ago(8),
    )
    ledger.record_flow(
        admin,
        {
            "organization": users.west_org,
            "chemical": chems.toluene,
            "kind": FlowKind.SALE,
            "quantity": 2,
            "quantity_unit": "t",
            "counterparty": third,
            "lot": lot,
            "occurred_at": ago(7),
        },
    )
    out(admin, users.west_org, chems.toluene, 3, lot=lot, occurred_at=ago(6))
    buy(
        admin,
        third,
        chems.toluene,
        2,
        counterparty=users.west_org,
        lot=lot,
        counterparty_licence_no="T-2",
        occurred_at=ago(7),
    )
    out(admin, third, chems.toluene, 2, lot=lot, occurred_at=ago(5))
    out(admin, users.east_org, chems.toluene, 1, lot="OTHER", occurred_at=ago(4))

    graph = ledger.trace(users.admin, lot)
    names = {n["id"]: n["name"] for n in graph["nodes"]}
    links = {
        (names[link["source"]], names[link["target"]]): link["quantity_t"]
        for link in graph["links"]
    }
    assert links[("外省石化公司", users.east_org.name)] == 10
    assert links[(users.east_org.name, users.west_org.name)] == 6  # one movement, two records
    assert links[(users.west_org.name, "西区涂料厂")] == 2
    assert links[(users.west_org.name, f"{users.west_org.name} · Use")] == 3
    assert links[("西区涂料厂", "西区涂料厂 · Use")] == 2
    assert len(graph["flows"]) == 7
    # The east street officer sees only the east part of the trail.
    east_graph = ledger.trace(users.east_officer, lot)
    assert len(east_graph["flows"]) == 2


def test_flow_api(
    client: Client, users: SimpleNamespace, chems: SimpleNamespace, supplier: Any
) -> None:
    _token, raw = ApiToken.issue(users.west_manager)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}", "HTTP_ACCEPT_LANGUAGE": "en"}

    def post(url: str, body: dict[str, Any]) -> Any:
        return client.post(url, json.dumps(body), content_type="application/json", **headers)

    r = post(
        "/api/v1/chemicals/flows",
        {
            "organization": users.west_org.pk,
            "chemical": "甲苯",
            "kind": "purchase",
            "quantity": 3,
            "quantity_unit": "t",
            "counterparty": supplier.pk,
            "lot": "L1",
        },
    )
    assert r.status_code == 201, r.content
    r = post(
        "/api/v1/chemicals/flows",
        {
            "organization": users.west_org.pk,
            "chemical": "甲苯",
            "kind": "use",
            "quantity": 5,
            "quantity_unit": "t",
        },
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "quantity"]
    r = post(
        "/api/v1/chemicals/flows",
        {
            "organization": users.west_org.pk,
            "chemical": "甲苯",
            "kind": "use",
            "quantity": 5,
            "quantity_unit": "gallon",
        },
    )
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "quantity_unit"]
    r = client.get(
        "/api/v1/chemicals/stock",
        {"organization": users.west_org.pk, "chemical": "108-88-3"},
        **headers,
    )
    assert r.json()["stock_t"] == 3
    r = client.get("/api/v1/chemicals/trace", {"lot": "L1"}, **headers)
    assert r.status_code == 200 and len(r.json()["links"]) == 1
    r = post(
        "/api/v1/chemicals/stock-counts",
        {"organization": users.west_org.pk, "chemical": "甲苯", "quantity": 2.5},
    )
    assert r.status_code == 201
    assert Flow.objects.count() == 1
