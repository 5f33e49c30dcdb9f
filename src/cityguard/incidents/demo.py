"""Demo data of the incidents app: past incidents (closed, with their timelines, tasks from
the matching plan and lessons) and a couple still in progress.

Deterministic for a seed: sites are picked with a seeded `random.Random` from the
organisations with a location, in primary-key order; times are offsets from now. Written
in bulk; the level of each incident comes from `grading.grade` like in the services, and
each timeline is what the services would have written. Load the plans demo first so the
incidents can be linked to their plans.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from cityguard.core.models import Organization

from . import grading
from .choices import SUBTYPES, EventKind, Status, TaskStatus, type_of_subtype
from .models import Incident, IncidentEvent, Task

CHANGE_REASON = "demo"
PER_SCALE = 6

# subtype, title pattern, (deaths, injuries, loss) choices, chemical
KINDS: list[tuple[str, str, list[tuple[int, int, int]], str]] = [
    ("hazardous_chemical_release", "{org}氯气泄漏", [(0, 2, 300_000), (0, 12, 2_000_000)], "氯气"),
    ("fire", "{org}仓库火灾", [(0, 0, 800_000), (1, 3, 12_000_000)], ""),
    ("gas", "{org}燃气泄漏", [(0, 1, 50_000)], ""),
    ("special_equipment", "{org}电梯困人", [(0, 0, 0)], ""),
    ("construction", "{org}脚手架坍塌", [(3, 4, 5_000_000), (0, 2, 600_000)], ""),
    ("flood", "{org}周边积水", [(0, 0, 200_000)], ""),
]
LESSONS = [
    "加强危化品储罐日常巡检，完善泄漏报警联动。",
    "员工疏散演练频次不足，需每季度组织一次。",
    "应急物资存放位置不合理，取用耗时过长。",
]


def _plan_for(subtype: str, level: int) -> Any:
    from cityguard.plans.models import EmergencyPlan

    kind = type_of_subtype(subtype) or "accident"
    for plan in EmergencyPlan.objects.filter(is_active=True, organization__isnull=True).order_by(
        "-kind", "pk"
    ):
        if plan.subtypes and plan.covers(kind, subtype, level):
            return plan
    return None


@transaction.atomic
def load_demo(*, scale: float = 1.0, seed: int = 2021) -> dict[str, int]:
    rng = random.Random(seed)
    sites = list(
        Organization.objects.filter(lon__isnull=False, lat__isnull=False).order_by("pk")[:2000]
    )
    if not sites:
        return {"incidents": 0, "events": 0, "tasks": 0}
    now = timezone.now()
    n = max(1, round(PER_SCALE * scale))
    incidents: list[Incident] = []
    for i in range(n):
        org = rng.choice(sites)
        subtype, pattern, figures, chemical = KINDS[i % len(KINDS)]
        deaths, injuries, loss = rng.choice(figures)
        g = grading.grade(deaths, injuries, loss)
        occurred = now - dt.timedelta(days=rng.randint(5, 400), minutes=rng.randint(0, 1440))
        active = i >= n - 2 and n > 2
        kind = type_of_subtype(subtype) or "accident"
        assert subtype in SUBTYPES[kind]
        incidents.append(
            Incident(
                title=pattern.format(org=org.name),
                description="演示数据：接报后属地街道和相关部门赶赴现场处置。",
                source=rng.choice(["phone", "app", "sensor_alarm", "tip"]),
                type=kind,
                subtype=subtype,
                address=org.address,
                lon=org.lon,
                lat=org.lat,
                jurisdiction_id=org.jurisdiction_id,
                occurred_at=occurred if not active else now - dt.timedelta(hours=2 + i),
                reported_at=(occurred if not active else now - dt.timedelta(hours=2 + i))
                + dt.timedelta(minutes=6),
                deaths=deaths,
                serious_injuries=injuries,
                direct_loss_cny=loss,
                level=g.level,
                level_criterion=g.criterion,
                status=Status.RESPONDING if active else Status.CLOSED,
                chemical=chemical,
                release_rate_g_s=500.0 if chemical else None,
                source_height_m=2.0 if chemical else None,
                lessons="" if active else rng.choice(LESSONS),
            )
        )
    incidents = bulk_create_with_history(incidents, Incident, default_change_reason=CHANGE_REASON)
    events: list[IncidentEvent] = []
    tasks: list[Task] = []
    for inc in incidents:
        t = inc.reported_at
        events.append(
            IncidentEvent(
                incident=inc,
                at=t,
                kind=EventKind.REPORTED,
                text=inc.description,
                data={"source": inc.source, "level": 4, "alarm_ref": ""},
            )
        )
        if inc.level != 4:
            t += dt.timedelta(minutes=40)
            changes = {
                f: [0, getattr(inc, f)]
                for f in ("deaths", "serious_injuries", "direct_loss_cny")
                if getattr(inc, f)
            }
            events.append(
                IncidentEvent(incident=inc, at=t, kind=EventKind.FIGURES, data={"changes": changes})
            )
            events.append(
                IncidentEvent(
                    incident=inc,
                    at=t,
                    kind=EventKind.LEVEL,
                    data={"from": 4, "to": inc.level, "criterion": inc.level_criterion},
                )
            )
        plan = _plan_for(inc.subtype, inc.level)
        if plan is not None:
            rl = plan.response_levels.filter(level=inc.level).first()
            actions = list(rl.actions.all()) if rl else []
            t += dt.timedelta(minutes=10)
            inc.plan, inc.response_level, inc.activated_at = plan, inc.level, t
            events.append(
                IncidentEvent(
                    incident=inc,
                    at=t,
                    kind=EventKind.ACTIVATED,
                    data={
                        "plan": plan.pk,
                        "plan_title": plan.title,
                        "response_level": inc.level,
                        "tasks": len(actions),
                    },
                )
            )
            closed = inc.status == Status.CLOSED
            for j, a in enumerate(actions):
                done = closed or rng.random() < 0.4
                tasks.append(
                    Task(
                        incident=inc,
                        action_item=a,
                        text=a.text,
                        responsible_role=a.responsible_role,
                        status=TaskStatus.DONE if done else TaskStatus.OPEN,
                        order=j,
                        done_at=t + dt.timedelta(hours=1 + j) if done else None,
                    )
                )
                if done:
                    events.append(
                        IncidentEvent(
                            incident=inc,
                            at=t + dt.timedelta(hours=1 + j),
                            kind=EventKind.TASK,
                            text=a.text[:500],
                            data={"from": "open", "to": "done"},
                        )
                    )
        if inc.status == Status.CLOSED:
            t += dt.timedelta(hours=8)
            inc.closed_at = t
            events.append(
                IncidentEvent(incident=inc, at=t, kind=EventKind.CLOSED, data={"open_tasks": 0})
            )
            events.append(
                IncidentEvent(
                    incident=inc,
                    at=t + dt.timedelta(days=3),
                    kind=EventKind.LESSONS,
                    text=inc.lessons,
                )
            )
    Incident.objects.bulk_update(
        incidents, ["plan", "response_level", "activated_at", "closed_at"], batch_size=500
    )
    IncidentEvent.objects.bulk_create(events, batch_size=2000)
    Task.objects.bulk_create(tasks, batch_size=2000)
    return {"incidents": len(incidents), "events": len(events), "tasks": len(tasks)}
