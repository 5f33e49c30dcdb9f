"""Keep the nearest-resource indexes fresh whatever saves a resource (services, admin,
another app): each save or delete bumps the version of the kind it belongs to."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import FireStation, Shelter, StockLot, Team, Warehouse

KINDS: dict[type, str] = {
    Team: "team",
    Warehouse: "warehouse",
    StockLot: "warehouse",
    Shelter: "shelter",
    FireStation: "fire_station",
}


@receiver(post_save)
@receiver(post_delete)
def _bump_index(sender: type, **kwargs: Any) -> None:
    kind = KINDS.get(sender)
    if kind is not None:
        from .services import bump

        bump(kind)
