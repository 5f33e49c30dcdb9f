"""The "three 100 %" of enforcement and the figures behind plan indicators 6 and 8.

Each function takes `user` (None: the whole district; a user: what they may see),
`street` (a street's jurisdiction code, or None) and a date range [start, end).

- publicity: decisions issued in the range that were published within the configured
  working days ÷ decisions issued in the range (a decision still inside its window and
  not yet published is left out of both until its window ends);
- full recording: cases concluded in the range whose required steps each have an event
  with evidence ÷ cases concluded (a case closed without a decision needs its closing
  step instead of the decision);
- legal review: major decisions issued in the range whose latest review before issue
  passed ÷ major decisions issued in the range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from cityguard.core.choices import OrganizationKind
from cityguard.core.models import Jurisdiction, Organization

from . import config
from .choices import DecisionState, EventKind, InspectionType, ReviewOutcome
from .models import (
    Case,
    CaseEvent,
    Decision,
    Finding,
    Inspection,
    LegalReview,
    Officer,
    Publication,
    open_finding_q,
    qualified_q,
)
from .services import add_working_days


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        if not self.denominator:
            return None
        return round(self.numerator * 100.0 / self.denominator, 1)


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _scoped(qs: QuerySet, user: Any, street: str | None, path_field: str) -> QuerySet:
    if user is not None:
        qs = qs.visible_to(user)  # type: ignore[attr-defined]
    if street:
        node = Jurisdiction.objects.filter(code=street).first()
        if node is None:
            return qs.none()
        qs = qs.filter(**{f"{path_field}__startswith": node.path})
    return qs


def _issued(user: Any, street: str | None, start: dt.date, end: dt.date) -> QuerySet:
    return _scoped(
        Decision.objects.filter(
            state=DecisionState.ISSUED, issued_at__gte=_aware(start), issued_at__lt=_aware(end)
        ),
        user,
        street,
        "case__jurisdiction__path",
    )


def publicity(user: Any, street: str | None, start: dt.date, end: dt.date) -> Rate:
    days = config.publish_days()
    today = timezone.localdate()
    issued = list(_issued(user, street, start, end).values_list("pk", "issued_at"))
    earliest: dict[int, dt.date] = {}
    for pk, day in Publication.objects.filter(
        decision_id__in=[pk for pk, _at in issued]
    ).values_list("decision_id", "published_on"):
        earliest[pk] = min(day, earliest.get(pk, day))
    num = den = 0
    for pk, at in issued:
        due = add_working_days(timezone.localdate(at), days)
        published = earliest.get(pk)
        if published is None and due >= today:
            continue  # still inside its window
        den += 1
        if published is not None and published <= due:
            num += 1
    return Rate(num, den)


def recording(user: Any, street: str | None, start: dt.date, end: dt.date) -> Rate:
    cases = _scoped(
        Case.objects.filter(concluded_at__gte=_aware(start), concluded_at__lt=_aware(end)),
        user,
        street,
        "jurisdiction__path",
    )
    ids = list(cases.values_list("pk", flat=True))
    if not ids:
        return Rate(0, 0)
    decided = set(
        Decision.objects.filter(case_id__in=ids, state=DecisionState.ISSUED).values_list(
            "case_id", flat=True
        )
    )
    with_evidence: dict[int, set[str]] = {}
    for case_id, kind in (
        CaseEvent.objects.filter(case_id__in=ids, evidence__isnull=False)
        .values_list("case_id", "kind")
        .distinct()
    ):
        with_evidence.setdefault(case_id, set()).add(kind)
    steps = config.recorded_steps()
    num = 0
    for case_id in ids:
        needed = [
            EventKind.CLOSED if s == EventKind.DECISION and case_id not in decided else s
            for s in steps
        ]
        if all(s in with_evidence.get(case_id, set()) for s in needed):
            num += 1
    return Rate(num, len(ids))


def legal_review(user: Any, street: str | None, start: dt.date, end: dt.date) -> Rate:
    major = list(
        _issued(user, street, start, end).filter(is_major=True).values_list("pk", "issued_at")
    )
    latest: dict[int, tuple[dt.datetime, str]] = {}
    issued_at = dict(major)
    for decision_id, at, outcome in LegalReview.objects.filter(
        decision_id__in=issued_at
    ).values_list("decision_id", "reviewed_at", "outcome"):
        if at > issued_at[decision_id]:
            continue
        if decision_id not in latest or at >= latest[decision_id][0]:
            latest[decision_id] = (at, outcome)
    num = sum(1 for pk in issued_at if latest.get(pk, (None, ""))[1] == ReviewOutcome.PASSED)
    return Rate(num, len(major))


def three_rates(user: Any, street: str | None, start: dt.date, end: dt.date) -> dict[str, Rate]:
    return {
        "publicity": publicity(user, street, start, end),
        "recording": recording(user, street, start, end),
        "legal_review": legal_review(user, street, start, end),
    }


def qualified_staff(user: Any, street: str | None, on: dt.date) -> Rate:
    """Officers in service (on record by `on`) qualified on `on` ÷ all of them."""
    staff = _scoped(
        Officer.objects.filter(is_active=True, created_at__lt=_aware(on + dt.timedelta(days=1))),
        user,
        street,
        "jurisdiction__path",
    )
    return Rate(staff.filter(qualified_q(on)).count(), staff.count())


def complex_compliance(user: Any, street: str | None, start: dt.date, end: dt.date) -> Rate:
    """Large commercial complexes whose latest fire-safety enforcement inspection in the
    range passed (no open finding) ÷ all active complexes (uninspected ones count as not
    compliant)."""
    complexes = _scoped(
        Organization.objects.filter(kind=OrganizationKind.COMMERCIAL_COMPLEX, is_active=True),
        user,
        street,
        "jurisdiction__path",
    )
    ids = list(complexes.values_list("pk", flat=True))
    if not ids:
        return Rate(0, 0)
    latest: dict[int, int] = {}
    for org_id, pk in (
        Inspection.objects.filter(
            organization_id__in=ids,
            inspection_type=InspectionType.FIRE_SAFETY,
            date__gte=start,
            date__lt=end,
        )
        .order_by("organization_id", "-date", "-id")
        .values_list("organization_id", "pk")
    ):
        latest.setdefault(org_id, pk)
    failing = set(
        Finding.objects.filter(inspection_id__in=latest.values())
        .filter(open_finding_q())
        .values_list("inspection_id", flat=True)
    )
    passed = sum(1 for pk in latest.values() if pk not in failing)
    return Rate(passed, len(ids))
