"""Monitoring: sensors, readings and their aggregates, alarm rules, alarms, rule context,
dead letters and the event table the live push follows.

Reading times are integers (milliseconds since the Unix epoch, UTC): the ingestion hot path
compares, de-duplicates and buckets them as numpy int64 without building datetimes.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cityguard.core.models import Located, ScopedManager

from .choices import (
    AlarmEventKind,
    AlarmState,
    Op,
    Period,
    RuleKind,
    SensorKind,
    SensorState,
    Severity,
    Source,
)


class Sensor(Located):
    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=SensorKind.choices)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sensors",
    )
    place = models.ForeignKey(
        "core.Place",
        verbose_name=_("place"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sensors",
    )
    # The street the sensor's jurisdiction lies in (kept by the services), for per-street
    # figures, rule context and the live push without parsing paths.
    street = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("street"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expected_interval_s = models.PositiveIntegerField(
        _("expected reporting interval (s)"), default=60
    )
    state = models.CharField(
        _("state"), max_length=16, choices=SensorState.choices, default=SensorState.NORMAL
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    # Kept by the pipeline with one UPDATE per batch (not part of the history).
    last_ts = models.BigIntegerField(_("last reading (ms)"), null=True, blank=True)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    last_seen_at = models.DateTimeField(_("last seen"), null=True, blank=True)
    # Readings stored for this sensor, kept by the pipeline (figures without counting rows).
    reading_count = models.BigIntegerField(_("readings stored"), default=0, editable=False)

    history = HistoricalRecords(
        excluded_fields=["last_ts", "last_value", "last_seen_at", "reading_count"]
    )
    objects = ScopedManager()

    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["code"]
        verbose_name = _("sensor")
        verbose_name_plural = _("sensors")
        indexes = [
            models.Index(fields=["kind", "lon", "lat"], name="mon_sensor_kind_pt"),
            models.Index(fields=["street", "kind"], name="mon_sensor_street_kind"),
            models.Index(fields=["state"], name="mon_sensor_state"),
            # The pipeline's cache checks max(updated_at) once a second.
            models.Index(fields=["updated_at"], name="mon_sensor_updated"),
        ]

    def __str__(self) -> str:
        return self.code


class Reading(models.Model):
    """One value of one sensor at one time; (ts, sensor) is the primary key, so a
    re-delivery is stored once. Written only by the pipeline, in bulk.

    Time first: readings arrive in time order, so every batch lands at the end of the one
    B-tree (on SQLite a WITHOUT ROWID table, see migration 0003) instead of at one place per
    sensor — several times the insert rate of a (sensor, ts) key with small batches, and
    retention deletes one range. Reads by sensor are bounded in time (recent readings, rate
    windows, late-delivery checks); charts read the aggregates."""

    pk = models.CompositePrimaryKey("ts", "sensor")
    ts = models.BigIntegerField(_("time (ms since epoch, UTC)"))
    # No index of its own: one index less makes every bulk insert cheaper (deleting a
    # sensor scans the table; sensors are normally retired, not deleted).
    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="+", db_index=False)
    value = models.FloatField(_("value"))

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")

    def __str__(self) -> str:
        return f"{self.sensor_id}@{self.ts}={self.value}"


class Aggregate(models.Model):
    """Count, minimum, maximum and sum of a sensor's readings over one minute or one hour;
    kept longer than raw readings and read by the charts."""

    id = models.BigAutoField(primary_key=True)
    # Served by the unique (sensor, period, start) index.
    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="+", db_index=False)
    period = models.CharField(_("period"), max_length=1, choices=Period.choices)
    start = models.BigIntegerField(_("bucket start (ms)"))
    count = models.PositiveIntegerField(_("count"))
    vmin = models.FloatField(_("minimum"))
    vmax = models.FloatField(_("maximum"))
    vsum = models.FloatField(_("sum"))

    class Meta:
        verbose_name = _("aggregate")
        verbose_name_plural = _("aggregates")
        constraints = [
            models.UniqueConstraint(
                fields=["sensor", "period", "start"], name="mon_aggregate_bucket"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id}/{self.period}@{self.start}"


class AlarmRule(models.Model):
    """A rule on one sensor, or on every sensor of a kind (a sensor rule overrides it)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("rule kind"), max_length=16, choices=RuleKind.choices, default=RuleKind.THRESHOLD
    )
    sensor = models.ForeignKey(
        Sensor,
        verbose_name=_("sensor"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="rules",
    )
    sensor_kind = models.CharField(
        _("sensor kind"), max_length=24, choices=SensorKind.choices, blank=True
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    # threshold: value op threshold; rate: (change over window_s) op threshold;
    # no_data: silence longer than no_data_factor × the sensor's expected interval.
    op = models.CharField(_("operator"), max_length=2, choices=Op.choices, blank=True)
    threshold = models.FloatField(_("threshold"), null=True, blank=True)
    for_seconds = models.PositiveIntegerField(_("must hold for (s)"), default=0)
    clear_op = models.CharField(_("clear operator"), max_length=2, choices=Op.choices, blank=True)
    clear_threshold = models.FloatField(_("clear threshold"), null=True, blank=True)
    window_s = models.PositiveIntegerField(_("rate window (s)"), null=True, blank=True)
    no_data_factor = models.FloatField(_("no-data factor"), null=True, blank=True)
    # Whether an active rule context (a warning in the street) may tighten this rule.
    context_sensitive = models.BooleanField(_("tightened by warnings"), default=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("alarm rule")
        verbose_name_plural = _("alarm rules")
        constraints = [
            models.CheckConstraint(
                condition=(Q(sensor__isnull=False) & Q(sensor_kind=""))
                | (Q(sensor__isnull=True) & ~Q(sensor_kind="")),
                name="mon_rule_sensor_xor_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RuleContext(models.Model):
    """A condition of the world that tightens rules while it lasts: e.g. a rainstorm warning
    in a street lowers the water-level thresholds there by `tighten` (moves every threshold
    of the kind's context-sensitive rules towards alarming by that amount)."""

    street = models.ForeignKey(
        "core.Jurisdiction", verbose_name=_("street"), on_delete=models.CASCADE, related_name="+"
    )
    sensor_kind = models.CharField(_("sensor kind"), max_length=24, choices=SensorKind.choices)
    tighten = models.FloatField(_("tighten by"))
    reason = models.CharField(_("reason"), max_length=300)
    # Who set it: "api", or "warning:<id>" when the warnings app does.
    source = models.CharField(_("source"), max_length=64, default="api")
    starts_at = models.DateTimeField(_("starts"), default=timezone.now)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ScopedManager()

    scope_jurisdiction_field: ClassVar[str] = "street"
    scope_organization_field: ClassVar[str | None] = None

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("rule context")
        verbose_name_plural = _("rule contexts")
        indexes = [models.Index(fields=["street", "sensor_kind"], name="mon_context_street_kind")]

    def __str__(self) -> str:
        return self.reason


class Alarm(models.Model):
    """One active alarm per (sensor, rule): repeats extend it and raise its peak."""

    sensor = models.ForeignKey(
        Sensor, verbose_name=_("sensor"), on_delete=models.CASCADE, related_name="alarms"
    )
    rule = models.ForeignKey(
        AlarmRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="alarms"
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices)
    state = models.CharField(
        _("state"), max_length=16, choices=AlarmState.choices, default=AlarmState.ACTIVE
    )
    is_open = models.BooleanField(_("open"), default=True, editable=False)
    # Denormalised from the sensor for scoping and per-street lists.
    jurisdiction = models.ForeignKey(
        "core.Jurisdiction",
        verbose_name=_("jurisdiction"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    organization = models.ForeignKey(
        "core.Organization",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened"))
    first_ts = models.BigIntegerField(_("first reading (ms)"), null=True, blank=True)
    last_ts = models.BigIntegerField(_("last reading (ms)"), null=True, blank=True)
    peak_value = models.FloatField(_("peak value"), null=True, blank=True)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    threshold = models.FloatField(_("threshold in force"), null=True, blank=True)
    repeats = models.PositiveIntegerField(_("repeats"), default=0)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ack_comment = models.TextField(_("acknowledgement comment"), blank=True)
    cleared_at = models.DateTimeField(_("cleared"), null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cleared by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    clear_comment = models.TextField(_("clearing comment"), blank=True)
    incident_id = models.PositiveBigIntegerField(_("incident"), null=True, blank=True)

    history = HistoricalRecords()
    objects = ScopedManager()

    scope_jurisdiction_field: ClassVar[str] = "jurisdiction"
    scope_organization_field: ClassVar[str | None] = "organization"

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        constraints = [
            models.UniqueConstraint(
                fields=["sensor", "rule"], condition=Q(is_open=True), name="mon_alarm_one_open"
            ),
        ]
        indexes = [
            models.Index(fields=["is_open", "-opened_at"], name="mon_alarm_open"),
            models.Index(fields=["sensor", "-opened_at"], name="mon_alarm_sensor"),
        ]

    def __str__(self) -> str:
        return f"{self.sensor} · {self.rule}"


class RuleState(models.Model):
    """Where one rule stands for one sensor between batches: whether its condition holds
    (the alarm state of that rule, hysteresis included) and since when (reading time, ms)
    the condition has held without yet lasting `for_seconds`. Rows exist only while either
    is set, and for rate rules always (their recent readings); written by the pipeline."""

    sensor = models.ForeignKey(Sensor, on_delete=models.CASCADE, related_name="+", db_index=False)
    rule = models.ForeignKey(AlarmRule, on_delete=models.CASCADE, related_name="+")
    holding = models.BooleanField(default=False)
    pending_since = models.BigIntegerField(null=True, blank=True)
    # Rate-of-change rules: the sensor's readings within the rule's window before its
    # latest one (packed: int64 times, then float64 values), so that the next batch needs
    # no read of the readings table, whose key leads with time.
    recent = models.BinaryField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sensor", "rule"], name="mon_rulestate_sensor_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.sensor_id}/{self.rule_id}"


class AlarmEvent(models.Model):
    """The alarm's timeline: opened, escalated, acknowledged, cleared, notified."""

    alarm = models.ForeignKey(Alarm, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=AlarmEventKind.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=16, choices=Severity.choices, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("alarm event")
        verbose_name_plural = _("alarm events")

    def __str__(self) -> str:
        return f"{self.alarm_id} {self.kind}"


class Notification(models.Model):
    """A message to one user in the platform, or one delivery through a channel plug-in
    (e-mail to a contact, webhook): then `user` may be empty and `recipient` says who."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="monitoring_notifications",
    )
    recipient = models.CharField(_("recipient"), max_length=300, blank=True)
    alarm = models.ForeignKey(
        Alarm, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    channel = models.CharField(_("channel"), max_length=32, default="platform")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("body"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, default="sent")
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.title


class DeadLetter(models.Model):
    """A message or reading that could not be taken, kept with its reason and raw payload."""

    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    topic = models.CharField(_("topic"), max_length=300, blank=True)
    sensor_code = models.CharField(_("sensor code"), max_length=64, blank=True)
    index = models.IntegerField(_("index in the message"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    payload = models.TextField(_("raw payload"), blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("dead letter")
        verbose_name_plural = _("dead letters")

    def __str__(self) -> str:
        return self.reason


class Event(models.Model):
    """What the live push follows across processes: written in the transaction that made
    the change, so a reader sees it only once committed. `path` is the jurisdiction path of
    the record, so a reader receives only events within its reach."""

    id = models.BigAutoField(primary_key=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    kind = models.CharField(max_length=32)
    path = models.CharField(max_length=255, blank=True)
    organization_id_ref = models.PositiveBigIntegerField(null=True, blank=True)
    payload = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.id} {self.kind}"
