"""Figures of the duties app for the indicators registry.

`duty-task-completion`: tasks of the duty lists done on time ÷ tasks due in the month (%).
For a street: that street's task list; for the district: every unit's (departments and
streets).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from cityguard.core.figures import per_street, street_of
from cityguard.core.models import Jurisdiction
from cityguard.indicators.registry import Indicator, Period, declare

from . import services
from .models import DutyItem


def _tasks(user: Any) -> Any:
    qs = DutyItem.objects.all() if user is None else DutyItem.objects.visible_to(user)
    return qs.tasks()  # type: ignore[attr-defined]


def task_completion_by_street(user: Any, period: Period) -> dict[str, float | None]:
    """Every street's completion rate from one query: the tasks of each street's list."""
    found: dict[str, float | None] = {}
    for code, (due, on_time, _late, _overdue) in services.counts_by(
        _tasks(user), period.start, period.end, "street__path", street_of
    ).items():
        if code is not None:
            found[code] = services.rate(on_time, due)
    return per_street(found, None)


def task_completion(user: Any, street: str | None, period: Period) -> float | None:
    qs = _tasks(user)
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
        by_street=task_completion_by_street,
        order=210,
    )
)
