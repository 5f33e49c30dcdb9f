"""The flow ledger (流向) and stock: recording flows and stock counts, reconciliation,
and tracing a lot.

Rules applied to every flow, all before anything is written:

- the quantity is a finite number ≥ 0 in t, kg, L or m³ (a volume with a density, given or
  the catalogue's); any other unit of measure is refused;
- a purchase of a highly toxic chemical or an explosive precursor needs its permit or
  record number;
- the counterparty's licence is checked (`licensing.check_counterparty`): a supplier must
  hold a valid one; a buyer or receiver is checked when it holds or quotes one. A failure
  blocks the flow or is recorded as a warning that flags it for supervision, as
  `config.licence_check_mode()` says;
- the flow may not drive the stock below zero at any point of the ledger.

Stock at a time = the last count at or before it (0 with none) + ins − outs since. A count
after the first is reconciled: opening + in − out = expected closing; a difference beyond
the tolerance flags it for supervision. A flow recorded later inside a counted period
reconciles the next count again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cityguard.core.access import reach, require_change
from cityguard.core.choices import Role
from cityguard.core.models import Organization
from cityguard.core.services import require_write

from . import config, licensing, measure
from .choices import KIND_DIRECTION, Direction, FlowKind
from .models import Chemical, Flow, StockCount, TransportFiling

EPSILON = 1e-9

QUANTITY_MESSAGES = {
    "number": gettext_lazy("Enter a number."),
    "negative": gettext_lazy("A quantity cannot be negative."),
    "unit": gettext_lazy("Unknown unit of measure: use t, kg, L or m³."),
    "density": gettext_lazy("A volume needs the density (t/m³) to be converted into tonnes."),
}


def quantity_error(err: measure.QuantityError, field: str = "quantity") -> ValidationError:
    target = {"unit": "quantity_unit", "density": "density_t_m3"}.get(err.code, field)
    return ValidationError({target: [str(QUANTITY_MESSAGES.get(err.code, str(err)))]})


def to_tonnes(quantity: Any, unit: str, density: Any, chemical: Chemical) -> tuple[float, str, Any]:
    """(tonnes, unit code, density used) or ValidationError naming the field."""
    try:
        code = measure.unit_code(unit)
        if density in ("", None):
            density = chemical.density_t_m3 if code in measure.NEEDS_DENSITY else None
        return measure.to_tonnes(quantity, code, density), code, density
    except measure.QuantityError as err:
        raise quantity_error(err)


# --- stock -----------------------------------------------------------------------------------


def _flows(org_id: int, chem_id: int) -> QuerySet:
    return Flow.objects.filter(organization_id=org_id, chemical_id=chem_id)


def last_count(org_id: int, chem_id: int, at: dt.datetime) -> StockCount | None:
    return (
        StockCount.objects.filter(organization_id=org_id, chemical_id=chem_id, counted_at__lte=at)
        .order_by("-counted_at", "-id")
        .first()
    )


def stock_at(org_id: int, chem_id: int, at: dt.datetime | None = None) -> float:
    at = at or timezone.now()
    base = last_count(org_id, chem_id, at)
    qs = _flows(org_id, chem_id).filter(occurred_at__lte=at)
    start = 0.0
    if base is not None:
        start = base.quantity_t
        qs = qs.filter(occurred_at__gt=base.counted_at)
    total = start
    for direction, q in qs.values_list("direction", "quantity_t"):
        total += q if direction == Direction.IN else (-q if direction == Direction.OUT else 0)
    return total


def _lowest_balance(org_id: int, chem_id: int, extra: Flow) -> tuple[float, dt.datetime]:
    """The lowest running stock from the count before `extra` up to the next count,
    with `extra` included; and when it is reached."""
    base = last_count(org_id, chem_id, extra.occurred_at)
    after = (
        StockCount.objects.filter(
            organization_id=org_id, chemical_id=chem_id, counted_at__gt=extra.occurred_at
        )
        .order_by("counted_at", "id")
        .first()
    )
    qs = _flows(org_id, chem_id)
    balance = 0.0
    if base is not None:
        balance = base.quantity_t
        qs = qs.filter(occurred_at__gt=base.counted_at)
    if after is not None:
        qs = qs.filter(occurred_at__lte=after.counted_at)
    entries = [
        (f.occurred_at, f.pk or 0, f.signed_t)
        for f in qs.only("occurred_at", "direction", "quantity_t")
    ]
    entries.append((extra.occurred_at, 2**62, extra.signed_t))
    entries.sort(key=lambda e: (e[0], e[1]))
    lowest, when = balance, extra.occurred_at
    for at, _pk, signed in entries:
        balance += signed
        if balance < lowest:
            lowest, when = balance, at
    return lowest, when


def reconcile(count: StockCount) -> StockCount:
    """Fill in the reconciliation of a count from the count before it and the flows."""
    prev = (
        StockCount.objects.filter(
            organization_id=count.organization_id,
            chemical_id=count.chemical_id,
            counted_at__lt=count.counted_at,
        )
        .exclude(pk=count.pk)
        .order_by("-counted_at", "-id")
        .first()
    )
    if prev is None:
        count.opening_t = count.expected_t = count.discrepancy_t = None
        count.in_t = count.out_t = 0
        count.flagged = False
        return count
    qs = _flows(count.organization_id, count.chemical_id).filter(
        occurred_at__gt=prev.counted_at, occurred_at__lte=count.counted_at
    )
    inflow = outflow = 0.0
    for direction, q in qs.values_list("direction", "quantity_t"):
        if direction == Direction.IN:
            inflow += q
        elif direction == Direction.OUT:
            outflow += q
    count.opening_t = prev.quantity_t
    count.in_t = inflow
    count.out_t = outflow
    count.expected_t = prev.quantity_t + inflow - outflow
    count.discrepancy_t = count.quantity_t - count.expected_t
    absolute, share = config.stock_tolerance()
    tolerance = max(absolute, share * abs(count.expected_t))
    count.flagged = abs(count.discrepancy_t) > tolerance + EPSILON
    return count


# --- recording -------------------------------------------------------------------------------

FLOW_FIELDS = {
    "organization",
    "chemical",
    "kind",
    "direction",
    "occurred_at",
    "quantity",
    "quantity_unit",
    "density_t_m3",
    "counterparty",
    "counterparty_name",
    "counterparty_licence_no",
    "permit_no",
    "lot",
    "documents",
    "notes",
    "transport_filing",
}


def _text(data: dict[str, Any], name: str, limit: int) -> str:
    value = str(data.get(name) or "").strip()
    if "\x00" in value:
        raise ValidationError({name: [_("Null characters are not allowed.")]})
    if len(value) > limit:
        raise ValidationError({name: [_("Enter at most %(n)s characters.") % {"n": limit}]})
    return value


@transaction.atomic
def record_flow(actor: Any, data: dict[str, Any]) -> Flow:
    """Check and record one flow; see the module docstring for the rules."""
    require_write(actor)
    unknown = set(data) - FLOW_FIELDS
    if unknown:
        raise ValidationError({f: [_("Unknown field.")] for f in sorted(unknown)})
    org: Organization | None = data.get("organization")
    chem: Chemical | None = data.get("chemical")
    errors: dict[str, list[str]] = {}
    if org is None:
        errors.setdefault("organization", []).append(_("Choose the organisation."))
    if chem is None:
        errors.setdefault("chemical", []).append(_("Choose the chemical."))
    kind = str(data.get("kind") or "")
    if kind not in FlowKind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of flow."))
    if errors:
        raise ValidationError(errors)
    assert org is not None and chem is not None
    flow = Flow(organization=org, chemical=chem, kind=kind)
    require_change(actor, flow)
    # One writer per organisation at a time, so two flows cannot both pass the stock check.
    Organization.objects.select_for_update().filter(pk=org.pk).first()

    direction = KIND_DIRECTION[kind]
    if direction is None:
        direction = data.get("direction")
        if direction not in (Direction.IN, Direction.OUT):
            raise ValidationError({"direction": [_("Say whether the transfer is in or out.")]})
    flow.direction = direction
    occurred = data.get("occurred_at") or timezone.now()
    if isinstance(occurred, dt.datetime) and timezone.is_naive(occurred):
        occurred = timezone.make_aware(occurred)
    if occurred > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"occurred_at": [_("A flow cannot be recorded in the future.")]})
    flow.occurred_at = occurred
    tonnes, code, density = to_tonnes(
        data.get("quantity"), str(data.get("quantity_unit") or ""), data.get("density_t_m3"), chem
    )
    if tonnes <= 0:
        raise ValidationError({"quantity": [_("Enter a quantity above zero.")]})
    flow.quantity = measure.number(data.get("quantity"))
    flow.quantity_unit = code
    flow.density_t_m3 = None if density is None else measure.number(density)
    flow.quantity_t = tonnes
    counterparty = data.get("counterparty")
    flow.counterparty = counterparty
    flow.counterparty_name = _text(data, "counterparty_name", 200) or (
        counterparty.name if counterparty else ""
    )
    flow.counterparty_licence_no = licensing.normalise_number(
        _text(data, "counterparty_licence_no", 64)
    )
    flow.permit_no = _text(data, "permit_no", 64)
    flow.lot = _text(data, "lot", 64)
    flow.documents = _text(data, "documents", 5000)
    flow.notes = _text(data, "notes", 5000)
    filing = data.get("transport_filing")
    if filing is not None and not isinstance(filing, TransportFiling):
        raise ValidationError({"transport_filing": [_("No such transport filing.")]})
    flow.transport_filing = filing
    if counterparty is not None and counterparty.pk == org.pk:
        raise ValidationError({"counterparty": [_("The counterparty is the organisation itself.")]})
    needs_counterparty = kind in (FlowKind.PURCHASE, FlowKind.SALE, FlowKind.TRANSFER)
    if needs_counterparty and not flow.counterparty_name:
        raise ValidationError({"counterparty_name": [_("Name the counterparty.")]})

    if kind == FlowKind.PURCHASE and chem.controlled and not flow.permit_no:
        raise ValidationError(
            {
                "permit_no": [
                    _(
                        "%(chemical)s is a highly toxic chemical or an explosive precursor: "
                        "give the purchase permit or record number."
                    )
                    % {"chemical": chem.name_zh}
                ]
            }
        )
    warnings: list[str] = []
    if needs_counterparty:
        check = licensing.check_counterparty(
            chem,
            timezone.localtime(occurred).date(),
            organization_id=counterparty.pk if counterparty else None,
            licence_number=flow.counterparty_licence_no,
            required=kind == FlowKind.PURCHASE,
        )
        flow.counterparty_licence = check.licence if check.ok else None
        if not check.ok:
            if config.licence_check_mode() == "block":
                field = (
                    "counterparty_licence_no" if flow.counterparty_licence_no else "counterparty"
                )
                raise ValidationError({field: [check.message]})
            warnings.append(check.message)
        elif check.message:
            warnings.append(check.message)

    if direction == Direction.OUT:
        lowest, when = _lowest_balance(org.pk, chem.pk, flow)
        if lowest < -EPSILON:
            raise ValidationError(
                {
                    "quantity": [
                        _(
                            "This flow would take the stock of %(chemical)s below zero "
                            "(%(stock).3f t on %(when)s)."
                        )
                        % {
                            "chemical": chem.name_zh,
                            "stock": lowest,
                            "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
                        }
                    ]
                }
            )
    flow.warnings = warnings
    flow.flagged = bool(warnings)
    flow.recorded_by = actor if getattr(actor, "pk", None) else None
    flow.full_clean(exclude=["counterparty_licence", "transport_filing", "recorded_by"])
    flow.save()
    _reconcile_next(flow)
    return flow


def _reconcile_next(flow: Flow) -> None:
    nxt = (
        StockCount.objects.filter(
            organization_id=flow.organization_id,
            chemical_id=flow.chemical_id,
            counted_at__gte=flow.occurred_at,
        )
        .order_by("counted_at", "id")
        .first()
    )
    if nxt is not None:
        reconcile(nxt).save()


@transaction.atomic
def record_count(actor: Any, data: dict[str, Any]) -> StockCount:
    """Record a stock count and reconcile it against the ledger."""
    require_write(actor)
    org = data.get("organization")
    chem = data.get("chemical")
    if org is None or chem is None:
        raise ValidationError(
            {
                **({"organization": [_("Choose the organisation.")]} if org is None else {}),
                **({"chemical": [_("Choose the chemical.")]} if chem is None else {}),
            }
        )
    count = StockCount(organization=org, chemical=chem)
    require_change(actor, count)
    at = data.get("counted_at") or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"counted_at": [_("A count cannot be in the future.")]})
    count.counted_at = at
    tonnes, _code, _density = to_tonnes(
        data.get("quantity"), str(data.get("quantity_unit") or "t"), data.get("density_t_m3"), chem
    )
    count.quantity_t = tonnes
    count.notes = _text(data, "notes", 5000)
    count.recorded_by = actor if getattr(actor, "pk", None) else None
    reconcile(count)
    count.save()
    later = (
        StockCount.objects.filter(organization=org, chemical=chem, counted_at__gt=at)
        .order_by("counted_at", "id")
        .first()
    )
    if later is not None:
        reconcile(later).save()
    return count


@transaction.atomic
def resolve_count(actor: Any, count: StockCount, resolution: str) -> StockCount:
    """A supervisor closes a flagged discrepancy with what was found."""
    require_write(actor)
    if reach(actor).role == Role.ENTERPRISE_MANAGER:
        raise PermissionDenied(_("A discrepancy is closed by the supervising authority."))
    require_change(actor, count)
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": [_("Say what was found.")]})
    count.resolution = resolution
    count.resolved_at = timezone.now()
    count.save(update_fields=["resolution", "resolved_at"])
    return count


# --- tracing ---------------------------------------------------------------------------------


def trace(user: Any, lot: str) -> dict[str, Any]:
    """Every place a lot went, as a graph: nodes are organisations (in the platform or
    named by their counterparties) and the end uses; links are movements with their
    quantity. A sale recorded by the seller and the purchase recorded by the buyer are one
    movement: a link's quantity is the larger of what its two ends recorded."""
    lot = (lot or "").strip()
    flows = (
        list(
            Flow.objects.visible_to(user)
            .filter(lot=lot)
            .select_related("organization", "counterparty", "chemical")
            .order_by("occurred_at", "id")
        )
        if lot
        else []
    )
    nodes: dict[str, dict[str, Any]] = {}

    def org_node(org: Organization | None, name: str) -> str:
        if org is not None:
            key = f"org-{org.pk}"
            nodes.setdefault(
                key, {"id": key, "name": org.name, "kind": "organization", "org": org.pk}
            )
        else:
            key = f"ext-{measure.key(name) or 'unknown'}"
            nodes.setdefault(key, {"id": key, "name": name or "?", "kind": "external"})
        return key

    sides: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: {"src": 0.0, "dst": 0.0})
    kinds: dict[tuple[str, str], set[str]] = defaultdict(set)
    for f in flows:
        here = org_node(f.organization, f.organization.name)
        if f.kind in (FlowKind.USE, FlowKind.DISPOSAL):
            key = f"{f.kind}-{f.organization_id}"
            label = str(FlowKind(f.kind).label)
            nodes.setdefault(
                key, {"id": key, "name": f"{f.organization.name} · {label}", "kind": f.kind}
            )
            pair, side = (here, key), "src"
        elif f.kind == FlowKind.TRANSPORT:
            continue
        else:
            there = org_node(f.counterparty, f.counterparty_name)
            if f.direction == Direction.IN:
                pair, side = (there, here), "dst"
            else:
                pair, side = (here, there), "src"
        sides[pair][side] += f.quantity_t
        kinds[pair].add(f.kind)
    links = [
        {
            "source": s,
            "target": t,
            "quantity_t": round(max(v["src"], v["dst"]), 6),
            "kinds": sorted(kinds[(s, t)]),
        }
        for (s, t), v in sides.items()
    ]
    return {
        "lot": lot,
        "nodes": list(nodes.values()),
        "links": links,
        "flows": [
            {
                "id": f.pk,
                "organization": f.organization.name,
                "kind": f.kind,
                "direction": f.direction,
                "counterparty": f.counterparty_name,
                "quantity_t": f.quantity_t,
                "occurred_at": f.occurred_at.isoformat(),
                "chemical": f.chemical.name_zh,
            }
            for f in flows
        ],
    }


def flows_between(qs: QuerySet, q: str) -> QuerySet:
    q = (q or "").strip()
    if not q:
        return qs
    return qs.filter(
        Q(lot__icontains=q) | Q(counterparty_name__icontains=q) | Q(documents__icontains=q)
    )
