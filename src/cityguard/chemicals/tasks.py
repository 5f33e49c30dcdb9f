"""Background and periodic jobs of the chemicals app (huey)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .choices import Trigger


def _user(user_id: int | None) -> Any:
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id).first()


@db_task()
def recompute_for_chemical(chemical_id: int, user_id: int | None = None) -> dict[str, int]:
    """Identify again every unit that holds the chemical (after a catalogue change)."""
    from . import services
    from .models import Unit

    units = Unit.objects.filter(inventories__chemical_id=chemical_id).distinct()
    result = services.recompute(units, actor=_user(user_id), trigger=Trigger.CATALOGUE)
    return {"units": result.units, "major": result.major, "changed": result.changed}


@db_task()
def recompute_estimated(path: str) -> dict[str, int]:
    """Identify again the units below a jurisdiction whose population is estimated from
    its population data (after that data changed)."""
    from . import services
    from .models import Unit

    units = Unit.objects.filter(
        jurisdiction__path__startswith=path, exposed_population__isnull=True, is_active=True
    )
    result = services.recompute(units, trigger=Trigger.POPULATION)
    return {"units": result.units, "major": result.major, "changed": result.changed}


@db_periodic_task(crontab(hour="6", minute="15"))
def licence_reminders() -> dict[str, int]:
    """Daily: reminders for licences expiring soon, flags for expired ones."""
    from . import licensing

    return licensing.raise_reminders()
