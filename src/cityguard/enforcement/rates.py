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
from cityguard.core.figures import counts_by_street, street_of
from cityguard.core.models import Jurisdiction, Organization
from cityguard.core.workdays import WorkingCalendar

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


# Each rate is computed over rows carrying a key: None for the area asked for, or the street
# code from the row's jurisdiction path for the `*_by_street` forms (rows above street level
# are left out there), so that a street's figure is the same either way.
Keyed = dict["str | None", Rate]


def _key(by_street: bool, path: str | None) -> str | None:
    return street_of(path) if by_street else None


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
    return _publicity(_issued(user, street, start, end), False).get(None, Rate(0, 0))


def publicity_by_street(user: Any, start: dt.date, end: dt.date) -> Keyed:
    return _publicity(_issued(user, None, start, end), True)


def _publicity(qs: QuerySet, by_street: bool) -> Keyed:
    days = config.publish_days()
    today = timezone.localdate()
    issued = [
        (pk, at, _key(by_street, path))
        for pk, at, path in qs.values_list("pk", "issued_at", "case__jurisdiction__path")
    ]
    earliest: dict[int, dt.date] = {}
    for pk, day in Publication.objects.filter(
        decision_id__in=[pk for pk, _at, _k in issued]
    ).values_list("decision_id", "published_on"):
        earliest[pk] = min(day, earliest.get(pk, day))
    counts: dict[str | None, list[int]] = {}
    issue_days = [timezone.localdate(at) for _pk, at, _k in issued]
    calendar = (
        WorkingCalendar.covering(min(issue_days), max(issue_days), days) if issue_days else None
    )
    for (pk, _at, key), issued_on in zip(issued, issue_days, strict=True):
        if by_street and key is None:
            continue
        entry = counts.setdefault(key, [0, 0])
        assert calendar is not None
        due = calendar.add(issued_on, days)
        published = earliest.get(pk)
        if published is None and due >= today:
            continue  # still inside its window
        entry[1] += 1
        if published is not None and published <= due:
            entry[0] += 1
    return {key: Rate(num, den) for key, (num, den) in counts.items()}


def recording(user: Any, street: str | None, start: dt.date, end: dt.date) -> Rate:
    return _recording(_concluded(user, street, start, end), False).get(None, Rate(0, 0))


def recording_by_street(user: Any, start: dt.date, end: dt.date) -> Keyed:
    return _recording(_concluded(user, None, start, end), True)


def _concluded(user: Any, street: str | None, start: dt.date, end: dt.date) -> QuerySet:
    return _scoped(
        Case.objects.filter(concluded_at__gte=_aware(start), concluded_at__lt=_aware(end)),
        user,
        street,
        "jurisdiction__path",
    )


def _recording(cases: QuerySet, by_street: bool) -> Keyed:
    keys = {pk: _key(by_street, path) for pk, path in cases.values_list("pk", "jurisdiction__path")}
    if by_street:
        keys = {pk: key for pk, key in keys.items() if key is not None}
    ids = list(keys)
    if not ids:
        return {}
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
    counts: dict[str | None, list[int]] = {}
    for case_id in ids:
        entry = counts.setdefault(keys[case_id], [0, 0])
        entry[1] += 1
        needed = [
            EventKind.CLOSED if s == EventKind.DECISION and case_id not in decided else s
            for s in steps
        ]
        if all(s in with_evidence.get(case_id, set()) for s in needed):
            entry[0] += 1
    return {key: Rate(num, den) for key, (num, den) in counts.items()}


def legal_review(user: Any, street: str | None, start: dt.date, end: dt.date) -> Rate:
    return _legal_review(_issued(user, street, start, end), False).get(None, Rate(0, 0))


def legal_review_by_street(user: Any, start: dt.date, end: dt.date) -> Keyed:
    return _legal_review(_issued(user, None, start, end), True)


def _legal_review(qs: QuerySet, by_street: bool) -> Keyed:
    keys: dict[int, str | None] = {}
    issued_at: dict[int, dt.datetime] = {}
    for pk, at, path in qs.filter(is_major=True).values_list(
        "pk", "issued_at", "case__jurisdiction__path"
    ):
        key = _key(by_street, path)
        if by_street and key is None:
            continue
        keys[pk] = key
        issued_at[pk] = at
    latest: dict[int, tuple[dt.datetime, str]] = {}
    for decision_id, at, outcome in LegalReview.objects.filter(
        decision_id__in=issued_at
    ).values_list("decision_id", "reviewed_at", "outcome"):
        if at > issued_at[decision_id]:
            continue
        if decision_id not in latest or at >= latest[decision_id][0]:
            latest[decision_id] = (at, outcome)
    counts: dict[str | None, list[int]] = {}
    for pk in issued_at:
        entry = counts.setdefault(keys[pk], [0, 0])
        entry[1] += 1
        if latest.get(pk, (None, ""))[1] == ReviewOutcome.PASSED:
            entry[0] += 1
    return {key: Rate(num, den) for key, (num, den) in counts.items()}


def three_rates(user: Any, street: str | None, start: dt.date, end: dt.date) -> dict[str, Rate]:
    return {
        "publicity": publicity(user, street, start, end),
        "recording": recording(user, street, start, end),
        "legal_review": legal_review(user, street, start, end),
    }


def qualified_staff(user: Any, street: str | None, on: dt.date) -> Rate:
    """Officers in service (on record by `on`) qualified on `on` ÷ all of them."""
    staff = _staff(user, street, on)
    return Rate(staff.filter(qualified_q(on)).count(), staff.count())


def _staff(user: Any, street: str | None, on: dt.date) -> QuerySet:
    return _scoped(
        Officer.objects.filter(is_active=True, created_at__lt=_aware(on + dt.timedelta(days=1))),
        user,
        street,
        "jurisdiction__path",
    )


def qualified_staff_by_street(user: Any, on: dt.date) -> Keyed:
    staff = _staff(user, None, on)
    total = counts_by_street(staff, "jurisdiction__path")
    qualified = counts_by_street(staff.filter(qualified_q(on)), "jurisdiction__path")
    return {code: Rate(qualified.get(code, 0), n) for code, n in total.items()}


def complex_compliance(user: Any, street: str | None, start: dt.date, end: dt.date) -> Rate:
    """Large commercial complexes whose latest fire-safety enforcement inspection in the
    range passed (no open finding) ÷ all active complexes (uninspected ones count as not
    compliant)."""
    complexes = _complexes(user, street)
    return _complex_compliance(complexes, False, start, end).get(None, Rate(0, 0))


def _complexes(user: Any, street: str | None) -> QuerySet:
    return _scoped(
        Organization.objects.filter(kind=OrganizationKind.COMMERCIAL_COMPLEX, is_active=True),
        user,
        street,
        "jurisdiction__path",
    )


def complex_compliance_by_street(user: Any, start: dt.date, end: dt.date) -> Keyed:
    return _complex_compliance(_complexes(user, None), True, start, end)


def _complex_compliance(
    complexes: QuerySet, by_street: bool, start: dt.date, end: dt.date
) -> Keyed:
    keys = {
        pk: _key(by_street, path) for pk, path in complexes.values_list("pk", "jurisdiction__path")
    }
    if by_street:
        keys = {pk: key for pk, key in keys.items() if key is not None}
    ids = list(keys)
    if not ids:
        return {}
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
    counts: dict[str | None, list[int]] = {}
    for org_id in ids:
        counts.setdefault(keys[org_id], [0, 0])[1] += 1
    for org_id, pk in latest.items():
        if pk not in failing:
            counts[keys[org_id]][0] += 1
    return {key: Rate(num, den) for key, (num, den) in counts.items()}
