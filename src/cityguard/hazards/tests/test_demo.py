"""The demo loader: deterministic, consistent with the lifecycle, and shaped for charts."""

from __future__ import annotations

from typing import Any

from cityguard import testing
from cityguard.hazards import demo, lifecycle
from cityguard.hazards.models import (
    Hazard,
    HazardEvent,
    Inspection,
    InspectionResult,
    LookBackDue,
    RectificationPlan,
    Tip,
)


def _orgs(users: Any, n: int = 6) -> None:
    for i in range(n):
        testing.make_organization(
            users.admin, f"演示企业{i}", 121.505 + i * 0.008, 31.265 + (i % 3) * 0.015
        )


def test_demo_loads_consistent_records(users: Any) -> None:
    _orgs(users)
    counts = demo.load_demo(scale=0.04, seed=5)
    assert counts["hazards"] == Hazard.objects.count() >= 100
    assert counts["hazard_events"] == HazardEvent.objects.count()
    assert counts["inspections"] == Inspection.objects.count() > 0
    assert counts["tips"] == Tip.objects.count() > 0
    assert counts["lookback_dues"] == LookBackDue.objects.count()
    assert counts["rectification_plans"] == RectificationPlan.objects.count()
    states = set(Hazard.objects.values_list("state", flat=True))
    assert states == set(lifecycle.STATES)
    assert Hazard.objects.filter(street__isnull=False).count() == Hazard.objects.count()
    assert len(set(Hazard.objects.values_list("street_id", flat=True))) == 2
    assert len(set(Hazard.objects.values_list("domain__code", flat=True))) >= 5
    for hazard in Hazard.objects.all()[:200]:
        kinds = [e.kind for e in hazard.events.exclude(kind="escalate")]
        steps = ["report", "assign", "start", "submit", "verify"]
        assert kinds == steps[: len(kinds)]
        assert hazard.is_open == (hazard.state != "closed")
        expected_steps = lifecycle.STATES.index(hazard.state)
        assert len(kinds) == expected_steps + 1
        if hazard.escalated_at:
            assert hazard.is_open and hazard.events.filter(kind="escalate").exists()
    closed = Hazard.objects.filter(state="closed")
    assert (
        closed.filter(closed_on_time=True).exists() and closed.filter(closed_on_time=False).exists()
    )
    assert InspectionResult.objects.filter(outcome="fail", hazard__isnull=False).exists() or not (
        InspectionResult.objects.filter(outcome="fail").exists()
    )
    # Major hazards past the assignment have a plan.
    assert not Hazard.objects.filter(
        severity="major", state__in=["rectifying", "verifying"], plan__isnull=True
    ).exists()


def test_demo_is_deterministic(users: Any) -> None:
    _orgs(users)
    demo.load_demo(scale=0.02, seed=9)
    first = list(
        Hazard.objects.order_by("id").values_list(
            "title", "state", "severity", "deadline", "organization_id"
        )
    )
    Tip.objects.all().delete()
    InspectionResult.objects.all().delete()
    LookBackDue.objects.all().delete()
    Hazard.objects.all().delete()
    Inspection.objects.all().delete()
    demo.load_demo(scale=0.02, seed=9)
    second = list(
        Hazard.objects.order_by("id").values_list(
            "title", "state", "severity", "deadline", "organization_id"
        )
    )
    assert first == second
