"""Operations of the permits app: apply, record a gas analysis, sign approval steps in the
statutory order, start, suspend, resume, close, cancel and expire a permit.

Each runs in a transaction. Only an enterprise's own managers apply for and sign its
permits (district and street staff read them for supervision). Refusals are
`PermissionDenied` (role or reach) or `ValidationError` with a field → messages dict (the
input or the permit's state); either way nothing is changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cityguard.core.access import reach, require_change
from cityguard.core.choices import PlaceKind, Role
from cityguard.core.models import Organization, Place
from cityguard.core.services import require_write

from . import config, rules
from .choices import EventKind, PermitState, WorkKind
from .models import Approval, GasTest, Permit, PermitEvent

Errors = dict[str, list[str]]

GAS_MESSAGES = {
    "combustible_missing": gettext_noop(
        "Give the combustible gas concentration and the gas's lower explosive limit."
    ),
    "combustible_high": gettext_noop(
        "Combustible gas above the limit (0.2 % vol where the LEL is below 4 %, 0.5 % vol "
        "where it is 4 % or more)."
    ),
    "o2_missing": gettext_noop("Give the oxygen concentration."),
    "o2_low": gettext_noop("Oxygen below 19.5 % vol."),
    "o2_high": gettext_noop("Oxygen above 21 % vol (23.5 % in an oxygen-rich atmosphere)."),
    "o2_high_equipment": gettext_noop(
        "Oxygen in the equipment above 23.5 % vol (hot work on oxygen equipment)."
    ),
    "toxic_high": gettext_noop("A toxic gas is above its limit."),
}

APPLY_FIELDS = {
    "organization",
    "kind",
    "grade",
    "place",
    "location",
    "hazardous_area",
    "content",
    "guardian",
    "workers",
    "hazards",
    "measures",
    "other_measures",
    "valid_from",
    "valid_to",
}


def _fail(errors: Errors) -> None:
    if errors:
        raise ValidationError(errors)


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _when(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "Y-m-d H:i")


def gas_message(code: str) -> str:
    return _(GAS_MESSAGES.get(code, gettext_noop("The gas analysis fails.")))


def is_org_manager(actor: Any, organization_id: int | None) -> bool:
    r = reach(actor)
    return (
        r.role == Role.ENTERPRISE_MANAGER
        and r.organization_id is not None
        and r.organization_id == organization_id
    )


def require_manager(actor: Any, permit: Permit) -> None:
    """Only the enterprise's own managers write its permits."""
    require_write(actor)
    if not is_org_manager(actor, permit.organization_id):
        raise PermissionDenied(
            _("Only the enterprise's own safety managers may apply for and sign its permits.")
        )
    require_change(actor, permit)


def _event(permit: Permit, kind: str, actor: Any, note: str = "", at: Any = None) -> None:
    PermitEvent.objects.create(
        permit=permit, kind=kind, actor=actor, note=note, at=at or timezone.now()
    )


def _save(permit: Permit, actor: Any) -> None:
    permit._history_user = actor  # type: ignore[attr-defined]
    permit.save()


def _clean_text(data: dict[str, Any], field: str, errors: Errors, required: bool = True) -> str:
    value = data.get(field)
    text = str(value or "").replace("\x00", "").strip()
    if required and not text:
        _add(errors, field, _("This field is required."))
    return text


@transaction.atomic
def apply(actor: Any, data: dict[str, Any]) -> Permit:
    """Apply for a permit; the approval chain of its kind and grade is laid out at once."""
    require_write(actor)
    unknown = set(data) - APPLY_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    errors: Errors = {}
    org = data.get("organization")
    if not isinstance(org, Organization):
        raise ValidationError({"organization": [_("No such organisation.")]})
    if not is_org_manager(actor, org.pk):
        raise PermissionDenied(
            _("Only the enterprise's own safety managers may apply for and sign its permits.")
        )
    kind = str(data.get("kind") or "")
    grade = str(data.get("grade") or "")
    if kind not in WorkKind.values:
        _add(errors, "kind", _("Choose the kind of work."))
    elif not rules.valid_grade(kind, grade):
        grades = rules.grades_of(kind)
        if grades:
            _add(
                errors,
                "grade",
                _("Choose the grade: %(grades)s.")
                % {"grades": ", ".join(str(rules.GRADE_LABELS[(kind, g)]) for g in grades)},
            )
        else:
            _add(errors, "grade", _("This kind of work has no grades."))
    place = data.get("place")
    if kind == rules.CONFINED_SPACE:
        if not isinstance(place, Place):
            _add(errors, "place", _("Choose the confined space from the registry."))
        elif place.kind != PlaceKind.CONFINED_SPACE:
            _add(errors, "place", _("“%(name)s” is not a confined space.") % {"name": place.name})
        elif place.organization_id != org.pk:
            _add(
                errors,
                "place",
                _("The confined space “%(name)s” does not belong to this organisation.")
                % {"name": place.name},
            )
    elif place is not None and (not isinstance(place, Place) or place.organization_id != org.pk):
        _add(errors, "place", _("The place does not belong to this organisation."))
    texts = {f: _clean_text(data, f, errors) for f in ("content", "guardian", "workers", "hazards")}
    location = _clean_text(data, "location", errors, required=not isinstance(place, Place))
    if not location and isinstance(place, Place):
        location = place.name
    other = _clean_text(data, "other_measures", errors, required=False)
    measures = [str(m) for m in (data.get("measures") or [])]
    if kind in WorkKind.values:
        known = [code for code, _label in rules.measures(kind)]
        bad = [m for m in measures if m not in known]
        if bad:
            _add(
                errors,
                "measures",
                _("Unknown safety measure: %(codes)s.") % {"codes": ", ".join(bad)},
            )
        missing = [str(label) for code, label in rules.measures(kind) if code not in measures]
        if missing:
            _add(
                errors,
                "measures",
                _("Confirm every safety measure before applying; missing: %(list)s.")
                % {"list": "; ".join(missing)},
            )
        measures = [code for code in known if code in measures]
    start, end = data.get("valid_from"), data.get("valid_to")
    if not isinstance(start, dt.datetime):
        _add(errors, "valid_from", _("Enter a date and time."))
    if not isinstance(end, dt.datetime):
        _add(errors, "valid_to", _("Enter a date and time."))
    if isinstance(start, dt.datetime) and isinstance(end, dt.datetime):
        if timezone.is_naive(start):
            start = timezone.make_aware(start)
        if timezone.is_naive(end):
            end = timezone.make_aware(end)
        if end <= start:
            _add(errors, "valid_to", _("The window must end after it starts."))
        elif end <= timezone.now():
            _add(errors, "valid_to", _("The window has already ended."))
        elif kind in WorkKind.values and not errors.get("grade"):
            limit = config.max_hours(kind, grade)
            hours = (end - start).total_seconds() / 3600
            if hours > limit + 1e-9:
                _add(
                    errors,
                    "valid_to",
                    _(
                        "A permit of this kind and grade is valid for at most %(max)s hours "
                        "(GB 30871-2022); this window is %(hours)s hours."
                    )
                    % {"max": f"{limit:g}", "hours": f"{hours:.1f}".rstrip("0").rstrip(".")},
                )
    _fail(errors)
    assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
    permit = Permit(
        number=f"TMP-{timezone.now().timestamp()}-{actor.pk}",
        organization=org,
        kind=kind,
        grade=grade,
        place=place if isinstance(place, Place) else None,
        location=location[:255],
        hazardous_area=bool(data.get("hazardous_area")),
        content=texts["content"],
        applicant=actor,
        guardian=texts["guardian"][:100],
        workers=texts["workers"],
        hazards=texts["hazards"],
        measures=measures,
        other_measures=other,
        valid_from=start,
        valid_to=end,
        state=PermitState.APPLIED,
    )
    require_change(actor, permit)
    _save(permit, actor)
    permit.number = f"ZY{timezone.localdate():%Y%m%d}-{permit.pk:05d}"
    _save(permit, actor)
    with translation.override("zh-hans"):  # the record keeps the role as the standard words it
        steps = [
            Approval(permit=permit, position=i, code=step.code, role=str(step.role))
            for i, step in enumerate(rules.chain(kind, grade), start=1)
        ]
    Approval.objects.bulk_create(steps)
    _event(permit, EventKind.APPLIED, actor)
    return permit


def _require_live(permit: Permit, states: tuple[str, ...], errors_field: str = "state") -> None:
    if permit.state not in states:
        raise ValidationError(
            {
                errors_field: [
                    _("Not possible while the permit is “%(state)s”.")
                    % {"state": permit.get_state_display()}  # type: ignore[attr-defined]
                ]
            }
        )


@transaction.atomic
def record_gas_test(actor: Any, permit: Permit, data: dict[str, Any]) -> GasTest:
    require_manager(actor, permit)
    _require_live(permit, ("applied", "approved", "in_progress", "suspended"))
    errors: Errors = {}
    at = data.get("analysed_at")
    if not isinstance(at, dt.datetime):
        _add(errors, "analysed_at", _("Enter a date and time."))
    else:
        if timezone.is_naive(at):
            at = timezone.make_aware(at)
        if at > timezone.now() + dt.timedelta(minutes=1):
            _add(errors, "analysed_at", _("An analysis cannot be in the future."))
    analyst = str(data.get("analyst") or "").replace("\x00", "").strip()
    if not analyst:
        _add(errors, "analyst", _("This field is required."))
    values: dict[str, float | None] = {}
    for field in ("o2_pct", "combustible_pct", "lel_pct"):
        value = data.get(field)
        if value is None or value == "":
            values[field] = None
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            _add(errors, field, _("Enter a number."))
            continue
        if not 0 <= number <= 100:
            _add(errors, field, _("A percentage lies between 0 and 100."))
        values[field] = number
    toxic: list[tuple[str, float, float]] = []
    for i, row in enumerate(data.get("toxic") or []):
        try:
            gas = str(row["gas"]).strip()[:40]
            measured, limit = float(row["value"]), float(row["limit"])
            if not gas or measured < 0 or limit <= 0:
                raise ValueError
        except (KeyError, TypeError, ValueError):
            _add(
                errors,
                "toxic",
                _("Toxic gas %(n)d: give the gas, the measured value and its limit (≥ 0).")
                % {"n": i + 1},
            )
            continue
        toxic.append((gas, measured, limit))
    _fail(errors)
    reading = rules.GasReading(
        values.get("o2_pct"),
        values.get("combustible_pct"),
        values.get("lel_pct"),
        tuple(toxic),
        bool(data.get("enriched")),
    )
    failures = rules.gas_failures(permit.kind, reading)
    assert isinstance(at, dt.datetime)
    test = GasTest.objects.create(
        permit=permit,
        analysed_at=at,
        analyst=analyst[:100],
        sample_point=str(data.get("sample_point") or "").strip()[:200],
        o2_pct=reading.o2_pct,
        combustible_pct=reading.combustible_pct,
        lel_pct=reading.lel_pct,
        toxic=[{"gas": g, "value": v, "limit": lim} for g, v, lim in toxic],
        enriched=reading.enriched,
        passed=not failures,
        failures=failures,
        recorded_by=actor,
    )
    note = _("passed") if not failures else "; ".join(gas_message(f) for f in failures)
    _event(permit, EventKind.GAS_TEST, actor, note)
    return test


def latest_gas_test(permit: Permit, at: dt.datetime) -> GasTest | None:
    """The permit's gas analysis in force at `at`: the latest made by then."""
    return permit.gas_tests.filter(analysed_at__lte=at).order_by("-analysed_at", "-id").first()


def gas_problem(permit: Permit, at: dt.datetime) -> str | None:
    """Why the permit's gas analysis does not allow approval or work at `at` (None: it does)."""
    if not permit.needs_gas_test:
        return None
    latest = latest_gas_test(permit, at)
    if latest is None:
        return _("A gas analysis is required before approval and before work starts.")
    if not latest.passed:
        return _("The latest gas analysis (%(at)s) fails: %(why)s") % {
            "at": _when(latest.analysed_at),
            "why": "; ".join(gas_message(f) for f in latest.failures),
        }
    minutes = config.gas_max_age_minutes()
    if at - latest.analysed_at > dt.timedelta(minutes=minutes):
        return _(
            "The latest gas analysis (%(at)s) is more than %(n)d minutes old; analyse again."
        ) % {"at": _when(latest.analysed_at), "n": minutes}
    return None


def next_step(permit: Permit) -> Approval | None:
    return permit.approvals.filter(signed_at__isnull=True).order_by("position").first()


@transaction.atomic
def approve_step(actor: Any, permit: Permit, position: int, opinion: str = "") -> Approval:
    """Sign one step; refused before its predecessors, twice by one person, or by the
    applicant at the final step."""
    require_manager(actor, permit)
    permit = Permit.objects.select_for_update().get(pk=permit.pk)
    _require_live(permit, ("applied",))
    steps = list(permit.approvals.order_by("position"))
    step = next((s for s in steps if s.position == position), None)
    if step is None:
        raise ValidationError({"step": [_("This permit has no step %(n)d.") % {"n": position}]})
    if step.done:
        raise ValidationError({"step": [_("This step is already signed.")]})
    pending = [s for s in steps if s.position < position and not s.done]
    if pending:
        first = pending[0]
        raise ValidationError(
            {
                "step": [
                    _(
                        "Step %(n)d (%(role)s) cannot be signed before step %(m)d (%(prev)s): "
                        "approvals follow the statutory order."
                    )
                    % {
                        "n": position,
                        "role": step.role_label,
                        "m": first.position,
                        "prev": first.role_label,
                    }
                ]
            }
        )
    if any(s.signed_by_id == actor.pk for s in steps if s.done):
        raise ValidationError(
            {"step": [_("One person may not sign two steps of the same permit.")]}
        )
    last = position == steps[-1].position
    if last and permit.applicant_id == actor.pk:
        raise ValidationError({"step": [_("The applicant may not give the final approval.")]})
    now = timezone.now()
    if last:
        problem = gas_problem(permit, now)
        if problem:
            raise ValidationError({"gas": [problem]})
        if permit.valid_to <= now:
            raise ValidationError({"state": [_("The window has already ended.")]})
    opinion = str(opinion or "").replace("\x00", "").strip()
    step.signed_by = actor
    step.signed_at = now
    step.opinion = opinion
    step._history_user = actor  # type: ignore[attr-defined]
    step.save()
    _event(
        permit,
        EventKind.STEP_APPROVED,
        actor,
        f"{step.position}. {step.role_label}" + (f" — {opinion}" if opinion else ""),
    )
    if last:
        permit.state = PermitState.APPROVED
        permit.approved_at = now
        _save(permit, actor)
        _event(permit, EventKind.APPROVED, actor)
    return step


def _window_check(permit: Permit, now: dt.datetime) -> None:
    if not permit.valid_from <= now <= permit.valid_to:
        raise ValidationError(
            {
                "window": [
                    _("The permit cannot be used outside its window (%(start)s – %(end)s).")
                    % {"start": _when(permit.valid_from), "end": _when(permit.valid_to)}
                ]
            }
        )


@transaction.atomic
def start(actor: Any, permit: Permit) -> Permit:
    require_manager(actor, permit)
    permit = Permit.objects.select_for_update().get(pk=permit.pk)
    if permit.state == PermitState.APPLIED:
        raise ValidationError({"state": [_("The permit is not fully approved yet.")]})
    _require_live(permit, ("approved",))
    now = timezone.now()
    _window_check(permit, now)
    problem = gas_problem(permit, now)
    if problem:
        raise ValidationError({"gas": [problem]})
    permit.state = PermitState.IN_PROGRESS
    permit.started_at = now
    _save(permit, actor)
    _event(permit, EventKind.STARTED, actor)
    return permit


@transaction.atomic
def suspend(actor: Any, permit: Permit, reason: str) -> Permit:
    require_manager(actor, permit)
    permit = Permit.objects.select_for_update().get(pk=permit.pk)
    _require_live(permit, ("in_progress",))
    reason = str(reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    permit.state = PermitState.SUSPENDED
    _save(permit, actor)
    _event(permit, EventKind.SUSPENDED, actor, reason)
    return permit


@transaction.atomic
def resume(actor: Any, permit: Permit) -> Permit:
    """Work resumes only inside the window, after a fresh passing gas analysis."""
    require_manager(actor, permit)
    permit = Permit.objects.select_for_update().get(pk=permit.pk)
    _require_live(permit, ("suspended",))
    now = timezone.now()
    _window_check(permit, now)
    problem = gas_problem(permit, now)
    if problem:
        raise ValidationError({"gas": [problem]})
    permit.state = PermitState.IN_PROGRESS
    _save(permit, actor)
    _event(permit, EventKind.RESUMED, actor)
    return permit


@transaction.atomic
def close(actor: Any, permit: Permit, site_cleared: bool, note: str = "") -> Permit:
    """Acceptance after the work (完工验收): who, when, and that the site is cleared."""
    require_manager(actor, permit)
    permit = Permit.objects.select_for_update().get(pk=permit.pk)
    _require_live(permit, ("in_progress", "suspended"))
    if not site_cleared:
        raise ValidationError(
            {"site_cleared": [_("Confirm that the site is cleared before acceptance.")]}
        )
    permit.state = PermitState.CLOSED
    permit.closed_at = timezone.now()
    permit.closed_by = actor
    permit.site_cleared = True
    permit.closing_note = str(note or "").replace("\x00", "").strip()
    _save(permit, actor)
    _event(permit, EventKind.CLOSED, actor, permit.closing_note)
    return permit


@transaction.atomic
def cancel(actor: Any, permit: Permit, reason: str) -> Permit:
    require_manager(actor, permit)
    permit = Permit.objects.select_for_update().get(pk=permit.pk)
    _require_live(permit, ("applied", "approved", "suspended"))
    reason = str(reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give the reason.")]})
    permit.state = PermitState.CANCELLED
    permit.cancel_reason = reason
    _save(permit, actor)
    _event(permit, EventKind.CANCELLED, actor, reason)
    return permit


@transaction.atomic
def expire_due(now: dt.datetime | None = None) -> int:
    """Mark every live permit whose window has ended as expired (the periodic job)."""
    now = now or timezone.now()
    count = 0
    for permit in Permit.objects.select_for_update().filter(
        state__in=("applied", "approved", "in_progress", "suspended"), valid_to__lt=now
    ):
        permit.state = PermitState.EXPIRED
        _save(permit, None)
        _event(permit, EventKind.EXPIRED, None, at=now)
        count += 1
    return count


@transaction.atomic
def suspend_for_daily_analysis(now: dt.datetime | None = None) -> int:
    """Hot work needs a gas analysis before work every day (GB 30871-2022 5.3.1 d): every
    hot-work permit in progress whose latest analysis was made before today (local time)
    is suspended with that reason; resuming asks for a fresh passing analysis (the periodic
    job). Returns how many were suspended."""
    from django.conf import settings

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    with translation.override(settings.LANGUAGE_CODE):  # the record's language
        reason = _(
            "Hot work needs a new gas analysis before work every day (GB 30871-2022 5.3.1 d)."
        )
    count = 0
    for permit in Permit.objects.select_for_update().filter(
        state=PermitState.IN_PROGRESS, kind=rules.HOT_WORK
    ):
        latest = latest_gas_test(permit, now)
        if latest is not None and timezone.localtime(latest.analysed_at).date() >= today:
            continue
        permit.state = PermitState.SUSPENDED
        _save(permit, None)
        _event(
            permit,
            EventKind.SUSPENDED,
            None,
            reason,
            at=now,
        )
        count += 1
    return count


def actions_for(user: Any, permit: Permit) -> set[str]:
    """What the user may do with the permit now (buttons on the page)."""
    if not is_org_manager(user, permit.organization_id) or not reach(user).can_write:
        return set()
    found = {
        "applied": {"gas_test", "approve", "cancel"},
        "approved": {"gas_test", "start", "cancel"},
        "in_progress": {"gas_test", "suspend", "close"},
        "suspended": {"gas_test", "resume", "close", "cancel"},
    }.get(permit.state, set())
    if not permit.needs_gas_test:
        found.discard("gas_test")
    return found
