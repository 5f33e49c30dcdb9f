"""Operations on emergency resources. Pages, API, demo, jobs and other apps write through these.

Interface used by the incidents app (signatures kept stable):
- `issue_stock(actor, *, warehouse, material, quantity, incident_ref="", note="")` → the
  ledger row; draws from lots earliest expiry first; ValidationError and nothing changed
  when the warehouse holds less.
- `set_team_status(actor, team, status, *, reason="")` → the team; ValidationError when
  dispatching a team that is already dispatched.
- `nearest(user, *, lon, lat, kind, k=5, material=None)` → dicts with kind, id, name, lon,
  lat, distance_m, travel_min and kind-specific fields.

`actor=None` is the system itself (demo loader, background job) and skips the reach
check; pages and the API always pass the signed-in user.
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import OrderedDict, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cityguard.core import geo
from cityguard.core.access import DISTRICT_ROLES, reach, require_change
from cityguard.core.services import (
    _check_area,
    apply_changes,
    names_jurisdiction,
    place_in_tree,
    require_write,
    validate_and_save,
)

from . import config
from .choices import (
    INBOUND,
    MovementKind,
    NearestKind,
    ShelterStatus,
    TeamStatus,
)
from .models import (
    Expert,
    FireStation,
    IndexVersion,
    Material,
    RotationAlert,
    Shelter,
    StockLot,
    StockMovement,
    Stocktake,
    Team,
    Warehouse,
)

CENT = Decimal("0.01")

# --- versions of the nearest-resource indexes ------------------------------------------


def bump(*kinds: str) -> None:
    """Mark the cached nearest indexes of `kinds` stale in every process."""
    for kind in kinds:
        updated = IndexVersion.objects.filter(kind=kind).update(n=F("n") + 1)
        if not updated:
            IndexVersion.objects.get_or_create(kind=kind, defaults={"n": 1})


def version(kind: str) -> int:
    row = IndexVersion.objects.filter(kind=kind).values_list("n", flat=True).first()
    return int(row or 0)


# --- records ---------------------------------------------------------------------------

WAREHOUSE_FIELDS = {
    "name", "code", "reserve_level", "mode", "organization", "organization_id", "address",
    "manager", "phone", "area_m2", "is_active", "lon", "lat", "jurisdiction", "jurisdiction_id",
}  # fmt: skip
TEAM_FIELDS = {
    "name", "kind", "organization", "organization_id", "headcount", "skills", "equipment",
    "leader", "phone", "is_active", "lon", "lat", "jurisdiction", "jurisdiction_id",
}  # fmt: skip
SHELTER_FIELDS = {
    "name", "kind", "organization", "organization_id", "address", "capacity", "occupancy",
    "area_m2", "facilities", "status", "manager", "phone", "lon", "lat", "jurisdiction",
    "jurisdiction_id",
}  # fmt: skip
STATION_FIELDS = {
    "name", "kind", "address", "headcount", "vehicles", "phone", "service_area", "lon", "lat",
    "jurisdiction", "jurisdiction_id",
}  # fmt: skip
EXPERT_FIELDS = {
    "name", "specialty", "title", "employer", "phone", "jurisdiction", "jurisdiction_id",
    "is_available",
}  # fmt: skip
MATERIAL_FIELDS = {
    "code", "name", "name_en", "category", "unit", "spec", "shelf_life_days", "is_active",
}  # fmt: skip

_KIND_OF: dict[type[models.Model], str] = {
    Warehouse: "warehouse",
    Team: "team",
    Shelter: "shelter",
    FireStation: "fire_station",
}


def _save_located(
    actor: Any, model: type[models.Model], fields: set[str], data: dict[str, Any], instance: Any
) -> Any:
    require_write(actor)
    if instance is not None:
        require_change(actor, instance)
    obj = instance or model()
    apply_changes(obj, data, fields)
    errors: dict[str, list[str]] = {}
    if isinstance(obj, FireStation) and "service_area" in data:
        obj.service_area = _check_area(obj.service_area or "", "service_area", errors, False)
        _set_station_area(obj)
    if isinstance(obj, Shelter) and obj.capacity is not None and obj.occupancy > obj.capacity:
        errors.setdefault("occupancy", []).append(_("Occupancy cannot exceed the capacity."))
    place_in_tree(obj, errors, names_jurisdiction(data))
    if not errors:
        require_change(actor, obj)  # where it would stand after the change
    saved = validate_and_save(obj, actor, errors, exclude=["jurisdiction"] if errors else [])
    bump(_KIND_OF[model])
    return saved


def _set_station_area(obj: FireStation) -> None:
    from .coverage import area_km2

    if not obj.service_area:
        obj.service_area_km2 = None
        obj.min_lon = obj.min_lat = obj.max_lon = obj.max_lat = None
        return
    try:
        geom = geo.parse_area(obj.service_area)
    except geo.GeometryError:
        return
    obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat = geom.bounds
    obj.service_area_km2 = round(area_km2(geom), 3)


@transaction.atomic
def save_warehouse(
    actor: Any, data: dict[str, Any], instance: Warehouse | None = None
) -> Warehouse:
    return _save_located(actor, Warehouse, WAREHOUSE_FIELDS, data, instance)  # type: ignore[no-any-return]


@transaction.atomic
def save_team(actor: Any, data: dict[str, Any], instance: Team | None = None) -> Team:
    if instance is not None and "status" in data:
        raise ValidationError({"status": [_("Change the status with set_team_status.")]})
    return _save_located(actor, Team, TEAM_FIELDS, data, instance)  # type: ignore[no-any-return]


@transaction.atomic
def save_shelter(actor: Any, data: dict[str, Any], instance: Shelter | None = None) -> Shelter:
    return _save_located(actor, Shelter, SHELTER_FIELDS, data, instance)  # type: ignore[no-any-return]


@transaction.atomic
def save_fire_station(
    actor: Any, data: dict[str, Any], instance: FireStation | None = None
) -> FireStation:
    return _save_located(actor, FireStation, STATION_FIELDS, data, instance)  # type: ignore[no-any-return]


@transaction.atomic
def save_expert(actor: Any, data: dict[str, Any], instance: Expert | None = None) -> Expert:
    require_write(actor)
    if instance is not None:
        require_change(actor, instance)
    obj = instance or Expert()
    apply_changes(obj, data, EXPERT_FIELDS)
    errors: dict[str, list[str]] = {}
    if not obj.jurisdiction_id:
        errors["jurisdiction"] = [_("This field cannot be empty.")]
    else:
        require_change(actor, obj)
    return validate_and_save(obj, actor, errors, exclude=["jurisdiction"] if errors else [])


@transaction.atomic
def save_material(actor: Any, data: dict[str, Any], instance: Material | None = None) -> Material:
    """The catalogue is district reference data: district roles only."""
    if actor is not None:
        r = reach(actor)
        if not (r.superuser or r.role in DISTRICT_ROLES):
            raise PermissionDenied(_("Only district staff may change the materials catalogue."))
    obj = instance or Material()
    apply_changes(obj, data, MATERIAL_FIELDS)
    return validate_and_save(obj, actor, {}, exclude=[])


# --- stock ledger ----------------------------------------------------------------------


def quantity_of(value: Any, field: str = "quantity") -> Decimal:
    """A positive quantity with at most two decimals, or ValidationError."""
    try:
        q = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not q.is_finite() or q <= 0:
        raise ValidationError({field: [_("The quantity must be greater than zero.")]})
    if q != q.quantize(CENT):
        raise ValidationError({field: [_("Use at most two decimal places.")]})
    if q >= Decimal("1e12"):
        raise ValidationError({field: [_("The quantity is too large.")]})
    return q.quantize(CENT)


def _check_stock_write(actor: Any, warehouse: Warehouse, material: Material) -> None:
    if actor is not None:
        require_write(actor)
        require_change(actor, warehouse)
    if not warehouse.is_active:
        raise ValidationError({"warehouse": [_("The warehouse is not active.")]})
    if material is None or material.pk is None:
        raise ValidationError({"material": [_("No such material.")]})


def _movement(actor: Any, **fields: Any) -> StockMovement:
    fields.setdefault("at", timezone.now())
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    return StockMovement.objects.create(created_by=user, **fields)


@transaction.atomic
def receive_stock(
    actor: Any,
    *,
    warehouse: Warehouse,
    material: Material,
    quantity: Any,
    lot_no: str = "",
    expires_on: dt.date | None = None,
    received_on: dt.date | None = None,
    donor: str = "",
    note: str = "",
) -> StockMovement:
    """Stock in as a new lot; with a donor it is recorded as a donation received."""
    q = quantity_of(quantity)
    _check_stock_write(actor, warehouse, material)
    today = timezone.localdate()
    lot = StockLot.objects.create(
        warehouse=warehouse,
        material=material,
        lot_no=lot_no,
        quantity=q,
        received_on=received_on or today,
        expires_on=expires_on,
    )
    kind = MovementKind.DONATION if donor else MovementKind.IN
    mv = _movement(
        actor, warehouse=warehouse, material=material, lot=lot, kind=kind, quantity=q,
        donor=donor, note=note, lots=[{"lot": lot.pk, "quantity": str(q)}],
    )  # fmt: skip
    bump("warehouse")
    return mv


def held(warehouse: Warehouse, material: Material) -> Decimal:
    total = StockLot.objects.filter(warehouse=warehouse, material=material).aggregate(
        s=Sum("quantity")
    )["s"]
    return Decimal(total or 0).quantize(CENT)


def _draw(warehouse: Warehouse, material: Material, q: Decimal) -> list[tuple[StockLot, Decimal]]:
    """Take `q` from the lots, earliest expiry first (no expiry last); refuse if short."""
    lots = list(
        StockLot.objects.select_for_update()
        .filter(warehouse=warehouse, material=material, quantity__gt=0)
        .order_by(F("expires_on").asc(nulls_last=True), "received_on", "id")
    )
    have = sum((lot.quantity for lot in lots), Decimal(0))
    if have < q:
        raise ValidationError(
            {
                "quantity": [
                    _(
                        "%(warehouse)s holds %(have)s %(unit)s of %(material)s; "
                        "%(want)s cannot be issued."
                    )
                    % {
                        "warehouse": warehouse.name,
                        "have": f"{have.normalize():f}",
                        "unit": material.unit,
                        "material": material.label,
                        "want": f"{q.normalize():f}",
                    }
                ]
            }
        )
    taken: list[tuple[StockLot, Decimal]] = []
    left = q
    for lot in lots:
        if left <= 0:
            break
        take = min(lot.quantity, left)
        lot.quantity -= take
        lot.save(update_fields=["quantity", "updated_at"])
        taken.append((lot, take))
        left -= take
    return taken


def _outbound(
    actor: Any,
    kind: str,
    warehouse: Warehouse,
    material: Material,
    quantity: Any,
    **extra: Any,
) -> tuple[StockMovement, list[tuple[StockLot, Decimal]]]:
    q = quantity_of(quantity)
    _check_stock_write(actor, warehouse, material)
    taken = _draw(warehouse, material, q)
    mv = _movement(
        actor,
        warehouse=warehouse,
        material=material,
        lot=taken[0][0] if len(taken) == 1 else None,
        kind=kind,
        quantity=q,
        lots=[{"lot": lot.pk, "quantity": str(t)} for lot, t in taken],
        **extra,
    )
    bump("warehouse")
    return mv, taken


@transaction.atomic
def issue_stock(
    actor: Any,
    *,
    warehouse: Warehouse,
    material: Material,
    quantity: Any,
    incident_ref: str = "",
    note: str = "",
) -> StockMovement:
    """Issue stock (to an incident when `incident_ref` is given), earliest expiry first.

    One ledger row for the whole quantity; its `lots` lists what each lot gave."""
    kind = MovementKind.ISSUE if incident_ref else MovementKind.OUT
    mv, _taken = _outbound(
        actor, kind, warehouse, material, quantity, incident_ref=incident_ref[:60], note=note[:500]
    )
    return mv


@transaction.atomic
def transfer_stock(
    actor: Any,
    *,
    source: Warehouse,
    target: Warehouse,
    material: Material,
    quantity: Any,
    note: str = "",
) -> tuple[StockMovement, StockMovement]:
    """Move stock between warehouses: one out and one in row, both or neither.

    The lots arrive with their lot numbers and expiry dates."""
    if source.pk == target.pk:
        raise ValidationError({"target": [_("Choose another warehouse to transfer to.")]})
    if actor is not None:
        require_write(actor)
        require_change(actor, target)
    if not target.is_active:
        raise ValidationError({"target": [_("The warehouse is not active.")]})
    group = uuid.uuid4().hex
    out, taken = _outbound(
        actor, MovementKind.TRANSFER_OUT, source, material, quantity,
        counterpart=target, group=group, note=note[:500],
    )  # fmt: skip
    new_lots = [
        StockLot.objects.create(
            warehouse=target,
            material=material,
            lot_no=lot.lot_no,
            quantity=t,
            received_on=timezone.localdate(),
            expires_on=lot.expires_on,
        )
        for lot, t in taken
    ]
    into = _movement(
        actor,
        warehouse=target,
        material=material,
        lot=new_lots[0] if len(new_lots) == 1 else None,
        kind=MovementKind.TRANSFER_IN,
        quantity=out.quantity,
        counterpart=source,
        group=group,
        at=out.at,
        note=note[:500],
        lots=[{"lot": lot.pk, "quantity": str(lot.quantity)} for lot in new_lots],
    )
    return out, into


@transaction.atomic
def record_stocktake(
    actor: Any,
    *,
    warehouse: Warehouse,
    counts: dict[int, Any],
    note: str = "",
    counted_at: dt.datetime | None = None,
) -> Stocktake:
    """Record a count of lots (lot id → counted quantity); each difference becomes a
    surplus or shortfall movement so the ledger still reconciles."""
    if actor is not None:
        require_write(actor)
        require_change(actor, warehouse)
    lots = {
        lot.pk: lot
        for lot in StockLot.objects.select_for_update().filter(
            warehouse=warehouse, pk__in=list(counts)
        )
    }
    errors: dict[str, list[str]] = {}
    parsed: dict[int, Decimal] = {}
    for lot_id, value in counts.items():
        if lot_id not in lots:
            errors.setdefault("counts", []).append(
                _("Lot %(lot)s is not in this warehouse.") % {"lot": lot_id}
            )
            continue
        try:
            c = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            errors.setdefault("counts", []).append(_("Enter a number."))
            continue
        if not c.is_finite() or c < 0 or c != c.quantize(CENT):
            errors.setdefault("counts", []).append(
                _("A count must be zero or more, with at most two decimal places.")
            )
            continue
        parsed[lot_id] = c.quantize(CENT)
    if errors:
        raise ValidationError(errors)
    at = counted_at or timezone.now()
    user = actor if actor is not None and getattr(actor, "pk", None) else None
    take = Stocktake.objects.create(warehouse=warehouse, counted_at=at, counted_by=user, note=note)
    lines = []
    for lot_id, counted in parsed.items():
        lot = lots[lot_id]
        diff = counted - lot.quantity
        lines.append(
            {
                "lot": lot.pk,
                "material": lot.material_id,
                "expected": str(lot.quantity),
                "counted": str(counted),
                "difference": str(diff),
            }
        )
        if diff == 0:
            continue
        kind = MovementKind.ADJUST_IN if diff > 0 else MovementKind.ADJUST_OUT
        lot.quantity = counted
        lot.save(update_fields=["quantity", "updated_at"])
        _movement(
            actor, warehouse=warehouse, material_id=lot.material_id, lot=lot, kind=kind,
            quantity=abs(diff), stocktake=take, at=at,
            lots=[{"lot": lot.pk, "quantity": str(abs(diff))}],
        )  # fmt: skip
    take.lines = lines
    take.save(update_fields=["lines"])
    bump("warehouse")
    return take


@dataclass
class LedgerLine:
    """One warehouse × material of a reconciliation."""

    warehouse_id: int
    material_id: int
    opening: Decimal
    inbound: Decimal
    outbound: Decimal
    on_hand: Decimal

    @property
    def closing(self) -> Decimal:
        return self.opening + self.inbound - self.outbound

    @property
    def ok(self) -> bool:
        return self.closing == self.on_hand


def reconcile(
    warehouses: Iterable[Warehouse] | models.QuerySet, since: dt.datetime | None = None
) -> list[LedgerLine]:
    """Opening (before `since`) + in − out = closing, against the lots' quantity on hand,
    per warehouse × material. A line whose `ok` is False is a ledger that does not add up."""
    ids = [w.pk for w in warehouses]
    inbound = [k.value for k in INBOUND]
    zero = Decimal(0)
    acc: dict[tuple[int, int], list[Decimal]] = defaultdict(lambda: [zero, zero, zero, zero])
    rows = (
        StockMovement.objects.filter(warehouse_id__in=ids)
        .values_list("warehouse_id", "material_id", "kind", "at")
        .order_by()
        .annotate(s=Sum("quantity"))
    )
    for wid, mid, kind, at, s in rows:
        line = acc[(wid, mid)]
        signed = s if kind in inbound else -s
        if since is not None and at < since:
            line[0] += signed
        elif kind in inbound:
            line[1] += s
        else:
            line[2] += s
    for wid, mid, s in (
        StockLot.objects.filter(warehouse_id__in=ids)
        .values_list("warehouse_id", "material_id")
        .order_by()
        .annotate(s=Sum("quantity"))
    ):
        acc[(wid, mid)][3] += s
    return [
        LedgerLine(wid, mid, *(v.quantize(CENT) for v in vals))
        for (wid, mid), vals in sorted(acc.items())
    ]


# --- rotation --------------------------------------------------------------------------


def expiring_lots(
    qs: models.QuerySet, days: int | None = None, today: dt.date | None = None
) -> Any:
    """Lots with stock that expire within `days` (or have expired)."""
    today = today or timezone.localdate()
    days = config.rotation_days() if days is None else days
    return qs.filter(quantity__gt=0, expires_on__isnull=False).filter(
        expires_on__lte=today + dt.timedelta(days=days)
    )


@transaction.atomic
def raise_rotation_alerts(today: dt.date | None = None, days: int | None = None) -> dict[str, int]:
    """The daily job: open an alert for each lot entering the window, resolve the alerts
    of lots rotated out (emptied) or no longer in the window. Idempotent."""
    now = timezone.now()
    due = expiring_lots(StockLot.objects.all(), days, today)
    due_ids = set(due.values_list("pk", flat=True))
    existing = {a.lot_id: a for a in RotationAlert.objects.filter(resolved_at__isnull=True)}
    created = 0
    for lot in due.exclude(pk__in=list(existing)):
        RotationAlert.objects.update_or_create(
            lot=lot,
            defaults={
                "raised_at": now,
                "expires_on": lot.expires_on,
                "quantity": lot.quantity,
                "resolved_at": None,
            },
        )
        created += 1
    resolved = (
        RotationAlert.objects.filter(resolved_at__isnull=True)
        .exclude(lot_id__in=list(due_ids))
        .update(resolved_at=now)
    )
    return {"raised": created, "resolved": resolved, "open": len(due_ids)}


# --- teams and shelters ----------------------------------------------------------------


@transaction.atomic
def set_team_status(actor: Any, team: Team, status: str, *, reason: str = "") -> Team:
    """Change a team's availability. Dispatching a dispatched team is refused."""
    if status not in TeamStatus.values:
        raise ValidationError({"status": [_("Unknown status.")]})
    if actor is not None:
        require_write(actor)
        require_change(actor, team)
    locked = Team.objects.select_for_update().get(pk=team.pk)
    if status == TeamStatus.DISPATCHED and locked.status == TeamStatus.DISPATCHED:
        raise ValidationError(
            {
                "status": ValidationError(
                    _("%(team)s is already dispatched.") % {"team": team}, code="already_dispatched"
                )
            }
        )
    if status == TeamStatus.DISPATCHED and not locked.is_active:
        raise ValidationError({"status": [_("%(team)s is not active.") % {"team": team}]})
    locked.status = status
    locked.status_reason = reason[:300]
    locked.status_changed_at = timezone.now()
    locked._history_user = actor  # type: ignore[attr-defined]
    locked.save()
    bump("team")
    team.status, team.status_reason = locked.status, locked.status_reason
    team.status_changed_at = locked.status_changed_at
    return locked


@transaction.atomic
def set_shelter_occupancy(
    actor: Any, shelter: Shelter, occupancy: int, *, status: str | None = None
) -> Shelter:
    data: dict[str, Any] = {"occupancy": occupancy}
    if status is not None:
        data["status"] = status
    if not isinstance(occupancy, int) or occupancy < 0:
        raise ValidationError({"occupancy": [_("Occupancy must be zero or more.")]})
    return save_shelter(actor, data, instance=shelter)


# --- nearest ---------------------------------------------------------------------------


@dataclass
class Candidates:
    """The resources one viewer may be sent to, as arrays, for repeated nearest queries."""

    ids: np.ndarray
    lons: np.ndarray
    lats: np.ndarray
    extra: list[dict[str, Any]]
    index: geo.PointIndex | None = None

    def __post_init__(self) -> None:
        if len(self.ids) > 256:
            self.index = geo.PointIndex(list(range(len(self.ids))), self.lons, self.lats)  # type: ignore[arg-type]

    def nearest(self, lon: float, lat: float, k: int) -> list[tuple[int, float]]:
        """(row, metres) of the k nearest rows."""
        if not len(self.ids) or k <= 0:
            return []
        if self.index is not None:
            return self.index.nearest(lon, lat, k)
        d = np.asarray(geo.haversine_m(lon, lat, self.lons, self.lats), dtype=float)
        order = np.argsort(d, kind="stable")[:k]
        return [(int(i), float(d[i])) for i in order]


def _candidates(user: Any, kind: str, material: Material | None) -> Candidates:
    rows: list[tuple[Any, ...]]
    extra: list[dict[str, Any]] = []
    if kind == NearestKind.TEAM:
        qs = Team.objects.visible_to(user).filter(
            is_active=True, status=TeamStatus.AVAILABLE, lon__isnull=False, lat__isnull=False
        )
        rows = list(qs.values_list("id", "lon", "lat", "name", "kind", "headcount", "phone"))
        extra = [{"name": r[3], "team_kind": r[4], "headcount": r[5], "phone": r[6]} for r in rows]
    elif kind == NearestKind.SHELTER:
        qs = (
            Shelter.objects.visible_to(user)
            .filter(capacity__gt=F("occupancy"), lon__isnull=False, lat__isnull=False)
            .exclude(status=ShelterStatus.CLOSED)
        )
        rows = list(qs.values_list("id", "lon", "lat", "name", "capacity", "occupancy", "status"))
        extra = [
            {
                "name": r[3],
                "capacity": r[4],
                "occupancy": r[5],
                "free_capacity": r[4] - r[5],
                "status": r[6],
            }
            for r in rows
        ]
    elif kind == NearestKind.FIRE_STATION:
        qs = FireStation.objects.visible_to(user).filter(lon__isnull=False, lat__isnull=False)
        rows = list(qs.values_list("id", "lon", "lat", "name", "vehicles", "phone"))
        extra = [{"name": r[3], "vehicles": r[4], "phone": r[5]} for r in rows]
    elif kind == NearestKind.WAREHOUSE:
        qs = Warehouse.objects.visible_to(user).filter(
            is_active=True, lon__isnull=False, lat__isnull=False
        )
        if material is None:
            rows = list(qs.values_list("id", "lon", "lat", "name", "reserve_level", "mode"))
            extra = [{"name": r[3], "reserve_level": r[4], "mode": r[5]} for r in rows]
        else:
            held_by = dict(
                StockLot.objects.filter(material=material, quantity__gt=0, warehouse__in=qs)
                .values_list("warehouse_id")
                .order_by()
                .annotate(s=Sum("quantity"))
            )
            rows = list(
                qs.filter(pk__in=list(held_by)).values_list(
                    "id", "lon", "lat", "name", "reserve_level", "mode"
                )
            )
            extra = [
                {
                    "name": r[3],
                    "reserve_level": r[4],
                    "mode": r[5],
                    "material": material.code,
                    "quantity": float(held_by[r[0]]),
                    "unit": material.unit,
                }
                for r in rows
            ]
    else:
        raise ValidationError({"kind": [_("Unknown resource kind.")]})
    return Candidates(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        lons=np.array([r[1] for r in rows], dtype=float),
        lats=np.array([r[2] for r in rows], dtype=float),
        extra=extra,
    )


_CACHE: OrderedDict[tuple[Any, ...], tuple[int, Candidates]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 64


def _scope_key(user: Any) -> tuple[Any, ...]:
    r = reach(user)
    if not r.authenticated or r.role is None:
        return ("none",)
    if r.whole_district:
        return ("all",)
    return (r.role, r.path, r.organization_id)


def candidates(user: Any, kind: str, material: Material | None = None) -> Candidates:
    """The candidate set, cached per scope until a write bumps the kind's version."""
    key = (kind, _scope_key(user), material.pk if material is not None else None)
    v = version(kind)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] == v:
            _CACHE.move_to_end(key)
            return hit[1]
    cand = _candidates(user, kind, material)
    with _CACHE_LOCK:
        _CACHE[key] = (v, cand)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return cand


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


MAX_K = 100


def nearest(
    user: Any,
    *,
    lon: float,
    lat: float,
    kind: str,
    k: int = 5,
    material: Material | None = None,
) -> list[dict[str, Any]]:
    """The k nearest resources of `kind` the user may see, nearest first.

    Teams: active and available. Warehouses: active; with `material`, only those holding
    some (with the quantity). Shelters: not closed, with free capacity. Each dict has
    kind, id, name, lon, lat, distance_m (great circle) and travel_min (distance × detour
    ÷ the kind's speed, see `config`)."""
    try:
        lon, lat = geo.check_lonlat(lon, lat)
    except geo.GeometryError as err:
        raise ValidationError({"lon": [str(err)]}) from None
    if kind not in NearestKind.values:
        raise ValidationError({"kind": [_("Unknown resource kind.")]})
    if material is not None and kind != NearestKind.WAREHOUSE:
        raise ValidationError({"material": [_("A material applies to warehouses only.")]})
    if not isinstance(k, int) or k < 1 or k > MAX_K:
        raise ValidationError({"k": [_("k must be between 1 and %(max)s.") % {"max": MAX_K}]})
    cand = candidates(user, kind, material)
    out = []
    for row, dist in cand.nearest(lon, lat, k):
        item = {
            "kind": kind,
            "id": int(cand.ids[row]),
            "lon": float(cand.lons[row]),
            "lat": float(cand.lats[row]),
            "distance_m": round(dist, 1),
            "travel_min": round(config.travel_minutes(dist, kind), 1),
        }
        item.update(cand.extra[row])
        out.append(item)
    return out


def free_capacity_total(qs: models.QuerySet) -> int:
    """Sum of free places over shelters that are not closed."""
    rows = qs.exclude(status=ShelterStatus.CLOSED).filter(capacity__gt=F("occupancy"))
    agg = rows.aggregate(c=Sum("capacity"), o=Sum("occupancy"))
    return int((agg["c"] or 0) - (agg["o"] or 0))


__all__ = [
    "issue_stock",
    "nearest",
    "raise_rotation_alerts",
    "receive_stock",
    "reconcile",
    "record_stocktake",
    "set_team_status",
    "transfer_stock",
]


# --- fire-station coverage -------------------------------------------------------------


def coverage_area(user: Any) -> Any:
    """The area whose coverage `user` looks at: their jurisdiction, else the district."""
    from cityguard.core.choices import Level
    from cityguard.core.models import Jurisdiction

    r = reach(user)
    node = None
    if r.path and not r.whole_district:
        node = Jurisdiction.objects.filter(path=r.path).exclude(boundary="").first()
    if node is None:
        node = (
            Jurisdiction.objects.filter(level=Level.DISTRICT)
            .exclude(boundary="")
            .order_by("path")
            .first()
        )
    return node


def station_coverage(user: Any) -> Any:
    """Coverage of the user's area by the fire stations they may see (None without a
    boundary to measure against)."""
    from .coverage import coverage

    node = coverage_area(user)
    if node is None:
        return None
    area = geo.parse_area(node.boundary)
    stations = []
    for pk, name, text in (
        FireStation.objects.visible_to(user)
        .order_by("name", "id")
        .values_list("id", "name", "service_area")
    ):
        g = None
        if text:
            try:
                g = geo.parse_area(text)
            except geo.GeometryError:
                g = None
        stations.append((pk, name, g))
    return coverage(area, stations, config.station_km2())
