"""Figures of the duties app for the indicators registry.

`duty-task-completion`: tasks of the duty lists done on time ÷ tasks due in the month (%).
For a street: that street's task list; for the district: every unit's (departments and
streets).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cityguard.core.models import Jurisdiction
from cityguard.indicators.registry import Indicator, Period, declare

from . import services
from .models import DutyItem


def task_completion(user: Any, street: str | None, period: Period) -> float | None:
    qs = DutyItem.objects.all() if user is None else DutyItem.objects.visible_to(user)
    qs = qs.tasks()  # type: ignore[attr-defined]
    if street:
        node = Jurisdiction.objects.filter(code=street).first()
        if node is None:
            return None
        qs = qs.filter(street__path__startswith=node.path)
    due, on_time, _late, _overdue = services.counts(qs, period.start, period.end)
    return services.rate(on_time, due)


declare(
    Indicator(
        code="duty-task-completion",
        name=_("Duty task completion rate"),
        unit="%",
        target=100.0,
        comparison=">=",
        binding=False,
        source=_("Duty lists: tasks done on time ÷ tasks due in the month"),
        compute=task_completion,
        order=210,
    )
)
