"""Data of the resources app: materials and stock, warehouses, teams, experts, shelters,
fire stations.

Stock is a ledger: every movement is an append-only `StockMovement` row and each
`StockLot` keeps its quantity on hand, so "what is held" is one read and "how did it get
there" is the ledger; `services.reconcile` checks that the two agree. Only
`resources.services` writes these models.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.models import Located, ScopedManager

from .choices import (
    INBOUND,
    MaterialCategory,
    MovementKind,
    ReserveLevel,
    ReserveMode,
    ShelterKind,
    ShelterStatus,
    StationKind,
    TeamKind,
    TeamStatus,
)

QTY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class Material(models.Model):
    """An entry of the materials catalogue (reference data, not scoped)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=16, choices=MaterialCategory.choices)
    unit = models.CharField(_("unit"), max_length=16)
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name


class Warehouse(Located):
    """A reserve store (储备库) at one of the five reserve levels."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    code = models.CharField(_("code"), max_length=40, blank=True)
    reserve_level = models.CharField(
        _("reserve level"), max_length=16, choices=ReserveLevel.choices
    )
    mode = models.CharField(
        _("reserve mode"), max_length=16, choices=ReserveMode.choices, default=ReserveMode.PHYSICAL
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warehouses",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    manager = models.CharField(_("manager"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    area_m2 = models.FloatField(_("floor area (m²)"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        indexes = [models.Index(fields=["lon", "lat"])]

    def __str__(self) -> str:
        return self.name


class StockLot(models.Model):
    """A lot of one material in one warehouse, with its expiry and quantity on hand."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="lots"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="lots"
    )
    lot_no = models.CharField(_("lot number"), max_length=60, blank=True)
    quantity = models.DecimalField(
        _("quantity on hand"), validators=[MinValueValidator(Decimal(0))], default=Decimal(0), **QTY
    )
    received_on = models.DateField(_("received"), null=True, blank=True)
    expires_on = models.DateField(_("expires"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "warehouse__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "warehouse__organization"

    class Meta:
        ordering = ["warehouse", "material", "expires_on", "id"]
        verbose_name = _("stock lot")
        verbose_name_plural = _("stock lots")
        indexes = [models.Index(fields=["material", "warehouse"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=0), name="resources_lot_quantity_not_negative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.material} {self.lot_no or self.pk}"


class AppendOnly(Exception):
    """A ledger row was about to be changed or deleted; record a new movement instead."""


class Stocktake(models.Model):
    """A count of a warehouse's lots; the differences become adjustment movements."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="stocktakes"
    )
    counted_at = models.DateTimeField(_("counted"))
    counted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("counted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    lines = models.JSONField(_("lines"), default=list)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "warehouse__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "warehouse__organization"

    class Meta:
        ordering = ["-counted_at", "-id"]
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")

    def __str__(self) -> str:
        return f"{self.warehouse} {self.counted_at:%Y-%m-%d}"


class StockMovement(models.Model):
    """One row of the stock ledger. Never changed or deleted."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    material = models.ForeignKey(
        Material, verbose_name=_("material"), on_delete=models.PROTECT, related_name="movements"
    )
    lot = models.ForeignKey(
        StockLot,
        verbose_name=_("lot"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
    )
    kind = models.CharField(_("movement"), max_length=16, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity"), **QTY)
    at = models.DateTimeField(_("time"), db_index=True)
    incident_ref = models.CharField(_("incident"), max_length=60, blank=True, db_index=True)
    counterpart = models.ForeignKey(
        Warehouse,
        verbose_name=_("other warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    group = models.CharField(_("movement group"), max_length=36, blank=True, db_index=True)
    stocktake = models.ForeignKey(
        Stocktake, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    # Which lots an outbound movement drew from, earliest expiry first: [{"lot": id, "quantity": "2.00"}].
    lots = models.JSONField(_("lots"), default=list, blank=True)
    donor = models.CharField(_("donor"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "warehouse__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "warehouse__organization"

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["warehouse", "material", "at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="resources_movement_quantity_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} {self.material_id}@{self.warehouse_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnly("a stock movement is never changed; record a new one")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly("a stock movement is never deleted; record a new one")

    @property
    def inbound(self) -> bool:
        return self.kind in INBOUND

    @property
    def signed(self) -> Decimal:
        return self.quantity if self.inbound else -self.quantity


class RotationAlert(models.Model):
    """A lot that expires within the rotation window, raised by the daily job."""

    lot = models.OneToOneField(
        StockLot, verbose_name=_("lot"), on_delete=models.CASCADE, related_name="rotation_alert"
    )
    raised_at = models.DateTimeField(_("raised"))
    expires_on = models.DateField(_("expires"))
    quantity = models.DecimalField(_("quantity"), **QTY)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "lot__warehouse__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "lot__warehouse__organization"

    class Meta:
        ordering = ["expires_on", "id"]
        verbose_name = _("rotation alert")
        verbose_name_plural = _("rotation alerts")

    def __str__(self) -> str:
        return f"{self.lot} {self.expires_on}"


class Team(Located):
    """An emergency team (应急队伍) with its headcount, skills, equipment and availability."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TeamKind.choices)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
    )
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    skills = models.CharField(_("skills"), max_length=500, blank=True)
    equipment = models.TextField(_("equipment"), blank=True)
    leader = models.CharField(_("leader"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TeamStatus.choices, default=TeamStatus.AVAILABLE
    )
    status_reason = models.CharField(_("status reason"), max_length=300, blank=True)
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        indexes = [models.Index(fields=["lon", "lat"])]

    def __str__(self) -> str:
        return self.name


class Expert(models.Model):
    """An entry of the expert library (专家库)."""

    name = models.CharField(_("name"), max_length=100)
    specialty = models.CharField(_("specialty"), max_length=200)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_available = models.BooleanField(_("available"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["specialty", "name", "id"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")

    def __str__(self) -> str:
        return self.name


class Shelter(Located):
    """An emergency shelter (应急避难场所) with capacity and current occupancy."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=ShelterKind.choices, default=ShelterKind.INDOOR
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shelters",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    capacity = models.PositiveIntegerField(_("capacity (people)"))
    occupancy = models.PositiveIntegerField(_("occupancy (people)"), default=0)
    area_m2 = models.FloatField(_("area (m²)"), null=True, blank=True)
    facilities = models.CharField(_("facilities"), max_length=500, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ShelterStatus.choices, default=ShelterStatus.STANDBY
    )
    manager = models.CharField(_("manager"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("shelter")
        verbose_name_plural = _("shelters")
        indexes = [models.Index(fields=["lon", "lat"])]

    def __str__(self) -> str:
        return self.name

    @property
    def free_capacity(self) -> int:
        if self.status == ShelterStatus.CLOSED:
            return 0
        return max(0, self.capacity - self.occupancy)


class FireStation(Located):
    """A fire station (消防站) with its service area (GeoJSON polygon, WGS 84)."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=StationKind.choices, default=StationKind.STANDARD_1
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    headcount = models.PositiveIntegerField(_("headcount"), default=0)
    vehicles = models.PositiveIntegerField(_("fire engines"), default=0)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    service_area = models.TextField(_("service area (GeoJSON)"), blank=True)
    service_area_km2 = models.FloatField(_("service area (km²)"), null=True, blank=True)
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = ScopedManager()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("fire station")
        verbose_name_plural = _("fire stations")

    def __str__(self) -> str:
        return self.name


class IndexVersion(models.Model):
    """A counter per resource kind, bumped by every write, so cached nearest-resource
    indexes in any process know when to rebuild (one primary-key read per query)."""

    kind = models.CharField(max_length=20, primary_key=True)
    n = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = "index version"

    def __str__(self) -> str:
        return f"{self.kind} {self.n}"
