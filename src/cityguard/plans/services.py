"""Operations on emergency plans and drills. Pages, API and demo write through these.

- `save_plan` (next revision date from the cycle), `replace_response_levels` (levels with
  their checklists in one go), `add_attachment` (type and size checked), `due_for_revision`.
- `save_drill`, `problem_to_hazard` (one click: a drill's problem onto the hazard register
  through `hazards.services.report_hazard`).

Each write checks the actor's reach on the plan (`require_change`); `actor=None` is the
system (demo loader) and skips it.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core.access import reach, require_change
from cityguard.core.choices import Role
from cityguard.core.services import apply_changes, validate_and_save
from cityguard.core.services import require_write as _require_writer
from cityguard.hazards.services import add_months
from cityguard.incidents.choices import SUBTYPES, IncidentType, Level

from .choices import ATTACHMENT_EXTENSIONS, ATTACHMENT_MAX_BYTES
from .models import (
    ActionItem,
    Drill,
    DrillProblem,
    EmergencyPlan,
    PlanAttachment,
    PlanResponseLevel,
)

PLAN_FIELDS = {
    "title",
    "code",
    "kind",
    "jurisdiction",
    "jurisdiction_id",
    "organization",
    "organization_id",
    "department",
    "summary",
    "incident_types",
    "subtypes",
    "min_level",
    "max_level",
    "revision_months",
    "last_revised",
    "is_active",
}
DRILL_FIELDS = {
    "plan",
    "plan_id",
    "date",
    "kind",
    "title",
    "participants",
    "participant_count",
    "evaluation",
}


def _require_write(actor: Any) -> None:
    if actor is not None:
        _require_writer(actor)


def _check(actor: Any, obj: Any) -> None:
    if actor is not None:
        require_change(actor, obj)


def _check_coverage(plan: EmergencyPlan, errors: dict[str, list[str]]) -> None:
    types = plan.incident_types or []
    if not isinstance(types, list) or any(t not in IncidentType.values for t in types):
        errors.setdefault("incident_types", []).append(_("Unknown incident type."))
        return
    allowed = {s for t in (types or IncidentType.values) for s in SUBTYPES[t]}
    subs = plan.subtypes or []
    if not isinstance(subs, list) or any(s not in allowed for s in subs):
        errors.setdefault("subtypes", []).append(
            _("A subtype is not one of the incident types covered.")
        )
    plan.incident_types = sorted(set(types), key=list(IncidentType.values).index)
    plan.subtypes = sorted(set(subs))
    levels_known = plan.min_level in Level.values and plan.max_level in Level.values
    if levels_known and plan.min_level > plan.max_level:
        errors.setdefault("max_level", []).append(
            _("The least severe level covered cannot be more severe than the most severe.")
        )


def next_due(plan: EmergencyPlan) -> dt.date | None:
    if plan.last_revised is None or not plan.revision_months:
        return None
    return add_months(plan.last_revised, plan.revision_months)


@transaction.atomic
def save_plan(
    actor: Any, data: dict[str, Any], instance: EmergencyPlan | None = None
) -> EmergencyPlan:
    """Create (no instance) or update a plan. Without a jurisdiction the plan stands in its
    owner organisation's; the revision due date follows the last revision and the cycle."""
    _require_write(actor)
    if instance is not None:
        _check(actor, instance)
    plan = instance or EmergencyPlan()
    apply_changes(plan, data, PLAN_FIELDS)
    errors: dict[str, list[str]] = {}
    if not plan.jurisdiction_id and plan.organization is not None:
        plan.jurisdiction_id = plan.organization.jurisdiction_id
    if not plan.jurisdiction_id:
        errors.setdefault("jurisdiction", []).append(_("Give a jurisdiction or an owner."))
    _check_coverage(plan, errors)
    plan.next_due = next_due(plan)
    if not errors:
        _check(actor, plan)
    return validate_and_save(plan, actor, errors, exclude=["jurisdiction"] if errors else [])


@transaction.atomic
def replace_response_levels(
    actor: Any, plan: EmergencyPlan, levels: list[dict[str, Any]]
) -> list[PlanResponseLevel]:
    """Replace the plan's response levels and checklists:
    `[{"level": 1, "trigger": "…", "actions": [{"text", "responsible_role", "responsible_unit"}]}]`.
    """
    _require_write(actor)
    _check(actor, plan)
    seen: set[int] = set()
    for i, lv in enumerate(levels):
        level = lv.get("level")
        if level not in Level.values:
            raise ValidationError(
                {f"levels[{i}].level": [_("Choose a response level from I to IV.")]}
            )
        if level in seen:
            raise ValidationError({f"levels[{i}].level": [_("Each response level only once.")]})
        seen.add(level)
        for j, a in enumerate(lv.get("actions") or []):
            if not (a.get("text") or "").strip():
                raise ValidationError(
                    {f"levels[{i}].actions[{j}].text": [_("Describe the action.")]}
                )
    ActionItem.objects.filter(response_level__plan=plan).delete()
    plan.response_levels.all().delete()
    out = []
    for lv in sorted(levels, key=lambda x: x["level"]):
        rl = PlanResponseLevel.objects.create(
            plan=plan, level=lv["level"], trigger=(lv.get("trigger") or "").strip()
        )
        ActionItem.objects.bulk_create(
            [
                ActionItem(
                    response_level=rl,
                    text=a["text"].strip(),
                    responsible_role=(a.get("responsible_role") or "").strip(),
                    responsible_unit=a.get("responsible_unit"),
                    order=j,
                )
                for j, a in enumerate(lv.get("actions") or [])
            ]
        )
        out.append(rl)
    plan._history_user = actor  # type: ignore[attr-defined]
    plan.save(update_fields=["updated_at"])
    return out


def check_attachment(upload: Any) -> None:
    name = os.path.basename(getattr(upload, "name", "") or "")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            {"file": [_("Attach one of: %(types)s.") % {"types": ", ".join(ATTACHMENT_EXTENSIONS)}]}
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {"file": [_("The file is larger than %(mb)s MB.") % {"mb": ATTACHMENT_MAX_BYTES >> 20}]}
        )
    head = upload.read(8)
    upload.seek(0)
    if ext == "pdf" and not head.startswith(b"%PDF"):
        raise ValidationError({"file": [_("The file is not a PDF.")]})


@transaction.atomic
def add_attachment(actor: Any, plan: EmergencyPlan, upload: Any) -> PlanAttachment:
    _require_write(actor)
    _check(actor, plan)
    check_attachment(upload)
    name = os.path.basename(upload.name)[:200]
    att = PlanAttachment(
        plan=plan,
        name=name,
        size=upload.size,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    att.file.save(name, upload, save=False)
    att.save()
    return att


@transaction.atomic
def delete_attachment(actor: Any, attachment: PlanAttachment) -> None:
    _require_write(actor)
    _check(actor, attachment.plan)
    attachment.file.delete(save=False)
    attachment.delete()


def due_for_revision(qs: QuerySet, within_days: int = 90, today: dt.date | None = None) -> QuerySet:
    """Plans in force whose revision is due within `within_days` (or overdue, or never set)."""
    today = today or timezone.localdate()
    limit = today + dt.timedelta(days=within_days)
    return qs.filter(is_active=True).filter(Q(next_due__lte=limit) | Q(next_due__isnull=True))


# --- drills -----------------------------------------------------------------------------


@transaction.atomic
def save_drill(
    actor: Any,
    data: dict[str, Any],
    problems: list[str] | None = None,
    instance: Drill | None = None,
) -> Drill:
    """Create or update a drill; `problems` (when given) adds the new problem texts."""
    _require_write(actor)
    if instance is not None:
        _check(actor, instance.plan)
    drill = instance or Drill(created_by=actor if getattr(actor, "pk", None) else None)
    apply_changes(drill, data, DRILL_FIELDS)
    errors: dict[str, list[str]] = {}
    if drill.plan_id:
        _check(actor, drill.plan)
    drill = validate_and_save(drill, actor, errors, exclude=[])
    for text in problems or []:
        text = (text or "").strip()
        if text:
            DrillProblem.objects.create(drill=drill, text=text)
    return drill


# The risk domain a drill's problem most likely belongs to, from the plan's coverage.
SUBTYPE_DOMAIN = {
    "hazardous_chemical_release": "hazardous_chemicals",
    "explosion": "explosives",
    "fire": "fire",
    "gas": "city_gas",
    "special_equipment": "special_equipment",
    "construction": "construction",
    "traffic": "road_transport",
    "flood": "flood_typhoon",
    "typhoon": "flood_typhoon",
    "rainstorm": "waterlogging",
    "earthquake": "earthquake",
    "heat_wave": "heat",
}


def default_domain(plan: EmergencyPlan) -> str:
    for sub in plan.subtypes or []:
        if sub in SUBTYPE_DOMAIN:
            return SUBTYPE_DOMAIN[sub]
    if "natural_disaster" in (plan.incident_types or []):
        return "flood_typhoon"
    return "fire"


@transaction.atomic
def problem_to_hazard(actor: Any, problem: DrillProblem, *, domain: Any = None) -> Any:
    """Put a drill's problem on the hazard register (once); return the hazard."""
    from cityguard.hazards import services as hazards

    _check(actor, problem.drill.plan)
    problem = DrillProblem.objects.select_for_update().get(pk=problem.pk)
    if problem.hazard_id:
        raise ValidationError({"problem": [_("This problem is already on the hazard register.")]})
    plan = problem.drill.plan
    data: dict[str, Any] = {
        "title": problem.text.splitlines()[0][:190],
        "description": _("Found in the drill of %(date)s under “%(plan)s”:\n%(text)s")
        % {"date": problem.drill.date.isoformat(), "plan": plan.title, "text": problem.text},
    }
    data["domain"] = domain if domain is not None else default_domain(plan)
    role = reach(actor).role if actor is not None else None
    data["source"] = "street_inspection" if role == Role.STREET_OFFICER else "district_inspection"
    if plan.organization_id:
        data["organization"] = plan.organization
    else:
        data["jurisdiction"] = plan.jurisdiction
    hazard = hazards.report_hazard(actor, data)
    problem.hazard = hazard
    problem.save(update_fields=["hazard"])
    return hazard


@transaction.atomic
def delete_plan(actor: Any, plan: EmergencyPlan) -> None:
    """Delete a plan no incident or drill refers to; one that was used is retired instead
    (`is_active=False`) so the record of what was activated stays."""
    _require_write(actor)
    _check(actor, plan)
    if plan.incidents.exists() or plan.drills.exists():  # type: ignore[attr-defined]
        raise ValidationError(
            {"plan": [_("The plan was activated or drilled: retire it instead of deleting it.")]}
        )
    for att in plan.attachments.all():
        att.file.delete(save=False)
    plan._history_user = actor  # type: ignore[attr-defined]
    plan.delete()


@transaction.atomic
def delete_drill(actor: Any, drill: Drill) -> None:
    _require_write(actor)
    _check(actor, drill.plan)
    drill._history_user = actor  # type: ignore[attr-defined]
    drill.delete()
