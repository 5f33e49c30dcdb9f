"""Data of the chemicals app: catalogue and safety data sheets, units and inventories,
identification snapshots and the major hazard source registry, licences, flows and
stock counts, transport filings and the blacklist."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.models import Located, ScopedManager, ScopedQuerySet

from .choices import (
    BlacklistKind,
    Direction,
    FilingStatus,
    FlowKind,
    LicenceKind,
    LicenceStatus,
    PhysicalState,
    PopulationSource,
    QuantityUnit,
    ReminderKind,
    SourceStatus,
    Trigger,
    UnitKind,
)

# --- catalogue ---------------------------------------------------------------------------


class Chemical(models.Model):
    """A hazardous chemical of the catalogue.

    Table 1 of GB 18218 has rows that share one CAS number (the grades of nitrocellulose,
    of ammonium nitrate): each row is its own Chemical, told apart by `grade`, so the
    grade, not the CAS number, selects the threshold. Carbon monoxide is its own Chemical
    whose `table1_no` is 13 (煤气), the row the standard counts it under.
    """

    key = models.SlugField(_("key"), max_length=64, unique=True)
    table1_no = models.PositiveSmallIntegerField(
        _("GB 18218 Table 1 row"), null=True, blank=True, db_index=True
    )
    table1_threshold_t = models.FloatField(_("Table 1 threshold (t)"), null=True, blank=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    cas_numbers = models.JSONField(_("CAS numbers"), default=list, blank=True)
    un_number = models.CharField(_("UN number"), max_length=8, blank=True)
    grade = models.CharField(
        _("grade"),
        max_length=200,
        blank=True,
        help_text=_("What tells this entry apart from others with the same CAS number."),
    )
    categories = models.JSONField(_("GB 18218 Table 2 categories"), default=list, blank=True)
    table3_beta = models.FloatField(_("Table 3 correction factor β"), null=True, blank=True)
    highly_toxic = models.BooleanField(_("highly toxic"), default=False)
    explosive_precursor = models.BooleanField(_("explosive precursor"), default=False)
    physical_state = models.CharField(
        _("physical state"), max_length=16, choices=PhysicalState.choices, blank=True
    )
    density_t_m3 = models.FloatField(
        _("density (t/m³)"),
        null=True,
        blank=True,
        help_text=_("Used to convert litres and cubic metres into tonnes."),
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["table1_no", "name_zh", "id"]
        verbose_name = _("chemical")
        verbose_name_plural = _("chemicals")

    def __str__(self) -> str:
        return self.name_zh

    @property
    def controlled(self) -> bool:
        """Highly toxic or explosive precursor: a purchase needs a permit or record number."""
        return self.highly_toxic or self.explosive_precursor


class ChemicalName(models.Model):
    """One searchable spelling of a chemical (name, alias, English name, CAS number),
    stored normalised (`measure.key`) so that a lookup is one indexed equality."""

    KINDS = [
        ("name", "name"),
        ("base", "base name"),
        ("alias", "alias"),
        ("name_en", "English name"),
        ("cas", "CAS"),
        ("un", "UN"),
    ]
    chemical = models.ForeignKey(Chemical, on_delete=models.CASCADE, related_name="names")
    key = models.CharField(max_length=255, db_index=True)
    kind = models.CharField(max_length=8, choices=KINDS)

    class Meta:
        indexes = [models.Index(fields=["kind", "key"])]

    def __str__(self) -> str:
        return self.key


class SafetyDataSheet(models.Model):
    chemical = models.OneToOneField(
        Chemical, on_delete=models.CASCADE, related_name="sds", verbose_name=_("chemical")
    )
    hazards = models.TextField(_("hazards"), blank=True)
    first_aid = models.TextField(_("first aid"), blank=True)
    fire_fighting = models.TextField(_("fire fighting"), blank=True)
    spill_response = models.TextField(_("spill response"), blank=True)
    exposure_limits = models.TextField(_("exposure limits"), blank=True)
    generated = models.BooleanField(
        _("generated from the hazard categories"),
        default=False,
        help_text=_("Replace with the supplier's safety data sheet."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("safety data sheet")
        verbose_name_plural = _("safety data sheets")

    def __str__(self) -> str:
        return str(self.chemical)


# --- units and inventories ---------------------------------------------------------------


class Unit(Located):
    """A production unit (bounded by shut-off valves) or a storage unit (a tank farm
    within its dike, or one warehouse building) of an organisation. The latest
    identification is kept on the row; every identification is an `Assessment`."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="chemical_units",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=UnitKind.choices)
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=64, blank=True)
    boundary_note = models.CharField(
        _("boundary"),
        max_length=500,
        blank=True,
        help_text=_("The shut-off valves, the dike or the building that bound the unit."),
    )
    exposed_population = models.PositiveIntegerField(
        _("population within 500 m"),
        null=True,
        blank=True,
        help_text=_(
            "Residents within 500 m outside the site boundary. Leave empty to estimate it "
            "from the community's population data."
        ),
    )
    is_active = models.BooleanField(_("in use"), default=True)
    # The latest identification (see Assessment for every one).
    s = models.FloatField(_("S"), default=0)
    is_major = models.BooleanField(_("major hazard"), default=False, db_index=True)
    alpha = models.FloatField(_("α"), null=True, blank=True)
    r = models.FloatField(_("R"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    population_used = models.FloatField(_("population used"), null=True, blank=True)
    population_source = models.CharField(
        _("population source"),
        max_length=16,
        choices=PopulationSource.choices,
        default=PopulationSource.UNKNOWN,
    )
    assessed_at = models.DateTimeField(_("assessed"), null=True, blank=True)
    # The computed fields change with every identification, each kept as an Assessment.
    history = HistoricalRecords(
        excluded_fields=[
            "s",
            "is_major",
            "alpha",
            "r",
            "grade",
            "population_used",
            "population_source",
            "assessed_at",
        ]
    )

    objects = ScopedManager()
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["organization", "name", "id"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["lon", "lat"]), models.Index(fields=["is_major", "grade"])]

    def __str__(self) -> str:
        return self.name


class Inventory(models.Model):
    """The design maximum quantity of one chemical in one unit (q of GB 18218)."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="inventories"
    )
    chemical = models.ForeignKey(
        Chemical, verbose_name=_("chemical"), on_delete=models.PROTECT, related_name="+"
    )
    max_quantity_t = models.FloatField(_("design maximum quantity (t)"))
    notes = models.CharField(_("notes"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "unit__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "unit__organization"

    class Meta:
        ordering = ["unit", "chemical__name_zh"]
        verbose_name = _("inventory")
        verbose_name_plural = _("inventories")
        constraints = [
            models.UniqueConstraint(fields=["unit", "chemical"], name="chem_inventory_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.chemical} {self.max_quantity_t:g} t"


class ImmutableQuerySet(ScopedQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionDenied("identification snapshots are immutable")

    def delete(self) -> Any:
        raise PermissionDenied("identification snapshots are immutable")


class Assessment(models.Model):
    """One identification of one unit, kept for audit exactly as computed: the inputs,
    the table values used and the result. Never changed, never deleted."""

    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="assessments"
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    computed_at = models.DateTimeField(_("computed"), db_index=True)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    actor_name = models.CharField(_("by"), max_length=150, blank=True)
    standard = models.CharField(_("standard"), max_length=32, default="GB 18218-2018")
    items = models.JSONField(_("items"), default=list)
    population = models.FloatField(_("population within 500 m"), null=True, blank=True)
    population_source = models.CharField(
        _("population source"), max_length=16, choices=PopulationSource.choices
    )
    population_detail = models.JSONField(_("population estimate"), default=dict, blank=True)
    s = models.FloatField(_("S"))
    is_major = models.BooleanField(_("major hazard"))
    alpha = models.FloatField(_("α"), null=True, blank=True)
    r = models.FloatField(_("R"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True)

    objects = models.Manager.from_queryset(ImmutableQuerySet)()
    scope_jurisdiction_field: ClassVar[str] = "unit__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-computed_at", "-id"]
        verbose_name = _("identification snapshot")
        verbose_name_plural = _("identification snapshots")

    def __str__(self) -> str:
        return f"{self.unit_id} @ {self.computed_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise PermissionDenied("identification snapshots are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionDenied("identification snapshots are immutable")


class MajorHazardSource(models.Model):
    """The registry entry of a unit identified as a major hazard installation, with its
    grade and the three responsible persons. Retired, not deleted, when the unit is no
    longer major; it stands in the risk register while active."""

    unit = models.OneToOneField(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="major_hazard"
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="major_hazard_sources",
    )
    code = models.CharField(_("registry number"), max_length=32, unique=True)
    grade = models.PositiveSmallIntegerField(_("grade"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=SourceStatus.choices, default=SourceStatus.ACTIVE
    )
    identified_at = models.DateTimeField(_("identified"))
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)
    assessment = models.ForeignKey(
        Assessment,
        verbose_name=_("latest identification"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    main_name = models.CharField(_("main responsible person"), max_length=100, blank=True)
    main_phone = models.CharField(_("phone"), max_length=40, blank=True)
    technical_name = models.CharField(_("technical responsible person"), max_length=100, blank=True)
    technical_phone = models.CharField(_("phone"), max_length=40, blank=True)
    operational_name = models.CharField(
        _("operational responsible person"), max_length=100, blank=True
    )
    operational_phone = models.CharField(_("phone"), max_length=40, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "unit__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["grade", "code"]
        verbose_name = _("major hazard source")
        verbose_name_plural = _("major hazard sources")

    def __str__(self) -> str:
        return f"{self.code} {self.unit}"


# --- licences ----------------------------------------------------------------------------


class Licence(models.Model):
    """A hazardous chemical business licence (危险化学品经营许可证)."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("holder"),
        on_delete=models.PROTECT,
        related_name="chemical_licences",
    )
    number = models.CharField(_("licence number"), max_length=64, unique=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=LicenceKind.choices, default=LicenceKind.WITHOUT_STORAGE
    )
    scope = models.TextField(_("licensed scope"), blank=True)
    chemicals = models.ManyToManyField(
        Chemical,
        verbose_name=_("chemicals covered"),
        blank=True,
        related_name="licences",
        help_text=_("Leave empty when the scope is described in words only."),
    )
    authority = models.CharField(_("issuing authority"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=LicenceStatus.choices, default=LicenceStatus.ISSUED
    )
    status_reason = models.TextField(_("reason"), blank=True)
    status_date = models.DateField(_("status date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "organization__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["valid_until", "number"]
        verbose_name = _("hazardous chemical business licence")
        verbose_name_plural = _("hazardous chemical business licences")

    def __str__(self) -> str:
        return self.number

    def is_valid_on(self, day: Any) -> bool:
        return self.status == LicenceStatus.ISSUED and self.valid_from <= day <= self.valid_until

    def covers(self, chemical: Chemical) -> bool:
        ids = [c.pk for c in self.chemicals.all()]
        return not ids or chemical.pk in ids


class LicenceReminder(models.Model):
    """A reminder (and flag) raised by the periodic expiry job, once per licence, kind and
    expiry date."""

    licence = models.ForeignKey(Licence, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("kind"), max_length=16, choices=ReminderKind.choices)
    due_on = models.DateField(_("expiry date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "licence__organization__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "licence__organization"

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("licence reminder")
        verbose_name_plural = _("licence reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["licence", "kind", "due_on"], name="chem_licence_reminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.licence} {self.kind} {self.due_on}"


# --- flows and stock ---------------------------------------------------------------------


class Flow(models.Model):
    """One entry of an organisation's ledger of a chemical (流向). Entries are never
    edited: a mistake is corrected by an entry the other way."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="chemical_flows",
    )
    chemical = models.ForeignKey(
        Chemical, verbose_name=_("chemical"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=FlowKind.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("date and time"), db_index=True)
    quantity = models.FloatField(_("quantity"))
    quantity_unit = models.CharField(
        _("unit of measure"), max_length=4, choices=QuantityUnit.choices
    )
    density_t_m3 = models.FloatField(_("density (t/m³)"), null=True, blank=True)
    quantity_t = models.FloatField(_("quantity (t)"))
    counterparty = models.ForeignKey(
        "core.Organization",
        verbose_name=_("counterparty"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    counterparty_name = models.CharField(_("counterparty name"), max_length=200, blank=True)
    counterparty_licence_no = models.CharField(
        _("counterparty licence number"), max_length=64, blank=True
    )
    counterparty_licence = models.ForeignKey(
        Licence,
        verbose_name=_("counterparty licence"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    permit_no = models.CharField(
        _("permit or record number"),
        max_length=64,
        blank=True,
        help_text=_("Required on a purchase of a highly toxic chemical or explosive precursor."),
    )
    lot = models.CharField(_("lot"), max_length=64, blank=True, db_index=True)
    documents = models.TextField(
        _("documents"), blank=True, help_text=_("Invoice, delivery note, waybill numbers …")
    )
    transport_filing = models.ForeignKey(
        "TransportFiling",
        verbose_name=_("transport filing"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="flows",
    )
    notes = models.TextField(_("notes"), blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    flagged = models.BooleanField(_("flagged for supervision"), default=False, db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "organization__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("flow")
        verbose_name_plural = _("flows")
        indexes = [models.Index(fields=["organization", "chemical", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.chemical} {self.quantity_t:g} t"

    @property
    def signed_t(self) -> float:
        if self.direction == Direction.IN:
            return self.quantity_t
        if self.direction == Direction.OUT:
            return -self.quantity_t
        return 0.0


class StockCount(models.Model):
    """A stock-take of one chemical at one organisation. From the second one on it is
    reconciled: opening (the count before) + in − out = expected closing; a difference
    beyond the tolerance is flagged for supervision."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="chemical_stock_counts",
    )
    chemical = models.ForeignKey(
        Chemical, verbose_name=_("chemical"), on_delete=models.PROTECT, related_name="+"
    )
    counted_at = models.DateTimeField(_("counted at"), db_index=True)
    quantity_t = models.FloatField(_("counted stock (t)"))
    opening_t = models.FloatField(_("opening stock (t)"), null=True, blank=True)
    in_t = models.FloatField(_("in (t)"), default=0)
    out_t = models.FloatField(_("out (t)"), default=0)
    expected_t = models.FloatField(_("expected stock (t)"), null=True, blank=True)
    discrepancy_t = models.FloatField(_("discrepancy (t)"), null=True, blank=True)
    flagged = models.BooleanField(_("flagged for supervision"), default=False, db_index=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "organization__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-counted_at", "-id"]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")

    def __str__(self) -> str:
        return f"{self.chemical} {self.quantity_t:g} t @ {self.counted_at:%Y-%m-%d}"


# --- transport ---------------------------------------------------------------------------


class TransportFiling(models.Model):
    """A hazmat road transport filing (运输报备), checked against the blacklist."""

    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("filed by"),
        on_delete=models.PROTECT,
        related_name="transport_filings",
    )
    chemical = models.ForeignKey(
        Chemical, verbose_name=_("chemical"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.FloatField(_("quantity"))
    quantity_unit = models.CharField(
        _("unit of measure"), max_length=4, choices=QuantityUnit.choices
    )
    density_t_m3 = models.FloatField(_("density (t/m³)"), null=True, blank=True)
    quantity_t = models.FloatField(_("quantity (t)"))
    vehicle_plate = models.CharField(_("vehicle plate"), max_length=16, db_index=True)
    trailer_plate = models.CharField(_("trailer plate"), max_length=16, blank=True)
    driver_name = models.CharField(_("driver"), max_length=100)
    driver_id = models.CharField(_("driver's qualification number"), max_length=32)
    escort_name = models.CharField(_("escort"), max_length=100)
    escort_id = models.CharField(_("escort's qualification number"), max_length=32, blank=True)
    carrier_name = models.CharField(_("carrier"), max_length=200)
    carrier_code = models.CharField(
        _("carrier's credit code or permit number"), max_length=64, blank=True
    )
    origin = models.CharField(_("origin"), max_length=255)
    destination = models.CharField(_("destination"), max_length=255)
    route = models.TextField(_("route"), blank=True)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    status = models.CharField(
        _("status"), max_length=16, choices=FilingStatus.choices, default=FilingStatus.FILED
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("filed"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedManager()
    scope_jurisdiction_field: ClassVar[str] = "organization__jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-window_start", "-id"]
        verbose_name = _("transport filing")
        verbose_name_plural = _("transport filings")

    def __str__(self) -> str:
        return f"{self.vehicle_plate} {self.chemical} {self.window_start:%Y-%m-%d}"


class BlacklistEntry(models.Model):
    """An untrustworthy vehicle, driver or carrier; active until lifted."""

    kind = models.CharField(_("kind"), max_length=16, choices=BlacklistKind.choices)
    identifier = models.CharField(
        _("identifier"),
        max_length=64,
        help_text=_("Plate number, driver's qualification number or carrier's credit code."),
    )
    identifier_key = models.CharField(max_length=64, db_index=True, editable=False)
    name = models.CharField(_("name"), max_length=200, blank=True)
    reason = models.TextField(_("reason"))
    listed_on = models.DateField(_("listed on"))
    listed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("listed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lifted_on = models.DateField(_("lifted on"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("lifted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lift_reason = models.TextField(_("reason for lifting"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-listed_on", "-id"]
        verbose_name = _("blacklist entry")
        verbose_name_plural = _("blacklist entries")
        indexes = [models.Index(fields=["kind", "identifier_key"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.identifier}"

    @property
    def active(self) -> bool:
        return self.lifted_on is None
