"""Keeping identifications current when the population data they were estimated from
changes: a jurisdiction whose population or boundary changes re-identifies the units below
it that have no population of their own (in the background, after the commit)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from cityguard.core.models import Jurisdiction

from .models import Unit


@receiver(pre_save, sender=Jurisdiction)
def _remember(sender: Any, instance: Jurisdiction, **kwargs: Any) -> None:
    if instance.pk is None:
        instance._chem_before = None  # type: ignore[attr-defined]
        return
    instance._chem_before = (  # type: ignore[attr-defined]
        Jurisdiction.objects.filter(pk=instance.pk).values_list("population", "boundary").first()
    )


@receiver(post_save, sender=Jurisdiction)
def _population_changed(sender: Any, instance: Jurisdiction, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_chem_before", None)
    if created or before is None or before == (instance.population, instance.boundary):
        return
    path = instance.path
    if not Unit.objects.filter(
        jurisdiction__path__startswith=path, exposed_population__isnull=True, is_active=True
    ).exists():
        return
    from . import tasks

    transaction.on_commit(lambda: tasks.recompute_estimated(path))
