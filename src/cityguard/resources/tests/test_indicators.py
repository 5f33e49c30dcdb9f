"""Indicators on a small known dataset."""

from __future__ import annotations

import pytest

from cityguard.core.models import Jurisdiction
from cityguard.resources import indicators, services
from cityguard.resources.models import StockLot

from .conftest import stock

pytestmark = pytest.mark.django_db

WEST = "310110001"


def test_shelter_and_team_indicators(res, users):
    # west shelter 500 free; east 2000 − 100 = 1900 free.
    assert indicators.shelter_free_places(None, None) == 2400
    assert indicators.shelter_free_places(None, WEST) == 500
    assert indicators.shelter_free_places(users.west_officer, None) == 500
    assert indicators.available_teams(None, None) == 2
    assert indicators.available_team_members(None, None) == 50
    services.set_team_status(None, res.east_team, "dispatched")
    assert indicators.available_teams(None, None) == 1
    assert indicators.available_teams(None, "nope") == 0
    assert indicators.shelter_places_per_1000(None, None) is None
    Jurisdiction.objects.filter(code=WEST).update(population=10_000)
    assert indicators.shelter_places_per_1000(None, WEST) == 50.0


def test_stock_indicators(res):
    lot = stock(res.west_wh, res.water, 5, days=-100_000).lot  # long expired
    stock(res.east_wh, res.water, 5)
    assert indicators.expiring_lots(None, None) == 1
    assert indicators.expiring_lots(None, "310110002") == 0
    assert indicators.ledger_mismatches(None, None) == 0
    StockLot.objects.filter(pk=lot.pk).update(quantity=1)
    assert indicators.ledger_mismatches(None, WEST) == 1
