"""The stock ledger: receipts, issues, transfers, stocktakes and reconciliation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cityguard.resources import services
from cityguard.resources.models import AppendOnly, StockLot, StockMovement

from .conftest import stock

pytestmark = pytest.mark.django_db


def test_issue_draws_earliest_expiry_first(res):
    late = stock(res.west_wh, res.water, 10, days=300, lot="L2").lot
    early = stock(res.west_wh, res.water, 5, days=10, lot="L1").lot
    never = stock(res.west_wh, res.water, 7, lot="L3").lot
    mv = services.issue_stock(
        None, warehouse=res.west_wh, material=res.water, quantity=8, incident_ref="INC-1"
    )
    assert mv.kind == "issue" and mv.quantity == Decimal("8.00") and mv.incident_ref == "INC-1"
    assert [x["lot"] for x in mv.lots] == [early.pk, late.pk]
    for lot in (early, late, never):
        lot.refresh_from_db()
    assert (early.quantity, late.quantity, never.quantity) == (0, 7, 7)
    assert services.held(res.west_wh, res.water) == Decimal(14)
    assert all(line.ok for line in services.reconcile([res.west_wh]))


def test_over_issue_refused_nothing_changed(res):
    stock(res.west_wh, res.tent, 3, days=100)
    before = StockMovement.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.issue_stock(None, warehouse=res.west_wh, material=res.tent, quantity=4)
    assert "quantity" in exc.value.message_dict
    assert StockMovement.objects.count() == before
    assert services.held(res.west_wh, res.tent) == 3


@pytest.mark.parametrize("bad", [0, -1, "abc", "1.234", "NaN", "inf"])
def test_bad_quantities_refused(res, bad):
    stock(res.west_wh, res.tent, 3)
    with pytest.raises(ValidationError):
        services.issue_stock(None, warehouse=res.west_wh, material=res.tent, quantity=bad)
    with pytest.raises(ValidationError):
        services.receive_stock(None, warehouse=res.west_wh, material=res.tent, quantity=bad)


def test_transfer_is_out_and_in_keeping_expiry(res):
    exp_lot = stock(res.west_wh, res.water, 6, days=5, lot="W1").lot
    out, into = services.transfer_stock(
        None, source=res.west_wh, target=res.east_wh, material=res.water, quantity=4
    )
    assert (out.kind, into.kind) == ("transfer_out", "transfer_in")
    assert out.group == into.group and out.counterpart == res.east_wh
    arrived = StockLot.objects.get(warehouse=res.east_wh, material=res.water)
    assert arrived.quantity == 4 and arrived.expires_on == exp_lot.expires_on
    assert arrived.lot_no == "W1"
    assert services.held(res.west_wh, res.water) == 2
    assert all(line.ok for line in services.reconcile([res.west_wh, res.east_wh]))


def test_transfer_atomic_when_short(res):
    stock(res.west_wh, res.water, 2)
    n = StockMovement.objects.count()
    lots = StockLot.objects.count()
    with pytest.raises(ValidationError):
        services.transfer_stock(
            None, source=res.west_wh, target=res.east_wh, material=res.water, quantity=3
        )
    assert StockMovement.objects.count() == n and StockLot.objects.count() == lots


def test_transfer_atomic_when_target_refused(res, users):
    """The west officer may take from the west but not put into the east: nothing moves."""
    stock(res.west_wh, res.water, 5)
    n = StockMovement.objects.count()
    with pytest.raises(PermissionDenied):
        services.transfer_stock(
            users.west_officer,
            source=res.west_wh,
            target=res.east_wh,
            material=res.water,
            quantity=3,
        )
    assert StockMovement.objects.count() == n
    assert services.held(res.west_wh, res.water) == 5


def test_ledger_rows_are_append_only(res):
    mv = stock(res.west_wh, res.water, 5)
    mv.note = "changed"
    with pytest.raises(AppendOnly):
        mv.save()
    with pytest.raises(AppendOnly):
        mv.delete()


def test_reconcile_flags_a_lot_changed_outside_the_ledger(res):
    lot = stock(res.west_wh, res.tent, 10).lot
    stock(res.west_wh, res.water, 10)
    services.issue_stock(None, warehouse=res.west_wh, material=res.tent, quantity=3)
    StockLot.objects.filter(pk=lot.pk).update(quantity=Decimal(8))
    lines = {line.material_id: line for line in services.reconcile([res.west_wh])}
    bad = lines[res.tent.pk]
    assert (bad.opening, bad.inbound, bad.outbound, bad.closing, bad.on_hand) == (0, 10, 3, 7, 8)
    assert not bad.ok
    assert lines[res.water.pk].ok


def test_reconcile_with_opening_balance(res):
    stock(res.west_wh, res.tent, 10)
    since = dt.datetime(2099, 1, 1, tzinfo=dt.UTC)
    line = services.reconcile([res.west_wh], since=since)[0]
    assert (line.opening, line.inbound, line.outbound, line.on_hand) == (10, 0, 0, 10)
    assert line.ok
    past = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    services.issue_stock(None, warehouse=res.west_wh, material=res.tent, quantity=1)
    line = services.reconcile([res.west_wh], since=past)[0]
    assert line.ok and line.closing == 9


def test_donation_is_inbound(res):
    mv = services.receive_stock(
        None, warehouse=res.east_wh, material=res.tent, quantity=5, donor="某爱心企业"
    )
    assert mv.kind == "donation" and mv.donor == "某爱心企业"
    assert services.held(res.east_wh, res.tent) == 5


def test_stocktake_adjusts_and_still_reconciles(res, users):
    a = stock(res.west_wh, res.tent, 10).lot
    b = stock(res.west_wh, res.water, 4).lot
    take = services.record_stocktake(
        users.west_officer, warehouse=res.west_wh, counts={a.pk: "8", b.pk: 6}
    )
    kinds = sorted(take.movements.values_list("kind", "quantity"))
    assert kinds == [("adjust_in", Decimal("2.00")), ("adjust_out", Decimal("2.00"))]
    assert len(take.lines) == 2
    assert services.held(res.west_wh, res.tent) == 8
    assert all(line.ok for line in services.reconcile([res.west_wh]))


def test_stocktake_refuses_foreign_lot_and_negative(res):
    east_lot = stock(res.east_wh, res.tent, 1).lot
    own = stock(res.west_wh, res.tent, 1).lot
    with pytest.raises(ValidationError):
        services.record_stocktake(None, warehouse=res.west_wh, counts={east_lot.pk: 1})
    with pytest.raises(ValidationError):
        services.record_stocktake(None, warehouse=res.west_wh, counts={own.pk: -1})


def test_street_officer_cannot_issue_from_another_street(res, users):
    stock(res.east_wh, res.tent, 5)
    with pytest.raises(PermissionDenied):
        services.issue_stock(
            users.west_officer, warehouse=res.east_wh, material=res.tent, quantity=1
        )
    assert services.held(res.east_wh, res.tent) == 5
    stock(res.west_wh, res.tent, 5)
    services.issue_stock(users.west_officer, warehouse=res.west_wh, material=res.tent, quantity=1)
    with pytest.raises(PermissionDenied):
        services.issue_stock(users.viewer, warehouse=res.west_wh, material=res.tent, quantity=1)


def test_rotation_alerts_raise_and_resolve(res):
    today = dt.date(2030, 1, 1)
    soon = stock(res.west_wh, res.water, 5, days=10).lot
    stock(res.west_wh, res.water, 5, days=200)
    stock(res.west_wh, res.tent, 5)  # no expiry
    result = services.raise_rotation_alerts(today=today, days=30)
    assert result == {"raised": 1, "resolved": 0, "open": 1}
    assert services.raise_rotation_alerts(today=today, days=30)["raised"] == 0  # idempotent
    assert soon.rotation_alert.resolved_at is None
    services.issue_stock(None, warehouse=res.west_wh, material=res.water, quantity=5)
    result = services.raise_rotation_alerts(today=today, days=30)
    assert result["resolved"] == 1 and result["open"] == 0
