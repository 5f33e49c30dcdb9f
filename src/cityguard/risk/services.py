"""Operations on the risk register. Pages, API, demo and the other apps write through these.

- `save_risk_point`, `save_control_measure`, `delete_control_measure`: the register itself.
- `add_assessment`: score a point (LEC, matrix); the latest assessment sets its current
  level, colour and reassessment due date. Assessments are never changed: a new one
  supersedes the old.
- `register_origin` / `unregister_origin`: the link other apps use to put a record of theirs
  (a major hazard source, a closed major hazard …) on the register with a fixed level.

Each write checks the actor's reach like core's services (`require_change`) and keeps the
record's history. `actor=None` is the system itself (the demo loader, a background job, a
signal) and skips the reach check; the API and pages always pass the signed-in user.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from cityguard.core.access import require_change
from cityguard.core.choices import Level
from cityguard.core.models import Jurisdiction, Organization, Place
from cityguard.core.services import (
    apply_changes,
    names_jurisdiction,
    place_in_tree,
    require_write,
    validate_and_save,
)

from . import config, scoring
from .choices import DEFAULT_TIER, AssessmentMethod, RiskLevel
from .models import Assessment, ControlMeasure, Domain, RiskPoint

RISK_POINT_FIELDS = {
    "name",
    "domain",
    "domain_id",
    "organization",
    "organization_id",
    "place",
    "place_id",
    "address",
    "description",
    "control_tier",
    "responsible_person",
    "responsible_phone",
    "is_active",
    "lon",
    "lat",
    "jurisdiction",
    "jurisdiction_id",
}
CONTROL_MEASURE_FIELDS = {
    "description",
    "tier",
    "responsible_person",
    "responsible_phone",
    "order",
}
FACTOR_NAMES = {"l": "L", "e": "E", "c": "C", "likelihood": "L", "severity": "S"}


def _check(actor: Any, obj: Any) -> None:
    if actor is not None:
        require_change(actor, obj)


def _locate_from_owner(obj: RiskPoint, errors: dict[str, list[str]]) -> None:
    """Complete the place/organisation pair, and the location from the place or the
    organisation when the point has none of its own."""
    place = Place.objects.filter(pk=obj.place_id).first() if obj.place_id else None
    if obj.place_id and place is None:
        errors.setdefault("place", []).append(_("No such place."))
        return
    if place is not None:
        if obj.organization_id is None:
            obj.organization_id = place.organization_id
        elif place.organization_id != obj.organization_id:
            errors.setdefault("place", []).append(
                _("The place does not belong to this organisation.")
            )
            return
    if obj.lon is not None or obj.lat is not None or obj.jurisdiction_id:
        return
    owner: Any = place
    if owner is None and obj.organization_id:
        owner = Organization.objects.filter(pk=obj.organization_id).first()
    if owner is None:
        return
    obj.lon, obj.lat = owner.lon, owner.lat
    if owner.lon is None:
        obj.jurisdiction_id = owner.jurisdiction_id


def _save_point(actor: Any, obj: RiskPoint, data: dict[str, Any], given: bool) -> RiskPoint:
    apply_changes(obj, data, RISK_POINT_FIELDS)
    errors: dict[str, list[str]] = {}
    _locate_from_owner(obj, errors)
    if not errors:
        place_in_tree(obj, errors, given)
    if not errors:
        _check(actor, obj)  # where it would stand after the change
    return validate_and_save(obj, actor, errors, exclude=["jurisdiction"] if errors else [])


@transaction.atomic
def save_risk_point(
    actor: Any, data: dict[str, Any], instance: RiskPoint | None = None
) -> RiskPoint:
    """Create (no instance) or update a risk point from typed field values.

    Without a location of its own a point stands where its place, else its organisation,
    does. The current level is not a field: it comes from `add_assessment`."""
    require_write(actor)
    obj = instance or RiskPoint()
    if instance is not None:
        require_change(actor, instance)
    return _save_point(actor, obj, data, given=names_jurisdiction(data))


# --- control measures ------------------------------------------------------------------


@transaction.atomic
def save_control_measure(
    actor: Any,
    risk_point: RiskPoint,
    data: dict[str, Any],
    instance: ControlMeasure | None = None,
) -> ControlMeasure:
    require_write(actor)
    require_change(actor, risk_point)
    obj = instance or ControlMeasure(risk_point=risk_point)
    if obj.risk_point_id != risk_point.pk:
        raise ValidationError({"risk_point": [_("The measure belongs to another risk point.")]})
    apply_changes(obj, data, CONTROL_MEASURE_FIELDS)
    if instance is None and "order" not in data:
        last = risk_point.measures.aggregate(m=models.Max("order"))["m"]
        obj.order = 0 if last is None else last + 1
    return validate_and_save(obj, actor, {}, exclude=["risk_point"])


@transaction.atomic
def delete_control_measure(actor: Any, measure: ControlMeasure) -> None:
    require_write(actor)
    require_change(actor, measure.risk_point)
    measure._history_user = actor  # type: ignore[attr-defined]
    measure.delete()


# --- assessments -----------------------------------------------------------------------


def score_message(err: scoring.ScoreError) -> str:
    if err.allowed is None:
        return _("Choose one of: %(allowed)s.") % {"allowed": ", ".join(scoring.METHODS)}
    return _("%(name)s must be one of: %(allowed)s.") % {
        "name": FACTOR_NAMES.get(err.field, err.field),
        "allowed": scoring.format_allowed(err.allowed),
    }


def compute(method: str, values: dict[str, Any]) -> scoring.Score:
    """Score with the configured bands; a value off its scale is a ValidationError naming
    the field and the values it may take."""
    try:
        return scoring.score(method, values, config.bands())
    except scoring.ScoreError as err:
        raise ValidationError({err.field: [score_message(err)]}) from None


def _refresh_current(point: RiskPoint, actor: Any) -> RiskPoint:
    """Copy the latest assessment onto the point (by assessed time, then insertion)."""
    latest = point.assessments.order_by("-assessed_at", "-id").first()
    if latest is None:
        point.level, point.level_rank, point.score = "", 0, None
        point.method, point.assessed_at, point.next_due = "", None, None
    else:
        point.level = latest.level
        point.level_rank = scoring.RANK[latest.level]
        point.score = latest.score
        point.method = latest.method
        point.assessed_at = latest.assessed_at
        point.next_due = latest.next_due
        if not point.control_tier:
            point.control_tier = DEFAULT_TIER[latest.level]
    point._history_user = actor  # type: ignore[attr-defined]
    point.save()
    return point


def _new_assessment(
    actor: Any,
    point: RiskPoint,
    method: str,
    level: str,
    score: float | None,
    assessed_at: dt.datetime | None,
    factors: dict[str, Any],
    assessor: str,
    notes: str,
) -> Assessment:
    now = timezone.now()
    when = assessed_at or now
    errors: dict[str, list[str]] = {}
    if timezone.is_naive(when):
        errors.setdefault("assessed_at", []).append(_("Give the time with its time zone."))
    elif when > now + dt.timedelta(minutes=5):
        errors.setdefault("assessed_at", []).append(_("An assessment cannot be in the future."))
    for field, text in (("assessor", assessor), ("notes", notes)):
        if "\x00" in text:
            errors.setdefault(field, []).append(_("Null characters are not allowed."))
    if errors:
        raise ValidationError(errors)
    assessment = Assessment(
        risk_point=point,
        method=method,
        level=level,
        score=score,
        assessed_at=when,
        assessed_by=actor if getattr(actor, "pk", None) else None,
        assessor=assessor,
        notes=notes,
        next_due=config.next_due(timezone.localdate(when), level),
        **factors,
    )
    try:
        assessment.full_clean(exclude=["risk_point", "assessed_by"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    assessment.save()
    _refresh_current(point, actor)
    return assessment


@transaction.atomic
def add_assessment(
    actor: Any,
    risk_point: RiskPoint,
    *,
    method: str,
    values: dict[str, Any],
    assessed_at: dt.datetime | None = None,
    assessor: str = "",
    notes: str = "",
) -> Assessment:
    """Record an assessment by `method` ("lec": l, e, c; "matrix": likelihood, severity).

    The latest assessment (by `assessed_at`) is the point's current level; a back-dated
    one joins the history without replacing a newer one."""
    require_write(actor)
    # The stored row decides, not a caller's copy that may carry unsaved edits.
    point = RiskPoint.objects.select_for_update().get(pk=risk_point.pk)
    require_change(actor, point)
    if method not in scoring.METHODS:
        raise ValidationError(
            {"method": [_("Choose one of: %(allowed)s.") % {"allowed": ", ".join(scoring.METHODS)}]}
        )
    result = compute(method, values)
    if method == scoring.LEC:
        factors = {k: float(values[k]) for k in ("l", "e", "c")}
    else:
        factors = {k: int(float(values[k])) for k in ("likelihood", "severity")}
    assessment = _new_assessment(
        actor, point, method, result.level, result.score, assessed_at, factors, assessor, notes
    )
    _copy_current(point, risk_point)
    return assessment


def _copy_current(source: RiskPoint, target: RiskPoint) -> None:
    if source is target:
        return
    for name in (
        "level",
        "level_rank",
        "score",
        "method",
        "assessed_at",
        "next_due",
        "control_tier",
    ):
        setattr(target, name, getattr(source, name))


# --- the link other apps use -----------------------------------------------------------


def _origin_key(origin: Any) -> tuple[ContentType, int]:
    if getattr(origin, "pk", None) is None:
        raise ValueError("register_origin needs a saved origin object")
    return ContentType.objects.get_for_model(origin), int(origin.pk)


def _domain(code: str) -> Domain:
    found = Domain.objects.filter(code=code).first()
    if found is None:
        raise ValidationError(
            {"domain": [_("No risk domain has the code %(code)s.") % {"code": code}]}
        )
    return found


def register_origin(
    actor: Any,
    origin: Any,
    *,
    organization: Organization | None,
    domain: str,
    name: str,
    level: str,
    description: str = "",
    lon: float | None = None,
    lat: float | None = None,
) -> RiskPoint:
    """Create or update the risk point that stands for `origin`, at a level fixed by it.

    Keyed by the origin (content type + id): calling it again updates the same point and
    re-activates it if it was unregistered. A new "origin" assessment is recorded only when
    the level differs from the point's current one, so repeating a call changes nothing.
    Without lon/lat the point stands where the organisation does.
    """
    if level not in scoring.LEVELS:
        raise ValidationError(
            {"level": [_("Choose one of: %(allowed)s.") % {"allowed": ", ".join(scoring.LEVELS)}]}
        )
    if actor is not None:
        require_write(actor)
    ct, oid = _origin_key(origin)
    domain_obj = _domain(domain)
    try:
        with transaction.atomic():
            return _register(
                actor, ct, oid, organization, domain_obj, name, level, description, lon, lat
            )
    except IntegrityError:
        # Two callers registered the same origin at once; the other created it first.
        with transaction.atomic():
            return _register(
                actor, ct, oid, organization, domain_obj, name, level, description, lon, lat
            )


def _register(
    actor: Any,
    ct: ContentType,
    oid: int,
    organization: Organization | None,
    domain: Domain,
    name: str,
    level: str,
    description: str,
    lon: float | None,
    lat: float | None,
) -> RiskPoint:
    point = RiskPoint.objects.select_for_update().filter(origin_type=ct, origin_id=oid).first()
    data: dict[str, Any] = {
        "name": name,
        "domain": domain,
        "organization": organization,
        "description": description,
        "is_active": True,
    }
    if lon is not None or lat is not None:
        data.update(lon=lon, lat=lat)
    elif point is None or (organization is not None and point.organization_id != organization.pk):
        # Stand where the (new) organisation stands.
        data.update(lon=None, lat=None, jurisdiction_id=None)
    if point is None:
        point = RiskPoint(origin_type=ct, origin_id=oid)
    else:
        _check(actor, point)
        unchanged = all(
            getattr(point, f"{k}_id" if k in ("domain", "organization") else k)
            == (v.pk if isinstance(v, models.Model) else v)
            for k, v in data.items()
            if k != "jurisdiction_id"
        )
        if unchanged and point.level == level:
            return point
    point = _save_point(actor, point, data, given=False)
    if point.level != level:
        _new_assessment(actor, point, AssessmentMethod.ORIGIN, level, None, None, {}, "", "")
    return point


@transaction.atomic
def unregister_origin(actor: Any, origin: Any) -> RiskPoint | None:
    """Take the point that stands for `origin` off the active register (its history and
    assessments stay). Returns it, or None when the origin was never registered."""
    ct, oid = _origin_key(origin)
    point = RiskPoint.objects.select_for_update().filter(origin_type=ct, origin_id=oid).first()
    if point is None:
        return None
    if actor is not None:
        require_write(actor)
        require_change(actor, point)
    if point.is_active:
        point.is_active = False
        point._history_user = actor  # type: ignore[attr-defined]
        point.save()
    return point


def origin_of(point: RiskPoint) -> Any | None:
    """The origin object, or None (none, or it no longer exists)."""
    if not point.origin_type_id:
        return None
    model = point.origin_type.model_class()  # type: ignore[union-attr]
    if model is None:
        return None
    return model._default_manager.filter(pk=point.origin_id).first()


# --- reading ---------------------------------------------------------------------------


def overdue(qs: models.QuerySet, today: dt.date | None = None) -> models.QuerySet:
    """Active points whose reassessment date has passed."""
    today = today or timezone.localdate()
    return qs.filter(is_active=True, next_due__lt=today)


def street_of_path(path: str) -> str | None:
    parts = [p for p in path.split("/") if p]
    return parts[1] if len(parts) > 1 else None


def stats(user: Any, street: str | None = None, today: dt.date | None = None) -> dict[str, Any]:
    """Counts of the active points `user` may see, optionally in one street (by code):
    by level, by street (each with counts by level and the highest level) and by domain."""
    qs = RiskPoint.objects.visible_to(user).filter(is_active=True)
    if street:
        node = Jurisdiction.objects.filter(code=street).first()
        qs = qs.filter(jurisdiction__path__startswith=node.path) if node else qs.none()
    by_level: Counter[str] = Counter()
    per_street: dict[str, Counter[str]] = defaultdict(Counter)
    rows = qs.order_by().values_list("jurisdiction__path", "level").annotate(n=models.Count("id"))
    for path, level, n in rows:
        key = level or "unassessed"
        by_level[key] += n
        per_street[street_of_path(path) or ""][key] += n
    english = (get_language() or "").startswith("en")
    names = {
        code: (name_en or name) if english else name
        for code, name, name_en in Jurisdiction.objects.filter(level=Level.STREET).values_list(
            "code", "name", "name_en"
        )
    }
    streets = []
    for code, counts in sorted(per_street.items()):
        top = next((lv for lv in scoring.LEVELS if counts.get(lv)), "")
        streets.append(
            {
                "code": code,
                "name": names.get(code, ""),
                "total": sum(counts.values()),
                "highest": top,
                **{lv: counts.get(lv, 0) for lv in (*scoring.LEVELS, "unassessed")},
            }
        )
    domains = {d.pk: d for d in Domain.objects.all()}
    by_domain = [
        {"code": domains[pk].code, "name": domains[pk].name, "count": n}
        for pk, n in qs.order_by().values_list("domain").annotate(n=models.Count("id"))
    ]
    by_domain.sort(key=lambda d: (-d["count"], d["code"]))
    return {
        "total": sum(by_level.values()),
        "by_level": {lv: by_level.get(lv, 0) for lv in (*scoring.LEVELS, "unassessed")},
        "by_street": streets,
        "by_domain": by_domain,
        "overdue": overdue(qs, today).count(),
    }


LEVEL_VALUES = tuple(RiskLevel.values)
