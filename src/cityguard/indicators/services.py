"""Computing the indicators, entering figures, and the monthly snapshots.

- `compute(user, street, period)` → a `Value` for every declared indicator: what `user` may
  see (None: the whole district), in one street (its code) or the district (None), for one
  month. A past month reads the snapshot taken then where the reader's view is the
  snapshot's (the whole district, or a street); the current month is always live.
- `breakdown(user, period)` → every indicator's value in every street the user reaches, one
  grouped query per indicator where the owning app supplies `by_street`.
- `trend(user, street, code)` → the last months' values: snapshots, and the current month
  computed live.
- `snapshot(period)` → stores every indicator for the district and each street (job).
- `save_figure(actor, data, instance)` → enters or corrects a figure (with history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cityguard.core.access import DISTRICT_ROLES, reach
from cityguard.core.choices import Level, Role
from cityguard.core.figures import street_of
from cityguard.core.models import Jurisdiction

from . import config, registry
from .indicators import SPECS
from .models import EnteredFigure, IndicatorSnapshot
from .registry import Indicator, Period


@dataclass(frozen=True)
class Value:
    indicator: Indicator
    value: float | None
    on_target: bool | None

    @property
    def status(self) -> str:
        """ "on", "off" or "none" (no value or no target): the colour of the cell."""
        return "none" if self.on_target is None else ("on" if self.on_target else "off")

    def as_dict(self) -> dict[str, Any]:
        ind = self.indicator
        return {
            **describe(ind),
            "value": self.value,
            "on_target": self.on_target,
            "status": self.status,
        }


def describe(ind: Indicator) -> dict[str, Any]:
    with translation.override("zh-hans"):
        name_zh = str(ind.name)
    with translation.override("en"):
        name_en = str(ind.name)
    return {
        "code": ind.code,
        "name": str(ind.name),
        "name_zh": name_zh,
        "name_en": name_en,
        "unit": str(ind.unit),
        "target": ind.target,
        "comparison": ind.comparison,
        "binding": ind.binding,
        "entered": ind.entered,
        "per_street": ind.per_street,
        "source": str(ind.source),
    }


def current_period() -> Period:
    return Period.of(timezone.localdate())


def indicators() -> list[Indicator]:
    """Every declared indicator: the plan's ten (plan-01 … plan-10) first, in order."""
    return registry.all_indicators()


def _number(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def evaluate(ind: Indicator, user: Any, street: str | None, period: Period) -> Value:
    if street and not ind.per_street:
        return Value(ind, None, None)
    value = _number(ind.compute(user, street, period))
    return Value(ind, value, ind.on_target(value))


# --- streets and who reads them ----------------------------------------------------------


def streets() -> list[Jurisdiction]:
    return list(Jurisdiction.objects.filter(level=Level.STREET).order_by("path"))


def streets_for(user: Any) -> list[Jurisdiction]:
    """The streets whose breakdown `user` reads: every street for a whole-district reader
    (and for an enterprise manager, whose figures are narrowed to their organisation),
    the street of their jurisdiction for anyone placed in one."""
    r = reach(user) if user is not None else None
    found = streets()
    if r is None or r.whole_district or not r.path:
        return found
    return [s for s in found if r.path.startswith(s.path) or s.path.startswith(r.path)]


def own_street(user: Any) -> str | None:
    """The street a reader placed below the district is limited to, or None."""
    if user is None:
        return None
    r = reach(user)
    if r.whole_district or not r.path:
        return None
    return street_of(r.path)


def resolve_street(user: Any, code: str | None) -> str | None:
    """The street to compute for: the code asked for (ValidationError when no street has
    it, Http404 when it lies outside the reader's reach), else the reader's own street."""
    code = (code or "").strip()
    if not code:
        return own_street(user)
    node = Jurisdiction.objects.filter(code=code, level=Level.STREET).first()
    if node is None:
        raise ValidationError({"street": [_("No street has the code %(code)s.") % {"code": code}]})
    if node.code not in {s.code for s in streets_for(user)}:
        raise Http404
    return node.code


def resolve_period(text: str | None) -> Period:
    """'YYYY-MM' → Period (current month when empty); ValidationError on anything else or a
    month still to come."""
    text = (text or "").strip()
    if not text:
        return current_period()
    try:
        period = Period.parse(text)
    except ValueError:
        raise ValidationError({"period": [_("Enter a month as YYYY-MM, e.g. 2025-06.")]}) from None
    if (period.year, period.month) > (current_period().year, current_period().month):
        raise ValidationError(
            {"period": [_("The month %(period)s has not begun.") % {"period": text}]}
        )
    if period.year < 2000:
        raise ValidationError({"period": [_("Enter a month as YYYY-MM, e.g. 2025-06.")]})
    return period


# --- computing ---------------------------------------------------------------------------


def _snapshot_readable(user: Any, street: str | None) -> bool:
    """Snapshots are computed for the whole district: a reader sees them where the view is
    the same — a whole-district reader anywhere, a street's reader for that street."""
    if user is None:
        return True
    r = reach(user)
    if r.whole_district:
        return True
    if r.role == Role.ENTERPRISE_MANAGER or not street or not r.path:
        return False
    return r.path.count("/") <= 3 and street_of(r.path) == street


def _snapshots(
    codes: list[str], street: str | None, periods: list[Period]
) -> dict[tuple[str, str], IndicatorSnapshot]:
    rows = IndicatorSnapshot.objects.filter(
        code__in=codes, street=street or "", period__in=[str(p) for p in periods]
    )
    return {(s.code, s.period): s for s in rows}


def compute(
    user: Any, street: str | None, period: Period, only: list[Indicator] | None = None
) -> list[Value]:
    """Every indicator (or those of `only`) for `user`, `street` (None: the district) and
    `period`."""
    inds = only if only is not None else indicators()
    stored: dict[tuple[str, str], IndicatorSnapshot] = {}
    if period != current_period() and _snapshot_readable(user, street):
        stored = _snapshots([i.code for i in inds], street, [period])
    out = []
    for ind in inds:
        snap = stored.get((ind.code, str(period)))
        if snap is not None:
            out.append(Value(ind, snap.value, ind.on_target(snap.value)))
        else:
            out.append(evaluate(ind, user, street, period))
    return out


def street_values(
    ind: Indicator, user: Any, period: Period, codes: list[str]
) -> dict[str, float | None]:
    """`ind` in each street of `codes`: one call of its `by_street` when it has one."""
    if not ind.per_street:
        return dict.fromkeys(codes)
    if ind.by_street is not None:
        found = ind.by_street(user, period)
        return {c: _number(found.get(c)) for c in codes}
    return {c: _number(ind.compute(user, c, period)) for c in codes}


def breakdown(
    user: Any, period: Period, only: list[Indicator] | None = None, live: bool = False
) -> tuple[list[Jurisdiction], dict[str, dict[str, Value]]]:
    """(streets, {indicator code: {street code: Value}}) for the streets `user` reaches; a
    past month from its snapshots unless `live`."""
    nodes = streets_for(user)
    codes = [s.code for s in nodes]
    inds = only if only is not None else indicators()
    use_snapshots = not live and period != current_period()
    out: dict[str, dict[str, Value]] = {}
    stored: dict[tuple[str, str, str], float | None] = {}
    if use_snapshots and (user is None or reach(user).whole_district):
        for s in IndicatorSnapshot.objects.filter(
            period=str(period), street__in=codes, code__in=[i.code for i in inds]
        ):
            stored[(s.code, s.street, s.period)] = s.value
    for ind in inds:
        if stored and any((ind.code, c, str(period)) in stored for c in codes):
            values = {c: stored.get((ind.code, c, str(period))) for c in codes}
        else:
            values = street_values(ind, user, period, codes)
        out[ind.code] = {c: Value(ind, v, ind.on_target(v)) for c, v in values.items()}
    return nodes, out


def off_target_by_street(user: Any, period: Period) -> list[dict[str, Any]]:
    """Per street: how many indicators are off target, and each indicator's value."""
    nodes, table = breakdown(user, period)
    rows = []
    for node in nodes:
        values = {code: by_street[node.code] for code, by_street in table.items()}
        rows.append(
            {
                "code": node.code,
                "name": node.name,
                "name_en": node.name_en,
                "off_target": sum(1 for v in values.values() if v.on_target is False),
                "on_target": sum(1 for v in values.values() if v.on_target is True),
                "values": {
                    code: {"value": v.value, "on_target": v.on_target} for code, v in values.items()
                },
            }
        )
    return rows


def months_back(period: Period, n: int) -> list[Period]:
    out = [period]
    while len(out) < n:
        out.append(out[-1].previous())
    return out[::-1]


def trend(
    user: Any,
    street: str | None,
    inds: list[Indicator],
    period: Period | None = None,
    known: list[Value] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """{code: [{"period", "value", "on_target"}, …]} for the months up to `period`: the
    snapshots (where the reader may see them), and the current month computed live (or
    taken from `known`, values already computed for the current month)."""
    live = {v.indicator.code: v.value for v in known or []}
    period = period or current_period()
    months = months_back(period, config.trend_months())
    now = current_period()
    stored = (
        _snapshots([i.code for i in inds], street, months)
        if _snapshot_readable(user, street)
        else {}
    )
    out: dict[str, list[dict[str, Any]]] = {}
    for ind in inds:
        points = []
        for month in months:
            value: float | None
            if month == now:
                if ind.code in live and period == now:
                    value = live[ind.code]
                else:
                    value = evaluate(ind, user, street, month).value
            else:
                snap = stored.get((ind.code, str(month)))
                value = snap.value if snap is not None else None
            points.append({"period": str(month), "value": value, "on_target": ind.on_target(value)})
        out[ind.code] = points
    return out


# --- snapshots ---------------------------------------------------------------------------


def snapshot(period: Period | None = None) -> dict[str, int]:
    """Store every indicator's value for the district and each street for `period` (the
    current month by default). Running it again replaces the month's values: idempotent."""
    period = period or current_period()
    now = timezone.now()
    inds = indicators()
    _nodes, table = breakdown(None, period, inds, live=True)
    written = 0
    with transaction.atomic():
        rows: list[tuple[str, str, float | None]] = []
        for ind in inds:
            rows.append((ind.code, "", evaluate(ind, None, None, period).value))
            if ind.per_street:
                rows.extend((ind.code, c, v.value) for c, v in table[ind.code].items())
        for code, street, value in rows:
            ind = registry.get(code)
            IndicatorSnapshot.objects.update_or_create(
                code=code,
                period=str(period),
                street=street,
                defaults={
                    "value": value,
                    "target": ind.target,
                    "on_target": ind.on_target(value),
                    "computed_at": now,
                },
            )
            written += 1
    return {"period_rows": written, "indicators": len(inds)}


# --- entered figures ---------------------------------------------------------------------


def may_enter(user: Any, code: str | None = None, street: Jurisdiction | None = None) -> bool:
    """District staff and administrators enter any figure; a street officer enters the
    figures kept per street, for their own street only."""
    r = reach(user)
    if not r.authenticated:
        return False
    if r.superuser or (r.role in DISTRICT_ROLES and r.path is None):
        return True
    if r.role != Role.STREET_OFFICER or not r.path:
        return False
    if code is None:
        return any(spec.per_street for spec in SPECS.values())
    spec = SPECS.get(code)
    if spec is None or not spec.per_street:
        return False
    return street is None or street.path.startswith(r.path) or r.path.startswith(street.path)


def _clean(text: Any) -> str:
    return str(text or "").strip()


def save_figure(
    actor: Any, data: dict[str, Any], instance: EnteredFigure | None = None
) -> EnteredFigure:
    """Enter a figure: `code`, `year`, `month` (0 or absent: the year), `street` (a street's
    code, or absent for the district), `value`, `base` (where the indicator has one),
    `source` (required), `note`. A figure already entered for the same indicator, period
    and street is changed rather than duplicated (its history keeps the earlier value)."""
    errors: dict[str, list[str]] = {}
    code = _clean(data.get("code"))
    spec = SPECS.get(code)
    if spec is None:
        raise ValidationError(
            {
                "code": [
                    _("No indicator with the code %(code)s is entered by hand.") % {"code": code}
                ]
            }
        )
    street_code = _clean(data.get("street"))
    street = None
    if street_code:
        street = Jurisdiction.objects.filter(code=street_code, level=Level.STREET).first()
        if street is None:
            errors["street"] = [_("No street has the code %(code)s.") % {"code": street_code}]
        elif not spec.per_street:
            errors["street"] = [_("This figure is entered for the whole district only.")]
    if not may_enter(actor, code, street):
        raise PermissionDenied(_("Only district staff may enter this figure."))
    r = reach(actor)
    if street is None and not errors and r.role == Role.STREET_OFFICER and not r.superuser:
        raise PermissionDenied(_("Only district staff may enter this figure."))
    year, month = data.get("year"), data.get("month") or 0
    try:
        year = int(year)  # type: ignore[arg-type]
        month = int(month)
    except (TypeError, ValueError):
        errors.setdefault("year", []).append(_("Enter a year such as 2025."))
        year, month = 0, 0
    if year and not 2000 <= year <= 2100:
        errors.setdefault("year", []).append(_("Enter a year such as 2025."))
    if month:
        errors.setdefault("month", []).append(_("This figure is entered for a whole year."))
    elif year and year > timezone.localdate().year:
        errors.setdefault("year", []).append(_("The year %(year)s has not begun.") % {"year": year})
    value, base = data.get("value"), data.get("base")
    value = _number(value) if isinstance(value, (int, float)) or _is_number(value) else None
    if value is None:
        errors.setdefault("value", []).append(_("Enter a number."))
    elif value < 0:
        errors.setdefault("value", []).append(_("A figure cannot be negative."))
    elif spec.whole_value and value != int(value):
        errors.setdefault("value", []).append(_("Enter a whole number."))
    if spec.base_label is None:
        if base not in (None, ""):
            errors.setdefault("base", []).append(_("This indicator has no base figure."))
        base = None
    else:
        base = _number(base) if _is_number(base) else None
        if base is None:
            errors.setdefault("base", []).append(_("Enter a number."))
        elif base <= 0:
            errors.setdefault("base", []).append(_("Enter a number above zero."))
        elif spec.value_at_most_base and value is not None and value > base:
            errors.setdefault("value", []).append(
                _("Cannot be more than %(base)s.") % {"base": f"{base:g}"}
            )
    source = _clean(data.get("source"))
    if not source:
        errors.setdefault("source", []).append(
            _("Name the source: the document or department the figure comes from.")
        )
    elif len(source) > 255:
        errors.setdefault("source", []).append(_("Enter at most %(n)s characters.") % {"n": 255})
    note = str(data.get("note") or "")
    for field, text in (("source", source), ("note", note)):
        if "\x00" in text:
            errors.setdefault(field, []).append(_("Null characters are not allowed."))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if instance is None:
            instance = (
                EnteredFigure.objects.select_for_update(of=("self",))
                .filter(code=code, year=year, month=0, street=street)
                .first()
            ) or EnteredFigure(code=code, year=year, month=0, street=street)
        else:
            instance = EnteredFigure.objects.select_for_update(of=("self",)).get(pk=instance.pk)
            if (instance.code, instance.year, instance.street_id) != (
                code,
                year,
                street.pk if street else None,
            ):
                clash = EnteredFigure.objects.filter(
                    code=code, year=year, month=0, street=street
                ).exclude(pk=instance.pk)
                if clash.exists():
                    raise ValidationError(
                        {
                            "year": [
                                _(
                                    "A figure for this indicator, year and street is already entered."
                                )
                            ]
                        }
                    )
        if instance.pk and not may_enter(actor, instance.code, instance.street):
            raise PermissionDenied(_("Only district staff may enter this figure."))
        instance.code, instance.year, instance.month, instance.street = code, year, 0, street
        instance.value, instance.base = float(value), base  # type: ignore[arg-type]
        instance.source, instance.note = source, note
        instance.entered_by = actor
        instance._history_user = actor  # type: ignore[union-attr]
        instance.full_clean()
        instance.save()
    return instance


def _is_number(value: Any) -> bool:
    if isinstance(value, bool) or value is None or value == "":
        return False
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return number == number and number not in (float("inf"), float("-inf"))


def figures_for(user: Any) -> Any:
    """Entered figures `user` may read: all of them for a reader of the whole district (or
    with no place in the tree), their street's and the district's for a street's reader."""
    from django.db.models import Q

    qs = EnteredFigure.objects.select_related("street", "entered_by")
    r = reach(user)
    if not r.authenticated or r.role is None:
        return qs.none()
    if r.whole_district or not r.path:
        return qs
    return qs.filter(
        Q(street__isnull=True)
        | Q(street__path__startswith=r.path)
        | Q(street__path__in=[p for p in _ancestors(r.path)])
    )


def _ancestors(path: str) -> list[str]:
    parts = path.strip("/").split("/")
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def today() -> dt.date:
    return timezone.localdate()
